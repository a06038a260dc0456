"""Syndicated copies of one wire story collapsed: what every copy says is kept once, what only one
copy says is kept too, and each hit names the other outlets that carried the story."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from assistant.language.text import WORDS, jaccard
from index import Chunk, Columns
from index import sentences as sentences_of

# Two sentences of copies of one story with at least this word-set overlap say the same thing
# (measured on the seeds' AFP story: rewordings of one sentence 0.65-0.9; a sentence that adds a
# fact, "better known for his tenure as mayor of Shanghai", 0.45 against its counterpart).
REPEAT_JACCARD = 0.6


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk, with the other outlets that carried the same (syndicated) story."""

    chunk: Chunk
    also_reported_by: tuple[str, ...] = ()


def collapse_syndicated(
    fused: list[tuple[Chunk, float]], k: int, outlets_of: Callable[[str, str], tuple[str, ...]]
) -> list[Hit]:
    """The first ``k`` hits of ``fused`` with syndicated copies collapsed: a chunk of one copy whose
    every sentence repeats a sentence of a better-ranked chunk of another copy is dropped; what only
    one copy says is kept (the copies of a wire story are often edited differently). Every hit
    remembers the outlets of the other copies (``outlets_of(cluster_id, doc_id)``, "also reported
    by")."""
    # cluster -> (doc_id, text) of its chunks kept so far. A chunk is cut into sentences only when
    # a chunk of another copy of its story comes to be compared with it (Punkt was ~3/4 of this
    # step, and most chunks of a syndicated story are never compared): the same hits as cutting
    # every chunk as it comes (tests/test_syndication.py).
    seen: dict[str, list[tuple[str, str]]] = defaultdict(list)
    hits: list[Hit] = []
    for chunk, score in fused:
        cluster = chunk.cluster_id or chunk.doc_id
        also = outlets_of(cluster, chunk.doc_id)
        if also:
            others = [words for doc, text in seen[cluster] if doc != chunk.doc_id for words in _sentence_words(text)]
            if others and all(
                any(jaccard(s, o) >= REPEAT_JACCARD for o in others) for s in _sentence_words(chunk.text)
            ):
                continue
            seen[cluster].append((chunk.doc_id, chunk.text))
        hits.append(Hit(replace(chunk, score=score), also))
        if len(hits) >= k:
            break
    return hits


def cluster_outlets(columns: Columns) -> dict[str, list[tuple[str, str]]]:
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
