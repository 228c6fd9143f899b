"""One exception tree for the grader; every user-facing error formats as one clear line.

    GraderError                      base; ``exit_code`` for the CLI
    ├── UsageError                   bad command line: no such path, no notebooks, unknown id
    ├── AssignmentError              assignment.toml is missing or inconsistent
    ├── EnvironmentBuildError        the course's kernel environment cannot be built
    ├── SandboxError                 bubblewrap missing or the sandbox cannot start
    ├── NotebookError                a submission is not a readable notebook
    ├── ReleaseError                 a release is refused (its validation failed)
    ├── EditConflictError            a manual score changed since a grader's page showed it
    └── BridgeError                  talking to a student kernel failed
        ├── KernelDiedError          the kernel exited (limit hit, os._exit, crash)
        ├── CallTimeoutError         a call into student code ran past its time budget
        │   └── NotebookTimeoutError the submission's whole time budget is used up
        ├── WireError                a value could not cross the data-only wire
        ├── MissingNameError         the notebook never defined a name a test needs
        └── StudentError             student code raised; carries their traceback lines
"""
from __future__ import annotations

from dataclasses import dataclass, field


class GraderError(Exception):
    """Base of every error the grader reports to a person."""

    exit_code = 1

    def __str__(self) -> str:  # one line, always
        return " ".join(super().__str__().split()) or type(self).__name__


class UsageError(GraderError):
    exit_code = 2


class AssignmentError(GraderError):
    exit_code = 2


class EnvironmentBuildError(GraderError):
    exit_code = 3


class SandboxError(GraderError):
    exit_code = 3


class NotebookError(GraderError):
    """The file is not a notebook we can run; the message tells the student what to fix."""


class ReleaseError(GraderError):
    """``grader release`` refused: the solution loses points or the blank notebook earns some."""

    exit_code = 4


class EditConflictError(GraderError):
    """Another grader saved a manual score or comment after this grader's page showed it;
    ``current`` is what the gradebook holds now. Nothing was written."""

    def __init__(self, message: str, *, current: object) -> None:
        super().__init__(message)
        self.current = current


class BridgeError(GraderError):
    """A request to the student kernel did not produce a value."""


class KernelDiedError(BridgeError):
    pass


class CallTimeoutError(BridgeError):
    pass


class NotebookTimeoutError(CallTimeoutError):
    """The submission used up ``notebook_timeout``: cells, replays and checks together."""


class WireError(BridgeError):
    pass


class MissingNameError(BridgeError):
    def __init__(self, name: str, *, bound_to_none: bool = False) -> None:
        if bound_to_none:
            message = (f"`{name}` is None in the notebook, so it counts as not defined: "
                       f"`@d2l.add_to_class(...)` attaches the function to a class and leaves None under "
                       f"its name; define `{name}` with a plain `def` as well")
        else:
            message = f"`{name}` is not defined in the notebook"
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class StudentTraceback:
    """The part of a traceback that lies in the student's own cells."""

    type: str
    message: str
    lines: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"type": self.type, "message": self.message, "lines": list(self.lines)}


class StudentError(BridgeError):
    """Student code raised while a test called it."""

    def __init__(self, where: str, tb: StudentTraceback) -> None:
        super().__init__(f"{where} raised {tb.type}: {tb.message}")
        self.where = where
        self.traceback = tb
