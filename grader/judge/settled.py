"""Tests settled by the names a notebook lacks, without running them.

On a notebook that skips exercises, most tests end at their first lookup with "`softmax` is
not defined in the notebook": the same verdict for every such notebook, each at the cost of
pytest's per-test work. A worker runs the assignment's tests once, at warm-up, against a
notebook that defines none of the assignment's names and has no kernel, and keeps each test
that ended there having read nothing else: its verdict and the names it asked about. A
submission's run settles such a test from that record when its survey says the notebook
lacks every one of those names too: the test would meet the very same answers, so it would
end the same way.

A test is only recorded if everything it uses starts afresh for it: the ``student``,
``reference`` and ``tolerance`` fixtures and plain parameters. One that reads the source,
the data files, the kernel or a fixture shared with other tests always runs.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pytest

from grader.assignment import Assignment
from grader.errors import GraderError, MissingNameError
from grader.judge.bridge import NameSurvey
from grader.judge.memo import ReferenceMemo, assignment_digest
from grader.judge.plugin import (BriefReports, GradingPlugin, marker_arg, own_plugins_only, pytest_args,
                                 survey_names)
from grader.results import Verdict

# The fixtures a settled test may use: each is made afresh for every test and reads nothing
# of the notebook but through the survey.
FRESH_FIXTURES = frozenset({"student", "reference", "tolerance"})


@dataclass(frozen=True)
class Settled:
    """One test's verdict when ``section`` lacks every name in ``asked``."""

    section: str
    asked: frozenset[str]
    verdict: Verdict


class SettledTests:
    """The tests of one assignment (``version``: its digest) that a survey can settle, and how
    many verdicts it has given (``given``) over the submissions it served."""

    def __init__(self, version: str, tests: Mapping[str, Settled]) -> None:
        self.version = version
        self.tests = MappingProxyType(dict(tests))
        self.given = 0

    def verdict(self, nodeid: str, survey_of: Callable[[str], NameSurvey | None]) -> Verdict | None:
        """The recorded verdict of ``nodeid`` if the notebook lacks every name it asked about
        (``survey_of(section)`` is the notebook's NameSurvey for a section, or None)."""
        settled = self.tests.get(nodeid)
        if settled is None:
            return None
        survey = survey_of(settled.section)
        if survey is None or any(survey.absent.get(name) != "missing" for name in settled.asked):
            return None
        self.given += 1
        return settled.verdict


def settle_tests(assignment: Assignment, memo: ReferenceMemo | None = None) -> SettledTests:
    """Run the assignment's tests on a notebook without any of its names (no kernel) and
    keep those a survey can settle. Imports the test modules as ``run_tests`` does, prints
    nothing and leaves sys.stdout alone, so it may run in a thread of its own."""
    paths = [str(p) for p in assignment.test_files(None, public_only=False)]
    tests: dict[str, Settled] = {}
    if paths:
        plugin = _NothingDefined(assignment, memo)
        with own_plugins_only():
            pytest.main(pytest_args(assignment, paths), plugins=[plugin, BriefReports()])
        tests = plugin.found
    return SettledTests(assignment_digest(assignment), tests)


class _Unanswered(GraderError):
    """A settling run has no kernel and no notebook source."""


class _NoNotebook:
    """The link of a settling run: whoever asks it anything makes their test unsettled."""

    def __init__(self) -> None:
        self.asked = False

    def request(self, payload: dict, *, timeout: float) -> dict:
        self.asked = True
        raise _Unanswered("no kernel while settling tests")

    def source_index(self) -> None:
        self.asked = True
        return None


class _Asked(Mapping):
    """A survey's ``absent``: every one of ``names`` missing, and each one looked up noted."""

    def __init__(self, names: frozenset[str], noted: set[str]) -> None:
        self._names = names
        self._noted = noted

    def __getitem__(self, name: str) -> str:
        self._noted.add(name)
        if name in self._names:
            return "missing"
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        self._noted.update(self._names)
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class _NothingDefined(GradingPlugin):
    """Runs the tests a survey could settle on a notebook without any of the names, and
    records how each ended."""

    def __init__(self, assignment: Assignment, memo: ReferenceMemo | None) -> None:
        self._blank = _NoNotebook()
        super().__init__(assignment, self._blank, memo=memo)
        self.found: dict[str, Settled] = {}
        self._noted: set[str] = set()   # the names the current test looked up
        names = survey_names(assignment)
        self._nothing = NameSurvey(names, _Asked(names, self._noted))
        self._candidate: Settled | None = None

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        super().pytest_collection_modifyitems(config, items)
        items[:] = [item for item in items if self._fresh(item)]

    def _fresh(self, item: pytest.Item) -> bool:
        defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", None)
        if defs is None:
            return False
        direct = _direct_params(item)
        for name in item.fixturenames:
            if name == "request":
                continue
            chain = defs.get(name) or ()
            if not chain or any(d.scope != "function" for d in chain):
                return False
            if name in FRESH_FIXTURES:
                if getattr(chain[-1].func, "__self__", None) is not self:
                    return False   # the test's own fixture of that name
            elif name not in direct:
                return False
        return True

    def _survey_of(self, section: str) -> NameSurvey:
        return self._nothing

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self._noted.clear()
        self._blank.asked = False
        self._candidate = None
        super().pytest_runtest_setup(item)

    def _record(self, item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport) -> None:
        super()._record(item, call, report)
        exc = call.excinfo.value if call.excinfo else None
        verdict = self.outcomes[-1]
        if isinstance(exc, MissingNameError) and verdict.outcome == "failed":
            section = self.assignment.exercise(marker_arg(item, "exercise")).section
            self._candidate = Settled(section, frozenset(self._noted), verdict)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        # Decided after teardown: a test that reached the kernel on its way out is not settled.
        if self._candidate is not None and not self._blank.asked:
            self.found[nodeid] = self._candidate
        self._candidate = None


def _direct_params(item: pytest.Item) -> set[str]:
    """Names a test is parametrized over directly (values, not fixtures)."""
    names: set[str] = set()
    for marker in item.iter_markers("parametrize"):
        args = marker.args[0] if marker.args else marker.kwargs.get("argnames", ())
        argnames = [a.strip() for a in args.split(",")] if isinstance(args, str) else list(args)
        indirect = marker.kwargs.get("indirect", False)
        names.update(a for a in argnames if not (indirect is True or (isinstance(indirect, (list, tuple))
                                                                       and a in indirect)))
    return names
