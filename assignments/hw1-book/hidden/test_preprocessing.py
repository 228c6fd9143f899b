"""Hidden tests for 2.2 Data preprocessing: the state the section leaves.

The book's pandas steps are repeated here on the text the book writes to house_tiny.csv;
the notebook's inputs, X and y (as of the end of 2.2) are compared with the result.
"""
import io

import pandas as pd
import pytest
import torch

from grader.testing import assert_close, describe, require

HOUSE = """NumRooms,RoofType,Price
NA,NA,127500
2,NA,106000
4,Slate,178100
NA,NA,140000"""


def book_steps():
    """2.2.1-2.2.3 on the book's file: (inputs after imputation, X, y)."""
    data = pd.read_csv(io.StringIO(HOUSE))
    inputs, targets = data.iloc[:, 0:2], data.iloc[:, 2]
    inputs = pd.get_dummies(inputs, dummy_na=True)
    inputs = inputs.fillna(inputs.mean())
    return (inputs, torch.tensor(inputs.to_numpy(dtype=float)),
            torch.tensor(targets.to_numpy(dtype=float)))


@pytest.mark.exercise("house_tiny")
@pytest.mark.points(1)
def test_inputs_one_hot_and_imputed(student, tolerance):
    """inputs: NumRooms with its NaNs replaced by the mean, RoofType one-hot with a NaN column."""
    expected, _, _ = book_steps()
    got = student.value("inputs")
    require(isinstance(got, pd.DataFrame), f"inputs at the end of 2.2 is {describe(got)}; expected the "
            "DataFrame of 2.2.2 (pd.get_dummies(inputs, dummy_na=True), then fillna)")
    require(list(got.columns) == list(expected.columns),
            f"inputs has the columns {list(got.columns)}; expected {list(expected.columns)} "
            "(pd.get_dummies(inputs, dummy_na=True) on the first two columns)")
    require(not got.isna().any().any(), "inputs still has missing values: fill them with "
            "inputs.fillna(inputs.mean())")
    assert_close(got.to_numpy(dtype=float), expected.to_numpy(dtype=float), tolerance("exact"),
                 name="inputs (as numbers) at the end of 2.2")


@pytest.mark.exercise("house_tiny")
@pytest.mark.points(1)
def test_X_and_y_tensors(student, tolerance):
    """X and y are the float64 tensors of 2.2.3."""
    _, X, y = book_steps()
    got_X, got_y = student.value("X"), student.value("y")
    for name, got, want in (("X", got_X, X), ("y", got_y, y)):
        require(isinstance(got, torch.Tensor), f"{name} at the end of 2.2 is {describe(got)}; expected the "
                f"tensor of 2.2.3 ({name} = torch.tensor(....to_numpy(dtype=float)))")
        require(tuple(got.shape) == tuple(want.shape),
                f"{name} at the end of 2.2 has shape {tuple(got.shape)}; expected {tuple(want.shape)} from "
                f"house_tiny.csv (if you reused the name for an exercise, keep the book's {name} under "
                "its name until the end of 2.2)")
        assert_close(got, want, tolerance("exact"), name=f"{name} at the end of 2.2", check_dtype=True)
