"""Start-up cost of the keyword index: a new process loading the saved index against rebuilding it.

    # a data dir ingested by newsdesk (copied to a temporary dir first unless --in-place):
    .venv/bin/python -m benchmarks.bench_keyword_index --data-dir DIR [--embedder minilm]
    # a synthetic collection of N articles (the corpus varied: titles, outlets, dates, sentence order),
    # chunked by the real pipeline but not embedded or stored: the keyword side alone
    .venv/bin/python -m benchmarks.bench_keyword_index --synthetic 20000

Each figure is the median of ``--repeat`` new processes. With a data dir: ``rebuild`` is what every
new process did before the index was saved (read every chunk from Chroma, tokenize chunks and
articles, index both), ``load`` is what it does now (compare Chroma's generation stamp, map the
saved files), each followed by one retrieval over the BM25 lists. With ``--synthetic`` the rebuild
starts from chunks already in memory (no Chroma read), so its ratio to ``load`` understates the gain.
``incremental`` is the saved-index rebuild after 1 % new articles (only their chunks tokenized).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.machine import cpu_description
from benchmarks.synthetic import DEFAULT_CORPUS, synthetic_chunks

QUERY = "Which company did the TechCrunch article say was fined, and by how much, in October 2023?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="an ingested newsdesk data dir")
    parser.add_argument("--embedder", default="hashing", help="the data dir's embedder (minilm, hashing)")
    parser.add_argument("--in-place", action="store_true", help="save the index into --data-dir itself")
    parser.add_argument("--synthetic", type=int, help="N synthetic articles from --corpus, no Chroma")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.child:
        print(json.dumps(_child(args.child[0], Path(args.child[1]), args.embedder)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.synthetic:
            result = _synthetic(args, Path(tmp))
        else:
            data = args.data_dir if args.in_place else Path(shutil.copytree(args.data_dir, Path(tmp) / "data"))
            result = _data_dir(args, data)
    result["cpu"] = cpu_description()
    print(json.dumps(result, indent=1))


def _config(data: Path, embedder: str) -> Any:
    from index.config import IndexSettings

    return IndexSettings(data_dir=data, embedder=embedder)


def _store(data: Path, embedder: str) -> Any:
    from index.embedders import make_embedder
    from index.store import ChromaStore

    e = make_embedder(_config(data, embedder))
    return ChromaStore.open(_config(data, embedder), e.name, e.dim, create=False)


def _data_dir(args: argparse.Namespace, data: Path) -> dict[str, Any]:
    from index.keyword_store import index_dir, refresh
    from index.lock import writer_lock

    config = _config(data, args.embedder)
    store = _store(data, args.embedder)
    t0 = time.process_time()
    with writer_lock(config):
        index = refresh(store, config)  # what the end of an ingest does when nothing was saved yet
    saved = time.process_time() - t0
    runs = {mode: [_run(mode, data, args.embedder) for _ in range(args.repeat)] for mode in ("rebuild", "load")}
    out = {
        "articles": index.n_articles,
        "chunks": len(index),
        "index_mb": round(sum(f.stat().st_size for f in index_dir(config).rglob("*") if f.is_file()) / 1e6, 1),
        "first_save_s": round(saved, 2),
    }
    out.update(_summary(runs))
    return out


def _run(mode: str, data: Path, embedder: str) -> dict[str, float]:
    cmd = [sys.executable, "-m", "benchmarks.bench_keyword_index", "--embedder", embedder, "--child", mode, str(data)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _child(mode: str, data: Path, embedder: str) -> dict[str, float]:
    """One new process: the keyword index ready (loaded or rebuilt), then one retrieval. Times are
    CPU seconds of this process (all its threads): on a shared machine wall time mostly measures
    the other processes; ``*_wall_s`` are given beside them."""
    t0 = time.process_time()
    from assistant.retrieval import FusionWeights, HybridRetriever
    from index.keyword import KeywordIndex
    from index.keyword_store import load

    clock = _Clock()
    if mode == "synthetic-load":
        index = load(data)
        assert index is not None
        clock.lap("ready")
        _search(index)
        return clock.lap("first_query")
    if mode == "synthetic-rebuild":
        import pickle

        chunks = pickle.loads((data / "chunks.pickle").read_bytes())
        clock = _Clock()
        index = KeywordIndex.build(chunks)
        clock.lap("ready")
        _search(index)
        return clock.lap("first_query")
    from index.embedders import HashingEmbedder

    store = _store(data, embedder)
    config = _config(data, embedder)
    retriever = HybridRetriever(store, HashingEmbedder(), config=config if mode == "load" else None,
                                weights=FusionWeights(outlet_vector=0.0, part_vector=0.0))  # no embedding
    clock = _Clock({"imports_and_open_s": time.process_time() - t0})
    retriever._ensure_index()  # what the first retrieve() of a new process starts with
    clock.lap("ready")
    assert retriever.retrieve(QUERY, k=10)
    return clock.lap("first_query")


class _Clock:
    def __init__(self, laps: dict[str, float] | None = None) -> None:
        self.laps = dict(laps or {})
        self._cpu, self._wall = time.process_time(), time.perf_counter()

    def lap(self, name: str) -> dict[str, float]:
        cpu, wall = time.process_time(), time.perf_counter()
        self.laps[f"{name}_s"], self.laps[f"{name}_wall_s"] = cpu - self._cpu, wall - self._wall
        self._cpu, self._wall = cpu, wall
        return self.laps


def _search(index: Any) -> None:
    from index.keyword import tokenize

    ids = index.chunk_bm25.get_tokens_ids(tokenize([QUERY])[0])
    assert index.chunk_bm25.get_scores(ids).max() > 0


def _summary(runs: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    med = {m: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for m, rs in runs.items()}
    out: dict[str, Any] = {m: {k: round(v, 3) for k, v in d.items()} for m, d in med.items()}
    out["rebuild_over_load"] = round(med["rebuild"]["ready_s"] / med["load"]["ready_s"], 1)
    first = {m: d["ready_s"] + d["first_query_s"] for m, d in med.items()}
    out["cpu_seconds"] = "times are CPU seconds of the new process; *_wall_s include waiting for a shared CPU"
    out["first_answer_rebuild_over_load"] = round(first["rebuild"] / first["load"], 1)
    return out


def _synthetic(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    import pickle

    from index.keyword import KeywordIndex
    from index.keyword_store import save

    chunks = synthetic_chunks(args.corpus, args.synthetic)
    (tmp / "chunks.pickle").write_bytes(pickle.dumps(chunks))
    t0 = time.process_time()
    index = KeywordIndex.build(chunks, generation="synthetic")
    built = time.process_time() - t0
    save(index, tmp / "index")
    cut = chunks[int(len(chunks) * 0.99)].doc_id
    older = KeywordIndex.build([c for c in chunks if c.doc_id < cut])
    t0 = time.process_time()
    KeywordIndex.build(chunks, previous=older)
    incremental = time.process_time() - t0
    runs = {"rebuild": [_run("synthetic-rebuild", tmp, "hashing") for _ in range(args.repeat)],
            "load": [_run("synthetic-load", tmp / "index", "hashing") for _ in range(args.repeat)]}
    out = {"articles": index.n_articles, "chunks": len(index), "build_in_parent_s": round(built, 2),
           "incremental_1pct_s": round(incremental, 2),
           "index_mb": round(sum(f.stat().st_size for f in (tmp / "index").rglob("*") if f.is_file()) / 1e6, 1)}
    out.update(_summary(runs))
    return out


if __name__ == "__main__":
    main()
