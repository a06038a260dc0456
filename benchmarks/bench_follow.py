"""Per-retrieval cost of following other processes' writes (issue 13, item 4): p50 and p90 of
``Assistant.retrieve`` on the seeds with the hashing embedder, and of one read of Chroma's
generation stamp, the extra work each retrieval now does to notice another process's ingest.

    nice -n 19 .venv/bin/python -m benchmarks.bench_follow [--n 200]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from assistant import Assistant, Config
from index.embedders import HashingEmbedder

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
QUESTIONS = [
    "Who did Blinken meet in New York?",
    "What did the Independent report about China?",
    "What happened in Anchorage?",
    "Which outlets covered the talks between Wang Yi and Blinken?",
]


def timed(call: Callable[[], object], n: int) -> dict[str, float]:
    """p50 and p90 of ``n`` calls, in milliseconds."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 3), "p90_ms": round(times[int(0.9 * n)], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="retrievals (and stamp reads) timed")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        config = Config.load(env={}, data_dir=Path(tmp), embedder="hashing", backend="extractive")
        bot = Assistant.from_config(config, embedder=HashingEmbedder())
        bot.ingest([SEEDS], progress=False)
        bot.retrieve(QUESTIONS[0])  # the keyword index loaded once, as in a serving process
        turn = iter(range(10**9))
        retrieve = timed(lambda: bot.retrieve(QUESTIONS[next(turn) % len(QUESTIONS)]), args.n)
        stamp = timed(bot._store.generation, args.n)
    print(json.dumps({"retrievals": args.n, "retrieve": retrieve, "generation_read": stamp}))


if __name__ == "__main__":
    main()
