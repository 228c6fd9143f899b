"""nbclient as the grader runs it: whole messages count against a cell's output budget,
widget state and display updates are never kept, and malformed messages are dropped."""
from __future__ import annotations

import nbformat
from nbclient.exceptions import CellExecutionComplete
import pytest

from grader.kernel.client import OVERSIZE, BoundedSession, CappedClient, message_size, well_formed

PARENT = {"msg_id": "run-1"}
MB = 1024 * 1024


def message(kind: str, content, *, metadata=None, buffers=None) -> dict:
    return {"msg_type": kind, "header": {"msg_type": kind, "msg_id": "m"}, "parent_header": dict(PARENT),
            "content": content, "metadata": metadata or {}, "buffers": buffers or []}


@pytest.fixture
def client():
    c = CappedClient(nbformat.v4.new_notebook(), record_timing=False)
    c.output_limit = 256 * 1024
    c.begin_cell()
    return c


@pytest.fixture
def cell():
    return nbformat.v4.new_code_cell("x = 1")


def kept(cell) -> int:
    return len(nbformat.writes(nbformat.v4.new_notebook(cells=[cell])))


def test_metadata_counts_against_the_budget(client, cell):
    for _ in range(20):
        client.process_message(message("display_data", {"data": {"text/plain": "ok"}, "metadata": {"pad": "x" * MB}}),
                               cell, 0)
    assert kept(cell) < 2 * MB
    assert any(o.get("name") == "grader-note" for o in cell.outputs)


def test_widget_state_and_display_updates_are_never_kept(client, cell):
    pad = "x" * MB
    for _ in range(20):
        client.process_message(message("comm_open", {"comm_id": "c", "target_name": "jupyter.widget",
                                                     "data": {"state": {"pad": pad}}}), cell, 0)
        client.process_message(message("update_display_data", {"data": {"text/plain": pad}, "metadata": {},
                                                               "transient": {"display_id": "d"}}), cell, 0)
    assert client.widget_state == {} and cell.outputs == []


def test_status_messages_still_end_the_cell_when_the_budget_is_spent(client, cell):
    client.process_message(message("stream", {"name": "stdout", "text": "x" * MB}), cell, 0)
    with pytest.raises(CellExecutionComplete):
        client.process_message(message("status", {"execution_state": "idle"}), cell, 0)


@pytest.mark.parametrize("content", [[1, 2, 3], "busy", None, 7], ids=["list", "string", "none", "number"])
def test_messages_whose_content_is_not_a_dict_are_dropped(client, cell, content):
    assert client.process_message(message("stream", content), cell, 0) is None
    assert client.malformed == 1 and cell.outputs == []


def test_fields_of_the_wrong_type_are_dropped_not_raised(client, cell):
    for bad in ({"data": [1], "metadata": 5, "transient": 7}, {"name": "stdout", "text": {"a": 1}},
                {"data": None, "execution_count": "x"}):
        client.process_message(message("display_data", bad), cell, 0)
        client.process_message(message("execute_result", bad), cell, 0)
    assert client.malformed >= 3


def test_an_error_output_keeps_a_bounded_traceback(client, cell):
    client.process_message(message("error", {"ename": "E" * MB, "evalue": "v" * MB,
                                             "traceback": ["line " + "t" * 1000] * 1000}), cell, 0)
    assert kept(cell) < 300 * 1024


def test_message_size_counts_content_metadata_and_buffers():
    msg = message("display_data", {"data": {"text/plain": "x" * 1000}}, metadata={"m": "y" * 500},
                  buffers=[b"z" * 2000])
    assert 3500 <= message_size(msg) < 4000
    assert well_formed(msg) and not well_formed({**msg, "parent_header": []})


def sent(session: BoundedSession, kind: str, content: dict, *, metadata=None) -> list:
    """``content`` as a kernel's session would put it on the wire."""
    frames = session.serialize(session.msg(kind, content, parent=session.msg_header("execute_request"),
                                           metadata=metadata))
    return frames[frames.index(b"<IDS|MSG>") + 1:]


def test_an_output_far_over_the_budget_is_dropped_unread_and_counted(client, cell):
    session = BoundedSession(key=b"k", limit=2 * MB)
    msg = session.deserialize(sent(session, "display_data", {"data": {"text/plain": "ok"}, "metadata": {}},
                                   metadata={"pad": "x" * (3 * MB)}))
    assert msg["content"] == {} and msg[OVERSIZE] > 3 * MB
    assert msg["parent_header"]["msg_type"] == "execute_request"
    assert client.process_message(msg, cell, 0) is None
    assert client.used > client.output_limit and any(o.get("name") == "grader-note" for o in cell.outputs)


@pytest.mark.parametrize("kind,content", [
    ("stream", {"name": "stdout", "text": "x" * 1000}),
    ("error", {"ename": "E", "evalue": "x" * (3 * MB), "traceback": []}),
    ("execute_reply", {"status": "ok", "user_expressions": {"x": "x" * (3 * MB)}}),
])
def test_small_outputs_errors_and_replies_are_read_whole(kind, content):
    session = BoundedSession(key=b"k", limit=2 * MB)
    msg = session.deserialize(sent(session, kind, content))
    assert OVERSIZE not in msg and msg["content"] == content


def test_a_dropped_message_with_a_bad_signature_is_still_refused_when_read():
    session = BoundedSession(key=b"k", limit=2 * MB)
    frames = sent(session, "stream", {"name": "stdout", "text": "x"})
    with pytest.raises(ValueError, match="Invalid Signature"):
        session.deserialize([b"0" * 64, *frames[1:]])
