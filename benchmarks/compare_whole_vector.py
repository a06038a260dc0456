"""The whole-question vector list two ways: Chroma's HNSW query against the exact search over every
saved vector (``index.nearest_rows`` with no mask), query by query, on one data dir.

    PYTHONPATH=. nice -n 19 .venv/bin/python -m benchmarks.compare_whole_vector DATA_DIR \\
        ../shared/data/multihop-rag/queries_dev.json [--n-queries 200 | --split tune] [--out OUT.json]

Each query text is embedded once; then, with Chroma's vector index already loaded (one query
before), each way makes its pool-40 list of chunks (Chroma: ``ChromaStore.query``, its count, its
nearest-neighbour search and the chunks' texts and metadata read back; exact: the scores of every
row, the top 40 and those chunks made from the keyword index's columns). Reported: wall and CPU ms
per list, lists whose chunk ids differ (in order or at all), and lists in which HNSW left out a
chunk nearer than its own last one (the exact list cannot).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant import Assistant
from assistant.config import Config
from assistant.evaluation.multihop import load_queries, select_queries
from index import nearest_rows

EPS = 1e-5  # cosines this close are equal (Chroma computes them in its own float32 order)


def compare(data: Path, queries: Path, n_queries: int, half: str | None) -> dict[str, Any]:
    bot = Assistant.from_config(Config.load(env={}, data_dir=data), backend="extractive")
    retriever, store, embedder = bot._retriever, bot._store, bot._embedder
    every = load_queries(queries)
    if half:
        texts = [q.query for q in select_queries(every, None, retrieval_only=True, half=half)]
    else:
        texts = [every[i * len(every) // n_queries].query for i in range(n_queries)]
    retriever._ensure_index()
    index = retriever._index
    if index.vectors is None:
        raise SystemExit(f"{data}: its keyword index has no saved vectors (run an ingest with this tree)")
    vectors = embedder.embed(texts)
    store.query(vectors[0].tolist(), 40)  # Chroma loads its vector index at the first query
    times: dict[str, list[float]] = {"chroma_wall": [], "chroma_cpu": [], "exact_wall": [], "exact_cpu": []}
    counts = {"lists": 0, "ids_differ": 0, "set_differs": 0, "hnsw_missed_nearer": 0}
    for vector in vectors:
        wall, cpu = time.perf_counter(), time.process_time()
        hnsw = store.query(vector.tolist(), 40)
        times["chroma_wall"].append(1000 * (time.perf_counter() - wall))
        times["chroma_cpu"].append(1000 * (time.process_time() - cpu))
        wall, cpu = time.perf_counter(), time.process_time()
        rows, scores = nearest_rows(index.vectors, vector, None, 40)
        exact = [replace(index.columns.chunk(int(i)), score=float(s)) for i, s in zip(rows, scores)]
        times["exact_wall"].append(1000 * (time.perf_counter() - wall))
        times["exact_cpu"].append(1000 * (time.process_time() - cpu))
        ids, got = [c.chunk_id for c in exact], [c.chunk_id for c in hnsw]
        counts["lists"] += 1
        counts["ids_differ"] += ids != got
        counts["set_differs"] += set(ids) != set(got)
        floor = min((c.score for c in hnsw), default=-2.0)
        nearer = {c.chunk_id for c in exact if c.score > floor + EPS}
        counts["hnsw_missed_nearer"] += bool(nearer - set(got)) or len(got) < len(ids)
    return {"data": str(data), "rows": len(index), "queries": len(texts), **counts,
            "ms_per_list": {k: _summary(v) for k, v in times.items()}}


def _summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 2), "mean": round(statistics.fmean(values), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path)
    parser.add_argument("queries", type=Path)
    parser.add_argument("--n-queries", type=int, default=200)
    parser.add_argument("--split", choices=("tune", "confirm"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    text = json.dumps(compare(args.data, args.queries, args.n_queries, args.split), indent=1)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
