"""A submission's tests, collected while its notebook still runs.

Configuring pytest and collecting an assignment's tests costs a quarter of a second for
every submission, and none of it depends on the notebook. ``EarlyTests`` does it in a thread
of its own while the kernel runs the notebook (the grader mostly waits then), and holds the
run before its first test until the caller says the notebook is done. Nothing of the
notebook is read before that: the tests meet the kernel exactly as they would have.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from grader.judge.settled import SettledTests
from grader.results import Verdict


class EarlyTests:
    """``run(collected=..., settled=...)`` (``run_tests`` with its other arguments bound) in a
    thread, after ``before``, which returns the settled tests (or None); the tests start when
    ``start()`` is called, which returns their outcomes and problems. ``cancel()`` ends the run
    without them."""

    def __init__(self, run: Callable[..., tuple[list[Verdict], list[str]]], *,
                 before: Callable[[], SettledTests | None] | None = None) -> None:
        self._run = run
        self._before = before
        self._decided = threading.Event()
        self._go = False
        self._result: tuple[list[Verdict], list[str]] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="tests", daemon=True)
        self._thread.start()

    def start(self) -> tuple[list[Verdict], list[str]]:
        self._decide(go=True)
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def cancel(self) -> None:
        self._decide(go=False)

    def _decide(self, *, go: bool) -> None:
        self._go = go
        self._decided.set()
        self._thread.join()

    def _main(self) -> None:
        try:
            settled = self._before() if self._before is not None else None
            self._result = self._run(collected=self._wait, settled=settled)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread by start()
            self._error = exc

    def _wait(self) -> bool:
        self._decided.wait()
        return self._go
