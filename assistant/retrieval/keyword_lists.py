"""The BM25 lists of hybrid retrieval, over the keyword index (``bm25s`` directly, not llama-index's
BM25Retriever: it fixes at construction the per-query weight mask that filters and per-outlet lists
need, and converts every hit to a llama-index node)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from index import Chunk, KeywordIndex, stemmer


def best_chunks(index: KeywordIndex, query: str, mask: np.ndarray | None, pool: int) -> list[Chunk]:
    """The ``pool`` chunks that best match ``query`` by BM25 among those ``mask`` admits (None: all)."""
    import bm25s

    tokens = bm25s.tokenize(query, stopwords="en", stemmer=stemmer(), show_progress=False)
    if not tokens.vocab:
        return []
    if mask is not None and not mask.any():
        return []
    n = min(pool, len(index))
    weight_mask = None if mask is None else mask.astype(float)
    idx, scores = index.chunk_bm25.retrieve(tokens, k=n, show_progress=False, weight_mask=weight_mask)
    return [replace(index.columns.chunk(int(i)), score=float(s)) for i, s in zip(idx[0], scores[0]) if s > 0]


def best_articles(index: KeywordIndex, query: str, mask: np.ndarray | None, pool: int) -> list[Chunk]:
    """The chunks of the articles that best match ``query`` as a whole: the best chunk of each
    of the top articles in article order, then their second-best chunks, and so on."""
    import bm25s

    tokens = bm25s.tokenize(query, stopwords="en", stemmer=stemmer(), return_ids=False, show_progress=False)
    terms = tokens[0] if tokens else []
    if not terms or not index.n_articles or not index.article_bm25.get_tokens_ids(terms):
        return []
    article_scores = index.article_bm25.get_scores(terms)
    if mask is not None:
        article_scores = article_scores * np.logical_or.reduceat(mask, index.article_starts)
    top = [int(a) for a in np.argsort(-article_scores)[: max(1, pool // 4)] if article_scores[a] > 0]
    if not top:
        return []
    ids = index.chunk_bm25.get_tokens_ids(terms)
    chunk_scores = index.chunk_bm25.get_scores(ids) if ids else np.zeros(len(index))
    ranked: list[tuple[int, int, int]] = []  # (place in its article, article rank, chunk)
    for rank, a in enumerate(top):
        ix = np.arange(index.article_starts[a], index.article_ends[a])
        if mask is not None:
            ix = ix[mask[ix]]
        for place, i in enumerate(ix[np.argsort(-chunk_scores[ix], kind="stable")]):
            ranked.append((place, rank, int(i)))
    ranked.sort()
    return [index.columns.chunk(i) for _p, _r, i in ranked[:pool]]
