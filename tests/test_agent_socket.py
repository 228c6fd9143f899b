"""Bridge requests reach the agent on a socket of its own, read by the kernel's main loop, and
keep the shell channel's guarantees there: an interrupt stops a call, a restart brings a new
socket, and a kernel whose socket cannot be opened is still answered on the shell channel."""
from __future__ import annotations

import pytest

from grader import datasets
from grader.assignment import load_assignment
from grader.errors import CallTimeoutError
from grader.grading.execution import launch_kernel, start_fork_server
from grader.grading.settings import GradeSettings

ASSIGNMENT = load_assignment("hw1")

SLOW = """\
import time
def slow():
    time.sleep(120)
"""


def run(session, code: str, timeout: float = 10):
    reply = session.request({"op": "run", "code": code, "label": "the check"}, timeout=timeout)
    assert reply["ok"], reply
    return reply["value"]


@pytest.fixture(scope="module")
def settings(course_env):
    return GradeSettings(interpreter=course_env.interpreter, limits=ASSIGNMENT.limits,
                         fashion_mnist=datasets.fashion_mnist(), data_files=ASSIGNMENT.data_files())


@pytest.fixture(scope="module")
def server(settings):
    server = start_fork_server(settings)
    server.wait_ready()
    yield server
    server.close()


@pytest.fixture(params=["forked", "started"])
def session(request, settings, server):
    session = launch_kernel(ASSIGNMENT, settings, forkserver=server if request.param == "forked" else None)
    try:
        session.attach()
        yield session
    finally:
        session.close()


def test_requests_are_answered_on_the_agents_own_socket(session):
    assert session.run_cell("x = [6 * 7]", 0, 30).status == "ok"
    assert session.agent_transport is None
    assert run(session, "x[0] + 1") == 43
    assert session.agent_transport == "socket"
    assert [run(session, f"x[0] + {i}") for i in range(20)] == [42 + i for i in range(20)]


def test_an_interrupted_call_ends_in_a_timeout_and_the_next_request_gets_its_own_answer(session):
    assert session.run_cell(SLOW, 0, 30).status == "ok"
    assert run(session, "1") == 1
    with pytest.raises(CallTimeoutError):
        run(session, "slow()", timeout=1)
    assert session.agent_transport == "socket"
    assert [run(session, f"{i} * 2") for i in range(5)] == [0, 2, 4, 6, 8]


def test_a_restarted_kernel_answers_on_a_socket_of_its_own(session):
    assert run(session, "41 + 1") == 42
    session.run_cell("import os\nos._exit(3)", 0, 30)
    session.restart()
    assert session.agent_transport is None
    assert session.run_cell("y = 5", 1, 30).status == "ok"
    assert run(session, "y * 2") == 10
    assert session.agent_transport == "socket"


def test_a_notebook_that_takes_the_agents_address_is_answered_on_the_shell_channel(session):
    # A cell that occupies the address the agent binds: the agent cannot open its socket, and
    # the grader falls back to the shell channel instead of waiting on a socket nobody reads.
    took = session.run_cell("import os\nos.mkdir(get_ipython().kernel.parent.ip + '-agent')\n"
                            "z = 3", 0, 30)
    assert took.status == "ok"
    assert run(session, "z + 4") == 7
    assert session.agent_transport == "shell"
    with pytest.raises(CallTimeoutError):
        session.run_cell(SLOW, 1, 30)
        run(session, "slow()", timeout=1)
    assert run(session, "z * 3") == 9
