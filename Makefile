# The two commands a newcomer needs: `make demo` and `make test`.
.PHONY: install demo test bench handout-check

install:
	./scripts/install.sh

demo: install
	.venv/bin/grade examples/submissions/ --out grades/

test: install
	.venv/bin/python -m pytest tests

bench: install
	.venv/bin/python bench/run.py

# The student's hand-out on Python 3.12 with the registry's newest packages (outside CI).
PYTHON312 ?= $(lastword $(wildcard $(HOME)/.pyenv/versions/3.12*))/bin/python
handout-check: install
	.venv/bin/python -m tests.handout --python "$(PYTHON312)"
