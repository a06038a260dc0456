"""Retrieval at scale (issue 12, item 6): collections of 10,000 (and 100,000) synthetic articles
built through the real write path, then a new process's start-up and the retrieval latency there.

    nice -n 19 .venv/bin/python -m benchmarks.bench_scale --sizes 10000 --work DIR [--keep]
    nice -n 19 .venv/bin/python -m benchmarks.bench_scale --sizes 10000,100000 --work DIR

Articles: the MultiHop-RAG corpus replicated by :mod:`benchmarks.synthetic` (each copy with its own
title, outlet, date, URL and sentence order; no two texts equal, so all are stored; copies of one
record are near-duplicates, so ingest clusters them as syndicated copies), written as JSON Lines
and ingested by ``index.ingest.ingest``: the real loader, cleaner, dedup, chunker, embedded Chroma
and saved keyword index.

Vectors: NOT every chunk is embedded by MiniLM (that would take ~1.5 hours per 10,000 articles on
2 idle cores). The original corpus chunks' real MiniLM vectors are embedded once (or read with
``--originals-from`` from a data dir where the corpus was ingested with MiniLM). ``--sample``
synthetic articles, spread over the first ``max(--sizes)``, are ingested with the real embedder,
measuring ingest throughput against the bare embedder on the same texts in the same run (as
``benchmarks/bench_ingest.py`` does). The big collections are then built with
:class:`benchmarks.derived.DerivedEmbedder`: every synthetic chunk gets the real vector of the
original chunk it was derived from plus a small deterministic perturbation, sized so that a derived
vector lies as far from its original as the sample's real vectors of copies lie from theirs, so the
vector index has realistic geometry at full size. Build times therefore exclude embedding; the
sample says what embedding costs, and each build reports the share of its CPU that real embedding
would take at that size.

Per size: build wall and CPU seconds (with where the time went), disk, the building process's peak
memory; a NEW process's start-up (imports, opening the store and the MiniLM query embedder, first
retrieval: wall and CPU seconds, median of ``--repeat`` processes); retrieval p50/p95 over
``--queries`` MultiHop-RAG query texts through ``Assistant.retrieve`` with the default settings
(the hybrid retriever a question goes through: BM25, vectors, outlet/part/date/article lists,
fusion, collapse; no model), in one process, after one warm-up query; and the growth between sizes.
Writes ``--out`` (JSON) and prints markdown tables. Every child process stops itself when its
memory passes ``--max-rss-gb``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.machine import cpu_description, rss_mb
from benchmarks.synthetic import DEFAULT_CORPUS

ROOT = Path(__file__).resolve().parents[1]
QUERIES = DEFAULT_CORPUS.parent / "queries_dev.json"
PER_FILE = 5000  # articles per JSON Lines file
log = logging.getLogger("bench_scale")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000", help="comma-separated article counts (default 10000)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--queries", type=Path, default=QUERIES, help="MultiHop-RAG queries (their texts)")
    parser.add_argument("--n-queries", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="new processes timed for start-up")
    parser.add_argument("--sample", type=int, default=300, help="synthetic articles ingested with real MiniLM")
    parser.add_argument("--originals-from", type=Path,
                        help="a data dir holding the corpus ingested with MiniLM: its vectors are the originals' "
                             "(default: the corpus is embedded here)")
    parser.add_argument("--work", type=Path, help="where the collections are built (default: a temporary dir)")
    parser.add_argument("--keep", action="store_true", help="keep the built collections under --work")
    parser.add_argument("--reuse", action="store_true", help="reuse phases already done under --work")
    parser.add_argument("--out", type=Path, default=Path("eval-out/bench_scale.json"))
    parser.add_argument("--max-rss-gb", type=float, default=10.0)
    parser.add_argument("--child", nargs=2, metavar=("PHASE", "JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    log.setLevel(logging.INFO)
    if args.child:
        _watch_memory(args.max_rss_gb)
        from benchmarks import scale_phases

        print(json.dumps(getattr(scale_phases, args.child[0])(**json.loads(args.child[1]))))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.work is None:
        with tempfile.TemporaryDirectory() as tmp:
            results = _run(args, sizes, Path(tmp))
    else:
        results = _run(args, sizes, args.work)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(markdown(results))
    print(f"\n(results in {args.out})")


def _run(args: argparse.Namespace, sizes: list[int], work: Path) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    originals = work / "originals"
    common = {"corpus": str(args.corpus), "originals": str(originals)}
    results: dict[str, Any] = {"cpu": cpu_description(), "load_average_at_start": os.getloadavg()[0],
                               "command": " ".join(sys.argv)}
    results["sample"] = _phase(args, work / "sample.json", "prepare",
                               {**common, "data": str(work / "sample-data"), "sample": args.sample,
                                "spread": max(sizes), "originals_from": str(args.originals_from or "")})
    results["sizes"] = {}
    for n in sizes:
        data = work / f"data-{n}"
        out: dict[str, Any] = {"articles": n}
        out["build"] = _phase(args, work / f"build-{n}.json", "build", {**common, "n": n, "data": str(data)})
        runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            laps = _child(args, "startup", {"data": str(data), "queries": str(args.queries)})
            runs.append({**laps, "process_wall_s": time.perf_counter() - started})
        out["startup"] = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0] if k != "load_average"}
        out["startup"]["load_average"] = [r["load_average"] for r in runs]
        out["retrieval"] = _child(args, "retrieval", {"data": str(data), "queries": str(args.queries),
                                                      "n_queries": args.n_queries})
        results["sizes"][str(n)] = out
        (work / f"result-{n}.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
        log.info("%d articles: %s", n, json.dumps(out))
        if not args.keep:
            for folder in (data, work / f"corpus-{n}"):
                shutil.rmtree(folder, ignore_errors=True)
    for out in results["sizes"].values():
        out["build"]["embedding_share_of_ingest_cpu"] = embedding_share(results["sample"], out["build"])
    if len(sizes) > 1:
        results["growth"] = growth(results["sizes"][str(sizes[0])], results["sizes"][str(sizes[-1])])
    return results


def _phase(args: argparse.Namespace, saved: Path, phase: str, params: dict[str, Any]) -> dict[str, Any]:
    """A phase's result, from ``saved`` with ``--reuse`` when it is there with the data it made."""
    if args.reuse and saved.exists() and Path(params["data"]).exists():
        log.info("reusing %s", saved)
        return dict(json.loads(saved.read_text(encoding="utf-8")))
    result = _child(args, phase, params)
    saved.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


def _child(args: argparse.Namespace, phase: str, params: dict[str, Any]) -> dict[str, Any]:
    """One phase in a new process (so its memory and start-up are its own)."""
    log.info("%s %s", phase, params)
    cmd = [sys.executable, "-m", "benchmarks.bench_scale", "--max-rss-gb", str(args.max_rss_gb),
           "--child", phase, json.dumps(params)]
    load = os.getloadavg()[0]
    done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"phase {phase} failed (exit {done.returncode}); see its log above")
    # the 1-minute load average before and after: on a shared machine, how much wall time is waiting
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "load_average": [load, os.getloadavg()[0]]}


def _watch_memory(limit_gb: float) -> None:
    """Stop this process when its resident memory passes ``limit_gb`` (the machine is shared)."""

    def watch() -> None:
        while True:
            if rss_mb() > limit_gb * 1000:
                log.error("resident memory %.0f MB passed %.1f GB: stopping", rss_mb(), limit_gb)
                os._exit(3)
            time.sleep(1.0)

    threading.Thread(target=watch, daemon=True).start()


GROWTH_KEYS = {
    "chunks": ("build", "chunks"),
    "build wall s": ("build", "wall_s"),
    "build CPU s": ("build", "cpu_s"),
    "build peak RSS MB": ("build", "peak_rss_mb"),
    "disk MB": ("build", "disk_mb"),
    "start-up to first retrieval, wall s": ("startup", "total_wall_s"),
    "start-up to first retrieval, CPU s": ("startup", "total_cpu_s"),
    "retrieval p50 ms": ("retrieval", "p50_ms"),
    "retrieval p95 ms": ("retrieval", "p95_ms"),
    "retrieval CPU p50 ms": ("retrieval", "cpu_p50_ms"),
    "retrieval process peak RSS MB": ("retrieval", "peak_rss_mb"),
}


def embedding_share(sample: dict[str, Any], build: dict[str, Any]) -> float:
    """What share of an ingest's CPU the real embedder would take at this size: the sample's bare
    embedder CPU per chunk times the chunks, against that plus the build's CPU outside its derived
    vectors. Ingest is CPU-bound on 2 cores, so this bounds its throughput against the bare embedder
    (the measured ratio can be higher: the store's writes overlap the embedder's batches)."""
    embedding = sample["raw_embedder_cpu_seconds"] / sample["chunks"] * build["chunks"]
    return round(embedding / (embedding + build["cpu_outside_vectors_s"]), 3)


def growth(small: dict[str, Any], big: dict[str, Any]) -> dict[str, float]:
    """big / small for every headline figure."""
    return {label: round(big[a][b] / small[a][b], 2) for label, (a, b) in GROWTH_KEYS.items() if small[a][b]}


def markdown(results: dict[str, Any]) -> str:
    s = results["sample"]
    lines = [f"CPU: {results['cpu']}", "",
             "| ingest with the real MiniLM | articles | chunks | pipeline chunks/s | bare embedder chunks/s "
             "| ratio (wall) | bare embedder CPU s / ingest CPU s |", "|---|---|---|---|---|---|---|",
             f"| the sample | {s['articles']} | {s['chunks']} | {s['pipeline_chunks_per_s']} | "
             f"{s['raw_embedder_chunks_per_s']} | {s['ratio']} | "
             f"{s['raw_embedder_cpu_seconds'] / s['pipeline_cpu_seconds']:.3f} |", "",
             "| articles | chunks | build wall / CPU s | build peak RSS | disk | new process: first retrieval, "
             "wall / CPU s | retrieval p50 / p95 ms (CPU p50) | retrieving process RSS | embedding's share of "
             "ingest CPU (projected) |", "|---|---|---|---|---|---|---|---|---|"]
    for n, r in results["sizes"].items():
        b, st, rt = r["build"], r["startup"], r["retrieval"]
        lines.append(
            f"| {int(n):,} | {b['chunks']:,} | {b['wall_s']:.0f} / {b['cpu_s']:.0f} | {b['peak_rss_mb']:,.0f} MB "
            f"| {b['disk_mb']:,.0f} MB | {st['total_wall_s']:.2f} / {st['total_cpu_s']:.2f} "
            f"| {rt['p50_ms']:.0f} / {rt['p95_ms']:.0f} ({rt['cpu_p50_ms']:.0f}) | {rt['peak_rss_mb']:,.0f} MB "
            f"| {b['embedding_share_of_ingest_cpu']} |")
    if "growth" in results:
        lines += ["", "| growth, largest / smallest | x |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in results["growth"].items()]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
