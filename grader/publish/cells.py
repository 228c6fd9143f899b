"""The cells every released notebook shares, rendered from ``templates/release``: what the
release writes, and what the similarity report subtracts as given to every student."""
from __future__ import annotations

import re

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from grader.assignment import Assignment
from grader.judge.solutions import SETUP_SOURCE
from grader.publish.report import TEMPLATES

RELEASE_TEMPLATES = TEMPLATES / "release"


def release_templates() -> Environment:
    """The Jinja2 environment for notebook cells (plain text, not HTML: no autoescape)."""
    env = Environment(loader=FileSystemLoader(str(RELEASE_TEMPLATES)), undefined=StrictUndefined,
                      keep_trailing_newline=False, autoescape=False)
    env.filters["points"] = lambda x: f"{x:g}"
    return env


def setup_cell(assignment: Assignment, wheel: str, templates: Environment | None = None) -> str:
    """The first code cell: one line installs the checks (``wheel``, or the URL the assignment
    names) and d2l (without its pins, which have no wheels for newer Pythons, and the packages
    it imports unpinned, so nothing a student has is downgraded), then the imports, ``check``
    and ``data_path``."""
    env = assignment.environment
    requirements = [re.split(r"[\s<>=!~;\[]", p, maxsplit=1)[0] for p in env.packages]
    no_deps = " ".join(env.no_deps)
    version = next((p.split("==")[1] for p in env.no_deps if p.startswith("d2l==")), "")
    return (templates or release_templates()).get_template("setup.py.j2").render(
        imports=SETUP_SOURCE.strip(), package=assignment.handout.package, d2l_version=version,
        source=assignment.handout.url or wheel, requirements=" ".join(requirements), no_deps=no_deps)
