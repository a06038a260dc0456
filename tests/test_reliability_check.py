"""The consistency check finds chunks without vectors and vectors without manifest entries, and
repairs them so that the collection equals a clean ingest and a re-ingest finds nothing to do."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.check import check
from index.config import IndexSettings
from index.embedders import HashingEmbedder
from index.ingest import ingest
from index.store import ChromaStore


def _store(config: IndexSettings) -> ChromaStore:
    return ChromaStore.open(config, HashingEmbedder.name, HashingEmbedder.dim)


def _snapshot(config: IndexSettings) -> dict[str, str]:
    return {c.chunk_id: c.text for c in _store(config).all_chunks()}


def test_deleted_vectors_are_found_and_re_embedded(hashing_config: IndexSettings, seeds_dir: Path) -> None:
    ingest([seeds_dir], hashing_config)
    before = _snapshot(hashing_config)
    lost = sorted(before)[::7]
    _store(hashing_config)._chunks.delete(ids=lost)  # behind the store's back, as a second writer did

    found = check(hashing_config, repair=False)
    assert not found.consistent and not found.repaired
    assert found.missing == lost and not found.orphans
    assert "without vectors" in found.summary() and "\n" not in found.summary()

    repaired = check(hashing_config, repair=True)
    assert repaired.ok and repaired.summary().endswith("(repaired)")
    assert _snapshot(hashing_config) == before  # same ids, same text
    assert check(hashing_config, deep=True).summary().endswith(": consistent")

    again = ingest([seeds_dir], hashing_config)
    assert not again.added and not again.updated and again.chunks == 0 and not again.repairs


def test_repaired_vectors_are_found_by_vector_search(hashing_config: IndexSettings, seeds_dir: Path) -> None:
    ingest([seeds_dir], hashing_config)
    store = _store(hashing_config)
    victim = store.all_chunks()[3]
    store._chunks.delete(ids=[victim.chunk_id])
    check(hashing_config, repair=True)
    vector = HashingEmbedder().embed([f"{victim.header()}\n{victim.text}"])[0]
    assert _store(hashing_config).query(vector.tolist(), 1)[0].chunk_id == victim.chunk_id


def test_vectors_without_a_manifest_entry_are_deleted(hashing_config: IndexSettings, seeds_dir: Path) -> None:
    ingest([seeds_dir], hashing_config)
    before = _snapshot(hashing_config)
    store = _store(hashing_config)
    orphan = store.all_chunks()[0]
    meta = {"doc_id": "gone", "version": "0", "start": 0, "end": 1, "position": 0}
    store._chunks.upsert(ids=["gone:0:0"], embeddings=np.ones((1, 512)), documents=["x"], metadatas=[meta])
    store._chunks.upsert(  # a stale version of a known article
        ids=[f"{orphan.doc_id}:oldversion00:0"], embeddings=np.ones((1, 512)), documents=["y"], metadatas=[meta]
    )

    found = check(hashing_config, repair=True)
    assert found.orphans == sorted(["gone:0:0", f"{orphan.doc_id}:oldversion00:0"])
    assert found.deleted == 2 and found.ok
    assert _snapshot(hashing_config) == before


def test_ingest_repairs_before_it_writes(hashing_config: IndexSettings, seeds_dir: Path) -> None:
    ingest([seeds_dir], hashing_config)
    before = _snapshot(hashing_config)
    _store(hashing_config)._chunks.delete(ids=sorted(before)[:5])

    report = ingest([seeds_dir], hashing_config)
    assert "5 chunks of" in report.repairs and report.repairs.endswith("(repaired)")
    assert not report.added and not report.updated and report.chunks == 0
    assert report.total_chunks == len(before)
    assert _snapshot(hashing_config) == before


def test_an_empty_collection_is_consistent(hashing_config: IndexSettings, seeds_dir: Path) -> None:
    _store(hashing_config)
    report = check(hashing_config, repair=True)
    assert report.consistent and report.ok
    assert report.summary() == "checked 0 articles, 0 chunks: consistent"
