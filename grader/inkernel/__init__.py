"""Code that is sent into a student's kernel (or a kernel parent) as source.

Rule for every module here: **the standard library only** at module level, no imports from
``grader``, runnable on the course environment's Python and packages. The grader never
imports ``prelude``, ``zygote`` or ``netfilter`` (run before a fallback kernel); it imports
``wire`` and ``agent`` too (the in-process link and the bridge use them), and tests run each
module both ways: imported here, and in a real kernel.

Stage: sent into the kernel; imports nothing from the grader. This file holds the boot
lines that load the modules in a kernel.
"""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
AGENT_MODULE = "_nbagent"
WIRE_MODULE = "_nbagent_wire"


def source(name: str) -> str:
    """The text of ``grader/inkernel/<name>.py``."""
    return (HERE / f"{name}.py").read_text(encoding="utf-8")


def prelude_code(*, seed: int, plain: bool, max_workers: int) -> str:
    """A silent cell that runs the prelude (seeds, grading settings) and leaves no names."""
    return ("def _nbprelude(source, *args):\n"
            "    import types\n"
            "    module = types.ModuleType('_nbprelude')\n"
            "    module.get_ipython = get_ipython\n"
            "    exec(compile(source, '<prelude>', 'exec'), module.__dict__)\n"
            "    module.run(*args)\n"
            f"_nbprelude({source('prelude')!r}, {seed!r}, {not plain!r}, {max_workers!r})\n"
            "del _nbprelude\n")


def agent_code(*, max_bytes: int, max_message: int, endpoint: str | None = None) -> str:
    """A silent cell that installs the bridge's agent, answering on the shell channel and, if
    it can, on a socket of its own at ``endpoint``; ``AGENT_ENDPOINT`` reads which."""
    return ("def _nbagent_boot(wire_src, agent_src, max_bytes, max_message, endpoint):\n"
            "    import sys, types\n"
            f"    w = types.ModuleType({WIRE_MODULE!r}); sys.modules[{WIRE_MODULE!r}] = w\n"
            "    exec(compile(wire_src, '<wire>', 'exec'), w.__dict__)\n"
            f"    a = types.ModuleType({AGENT_MODULE!r}); sys.modules[{AGENT_MODULE!r}] = a\n"
            "    exec(compile(agent_src, '<agent>', 'exec'), a.__dict__)\n"
            "    a.AGENT = a.install(get_ipython(), w, max_bytes=max_bytes, max_message=max_message,\n"
            "                        endpoint=endpoint)\n"
            f"_nbagent_boot({source('wire')!r}, {source('agent')!r}, {max_bytes!r}, {max_message!r}, "
            f"{endpoint!r})\n"
            "del _nbagent_boot\n")


# A user expression for the agent's boot cell: the endpoint the agent answers on, or None.
AGENT_ENDPOINT = f"__import__('sys').modules[{AGENT_MODULE!r}].AGENT.endpoint"
