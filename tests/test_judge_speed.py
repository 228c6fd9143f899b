"""The tests phase's shortcuts change no verdict: names a section lacks are learned from the
kernel once and answered here exactly as the kernel would, and a failed test's report skips
pytest's formatted traceback (which nothing reads)."""
from __future__ import annotations

import io
from contextlib import redirect_stdout

import pytest

from grader.assignment import load_assignment
from grader.errors import MissingNameError
from grader.judge.bridge import NameSurvey, Student
from grader.judge.local import NamespaceLink, reference_link
from grader.judge.plugin import run_tests
from grader.judge.settled import settle_tests

ASSIGNMENT = load_assignment("hw1")


class Counting:
    """A link that counts the requests it carries (and can refuse the survey)."""

    def __init__(self, link, *, survey: bool = True) -> None:
        self.link, self.survey, self.requests = link, survey, []

    def request(self, payload, *, timeout):
        self.requests.append(payload["op"])
        if payload["op"] == "survey" and not self.survey:
            return {"ok": False, "error": {"kind": "wire", "message": "no survey"}}
        return self.link.request(payload, timeout=timeout)

    def source_index(self):
        return self.link.source_index()


def survey(link, section="4.4", names=("softmax", "forward", "relu")) -> NameSurvey:
    reply = link.request({"op": "survey", "sections": [section], "names": list(names)}, timeout=5)
    from grader.inkernel import wire
    return NameSurvey(frozenset(names), wire.decode(reply["value"], resolve_ref=None)[section])


@pytest.mark.parametrize("op", ["call", "value", "defines"])
def test_a_missing_name_is_answered_here_as_the_kernel_answers_it(op):
    link = Counting(NamespaceLink({"forward": None, "relu": abs}))
    asked, told = Student(link, section="4.4"), Student(link, section="4.4", survey=survey(link))
    before = len(link.requests)
    for name in ("softmax", "forward"):
        outcomes = []
        for student in (asked, told):
            try:
                if op == "call":
                    outcomes.append(getattr(student, name)(1))
                elif op == "value":
                    outcomes.append(student.value(name))
                else:
                    outcomes.append(student.defines(name, "relu"))
            except MissingNameError as exc:
                outcomes.append(str(exc))
        assert outcomes[0] == outcomes[1]
    asked_here = len(link.requests) - before
    assert asked_here == 2   # the proxy without a survey asked the kernel twice; the other never


def test_needs_ends_the_test_as_the_call_would_when_the_name_is_missing_and_never_asks_the_kernel():
    link = Counting(NamespaceLink({"forward": None, "relu": abs}))
    told = Student(link, section="4.4", survey=survey(link))
    before = len(link.requests)
    with pytest.raises(MissingNameError) as needed:
        told.needs("relu", "softmax")
    with pytest.raises(MissingNameError) as called:
        told.softmax(1)
    assert str(needed.value) == str(called.value) == "`softmax` is not defined in the notebook"
    told.needs("relu", "forward")   # defined, or bound to None: the call itself says what is wrong
    Student(link, section="4.4").needs("softmax")   # no survey: the call finds out
    assert len(link.requests) == before


def test_hw1_gives_the_same_outcomes_and_messages_with_and_without_the_survey(book_data_cwd):
    ran = {}
    for with_survey in (True, False):
        link = Counting(reference_link(ASSIGNMENT, replace={"softmax": None, "relu": None}), survey=with_survey)
        outcomes, problems = run_tests(ASSIGNMENT, link, exercises=["softmax", "cross_entropy", "relu",
                                                                      "mlp_scratch", "compare"])
        assert not problems
        ran[with_survey] = ([(o.name, o.outcome, o.message, o.note) for o in outcomes], link.requests.count("call"))
    assert ran[True][0] == ran[False][0]
    assert any("is None in the notebook" in m for _, _, m, _ in ran[True][0])
    assert ran[True][1] < ran[False][1]


def test_a_failed_tests_report_says_what_failed_without_pytests_traceback(book_data_cwd):
    outcomes, _ = run_tests(ASSIGNMENT, reference_link(ASSIGNMENT, replace={"softmax": None}), exercises=["softmax"])
    failed = [o for o in outcomes if o.outcome == "failed"]
    assert failed and all("softmax" in o.message and o.traceback == () for o in failed)


class Restartable(Counting):
    """A counting link whose kernel "restarts": a new agent, ids counted from 1 again."""

    def __init__(self, namespace) -> None:
        super().__init__(NamespaceLink(namespace))
        self.namespace, self.generation, self.sent = namespace, 1, []

    def request(self, payload, *, timeout):
        self.sent.append(payload)
        return super().request(payload, timeout=timeout)

    def restart(self) -> None:
        self.link, self.generation = NamespaceLink(self.namespace), self.generation + 1


def test_what_a_test_held_is_dropped_with_the_next_request_not_a_round_trip_of_its_own():
    from grader.judge.bridge import Releases
    link = Restartable({"make": lambda: object()})
    releases = Releases(link)
    first = Student(link, releases=releases)
    held = first.make()
    assert held._id in link.link.agent.refs
    first.release()
    assert link.requests == ["call"]            # no request of its own
    assert held._id in link.link.agent.refs     # still held until the kernel hears next
    Student(link, releases=releases).make()
    assert link.sent[-1]["release"] == [held._id]
    assert held._id not in link.link.agent.refs
    # Ids from a kernel that has since restarted are never sent to the new one, where the
    # same numbers name other objects.
    third = Student(link, releases=releases)
    third.make()
    third.release()
    link.restart()
    kept = Student(link, releases=releases).make()
    assert "release" not in link.sent[-1]
    Student(link, releases=releases).make()
    assert kept._id in link.link.agent.refs


def test_a_run_keeps_its_temporary_files_in_a_folder_of_its_own_and_removes_it(book_data_cwd, tmp_path,
                                                                              monkeypatch):
    # pytest's shared numbered folders made each run delete an older run's, whatever it held.
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    outcomes, problems = run_tests(ASSIGNMENT, reference_link(ASSIGNMENT), exercises=["fashion_mnist"])
    assert not problems and outcomes and all(o.outcome == "passed" for o in outcomes)
    left = [p.name for p in tmp_path.iterdir() if not p.name.startswith("torchinductor")]   # torch's cache
    assert left == []


def test_the_mlp_training_check_trains_on_the_images_d2l_fashion_mnist_gives(book_data_cwd):
    # The check decodes the files once instead of running Resize + ToTensor image by image;
    # the tensors must be the very ones the book's d2l.FashionMNIST hands out.
    import torch
    from d2l import torch as d2l
    from grader.bookcode import OFFLINE_FASHION_MNIST
    namespace = {}
    exec(OFFLINE_FASHION_MNIST + "data = OfflineFashionMNIST(256)\n", namespace)
    X, y = namespace["data"].train
    book = d2l.FashionMNIST(batch_size=256)
    loaded = next(iter(torch.utils.data.DataLoader(book.train, batch_size=len(book.train))))
    assert X.dtype == loaded[0].dtype and y.dtype == loaded[1].dtype
    assert torch.equal(X, loaded[0]) and torch.equal(y, loaded[1])


def test_plugins_installed_on_the_grading_machine_take_no_part_in_a_run(book_data_cwd, tmp_path, monkeypatch):
    # A pytest plugin installed as a package (found through its entry point, as pytest-randomly
    # or anyio's are) would otherwise reorder, reseed or wrap every test.
    dist = tmp_path / "planted_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: planted-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[pytest11]\nplanted = planted_plugin\n")
    (tmp_path / "planted_plugin.py").write_text(
        "SEEN = []\n\ndef pytest_configure(config):\n    SEEN.append(config)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import planted_plugin
    with redirect_stdout(io.StringIO()):
        pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", str(tmp_path)])
    assert len(planted_plugin.SEEN) == 1   # a plain pytest run loads it
    outcomes, problems = run_tests(ASSIGNMENT, reference_link(ASSIGNMENT), exercises=["compare"])
    assert not problems and outcomes and all(o.outcome == "passed" for o in outcomes)
    assert len(planted_plugin.SEEN) == 1


def test_a_workers_warm_up_imports_the_test_modules_its_runs_then_use(book_data_cwd):
    import sys
    for name in [n for n in sys.modules if n.split(".")[0] == "hw1"]:
        del sys.modules[name]
    settle_tests(ASSIGNMENT)
    imported = {n: m for n, m in sys.modules.items() if n.startswith(("hw1.hidden.", "hw1.public."))}
    assert "hw1.hidden.test_softmax" in imported and "hw1.public.test_tensors" in imported
    outcomes, problems = run_tests(ASSIGNMENT, reference_link(ASSIGNMENT), exercises=["compare", "softmax"])
    assert not problems and all(o.outcome == "passed" for o in outcomes)
    assert all(sys.modules[n] is m for n, m in imported.items())


def test_a_run_held_after_collection_runs_the_same_tests_once_let_go_and_none_when_stopped(book_data_cwd, capfd):
    import sys
    link = reference_link(ASSIGNMENT)
    plain, _ = run_tests(ASSIGNMENT, link, exercises=["compare", "softmax"])
    streams = []

    def holding(go):
        def collected():
            streams.append((sys.stdout, sys.stderr))   # still the process's own while held
            return go
        return collected

    held, problems = run_tests(ASSIGNMENT, link, exercises=["compare", "softmax"], collected=holding(True))
    assert not problems and plain and [(o.name, o.outcome, o.message) for o in held] == \
        [(o.name, o.outcome, o.message) for o in plain]
    assert run_tests(ASSIGNMENT, link, exercises=["compare"], collected=holding(False)) == ([], [])
    assert streams == [(sys.stdout, sys.stderr)] * 2
    assert capfd.readouterr() == ("", "")


def test_early_tests_are_collected_before_the_caller_is_done_and_run_only_when_started(book_data_cwd):
    import time
    from grader.judge.early import EarlyTests
    events = []
    settled = settle_tests(ASSIGNMENT)

    def run(*, collected, settled):
        def noting():
            events.append("collected")
            return collected()
        result = run_tests(ASSIGNMENT, reference_link(ASSIGNMENT), exercises=["compare"], collected=noting,
                           settled=settled)
        events.append(("ran", len(result[0]), settled is not None))
        return result

    def before():
        events.append("before")
        return settled   # what the worker's warm-up settled, handed to the run

    tests = EarlyTests(run, before=before)
    deadline = time.monotonic() + 60
    while "collected" not in events and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    assert events == ["before", "collected"]   # held there: nothing ran yet
    outcomes, problems = tests.start()
    assert not problems and outcomes and all(o.outcome == "passed" for o in outcomes)
    assert events == ["before", "collected", ("ran", len(outcomes), True)]

    events.clear()
    EarlyTests(run).cancel()
    assert events == ["collected", ("ran", 0, False)]


def test_early_tests_hand_a_failure_to_the_caller():
    from grader.judge.early import EarlyTests

    def run(*, collected, settled):
        raise ValueError("no tests here")

    with pytest.raises(ValueError, match="no tests here"):
        EarlyTests(run).start()


def test_a_run_stopped_before_its_first_test_leaves_no_temporary_folder(book_data_cwd, tmp_path, monkeypatch):
    # A run is held at the gate while the notebook runs: a worker killed then must leave nothing.
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    seen = []

    def collected():
        seen.extend(p.name for p in tmp_path.iterdir() if not p.name.startswith("torchinductor"))
        return False

    assert run_tests(ASSIGNMENT, reference_link(ASSIGNMENT), exercises=["fashion_mnist"], collected=collected) == ([], [])
    assert seen == []
