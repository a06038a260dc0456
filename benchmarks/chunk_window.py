"""How many chunks overflow the embedder's window: real MiniLM word pieces per chunk, per chunk size.

    .venv/bin/python benchmarks/chunk_window.py --index /work/mh-data [--sizes 160,224] [--queries Q.json] [--time N]

Reads the chunks stored in an index (nothing ingested) and counts the word pieces of what the
embedder is given (:func:`index.chunker.embedding_text`: the header line, then the chunk) with the
MiniLM tokenizer the embedder loads, truncation off, ``[CLS]`` and ``[SEP]`` included; a chunk over
:attr:`MiniLMEmbedder.max_tokens` (256) is embedded as overlapping windows (it was cut silently before
issue 12's windows). With ``--time N`` N stored chunks (a seeded sample) are embedded in alternating
rounds as the embedder does (windows) and cut at the window as before; CPU seconds of each, the
cost of the windows. With ``--sizes`` the stored
articles are also cut again at each ``chunk_tokens`` by the product's chunker (the cheap
:func:`~index.chunker.approx_tokens` budget it uses), so sizes without an index can be counted
too. With ``--queries`` (MultiHop-RAG dev queries) each size also gets its fact ceiling: the share
of gold facts that lie whole inside some chunk (the paper's rule, spaces removed) and of non-null
queries with at least one such fact, which bounds Hits@k whatever the ranking.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from assistant.evaluation.multihop import NULL_TYPE, load_queries
from index.chunker import chunk_article, embedding_text
from index.config import IndexSettings
from index.embedders import MiniLMEmbedder, make_embedder, minilm_tokenizer
from index.store import ChromaStore


def row(label: str, texts: Sequence[str], tokenizer: object) -> str:
    counts = [len(e.ids) for e in tokenizer.encode_batch(list(texts))]  # type: ignore[attr-defined]
    window = MiniLMEmbedder.max_tokens
    over = sum(c > window for c in counts)
    q = statistics.quantiles(counts, n=20)
    return (f"| {label} | {len(counts):,} | {statistics.mean(counts):.0f} | {statistics.median(counts):.0f} | "
            f"{q[18]:.0f} | {max(counts)} | {over:,} | {over / max(1, len(counts)):.2%} |")


def embed_cost(embedder: MiniLMEmbedder, texts: Sequence[str], rounds: int = 2) -> str:
    """CPU seconds to embed ``texts`` with windows (the embedder) and cut at the window (before)."""
    def windowed() -> None:
        for lo in range(0, len(texts), 256):  # the groups ingest embeds
            embedder.embed(texts[lo : lo + 256])

    def cut() -> None:
        window = embedder.max_tokens
        for lo in range(0, len(texts), 256):
            encodings = embedder._tokenizer.encode_batch(list(texts[lo : lo + 256]))  # type: ignore[attr-defined]
            embedder._pool([e.ids if len(e.ids) <= window else [*e.ids[: window - 1], e.ids[-1]] for e in encodings])

    spent = {"windows": 0.0, "cut": 0.0}
    embedder.embed(["warm-up"])
    for _ in range(rounds):
        for name, run in (("windows", windowed), ("cut", cut)):
            started = time.process_time()
            run()
            spent[name] += time.process_time() - started
    return (f"embedding {len(texts):,} chunks, {rounds} rounds: windows {spent['windows']:.1f} CPU s, "
            f"cut at the window {spent['cut']:.1f} CPU s, ratio cut / windows {spent['cut'] / spent['windows']:.3f}")


def _squash(text: str) -> str:
    return "".join(text.split())


def fact_articles(articles: dict[str, str], facts_per_query: Sequence[Sequence[str]]) -> list[list[list[str]]]:
    """Per query, per fact, the articles whose text holds the fact (spaces removed): a chunk is a
    slice of its article, so only these articles' chunks can hold it."""
    squashed = {doc: _squash(text) for doc, text in articles.items()}
    return [[[d for d, text in squashed.items() if _squash(f) in text] for f in facts] for facts in facts_per_query]


def ceiling(chunks_by_doc: dict[str, list[str]], facts_per_query: Sequence[Sequence[str]],
            where: Sequence[Sequence[Sequence[str]]]) -> tuple[float, float]:
    """(share of facts inside some chunk, share of queries with at least one such fact)."""
    squashed = {doc: [_squash(c) for c in chunks] for doc, chunks in chunks_by_doc.items()}
    found = facts = reached = 0
    for query_facts, docs_per_fact in zip(facts_per_query, where):
        got = sum(any(_squash(f) in c for d in docs for c in squashed[d])
                  for f, docs in zip(query_facts, docs_per_fact))
        found, facts, reached = found + got, facts + len(query_facts), reached + (got > 0)
    return found / max(1, facts), reached / max(1, len(facts_per_query))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True, help="a data dir holding a collection")
    parser.add_argument("--collection", default="newsdesk")
    parser.add_argument("--sizes", default="", help="chunk_tokens values to cut the stored articles at again")
    parser.add_argument("--queries", type=Path, help="MultiHop-RAG queries: also each size's fact ceiling")
    parser.add_argument("--time", type=int, default=0, metavar="N",
                        help="CPU cost of the windows against cutting, on N stored chunks")
    ns = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    config = IndexSettings.load().replace(data_dir=ns.index, chroma_host=None, collection=ns.collection)
    embedder = make_embedder(config)
    store = ChromaStore.open(config, embedder.name, embedder.dim, create=False)
    tokenizer = minilm_tokenizer()  # the embedder's own, truncation off
    print(f"window {MiniLMEmbedder.max_tokens} word pieces with [CLS] and [SEP]\n")
    print("| chunks | count | mean | median | p95 | max | over the window | share |\n|---|---|---|---|---|---|---|---|")
    stored = [embedding_text(c) for c in store.all_chunks()]
    print(row(f"stored in {ns.index}", stored, tokenizer), flush=True)
    if ns.time and isinstance(embedder, MiniLMEmbedder):
        sample = random.Random(12).sample(stored, min(ns.time, len(stored)))
        print("\n" + embed_cost(embedder, sample), flush=True)
    if not ns.sizes:
        return
    articles = [got for doc_id in sorted(store.articles()) if (got := store.stored_article(doc_id))]
    facts = [q.facts for q in load_queries(ns.queries) if q.type != NULL_TYPE] if ns.queries else []
    where = fact_articles({a.doc_id: a.text for a, _c, _s in articles}, facts) if facts else []
    ceilings = []
    for size in (int(s) for s in ns.sizes.split(",")):
        chunks = {article.doc_id: chunk_article(article, max_tokens=size, cluster_id=cluster,
                                                overlap_sentences=config.chunk_overlap_sentences)
                  for article, cluster, _sig in articles}
        texts = [embedding_text(c) for cs in chunks.values() for c in cs]
        print(row(f"cut again at chunk_tokens {size}", texts, tokenizer), flush=True)
        if facts:
            ceilings.append((size, *ceiling({d: [c.text for c in cs] for d, cs in chunks.items()}, facts, where)))
    if ceilings:
        print(f"\n| chunk_tokens | facts inside one chunk | queries with one such fact ({len(facts)}) |\n|---|---|---|")
        for size, fact_share, query_share in ceilings:
            print(f"| {size} | {fact_share:.3f} | {query_share:.3f} |")


if __name__ == "__main__":
    main()
