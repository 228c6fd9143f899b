"""Markdown and LaTeX rendered on the server: formulas become MathML, and nothing a student
writes becomes markup, a request or a link."""
from __future__ import annotations

import re

import pytest
from jinja2 import Environment, FileSystemLoader

from grader.assignment import load_assignment
from grader.publish.markup import render, render_inline
from grader.publish.report import TEMPLATES

ASSIGNMENT = load_assignment("hw1")


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", str(html))


def test_math_becomes_mathml_and_prose_stays_prose():
    html = str(render("The gradient of $f(\\mathbf{x}) = 3x_1^2 + 5e^{x_2}$ is\n\n$$\\nabla f = (6x_1, 5e^{x_2})$$"))
    assert html.count("<math") == 2 and 'display="block"' in html
    assert "<msup><mi>e</mi>" in html and "^{" not in html
    assert str(render("costs $5 and $10")) == "<p>costs $5 and $10</p>\n"       # prices are not math
    assert str(render_inline("**Answer** with `code`")) == "<strong>Answer</strong> with <code>code</code>"


@pytest.mark.parametrize("source, shown", [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ("$\\text{<script>alert(1)</script>}$", "<mtext>&lt;script&gt;alert(1)&lt;/script&gt;</mtext>"),
    ("`<b>bold</b>`", "<code>&lt;b&gt;bold&lt;/b&gt;</code>"),
])
def test_student_html_is_shown_as_text(source, shown):
    html = str(render(source))
    assert shown in html
    assert "<script" not in html and "<img" not in html and "<b>" not in html


def test_links_images_and_href_go_nowhere():
    html = str(render("![x](http://evil.example/x.png) [click](javascript:alert(1)) <http://evil.example> "
                      "$\\href{javascript:alert(1)}{x}$"))
    assert "<a " not in html and "<img" not in html and "href" not in html and "src=" not in html


def test_latex_that_cannot_be_read_is_shown_as_its_source():
    html = str(render("a $\\frac{1}{$ b"))
    assert '<code class="math-source">\\frac{1}{</code>' in html


def test_no_prompt_or_reference_answer_shows_raw_latex():
    for exercise in ASSIGNMENT.exercises:
        for field in ("prompt", "answer"):
            html = str(render(getattr(exercise, field)))
            assert "math-source" not in html, (exercise.id, field)
            text = text_of(html)
            for raw in ("^{", "_{", "\\frac", "\\lim", "\\sum"):
                assert raw not in text, (exercise.id, field, raw)
    assert "<math" in str(render(ASSIGNMENT.exercise("grad_f").prompt))


def test_a_prompt_says_1_point_not_1_points():
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)))     # as grader release renders it
    env.filters["points"] = lambda x: f"{x:g}"
    template = env.get_template("release/prompt.md.j2")
    one = next(e for e in ASSIGNMENT.exercises if e.points == 1)
    two = next(e for e in ASSIGNMENT.exercises if e.points == 2)
    assert template.render(exercise=one).startswith(f"### {one.title} (1 point)\n")
    assert template.render(exercise=two).startswith(f"### {two.title} (2 points)\n")
