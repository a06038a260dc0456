"""Hybrid retrieval: BM25 + vector search, fused by reciprocal rank, syndicated copies collapsed.

:class:`HybridRetriever` gathers the ranked lists (:mod:`assistant.retrieval.keyword_lists` for
BM25, the store for vectors), fuses them (:mod:`assistant.retrieval.fusion`) and collapses
syndicated copies (:mod:`assistant.retrieval.syndication`). Queries that name an outlet known to
the collection ("... the TechCrunch article ...") get extra ranked lists restricted to that
outlet, so multi-source questions find each named source.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from assistant.config import Config
from assistant.language.text import names
from assistant.retrieval.filters import Filters, chunk_mask
from assistant.retrieval.fusion import Candidates, FusionWeights, represent, rrf, spread
from assistant.retrieval.keyword_lists import KeywordScores, best_articles, best_chunks
from assistant.retrieval.plan import EmbeddingAside, Vectors, plan_lists
from assistant.retrieval.query import DateRange, OutletNames, ParsedQuery, parse_query
from assistant.retrieval.syndication import Hit, cluster_outlets, collapse_syndicated
from index import (
    ChromaStore,
    Chunk,
    Embedder,
    KeywordIndex,
    current_keyword_index,
    follow,
    keyword_index_dir,
    nearest_rows,
)

log = logging.getLogger(__name__)

NAME_SHARE = 0.5  # a name in more than this share of articles does not single any out
_DATE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+\d{1,2}\b"
)
_WARM_UP_QUERY = "What did the reports say about the market on Monday?"
COLLAPSE_DEPTH = 4  # fused hits collapsed per place asked for (spreading and outlets pick from them)


class Retriever(Protocol):
    def retrieve(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]: ...


class HybridRetriever:
    """Hybrid retrieval over a store. The keyword index is loaded from beside the Chroma data
    (``config`` given: :mod:`index.keyword_store`), where ingest saves it, and is used only while
    Chroma's generation stamp says it is current; otherwise, or without ``config``, it is built in
    memory from the store's chunks. The query is embedded in a worker thread while the BM25 lists
    are scored (``embed_aside=False``: first, in the calling thread; the same lists either way)."""

    def __init__(
        self,
        store: ChromaStore,
        embedder: Embedder,
        pool: int = 40,
        weights: FusionWeights | None = None,
        config: Config | None = None,
        embed_aside: bool = True,
    ) -> None:
        self._store = store
        self._embedding = EmbeddingAside(embedder, concurrent=embed_aside)
        self._pool = pool
        self.weights = weights or FusionWeights.for_embedder(embedder.name)
        self._path = keyword_index_dir(config) if config is not None else None
        self._lock = threading.Lock()
        self._recheck = False
        self._told_fallback = False  # the fallback to Chroma's filtered queries is logged once
        self._kw: KeywordIndex | None = None
        self._names = OutletNames([])
        self._days = np.array([], dtype="U10")  # published[:10] of each distinct published value
        self._year: int | None = None
        self._cluster_outlets: dict[str, list[tuple[str, str]]] = {}
        self._article_of: dict[str, int] = {}  # doc_id -> its article in the keyword index
        self._doc_text: dict[str, str] = {}  # the indexed text of each article (title first), as read
        self._doc_lower: dict[str, str] = {}  # every article's text, lower-cased, for name look-ups

    def warm_up(self) -> threading.Thread:
        """Load, in a background thread, what the first retrieval would otherwise wait for: the
        keyword index, the pages of its saved vectors, or Chroma's vector index when there are
        none (loaded at its first query: seconds at 200,000 chunks), then one retrieval
        for what is loaded on first use. A retrieval meanwhile waits only for what is still
        loading; a warm-up that fails is logged and changes nothing."""
        thread = threading.Thread(target=self._warm, name="newsdesk-warm-up", daemon=True)
        thread.start()
        return thread

    def _warm(self) -> None:
        try:
            self._ensure_index()
            matrix = self._index.vectors
            if matrix is not None and len(matrix):
                nearest_rows(matrix, matrix[0], None, 1)  # reads every page of the memory map once
            if matrix is None:  # the vector lists will query Chroma
                self._store.warm()
            # what a first retrieval loads on first use: the query embedder's session (beside the
            # rest), the tokenizers, the sentence splitter, the syndication look-ups
            embedded = self._embedding.start([_WARM_UP_QUERY])
            self.retrieve(_WARM_UP_QUERY)
            embedded()
        except Exception as err:  # noqa: BLE001 - a warm-up must never break what it prepares
            log.info("warm-up failed, the first retrieval will load what it needs: %s", err)

    def invalidate(self) -> None:
        with self._lock:
            self._recheck = True

    @property
    def _index(self) -> KeywordIndex:
        """The keyword index, as the public entry point's ``_ensure_index`` left it."""
        assert self._kw is not None, "call _ensure_index first"
        return self._kw

    def _ensure_index(self) -> None:
        """Catch up with the chunks as Chroma holds them now, another process's writes included:
        one read of the generation stamp per public call (:func:`index.follow.follow`)."""
        with self._lock:
            stamp = follow(self._store)
            index = current_keyword_index(self._store, self._path, self._kw, self._recheck, stamp)
            self._recheck = False
            if index is self._kw:
                return
            columns = index.columns
            outlets = columns.strings["outlet"].values
            self._names = OutletNames(o for o in outlets if len(o) >= 3)
            self._days = np.array([p[:10] for p in columns.strings["published"].values], dtype="U10")
            years = [int(d[:4]) for d in self._days if d[:4].isdigit()]
            self._year = max(years) if years else None
            self._cluster_outlets = cluster_outlets(columns)
            self._article_of = {index.article_doc_id(a): a for a in range(index.n_articles)}
            self._doc_text, self._doc_lower = {}, {}
            self._kw = index

    def _article_text(self, doc_id: str) -> str:
        if doc_id not in self._doc_text:
            a = self._article_of.get(doc_id)
            self._doc_text[doc_id] = "" if a is None else self._index.article_text(a)
        return self._doc_text[doc_id]

    def retrieve(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        self._ensure_index()
        if not len(self._index) or not query.strip():
            return []
        return self.rank(self._candidates(query, filters, self.weights), k, self.weights)

    def parse(self, query: str) -> ParsedQuery:
        self._ensure_index()
        return self._parse(query)

    def _parse(self, query: str) -> ParsedQuery:
        return parse_query(query, self._names, self._year)

    def candidates(
        self, query: str, filters: Filters | None = None, weights: FusionWeights | None = None
    ) -> Candidates:
        """Every ranked list for ``query`` (:func:`assistant.retrieval.plan.plan_lists`). Lists
        whose weight is 0 in ``weights`` are skipped (None: compute them all)."""
        self._ensure_index()
        return self._candidates(query, filters, weights)

    def _candidates(self, query: str, filters: Filters | None, weights: FusionWeights | None) -> Candidates:
        plan = plan_lists(query, self._parse(query), filters or Filters(), weights)
        vectors = self._embedding.start(plan.texts)  # in a worker thread, beside the BM25 lists
        scored = KeywordScores(self._index)  # each text's BM25 scores, shared by its lists
        ranked: dict[int, tuple[Chunk, ...]] = {}
        for i, spec in enumerate(plan.specs):
            if spec.kind.endswith("article"):
                ranked[i] = tuple(self._by_article(scored, spec.text, spec.filters, spec.dates))
            elif not spec.needs_vector:
                ranked[i] = tuple(self._keyword(scored, spec.text, spec.filters, spec.dates))
        named = self._articles_naming(query) if weights is None or weights.names > 0 else {}
        if any(spec.needs_vector for spec in plan.specs):
            by_text = self._await_vectors(vectors)
            for i, spec in enumerate(plan.specs):
                if spec.needs_vector:
                    ranked[i] = tuple(self._vector(by_text[spec.text], spec.filters, spec.dates))
        lists = tuple((spec.kind, ranked[i]) for i, spec in enumerate(plan.specs))
        return Candidates(lists, named, plan.outlets)

    def rank(self, candidates: Candidates, k: int, weights: FusionWeights) -> list[Hit]:
        """The fused top ``k``: weighted RRF, syndicated copies collapsed, articles spread."""
        lists = [(ranked, weights.weight(kind)) for kind, ranked in candidates.lists if weights.weight(kind) > 0]
        if candidates.named and weights.names > 0:
            # The question names someone or something only some articles mention: a list of
            # those articles' chunks, best-named article first, each article's chunks in fused
            # order (so a chunk that does not repeat the name, "China charges that the US ...",
            # still ranks when its article is the one asked about).
            named = candidates.named
            order = {c.chunk_id: i for i, (c, _) in enumerate(rrf(lists, weights.rrf_k))}
            pool = [c for ranked, _w in lists for c in ranked if c.doc_id in named]
            unique = {c.chunk_id: c for c in pool}.values()
            lists.append((tuple(sorted(unique, key=lambda c: (-named[c.doc_id], order[c.chunk_id]))), weights.names))
        fused = rrf(lists, weights.rrf_k)
        collapsed = self._collapse(fused, COLLAPSE_DEPTH * k)
        hits = spread(collapsed, k)
        if weights.represent and candidates.outlets:
            hits = represent(hits, collapsed, candidates.outlets, k)
        return hits

    def _articles_naming(self, query: str) -> dict[str, float]:
        """Articles mentioning the query's distinctive names, scored by the names' rarity."""
        if not self._doc_lower:
            self._doc_lower = {d: self._article_text(d).lower() for d in self._article_of}
        scores: dict[str, float] = defaultdict(float)
        total = len(self._doc_lower)
        for name in {n.lower() for n in names(query) + _DATE.findall(query)}:
            docs = [d for d, text in self._doc_lower.items() if name in text]
            if 0 < len(docs) <= NAME_SHARE * total:
                for d in docs:
                    scores[d] += math.log(total / len(docs))
        return dict(scores)

    def article_texts(self, doc_ids: Iterable[str]) -> list[str]:
        """The indexed text of each article (its title, outlet and chunks; "" if unknown), once
        per article, in first-seen order."""
        self._ensure_index()
        return [self._article_text(d) for d in dict.fromkeys(doc_ids)]

    def outlets_named(self, query: str) -> list[str]:
        """The collection's outlets the question names (full name or head: "The Independent")."""
        return list(self.parse(query).outlets)

    def _vector(self, vector: np.ndarray, filters: Filters, dates: Sequence[DateRange] = ()) -> list[Chunk]:
        """The ``pool`` chunks nearest to ``vector`` among those ``filters`` and ``dates`` admit:
        exact over the saved vectors' admitted rows (:mod:`index.vector_matrix`; BENCHMARKS.md),
        or from Chroma for an index without them (saved before vectors were, or built in memory)."""
        mask = self._mask(filters, dates)
        matrix = self._index.vectors
        if matrix is not None:
            rows, scores = nearest_rows(matrix, vector, mask, self._pool)
            chunk = self._index.columns.chunk
            return [replace(chunk(int(i)), score=float(s)) for i, s in zip(rows, scores)]
        if not self._told_fallback:
            self._told_fallback = True
            log.info("no saved vectors for the keyword index: whole-question and filtered vector lists query Chroma")
        return self._chroma_vector(vector, filters, dates)

    def _chroma_vector(self, vector: np.ndarray, filters: Filters, dates: Sequence[DateRange] = ()) -> list[Chunk]:
        if dates:
            filters = replace(filters, date_from=max([filters.date_from, *(d.start for d in dates)]),
                              date_to=min([filters.date_to or "9999-12-31", *(d.end for d in dates)]))
        where = filters.where()
        return self._store.query(vector.tolist(), self._pool, where=where)

    # One method per kind of step (benchmarks/scale_phases.py times each one through them).
    def _await_vectors(self, vectors: Callable[[], Vectors]) -> Vectors:
        return vectors()  # the time the lists wait for the query embedding

    def _keyword(
        self, scored: KeywordScores, query: str, filters: Filters, dates: Sequence[DateRange] = ()
    ) -> list[Chunk]:
        return best_chunks(scored, query, self._mask(filters, dates), self._pool)

    def _by_article(
        self, scored: KeywordScores, query: str, filters: Filters, dates: Sequence[DateRange] = ()
    ) -> list[Chunk]:
        return best_articles(scored, query, self._mask(filters, dates), self._pool)

    def _mask(self, filters: Filters, dates: Sequence[DateRange]) -> np.ndarray | None:
        return chunk_mask(self._index.columns, self._days, filters, dates)

    def _collapse(self, fused: list[tuple[Chunk, float]], k: int) -> list[Hit]:
        return collapse_syndicated(fused, k, self.outlets_of)

    def outlets_of(self, cluster_id: str, doc_id: str) -> tuple[str, ...]:
        return tuple(n for d, n in self._cluster_outlets.get(cluster_id, []) if d != doc_id and n)

