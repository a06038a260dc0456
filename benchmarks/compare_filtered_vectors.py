"""Exact filtered vector search over the saved vectors against Chroma's filtered query, list by list.

    PYTHONPATH=. nice -n 19 .venv/bin/python -m benchmarks.compare_filtered_vectors DATA_DIR \\
        ../shared/data/multihop-rag/queries_dev.json [--split tune] [--out OUT.json]

Every non-null MultiHop-RAG query (or one half) goes through ``Assistant.retrieve`` with the default
settings over the index in DATA_DIR (its keyword index saved with vectors: ``index/vector_matrix.py``).
Each filtered vector list the retriever asks for (per outlet, named part, date range) is also run
through Chroma's filtered query, and the two are compared: lists whose chunk ids differ (in order
or at all), and lists in which Chroma left out a chunk nearer than its own last one (the exact list
cannot). CPU milliseconds per list are timed for both ways.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant import Assistant
from assistant.config import Config
from assistant.evaluation.multihop import load_queries, select_queries
from assistant.retrieval import HybridRetriever
from assistant.retrieval.filters import Filters
from assistant.retrieval.query import DateRange
from index import Chunk

EPS = 1e-5  # cosines this close are equal (Chroma computes them in its own float32 order)


def compare(data: Path, queries: Path, half: str | None) -> dict[str, Any]:
    bot = Assistant.from_config(Config.load(env={}, data_dir=data), backend="extractive")
    chosen = select_queries(load_queries(queries), None, retrieval_only=True, half=half)
    exact_ms: list[float] = []
    chroma_ms: list[float] = []
    counts = {"lists": 0, "ids_differ": 0, "set_differs": 0, "chroma_missed_nearer": 0}
    original = HybridRetriever._vector

    def recording(self: HybridRetriever, vector: np.ndarray, filters: Filters,
                  dates: Sequence[DateRange] = ()) -> list[Chunk]:
        started = time.process_time()
        exact = original(self, vector, filters, dates)
        spent = time.process_time() - started
        if self._mask(filters, dates) is None:
            return exact
        if self._index.vectors is None:
            raise SystemExit(f"{data}: its keyword index has no saved vectors (run an ingest with this tree)")
        started = time.process_time()
        chroma = self._chroma_vector(vector, filters, dates)
        chroma_ms.append(1000 * (time.process_time() - started))
        exact_ms.append(1000 * spent)
        _count(counts, exact, chroma)
        return exact

    HybridRetriever._vector = recording  # type: ignore[method-assign]
    try:
        for q in chosen:
            bot.retrieve(q.query, k=10)
    finally:
        HybridRetriever._vector = original  # type: ignore[method-assign]
    return {"queries": len(chosen), **counts,
            "exact_cpu_ms_per_list": _summary(exact_ms), "chroma_cpu_ms_per_list": _summary(chroma_ms)}


def _count(counts: dict[str, int], exact: list[Chunk], chroma: list[Chunk]) -> None:
    counts["lists"] += 1
    ids = [c.chunk_id for c in exact]
    got = [c.chunk_id for c in chroma]
    counts["ids_differ"] += ids != got
    counts["set_differs"] += set(ids) != set(got)
    floor = min((c.score for c in chroma), default=-2.0)
    nearer = {c.chunk_id for c in exact if c.score > floor + EPS}
    counts["chroma_missed_nearer"] += bool(nearer - set(got)) or len(got) < len(ids)


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {"mean": round(statistics.fmean(values), 3), "p50": round(statistics.median(values), 3),
            "total_s": round(sum(values) / 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path)
    parser.add_argument("queries", type=Path)
    parser.add_argument("--split", choices=("tune", "confirm"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = compare(args.data, args.queries, args.split)
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
