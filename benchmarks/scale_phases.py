"""The phases of benchmarks/bench_scale.py, each run in a process of its own; each returns a JSON-able
dict. Heavy imports are made inside each phase, so ``startup`` times the product's own imports."""

from __future__ import annotations

import functools
import json
import shutil
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.machine import cpu_seconds, peak_rss_mb, process_age_s

PER_FILE = 5000  # articles per JSON Lines file (the loader reads collections of up to 512 MB)


def prepare(
    corpus: str, originals: str, data: str, sample: int, spread: int, originals_from: str = ""
) -> dict[str, Any]:
    """The originals' real MiniLM vectors (read from ``originals_from``, a data dir holding the
    corpus ingested with MiniLM, or else embedded here), then ``sample`` synthetic articles spread
    over the first ``spread`` ingested with the real embedder: ingest throughput against the bare
    embedder on the same texts, and the real vectors of copies that calibrate the derived ones."""
    import numpy as np

    from benchmarks.bench_ingest import measure
    from benchmarks.derived import DerivedEmbedder, calibrate
    from benchmarks.synthetic import chunked, load_corpus, original_articles, synthetic_articles, write_records
    from index.chunker import embedding_text
    from index.config import IndexSettings
    from index.embedders import make_embedder

    records, folder = load_corpus(Path(corpus)), Path(data).with_name("sample-corpus")
    _fresh(Path(data), folder)
    config = IndexSettings.load(env={}, data_dir=Path(data))
    embedder = make_embedder(config)
    wall, cpu = time.perf_counter(), time.process_time()
    if originals_from:
        texts, vectors = _stored_vectors(Path(originals_from), Path(data).with_name("originals-source"), embedder)
    else:
        texts = [embedding_text(c) for c in chunked(original_articles(records))]
        vectors = embedder.embed(texts)
    got = {"originals": len(texts), "originals_from": originals_from or "embedded here",
           "originals_wall_s": round(time.perf_counter() - wall, 1),
           "originals_cpu_s": round(time.process_time() - cpu, 1)}

    write_records(synthetic_articles(records, sorted({i * spread // sample for i in range(sample)})),
                  folder / "sample.jsonl")
    result, sample_texts, real = measure([folder], config, embedder)
    derived = DerivedEmbedder(texts, vectors, embedder.name, 0.0, lambda: embedder)
    copies = [i for i, t in enumerate(sample_texts) if not derived.is_original(t)]
    result["calibration"] = calibrate(derived, [sample_texts[i] for i in copies], real[copies])
    out = Path(originals)
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "vectors.npy", vectors)
    (out / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    meta = {"name": embedder.name, "scale": derived.scale, "corpus": corpus}
    (out / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return {**got, **result, "cpu_s": round(cpu_seconds(), 1), "peak_rss_mb": peak_rss_mb()}


def _stored_vectors(source: Path, copy: Path, embedder: Any) -> tuple[list[str], Any]:
    """Every chunk's embedding text and stored vector in a data dir (read from a copy of it: opening
    an embedded Chroma may write to it), checked to be the embedder's."""
    import numpy as np

    from index.chunker import embedding_text
    from index.config import IndexSettings
    from index.store import ChromaStore

    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(source, copy)
    store = ChromaStore.open(IndexSettings.load(env={}, data_dir=copy), embedder.name, embedder.dim, create=False)
    chunks = store.all_chunks()
    by_id: dict[str, Any] = {}
    for lo in range(0, len(chunks), PER_FILE):
        got = store._chunks.get(ids=[c.chunk_id for c in chunks[lo : lo + PER_FILE]], include=["embeddings"])
        by_id.update(zip(got["ids"], got["embeddings"]))
    texts = [embedding_text(c) for c in chunks]
    vectors = np.asarray([by_id[c.chunk_id] for c in chunks], dtype=np.float32)
    shutil.rmtree(copy, ignore_errors=True)
    return texts, vectors


def build(corpus: str, originals: str, n: int, data: str) -> dict[str, Any]:
    """Write ``n`` synthetic articles as JSON Lines, then ingest them into an empty data dir through
    ``index.ingest.ingest`` with the derived vectors. Reports the ingest's wall and CPU seconds,
    where they went, its peak memory and the data dir's size on disk."""
    import importlib

    import numpy as np

    from benchmarks.derived import DerivedEmbedder
    from benchmarks.synthetic import load_corpus, synthetic_articles, write_records
    from index.config import IndexSettings
    from index.embedders import make_embedder
    from index.store import ChromaStore

    ingest_module = importlib.import_module("index.ingest")  # the module: ``index.ingest`` is also the function
    records, folder = load_corpus(Path(corpus)), Path(data).with_name(f"corpus-{n}")
    _fresh(Path(data), folder)
    started = time.perf_counter()
    for lo in range(0, n, PER_FILE):
        write_records(synthetic_articles(records, range(lo, min(n, lo + PER_FILE))), folder / f"part-{lo:07d}.jsonl")
    written = time.perf_counter() - started
    meta = json.loads((Path(originals) / "meta.json").read_text(encoding="utf-8"))
    texts = json.loads((Path(originals) / "texts.json").read_text(encoding="utf-8"))
    config = IndexSettings.load(env={}, data_dir=Path(data))
    embedder = DerivedEmbedder(texts, np.load(Path(originals) / "vectors.npy"), meta["name"], meta["scale"],
                               lambda: make_embedder(config))
    spent = _Spent()
    steps = [(ingest_module, "load_articles", "load"), (ingest_module, "_clean", "clean"),
             (ingest_module, "_clusters", "dedup (signatures, clusters)"),
             (ingest_module, "check_store", "consistency checks"), (ChromaStore, "put_articles", "Chroma writes"),
             (ingest_module, "refresh_keyword_index", "keyword index")]
    with _timing(steps, spent):
        wall0, cpu0 = time.perf_counter(), cpu_seconds()
        report = ingest_module.ingest([folder], config, embedder=embedder, progress=False)
        wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
    spent.wall["derived vectors (worker thread)"] = report.embed_seconds
    spent.cpu["derived vectors (worker thread)"] = embedder.cpu_seconds
    outside = cpu - embedder.cpu_seconds  # CPU seconds of everything but the vectors
    sizes = sorted((len(m) for m in report.clusters.values()), reverse=True)
    return {
        "articles": len(report.added), "chunks": report.chunks, "skipped": len(report.skipped),
        "duplicates": len(report.duplicates), "clusters_of_copies": len(report.clusters),
        "largest_cluster": sizes[0] if sizes else 1, "write_records_s": round(written, 1),
        "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "seconds_in": spent.per(1),
        "vectors": dict(embedder.counts), "derived_vectors_cpu_s": round(embedder.cpu_seconds, 1),
        "cpu_outside_vectors_s": round(outside, 1), "peak_rss_mb": peak_rss_mb(),
        "peak_rss_mb_when_each_step_last_returned": spent.peak_rss_mb,
        "disk_mb": _mb(Path(data)), "chroma_mb": _mb(Path(data) / "chroma"), "keyword_mb": _mb(Path(data) / "keyword"),
    }


def startup(data: str, queries: str) -> dict[str, Any]:
    """A new process: imports, the store and query embedder opened, one retrieval. Wall seconds
    from the process's start, CPU seconds of the whole process (interpreter start-up included),
    less the benchmark's reading of the question from the 4 MB query file (done first, timed apart
    as ``question``: a user's question costs nothing to read)."""
    wall, cpu = time.perf_counter(), time.process_time()
    question = json.loads(Path(queries).read_text(encoding="utf-8"))[0]["query"]
    read_wall, read_cpu = time.perf_counter() - wall, time.process_time() - cpu
    laps: dict[str, float] = {"question_wall_s": read_wall, "question_cpu_s": read_cpu}
    lap = _laps(laps)
    from assistant import Assistant, Config

    lap("imports")
    config = Config.load(env={}, data_dir=Path(data), backend="extractive")
    bot = Assistant.from_config(config)
    lap("open")
    found = bot.retrieve(question, k=config.top_k)
    lap("first_retrieval")
    assert found, "the first retrieval found nothing"
    return {**laps, "total_wall_s": process_age_s() - read_wall, "total_cpu_s": cpu_seconds() - read_cpu,
            "peak_rss_mb": peak_rss_mb()}


def retrieval(data: str, queries: str, n_queries: int) -> dict[str, Any]:
    """``n_queries`` MultiHop-RAG query texts (spread over the file) through ``Assistant.retrieve``
    with the default settings, after one warm-up query: wall and CPU ms per query, and the mean ms
    per query of each step of the retriever."""
    from assistant import Assistant, Config
    from assistant.evaluation.multihop import load_queries
    from assistant.retrieval import HybridRetriever
    from index.embedders import MiniLMEmbedder

    every = load_queries(Path(queries))
    texts = [every[i * len(every) // n_queries].query for i in range(n_queries)]
    config = Config.load(env={}, data_dir=Path(data), backend="extractive")
    bot = Assistant.from_config(config)
    bot.retrieve(texts[0], k=config.top_k)
    spent = _Spent()
    steps = [(HybridRetriever, m, m.strip("_")) for m in ("_ensure_index", "_parse", "_keyword", "_vector",
                                                          "_by_article", "_await_vectors", "_collapse")]
    walls, cpus = [], []
    with _timing([*steps, (MiniLMEmbedder, "embed", "query embedding")], spent):
        for text in texts:
            wall0, cpu0 = time.perf_counter(), time.process_time()
            bot.retrieve(text, k=config.top_k)
            walls.append((time.perf_counter() - wall0) * 1000)
            cpus.append((time.process_time() - cpu0) * 1000)
    named = sum(1 for t in texts if bot._retriever.parse(t).parts)
    return {
        "queries": n_queries, "queries_naming_an_outlet": named, **_percentiles(walls, ""),
        **_percentiles(cpus, "cpu_"), "ms_per_query_in": spent.per(n_queries, 1000.0),
        "peak_rss_mb": peak_rss_mb(),
    }


def _percentiles(values: list[float], prefix: str) -> dict[str, float]:
    ordered = sorted(values)
    return {f"{prefix}p50_ms": round(statistics.median(ordered), 1),
            f"{prefix}p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
            f"{prefix}mean_ms": round(statistics.fmean(ordered), 1), f"{prefix}max_ms": round(ordered[-1], 1)}


def _laps(laps: dict[str, float]) -> Callable[[str], None]:
    clock = [time.perf_counter(), time.process_time()]

    def lap(name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        laps[f"{name}_wall_s"], laps[f"{name}_cpu_s"] = wall - clock[0], cpu - clock[1]
        clock[:] = [wall, cpu]

    return lap


@dataclass
class _Spent:
    """Wall and CPU seconds of each timed step, and this process's peak memory when it last returned."""

    wall: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    cpu: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    peak_rss_mb: dict[str, float] = field(default_factory=dict)

    def per(self, n: int, unit: float = 1.0) -> dict[str, dict[str, float]]:
        rounded = {k: round(v * unit / n, 2) for k, v in self.wall.items()}
        return {"wall": rounded, "cpu": {k: round(v * unit / n, 2) for k, v in self.cpu.items()}}


@contextmanager
def _timing(targets: list[tuple[Any, str, str]], spent: _Spent) -> Iterator[None]:
    """While in the block, every call of each ``owner.name`` in ``targets`` adds its wall and CPU
    seconds (all of this process's threads) to ``spent`` under its label."""
    originals = [(owner, name, getattr(owner, name)) for owner, name, _label in targets]
    for (owner, name, original), (_o, _n, label) in zip(originals, targets):
        setattr(owner, name, _timed(original, label, spent))
    try:
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def _timed(original: Callable[..., Any], label: str, spent: _Spent) -> Callable[..., Any]:
    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent.wall[label] += time.perf_counter() - wall
            spent.cpu[label] += time.process_time() - cpu
            spent.peak_rss_mb[label] = peak_rss_mb()

    return timed


def _fresh(*folders: Path) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    folders[-1].mkdir(parents=True)


def _mb(folder: Path) -> float:
    """Disk space used under ``folder`` (allocated blocks, so sparse files count what they hold)."""
    return round(sum(f.stat().st_blocks * 512 for f in folder.rglob("*") if f.is_file()) / 1e6, 1)
