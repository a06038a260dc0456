"""Vectors for big synthetic collections without embedding every chunk (benchmarks/bench_scale.py).

Embedding the ~200,000 chunks of 10,000 synthetic articles with MiniLM takes about 1.5 hours on 2
cores (2 million chunks: 15 hours), and the vectors' exact values do not change how fast Chroma
searches them, only their geometry does. So a big collection is built with
:class:`DerivedEmbedder`: each synthetic chunk gets the real MiniLM vector of the original corpus
chunk it was derived from (found by shared word 3-shingles: a synthetic copy's chunks hold the
original's sentences, rotated), plus a small deterministic random perturbation, so copies of one
original lie close together but not on top of each other, as real rewrites of a story do. The
perturbation's size is calibrated on real vectors (:func:`calibrate`): a derived vector lies as far
from its original as MiniLM puts a synthetic copy's chunk from that original, on a sample embedded
for real in the same run. A text identical to an original gets its real vector unchanged; one that
shares no shingle with any original (none in the MultiHop-RAG runs) is embedded by the real
embedder.
"""

from __future__ import annotations

import hashlib
import math
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from index.dedup import shingles
from index.embedders import Embedder, Vectors

SAMPLE = 4  # one shingle hash in SAMPLE is looked up (both sides alike): a quarter of the memory


def _keys(text: str) -> NDArray[np.uint64]:
    grams = shingles(text)
    return grams[grams % np.uint64(SAMPLE) == 0]


def perturbed(vector: NDArray[np.float32], scale: float, text: str) -> NDArray[np.float32]:
    """Unit ``vector`` moved by ``scale`` in a random direction orthogonal to it, fixed by
    ``text``, and re-normalised: its cosine to ``vector`` is ``1 / sqrt(1 + scale**2)``."""
    seed = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
    direction = np.asarray(np.random.default_rng(seed).standard_normal((vector.shape[0],)), dtype=np.float32)
    direction -= float(direction @ vector) * vector
    moved = vector + scale * direction / np.linalg.norm(direction)
    return np.asarray(moved / np.linalg.norm(moved), dtype=np.float32)


def scale_for(cosine: float) -> float:
    """The perturbation size that leaves a unit vector at ``cosine`` to where it was."""
    return math.sqrt(max(0.0, 1.0 / max(cosine, 1e-6) ** 2 - 1.0))


class DerivedEmbedder:
    """The :class:`~index.embedders.Embedder` interface over the real vectors of ``texts`` (the
    original chunks' embedding texts): see the module docstring. ``name`` and ``dim`` are the real
    embedder's, so the collection it builds is read with the real embedder."""

    def __init__(
        self,
        texts: Sequence[str],
        vectors: Vectors,
        name: str,
        scale: float,
        fallback: Callable[[], Embedder],
    ) -> None:
        self.name, self.dim, self.scale = name, int(vectors.shape[1]), scale
        self._vectors = vectors
        self._rows = {t: i for i, t in enumerate(texts)}
        self._lookup: dict[int, list[int]] = {}
        for row, text in enumerate(texts):
            for key in _keys(text).tolist():
                self._lookup.setdefault(key, []).append(row)
        self._fallback = fallback
        self._real: Embedder | None = None
        self.counts: Counter[str] = Counter()  # exact, derived, embedded
        self.cpu_seconds = 0.0  # CPU time of the calling threads in embed()

    def is_original(self, text: str) -> bool:
        return text in self._rows

    def origin(self, text: str) -> int | None:
        """The row of the original the text was derived from: an identical text, else the one
        sharing the most sampled shingles (ties: the first), else None."""
        row = self._rows.get(text)
        if row is not None:
            return row
        votes: Counter[int] = Counter()
        for key in _keys(text).tolist():
            votes.update(self._lookup.get(key, ()))
        return min(votes, key=lambda r: (-votes[r], r)) if votes else None

    def vector(self, row: int) -> NDArray[np.float32]:
        return np.asarray(self._vectors[row], dtype=np.float32)

    def embed(self, texts: Sequence[str]) -> Vectors:
        started = time.thread_time()
        try:
            return self._embed(texts)
        finally:
            self.cpu_seconds += time.thread_time() - started

    def _embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        unmatched: list[int] = []
        for i, text in enumerate(texts):
            row = self._rows.get(text)
            if row is not None:
                out[i] = self._vectors[row]
                self.counts["exact"] += 1
                continue
            row = self.origin(text)
            if row is None:
                unmatched.append(i)
                continue
            out[i] = perturbed(self.vector(row), self.scale, text)
            self.counts["derived"] += 1
        if unmatched:
            self._real = self._real or self._fallback()
            out[unmatched] = self._real.embed([texts[i] for i in unmatched])
            self.counts["embedded"] += len(unmatched)
        return out


def calibrate(embedder: DerivedEmbedder, texts: Sequence[str], real: Vectors) -> dict[str, Any]:
    """Set ``embedder.scale`` from real vectors of synthetic chunks: the median cosine between a
    chunk's real vector and its original's. Reports that cosine and, for the chosen scale, how close
    the derived vectors come to the real ones."""
    rows = [embedder.origin(t) for t in texts]
    pairs = [(i, r) for i, r in enumerate(rows) if r is not None]
    to_original = [float(real[i] @ embedder.vector(r)) for i, r in pairs]
    if not to_original:
        raise ValueError("no calibration text shares a shingle with an original")
    embedder.scale = scale_for(statistics.median(to_original))
    derived = [float(real[i] @ perturbed(embedder.vector(r), embedder.scale, texts[i])) for i, r in pairs]
    return {
        "chunks": len(texts),
        "matched": len(pairs),
        "real_to_original_cosine_median": round(statistics.median(to_original), 4),
        "real_to_original_cosine_p10": round(float(np.percentile(to_original, 10)), 4),
        "scale": round(embedder.scale, 4),
        "derived_to_real_cosine_median": round(statistics.median(derived), 4),
    }
