"""Whatever renders many pages compiles each page template once: publishing a class, the
results of a batch as they arrive, the feedback pages and the grading room's requests. (A
report page's render was about 30 ms, 25 of them compiling its template again.)"""
from __future__ import annotations

from collections import Counter

import pytest
from jinja2 import Environment

from grader.gradebook import Gradebook
from grader.publish.feedback import write_feedback
from grader.publish.report import page_templates
from grader.publish.site import publish, store_result
from tests.test_memory import ASSIGNMENT, filled_gradebook, large_result
from tests.test_room import FREE, client, keys, make_gradebook, page, score


@pytest.fixture
def compiled(monkeypatch) -> Counter:
    """How many times each template was compiled (jinja2's own compile, counted)."""
    counts: Counter = Counter()
    compile_template = Environment.compile

    def counting(self, source, name=None, *args, **kwargs):
        counts[name] += 1
        return compile_template(self, source, name, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counting)
    return counts


def test_publishing_a_class_compiles_each_page_template_once(tmp_path, compiled):
    with filled_gradebook(tmp_path / "book", 6) as gradebook:
        publish(gradebook, ASSIGNMENT, tmp_path / "out")
    assert len(list((tmp_path / "out").glob("*/report.html"))) == 6
    assert compiled["report/report.html.j2"] == 1
    assert compiled["summary/index.html.j2"] == 1
    assert max(compiled.values()) == 1, compiled


def test_results_arriving_in_a_batch_share_its_templates(tmp_path, compiled):
    templates = page_templates()
    with filled_gradebook(tmp_path / "book", 3) as gradebook:
        for row in gradebook.counted():
            store_result(gradebook, ASSIGNMENT, row, large_result(row.submission), tmp_path / "out",
                         templates=templates)
    assert len(list((tmp_path / "out").glob("*/report.html"))) == 4
    assert compiled["report/report.html.j2"] == 1, compiled


def test_feedback_pages_compile_their_template_once(tmp_path, compiled):
    make_gradebook(tmp_path)
    with Gradebook.in_folder(tmp_path) as gradebook:
        summary = write_feedback(gradebook, ASSIGNMENT, tmp_path / "feedback")
    assert len(summary.pages) == 8
    assert compiled["feedback/feedback.html.j2"] == 1, compiled


def test_the_grading_room_compiles_each_page_once_however_many_requests(tmp_path, compiled):
    make_gradebook(tmp_path)
    c = client(tmp_path)
    for _ in range(3):
        assert "broadcasting" in page(c, "/").lower()
        html = page(c, f"/q/{FREE}")
    assert score(c, keys(html)[0], 1).status_code == 200     # its report is written after the answer
    assert score(c, keys(html)[1], 0).status_code == 200
    assert "1 / 1" in (tmp_path / "2020000001" / "report.html").read_text()
    assert compiled["room/index.html.j2"] == 1
    assert compiled["room/question.html.j2"] == 1
    assert compiled["report/report.html.j2"] == 1, compiled
