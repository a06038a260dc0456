"""The syndication collapse cuts a chunk into sentences only when a chunk of another copy comes to
be compared with it; its hits are those of cutting every chunk as it comes (the rule as first
written, kept here as the reference)."""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from assistant.language.text import WORDS, jaccard
from assistant.retrieval.syndication import REPEAT_JACCARD, Hit, collapse_syndicated
from index import ArticleMeta, Chunk, sentences
from tests.conftest import ROOT

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _reference(
    fused: list[tuple[Chunk, float]], k: int, outlets_of: Callable[[str, str], tuple[str, ...]]
) -> list[Hit]:
    """The collapse as written before: every chunk of a syndicated story cut as it comes."""
    seen: dict[str, list[tuple[str, frozenset[str]]]] = defaultdict(list)
    hits: list[Hit] = []
    for chunk, score in fused:
        cluster = chunk.cluster_id or chunk.doc_id
        also = outlets_of(cluster, chunk.doc_id)
        if also:
            cut = tuple(frozenset(WORDS.findall(s.lower())) for s in sentences(chunk.text))
            others = [words for doc, words in seen[cluster] if doc != chunk.doc_id]
            if others and all(any(jaccard(s, o) >= REPEAT_JACCARD for o in others) for s in cut):
                continue
            seen[cluster].extend((chunk.doc_id, s) for s in cut)
        hits.append(Hit(replace(chunk, score=score), also))
        if len(hits) >= k:
            break
    return hits


def _copies(rng: random.Random) -> tuple[list[Chunk], dict[str, list[tuple[str, str]]]]:
    """Chunks of three copies of each news gold article (the original, its sentences rotated, one
    reworded with a sentence dropped), a fourth outlet's single article per story, and the
    cluster -> (doc, outlet) look-up the retriever keeps."""
    articles = json.loads((ROOT / "tests" / "gold" / "news_corpus.json").read_text(encoding="utf-8"))
    chunks: list[Chunk] = []
    members: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for n, article in enumerate(articles):
        lines = [s for s in _SENTENCE_END.split(article["body"]) if s.strip()]
        edited = [s.replace(" the ", " a ", 1) for s in lines]
        del edited[rng.randrange(len(edited))]
        versions = [lines, lines[1:] + lines[:1], edited, lines[::-1] if n % 3 else lines]
        for c, body in enumerate(versions):
            doc, cluster = f"d{n}-{c}", f"c{n}" if c < 3 else f"solo{n}"
            meta = ArticleMeta(doc_id=doc, outlet=f"Outlet {c}", cluster_id=cluster)
            members[cluster].append((doc, meta.outlet))
            width = rng.choice((1, 2, 3, 4))
            for p, lo in enumerate(range(0, len(body), width)):
                text = " ".join(body[lo : lo + width])
                chunks.append(Chunk(chunk_id=f"{doc}:{p}", meta=meta, text=text, start=0, end=len(text), position=p))
    return chunks, members


def test_the_collapse_keeps_the_hits_of_cutting_every_chunk() -> None:
    rng = random.Random(12)
    chunks, members = _copies(rng)

    def outlets_of(cluster: str, doc: str) -> tuple[str, ...]:
        return tuple(o for d, o in members.get(cluster, []) if d != doc)

    dropped = 0
    for trial in range(60):
        pool = rng.sample(chunks, min(len(chunks), rng.choice((20, 80, 300))))
        if trial % 4 == 0:  # one story's chunks only, so its copies meet
            story = rng.randrange(25)
            pool = [c for c in chunks if c.cluster_id == f"c{story}"]
            rng.shuffle(pool)
        fused = [(c, 1.0 / (60 + i)) for i, c in enumerate(pool)]
        for k in (5, 40, len(fused)):
            expected = _reference(fused, k, outlets_of)
            assert collapse_syndicated(fused, k, outlets_of) == expected
            dropped += [h.chunk.chunk_id for h in expected] != [c.chunk_id for c, _s in fused[: len(expected)]]
    assert dropped > 20  # copies were in fact collapsed along the way
