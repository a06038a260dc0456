"""The BM25 lists of hybrid retrieval, over the keyword index (``bm25s``'s saved scores, not
llama-index's BM25Retriever: it fixes at construction the per-query weight mask that filters and
per-outlet lists need, and converts every hit to a llama-index node).

One retrieval asks for several lists of the same text (the whole question, then restricted to each
outlet it names, to each date it names, and by article), so a :class:`KeywordScores` scores a text
over every chunk once, and each list then ranks only the rows its filter admits. Ranking is by
score, ties by row (the chunks' order in the keyword index), so a filtered list is exactly the
unfiltered ranking with the rows the filter refuses taken out.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from index import Chunk, KeywordIndex, stemmer


class KeywordScores:
    """The BM25 scores of query texts over the chunks and the articles, each text tokenized and
    scored once (one of these per retrieval: it holds a score array per text)."""

    def __init__(self, index: KeywordIndex) -> None:
        self.index = index
        self._terms: dict[str, list[str]] = {}
        self._chunks: dict[str, np.ndarray | None] = {}

    def terms(self, text: str) -> list[str]:
        """The BM25 terms of ``text`` in order, repeats kept (as ``bm25s`` scores a query)."""
        if text not in self._terms:
            import bm25s

            got = bm25s.tokenize(text, stopwords="en", stemmer=stemmer(), return_ids=False, show_progress=False)
            self._terms[text] = list(got[0]) if got else []
        return self._terms[text]

    def chunks(self, text: str) -> np.ndarray | None:
        """Every chunk's BM25 score for ``text`` (None: no term of it is indexed)."""
        if text not in self._chunks:
            bm25 = self.index.chunk_bm25
            ids = bm25.get_tokens_ids(self.terms(text)) if len(self.index) else []
            self._chunks[text] = bm25_scores(bm25, ids) if ids else None
        return self._chunks[text]


def bm25_scores(bm25: Any, ids: list[int]) -> np.ndarray:
    """The scores ``bm25.get_scores_from_ids(ids)`` gives, bit for bit (each term's postings added
    in the query's order, in the index's dtype), by one vectorised add per term: a term's postings
    name each document once, so ``np.add.at`` is not needed."""
    data, indices, indptr = bm25.scores["data"], bm25.scores["indices"], bm25.scores["indptr"]
    scores = np.zeros(bm25.scores["num_docs"], dtype=np.dtype(bm25.dtype))
    for t in ids:
        lo, hi = int(indptr[t]), int(indptr[t + 1])
        scores[indices[lo:hi]] += data[lo:hi]
    if bm25.nonoccurrence_array is not None:
        scores += bm25.nonoccurrence_array[np.asarray(ids)].sum()
    return scores


def top_rows(scores: np.ndarray, mask: np.ndarray | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` rows with the highest positive ``scores`` among those ``mask`` admits (None: all),
    best first, ties by row, and their scores. Only the admitted rows are ranked."""
    rows = np.flatnonzero(scores > 0) if mask is None else np.flatnonzero(mask)
    if mask is not None:
        rows = rows[scores[rows] > 0]
    values = scores[rows]
    if len(rows) > n > 0:
        kth = np.partition(values, len(values) - n)[len(values) - n]  # the n-th highest score
        keep = values >= kth  # every row tied with it too, so the tie is broken by row below
        rows, values = rows[keep], values[keep]
    order = np.lexsort((rows, -values))[: max(n, 0)]
    return rows[order], values[order]


def best_chunks(scored: KeywordScores, query: str, mask: np.ndarray | None, pool: int) -> list[Chunk]:
    """The ``pool`` chunks that best match ``query`` by BM25 among those ``mask`` admits (None: all)."""
    scores = scored.chunks(query)
    if scores is None:
        return []
    rows, values = top_rows(scores, mask, pool)
    chunk = scored.index.columns.chunk
    return [replace(chunk(int(i)), score=float(s)) for i, s in zip(rows, values)]


def best_articles(scored: KeywordScores, query: str, mask: np.ndarray | None, pool: int) -> list[Chunk]:
    """The chunks of the articles that best match ``query`` as a whole: the best chunk of each
    of the top articles in article order, then their second-best chunks, and so on."""
    index = scored.index
    ids = index.article_bm25.get_tokens_ids(scored.terms(query)) if index.n_articles else []
    if not ids:
        return []
    article_scores = bm25_scores(index.article_bm25, ids)
    admitted = None if mask is None else np.logical_or.reduceat(mask, index.article_starts)
    top = [int(a) for a in top_rows(article_scores, admitted, max(1, pool // 4))[0]]
    if not top:
        return []
    chunk_scores = scored.chunks(query)
    if chunk_scores is None:
        chunk_scores = np.zeros(len(index), dtype=np.float32)
    ranked: list[tuple[int, int, int]] = []  # (place in its article, article rank, chunk)
    for rank, a in enumerate(top):
        ix = np.arange(index.article_starts[a], index.article_ends[a])
        if mask is not None:
            ix = ix[mask[ix]]
        for place, i in enumerate(ix[np.argsort(-chunk_scores[ix], kind="stable")]):
            ranked.append((place, rank, int(i)))
    ranked.sort()
    return [index.columns.chunk(i) for _p, _r, i in ranked[:pool]]
