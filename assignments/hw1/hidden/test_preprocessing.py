"""Hidden tests for 2.2 Data preprocessing.

CSV files are written into the kernel's own temporary folder (and removed afterwards);
DataFrames are read here from ../data and sent to the kernel as data. Expected values come
from the reference run on the same text in this process.
"""
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from grader.bookcode import csv_in_kernel, expect_columns
from grader.bookcode import VALUE
from grader.bookcode.preliminaries import COLUMNS
from grader.testing import assert_close, require, describe, expect_tensor

DATA = Path(__file__).resolve().parent.parent / "data"

CSV_CASES = {
    # The book's file.
    "book": ((DATA / "house_tiny.csv").read_text(), {}),
    # The target is the first column: picking columns by position fails (exercise 2).
    "target-first": ("Price,NumRooms,RoofType\n127500,NA,NA\n106000,2,NA\n178100,4,Slate\n140000,NA,NA\n", {}),
    # Two categorical columns, a float column with a mean that is not a round number.
    "two-categoricals": ("NumRooms,RoofType,Price,Alley,LotArea\n"
                         "3,Slate,127500,Pave,8450.5\n2,Tile,106000,NA,NA\n4,NA,178100,Grvl,11250.25\n"
                         "NA,Slate,140000,Pave,9550\n5,Tile,250000,NA,NA\n", {}),
    # Nothing missing, integer columns: still a RoofType_nan column, still float64.
    "nothing-missing": ("NumRooms,Baths,RoofType,Price\n3,1,Slate,127500\n2,1,Tile,106000\n"
                        "4,2,Slate,178100\n", {}),
    # Another target name, given explicitly, with large values.
    "other-target": ("Area,Rent,Kind,Floor\n1234567.891,3500000,flat,12\nNA,4200000,house,NA\n"
                     "987654.321,2750000,NA,3\n555555.5,5100000,flat,7\n", {"target": "Rent"}),
}


def expected_for(reference, text: str, kwargs: dict):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "house.csv"
        path.write_text(text)
        return reference.preprocess_house(str(path), **kwargs)


def call_on_csv(student, text: str, **kwargs):
    with csv_in_kernel(student, text, file_name="house.csv", what="the CSV file") as path:
        return student.preprocess_house(path, **kwargs)


def expect_pair(result, call: str):
    require(isinstance(result, tuple) and len(result) == 2,
          f"{call} returned {describe(result)}; expected the tuple (X, y)")
    return expect_tensor(result[0], "X"), expect_tensor(result[1], "y")


@pytest.mark.exercise("preprocess_house")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("case", list(CSV_CASES), ids=list(CSV_CASES))
def test_preprocess_house(student, reference, tolerance, case):
    """preprocess_house(path) on CSV files of several layouts."""
    student.needs("preprocess_house")
    text, kwargs = CSV_CASES[case]
    call = "preprocess_house(path" + "".join(f", {k}={v!r}" for k, v in kwargs.items()) + ")"
    X_want, y_want = expected_for(reference, text, kwargs)
    X, y = expect_pair(call_on_csv(student, text, **kwargs), call)
    header = text.splitlines()[0]
    expect_tensor(X, f"X for the columns {header}", shape=tuple(X_want.shape))
    expect_tensor(y, f"y for the columns {header}", shape=tuple(y_want.shape))
    assert_close(X, X_want, tolerance("preprocessing_float64"), name=f"X for the columns {header}")
    assert_close(y, y_want, tolerance("preprocessing_float64"), name=f"y for the columns {header}")


@pytest.mark.exercise("preprocess_house")
@pytest.mark.points(0.5)
def test_preprocess_house_float64(student):
    """X and y are float64 tensors, as `to_numpy(dtype=float)` gives."""
    student.needs("preprocess_house")
    X, y = expect_pair(call_on_csv(student, CSV_CASES["book"][0]), "preprocess_house(path)")
    for name, value in (("X", X), ("y", y)):
        require(value.dtype == torch.float64, f"{name} has dtype {str(value.dtype).replace('torch.', '')}; "
              "expected float64, as the book's to_numpy(dtype=float) gives")


# ---------------------------------------------------------------------------- frames


def penguins() -> pd.DataFrame:
    return pd.read_csv(DATA / "penguins_raw.csv")


def all_or_nothing() -> pd.DataFrame:
    return pd.DataFrame({"empty": [np.nan, np.nan, np.nan], "full": [1.5, 2.5, 3.5],
                         "label": ["a", None, "c"]})


def one_row() -> pd.DataFrame:
    return pd.DataFrame({"x": [np.nan], "name": ["solo"], "n": [7]})


def ints_and_text() -> pd.DataFrame:
    return pd.DataFrame({"id": ["p1", "p2", "p3", "p4"], "age": [31, 45, 27, 60],
                         "city": ["Seoul", "Busan", "Seoul", None], "height": [1.71, np.nan, 1.80, 1.65]})


def all_numeric() -> pd.DataFrame:
    return pd.DataFrame({"a": [1, 2, 3], "b": [0.5, np.nan, 1.5]})


FRAMES = {"penguins": penguins, "all-or-nothing": all_or_nothing, "one-row": one_row}


@pytest.mark.exercise("missing_fraction")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("frame", list(FRAMES), ids=list(FRAMES))
def test_missing_fraction(student, reference, tolerance, frame):
    """missing_fraction(df): per column, the fraction of rows where the value is missing."""
    df = FRAMES[frame]()
    got = student.missing_fraction(df)
    require(isinstance(got, pd.Series),
          f"missing_fraction(df) is {describe(got)}; expected a pandas Series indexed by column name")
    columns = list(df.columns)
    require(list(got.index) == columns, f"missing_fraction(df) is indexed by {list(got.index)[:6]}; "
          f"expected the column names {columns[:6]}{' ...' if len(columns) > 6 else ''}")
    assert_close(got.to_numpy(), reference.missing_fraction(df).to_numpy(),
                 tolerance("preprocessing_fraction"), name="missing_fraction(df)")


KIND_FRAMES = {"penguins": penguins, "ints-and-text": ints_and_text, "all-numeric": all_numeric}


@pytest.mark.exercise("column_kinds")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("frame", list(KIND_FRAMES), ids=list(KIND_FRAMES))
def test_column_kinds(student, reference, tolerance, frame):
    """column_kinds(df) splits the columns by dtype, in column order."""
    df = KIND_FRAMES[frame]()
    got = student.column_kinds(df)
    require(isinstance(got, dict), f"column_kinds(df) is {describe(got)}; expected a dict with the keys "
          "'numeric' and 'categorical'")
    expected = reference.column_kinds(df)
    for kind in ("numeric", "categorical"):
        require(kind in got, f"column_kinds(df) has no key {kind!r}")
        names = list(got[kind]) if isinstance(got[kind], (list, tuple)) else got[kind]
        require(names == expected[kind], f"column_kinds(df)[{kind!r}] is {names}; expected {expected[kind]} "
              "(integer and float columns are numeric, in the DataFrame's column order)")


def expect_same_values(got: pd.DataFrame, df: pd.DataFrame, call: str) -> None:
    require(len(got) == len(df), f"{call} has {len(got)} rows; expected all {len(df)} rows of df")
    for column in got.columns:
        have = [None if pd.isna(v) else v for v in got[column].tolist()]
        want = [None if pd.isna(v) else v for v in df[column].tolist()]
        require(have == want, f"{call} changed the values of the column {column!r}; keep the data as it is")


def unchanged_after(student, call: str, df: pd.DataFrame, *args) -> None:
    """Call ``call`` on a DataFrame kept in the kernel and check it still has all its columns."""
    kept = student.run(VALUE, value=df, keep=True, label="sending the DataFrame")
    getattr(student, call)(kept, *args)
    columns = student.run(COLUMNS, df=kept, label="reading the DataFrame's columns")
    require(columns == list(df.columns), f"{call}(df) removed {[c for c in df.columns if c not in columns]} "
          "from df itself; return a new DataFrame (df.drop(columns=...) without inplace=True)")


HIGH_CASES = {"penguins-3": (penguins, 3), "penguins-1": (penguins, 1), "ids": (ints_and_text, 2)}


@pytest.mark.exercise("drop_high_cardinality")
@pytest.mark.points(0.375)
@pytest.mark.parametrize("case", list(HIGH_CASES), ids=list(HIGH_CASES))
def test_drop_high_cardinality(student, reference, case):
    """drop_high_cardinality(df, max_unique) drops only categorical columns with too many values."""
    make, max_unique = HIGH_CASES[case]
    df = make()
    call = f"drop_high_cardinality(df, {max_unique})"
    got = student.drop_high_cardinality(df, max_unique)
    expect_columns(got, list(reference.drop_high_cardinality(df, max_unique).columns), call)
    expect_same_values(got, df, call)


@pytest.mark.exercise("drop_high_cardinality")
@pytest.mark.points(0.375)
def test_drop_high_cardinality_leaves_df(student):
    """df itself keeps all its columns."""
    student.needs("drop_high_cardinality")
    unchanged_after(student, "drop_high_cardinality", ints_and_text(), 2)


def tie() -> pd.DataFrame:
    return pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [np.nan, 1.0, np.nan, 2.0],
                         "c": ["x", None, "y", None], "d": [np.nan, 5.0, 6.0, 7.0]})


def complete() -> pd.DataFrame:
    return pd.DataFrame({"a": [1, 2, 3], "b": [0.5, 0.0, 1.5], "c": ["x", "y", "z"]})


MOST_CASES = {"tie": tie, "nothing-missing": complete, "one-row": one_row}


@pytest.mark.exercise("drop_most_missing")
@pytest.mark.points(0.375)
@pytest.mark.parametrize("case", list(MOST_CASES), ids=list(MOST_CASES))
def test_drop_most_missing(student, reference, case):
    """drop_most_missing(df): the leftmost of the columns with the most missing values goes."""
    df = MOST_CASES[case]()
    got = student.drop_most_missing(df)
    expect_columns(got, list(reference.drop_most_missing(df).columns), "drop_most_missing(df)")
    expect_same_values(got, df, "drop_most_missing(df)")


@pytest.mark.exercise("drop_most_missing")
@pytest.mark.points(0.375)
def test_drop_most_missing_leaves_df(student):
    """df itself keeps all its columns."""
    student.needs("drop_most_missing")
    unchanged_after(student, "drop_most_missing", tie())
