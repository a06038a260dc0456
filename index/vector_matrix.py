"""The chunks' embedding vectors saved beside the keyword index, and exact search over any subset.

A filtered vector list (one outlet, one date range, the articles a question names) is a search over
the rows the keyword index's filter mask admits. Chroma answers it by pre-filtering in SQLite and
then walking its HNSW graph while skipping every other id: slow on a large collection (most of a
retrieval's CPU at 10,000 articles) and approximate (a nearer chunk is sometimes missed). With the
vectors as one matrix whose rows are the keyword index's chunks, the same list is one matrix-vector
product over the admitted rows, exact, in milliseconds.

The matrix is a float32 ``vectors.npy`` inside the keyword index's build folder
(:mod:`index.keyword_store`), written with it and made current by the same atomic rename of
``current.json``: it carries the same generation stamp and is used under the same staleness rules.
Rows are unit length (the collection's ``hnsw:space`` is cosine, so an inner product here is the
cosine Chroma ranks by, and ``1 - distance`` is the score it reports). Vectors are read from Chroma
when the keyword index is (re)built; rows of chunks the previous build held are re-used (a chunk id
names its article's content version, so its vector cannot change under it).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.store import ChromaStore

log = logging.getLogger(__name__)

FILE = "vectors.npy"


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` as float32 rows of length 1 (a zero row stays zero)."""
    rows = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    out: np.ndarray = np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)
    return out


def build_matrix(
    store: ChromaStore,
    chunk_ids: Sequence[str],
    previous_ids: Sequence[str] = (),
    previous: np.ndarray | None = None,
) -> np.ndarray | None:
    """The unit vectors of ``chunk_ids``, row for row, from Chroma; rows of ids in ``previous_ids``
    are taken from ``previous`` (its matrix, row for row) instead. None when some chunk's vector
    cannot be read (its vector index entry was lost: ``newsdesk check --repair`` re-embeds it),
    and then retrieval falls back to Chroma's filtered queries."""
    if previous is None or len(previous) != len(previous_ids):
        previous_ids = ()
    old_row = {cid: i for i, cid in enumerate(previous_ids)}
    matrix = np.zeros((len(chunk_ids), store.dim), dtype=np.float32)
    reused = [(i, old_row[cid]) for i, cid in enumerate(chunk_ids) if cid in old_row]
    if reused and previous is not None:
        pairs = np.array(reused, dtype=np.int64)
        matrix[pairs[:, 0]] = previous[pairs[:, 1]]
    missing = [i for i, cid in enumerate(chunk_ids) if cid not in old_row]
    try:
        read = store.vectors_by_id([chunk_ids[i] for i in missing])
    except Exception as err:  # noqa: BLE001 - a lost vector fails Chroma's whole read
        log.warning("cannot read every chunk's vector (%s): vector lists will use Chroma's filtered queries", err)
        return None
    for i in missing:
        vector = read.get(chunk_ids[i])
        if vector is None:
            log.warning("chunk %s has no vector: vector lists will use Chroma's filtered queries", chunk_ids[i])
            return None
        matrix[i] = vector
    if missing:
        matrix[missing] = unit_rows(matrix[missing])
    log.info("vector matrix: %d rows (%d read from Chroma)", len(chunk_ids), len(missing))
    return matrix


def save_matrix(folder: Path, matrix: np.ndarray) -> None:
    np.save(folder / FILE, np.asarray(matrix, dtype=np.float32), allow_pickle=False)


def load_matrix(folder: Path, rows: int) -> np.ndarray | None:
    """The matrix saved in ``folder``, memory-mapped (None when there is none, as in a build made
    before vectors were saved, or it does not have ``rows`` rows)."""
    path = folder / FILE
    if not path.exists():
        return None
    try:
        matrix = np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError:  # an empty array cannot be memory-mapped
        matrix = np.load(path, allow_pickle=False)
    if matrix.ndim != 2 or len(matrix) != rows or matrix.dtype != np.float32:
        log.warning("the saved vectors in %s do not fit the keyword index: not used", folder)
        return None
    return np.asarray(matrix)


def nearest_rows(
    matrix: np.ndarray, query: np.ndarray, mask: np.ndarray | None, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` rows of ``matrix`` nearest to ``query`` by cosine among those ``mask`` admits
    (None: all), nearest first, and their cosines. Exact: every admitted row is scored."""
    q = unit_rows(np.asarray(query, dtype=np.float32).reshape(-1))
    rows = np.arange(len(matrix)) if mask is None else np.flatnonzero(mask)
    if not len(rows) or n <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    # einsum, not BLAS's threaded matrix-vector product: on a busy machine its threads spin for
    # ~8 CPU ms per call on an outlet's few thousand rows, where one thread takes ~0.4 ms
    scores = np.einsum("ij,j->i", matrix if mask is None else matrix[rows], q)
    n = min(n, len(rows))
    top = np.argpartition(-scores, n - 1)[:n] if n < len(rows) else np.arange(len(rows))
    top = top[np.lexsort((rows[top], -scores[top]))]  # best first; ties by row, so runs agree
    return rows[top].astype(np.int64), scores[top]
