"""What every embedder shares: the vector type, L2 normalisation, and the windows a text longer than
a model's window is embedded as (:meth:`index.embedders.MiniLMEmbedder.embed`,
:meth:`index.embedders_nomic.NomicEmbedder.embed`)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]


def normalise(vectors: NDArray[np.float32]) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def mean_of_windows(count: int, owners: NDArray[np.int64], pooled: Vectors, sizes: NDArray[np.float32]) -> Vectors:
    """One normalised vector per text from its windows' pooled vectors: ``owners[j]`` is the text
    window ``j`` belongs to, ``sizes[j]`` its token count (the weight of its pool). A text of one
    window keeps that window's vector as it is, bit for bit."""
    out = np.zeros((count, pooled.shape[1]), dtype=np.float32)
    if len(owners) == count:  # every text fits its window (the common case)
        out[owners] = pooled
        return normalise(out)
    for i in range(count):
        mine = np.flatnonzero(owners == i)
        out[i] = pooled[mine[0]] if len(mine) == 1 else np.average(pooled[mine], axis=0, weights=sizes[mine])
    return normalise(out)


def windows(length: int, width: int, overlap: int) -> list[tuple[int, int]]:
    """``[start, end)`` spans of at most ``width`` that cover ``range(length)``: one span when it
    fits, else the fewest spans whose neighbours share at least ``overlap`` positions, all of about
    the same size (a text just over the window becomes two halves, not a full window and a scrap)."""
    if length <= width:
        return [(0, length)]
    overlap = min(overlap, width - 1)
    count = -(-(length - overlap) // (width - overlap))  # ceil
    size = -(-(length + (count - 1) * overlap) // count)  # <= width
    return [(start, start + size) for start in (round(k * (length - size) / (count - 1)) for k in range(count))]
