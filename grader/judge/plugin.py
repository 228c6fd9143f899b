"""The pytest plugin that runs an assignment's tests in the grader's process.

Fixtures: ``student`` (the notebook, through the bridge), ``source`` (the notebook's source
as of the exercise's section, read in this process), ``reference`` (the exercise's
reference module, its pure function calls answered from a ``ReferenceMemo``), ``tolerance``
(named tolerances from assignment.toml), ``offline_data`` (the offline Fashion-MNIST files,
found under ../data as in the kernel). Markers: ``points(n)`` and ``exercise(id)``.
Outcomes are collected as structured data; messages come from the exception a check raised,
never from test source, are capped, and never quote the code a test sent into the kernel.
"""
from __future__ import annotations

import dataclasses
import io
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, Protocol

import pytest
from _pytest.outcomes import Exit, Skipped

try:
    from builtins import BaseExceptionGroup
except ImportError:   # Python 3.10 (the students' checks run there): pytest's backport
    from exceptiongroup import BaseExceptionGroup

from grader import datasets
from grader.assignment import Assignment
from grader.errors import (AssignmentError, CallTimeoutError, GraderError, KernelDiedError, MissingNameError,
                           StudentError, WireError)
from grader.inkernel import wire
from grader.judge.bridge import Link, NameSurvey, Releases, Student
from grader.judge.compare import Mismatch
from grader.judge.memo import ReferenceMemo, ReferenceModule, assignment_digest
from grader.judge.source import Source, SourceIndex, SourceUnavailableError
from grader.kernel.owners import TESTS_FOLDER, tagged
from grader.limits import Limits
from grader.results import Verdict
from grader.text import one_line, shorten

STUDENT_FAULTS = (Mismatch, MissingNameError, StudentError, CallTimeoutError, KernelDiedError, WireError)
# What one test may say: its message and the lines of the student's traceback it shows.
MESSAGE_CHARS = 2000
TRACEBACK_LINES = 8
TRACEBACK_LINE_CHARS = 300
# A line of kernel code at least this long is replaced wherever a message quotes it
# (shorter ones, like "import torch", say nothing about a check).
QUOTED_CODE_CHARS = 16
GRADER_CODE = "[grader code]"
_UNCHECKED = object()


class Settles(Protocol):
    """What a run needs of the tests settled from the survey (judge/settled.py)."""

    version: str
    tests: Mapping[str, object]

    def verdict(self, nodeid: str, survey_of: Callable[[str], NameSurvey | None]) -> Verdict | None: ...


class GradingPlugin:
    def __init__(self, assignment: Assignment, link: Link, *, exercises: Iterable[str] | None = None,
                 before_test: Callable[[], None] | None = None, limits: Limits | None = None,
                 memo: ReferenceMemo | None = None, collected: Callable[[], None] | None = None,
                 settled: Settles | None = None) -> None:
        self.assignment = assignment
        self.collected = collected
        self.limits = limits or assignment.limits
        self.link = link
        self.only = set(exercises) if exercises else None
        self.before_test = before_test
        self.memo = memo if memo is not None else ReferenceMemo()
        self._version = assignment_digest(assignment)
        self.settled = settled if settled is not None and settled.version == self._version else None
        self._checked: dict[str, BaseException | None] = {}   # before_test already run, and what it raised
        self.outcomes: list[Verdict] = []
        self.problems: list[str] = []
        self._started: dict[str, float] = {}
        self._students: dict[str, Student] = {}   # test id -> its proxy, for the code it sent
        self._releases = Releases(link)
        self._source: SourceIndex | None = None
        self._surveys: tuple[object, dict[str, NameSurvey]] | None = None   # (kernel generation, per section)

    # ---------------------------------------------------------------- configuration
    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "points(n): points the test is worth")
        config.addinivalue_line("markers", "exercise(id): the assignment exercise it belongs to")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        keep, drop = [], []
        for item in items:
            exercise = marker_arg(item, "exercise")
            if exercise is None or marker_arg(item, "points") is None:
                self.problems.append(f"{item.nodeid}: needs both @exercise and @points markers")
                drop.append(item)
                continue
            try:
                self.assignment.exercise(exercise)
            except AssignmentError as exc:
                self.problems.append(f"{item.nodeid}: {exc}")
                drop.append(item)
                continue
            (keep if self.only is None or exercise in self.only else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
        items[:] = keep

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if self.collected is not None:
            self.collected()

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.problems.append(f"could not load tests from {report.nodeid}: "
                                 f"{str(report.longrepr).strip().splitlines()[-1]}")

    # ---------------------------------------------------------------- fixtures
    @pytest.fixture
    def student(self, request: pytest.FixtureRequest) -> Iterator[Student]:
        exercise = self.assignment.exercise(marker_arg(request.node, "exercise"))
        timeout = exercise.timeout or self.limits.call_timeout
        student = Student(self.link, section=exercise.section, timeout=timeout,
                          max_bytes=self.limits.reply_mb * 1024 * 1024,
                          survey=self._survey_of(exercise.section), releases=self._releases)
        self._students[request.node.nodeid] = student
        yield student
        student.release()

    def _survey_of(self, section: str) -> NameSurvey | None:
        """Which of the assignment's names each section lacks: one request for every test,
        asked again only after the kernel was restarted."""
        generation = getattr(self.link, "generation", None)
        if self._surveys is None or self._surveys[0] != generation:
            sections = sorted({e.section for e in self.assignment.exercises})
            names = sorted(survey_names(self.assignment))
            try:
                found = self.link.request({"op": "survey", "sections": sections, "names": names},
                                          timeout=self.limits.call_timeout)
            except GraderError:
                found = {}
            statuses = found.get("value") if found.get("ok") else None
            surveys: dict[str, NameSurvey] = {}
            if isinstance(statuses, dict):
                decoded = wire.decode(statuses, resolve_ref=None)
                surveys = {s: NameSurvey(frozenset(names), dict(decoded.get(s, {}))) for s in sections}
            self._surveys = (generation, surveys)
        return self._surveys[1].get(section)

    @pytest.fixture
    def source(self, request: pytest.FixtureRequest) -> Source:
        """The notebook's source as of the end of the exercise's section, read here."""
        exercise = self.assignment.exercise(marker_arg(request.node, "exercise"))
        if self._source is None:
            make = getattr(self.link, "source_index", None)
            self._source = make() if make is not None else None
            if self._source is None:
                raise SourceUnavailableError("the grader has no source for this notebook, which this "
                                             "test reads; it cannot be graded automatically")
        return Source(self._source, exercise.section)

    @pytest.fixture
    def reference(self, request: pytest.FixtureRequest) -> ReferenceModule:
        exercise = self.assignment.exercise(marker_arg(request.node, "exercise"))
        return self.memo.wrap(self.assignment.reference_module(exercise), version=self._version)

    @pytest.fixture
    def tolerance(self) -> Callable[[str], Any]:
        return self.assignment.tolerance

    @pytest.fixture
    def offline_data(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> datasets.FashionMNISTFiles:
        """Run in a folder whose ../data/FashionMNIST/raw holds the offline files, as the grader's
        kernel does; the reference and code running in this process (an in-process notebook,
        `grader check`) then read the same files. Returns the files."""
        files = datasets.fashion_mnist()
        raw = tmp_path / "data" / "FashionMNIST" / "raw"
        raw.parent.mkdir(parents=True)
        os.symlink(files.raw_dir, raw, target_is_directory=True)
        (tmp_path / "work").mkdir()
        monkeypatch.chdir(tmp_path / "work")
        return files

    # ---------------------------------------------------------------- outcomes
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
        """A test this notebook's survey settles (judge/settled.py) gets its recorded verdict
        without pytest's setup, call, reports and teardown; any other runs as usual."""
        if self.settled is None or item.nodeid not in self.settled.tests:
            return None
        began = time.monotonic()
        try:
            if self.before_test is not None:
                self.before_test()
        except (KeyboardInterrupt, Exit):
            raise
        except BaseException as exc:  # noqa: BLE001 - raised again in the test's own setup
            self._checked[item.nodeid] = exc
            return None
        verdict = self.settled.verdict(item.nodeid, self._survey_of)
        if verdict is None:
            self._checked[item.nodeid] = None
            return None
        self.outcomes.append(dataclasses.replace(verdict, seconds=time.monotonic() - began))
        try:   # what earlier tests set up and the next one does not share, as its teardown would
            item.ihook.pytest_runtest_teardown(item=item, nextitem=nextitem)
        except Exception:  # noqa: BLE001 - a test's teardown errors are not part of its verdict
            pass
        return True

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        checked = self._checked.pop(item.nodeid, _UNCHECKED)
        if checked is _UNCHECKED:
            if self.before_test is not None:
                self.before_test()
        elif checked is not None:
            raise checked
        self._started[item.nodeid] = time.monotonic()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Any:
        report = yield
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            self._record(item, call, report)
        return report

    def _record(self, item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport) -> None:
        points = float(marker_arg(item, "points"))
        exercise = marker_arg(item, "exercise")
        description = _description(item)
        public = Path(str(item.path)).parent.name == "public"
        seconds = time.monotonic() - self._started.get(item.nodeid, time.monotonic())
        name = item.name if "::" not in item.nodeid else item.nodeid.split("::", 1)[1]
        name = f"{Path(str(item.path)).parent.name}/{Path(str(item.path)).stem}::{name}"
        exc = call.excinfo.value if call.excinfo else None
        student = self._students.pop(item.nodeid, None)
        if report.skipped:
            outcome, message, tb = "skipped", _skip_reason(report), ()
        elif report.passed:
            outcome, message, tb = "passed", "", ()
        else:
            outcome, message, tb = _failure(exc, sent=student._sent if student else ())
        diff = getattr(exc, "detail", None) if outcome == "failed" else None
        note = "; ".join(student.notes) if student is not None else ""
        self.outcomes.append(Verdict(
            name=name, exercise=exercise, outcome=outcome,
            points=points if outcome == "passed" else 0.0, max_points=points, message=message,
            description=description, traceback=tb, public=public, seconds=seconds,
            diff=diff if isinstance(diff, dict) else {}, note=note))


class BriefReports:
    """A failed test's report without pytest's formatted traceback. Nothing here reads it, and
    building it parses the source of every file in the traceback: most of what a failing test
    costs. Passed and skipped tests get pytest's own report."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport | None:
        excinfo = call.excinfo
        if excinfo is None or isinstance(excinfo.value, (Skipped, BaseExceptionGroup)):
            return None
        return pytest.TestReport(item.nodeid, item.location, dict.fromkeys(item.keywords, 1), "failed",
                                 type(excinfo.value).__name__, call.when, (), call.duration, call.start,
                                 call.stop, user_properties=item.user_properties)


def _failure(exc: BaseException | None, *, sent: Iterable[str] = ()) -> tuple[str, str, tuple[str, ...]]:
    """Outcome, message and traceback lines of a test that did not pass. Whatever the
    student's code put in them is capped, and lines of ``sent`` (the kernel code the test
    ran) are replaced by GRADER_CODE: that code is public, but a message must never quote it."""
    clean = _scrubber(sent)
    if isinstance(exc, StudentError):
        lines = exc.traceback.lines[-TRACEBACK_LINES:]
        return ("failed", shorten(clean(str(exc)), MESSAGE_CHARS),
                tuple(shorten(clean(line), TRACEBACK_LINE_CHARS) for line in lines))
    if isinstance(exc, STUDENT_FAULTS):
        return "failed", shorten(clean(str(exc)), MESSAGE_CHARS), ()
    if isinstance(exc, AssertionError):
        text = clean(str(exc)).split("\nassert ")[0].strip()
        return "failed", (shorten(text.splitlines()[0], MESSAGE_CHARS) if text else "a check on the result failed"), ()
    if exc is None:
        return "error", "the test did not complete", ()
    # A fault in the test itself, not in the student's code: reported, never with test source.
    return "error", f"the grader could not complete this test ({type(exc).__name__}: {one_line(clean(str(exc)), 300)})", ()


def _scrubber(sent: Iterable[str]) -> Callable[[str], str]:
    quoted = sorted({line.strip() for code in sent for line in code.splitlines()
                     if len(line.strip()) >= QUOTED_CODE_CHARS}, key=len, reverse=True)

    def clean(text: str) -> str:
        for line in quoted:
            text = text.replace(line, GRADER_CODE)
        return text
    return clean


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return "skipped"


def _description(item: pytest.Item) -> str:
    doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
    return " ".join(doc.strip().split("\n\n")[0].split())


def survey_names(assignment: Assignment) -> frozenset[str]:
    """The names a survey asks the kernel about: what the exercises define, and their helpers."""
    return frozenset(n for e in assignment.exercises for n in (*e.names, *e.helpers))


def marker_arg(item: Any, name: str) -> Any:
    marker = item.get_closest_marker(name)
    return marker.args[0] if marker and marker.args else None


def run_tests(assignment: Assignment, link: Link, *, public_only: bool = False,
              exercises: Iterable[str] | None = None, limits: Limits | None = None,
              before_test: Callable[[], None] | None = None, memo: ReferenceMemo | None = None,
              collected: Callable[[], bool] | None = None,
              settled: Settles | None = None) -> tuple[list[Verdict], list[str]]:
    """Run the assignment's tests against ``link``; returns outcomes and grader-side problems.
    Pass the same ``memo`` for every submission a process grades to compute each reference
    output once; without one, this run gets a fresh memo. ``collected`` is called once the
    tests are collected, before any runs; the run goes on if it returns True and ends there
    (no outcomes) if not. Until it returns, the run leaves sys.stdout and sys.stderr alone:
    another thread may be printing. ``settled`` (from ``settle_tests``) gives the verdicts of
    tests that end at a name the notebook lacks without running them."""
    chosen = list(exercises) if exercises else None
    paths = [str(p) for p in assignment.test_files(chosen, public_only=public_only)]
    if not paths:
        return [], ["the assignment has no tests"]
    args = pytest_args(assignment, paths)
    # A folder of this run's own for tmp_path: pytest's shared numbered folders would make each
    # run delete an older run's (another worker's, or a test suite's thousands of files).
    # pytest makes it (mode 0700) when a test first asks for tmp_path; named after this process,
    # it is removed by the next sweep of leftovers (kernel/leftovers.py) if the process is killed.
    basetemp = os.path.join(tempfile.gettempdir(), tagged(TESTS_FOLDER) + secrets.token_hex(16))
    sink = io.StringIO()
    try:
        with own_plugins_only(), ExitStack() as quiet:
            def hush() -> None:
                quiet.enter_context(redirect_stdout(sink))
                quiet.enter_context(redirect_stderr(sink))

            def gate() -> None:
                go = collected()
                hush()
                if not go:
                    pytest.exit("stopped before the first test", returncode=0)

            if collected is None:
                hush()
            plugin = GradingPlugin(assignment, link, exercises=chosen, before_test=before_test, limits=limits,
                                   memo=memo, collected=None if collected is None else gate, settled=settled)
            code = pytest.main([*args, f"--basetemp={basetemp}"], plugins=[plugin, BriefReports()])
    finally:
        shutil.rmtree(basetemp, ignore_errors=True)
    if code not in (0, 1, 5) and not plugin.problems:
        plugin.problems.append(f"pytest stopped with exit code {int(code)}: {sink.getvalue()[-300:]}")
    return plugin.outcomes, plugin.problems


@contextmanager
def own_plugins_only() -> Iterator[None]:
    """Only pytest's own plugins: what else the machine has installed (pytest-randomly reorders
    and reseeds, anyio and pytest-timeout wrap every fixture and test) must not change a
    verdict or its cost. (The variable, not --disable-plugin-autoload: checks run in students'
    notebooks on pytest 8.0-8.3 too.)"""
    before = os.environ.get(_NO_AUTOLOAD)
    os.environ[_NO_AUTOLOAD] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(_NO_AUTOLOAD, None)
        else:
            os.environ[_NO_AUTOLOAD] = before


def pytest_args(assignment: Assignment, paths: list[str]) -> list[str]:
    return [*paths, "-p", "no:cacheprovider", "-p", "no:stepwise", "-p", "no:randomly",
            # Test modules are named from the folder above the assignment's (hw1.hidden.test_softmax):
            # two assignments graded in one process must not share hidden.test_softmax.
            "--import-mode=importlib", f"--rootdir={assignment.root.parent}", "-c", str(_INI),
            "-p", "no:terminal",
            # These two gc.collect() twice per run (seconds with torch loaded) to report
            # unraisable exceptions, and logging captures logs per test: nobody reads either.
            "-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:logging",
            # Per-test capture of file descriptors and warnings, and a fault handler per test:
            # nobody reads what they keep (output goes to the sink below).
            "--capture=no", "-p", "no:warnings", "-p", "no:faulthandler"]


_INI = Path(__file__).resolve().parent / "tests.ini"   # pytest settings for assignment tests
_NO_AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"
