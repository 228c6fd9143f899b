"""Print which tests each kept mistake fails: `python -m tests.wrong.show softmax`."""
import importlib
import sys

from grader.judge.local import reference_link
from grader.judge.plugin import run_tests
from grader.assignment import load_assignment


def main(topics: list[str]) -> None:
    assignment = load_assignment("hw1")
    for topic in topics:
        module = importlib.import_module(f"tests.wrong.{topic}")
        for m in module.MISTAKES:
            ex = assignment.exercise(m.exercise)
            outcomes, problems = run_tests(assignment, reference_link(assignment, replace=m.replace,
                                                                      section=ex.section),
                                           exercises=[m.exercise])
            print(f"{m.name}: {problems or ''}")
            for o in outcomes:
                if o.outcome != "passed":
                    print(f"    {o.name!r},  # {o.outcome}: {o.message[:150]}")
            if "--sets" in sys.argv:
                print("    {" + ", ".join(repr(o.name) for o in outcomes if o.outcome != "passed") + "}")


if __name__ == "__main__":
    main([a for a in sys.argv[1:] if not a.startswith("--")])
