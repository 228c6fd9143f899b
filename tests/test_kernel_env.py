"""Student code runs in the course's environment (d2l 1.0.3's pins), not the grader's."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import torch
from nbformat.v4 import new_code_cell, new_notebook

from grader.kernel import environment
from grader.judge.bridge import Student
from grader.errors import EnvironmentBuildError
from grader.grading.execution import Execution
from grader.kernel.isolation import BUBBLEWRAP
from grader.kernel.plan import new_runtime_dir
from grader.kernel.session import KernelSession
from grader.grading.notebook import prepare
from grader.kernel.plan import plan_kernel
from grader.assignment import CourseEnvironment, load_assignment

# A real student's own preprocessing exercise (catalog, S1): chained inplace fillna. Under
# pandas 2.0.3 it fills the column; under copy-on-write pandas it silently does nothing.
S1_CELL = """\
import numpy as np
import pandas as pd
import torch
data = {'Name': ['John', 'Sarah', 'Tom', 'Lucy', 'David'],
        'Gender': ['Male', 'Female', 'Male', 'Female', 'Male'],
        'Math': [85, 78, None, 95, 70], 'Physics': [90, 85, 80, None, 75],
        'Passed': ['Yes', 'No', 'Yes', 'Yes', 'No']}
df = pd.DataFrame(data)
df['Math'].fillna(df['Math'].mean(), inplace=True)
df['Physics'].fillna(df['Physics'].mean(), inplace=True)
df_encoded = pd.get_dummies(df, columns=['Gender', 'Passed'])
df_encoded.drop(columns=['Name'], inplace=True)
X = torch.tensor(df_encoded.drop(columns=['Passed_No', 'Passed_Yes']).values.astype(np.float32),
                 dtype=torch.float32)
"""
PRINTED_X = torch.tensor([[85, 90, 0, 1], [78, 85, 1, 0], [82, 80, 0, 1], [95, 82.5, 1, 0], [70, 75, 0, 1]])


def x_after_running(interpreter):
    nb = prepare(new_notebook(cells=[new_code_cell(S1_CELL)]))
    limits = load_assignment("hw1").limits
    plan = plan_kernel(interpreter=interpreter, runtime_dir=new_runtime_dir(), limits=limits, isolation=BUBBLEWRAP)
    with KernelSession(plan, seed=0) as session:
        execution = Execution(session, nb, limits)
        assert [c.status for c in execution.run_all()] == ["ok"]
        return Student(execution).value("X"), Student(execution).run(
            "import pandas; pandas.__version__")


def test_pandas_2_semantics_grade_as_they_did_for_the_student(course_env):
    X, version = x_after_running(course_env.interpreter)
    assert version == "2.0.3"
    assert torch.equal(X, PRINTED_X)


def test_the_graders_own_pandas_would_have_been_unfair():
    X, version = x_after_running(environment.current().interpreter)
    assert not version.startswith("2.0")
    assert torch.isnan(X).any()   # the very difference the course environment avoids


def test_the_environment_is_built_once_and_reused(course_env):
    spec = load_assignment("hw1").environment
    said = []
    began = time.monotonic()
    again = environment.resolve("auto", spec, progress=said.append)
    assert said == [] and time.monotonic() - began < 5
    assert again.interpreter == course_env.interpreter and not again.flagged


def test_an_environment_that_cannot_be_built_says_how_to_fix_it(tmp_path, monkeypatch):
    monkeypatch.setenv("D2L_GRADER_CACHE", str(tmp_path / "cache"))
    empty = tmp_path / "wheels"
    empty.mkdir()
    spec = CourseEnvironment(python="", packages=("d2l==1.0.3",))
    with pytest.raises(EnvironmentBuildError) as info:
        environment.build(spec, progress=lambda m: None, wheelhouse=empty)
    message = str(info.value)
    assert "\n" not in message and "--wheelhouse" in message and "--kernel-env current" in message
    assert not environment.is_built(spec)


def test_a_venv_path_can_be_given_and_is_flagged(course_env):
    chosen = environment.resolve(str(course_env.interpreter.prefix), load_assignment("hw1").environment,
                                 progress=lambda m: None)
    assert chosen.flagged and chosen.interpreter.prefix == course_env.interpreter.prefix
    assert Path(chosen.interpreter.python).exists()
