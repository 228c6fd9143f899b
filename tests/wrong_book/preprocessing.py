"""Wrong states of 2.2 Data preprocessing."""
import io

import pandas as pd
import torch

from tests.wrong_book import mistake

HOUSE = "NumRooms,RoofType,Price\nNA,NA,127500\n2,NA,106000\n4,Slate,178100\nNA,NA,140000"
_data = pd.read_csv(io.StringIO(HOUSE))
NOT_IMPUTED = pd.get_dummies(_data.iloc[:, 0:2], dummy_na=True)
NO_NAN_COLUMN = pd.get_dummies(_data.iloc[:, 0:2]).fillna(3.0)

MISTAKES = [
    mistake("fillna_skipped", "house_tiny", {"inputs": NOT_IMPUTED},
            {"hidden/test_preprocessing::test_inputs_one_hot_and_imputed"}, message="missing values"),
    mistake("dummy_na_forgotten", "house_tiny", {"inputs": NO_NAN_COLUMN},
            {"hidden/test_preprocessing::test_inputs_one_hot_and_imputed"}, message="columns"),
    mistake("float32_tensors", "house_tiny",
            {"X": torch.tensor([[3.0, 0, 1], [2, 0, 1], [4, 1, 0], [3, 0, 1]]),
             "y": torch.tensor([127500.0, 106000, 178100, 140000])},
            {"hidden/test_preprocessing::test_X_and_y_tensors"}, message="dtype"),
]
