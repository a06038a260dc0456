"""The ranked lists one retrieval asks for, in the order they are fused, and the texts to embed.

Planning the lists before computing any of them lets the query embedding run in a worker thread
(:class:`EmbeddingAside`) while the keyword and article lists are scored: the embedder's model call
releases the GIL, so a retrieval waits for the longer of the two rather than their sum. The lists
are still fused in the planned order, so the fused ranking is the same whichever runs first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from assistant.retrieval.filters import Filters
from assistant.retrieval.fusion import FusionWeights
from assistant.retrieval.query import DateRange, ParsedQuery
from index import Embedder, query_embedder

Vectors = dict[str, np.ndarray]


@dataclass(frozen=True)
class ListSpec:
    """One ranked list: its kind (a weight of :class:`FusionWeights`), what it may hold, its text."""

    kind: str
    filters: Filters
    text: str
    dates: tuple[DateRange, ...] = ()

    @property
    def needs_vector(self) -> bool:
        return self.kind.endswith("vector")


@dataclass(frozen=True)
class ListPlan:
    specs: tuple[ListSpec, ...]  # in the order they are fused
    outlets: tuple[tuple[str, ...], ...]  # the outlet groups the question names (within the filters)
    texts: tuple[str, ...]  # embedded once each, in one batch


def plan_lists(query: str, parsed: ParsedQuery, filters: Filters, weights: FusionWeights | None) -> ListPlan:
    """Every list for ``query``: BM25, vectors and articles over what ``filters`` admit, then per
    outlet the question names, per part of the question about one outlet, per date it names.
    Lists whose weight is 0 in ``weights`` are left out (None: plan them all)."""

    def wanted(kind: str) -> bool:
        return weights is None or weights.weight(kind) > 0

    texts = [query] if wanted("vector") or (parsed.parts and wanted("outlet_vector")) else []
    texts += [p.text for p in parsed.parts if wanted("part_vector")]
    specs: list[ListSpec] = []

    def add(kind: str, scoped: Filters, text: str = query, dates: Sequence[DateRange] = ()) -> None:
        if wanted(kind):
            specs.append(ListSpec(kind, scoped, text, tuple(dates)))

    add("keyword", filters)
    add("vector", filters)
    add("article", filters)
    groups: list[tuple[str, ...]] = []
    for part in parsed.parts:
        outlets = tuple(o for o in part.outlets if not filters.outlets or o in filters.outlets)
        if not outlets:
            continue
        scoped = replace(filters, outlets=outlets)
        if outlets not in groups:
            groups.append(outlets)
            add("outlet_keyword", scoped)
            add("outlet_vector", scoped)
        add("part_keyword", scoped, part.text, part.dates)
        add("part_vector", scoped, part.text, part.dates)
        add("part_article", scoped, part.text, part.dates)
    for dates in parsed.dates:
        add("date_keyword", filters, query, (dates,))
    return ListPlan(tuple(specs), tuple(groups), tuple(dict.fromkeys(texts)))


class EmbeddingAside:
    """Embeds query texts, in one batch, in a worker thread (``concurrent=True``) or at once.

    One worker per retriever: retrievals asked at the same time queue their embeddings there (the
    model's own threads already use every core). The worker only calls the embedder, so it never
    waits for the retrieval that asked it."""

    def __init__(self, embedder: Embedder, concurrent: bool = True) -> None:
        self._embedder = embedder
        self._queries: Embedder | None = None  # its query session, loaded at the first query
        self._concurrent = concurrent
        self._worker: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def start(self, texts: Sequence[str]) -> Callable[[], Vectors]:
        """Start embedding ``texts``; the returned call waits for their vectors (and re-raises
        the embedder's error, if any)."""
        if not texts:
            return dict
        if not self._concurrent:
            vectors = self._embed(texts)
            return lambda: vectors
        return self._pool().submit(self._embed, texts).result

    def _embed(self, texts: Sequence[str]) -> Vectors:
        if self._queries is None:
            self._queries = query_embedder(self._embedder)
        return dict(zip(texts, self._queries.embed(list(texts))))

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._worker is None:
                self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsdesk-query-embedding")
            return self._worker
