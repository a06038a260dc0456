"""Ingestion throughput against its limit: the raw embedder on the same chunks, in the same run.

    .venv/bin/python benchmarks/bench_ingest.py [--corpus ../shared/data/multihop-rag/corpus.json] [--limit N]

Prints chunks/s for the whole pipeline (load, clean, dedup, chunk, embed, store) and for the bare
embedder over exactly the texts the pipeline embedded, and their ratio (goal: >= 0.85).
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.chunker import embedding_text
from index.config import IndexSettings
from index.embedders import Embedder, Vectors, make_embedder
from index.ingest import ingest
from index.store import ChromaStore

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "multihop-rag" / "corpus.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, help="only the first N articles")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus
        if args.limit:
            corpus = Path(tmp) / "corpus.json"
            records = json.loads(args.corpus.read_text(encoding="utf-8"))[: args.limit]
            corpus.write_text(json.dumps(records), encoding="utf-8")
        config = IndexSettings(data_dir=Path(tmp) / "data")
        result, _texts, _vectors = measure([corpus], config, make_embedder(config))
    print(json.dumps(result, indent=2))


def measure(
    paths: Sequence[Path], config: IndexSettings, embedder: Embedder
) -> tuple[dict[str, Any], list[str], Vectors]:
    """Ingest ``paths`` into ``config``'s (empty) collection, then run the bare embedder over
    exactly the texts the pipeline embedded. Returns the figures, those texts and their vectors."""
    embedder.embed(["warm-up"])
    pipeline_cpu = time.process_time()
    report = ingest(list(paths), config, embedder=embedder, progress=True)
    pipeline_cpu = time.process_time() - pipeline_cpu
    pipeline_rate = report.chunks / report.seconds

    store = ChromaStore.open(config, embedder.name, embedder.dim)
    texts = [embedding_text(c) for c in store.all_chunks()]
    started, cpu = time.perf_counter(), time.process_time()
    # the same grouping the pipeline uses
    vectors = [embedder.embed(texts[lo : lo + 256]) for lo in range(0, len(texts), 256)]
    raw_seconds, raw_cpu = time.perf_counter() - started, time.process_time() - cpu
    raw_rate = len(texts) / raw_seconds
    result = {
        "articles": len(report.added),
        "chunks": report.chunks,
        "pipeline_seconds": round(report.seconds, 1),
        "pipeline_chunks_per_s": round(pipeline_rate, 1),
        "pipeline_cpu_seconds": round(pipeline_cpu, 1),
        "embedder_seconds_in_pipeline": round(report.embed_seconds, 1),
        "raw_embedder_seconds": round(raw_seconds, 1),
        "raw_embedder_chunks_per_s": round(raw_rate, 1),
        "raw_embedder_cpu_seconds": round(raw_cpu, 1),
        "ratio": round(pipeline_rate / raw_rate, 3),
    }
    return result, texts, np.concatenate(vectors) if vectors else np.zeros((0, embedder.dim), dtype=np.float32)


if __name__ == "__main__":
    main()
