"""Answer latency on the seeds, per backend: retrieval, time to first token, whole answer.

    .venv/bin/python benchmarks/bench_answer.py [--backends local,extractive] [--limit N]

Ingests seeds/ into a temporary collection, then asks the answerable and unanswerable questions of
tests/gold/seeds.jsonl (first turns only, no history) with each backend and prints p50/p95 of
retrieval, time to first token and total, next to the issue's limits.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from pathlib import Path

from assistant import Answer, Assistant, Config, TextDelta

ROOT = Path(__file__).resolve().parents[1]
LIMITS = {"local": {"first_token": 3.0, "total": 8.0}, "extractive": {"total": 0.3}, "retrieve": 0.05}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="local,extractive")
    parser.add_argument("--limit", type=int, default=20, help="questions per backend")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    gold = [json.loads(line) for line in (ROOT / "tests/gold/seeds.jsonl").read_text().splitlines() if line]
    questions = [g["question"] for g in gold if not g.get("history")][: args.limit]

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        config = Config.load(data_dir=Path(tmp), model_dir=ROOT / "data" / "models")
        base = Assistant.from_config(config, backend="extractive")
        base.ingest([ROOT / "seeds"])
        for backend in args.backends.split(","):
            bot = base.with_backend(backend)
            bot.ask(questions[0])  # load the model, warm caches
            timings: dict[str, list[float]] = {"retrieve": [], "first_token": [], "total": []}
            for q in questions:
                started = time.perf_counter()
                first = None
                for event in bot.stream(q):
                    if isinstance(event, TextDelta) and first is None:
                        first = time.perf_counter() - started
                    elif isinstance(event, Answer):
                        timings["retrieve"].append(event.timings["retrieve"])
                        timings["first_token"].append(first or 0.0)
                        timings["total"].append(time.perf_counter() - started)
            results[backend] = {
                f"{name}_{p}": round(_pct(vals, q), 3)
                for name, vals in timings.items()
                for p, q in (("p50", 0.5), ("p95", 0.95))
            }
            results[backend]["mean_total"] = round(statistics.mean(timings["total"]), 3)
    print(json.dumps({"questions": len(questions), "limits_s": LIMITS, "results": results}, indent=2))


if __name__ == "__main__":
    main()
