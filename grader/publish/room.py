"""The grading room (``grader manual serve``): a small web app on this machine for scoring
free-response answers by hand, one question at a time.

A question's page shows its prompt, reference answer and rubric, then every answer that is
not blank, rendered from Markdown and LaTeX here (no script or file comes from elsewhere).
A score or a comment is saved to the gradebook as it is entered, one field in one
transaction, against the value the page showed: a grader who saved first is never
overwritten unseen (the page shows what they saved instead). Blank answers get 0 in one
action. Anonymous mode leaves names and ids out of the page and shuffles the answers.
Answers that look copied are marked. After each save the student's report is rendered
again; the dashboard and gradebook.csv when the room closes.

The server listens on 127.0.0.1 only, and every request must carry the token of the address
it printed (``?token=`` or the ``X-Grader-Token`` header), or it gets 403. Pages carry a
Content-Security-Policy that lets only their own inline script run.
"""
from __future__ import annotations

import hashlib
import hmac
import random
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from markupsafe import Markup
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from grader.assignment import Assignment, Exercise
from grader.errors import EditConflictError, UsageError
from grader.gradebook import AttemptRow, Gradebook, ManualScore
from grader.publish import markup
from grader.publish.manual import answer_rows, zero_blanks
from grader.publish.report import page_templates
from grader.publish.similarity.answers import likenesses
from grader.publish.site import publish, write_student
from grader.standings import standings

GRADER_CHARS = 60        # a grader's name as the page sends it
COMMENT_CHARS = 4000
FORBIDDEN = "403 forbidden: open the address `grader manual serve` printed; it carries the token"


@dataclass(frozen=True)
class Card:
    """One answer as a question's page shows it."""

    key: str                 # opaque: stands for the attempt without naming the student
    label: str               # the student's name (or id), or "Answer n" in anonymous mode
    detail: str              # the submission id under a name; "" in anonymous mode
    html: Markup
    score: float | None
    comment: str
    grader: str
    alike: tuple[tuple[str, bool, float], ...] = ()    # (the other's label, identical, share of word triples)


class Room:
    """What the app serves: one output folder's free-response answers."""

    def __init__(self, out: Path, assignment: Assignment, *, token: str, grader: str = "",
                 anonymous: bool = False) -> None:
        self.out = out
        self.assignment = assignment
        self.token = token
        self.grader = grader
        self.anonymous = anonymous      # names and ids are never shown, whatever the page asks
        self.templates = page_templates()   # each page template compiled once, not per request

    def key(self, student: str, content_hash: str) -> str:
        return hmac.new(self.token.encode(), f"{student}\0{content_hash}".encode(), hashlib.sha256).hexdigest()[:20]

    def gradebook(self) -> Gradebook:
        return Gradebook.in_folder(self.out, create=False)

    # ------------------------------------------------------------------ pages
    def index(self, request: Request) -> Response:
        with self.gradebook() as gradebook:
            rows = answer_rows(gradebook, self.assignment)
        questions = []
        for ex in self.free():
            mine = [r for r in rows if r.exercise == ex.id]
            answered = [r for r in mine if not r.blank]
            questions.append({"exercise": ex, "answers": len(answered),
                              "scored": sum(1 for r in answered if r.score is not None),
                              "blank": len(mine) - len(answered),
                              "blank_unscored": sum(1 for r in mine if r.blank and r.score is None)})
        return self.page(request, "room/index.html.j2", questions=questions)

    def question(self, request: Request) -> Response:
        exercise = self.free_exercise(request.path_params["exercise"])
        if exercise is None:
            return PlainTextResponse("404: no such free-response question", status_code=404)
        anonymous = self.is_anonymous(request)
        with self.gradebook() as gradebook:
            rows = answer_rows(gradebook, self.assignment, exercise=exercise.id)
        answered = [r for r in rows if not r.blank]
        if anonymous:
            random.Random(f"{self.token}/{exercise.id}").shuffle(answered)
        labels = {r.student: (f"Answer {i}" if anonymous else r.who) for i, r in enumerate(answered, start=1)}
        alike = likenesses({r.student: r.answer for r in answered})
        cards = [Card(key=self.key(r.student, r.attempt), label=labels[r.student],
                      detail="" if anonymous or not r.name else r.submission, html=markup.render(r.answer),
                      score=r.score, comment=r.comment, grader=r.grader,
                      alike=tuple((labels[m.other], m.identical, m.share) for m in alike.get(r.student, [])))
                 for r in answered]
        blank = [r for r in rows if r.blank]
        position = [e.id for e in self.free()].index(exercise.id)
        return self.page(request, "room/question.html.j2", exercise=exercise, cards=cards, anonymous=anonymous,
                         blank=len(blank), blank_unscored=sum(1 for r in blank if r.score is None),
                         previous=self.free()[position - 1].id if position else "",
                         next=self.free()[position + 1].id if position + 1 < len(self.free()) else "")

    def page(self, request: Request, template: str, **values: object) -> Response:
        nonce = secrets.token_urlsafe(16)
        html = self.templates.get_template(template).render(
            assignment=self.assignment, token=self.token, nonce=nonce, forced_anonymous=self.anonymous,
            anonymous_query="&anon=1" if self.is_anonymous(request) else "", **values)
        return HTMLResponse(html, headers={
            "Content-Security-Policy": (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; "
                                        "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; "
                                        "frame-ancestors 'none'"),
            "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"})

    # ------------------------------------------------------------------ saving
    async def save_score(self, request: Request) -> Response:
        body, problem = await _json(request, ("exercise", "key", "score", "expect"))
        if problem:
            return problem
        exercise = self.free_exercise(body["exercise"])
        if exercise is None:
            return _error(404, "no such free-response question")
        score, expect = body["score"], body["expect"]
        for value in (score, expect):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                return _error(400, "a score is a number or null")
        if score is not None and not 0 <= score <= exercise.points:
            return _error(400, f"{score:g} is outside 0–{exercise.points:g}")
        return await run_in_threadpool(self.store, request, exercise, body["key"],
                                       lambda g, row, who: g.set_manual_score(
                                           row.student, row.content_hash, exercise.id,
                                           None if score is None else float(score), expect=expect, grader=who))

    async def save_comment(self, request: Request) -> Response:
        body, problem = await _json(request, ("exercise", "key", "comment", "expect"))
        if problem:
            return problem
        exercise = self.free_exercise(body["exercise"])
        if exercise is None:
            return _error(404, "no such free-response question")
        comment, expect = body["comment"], body["expect"]
        if not isinstance(comment, str) or not isinstance(expect, str) or len(comment) > COMMENT_CHARS:
            return _error(400, f"a comment is text of at most {COMMENT_CHARS} characters")
        return await run_in_threadpool(self.store, request, exercise, body["key"],
                                       lambda g, row, who: g.set_manual_comment(
                                           row.student, row.content_hash, exercise.id, comment.strip(),
                                           expect=expect, grader=who))

    def store(self, request: Request, exercise: Exercise, key: object,
              save: Callable[[Gradebook, AttemptRow, str], ManualScore]) -> Response:
        with self.gradebook() as gradebook:
            row = next((r for r in gradebook.counted() if r.graded and self.key(r.student, r.content_hash) == key),
                       None)
            if row is None:
                return _error(404, "no such answer (a newer notebook may have been graded since the page loaded)")
            try:
                saved = save(gradebook, row, self.grader_of(request))
            except EditConflictError as exc:     # its message names the student: not for anonymous pages
                held = exc.current
                assert isinstance(held, ManualScore)
                return JSONResponse({"error": f"{held.grader or 'another grader'} saved first", "current": _grade(held)},
                                    status_code=409)
        # The grader need not wait for the report: it is rendered once the answer has gone out.
        return JSONResponse(_grade(saved), background=BackgroundTask(self.render_student, row.student))

    def render_student(self, student: str) -> None:
        with self.gradebook() as gradebook:
            for standing in standings(gradebook, self.assignment, student=student):
                write_student(standing, self.out, templates=self.templates)

    async def score_blanks(self, request: Request) -> Response:
        body, problem = await _json(request, ("exercise",))
        if problem:
            return problem
        exercise = self.free_exercise(body["exercise"])
        if exercise is None:
            return _error(404, "no such free-response question")

        def give_zero() -> int:
            with self.gradebook() as gradebook:
                return zero_blanks(gradebook, self.assignment, exercise=exercise.id, grader=self.grader_of(request))
        return JSONResponse({"scored": await run_in_threadpool(give_zero)})

    # ------------------------------------------------------------------ helpers
    def free(self) -> list[Exercise]:
        return [e for e in self.assignment.exercises if e.manual]

    def free_exercise(self, exercise_id: object) -> Exercise | None:
        return next((e for e in self.free() if e.id == exercise_id), None)

    def is_anonymous(self, request: Request) -> bool:
        return self.anonymous or request.query_params.get("anon") == "1"

    def grader_of(self, request: Request) -> str:
        return (request.headers.get("x-grader-name") or self.grader).strip()[:GRADER_CHARS]

    def close(self) -> None:
        """Render the dashboard and gradebook.csv again with the scores given here."""
        with self.gradebook() as gradebook:
            publish(gradebook, self.assignment, self.out, templates=self.templates)


class TokenGate:
    """Refuses (403) every HTTP request that does not carry the token."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            headers = dict(scope.get("headers", []))
            given = (query.get("token") or [""])[0].encode("latin-1") or headers.get(b"x-grader-token", b"")
            if not secrets.compare_digest(given, self.token):
                await PlainTextResponse(FORBIDDEN, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(room: Room) -> Starlette:
    routes = [
        Route("/", room.index),
        Route("/q/{exercise}", room.question),
        Route("/api/score", room.save_score, methods=["POST"]),
        Route("/api/comment", room.save_comment, methods=["POST"]),
        Route("/api/blanks", room.score_blanks, methods=["POST"]),
    ]
    return Starlette(routes=routes, middleware=[Middleware(TokenGate, token=room.token)])


def serve(out: Path, assignment: Assignment, *, port: int = 0, grader: str = "", anonymous: bool = False,
          announce: Callable[[str], None] = print) -> None:
    """Run the grading room until Ctrl-C, on 127.0.0.1 (``port`` 0: a free one), announcing
    its address with the token; the dashboard is rendered again when it stops."""
    import uvicorn
    room = Room(out, assignment, token=secrets.token_urlsafe(24), grader=grader, anonymous=anonymous)
    room.gradebook().close()            # no gradebook: a usage error now, not a 500 later
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("127.0.0.1", port))
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror})") from None
    address = f"http://127.0.0.1:{listener.getsockname()[1]}/?token={room.token}"
    announce(f"Grading room for {assignment.id}: {address}\n(open it in a browser on this machine; Ctrl-C stops)")
    config = uvicorn.Config(create_app(room), log_level="warning", access_log=False, lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[listener])
    except KeyboardInterrupt:      # uvicorn raises the Ctrl-C again once it has shut down
        pass
    finally:
        listener.close()
        room.close()
    announce(f"Grading room closed; {out / 'index.html'} and gradebook.csv hold the scores given.")


async def _json(request: Request, fields: tuple[str, ...]) -> tuple[dict, Response | None]:
    try:
        body = await request.json()
    except ValueError:
        return {}, _error(400, "the request is not JSON")
    if not isinstance(body, dict) or any(f not in body for f in fields):
        return {}, _error(400, f"the request needs {', '.join(fields)}")
    return body, None


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _grade(m: ManualScore) -> dict:
    return {"score": m.score, "comment": m.comment, "grader": m.grader}
