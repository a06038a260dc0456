"""Run the reliability scenarios of issue 13 and print a table: tried / passed / lost.

    nice -n 19 python benchmarks/reliability.py            # everything (~5 min on 2 busy cores)
    python benchmarks/reliability.py --only "Chroma"        # the scenarios whose name contains it

Two kinds of rows. The run-time faults and malformed questions are the scenario functions of
tests/faults.py, run here directly: "tried" counts their checks (a call that must answer, or fail
in one line naming the part and what to do), "lost" the articles missing or without vectors once
the failed part is back. The write-path rows (bad input files, concurrent writers, SIGKILL, bounded
work, the consistency check) run their test files under pytest: "tried" counts tests, and "lost" is
0 when they pass because each of them asserts that nothing was lost ("?" when one failed).
Hashing embedder and extractive backend throughout: the local model is never loaded.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("NEWSDESK_BACKEND", "extractive")  # subprocesses too: never the local model

PYTEST_ROWS = {
    "bad input files (FIFO, /dev/zero, deep JSON, UTF-16, wrong types...)": "tests/test_reliability_input.py",
    "two concurrent writers, lock, readers": "tests/test_reliability_concurrency.py",
    "SIGKILL mid-ingest, then rerun": "tests/test_ingest_crash.py",
    "bounded work per article": "tests/test_reliability_bounds.py",
    "consistency check and repair": "tests/test_reliability_check.py",
}

Row = tuple[str, str, str, str, float, list[str]]  # name, tried, passed, lost, seconds, failures


def scenario_rows(only: str) -> list[Row]:
    from tests import faults
    from tests.conftest import seeded_bot

    scenarios: dict[str, Callable[[Path], faults.Outcome | None]] = {
        "malformed questions and histories": lambda tmp: faults.malformed_questions(seeded_bot(tmp / "data")),
        "CLI arguments that are not UTF-8": lambda tmp: faults.cli_invalid_utf8(seeded_bot(tmp / "d").config.data_dir),
        **faults.SCENARIOS,
    }
    rows: list[Row] = []
    for name, scenario in scenarios.items():
        if only.lower() not in name.lower():
            continue
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="reliability-") as tmp:
            try:
                outcome = scenario(Path(tmp))
            except Exception as err:  # noqa: BLE001 - a scenario that breaks is one failed row, not the end
                outcome = faults.Outcome(tried=1, failures=[f"{type(err).__name__}: {err}"[:300]])
        seconds = time.perf_counter() - started
        if outcome is None:
            rows.append((name, "-", "-", "-", seconds, ["not permitted on this machine (mount)"]))
        else:
            rows.append((name, str(outcome.tried), str(outcome.passed), str(outcome.lost), seconds, outcome.failures))
        print(f"  {name}: {rows[-1][1:4]} in {seconds:.0f} s", file=sys.stderr, flush=True)
    return rows


class _Tally:
    """A pytest plugin counting test outcomes."""

    def __init__(self) -> None:
        self.tried = self.passed = 0
        self.failures: list[str] = []

    def pytest_runtest_logreport(self, report: object) -> None:
        when, outcome, nodeid = (getattr(report, k) for k in ("when", "outcome", "nodeid"))
        if when == "call" or (when == "setup" and outcome != "passed"):
            self.tried += outcome != "skipped"
            self.passed += outcome == "passed"
            if outcome == "failed":
                self.failures.append(nodeid)


def pytest_rows(only: str) -> list[Row]:
    import pytest

    rows: list[Row] = []
    for name, path in PYTEST_ROWS.items():
        if only.lower() not in name.lower():
            continue
        tally, started = _Tally(), time.perf_counter()
        pytest.main(["-q", "-p", "no:cacheprovider", "-m", "not slow", str(ROOT / path)], plugins=[tally])
        lost = "0" if not tally.failures else "?"
        rows.append((name, str(tally.tried), str(tally.passed), lost, time.perf_counter() - started, tally.failures))
    return rows


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def table(rows: list[Row]) -> str:
    lines = ["| scenario | tried | passed | lost | seconds |", "|---|---:|---:|---:|---:|"]
    for name, tried, passed, lost, seconds, _failures in rows:
        lines.append(f"| {name} | {tried} | {passed} | {lost} | {seconds:.0f} |")
    counted = [r for r in rows if r[1].isdigit()]
    lost_total = "?" if any(r[3] == "?" for r in rows) else str(sum(int(r[3]) for r in counted))
    lines.append(f"| **total** | {sum(int(r[1]) for r in counted)} | {sum(int(r[2]) for r in counted)} | "
                 f"{lost_total} | {sum(r[4] for r in rows):.0f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="run the rows whose name contains this text")
    parser.add_argument("--no-pytest", action="store_true", help="only the scenario rows")
    args = parser.parse_args()
    os.chdir(ROOT)
    rows = scenario_rows(args.only) + ([] if args.no_pytest else pytest_rows(args.only))
    print(table(rows))
    print(f"\nCPU: {cpu_name()}; python {platform.python_version()}")
    failures = [f"{name}: {f}" for name, *_rest, fails in rows for f in fails]
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if any(r[1] != r[2] for r in rows if r[1].isdigit()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
