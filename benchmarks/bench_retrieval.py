"""MultiHop-RAG retrieval: each ranked list alone, the fusion weights chosen by a grid on ``tune``.

    .venv/bin/python benchmarks/bench_retrieval.py --index /work/mh-data-i12 [--grid] [--pool 40]

Reads the chunks of an existing index (``newsdesk eval --index DIR`` builds one; nothing is
ingested), computes every ranked list of every non-null dev query once (BM25, vectors, per named
outlet, per part of the question, per named date, the name list), then fuses them many ways; a
query is scored by the paper's rule (a retrieved chunk holds a gold fact), exactly as
``newsdesk eval --retrieval-only`` does. With ``--grid`` the weights and RRF k are chosen by
coordinate ascent on the ``tune`` half only (objective: Hits@4 + Hits@10 + MRR@10); the table then
shows the chosen setting on ``tune``, ``confirm`` and all queries beside the shipped defaults, the
previous defaults, BM25 alone and vectors alone, all in the same run.

With ``--keyword-only`` no vector list is computed (the index may have been built with the
``hashing`` embedder, whose vectors mean nothing: ``NEWSDESK_EMBEDDER=hashing``): only BM25 alone
and the shipped weights with every vector weight at 0 are scored. That row is also shown in a
full run, so what the vector lists add over the keyword lists is known on a MiniLM index.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.config import Config
from assistant.evaluation.multihop import NULL_TYPE, TOP, MultihopQuery, load_queries, split
from assistant.evaluation.scoring import multihop_retrieval_score
from assistant.retrieval import Candidates, FusionWeights, HybridRetriever
from index.embedders import make_embedder
from index.store import ChromaStore

ROOT = Path(__file__).resolve().parents[1]
QUERIES = Path("/work/shared/data/multihop-rag/queries_dev.json")
# The settings before issue 12 (weights and lists as they were).
PREVIOUS = FusionWeights(keyword=1.0, vector=0.5, outlet_keyword=1.0, outlet_vector=0.5, part_keyword=0.0,
                         part_vector=0.0, date_keyword=0.0, article=0.0, part_article=0.0, names=0.5,
                         rrf_k=60, represent=False)
GRID: dict[str, Sequence[float | int | bool]] = {
    "keyword": (0.5, 1.0, 1.5, 2.0),
    "vector": (0.0, 0.25, 0.5, 1.0),
    "outlet_keyword": (0.0, 0.5, 1.0, 2.0),
    "outlet_vector": (0.0, 0.25, 0.5, 1.0),
    "part_keyword": (0.0, 0.5, 1.0, 2.0),
    "part_vector": (0.0, 0.25, 0.5, 1.0),
    "date_keyword": (0.0, 0.25, 0.5, 1.0),
    "article": (0.0, 0.25, 0.5, 0.75, 1.0, 2.0),
    "part_article": (0.0, 0.25, 0.5, 0.75, 1.0, 2.0),
    "names": (0.0, 0.25, 0.5, 1.0),
    "rrf_k": (3, 5, 10, 15, 20, 40, 60),
    "represent": (False, True),
}

Scored = tuple[float, float, float]  # Hits@4, Hits@10, MRR@10


def score(
    retriever: HybridRetriever, cached: Sequence[tuple[MultihopQuery, Candidates]], weights: FusionWeights
) -> Scored:
    h4 = h10 = rr = 0.0
    for q, cands in cached:
        s = multihop_retrieval_score([h.chunk.text for h in retriever.rank(cands, TOP, weights)], q.facts)
        h4, h10, rr = h4 + s.hit4, h10 + s.hit10, rr + s.rr10
    n = max(1, len(cached))
    return h4 / n, h10 / n, rr / n


def coordinate_ascent(
    start: FusionWeights, evaluate: Callable[[FusionWeights], Scored], rounds: int = 2
) -> FusionWeights:
    best, best_score = start, sum(evaluate(start))
    for _ in range(rounds):
        improved = False
        for field, values in GRID.items():
            for value in values:
                trial = dataclasses.replace(best, **{field: value})
                if trial == best:
                    continue
                total = sum(evaluate(trial))
                if total > best_score + 1e-9:
                    best, best_score, improved = trial, total, True
                    print(f"  {field}={value}: {total:.4f}", flush=True)
        if not improved:
            break
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True, help="a data dir holding the MultiHop-RAG collection")
    parser.add_argument("--collection", default="newsdesk")
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--pool", type=int, default=40, help="chunks per ranked list (default 40)")
    parser.add_argument("--grid", action="store_true", help="choose the weights on tune by coordinate ascent")
    parser.add_argument("--keyword-only", action="store_true",
                        help="compute and score the keyword lists only (no vectors: any embedder)")
    parser.add_argument("--start", choices=["previous", "shipped"], default="previous",
                        help="where the ascent starts: the weights before issue 12 or the shipped ones")
    ns = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    config = Config.load().replace(data_dir=ns.index, chroma_host=None, collection=ns.collection)
    embedder = make_embedder(config)
    store = ChromaStore.open(config, embedder.name, embedder.dim, create=False)
    retriever = HybridRetriever(store, embedder, pool=ns.pool)
    queries = load_queries(ns.queries)
    halves = {name: [q for q in split(queries, name) if q.type != NULL_TYPE] for name in ("tune", "confirm")}

    keywords = dataclasses.replace(retriever.weights, vector=0.0, outlet_vector=0.0, part_vector=0.0)
    only = keywords if ns.keyword_only else None  # a list whose weight is 0 is not computed
    started = time.perf_counter()
    cached = {name: [(q, retriever.candidates(" ".join(q.query.split()), weights=only)) for q in qs]
              for name, qs in halves.items()}
    print(f"ranked lists of {sum(map(len, cached.values()))} queries in {time.perf_counter() - started:.0f} s "
          f"({store.count()} chunks, pool {ns.pool})")
    cached["all"] = cached["tune"] + cached["confirm"]

    chosen = retriever.weights
    if ns.grid:
        print("coordinate ascent on tune (Hits@4 + Hits@10 + MRR@10):")
        start = PREVIOUS if ns.start == "previous" else retriever.weights
        chosen = coordinate_ascent(start, lambda w: score(retriever, cached["tune"], w))
        print(f"chosen: {chosen}")
    rows = {
        "BM25 alone": FusionWeights.only("keyword"),
        "vectors alone": FusionWeights.only("vector"),
        "previous default (before issue 12)": PREVIOUS,
        "shipped default": retriever.weights,
        "shipped, keyword lists only": keywords,
    }
    if ns.keyword_only:
        rows = {label: rows[label] for label in ("BM25 alone", "shipped, keyword lists only")}
    if ns.grid and chosen != retriever.weights:
        rows["chosen on tune"] = chosen
    print("\n| retriever | split | n | Hits@4 | Hits@10 | MRR@10 |\n|---|---|---|---|---|---|")
    for label, weights in rows.items():
        for name in ("tune", "confirm", "all"):
            h4, h10, rr = score(retriever, cached[name], weights)
            print(f"| {label} | {name} | {len(cached[name])} | {h4:.3f} | {h10:.3f} | {rr:.3f} |", flush=True)


if __name__ == "__main__":
    main()
