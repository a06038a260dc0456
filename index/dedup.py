"""Near-duplicate detection for syndicated copies: MinHash signatures of word 3-shingles.

A signature is ``NUM_PERM`` MinHash values of the article's word 3-shingles followed by one extra
slot holding the number of distinct shingles, so that two stored signatures give both an
estimate of the Jaccard similarity J and, through the set sizes, of the containment
``|A∩B| / min(|A|, |B|)`` (one copy may carry extra paragraphs). Signatures are deterministic
(fixed hash seeds), so they can be stored (see :func:`encode_signature`) and compared across runs.
"""

from __future__ import annotations

import base64
import logging
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)

# Why not datasketch (2.0.0), measured with the same decision rule on the 609 MultiHop-RAG
# articles: `python benchmarks/compare_minhash.py ../shared/data/multihop-rag/corpus.json`.
#   this module:                  1.0 CPU s, the one true group (Engadget's Apple deals list
#                                 run twice); 173 of 200 planted copies found (an article inside
#                                 a page 2.5-4.75 times its length: Jaccard 0.21-0.40, containment 1)
#   datasketch + MinHashLSH(0.2): 1.4-2.1x the time, same group, 136 of 200 copies: its bands
#                                 (85 of 3 rows) offer a pair at J 0.2 as a candidate half the
#                                 time, where this module compares every pair at once
#   datasketch, every pair:       1.5-2.7x the time, 177 of 200 copies, and one more group, two
#                                 Wired deal lists (exact J 0.18, containment 0.37) that its
#                                 hash draw estimates at J 0.23
# Adopting it would also make every stored signature unreadable (other hash functions).
NUM_PERM = 256
SHINGLE_WORDS = 3
_MAX_HASH = np.uint64((1 << 32) - 1)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier for combining word hashes
_BLOCK = 4096  # shingles hashed at once (bounds memory to _BLOCK * NUM_PERM * 8 bytes)
_rng = np.random.default_rng(20240917)
_A = _rng.integers(1, 1 << 63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 1 << 63, size=NUM_PERM, dtype=np.uint64)
_WORD = re.compile(r"\w+")

# Decision rule on the estimated similarities (word 3-shingles, exact values first, MinHash
# estimates with these seeds in brackets), measured on the seeds after cleaning:
#   003 main story vs 004 (same AFP story, two outlets, lightly rewritten, 003 longer):
#       Jaccard 0.330 (0.340), containment 0.599 (0.612)
#   every other seed pair (000/002 both Blinken-Wang at the UN, other years and text):
#       Jaccard <= 0.022 (0.020), containment <= 0.052 (0.046)
# and on the 609 MultiHop-RAG articles (all distinct stories), closest pairs, all same-outlet
# templates (deal lists, game guides, live trackers sharing paragraphs):
#       (J 0.720, C 0.859) Engadget Apple deals, Black Friday vs Cyber Monday: one list re-run,
#       (J 0.239, C 0.388) Diablo 4 build guides, (J 0.135, C 0.426) MLB trackers,
#       (J 0.121, C 0.640) Argentina v Paraguay preview inside the live blog.
# Both conditions must hold, so each of those fails at least one by >= 0.06 while the seed pair
# passes both by >= 0.13 (the estimate's standard deviation at 256 permutations is ~0.03).
JACCARD_THRESHOLD = 0.5  # on its own: a copy with light edits
MIN_JACCARD = 0.2  # together with ...
CONTAINMENT_THRESHOLD = 0.45  # ... one copy largely inside the other (extra paragraphs)
MIN_SHINGLES = 20  # shorter texts (a headline, a stub) only match on JACCARD_THRESHOLD


@dataclass(frozen=True)
class DupCandidate:
    """A new document's best near-duplicate match and the estimated similarities."""

    doc_id: str
    other_id: str
    jaccard: float
    containment: float


def shingles(text: str) -> NDArray[np.uint64]:
    """Distinct 32-bit hashes of the text's word 3-shingles (case-folded, punctuation ignored)."""
    words = _WORD.findall(text.casefold())
    if not words:
        return np.zeros(0, dtype=np.uint64)
    ids = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in words), np.uint64, len(words))
    if ids.size >= SHINGLE_WORDS:
        # combine each run of SHINGLE_WORDS word hashes into one 32-bit value (wraps mod 2**64)
        grams = ids[: ids.size - SHINGLE_WORDS + 1].copy()
        for offset in range(1, SHINGLE_WORDS):
            grams = grams * _MIX + ids[offset : ids.size - SHINGLE_WORDS + 1 + offset]
        ids = grams >> np.uint64(32) ^ grams & _MAX_HASH
    return np.unique(ids)


def signature(text: str) -> NDArray[np.uint64]:
    """MinHash signature: ``NUM_PERM`` minima, then the shingle count (``NUM_PERM + 1`` values)."""
    grams = shingles(text)
    sig = np.full(NUM_PERM + 1, _MAX_HASH, dtype=np.uint64)
    sig[-1] = grams.size
    for start in range(0, grams.size, _BLOCK):
        block = grams[start : start + _BLOCK, None]
        # multiply-add-shift hashing of 32-bit keys: ((a * x + b) mod 2**64) >> 32
        hashed = (block * _A[None, :] + _B[None, :]) >> np.uint64(32)
        np.minimum(sig[:-1], hashed.min(axis=0), out=sig[:-1])
    return sig


def encode_signature(sig: NDArray[np.uint64]) -> str:
    """A compact ASCII form of a signature for Chroma metadata (base64 of uint32 values)."""
    return base64.b64encode(np.asarray(sig, dtype="<u4").tobytes()).decode("ascii")


def decode_signature(text: str) -> NDArray[np.uint64]:
    """Inverse of :func:`encode_signature`.

    A string that is not a signature of this version (corrupt, or another ``NUM_PERM``) decodes
    to an empty array, which matches nothing, so an old store never stops an ingest.
    """
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raw = b""
    if len(raw) != 4 * (NUM_PERM + 1):
        log.warning("ignoring a stored signature that is not %d values", NUM_PERM + 1)
        return np.zeros(0, dtype=np.uint64)
    return np.frombuffer(raw, dtype="<u4").astype(np.uint64)


def similarity(a: NDArray[np.uint64], b: NDArray[np.uint64]) -> tuple[float, float]:
    """Estimated (Jaccard, containment) of two signatures."""
    jaccard = float(np.mean(a[:-1] == b[:-1])) if a[-1] and b[-1] else 0.0
    return jaccard, _containment(jaccard, int(a[-1]), int(b[-1]))


def _containment(jaccard: float, size_a: int, size_b: int) -> float:
    smaller = min(size_a, size_b)
    if smaller == 0:
        return 0.0
    overlap = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, overlap / smaller)


def is_near_duplicate(jaccard: float, containment: float, smaller: int) -> bool:
    """The decision rule on estimated similarities (``smaller``: the shorter text's shingles)."""
    if jaccard >= JACCARD_THRESHOLD:
        return True
    return smaller >= MIN_SHINGLES and jaccard >= MIN_JACCARD and (containment >= CONTAINMENT_THRESHOLD)


def find_duplicates(
    existing: Mapping[str, NDArray[np.uint64]], new: Sequence[tuple[str, NDArray[np.uint64]]]
) -> list[DupCandidate]:
    """For each new document (in order), its most similar earlier near-duplicate, if any.

    "Earlier" means an existing document or a new one that comes before it in ``new``. Each new
    signature is compared with all earlier ones at once (one vectorised comparison, about a
    millisecond per 10,000 stored articles), so no near-duplicate is missed by bucketing.
    """
    ids: list[str] = []
    matrix = np.empty((len(existing) + len(new), NUM_PERM + 1), dtype=np.uint32)
    for doc_id, sig in existing.items():
        if _usable(doc_id, sig):
            matrix[len(ids)] = sig
            ids.append(doc_id)
    found: list[DupCandidate] = []
    for doc_id, sig in new:
        if not _usable(doc_id, sig):
            continue
        best = _best_match(doc_id, np.asarray(sig, dtype=np.uint32), ids, matrix[: len(ids)])
        if best is not None:
            found.append(best)
        matrix[len(ids)] = sig
        ids.append(doc_id)
    return found


def _usable(doc_id: str, sig: NDArray[np.uint64]) -> bool:
    if sig.shape == (NUM_PERM + 1,):
        return True
    log.debug("no near-duplicate check for %s: signature of %d values", doc_id, sig.size)
    return False


def _best_match(
    doc_id: str, sig: NDArray[np.uint32], ids: Sequence[str], earlier: NDArray[np.uint32]
) -> DupCandidate | None:
    if not sig[-1] or not len(ids):
        return None
    jaccards = np.count_nonzero(earlier[:, :-1] == sig[:-1], axis=1) / NUM_PERM
    jaccards[earlier[:, -1] == 0] = 0.0
    best: DupCandidate | None = None
    for row in np.flatnonzero(jaccards >= min(MIN_JACCARD, JACCARD_THRESHOLD)).tolist():
        jaccard, size = float(jaccards[row]), int(earlier[row, -1])
        containment = _containment(jaccard, int(sig[-1]), size)
        if ids[row] == doc_id or not is_near_duplicate(jaccard, containment, min(int(sig[-1]), size)):
            continue
        if best is None or (jaccard, containment) > (best.jaccard, best.containment):
            best = DupCandidate(doc_id, ids[row], jaccard, containment)
    return best


def assign_clusters(
    existing: Mapping[str, tuple[str, NDArray[np.uint64]]],
    new: Sequence[tuple[str, NDArray[np.uint64]]],
) -> dict[str, str]:
    """Cluster ids for the new documents.

    ``existing`` maps doc_id to (cluster_id, signature); ``new`` is (doc_id, signature) in a
    deterministic order. A new document joins the cluster of its most similar near-duplicate
    among the existing and the earlier new documents; otherwise its cluster id is its doc_id.
    """
    clusters = {doc_id: cluster for doc_id, (cluster, _sig) in existing.items()}
    matches = {
        m.doc_id: m for m in find_duplicates({doc_id: sig for doc_id, (_c, sig) in existing.items()}, new)
    }
    result: dict[str, str] = {}
    for doc_id, _sig in new:
        match = matches.get(doc_id)
        cluster = clusters[match.other_id] if match is not None else doc_id
        clusters[doc_id] = result[doc_id] = cluster
        if match is not None:
            log.info(
                "%s is a near-duplicate of %s (J=%.2f, C=%.2f)",
                doc_id,
                match.other_id,
                match.jaccard,
                match.containment,
            )
    return result
