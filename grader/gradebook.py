"""The gradebook: a SQLite file in the output folder, the source of truth for a course's
grades. Pages, CSV files and exports are rendered from it.

One row per submission attempt (a student's file, identified by its content hash) holds
where it came from, when it was handed in, and the result of its last grading (assignment
version, scores, timings, the whole result as JSON); per-test outcomes and manual scores
sit in their own tables. Each result is written in its own transaction as it arrives, in
WAL mode with full sync, so a run that is killed loses nothing that finished and the next
run grades only what is missing. Attempts are unique per (student, content hash), so
re-running never duplicates rows. Grading an attempt again for some exercises keeps the
stored verdicts of the others (``scoring.merge_regrade``).

A manual score and its comment are saved one field at a time, each in its own transaction,
against the value the grader last saw (``set_manual_score``, ``set_manual_comment``): two
graders at once never overwrite each other unseen.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from grader.errors import EditConflictError, UsageError
from grader.intake.names import OUTPUT_NAMES, safe_id
from grader.intake.survey import Attempt
from grader.results import SubmissionResult
from grader.scoring import merge_regrade

FILENAME = "gradebook.sqlite"
SCHEMA_VERSION = "2"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    student TEXT NOT NULL,
    submission TEXT NOT NULL,            -- the report folder's name, stable per student
    matched INTEGER NOT NULL,            -- 0: no id pattern or roster entry claimed the file
    content_hash TEXT NOT NULL,
    origin TEXT NOT NULL,
    path TEXT NOT NULL,
    submitted_at TEXT NOT NULL,          -- ISO 8601 with offset
    submitted_ts REAL NOT NULL,          -- the same as a POSIX time, for ordering
    time_source TEXT NOT NULL,           -- name | file
    note TEXT NOT NULL DEFAULT '',
    marked_late INTEGER NOT NULL DEFAULT 0,   -- the platform marked the file late (Canvas's _LATE_)
    first_seen TEXT NOT NULL,
    assignment_version TEXT,             -- of the stored result; NULL until graded
    graded_exercises TEXT,               -- JSON list of the exercises graded under that version ([] = all)
    score REAL, max_score REAL, pending_manual REAL, errors INTEGER, seconds REAL,
    graded_at TEXT,
    result TEXT,                         -- the result as graded (result.json), before manual scores and penalties
    UNIQUE (student, content_hash)
);
CREATE TABLE IF NOT EXISTS outcomes (
    attempt INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
    exercise TEXT NOT NULL, test TEXT NOT NULL, outcome TEXT NOT NULL,
    points REAL NOT NULL, max_points REAL NOT NULL, message TEXT NOT NULL, seconds REAL NOT NULL,
    PRIMARY KEY (attempt, test)
);
"""
MANUAL_TABLE = """
CREATE TABLE IF NOT EXISTS manual_scores (
    student TEXT NOT NULL, content_hash TEXT NOT NULL, exercise TEXT NOT NULL,
    score REAL,                          -- NULL: a comment given before a score
    comment TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    grader TEXT NOT NULL DEFAULT '',     -- who saved it last, as the grading page names them
    PRIMARY KEY (student, content_hash, exercise)
);
"""
# From each older schema to the next, run in one transaction when an older gradebook is opened.
MIGRATIONS = {
    "1": ["ALTER TABLE attempts ADD COLUMN marked_late INTEGER NOT NULL DEFAULT 0",
          "ALTER TABLE manual_scores RENAME TO manual_scores_1", MANUAL_TABLE,
          "INSERT INTO manual_scores (student, content_hash, exercise, score, comment, updated_at) "
          "SELECT student, content_hash, exercise, score, comment, imported_at FROM manual_scores_1",
          "DROP TABLE manual_scores_1"],
}


@dataclass(frozen=True)
class AttemptRow:
    """One stored attempt."""

    id: int
    student: str
    submission: str
    matched: bool
    content_hash: str
    origin: str
    path: str
    submitted_at: str
    time_source: str
    note: str
    marked_late: bool
    assignment_version: str | None
    graded_exercises: tuple[str, ...]
    score: float | None
    seconds: float | None
    graded_at: str | None
    needs_regrade: bool = False        # the stored result is not the notebook's own verdict

    @property
    def graded(self) -> bool:
        return self.graded_at is not None

    @property
    def submitted(self) -> datetime:
        return datetime.fromisoformat(self.submitted_at)

    def current(self, *, version: str, exercises: Sequence[str]) -> bool:
        """Graded under this assignment version, for these exercises (all when empty) or more,
        without a grader fault."""
        covered = not self.graded_exercises or (bool(exercises) and set(exercises) <= set(self.graded_exercises))
        return self.graded and self.assignment_version == version and covered and not self.needs_regrade

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class ManualScore:
    """A person's score (None until given) and comment for one free-response answer of one attempt."""

    student: str
    content_hash: str
    exercise: str
    score: float | None
    comment: str = ""
    grader: str = ""
    updated_at: str = ""

    def to_dict(self) -> dict:
        return dict(self.__dict__)


class Gradebook:
    """An open gradebook file. Use as a context manager."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        if not create and not path.is_file():
            raise UsageError(f"no gradebook at {path}; grade into that folder first (grade --out {path.parent})")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")    # a finished result survives power loss too
            self.db.execute("PRAGMA foreign_keys=ON")
            with self._transaction():
                for statement in _statements(SCHEMA + MANUAL_TABLE):   # executescript() would COMMIT first
                    self.db.execute(statement)
                self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
                found = self.meta("schema")
                while found in MIGRATIONS:
                    for step in MIGRATIONS[found]:
                        for statement in _statements(step):
                            self.db.execute(statement)
                    found = str(int(found) + 1)
                    self.db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (found,))
        except sqlite3.DatabaseError as exc:
            raise UsageError(f"{path} is not a usable gradebook ({exc})") from None
        if found != SCHEMA_VERSION:
            raise UsageError(f"{path} has gradebook schema {found}; this grader reads schema {SCHEMA_VERSION}")

    @classmethod
    def in_folder(cls, out: Path, *, create: bool = True) -> "Gradebook":
        return cls(out / FILENAME, create=create)

    def __enter__(self) -> "Gradebook":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _transaction(self) -> "_Transaction":
        return _Transaction(self.db)

    # ------------------------------------------------------------------ meta
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, **values: object) -> None:
        with self._transaction():
            for key, value in values.items():
                text = value if isinstance(value, str) else json.dumps(value)
                self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, text))

    def meta_json(self, key: str) -> object:
        text = self.meta(key)
        return json.loads(text) if text else None

    # ------------------------------------------------------------------ attempts
    def record_attempts(self, attempts: Iterable[Attempt]) -> None:
        """Add new attempts and refresh where known ones are now; one transaction.

        A known attempt (same student, same content) keeps its earliest hand-in time: a
        copy made later is not a later submission."""
        now = _now()
        with self._transaction():
            submissions = dict(self.db.execute("SELECT student, submission FROM attempts GROUP BY student"))
            taken = {s.lower() for s in submissions.values()}
            for a in attempts:
                if a.student not in submissions:
                    submissions[a.student] = _unique(a.student, taken)
                    taken.add(submissions[a.student].lower())
                ts = a.submitted_at.timestamp()
                self.db.execute(
                    "INSERT INTO attempts (student, submission, matched, content_hash, origin, path, "
                    "submitted_at, submitted_ts, time_source, note, marked_late, first_seen) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT (student, content_hash) DO UPDATE SET origin = excluded.origin, "
                    "path = excluded.path, matched = excluded.matched, note = excluded.note, "
                    "marked_late = excluded.marked_late, "
                    "submitted_at = CASE WHEN excluded.submitted_ts < submitted_ts THEN excluded.submitted_at "
                    "ELSE submitted_at END, "
                    "time_source = CASE WHEN excluded.submitted_ts < submitted_ts THEN excluded.time_source "
                    "ELSE time_source END, submitted_ts = MIN(submitted_ts, excluded.submitted_ts)",
                    (a.student, submissions[a.student], int(a.matched), a.content_hash, a.origin, str(a.path),
                     a.submitted_at.isoformat(), ts, a.time_source, a.note, int(a.marked_late), now))

    def attempts(self, *, student: str | None = None) -> list[AttemptRow]:
        sql = f"SELECT {_COLUMNS} FROM attempts a" + (" WHERE student = ?" if student else "") + \
            " ORDER BY student, submitted_ts, id"
        return [_row(r) for r in self.db.execute(sql, (student,) if student else ())]

    def counted(self, *, student: str | None = None) -> list[AttemptRow]:
        """Each student's newest attempt (by hand-in time; the later recorded on a tie), or
        only ``student``'s."""
        sql = (f"SELECT {_COLUMNS} FROM attempts a WHERE NOT EXISTS (SELECT 1 FROM attempts b "
               "WHERE b.student = a.student AND (b.submitted_ts > a.submitted_ts OR "
               "(b.submitted_ts = a.submitted_ts AND b.id > a.id)))" + (" AND a.student = ?" if student else "")
               + " ORDER BY lower(a.submission)")
        return [_row(r) for r in self.db.execute(sql, (student,) if student else ())]

    def result(self, attempt_id: int) -> dict | None:
        """The attempt's stored result (result.json as graded), or None until it is graded.

        Rows do not carry it: a HW1 result is a few hundred KB, and a class's worth would
        fill memory."""
        row = self.db.execute("SELECT result FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def record_result(self, attempt_id: int, result: SubmissionResult, *, exercises: Sequence[str]) -> None:
        """Store one grading result for ``exercises`` (all when empty) and its per-test
        outcomes, in one transaction. If the attempt already has a result, this one is laid
        over it (``scoring.merge_regrade``): the other exercises keep their stored verdicts."""
        with self._transaction():
            before = self.db.execute("SELECT result, assignment_version, graded_exercises FROM attempts "
                                     "WHERE id = ?", (attempt_id,)).fetchone()
            graded = sorted(set(exercises))
            if before is not None and before[0]:
                stored = SubmissionResult.from_dict(json.loads(before[0]))
                if graded and before[1] == result.assignment_version and not stored.grader_fault:
                    earlier = json.loads(before[2] or "[]")
                    graded = sorted(set(earlier) | set(graded)) if earlier else []
                result = merge_regrade(stored, result, exercises=exercises, at=_now())
            self.db.execute(
                "UPDATE attempts SET assignment_version = ?, graded_exercises = ?, score = ?, max_score = ?, "
                "pending_manual = ?, errors = ?, seconds = ?, graded_at = ?, result = ? WHERE id = ?",
                (result.assignment_version, json.dumps(graded), result.score, result.max_score,
                 result.pending_manual, len(result.errors), result.timing.get("total"), _now(),
                 json.dumps(result.to_dict()), attempt_id))
            self.db.execute("DELETE FROM outcomes WHERE attempt = ?", (attempt_id,))
            self.db.executemany(
                "INSERT OR REPLACE INTO outcomes VALUES (?,?,?,?,?,?,?,?)",
                [(attempt_id, e.id, t.name, t.outcome, t.points, t.max_points, t.message, t.seconds)
                 for e in result.exercises for t in e.tests])

    def answers(self, exercise: str | None = None) -> dict[tuple[str, str, str], str]:
        """{(student, content hash, exercise): answer} of each graded attempt's free-response
        answers (to ``exercise``), in one pass read by SQLite: no whole result is loaded."""
        return {(s, h, x): a for s, h, x, a in self.db.execute(
            "SELECT a.student, a.content_hash, json_extract(e.value, '$.id'), json_extract(e.value, '$.answer') "
            "FROM attempts a, json_each(a.result, '$.exercises') e WHERE a.result IS NOT NULL "
            "AND json_extract(e.value, '$.answer') IS NOT NULL" + (" AND json_extract(e.value, '$.id') = ?"
                                                                   if exercise else ""),
            (exercise,) if exercise else ())}

    def outcomes(self, attempt_id: int) -> list[tuple]:
        return list(self.db.execute("SELECT exercise, test, outcome, points, max_points, message "
                                    "FROM outcomes WHERE attempt = ? ORDER BY test", (attempt_id,)))

    # ------------------------------------------------------------------ manual scores
    def manual_scores(self) -> dict[tuple[str, str], dict[str, float]]:
        """{(student, content hash): {exercise: score}}, for the scores given so far."""
        out: dict[tuple[str, str], dict[str, float]] = {}
        for student, digest, exercise, score in self.db.execute(
                "SELECT student, content_hash, exercise, score FROM manual_scores WHERE score IS NOT NULL"):
            out.setdefault((student, digest), {})[exercise] = score
        return out

    def manual_comments(self) -> dict[tuple[str, str, str], str]:
        return {(s, h, e): c for s, h, e, c in self.db.execute(
            "SELECT student, content_hash, exercise, comment FROM manual_scores WHERE comment != ''")}

    def manual_grades(self, exercise: str | None = None) -> dict[tuple[str, str, str], ManualScore]:
        """Every stored manual score and comment (of one exercise), by (student, hash, exercise)."""
        sql = f"SELECT {_MANUAL} FROM manual_scores" + (" WHERE exercise = ?" if exercise else "")
        return {(m.student, m.content_hash, m.exercise): m
                for m in (ManualScore(*r) for r in self.db.execute(sql, (exercise,) if exercise else ()))}

    def record_manual_scores(self, scores: Iterable[ManualScore]) -> int:
        """Store (or replace) scores and comments as given, all in one transaction (an
        imported CSV file is the grader's last word); returns how many."""
        now = _now()
        rows = [(s.student, s.content_hash, s.exercise, s.score, s.comment, now, s.grader) for s in scores]
        with self._transaction():
            self.db.executemany(f"INSERT OR REPLACE INTO manual_scores ({_MANUAL_FIELDS}) VALUES (?,?,?,?,?,?,?)",
                                rows)
        return len(rows)

    def set_manual_score(self, student: str, content_hash: str, exercise: str, score: float | None, *,
                         expect: float | None, grader: str = "") -> ManualScore:
        """Save one score (None clears it) if the gradebook still holds ``expect``, the score
        the grader saw; otherwise raise EditConflictError with what it holds now."""
        return self._set_manual(student, content_hash, exercise, "score", score, expect, grader)

    def set_manual_comment(self, student: str, content_hash: str, exercise: str, comment: str, *,
                           expect: str, grader: str = "") -> ManualScore:
        """Save one comment if the gradebook still holds ``expect``, like set_manual_score."""
        return self._set_manual(student, content_hash, exercise, "comment", comment, expect, grader)

    def _set_manual(self, student: str, content_hash: str, exercise: str, column: str, value: object,
                    expect: object, grader: str) -> ManualScore:
        key = (student, content_hash, exercise)
        select = f"SELECT {_MANUAL} FROM manual_scores WHERE student = ? AND content_hash = ? AND exercise = ?"
        with self._transaction():
            held = ManualScore(*(self.db.execute(select, key).fetchone() or (*key, None)))
            if not _same(getattr(held, column), expect):
                raise EditConflictError(f"the {column} of {student}'s {exercise} was changed by "
                                        f"{held.grader or 'another grader'} meanwhile", current=held)
            self.db.execute(
                f"INSERT INTO manual_scores (student, content_hash, exercise, {column}, updated_at, grader) "
                f"VALUES (?,?,?,?,?,?) ON CONFLICT (student, content_hash, exercise) DO UPDATE SET "
                f"{column} = excluded.{column}, updated_at = excluded.updated_at, grader = excluded.grader",
                (*key, value, _now(), grader))
            return ManualScore(*self.db.execute(select, key).fetchone())

    def score_unscored(self, keys: Iterable[tuple[str, str, str]], score: float, *, grader: str = "") -> int:
        """Give ``score`` to each (student, hash, exercise) that has none yet, in one transaction
        (a score another grader gave meanwhile stays); returns how many were scored."""
        with self._transaction():
            return self.db.executemany(
                "INSERT INTO manual_scores (student, content_hash, exercise, score, updated_at, grader) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT (student, content_hash, exercise) DO UPDATE SET "
                "score = excluded.score, updated_at = excluded.updated_at, grader = excluded.grader "
                "WHERE manual_scores.score IS NULL", [(*key, score, _now(), grader) for key in keys]).rowcount


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK if the block raises."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *rest: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


# needs_regrade: the verdict is not the notebook's own, so a re-run grades it again: the grader
# failed (grader_fault), or a test ended in "error" rather than passing or failing.
_COLUMNS = ("id, student, submission, matched, content_hash, origin, path, submitted_at, time_source, note, "
            "marked_late, assignment_version, graded_exercises, score, seconds, graded_at, "
            "coalesce(json_extract(result, '$.grader_fault'), 0) OR EXISTS (SELECT 1 FROM outcomes o "
            "WHERE o.attempt = a.id AND o.outcome = 'error')")


def _row(r: tuple) -> AttemptRow:
    return AttemptRow(id=r[0], student=r[1], submission=r[2], matched=bool(r[3]), content_hash=r[4],
                      origin=r[5], path=r[6], submitted_at=r[7], time_source=r[8], note=r[9],
                      marked_late=bool(r[10]), assignment_version=r[11],
                      graded_exercises=tuple(json.loads(r[12] or "[]")), score=r[13], seconds=r[14],
                      graded_at=r[15], needs_regrade=bool(r[16]))


_MANUAL_FIELDS = "student, content_hash, exercise, score, comment, updated_at, grader"
_MANUAL = "student, content_hash, exercise, score, comment, grader, updated_at"   # ManualScore's order


def _same(held: object, expected: object) -> bool:
    if isinstance(held, float) and isinstance(expected, (int, float)):
        return abs(held - float(expected)) < 1e-9
    return held == expected


def _statements(script: str) -> list[str]:
    without_comments = "\n".join(line.split("--")[0] for line in script.splitlines())
    return [s.strip() for s in without_comments.split(";") if s.strip()]


def _unique(student: str, taken: set[str]) -> str:
    base = safe_id(student)
    candidate, n = base, 2
    while candidate.lower() in taken or candidate.lower() in OUTPUT_NAMES:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
