"""Wrong versions of the 2.2 exercises that real students could write."""
import pandas as pd
import torch

from tests.wrong import mistake


def preprocess_house_by_position(path, target="Price"):
    data = pd.read_csv(path)
    inputs, targets = data.iloc[:, :-1], data.iloc[:, -1]
    inputs = pd.get_dummies(inputs, dummy_na=True)
    inputs = inputs.fillna(inputs.mean())
    return torch.tensor(inputs.to_numpy(dtype=float)), torch.tensor(targets.to_numpy(dtype=float))


def preprocess_house_no_dummy_na(path, target="Price"):
    data = pd.read_csv(path)
    inputs, targets = data.drop(columns=[target]), data[target]
    inputs = pd.get_dummies(inputs)
    inputs = inputs.fillna(inputs.mean())
    return torch.tensor(inputs.to_numpy(dtype=float)), torch.tensor(targets.to_numpy(dtype=float))


def preprocess_house_fill_zero(path, target="Price"):
    data = pd.read_csv(path)
    inputs, targets = data.drop(columns=[target]), data[target]
    inputs = pd.get_dummies(inputs, dummy_na=True).fillna(0)
    return torch.tensor(inputs.to_numpy(dtype=float)), torch.tensor(targets.to_numpy(dtype=float))


def preprocess_house_float32(path, target="Price"):
    data = pd.read_csv(path)
    inputs, targets = data.drop(columns=[target]), data[target]
    inputs = pd.get_dummies(inputs, dummy_na=True)
    inputs = inputs.fillna(inputs.mean())
    return (torch.tensor(inputs.to_numpy(dtype=float), dtype=torch.float32),
            torch.tensor(targets.to_numpy(dtype=float), dtype=torch.float32))


def preprocess_house_target_column(path, target="Price"):
    data = pd.read_csv(path)
    inputs, targets = data.drop(columns=[target]), data[[target]]
    inputs = pd.get_dummies(inputs, dummy_na=True)
    inputs = inputs.fillna(inputs.mean())
    return torch.tensor(inputs.to_numpy(dtype=float)), torch.tensor(targets.to_numpy(dtype=float))


def missing_fraction_counts(df):
    return df.isna().sum()


def missing_fraction_by_row(df):
    return df.isna().mean(axis=1)


def column_kinds_float_only(df):
    numeric = list(df.select_dtypes(include="float").columns)
    return {"numeric": numeric, "categorical": [c for c in df.columns if c not in numeric]}


def column_kinds_sorted(df):
    numeric = sorted(df.select_dtypes(include="number").columns)
    return {"numeric": numeric, "categorical": sorted(c for c in df.columns if c not in numeric)}


def drop_high_cardinality_at_least(df, max_unique):
    numeric = set(df.select_dtypes(include="number").columns)
    return df.drop(columns=[c for c in df.columns if c not in numeric and df[c].nunique() >= max_unique])


def drop_high_cardinality_numeric_too(df, max_unique):
    return df.drop(columns=[c for c in df.columns if df[c].nunique() > max_unique])


def drop_high_cardinality_counts_nan(df, max_unique):
    numeric = set(df.select_dtypes(include="number").columns)
    return df.drop(columns=[c for c in df.columns if c not in numeric and df[c].nunique(dropna=False) > max_unique])


def drop_high_cardinality_inplace(df, max_unique):
    numeric = set(df.select_dtypes(include="number").columns)
    df.drop(columns=[c for c in df.columns if c not in numeric and df[c].nunique() > max_unique], inplace=True)
    return df


def drop_most_missing_no_guard(df):
    return df.drop(columns=[df.isna().sum().idxmax()])


def drop_most_missing_rightmost(df):
    counts = df.isna().sum()
    if counts.max() == 0:
        return df.copy()
    return df.drop(columns=[counts[::-1].idxmax()])


def drop_most_missing_row(df):
    counts = df.isna().sum(axis=1)
    return df.drop(index=counts.idxmax())


def drop_most_missing_inplace(df):
    counts = df.isna().sum()
    if counts.max() > 0:
        del df[counts.idxmax()]
    return df


MISTAKES = [
    mistake("preprocess_house_by_position", "preprocess_house", {"preprocess_house": preprocess_house_by_position}, {
        "hidden/test_preprocessing::test_preprocess_house[target-first]",
        "hidden/test_preprocessing::test_preprocess_house[two-categoricals]",
        "hidden/test_preprocessing::test_preprocess_house[other-target]",
    }, message="could not convert string to float"),
    mistake("preprocess_house_no_dummy_na", "preprocess_house", {"preprocess_house": preprocess_house_no_dummy_na}, {
        "public/test_preprocessing::test_preprocess_house_book_example",
        "hidden/test_preprocessing::test_preprocess_house[book]",
        "hidden/test_preprocessing::test_preprocess_house[target-first]",
        "hidden/test_preprocessing::test_preprocess_house[two-categoricals]",
        "hidden/test_preprocessing::test_preprocess_house[nothing-missing]",
        "hidden/test_preprocessing::test_preprocess_house[other-target]",
    }, message="has shape"),
    mistake("preprocess_house_fill_zero", "preprocess_house", {"preprocess_house": preprocess_house_fill_zero}, {
        "public/test_preprocessing::test_preprocess_house_book_example",
        "hidden/test_preprocessing::test_preprocess_house[book]",
        "hidden/test_preprocessing::test_preprocess_house[target-first]",
        "hidden/test_preprocessing::test_preprocess_house[two-categoricals]",
        "hidden/test_preprocessing::test_preprocess_house[other-target]",
    }, message="differs from the expected values"),
    mistake("preprocess_house_float32", "preprocess_house", {"preprocess_house": preprocess_house_float32}, {
        "hidden/test_preprocessing::test_preprocess_house[other-target]",
        "hidden/test_preprocessing::test_preprocess_house_float64",
    }, message="expected float64"),
    mistake("preprocess_house_target_column", "preprocess_house", {"preprocess_house": preprocess_house_target_column}, {
        "public/test_preprocessing::test_preprocess_house_book_example",
        "hidden/test_preprocessing::test_preprocess_house[book]",
        "hidden/test_preprocessing::test_preprocess_house[target-first]",
        "hidden/test_preprocessing::test_preprocess_house[two-categoricals]",
        "hidden/test_preprocessing::test_preprocess_house[nothing-missing]",
        "hidden/test_preprocessing::test_preprocess_house[other-target]",
    }, message="has shape"),
    mistake("missing_fraction_counts", "missing_fraction", {"missing_fraction": missing_fraction_counts}, {
        "public/test_preprocessing::test_missing_fraction_house_tiny",
        "hidden/test_preprocessing::test_missing_fraction[penguins]",
        "hidden/test_preprocessing::test_missing_fraction[all-or-nothing]",
    }, message="differs from the expected values"),
    mistake("missing_fraction_by_row", "missing_fraction", {"missing_fraction": missing_fraction_by_row}, {
        "public/test_preprocessing::test_missing_fraction_house_tiny",
        "hidden/test_preprocessing::test_missing_fraction[penguins]",
        "hidden/test_preprocessing::test_missing_fraction[all-or-nothing]",
        "hidden/test_preprocessing::test_missing_fraction[one-row]",
    }, message="expected the column names"),
    mistake("column_kinds_float_only", "column_kinds", {"column_kinds": column_kinds_float_only}, {
        "public/test_preprocessing::test_column_kinds_house_tiny",
        "hidden/test_preprocessing::test_column_kinds[penguins]",
        "hidden/test_preprocessing::test_column_kinds[ints-and-text]",
        "hidden/test_preprocessing::test_column_kinds[all-numeric]",
    }, message="integer and float columns are numeric"),
    mistake("column_kinds_sorted", "column_kinds", {"column_kinds": column_kinds_sorted}, {
        "hidden/test_preprocessing::test_column_kinds[penguins]",
        "hidden/test_preprocessing::test_column_kinds[ints-and-text]",
    }, message="column order"),
    mistake("drop_high_cardinality_at_least", "drop_high_cardinality",
            {"drop_high_cardinality": drop_high_cardinality_at_least}, {
        "public/test_preprocessing::test_drop_high_cardinality_penguins",
        "hidden/test_preprocessing::test_drop_high_cardinality[penguins-3]",
        "hidden/test_preprocessing::test_drop_high_cardinality[penguins-1]",
        "hidden/test_preprocessing::test_drop_high_cardinality[ids]",
    }, message="which should stay"),
    mistake("drop_high_cardinality_numeric_too", "drop_high_cardinality",
            {"drop_high_cardinality": drop_high_cardinality_numeric_too}, {
        "public/test_preprocessing::test_drop_high_cardinality_penguins",
        "hidden/test_preprocessing::test_drop_high_cardinality[penguins-3]",
        "hidden/test_preprocessing::test_drop_high_cardinality[penguins-1]",
        "hidden/test_preprocessing::test_drop_high_cardinality[ids]",
    }, message="which should stay"),
    mistake("drop_high_cardinality_counts_nan", "drop_high_cardinality",
            {"drop_high_cardinality": drop_high_cardinality_counts_nan}, {
        "public/test_preprocessing::test_drop_high_cardinality_penguins",
        "hidden/test_preprocessing::test_drop_high_cardinality[ids]",
    }, message="should stay"),
    mistake("drop_high_cardinality_inplace", "drop_high_cardinality",
            {"drop_high_cardinality": drop_high_cardinality_inplace}, {
        "hidden/test_preprocessing::test_drop_high_cardinality_leaves_df",
    }, message="from df itself"),
    mistake("drop_most_missing_no_guard", "drop_most_missing", {"drop_most_missing": drop_most_missing_no_guard}, {
        "hidden/test_preprocessing::test_drop_most_missing[nothing-missing]",
    }, message="which should stay"),
    mistake("drop_most_missing_rightmost", "drop_most_missing", {"drop_most_missing": drop_most_missing_rightmost}, {
        "hidden/test_preprocessing::test_drop_most_missing[tie]",
    }, message="which should stay"),
    mistake("drop_most_missing_row", "drop_most_missing", {"drop_most_missing": drop_most_missing_row}, {
        "public/test_preprocessing::test_drop_most_missing_penguins",
        "hidden/test_preprocessing::test_drop_most_missing[tie]",
        "hidden/test_preprocessing::test_drop_most_missing[nothing-missing]",
        "hidden/test_preprocessing::test_drop_most_missing[one-row]",
    }, message="rows"),
    mistake("drop_most_missing_inplace", "drop_most_missing", {"drop_most_missing": drop_most_missing_inplace}, {
        "hidden/test_preprocessing::test_drop_most_missing_leaves_df",
    }, message="from df itself"),
]
