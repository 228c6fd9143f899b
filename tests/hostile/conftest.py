"""The hostile batch graded once per session under the sandbox (tests/hostile/batches.py)."""
from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import EXAMPLES
from tests.hostile.batches import LIMITS, ONLY, PWNED, SECRET, SECRET_NAME, hostile_folder


@pytest.fixture(scope="session")
def batch(grade, tmp_path_factory):
    folder = hostile_folder(tmp_path_factory.mktemp("hostile"))
    alone = tmp_path_factory.mktemp("alone")
    shutil.copy(EXAMPLES / "correct.ipynb", alone / "correct.ipynb")
    for path in PWNED:
        assert not path.exists()
    os.environ[SECRET_NAME] = SECRET
    try:
        results, out, log = grade([folder], only=ONLY, **LIMITS)
    finally:
        del os.environ[SECRET_NAME]
    baseline, _, _ = grade([alone], only=ONLY, **LIMITS)
    return results, out, baseline


