#!/usr/bin/env bash
# Installs everything d2l-grader needs on a fresh machine; safe to run again.
#   1. system packages: bubblewrap (the sandbox) and chromium (the report browser test)
#   2. the grader's own environment in .venv (torch and torchvision from the registry)
#   3. the course's kernel environment (d2l==1.0.3 and its pins), built once and cached
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v bwrap >/dev/null || need+=(bubblewrap)
command -v chromium >/dev/null || need+=(chromium)
command -v prlimit >/dev/null || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing system packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "error: missing system packages: ${need[*]}; install them with: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml scripts/install.sh | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "installing the grader into .venv (torch and torchvision come from the package index; the first time takes a few minutes)"
  .venv/bin/pip install --disable-pip-version-check -q -e '.[test]'
  # d2l 1.0.3 pins old numpy/pandas; the grader only needs its classes, so no deps here.
  .venv/bin/pip install --disable-pip-version-check -q --no-deps d2l==1.0.3
  rm -f .venv/.installed-*
  touch "$stamp"
fi

.venv/bin/grader env build hw1 >/dev/null
echo "installed: .venv/bin/grade, .venv/bin/grader; kernel environment: $(.venv/bin/grader env show hw1 | head -1)"
