#!/usr/bin/env bash
# Quick start, part 1: set everything up, ingest seeds/, open the web chat on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/newsdesk ingest seeds
exec .venv/bin/newsdesk serve "$@"
