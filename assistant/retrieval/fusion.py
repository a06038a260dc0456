"""Ranked lists fused into one: weighted reciprocal rank fusion, then the places of the top k
spread over articles and over the outlets the question names."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.retrieval.syndication import Hit
from index import NOMIC_NAME, Chunk

RRF_K = 10
PER_ARTICLE = 2  # chunks of one article before other articles get a place


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

    @classmethod
    def for_embedder(cls, name: str) -> FusionWeights:
        """The weights chosen for the vectors of the embedder called ``name`` (the defaults, chosen
        on MiniLM's lists, for any other)."""
        return _BY_EMBEDDER.get(name, cls())


# nomic-embed-text-v1.5's vector lists rank better than MiniLM's and earn weight, the whole-question
# list included; chosen by the same ascent on `tune` over nomic's lists (BENCHMARKS.md, issue 12,
# "An opt-in stronger embedder").
_BY_EMBEDDER = {
    NOMIC_NAME: FusionWeights(
        keyword=1.5, vector=0.5, outlet_keyword=0.5, outlet_vector=0.5, part_keyword=1.0, part_vector=1.0,
        date_keyword=0.5, article=0.0, part_article=0.5, names=0.25, rrf_k=5,
    ),
}


@dataclass(frozen=True)
class Candidates:
    """Every ranked list for one query before fusion (a benchmark fuses them many ways)."""

    lists: tuple[tuple[str, tuple[Chunk, ...]], ...]  # (kind, chunks best first)
    named: dict[str, float]  # doc_id -> how rare the question's names it mentions are
    outlets: tuple[tuple[str, ...], ...]  # the outlet groups the question names


def rrf(lists: Sequence[tuple[Sequence[Chunk], float]], rrf_k: int = RRF_K) -> list[tuple[Chunk, float]]:
    """Weighted reciprocal rank fusion of ranked lists."""
    scores: dict[str, float] = defaultdict(float)
    first: dict[str, Chunk] = {}
    for ranked, weight in lists:
        for rank, chunk in enumerate(ranked):
            scores[chunk.chunk_id] += weight / (rrf_k + rank + 1)
            first.setdefault(chunk.chunk_id, chunk)
    order = sorted(scores, key=lambda cid: (-scores[cid], cid))
    return [(first[cid], scores[cid]) for cid in order]


def spread(hits: list[Hit], k: int) -> list[Hit]:
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


def represent(hits: list[Hit], ranked: list[Hit], groups: Sequence[tuple[str, ...]], k: int) -> list[Hit]:
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
