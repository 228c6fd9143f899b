# The two commands a newcomer needs: `make demo` and `make test`.
.PHONY: install demo test bench

install:
	./scripts/install.sh

demo: install
	.venv/bin/grade examples/submissions/ --out grades/

test: install
	.venv/bin/python -m pytest tests

bench: install
	.venv/bin/python bench/run.py
