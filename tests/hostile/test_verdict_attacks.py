"""Notebooks that attacked the verdicts once computed in the student's kernel, graded for real
with correct.ipynb beside them: each attack earns nothing, the student sees why, the correct
notebook's results equal those it gets alone, and no report or result.json quotes a line of
the kernel code the grader sent (grader.bookcode)."""
from __future__ import annotations

import html
import json
import shutil

import nbformat
import pytest

from tests.conftest import EXAMPLES
from tests.hostile.verdict_attacks import HERE, NOTEBOOKS, ONLY
from tests.test_kernel_code import _snippets

LIMITS = dict(cell_timeout=30, call_timeout=10, memory_mb=1500, processes=64, kernel_restarts=1,
              notebook_timeout=150)
FULL = {"add_into": 2, "transpose": 2, "vectorization": 2, "accuracy": 3}
NO_LOOP = ("add_loop has no loop: it must add one element per step of a Python for loop, as the book's "
           "first timing cell does, so that it is far slower than add_vectorized")


@pytest.fixture(scope="module")
def batch(grade, tmp_path_factory):
    folder = tmp_path_factory.mktemp("verdict_attacks")
    for name in NOTEBOOKS:
        shutil.copy(HERE / f"{name}.ipynb", folder / f"{name}.ipynb")
    shutil.copy(EXAMPLES / "correct.ipynb", folder / "correct.ipynb")
    alone = tmp_path_factory.mktemp("correct_alone")
    shutil.copy(EXAMPLES / "correct.ipynb", alone / "correct.ipynb")
    results, out, _ = grade([folder], only=ONLY, **LIMITS)
    baseline, _, _ = grade([alone], only=ONLY, **LIMITS)
    return results, out, baseline


def scores(result):
    return {e.id: e.score for e in result.exercises if e.id in ONLY}


def messages(result, exercise):
    return sorted({t.message for e in result.exercises if e.id == exercise for t in e.tests if t.outcome != "passed"})


def _strings(doc):
    """Every string in a JSON document, unescaped."""
    if isinstance(doc, str):
        yield doc
    elif isinstance(doc, dict):
        for key, value in doc.items():
            yield key
            yield from _strings(value)
    elif isinstance(doc, list):
        for value in doc:
            yield from _strings(value)


def test_the_correct_notebook_is_unaffected(batch):
    results, _, baseline = batch
    def outcomes(r):
        return [(t.name, t.outcome, t.message) for e in r.exercises for t in e.tests]
    assert outcomes(results["correct"]) == outcomes(baseline["correct"])
    assert scores(results["correct"]) == FULL


def test_a_patched_clock_and_data_ptr_earn_nothing(batch):
    r = batch[0]["patches_clock_and_data_ptr"]
    assert scores(r) == dict(FULL, add_into=1, vectorization=1.5)
    assert messages(r, "add_into") == ["add_into gave Z new memory: the memory Z had is still all zeros; "
                                       "write into it with Z[:] = X + Y"]
    assert messages(r, "vectorization") == [NO_LOOP]


def test_a_function_kept_before_wrapping_is_read_in_the_source(batch):
    r = batch[0]["keeps_functions_before_wrapping"]
    assert scores(r) == dict(FULL, transpose=1.5)
    assert messages(r, "transpose") == ["transpose(A) uses .T, which the exercise rules out; build it from "
                                        "A's columns by indexing"]


def test_a_replaced_agent_handler_decides_nothing(batch):
    r = batch[0]["replaces_the_agents_handler"]
    assert scores(r) == dict(FULL, vectorization=1.5)
    assert messages(r, "vectorization") == [NO_LOOP]


def test_returned_check_code_is_never_quoted(batch):
    r = batch[0]["returns_the_check_code"]
    assert scores(r) == dict(FULL, accuracy=0)
    found = messages(r, "accuracy")
    assert found and all(m.endswith("raised ValueError: [grader code]") for m in found), found


def test_no_report_quotes_the_kernel_code(batch):
    _, out, _ = batch
    own = set()
    for path in [*(HERE / f"{n}.ipynb" for n in NOTEBOOKS), EXAMPLES / "correct.ipynb"]:
        for cell in nbformat.read(path, as_version=4).cells:
            own |= {line.strip() for line in cell.source.splitlines()}
    lines = {line.strip() for code in _snippets().values() for line in code.splitlines()
             if len(line.strip()) >= 16} - own
    assert len(lines) > 100
    written = [p for p in out.rglob("*") if p.name in ("result.json", "report.html")]
    assert len(written) == 2 * (len(NOTEBOOKS) + 1)
    for path in written:
        text = path.read_text(encoding="utf-8")
        text = html.unescape(text) if path.suffix == ".html" else "\n".join(_strings(json.loads(text)))
        quoted = sorted(line for line in lines if line in text)
        assert quoted == [], f"{path.parent.name}/{path.name} quotes {quoted[:3]}"
