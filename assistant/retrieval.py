"""Hybrid retrieval: BM25 + vector search, fused by reciprocal rank, syndicated copies collapsed.

BM25 runs on ``bm25s`` directly (the engine inside llama-index's BM25Retriever) because we need a
per-query weight mask for filters and per-outlet lists, which that wrapper fixes at construction;
it also skips converting every hit to a llama-index node. Queries that name an outlet known to
the collection ("... the TechCrunch article ...") get extra ranked lists restricted to that
outlet, so multi-source questions find each named source.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from assistant.config import Config
from assistant.query import DateRange, OutletNames, ParsedQuery, parse_query
from assistant.text import WORDS, jaccard, names
from index import (
    ChromaStore,
    Chunk,
    Columns,
    Embedder,
    KeywordIndex,
    current_keyword_index,
    day_number,
    follow,
    keyword_index_dir,
    stemmer,
)
from index import sentences as sentences_of

log = logging.getLogger(__name__)

RRF_K = 10
NAME_SHARE = 0.5  # a name in more than this share of articles does not single any out
_DATE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+\d{1,2}\b"
)
COLLAPSE_DEPTH = 4  # fused hits collapsed per place asked for (spreading and outlets pick from them)
PER_ARTICLE = 2  # chunks of one article before other articles get a place
# Two sentences of copies of one story with at least this word-set overlap say the same thing
# (measured on the seeds' AFP story: rewordings of one sentence 0.65-0.9; a sentence that adds a
# fact, "better known for his tenure as mayor of Shanghai", 0.45 against its counterpart).
REPEAT_JACCARD = 0.6


@dataclass(frozen=True)
class Filters:
    """Optional restrictions on what may be retrieved."""

    outlets: tuple[str, ...] = ()
    date_from: str = ""  # ISO date, inclusive
    date_to: str = ""
    doc_ids: tuple[str, ...] = ()

    def where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.outlets:
            clauses.append({"outlet": {"$in": list(self.outlets)}})
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if self.date_from:
            clauses.append({"published_day": {"$gte": day_number(self.date_from)}})
        if self.date_to:
            clauses.append({"published_day": {"$lte": day_number(self.date_to)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def admits(self, chunk: Chunk) -> bool:
        if self.outlets and chunk.outlet not in self.outlets:
            return False
        if self.doc_ids and chunk.doc_id not in self.doc_ids:
            return False
        day = day_number(chunk.published)
        if self.date_from and day < day_number(self.date_from):
            return False
        return not (self.date_to and day > day_number(self.date_to))


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk, with the other outlets that carried the same (syndicated) story."""

    chunk: Chunk
    also_reported_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class FusionWeights:
    """How much each ranked list counts in the reciprocal rank fusion, and the fusion's k. A weight
    of 0 drops that list (``FusionWeights.only("keyword")`` is BM25 alone). The defaults were chosen
    by coordinate ascent on the ``tune`` half of the MultiHop-RAG dev queries
    (benchmarks/bench_retrieval.py --grid; BENCHMARKS.md): MiniLM over the whole question added
    nothing there once BM25 and the article lists ran (it counts within named outlets and parts)."""

    keyword: float = 1.0  # BM25 over every chunk the filters admit
    vector: float = 0.0  # MiniLM nearest chunks to the whole question
    outlet_keyword: float = 1.0  # per outlet group the question names: BM25 within it
    outlet_vector: float = 0.25  # ... and vectors within it
    part_keyword: float = 0.0  # per part of the question about one outlet: BM25 of its words within it
    part_vector: float = 0.25  # ... and vectors of its words within it
    date_keyword: float = 1.0  # per date or range the question names: BM25 within it
    article: float = 0.5  # articles ranked by BM25 over their whole text, best chunks first
    part_article: float = 0.5  # the same per part of the question, within its outlet
    names: float = 0.0  # articles naming the question's rare names
    rrf_k: int = RRF_K
    represent: bool = False  # every outlet the question names gets a place in the top k

    @classmethod
    def only(cls, kind: str) -> FusionWeights:
        zero = {f: 0.0 for f in ("keyword", "vector", "outlet_keyword", "outlet_vector", "part_keyword",
                                  "part_vector", "date_keyword", "article", "part_article", "names")}
        return cls(**{**zero, kind: 1.0})  # type: ignore[arg-type]

    def weight(self, kind: str) -> float:
        return float(getattr(self, kind))


@dataclass(frozen=True)
class Candidates:
    """Every ranked list for one query before fusion (a benchmark fuses them many ways)."""

    lists: tuple[tuple[str, tuple[Chunk, ...]], ...]  # (kind, chunks best first)
    named: dict[str, float]  # doc_id -> how rare the question's names it mentions are
    outlets: tuple[tuple[str, ...], ...]  # the outlet groups the question names


class Retriever(Protocol):
    def retrieve(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]: ...


class HybridRetriever:
    """Hybrid retrieval over a store. The keyword index is loaded from beside the Chroma data
    (``config`` given: :mod:`index.keyword_store`), where ingest saves it, and is used only while
    Chroma's generation stamp says it is current; otherwise, or without ``config``, it is built in
    memory from the store's chunks."""

    def __init__(
        self,
        store: ChromaStore,
        embedder: Embedder,
        pool: int = 40,
        weights: FusionWeights | None = None,
        config: Config | None = None,
    ) -> None:
        self._store = store
        self._embedder = embedder
        self._pool = pool
        self.weights = weights or FusionWeights()
        self._path = keyword_index_dir(config) if config is not None else None
        self._lock = threading.Lock()
        self._recheck = False
        self._kw: KeywordIndex | None = None
        self._names = OutletNames([])
        self._days = np.array([], dtype="U10")  # published[:10] of each distinct published value
        self._year: int | None = None
        self._cluster_outlets: dict[str, list[tuple[str, str]]] = {}
        self._article_of: dict[str, int] = {}  # doc_id -> its article in the keyword index
        self._doc_text: dict[str, str] = {}  # the indexed text of each article (title first), as read
        self._doc_lower: dict[str, str] = {}  # every article's text, lower-cased, for name look-ups

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
            self._cluster_outlets = _cluster_outlets(columns)
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
        """Every ranked list for ``query``: BM25 and vectors over what ``filters`` admit, then per
        outlet the question names, per part of the question about one outlet, per date it names.
        Lists whose weight is 0 in ``weights`` are skipped (None: compute them all)."""
        self._ensure_index()
        return self._candidates(query, filters, weights)

    def _candidates(self, query: str, filters: Filters | None, weights: FusionWeights | None) -> Candidates:
        filters = filters or Filters()
        parsed = self._parse(query)

        def wanted(kind: str) -> bool:
            return weights is None or weights.weight(kind) > 0

        texts = [query] if wanted("vector") or (parsed.parts and wanted("outlet_vector")) else []
        texts += [p.text for p in parsed.parts if wanted("part_vector")]
        unique = list(dict.fromkeys(texts))  # embedded in one batch, only what a list will use
        vectors = dict(zip(unique, self._embedder.embed(unique))) if unique else {}
        lists: list[tuple[str, tuple[Chunk, ...]]] = []

        def add(kind: str, scoped: Filters, text: str = query, dates: Sequence[DateRange] = ()) -> None:
            if not wanted(kind):
                return
            if kind.endswith("vector"):
                ranked = self._vector(vectors[text], scoped, dates)
            elif kind.endswith("article"):
                ranked = self._by_article(text, scoped, dates)
            else:
                ranked = self._keyword(text, scoped, dates)
            lists.append((kind, tuple(ranked)))

        add("keyword", filters)
        add("vector", filters)
        add("article", filters)
        groups = []
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
        named = self._articles_naming(query) if wanted("names") else {}
        return Candidates(tuple(lists), named, tuple(groups))

    def rank(self, candidates: Candidates, k: int, weights: FusionWeights) -> list[Hit]:
        """The fused top ``k``: weighted RRF, syndicated copies collapsed, articles spread."""
        lists = [(ranked, weights.weight(kind)) for kind, ranked in candidates.lists if weights.weight(kind) > 0]
        if candidates.named and weights.names > 0:
            # The question names someone or something only some articles mention: a list of
            # those articles' chunks, best-named article first, each article's chunks in fused
            # order (so a chunk that does not repeat the name, "China charges that the US ...",
            # still ranks when its article is the one asked about).
            named = candidates.named
            order = {c.chunk_id: i for i, (c, _) in enumerate(_rrf(lists, weights.rrf_k))}
            pool = [c for ranked, _w in lists for c in ranked if c.doc_id in named]
            unique = {c.chunk_id: c for c in pool}.values()
            lists.append((tuple(sorted(unique, key=lambda c: (-named[c.doc_id], order[c.chunk_id]))), weights.names))
        fused = _rrf(lists, weights.rrf_k)
        collapsed = self._collapse(fused, COLLAPSE_DEPTH * k)
        hits = _spread(collapsed, k)
        if weights.represent and candidates.outlets:
            hits = _represent(hits, collapsed, candidates.outlets, k)
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
        if dates:
            filters = replace(filters, date_from=max([filters.date_from, *(d.start for d in dates)]),
                              date_to=min([filters.date_to or "9999-12-31", *(d.end for d in dates)]))
        where = filters.where()
        return self._store.query(vector.tolist(), self._pool, where=where)

    def _mask(self, filters: Filters, dates: Sequence[DateRange]) -> np.ndarray | None:
        """Which chunks ``filters`` and every one of ``dates`` admit (None: all)."""
        if filters == Filters() and not dates:
            return None
        columns = self._index.columns
        mask = np.ones(len(columns), dtype=bool)
        if filters.outlets:
            mask &= columns.strings["outlet"].mask(filters.outlets)
        if filters.doc_ids:
            mask &= columns.strings["doc_id"].mask(filters.doc_ids)
        day = self._days  # per distinct published value; [codes] spreads it over the chunks
        codes = columns.strings["published"].codes
        if filters.date_from:
            mask &= (day >= filters.date_from[:10])[codes]
        if filters.date_to:
            mask &= (day <= filters.date_to[:10])[codes]  # an unknown date ("") passes, as in Chroma
        for d in dates:
            mask &= ((day >= d.start) & (day <= d.end))[codes]
        return mask

    def _keyword(self, query: str, filters: Filters, dates: Sequence[DateRange] = ()) -> list[Chunk]:
        import bm25s

        tokens = bm25s.tokenize(query, stopwords="en", stemmer=stemmer(), show_progress=False)
        if not tokens.vocab:
            return []
        mask = self._mask(filters, dates)
        if mask is not None and not mask.any():
            return []
        index = self._index
        n = min(self._pool, len(index))
        weight_mask = None if mask is None else mask.astype(float)
        idx, scores = index.chunk_bm25.retrieve(tokens, k=n, show_progress=False, weight_mask=weight_mask)
        return [
            replace(index.columns.chunk(int(i)), score=float(s)) for i, s in zip(idx[0], scores[0]) if s > 0
        ]

    def _by_article(self, query: str, filters: Filters, dates: Sequence[DateRange] = ()) -> list[Chunk]:
        """The chunks of the articles that best match ``query`` as a whole: the best chunk of each
        of the top articles in article order, then their second-best chunks, and so on."""
        import bm25s

        tokens = bm25s.tokenize(query, stopwords="en", stemmer=stemmer(), return_ids=False, show_progress=False)
        terms = tokens[0] if tokens else []
        index = self._index
        if not terms or not index.n_articles or not index.article_bm25.get_tokens_ids(terms):
            return []
        mask = self._mask(filters, dates)
        article_scores = index.article_bm25.get_scores(terms)
        if mask is not None:
            article_scores = article_scores * np.logical_or.reduceat(mask, index.article_starts)
        top = [int(a) for a in np.argsort(-article_scores)[: max(1, self._pool // 4)] if article_scores[a] > 0]
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
        return [index.columns.chunk(i) for _p, _r, i in ranked[: self._pool]]

    def _collapse(self, fused: list[tuple[Chunk, float]], k: int) -> list[Hit]:
        """Syndicated copies collapsed: a chunk of one copy whose every sentence repeats a sentence
        of a better-ranked chunk of another copy is dropped; what only one copy says is kept (the
        copies of a wire story are often edited differently). Every hit remembers the outlets of
        the other copies ("also reported by")."""
        seen: dict[str, list[tuple[str, frozenset[str]]]] = defaultdict(list)  # cluster -> sentences
        hits: list[Hit] = []
        for chunk, score in fused:
            cluster = chunk.cluster_id or chunk.doc_id
            also = self.outlets_of(cluster, chunk.doc_id)
            if also:
                sentences = _sentence_words(chunk.text)
                others = [words for doc, words in seen[cluster] if doc != chunk.doc_id]
                if others and all(any(jaccard(s, o) >= REPEAT_JACCARD for o in others) for s in sentences):
                    continue
                seen[cluster].extend((chunk.doc_id, s) for s in sentences)
            hits.append(Hit(replace(chunk, score=score), also))
            if len(hits) >= k:
                break
        return hits

    def outlets_of(self, cluster_id: str, doc_id: str) -> tuple[str, ...]:
        return tuple(n for d, n in self._cluster_outlets.get(cluster_id, []) if d != doc_id and n)


def _cluster_outlets(columns: Columns) -> dict[str, list[tuple[str, str]]]:
    """cluster_id -> sorted (doc_id, outlet or else source) of its articles."""
    strings = columns.strings
    cluster, doc = strings["cluster_id"].codes.astype(np.int64), strings["doc_id"].codes.astype(np.int64)
    keys = cluster * max(1, len(strings["doc_id"].values)) + doc
    _unique, first_of_reversed = np.unique(keys[::-1], return_index=True)
    members: dict[str, dict[str, str]] = defaultdict(dict)
    for row in sorted(len(keys) - 1 - first_of_reversed):  # the last chunk of each (cluster, doc)
        i = int(row)
        members[strings["cluster_id"][i]][strings["doc_id"][i]] = strings["outlet"][i] or strings["source"][i]
    return {cid: sorted(m.items()) for cid, m in members.items()}


@lru_cache(maxsize=4096)
def _sentence_words(text: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(WORDS.findall(s.lower())) for s in sentences_of(text))


def _spread(hits: list[Hit], k: int) -> list[Hit]:
    """The top ``k`` with at most PER_ARTICLE chunks of one article ahead of other articles'
    chunks, so list and multi-article questions see several sources; extra chunks of an article
    fill the remaining places in rank order."""
    first: list[Hit] = []
    later: list[Hit] = []
    taken: dict[str, int] = defaultdict(int)
    for hit in hits:
        taken[hit.chunk.doc_id] += 1
        (first if taken[hit.chunk.doc_id] <= PER_ARTICLE else later).append(hit)
    return (first + later)[:k]


def _represent(hits: list[Hit], ranked: list[Hit], groups: Sequence[tuple[str, ...]], k: int) -> list[Hit]:
    """``hits`` with every outlet group given a place in the top ``k``: a group without one gets
    its best-ranked hit in place of the last hit of an outlet that holds several places."""
    hits = list(hits[:k])
    for group in groups:
        if any(h.chunk.outlet in group for h in hits):
            continue
        best = next((h for h in ranked if h.chunk.outlet in group), None)
        if best is None:
            continue
        counts: dict[str, int] = defaultdict(int)
        for h in hits:
            counts[h.chunk.outlet] += 1
        spare = [i for i, h in enumerate(hits) if counts[h.chunk.outlet] > 1
                 and not any(h.chunk.outlet in g for g in groups if g != group and counts[h.chunk.outlet] < 2)]
        if len(hits) < k:
            hits.append(best)
        elif spare:
            del hits[spare[-1]]
            hits.append(best)
    return hits


def _rrf(lists: Sequence[tuple[Sequence[Chunk], float]], rrf_k: int = RRF_K) -> list[tuple[Chunk, float]]:
    """Weighted reciprocal rank fusion of ranked lists."""
    scores: dict[str, float] = defaultdict(float)
    first: dict[str, Chunk] = {}
    for ranked, weight in lists:
        for rank, chunk in enumerate(ranked):
            scores[chunk.chunk_id] += weight / (rrf_k + rank + 1)
            first.setdefault(chunk.chunk_id, chunk)
    order = sorted(scores, key=lambda cid: (-scores[cid], cid))
    return [(first[cid], scores[cid]) for cid in order]
