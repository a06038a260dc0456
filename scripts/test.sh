#!/usr/bin/env bash
# Quick start, part 2: set up with the test dependencies and run the whole suite (CI runs this).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
.venv/bin/ruff check .
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
