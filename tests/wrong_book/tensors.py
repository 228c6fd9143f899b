"""Wrong states of 2.1 Data manipulation."""
import numpy as np
import torch

from tests.wrong_book import mistake

X0 = torch.arange(12, dtype=torch.float32).reshape((3, 4))
Y0 = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
Y1, X1 = Y0 + X0, X0 + (Y0 + X0)

MISTAKES = [
    # 2.1.5 skipped: X and Y as 2.1.3 made them.
    mistake("saving_memory_skipped", "saving_memory", {"X": X0.clone(), "Y": Y0.clone()},
            {"hidden/test_tensors::test_X_and_Y_after_saving_memory"}, message="at the end of 2.1"),
    # Z = X + Y computed again after X += Y.
    mistake("Z_after_X_plus_equals", "saving_memory", {"Z": X1 + Y1},
            {"hidden/test_tensors::test_Z_holds_X_plus_Y"}, message="Z at the end of 2.1"),
    # A = X (the tensor itself, .numpy() forgotten).
    mistake("A_is_a_tensor", "conversion", {"A": X1.clone()},
            {"hidden/test_tensors::test_numpy_and_back"}, message="expected a NumPy array"),
    # B made from a copy of something else.
    mistake("B_from_Y", "conversion", {"B": torch.from_numpy(np.asarray(Y1.numpy()))},
            {"hidden/test_tensors::test_numpy_and_back"}, message="B = torch.from_numpy(A)"),
    # Exercise 2 not done: a and b as 2.1.6 and 2.1.4 leave them.
    mistake("no_3d_broadcasting", "broadcasting_3d", {"a": torch.tensor([3.5]), "b": torch.arange(2).reshape((1, 2))},
            {"hidden/test_tensors::test_broadcasting_with_other_shapes"}, message="exercise 2"),
]
