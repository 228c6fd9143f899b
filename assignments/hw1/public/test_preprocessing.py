"""Public checks for 2.2: run them with `grader check`."""
from pathlib import Path

import pandas as pd
import pytest
import torch

from grader.bookcode import csv_in_kernel, expect_columns
from grader.testing import assert_close, require, describe, expect_tensor

DATA = Path(__file__).resolve().parent.parent / "data"


def house_tiny() -> pd.DataFrame:
    return pd.read_csv(DATA / "house_tiny.csv")


def penguins() -> pd.DataFrame:
    return pd.read_csv(DATA / "penguins_raw.csv")


@pytest.mark.exercise("preprocess_house")
@pytest.mark.points(1)
def test_preprocess_house_book_example(student, tolerance):
    """The book's house_tiny.csv gives X = [[3, 0, 1], [2, 0, 1], [4, 1, 0], [3, 0, 1]] and y = Price."""
    student.needs("preprocess_house")
    with csv_in_kernel(student, (DATA / "house_tiny.csv").read_text(), file_name="house_tiny.csv",
                       what="house_tiny.csv") as path:
        result = student.preprocess_house(path)
    require(isinstance(result, tuple) and len(result) == 2,
          f"preprocess_house(path) returned {describe(result)}; expected the tuple (X, y)")
    X = expect_tensor(result[0], "X", shape=(4, 3))
    y = expect_tensor(result[1], "y", shape=(4,))
    assert_close(X, torch.tensor([[3.0, 0, 1], [2, 0, 1], [4, 1, 0], [3, 0, 1]], dtype=torch.float64),
                 tolerance("preprocessing_float64"), name="X for house_tiny.csv")
    assert_close(y, torch.tensor([127500.0, 106000, 178100, 140000], dtype=torch.float64),
                 tolerance("preprocessing_float64"), name="y for house_tiny.csv")


@pytest.mark.exercise("missing_fraction")
@pytest.mark.points(0.5)
def test_missing_fraction_house_tiny(student, tolerance):
    """house_tiny.csv: half of NumRooms, three quarters of RoofType and no Price are missing."""
    got = student.missing_fraction(house_tiny())
    require(isinstance(got, pd.Series),
          f"missing_fraction(df) is {describe(got)}; expected a pandas Series indexed by column name")
    require(list(got.index) == ["NumRooms", "RoofType", "Price"],
          f"missing_fraction(df) is indexed by {list(got.index)[:6]}; expected the column names "
          "['NumRooms', 'RoofType', 'Price']")
    assert_close(got.to_numpy(), [0.5, 0.75, 0.0], tolerance("preprocessing_fraction"),
                 name="missing_fraction(df)")


@pytest.mark.exercise("column_kinds")
@pytest.mark.points(0.5)
def test_column_kinds_house_tiny(student, tolerance):
    """house_tiny.csv: NumRooms and Price are numeric, RoofType is categorical."""
    got = student.column_kinds(house_tiny())
    assert_close(got, {"numeric": ["NumRooms", "Price"], "categorical": ["RoofType"]},
                 tolerance("exact"), name="column_kinds(df)")


@pytest.mark.exercise("drop_high_cardinality")
@pytest.mark.points(0.5)
def test_drop_high_cardinality_penguins(student):
    """penguins_raw.csv with max_unique=10 loses `Individual ID` and `Date Egg` only."""
    df = penguins()
    got = student.drop_high_cardinality(df, 10)
    expected = [c for c in df.columns if c not in ("Individual ID", "Date Egg")]
    expect_columns(got, expected, "drop_high_cardinality(df, 10)")


@pytest.mark.exercise("drop_most_missing")
@pytest.mark.points(0.5)
def test_drop_most_missing_penguins(student):
    """penguins_raw.csv loses `Comments`, missing in 84% of the rows."""
    df = penguins()
    got = student.drop_most_missing(df)
    expect_columns(got, [c for c in df.columns if c != "Comments"], "drop_most_missing(df)")

