"""CPU cost of ``index.nearest_rows`` (exact search over the saved vectors) at a given size.

    PYTHONPATH=. nice -n 19 .venv/bin/python -m benchmarks.bench_nearest_rows [DATA_DIR] \\
        [--rows 207972] [--outlets 50] [--queries 200]

With DATA_DIR: the saved vectors and outlet column of that data dir's keyword index (memory-mapped,
as the retriever opens them). Without: ``--rows`` random unit vectors of 384 floats, saved to a
temporary .npy and memory-mapped, with ``--outlets`` outlets dealt round-robin. Times one unfiltered
search and one search per outlet mask (pool 40, as the retriever asks), CPU ms per search.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from index.vector_matrix import nearest_rows, unit_rows

POOL = 40


def _matrix(args: argparse.Namespace, tmp: Path) -> tuple[np.ndarray, np.ndarray]:
    if args.data:
        from index.config import IndexSettings
        from index.keyword_store import index_dir, load

        index = load(index_dir(IndexSettings.load(env={}, data_dir=args.data)))
        assert index is not None and index.vectors is not None, "no saved vectors in that data dir"
        return index.vectors, np.asarray(index.columns.strings["outlet"].codes)
    rng = np.random.default_rng(0)
    path = tmp / "vectors.npy"
    np.save(path, unit_rows(rng.normal(size=(args.rows, 384)).astype(np.float32)))
    return np.load(path, mmap_mode="r"), np.arange(args.rows) % args.outlets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, nargs="?")
    parser.add_argument("--rows", type=int, default=207_972)
    parser.add_argument("--outlets", type=int, default=50)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        matrix, outlets = _matrix(args, Path(tmp))
        codes = np.unique(outlets)
        rng = np.random.default_rng(1)
        queries = unit_rows(rng.normal(size=(args.queries, matrix.shape[1])).astype(np.float32))
        nearest_rows(matrix, queries[0], None, POOL)  # pages in, as a warm process has them
        unfiltered, filtered = [], []
        for i, q in enumerate(queries):
            started = time.process_time()
            nearest_rows(matrix, q, None, POOL)
            unfiltered.append(1000 * (time.process_time() - started))
            mask = outlets == codes[i % len(codes)]
            started = time.process_time()
            nearest_rows(matrix, q, mask, POOL)
            filtered.append(1000 * (time.process_time() - started))
    print(json.dumps({
        "rows": len(matrix), "dim": int(matrix.shape[1]), "outlets": len(codes),
        "unfiltered_cpu_ms_p50": round(statistics.median(unfiltered), 2),
        "one_outlet_cpu_ms_p50": round(statistics.median(filtered), 2),
        "one_outlet_rows_mean": round(len(matrix) / len(codes)),
    }))


if __name__ == "__main__":
    main()
