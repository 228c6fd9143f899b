"""Local workers forked from one warmed worker, so that a batch pays one judge warm-up.

A worker started on its own makes its judge's warm-up (torch, d2l with the reference solutions,
the test modules, the settled tests: 4-5 CPU-seconds) beside its first notebook. With several
workers on a machine they keep busy, each warm-up takes cores the others' notebooks need. So
the first worker of a batch starts every worker's kernel parent, makes the warm-up's imports
once, in its main thread, and then forks the other workers, each of which adopts one of those
parents. The warm-up's last part, settling tests (``settle_tests``, half a second), waits for
no one: the first worker makes it in a thread beside its first notebook, once, and sends it to
each forked worker, which reads it when its first notebook's tests need it. The first worker
outlives the workers forked from it: as each ends, it ends and reaps that worker's kernel
parent (removing what the parent made on the host), and reports the worker if it died.

Torch runs on one thread until the fork: a child forked after torch's OpenMP threads have run
waits forever at its first parallel region. Every process then sets its threads back (the
memo keys reference outputs by thread count, so none computed on one thread is reused).
"""
from __future__ import annotations

import ctypes
import functools
import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

from grader.assignment import Assignment
from grader.grading.kit import JudgeWarmUp, SharedStart, import_judge, settle, start_forks
from grader.grading.settings import GradeSettings
from grader.judge.memo import ReferenceMemo
from grader.judge.settled import SettledTests
from grader.kernel.forkserver import ForkServer

Serve = Callable[[int, SharedStart | None], None]   # a worker's id, what it starts with


@dataclass(frozen=True)
class Siblings:
    """The workers forked from this one; ``wait()`` returns once each has ended and its kernel
    parent has been reaped."""

    watchers: tuple[threading.Thread, ...]

    def wait(self) -> None:
        for watcher in self.watchers:
            watcher.join()


def fork_siblings(first: int, count: int, assignment: Assignment, settings: GradeSettings, *, warm: bool,
                  serve: Serve, results) -> tuple[SharedStart, Siblings]:
    """In the first of ``count`` workers (ids ``first``, ``first + 1``, ...): start their kernel
    parents, make the judge's imports, fork workers ``first + 1`` onwards (each runs ``serve``
    with what it starts with, and ends), start settling the tests for all of them, and return
    what this worker starts with. A forked worker that dies is reported on ``results`` as
    ``("died", its id, None)``."""
    servers = [start_forks(settings, label=f"worker {first + i}") if warm and settings.sandboxed else None
               for i in range(count)]
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    assignment.forget_imports()   # an earlier batch's tests and references, as they were then
    memo = ReferenceMemo()
    import_judge(assignment)
    gc.freeze()   # the warm heap stays shared with the forks: no collection writes to it
    context = multiprocessing.get_context("fork")
    pipes = [context.Pipe(duplex=False) for _ in range(1, count)]   # (reader, sender) per fork
    forked = {}
    for index, (reader, _) in enumerate(pipes, start=1):
        process = context.Process(target=_sibling, name=f"worker {first + index}", daemon=True,
                                  args=(first + index, index, servers, SharedStart(servers[index], memo,
                                                                                   SettledByFirst(reader)),
                                        threads, os.getpid(), serve, pipes))
        process.start()
        forked[first + index] = (process, servers[index])
    for reader, _ in pipes:
        reader.close()
    torch.set_num_threads(threads)
    # Settled beside this worker's first notebook (its tests wait for it), and sent on.
    judge = JudgeWarmUp(functools.partial(_settle_and_send, assignment, memo,
                                          [sender for _, sender in pipes]))
    for _, server in forked.values():
        if server is not None:
            server.hand_over()
    watchers = tuple(threading.Thread(target=_watch, args=(worker_id, process, server, results), daemon=True,
                                      name=f"watch worker {worker_id}")
                     for worker_id, (process, server) in forked.items())
    for watcher in watchers:
        watcher.start()
    return SharedStart(servers[0], memo, judge), Siblings(watchers)


def _sibling(worker_id: int, index: int, servers: list[ForkServer | None], shared: SharedStart, threads: int,
             parent: int, serve: Serve, pipes: list) -> None:
    die_with(parent)
    for other, (reader, sender) in enumerate(pipes, start=1):
        sender.close()
        if other != index:
            reader.close()
    import torch
    torch.set_num_threads(threads)
    for other, server in enumerate(servers):
        if server is not None and other != index:
            server.hand_over()
    if shared.forks is not None:
        shared.forks.adopt()
    serve(worker_id, shared)


def _settle_and_send(assignment: Assignment, memo: ReferenceMemo, senders: list) -> SettledTests | None:
    """Settle the tests (``settle``) and send them to each forked worker (None if they could
    not be settled: every test then runs)."""
    settled = None
    try:
        settled = settle(assignment, memo)
        return settled
    finally:
        record = None if settled is None else (settled.version, dict(settled.tests))
        for sender in senders:   # one thread each: a send waits until its worker reads it
            threading.Thread(target=_send, args=(sender, record), name="sending settled tests",
                             daemon=True).start()


def _send(sender, record) -> None:
    try:
        sender.send(record)
    except OSError:   # that worker has ended without reading it
        pass
    finally:
        sender.close()


class SettledByFirst:
    """A forked worker's settled tests: read from the first worker when its first notebook's
    tests need them (None, every test runs, if the first worker sent none)."""

    def __init__(self, reader) -> None:
        self._reader = reader
        self._settled: SettledTests | None = None
        self._lock = threading.Lock()

    def wait(self) -> SettledTests | None:
        with self._lock:
            if self._reader is not None:
                try:
                    record = self._reader.recv()
                except (EOFError, OSError):
                    record = None
                self._reader.close()
                self._reader = None
                self._settled = None if record is None else SettledTests(*record)
            return self._settled


def _watch(worker_id: int, process, server: ForkServer | None, results) -> None:
    process.join()
    if server is not None:   # this process started it: end what is left of it, and reap it
        server.close()
    if process.exitcode != 0:
        results.put(("died", worker_id, None))


def die_with(parent: int) -> None:
    """Have the kernel SIGKILL this process when ``parent`` dies (even by SIGKILL)."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:   # it died before the request took effect
        os._exit(1)
