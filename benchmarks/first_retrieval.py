"""A new process's first retrieval, asked at once or after a pause (a user typing into the web UI),
with the retriever's background warm-up on or off.

    PYTHONPATH=. nice -n 19 .venv/bin/python -m benchmarks.first_retrieval DATA_DIR warm|cold PAUSE_S

Prints one JSON line: seconds to import and open the assistant, and the first retrieval's wall and
CPU seconds (all threads). Run it a few times each way: every run is a new process.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

QUERIES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "multihop-rag" / "queries_dev.json"


def main() -> None:
    started = time.perf_counter()
    from assistant import Assistant, Config
    from assistant.evaluation.multihop import load_queries
    from assistant.retrieval import HybridRetriever

    data, warm, pause = Path(sys.argv[1]), sys.argv[2] == "warm", float(sys.argv[3])
    queries = Path(sys.argv[4]) if len(sys.argv) > 4 else QUERIES
    if not warm:
        HybridRetriever.warm_up = lambda self: None  # type: ignore[assignment,method-assign,return-value]
    question = load_queries(queries)[0].query
    config = Config.load(env={}, data_dir=data, backend="extractive")
    bot = Assistant.from_config(config)
    opened = time.perf_counter()
    time.sleep(pause)
    wall, cpu = time.perf_counter(), time.process_time()
    assert bot.retrieve(question, k=config.top_k), "the first retrieval found nothing"
    print(json.dumps({"warm_up": warm, "pause_s": pause, "imports_and_open_s": round(opened - started, 3),
                      "first_retrieval_wall_s": round(time.perf_counter() - wall, 3),
                      "first_retrieval_cpu_s": round(time.process_time() - cpu, 3)}))


if __name__ == "__main__":
    main()
