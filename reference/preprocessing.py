"""Reference solutions for 2.2 Data preprocessing.

They must give the same answers under the course's pandas 2.0.3 and the grader's pandas 3,
so they stay with operations whose results did not change between the two (``read_csv``,
``get_dummies``, ``isna``, ``select_dtypes``, ``nunique``).
"""
from __future__ import annotations

import pandas as pd
import torch


def preprocess_house(path: str, target: str = "Price") -> tuple[torch.Tensor, torch.Tensor]:
    """Section 2.2 on any CSV file: the ``target`` column (chosen by name, exercise 2) becomes
    ``y``; the other columns are one-hot encoded with a NaN category, their missing numbers
    filled with the column mean, and turned into ``X``. Both are float64, as in the book."""
    data = pd.read_csv(path)
    inputs, targets = data.drop(columns=[target]), data[target]
    inputs = pd.get_dummies(inputs, dummy_na=True)
    inputs = inputs.fillna(inputs.mean())
    X = torch.tensor(inputs.to_numpy(dtype=float))
    y = torch.tensor(targets.to_numpy(dtype=float))
    return X, y


def missing_fraction(df: pd.DataFrame) -> pd.Series:
    """For each column, the fraction of rows where it is missing (exercise 1 of 2.2)."""
    return df.isna().mean()


def column_kinds(df: pd.DataFrame) -> dict[str, list[str]]:
    """Column names split into numeric (integer or float dtype) and categorical (the rest)."""
    numeric = list(df.select_dtypes(include="number").columns)
    return {"numeric": numeric, "categorical": [c for c in df.columns if c not in numeric]}


def drop_high_cardinality(df: pd.DataFrame, max_unique: int) -> pd.DataFrame:
    """Without the categorical columns that have more than ``max_unique`` distinct values
    (missing values not counted), such as identifiers (exercise 4 of 2.2)."""
    numeric = set(df.select_dtypes(include="number").columns)
    many = [c for c in df.columns if c not in numeric and df[c].nunique() > max_unique]
    return df.drop(columns=many)


def drop_most_missing(df: pd.DataFrame) -> pd.DataFrame:
    """Without the column that has the most missing values (the leftmost one on a tie);
    unchanged when nothing is missing."""
    counts = df.isna().sum()
    if len(counts) == 0 or counts.max() == 0:
        return df.copy()
    return df.drop(columns=[counts.idxmax()])
