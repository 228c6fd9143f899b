# The two commands a newcomer needs: `make demo` and `make test`.
.PHONY: install demo test bench handout-check platform-check

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

# The release's autograder.zip set up and run in a fresh Debian bookworm root, as Gradescope
# does it (outside CI: as root, with the network; 10-20 minutes and several GB under build/).
platform-check: install
	./scripts/platform_check.sh
