"""Killing ingestion midway (SIGKILL) and running it again gives exactly the uninterrupted result,
the vectors saved beside the keyword index included."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np

from index.config import IndexSettings
from index.embedders import MiniLMEmbedder
from index.ingest import ingest
from index.keyword_store import index_dir, load
from index.store import ChromaStore
from index.vector_matrix import unit_rows
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "data" / "multihop-rag" / "corpus.json"
GROUP_CHUNKS = 4  # the child writes in groups this small: the 29 articles take about 15 groups

CHILD = """
import importlib, logging, sys
from pathlib import Path
import numpy as np

from index.config import IndexSettings
from index.ingest import ingest
importlib.import_module("index.embed_and_store").GROUP_CHUNKS = int(sys.argv[3])
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
ingest([Path(sys.argv[2])], IndexSettings(data_dir=Path(sys.argv[1])), progress=False)
"""


def _articles(tmp_path: Path, seeds_dir: Path) -> Path:
    """The seeds plus the 20 articles of the shipped MultiHop-RAG-shaped corpus, as JSON lines."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for seed in seeds_dir.iterdir():
        (folder / seed.name).write_bytes(seed.read_bytes())
    records = json.loads(CORPUS.read_text(encoding="utf-8"))
    with open(folder / "wire.jsonl", "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record) + "\n")
    return folder


def _snapshot(config: IndexSettings) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    store = ChromaStore.open(config, MiniLMEmbedder.name, MiniLMEmbedder.dim)
    chunks = {c.chunk_id: c.text for c in store.all_chunks()}
    manifest = {d: (rec.content_hash, rec.cluster_id) for d, (rec, _sig) in store.articles().items()}
    return chunks, manifest


def test_sigkill_midway_then_rerun_equals_uninterrupted(tmp_path: Path, seeds_dir: Path) -> None:
    folder = _articles(tmp_path, seeds_dir)
    killed_dir = tmp_path / "killed"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(killed_dir), str(folder), str(GROUP_CHUNKS)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TOKENIZERS_PARALLELISM": "false"},
    )
    assert child.stderr is not None
    for line in child.stderr:  # kill as soon as the first group of articles is written
        if line.startswith("wrote "):
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL, child.stderr.read()

    rerun = ingest([folder], IndexSettings(data_dir=killed_dir), progress=False)
    assert rerun.unchanged, "the articles written before the kill are kept"
    assert rerun.added, "the rest is added on the second run"

    clean = IndexSettings(data_dir=tmp_path / "clean")
    ingest([folder], clean, progress=False)
    killed_chunks, killed_manifest = _snapshot(IndexSettings(data_dir=killed_dir))
    clean_chunks, clean_manifest = _snapshot(clean)
    assert killed_manifest == clean_manifest
    assert killed_chunks == clean_chunks  # no duplicate, no orphan chunk
    _same_saved_vectors(IndexSettings(data_dir=killed_dir), clean)


def _same_saved_vectors(killed: IndexSettings, clean: IndexSettings) -> None:
    """The vectors saved beside the keyword index converge too: Chroma's, row for row, equal to an
    uninterrupted run's."""
    saved = {name: load(index_dir(config)) for name, config in (("killed", killed), ("clean", clean))}
    for name, config in (("killed", killed), ("clean", clean)):
        index = saved[name]
        assert index is not None and index.vectors is not None, name
        ids = index.columns.chunk_id.take(np.arange(len(index)))
        chroma = ChromaStore.open(config, MiniLMEmbedder.name, MiniLMEmbedder.dim).vectors_by_id(ids)
        np.testing.assert_allclose(index.vectors, unit_rows(np.stack([chroma[c] for c in ids])), atol=1e-6)
    killed_index, clean_index = saved["killed"], saved["clean"]
    assert killed_index is not None and clean_index is not None
    assert killed_index.columns.chunk_id.take(np.arange(len(killed_index))) == clean_index.columns.chunk_id.take(
        np.arange(len(clean_index))
    )
    np.testing.assert_allclose(killed_index.vectors, clean_index.vectors, atol=1e-5)
