"""The similarity report: planted copies rank at the top (every variable renamed; functions
reordered with comments rewritten; two exercises shared; an answer copied with other
capitalisation), independently written solutions (the reference, the kept wrong
implementations, the book-style notebooks) stay below the threshold, and the report is written
from a gradebook, by `grader similarity` and at the end of `grade` without ever failing it.
Real notebook files throughout; nothing is executed."""
from __future__ import annotations

import ast
import csv
import io
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import numpy as np
import pytest
from click.testing import CliRunner

from grader import batch
from grader.cli import main as cli
from grader.gradebook import Gradebook
from grader.grading.notebook import prepare
from grader.intake.roster import Roster, RosterEntry
from grader.intake.survey import Attempt
from grader.publish.similarity.findings import ANSWERS, NOTEBOOK, THRESHOLD, Participant, given_hashes
from grader.publish.similarity.given import given_code
from grader.publish.similarity.index import NOT_WORDS, WORD, spans_of
from grader.publish.similarity.report import REFERENCE, find_similar, write_similarity
from grader.publish.similarity.sources import notebook_cells, read_work, split_cell
from grader.publish.similarity.tokens import blank_magics, kgram_hashes, normalise
from grader.stubs import exercise_code
from grader.results import ExerciseResult, SubmissionResult
from tests.similar_notebooks import (ASSIGNMENT, BOOK_NOTEBOOKS, derived, filled, mistake_students,
                                     mistakes_by_exercise, renamed, reordered, write)

NAMES = {n for e in ASSIGNMENT.exercises for n in (*e.names, *e.helpers)}
FREE = {e.id for e in ASSIGNMENT.exercises if e.manual}
MAX = 50 * 2**20


def words(source: str) -> tuple[str, ...]:
    return normalise(blank_magics(source)).words


# ---------------------------------------------------------------- normalisation
def test_renaming_comments_docstrings_and_layout_leave_the_tokens_unchanged():
    original = '''def softmax(X):
    """Row-wise softmax."""
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)  # stable
    return X_exp / X_exp.sum(dim=1, keepdim=True)
'''
    disguised = '''def softmax(logits):
    # subtract the max first
    e = torch.exp(logits - logits.max(dim=1,
                                      keepdim=True).values)


    return e / e.sum(dim=1, keepdim=True)
'''
    assert words(original) == words(disguised)
    assert "torch" in words(original) and "exp" in words(original) and "X" not in words(original)


def test_library_calls_are_kept_so_different_code_stays_different():
    assert words("y = torch.exp(x)") != words("y = torch.log(x)")
    assert words("self.W = w") == words("self.weights = w")      # the student's own attribute


def test_magics_and_shell_lines_are_not_code():
    assert words("!pip install d2l==1.0.3\n%matplotlib inline\nx = 1\n") == words("x = 1\n")
    assert words("%%bash\nls -l\n") == ()


def test_fingerprints_are_the_same_in_every_process():
    code = ("from grader.publish.similarity.tokens import fingerprint, normalise;"
            "print(list(fingerprint(normalise('def f(x):\\n    return torch.exp(x) + x.sum(1)\\n').words).hashes))")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(runs) == 1 and runs.pop().strip() not in ("", "[]")


def test_an_add_to_class_method_belongs_to_its_class_and_each_name_comes_from_its_section(tmp_path):
    work = read_work(notebook_cells(BOOK_NOTEBOOKS / "book_ch4.ipynb", max_bytes=MAX))
    unit = work.unit(("SoftmaxRegressionScratch",), section="4.4")
    assert [p.name for p in unit] == ["SoftmaxRegressionScratch"] * 3 and [p.method for p in unit] == [False, True, True]
    nb = filled({"f_calculus": "def f(x):\n    return 3 * x ** 2 - 4 * x\n",
                 "f_control_flow": "def f(a):\n    b = a * 2\n    while b.norm() < 1000:\n        b = b * 2\n    return b\n"})
    two_fs = read_work(notebook_cells(write(nb, tmp_path / "two_fs.ipynb"), max_bytes=MAX))
    assert "3 * x" in two_fs.unit(("f",), section="2.4")[0].text
    assert "while" in two_fs.unit(("f",), section="2.5")[0].text


def test_the_stubs_subtracted_are_the_ones_the_release_hands_out():
    given = given_hashes(given_code(ASSIGNMENT))
    for exercise, code in exercise_code(ASSIGNMENT).items():
        released = np.concatenate([kgram_hashes(normalise(t).words) for t, _, _ in split_cell(code.stub)])
        assert np.isin(released, given).all(), exercise


# ---------------------------------------------------------------- a class with planted copies
def book_answers(name: str) -> dict[str, str]:
    return prepare(nbformat.read(str(BOOK_NOTEBOOKS / f"{name}.ipynb"), as_version=4), answer_ids=FREE).answers


def definition(notebook: Path, name: str) -> str:
    """The cell of a book-style notebook that defines ``name``, as written there."""
    for cell in nbformat.read(str(notebook), as_version=4).cells:
        if cell.cell_type == "code" and any(isinstance(n, ast.FunctionDef) and n.name == name
                                            for n in ast.parse(blank_magics(cell.source)).body):
            return blank_magics(cell.source)
    raise AssertionError(f"{notebook.name} defines no {name}")


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """Four independent students (kept mistakes), the three book-style notebooks, and four
    planted copies. Returns the findings and the participants' ids."""
    folder = tmp_path_factory.mktemp("class")
    students = mistake_students(5)       # the fifth hands in only two_exercises below
    files = {f"wrong{i}": write(filled(code), folder / f"wrong{i}.ipynb") for i, code in enumerate(students[:4])}
    files |= {n: BOOK_NOTEBOOKS / f"{n}.ipynb" for n in ("book_ch3", "book_ch4", "book_ch5")}
    # every variable of wrong0 renamed
    files["renamed"] = write(filled({e: renamed(c, keep=NAMES) for e, c in students[0].items()}), folder / "r.ipynb")
    # wrong1's functions moved around within each section, definitions reversed, comments rewritten
    moved: dict[str, str] = {}
    for section in ASSIGNMENT.sections():
        ids = [e.id for e in ASSIGNMENT.exercises if e.section == section and e.id in students[1]]
        moved |= {target: reordered(students[1][source]) for target, source in zip(ids, reversed(ids))}
    files["reordered"] = write(filled(moved), folder / "o.ipynb")
    # a fifth student's own work with two of book_ch3's exercises, renamed
    two = dict(students[4]) | {e: renamed(definition(files["book_ch3"], e), keep=NAMES | {"planck"})
                                for e in ("fit_ohm", "fit_planck_temperature")}
    files["two_exercises"] = write(filled(two), folder / "t.ipynb")
    answers = {n: book_answers(n) for n in ("book_ch3", "book_ch4", "book_ch5")}
    answers["wrong2"] = {"cross_entropy_definition": answers["book_ch4"]["cross_entropy_definition"].upper()}
    people = [Participant(sid, sid, sid, read_work(notebook_cells(path, max_bytes=MAX)), answers.get(sid, {}))
              for sid, path in files.items()]
    from grader.publish.similarity.report import reference_participant
    everyone = [reference_participant(ASSIGNMENT), *people]
    return find_similar(everyone, ASSIGNMENT), [p.id for p in everyone]


PLANTED = {("wrong0", "renamed"), ("wrong1", "reordered"), ("book_ch3", "two_exercises"), ("wrong2", "book_ch4")}


def pair_ids(findings, ids):
    return [tuple(sorted((ids[p.a], ids[p.b]), key=ids.index)) for p in findings.pairs]


def test_planted_copies_rank_at_the_top_and_nothing_else_is_reported(planted):
    findings, ids = planted
    ranked = pair_ids(findings, ids)
    assert set(ranked[:len(PLANTED)]) == PLANTED
    assert len(ranked) == len(PLANTED), f"independent work reported: {ranked[len(PLANTED):]}"


def scores(findings, ids, one, two):
    line = next(p for p in findings.pairs if {ids[p.a], ids[p.b]} == {one, two})
    return line, {m.scope if m.scope != ANSWERS else f"answers:{m.item}": m.score
                  for m in findings.matches if (m.a, m.b) == (line.a, line.b)}


def test_a_copy_with_every_variable_renamed_is_the_same_notebook(planted):
    line, _ = scores(*planted, "wrong0", "renamed")
    assert line.notebook >= 0.95 and line.best == 1.0
    assert len(line.exercises) >= 1


def test_reordered_functions_and_rewritten_comments_hide_nothing(planted):
    line, _ = scores(*planted, "wrong1", "reordered")
    assert line.notebook >= 0.95


def test_two_shared_exercises_are_found_though_the_notebooks_differ(planted):
    line, found = scores(*planted, "book_ch3", "two_exercises")
    assert {m.scope for m in line.exercises} == {"fit_ohm", "fit_planck_temperature"}
    assert min(m.score for m in line.exercises) >= 0.8
    assert line.notebook == 0.0            # below the threshold for whole notebooks
    assert found.get(NOTEBOOK, 0) == 0


def test_identical_answers_in_other_capitalisation_score_one(planted):
    line, found = scores(*planted, "wrong2", "book_ch4")
    assert found == {"answers:cross_entropy_definition": 1.0}
    assert line.exercises == () and line.notebook == 0.0


def test_the_matching_regions_are_marked_on_both_sides(planted):
    findings, ids = planted
    line = next(p for p in findings.pairs if {ids[p.a], ids[p.b]} == {"book_ch3", "two_exercises"})
    left, right = findings.regions("fit_ohm", line.a, line.b)
    (piece, regions), = left
    marked = "".join(piece.text[s:e] for s, e in regions)
    assert "torch.optim.Adam" in marked and "def fit_ohm" not in marked    # the header is the stub's
    assert right[0][1], "nothing marked on the copy's side"


def test_marked_tokens_are_exactly_those_of_the_shared_kgrams():
    rng = np.random.default_rng(7)
    for _ in range(200):
        tokens = int(rng.integers(1, 60))
        text = " ".join(f"t{i}" for i in range(tokens))
        spans = np.array([m.span() for m in WORD.finditer(text)], dtype=np.int64)
        starts = np.sort(rng.choice(tokens, size=int(rng.integers(0, tokens + 1)), replace=False))
        hashes = rng.integers(0, 40, size=len(starts)).astype(np.uint64)
        shared = np.unique(rng.integers(0, 40, size=int(rng.integers(1, 20))).astype(np.uint64))
        width = int(rng.integers(1, 8))
        covered = {t for s, h in zip(starts, hashes) if h in set(shared.tolist())
                   for t in range(s, min(s + width, tokens))}
        ranges = spans_of(text, starts, hashes, spans, shared, width=width, gap=NOT_WORDS)
        marked = {t for t in range(tokens) for a, b in ranges if a <= spans[t, 0] and spans[t, 1] <= b}
        assert marked == covered


def test_kept_mistakes_written_from_each_other_are_found_as_copies():
    """The kept mistakes of relu_mlp_pieces repeat each other's lines (they were written from
    one another): handed in by two students they are a copy, and the report says so."""
    sources = mistakes_by_exercise()["relu_mlp_pieces"]
    one, two = next((a, b) for i, a in enumerate(sources) for b in sources[i + 1:] if derived(a, b))
    people = [Participant(f"s{i}", f"s{i}", "", read_work([_cell(code, "5.1")])) for i, code in enumerate((one, two))]
    findings = find_similar(people, ASSIGNMENT)
    assert [(m.scope, m.a, m.b) for m in findings.matches if m.scope != NOTEBOOK] == [("relu_mlp_pieces", 0, 1)]


def _cell(code, section):
    from grader.publish.similarity.sources import Cell
    return Cell(code, section)


def test_short_answers_and_the_prompt_are_not_evidence():
    prompt = next(e for e in ASSIGNMENT.exercises if e.id == "cross_entropy_definition").prompt
    people = [Participant("a", "a", answers={"cross_entropy_definition": "Yes, it is slower."}),
              Participant("b", "b", answers={"cross_entropy_definition": "yes it is SLOWER"}),
              Participant("c", "c", answers={"cross_entropy_definition": prompt + " It is slower for large q."}),
              Participant("d", "d", answers={"cross_entropy_definition": prompt + " Soft labels need it, for sure."})]
    assert find_similar(people, ASSIGNMENT).matches == ()


# ---------------------------------------------------------------- from the gradebook, the CLI and grade
KST = timezone(timedelta(hours=9))


def answer_result(submission: str, answer: str) -> SubmissionResult:
    ex = next(e for e in ASSIGNMENT.exercises if e.id == "cross_entropy_definition")
    return SubmissionResult(submission=submission, path="/x", assignment="hw1", assignment_version=ASSIGNMENT.version,
                            score=0, max_score=2, pending_manual=2,
                            exercises=(ExerciseResult(ex.id, ex.title, ex.section, "F", 0, 2, answer=answer,
                                                      manual=True),))


@pytest.fixture
def graded(tmp_path):
    """A gradebook of four students: two with the same code (renamed), one with an unreadable
    file, one on its own; a roster with names."""
    code = mistake_students(2)
    paths = {"2020001": write(filled(code[0]), tmp_path / "in" / "a.ipynb"),
             "2020002": write(filled({e: renamed(c, keep=NAMES) for e, c in code[0].items()}), tmp_path / "in" / "b.ipynb"),
             "2020003": write(filled(code[1]), tmp_path / "in" / "c.ipynb")}
    (tmp_path / "in" / "d.ipynb").write_text("{not json")
    paths["2020004"] = tmp_path / "in" / "d.ipynb"
    out = tmp_path / "out"
    roster = Roster((RosterEntry("2020001", "Kim, Ann"), RosterEntry("2020002", "Lee, Bo")))
    text = "It computes q logarithms per example and multiplies by a mostly zero matrix, so it is slower."
    with Gradebook.in_folder(out) as book:
        book.set_meta(assignment="hw1", roster=roster.to_dict())
        book.record_attempts([Attempt(student=s, matched=True, origin=p.name, path=p, content_hash=s.ljust(64, "0"),
                                      submitted_at=datetime(2026, 4, 1, tzinfo=KST), time_source="file")
                              for s, p in paths.items()])
        for row in book.counted():
            book.record_result(row.id, answer_result(row.submission, text if row.student in ("2020001", "2020003")
                                                     else "Something else entirely, written by the student alone."),
                               exercises=())
    return out


def test_the_report_is_written_from_the_gradebook_with_names_from_the_roster(graded):
    with Gradebook.in_folder(graded, create=False) as book:
        summary = write_similarity(book, ASSIGNMENT, graded)
    assert summary.compared == 3 and summary.unreadable == 1
    rows = list(csv.DictReader((graded / "similarity" / "pairs.csv").open()))
    assert list(rows[0]) == ["student_a", "student_b", "scope", "score", "name_a", "name_b"]
    assert [float(r["score"]) for r in rows] == sorted((float(r["score"]) for r in rows), reverse=True)
    pairs = {(r["student_a"], r["student_b"], r["scope"]) for r in rows}
    assert ("2020001", "2020002", NOTEBOOK) in pairs
    assert ("2020001", "2020003", ANSWERS) in pairs
    assert all(r["score"] and float(r["score"]) >= THRESHOLD for r in rows)
    assert {r["name_a"] for r in rows if r["student_a"] == "2020001"} == {"Kim, Ann"}
    assert {r["name_b"] for r in rows if r["student_b"] == "2020003"} == {""}
    assert REFERENCE not in {r["student_a"] for r in rows} | {r["student_b"] for r in rows}
    page = (graded / "similarity" / "index.html").read_text()
    assert "Kim, Ann (2020001)" in page and "d.ipynb is not a readable notebook" in page
    assert (graded / "similarity" / "pairs" / "001.html").is_file()


def test_grader_similarity_writes_the_report_and_a_missing_gradebook_is_a_usage_error(graded, tmp_path):
    runner = CliRunner()
    done = runner.invoke(cli, ["similarity", str(graded)])
    assert done.exit_code == 0, done.output
    assert done.output.startswith("Similarity: 3 notebooks compared") and "1 notebook(s) unreadable" in done.output
    missing = runner.invoke(cli, ["similarity", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "no gradebook" in missing.output


def test_grade_carries_on_when_the_report_fails(graded, monkeypatch):
    def broken(*args, **kwargs):
        raise MemoryError("out of memory while comparing")
    monkeypatch.setattr(batch, "write_similarity", broken)
    stream = io.StringIO()
    with Gradebook.in_folder(graded, create=False) as book:
        assert batch._similarity(book, ASSIGNMENT, graded, stream=stream) == ""
    assert stream.getvalue() == "similarity report not written: MemoryError: out of memory while comparing\n"
    assert "could not be written in the last grading run" in (graded / "similarity" / "index.html").read_text()


def test_grade_has_a_switch_for_the_report():
    assert batch.BatchOptions(paths=()).similarity is True
    done = CliRunner().invoke(cli, ["grade", "--help"])
    assert "--no-similarity" in done.output


def test_notebooks_read_in_other_processes_are_read_the_same(tmp_path):
    from grader.publish.similarity.sources import CHUNK, read_notebooks
    code = mistake_students(CHUNK + 5)
    paths = [write(filled(c), tmp_path / f"{i}.ipynb") for i, c in enumerate(code)]
    (tmp_path / "bad.ipynb").write_text("[]")
    paths.insert(3, tmp_path / "bad.ipynb")
    here = read_notebooks(paths, max_bytes=MAX)
    there = read_notebooks(paths, max_bytes=MAX, processes=2)
    assert here[3] == there[3] == "bad.ipynb is not a notebook (it has no cells)"
    for one, two in zip(here[:3] + here[4:], there[:3] + there[4:]):
        assert [p.text for p in one.pieces] == [p.text for p in two.pieces]
        assert all((p.prints.hashes == q.prints.hashes).all() for p, q in zip(one.pieces, two.pieces))
