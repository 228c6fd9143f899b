"""The notebook's source read in the grader's process: what a function uses, through the
notebook's own helpers, aliases and imports, as of the end of a section."""
from __future__ import annotations

import torch

from grader.judge.compare import Mismatch
from grader.judge.local import NamespaceLink
from grader.judge.source import Source, SourceIndex

SETUP = "%matplotlib inline\nimport time\nimport torch\nfrom torch import mv as product\nt = torch.transpose\n"


def index(*cells: tuple[str | None, str]) -> SourceIndex:
    return SourceIndex.from_cells([("2.3", SETUP), *cells])


def test_attributes_and_calls_are_read_from_the_function():
    ix = index(("2.3", "def transpose(A):\n    return A.T.clone()\n"))
    usage = ix.usage("transpose", "2.3")
    assert "T" in usage.attributes and "A.T.clone" in usage.calls
    assert not usage.loops and not usage.comprehensions and usage.dynamic == frozenset()


def test_an_alias_bound_at_module_level_counts_as_its_target():
    ix = index(("2.3", "def transpose(A):\n    return t(A, 0, 1)\n"))
    usage = ix.usage("transpose", "2.3")
    assert "transpose" in usage.attributes and "torch.transpose" in usage.calls


def test_a_name_imported_from_a_module_counts_as_that_attribute():
    usage = index(("2.3", "def matvec(A, x):\n    return product(A, x)\n")).usage("matvec", "2.3")
    assert "mv" in usage.attributes and "torch.mv" in usage.calls


def test_a_helper_that_uses_T_makes_its_caller_use_T():
    ix = index(("2.3", "def flip(A):\n    return A.T\n\ndef transpose(A):\n    return flip(A) + 0\n"))
    usage = ix.usage("transpose", "2.3")
    assert "T" in usage.attributes and usage.helpers == {"flip"}


def test_a_method_reached_through_self_counts():
    ix = index(("2.3", "class M:\n    def forward(self, A):\n        return self.flip(A)\n"
                       "    def flip(self, A):\n        return A.mT\n\ndef transpose(A):\n    return M().forward(A)\n"))
    assert "mT" in ix.usage("transpose", "2.3").attributes


def test_a_module_level_reference_taken_before_any_wrapping_counts():
    ix = index(("2.3", "_T = torch.Tensor.T\n\ndef transpose(A):\n    return _T.__get__(A)\n"))
    assert "T" in ix.usage("transpose", "2.3").attributes


def test_getattr_with_a_literal_counts_as_the_attribute():
    usage = index(("2.3", "def transpose(A):\n    return getattr(A, 'T')\n")).usage("transpose", "2.3")
    assert "T" in usage.attributes and usage.dynamic == frozenset()


def test_getattr_with_a_computed_name_is_dynamic():
    usage = index(("2.3", "def transpose(A, name='T'):\n    return getattr(A, name)\n")).usage("transpose", "2.3")
    assert usage.dynamic == {"getattr() with a computed name"}


def test_eval_exec_globals_dict_and_importlib_are_dynamic():
    ix = index(("2.3", "import importlib\nimport operator\n"
                       "def a(A):\n    return eval('A.T')\n"
                       "def b(A):\n    return globals()['t'](A, 0, 1)\n"
                       "def c(A):\n    return type(A).__dict__['T'].__get__(A)\n"
                       "def d(A):\n    return importlib.import_module('torch').t(A)\n"
                       "def e(A):\n    return operator.attrgetter('T')(A)\n"))
    found = {name: ix.usage(name, "2.3").dynamic for name in "abcde"}
    assert found == {"a": {"eval()"}, "b": {"globals()"}, "c": {"__dict__"},
                     "d": {"importlib", "import_module"}, "e": {"attrgetter"}}


def test_the_matmul_operator_is_an_attribute_use():
    assert "__matmul__" in index(("2.3", "def matmul(A, B):\n    return A @ B\n")).usage("matmul", "2.3").attributes


def test_loops_and_comprehensions_are_told_apart():
    ix = index(("3.1", "def add_loop(a, b):\n    c = torch.zeros(len(a))\n    for i in range(len(a)):\n"
                       "        c[i] = a[i] + b[i]\n    return c\n"
                       "def add_list(a, b):\n    return torch.tensor([x + y for x, y in zip(a, b)])\n"
                       "def add_vectorized(a, b):\n    return a + b\n"))
    assert (ix.usage("add_loop").loops, ix.usage("add_loop").comprehensions) == (True, False)
    assert (ix.usage("add_list").loops, ix.usage("add_list").comprehensions) == (False, True)
    assert (ix.usage("add_vectorized").loops, ix.usage("add_vectorized").comprehensions) == (False, False)


def test_a_parameter_named_like_a_helper_is_not_the_helper():
    ix = index(("2.3", "def flip(A):\n    return A.T\n\ndef apply(flip, A):\n    return flip(A)\n"))
    assert "T" not in ix.usage("apply", "2.3").attributes


def test_the_definition_as_of_the_end_of_a_section_wins():
    ix = SourceIndex.from_cells([("2.3", "def transpose(A):\n    return A.T\n"),
                                 ("2.4", "def transpose(A):\n    return A.permute(1, 0)\n"),
                                 ("2.5", "def later(A):\n    return A\n")])
    assert "T" in ix.usage("transpose", "2.3").attributes
    assert "permute" in ix.usage("transpose", "2.4").attributes
    assert "permute" in ix.usage("transpose", "2.5").attributes
    assert ix.usage("later", "2.3") is not None      # defined only later: the last one anywhere
    assert ix.usage("nowhere", "2.3") is None


def test_cells_that_do_not_parse_are_skipped():
    ix = SourceIndex.from_cells([("2.3", "def broken(:\n"), ("2.3", "def fine(A):\n    return A\n")])
    assert not ix.defines("broken") and ix.defines("fine")


def test_timed_loops_need_a_clock_read_before_and_after_the_loop():
    ix = index(("4.2", "def reading_time(data):\n    tic = time.time()\n    for X, y in data.train_dataloader():\n"
                       "        continue\n    return time.time() - tic\n"
                       "def one_batch(data):\n    tic = time.perf_counter()\n    next(iter(data.train_dataloader()))\n"
                       "    return time.perf_counter() - tic\n"
                       "def no_clock(data):\n    for X, y in data.train_dataloader():\n        pass\n    return 1.0\n"))
    assert ix.timed_loops("reading_time", "4.2") == ("data.train_dataloader",)
    assert ix.timed_loops("one_batch", "4.2") == ()
    assert ix.timed_loops("no_clock", "4.2") == ()


def test_a_namespace_is_read_through_the_source_of_its_functions():
    def flip(A):
        return A.T

    def transpose(A):
        return flip(A)

    link = NamespaceLink({"transpose": transpose, "flip": flip, "t": torch.transpose, "torch": torch})
    ix = link.source_index()
    assert "T" in ix.usage("transpose").attributes
    assert ix.usage("t").attributes == {"transpose"}


def test_a_namespace_function_reaches_helpers_through_its_globals():
    from tests.wrong.linalg import transpose_builtin
    assert "T" in NamespaceLink({"transpose": transpose_builtin}).source_index().usage("transpose").attributes


def test_a_missing_definition_is_a_message_for_the_student():
    source = Source(SourceIndex.from_cells([]), "2.3")
    try:
        source.usage("transpose")
    except Mismatch as exc:
        assert str(exc).startswith("the grader cannot find `transpose` in the notebook's code cells")
    else:
        raise AssertionError("no Mismatch")


class _NoSource:
    """A link that carries requests but knows no source (as a link from elsewhere might)."""

    def __init__(self, link: NamespaceLink) -> None:
        self.link = link

    def request(self, payload: dict, *, timeout: float) -> dict:
        return self.link.request(payload, timeout=timeout)


def test_without_source_a_test_that_reads_it_is_a_grader_error_not_a_crash():
    from grader.assignment import load_assignment
    from grader.judge.local import reference_link
    from grader.judge.plugin import run_tests
    assignment = load_assignment("hw1")
    outcomes, problems = run_tests(assignment, _NoSource(reference_link(assignment)), exercises=["vectorization"])
    assert problems == []
    reading = [o for o in outcomes if o.name.endswith("test_vectorization_loop_against_one_operation")]
    assert [(o.outcome, o.points) for o in reading] == [("error", 0.0)]
    assert reading[0].message == ("the grader could not complete this test (SourceUnavailableError: the grader "
                                  "has no source for this notebook, which this test reads; it cannot be graded "
                                  "automatically)")
    assert all(o.outcome == "passed" for o in outcomes if o not in reading)
