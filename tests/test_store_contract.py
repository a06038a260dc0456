"""One contract, two stores: embedded Chroma (PersistentClient) and a real `chroma run` server."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import chromadb.api.models.Collection
import pytest

from index.check import check
from index.config import IndexSettings
from index.embedders import HashingEmbedder, MiniLMEmbedder
from index.errors import EmbedderMismatch
from index.ingest import ingest
from index.store import ChromaStore


@pytest.fixture(params=["embedded", "server"])
def config(request: pytest.FixtureRequest, tmp_path: Path) -> IndexSettings:
    base = IndexSettings(data_dir=tmp_path / "data", embedder="minilm", collection=f"c{tmp_path.name[-20:]}")
    if request.param == "server":
        host, port = request.getfixturevalue("chroma_server")
        return base.replace(chroma_host=host, chroma_port=port)
    return base


@pytest.fixture
def corpus(tmp_path: Path, seeds_dir: Path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(seeds_dir, folder)
    return folder


def _store(config: IndexSettings) -> ChromaStore:
    return ChromaStore.open(config, MiniLMEmbedder.name, MiniLMEmbedder.dim)


def test_seeds_ingest_end_to_end(config: IndexSettings, corpus: Path) -> None:
    report = ingest([corpus], config, embedder=MiniLMEmbedder())
    assert report.ok and not report.skipped
    assert len({name.split("#")[0] for name in report.added}) == 5
    store = _store(config)
    articles = store.articles()
    assert report.total_chunks == store.count() > 20
    # 003 and 004 are one syndicated story: one cluster recorded on both, and on their chunks
    by_source = {rec.source: rec for rec, _ in articles.values() if not rec.is_teaser}
    assert by_source["003_92f85167714ac0af.txt"].cluster_id == by_source["004_88c416a3f5d8c300.txt"].cluster_id
    assert len(report.clusters) == 1
    teasers = [rec for rec, _ in articles.values() if rec.is_teaser]
    assert len(teasers) == 4 and all(t.cluster_id == t.doc_id for t in teasers)
    # every chunk quotes its article exactly at its offsets
    for chunk in store.all_chunks():
        assert store.article_text(chunk.doc_id)[chunk.start : chunk.end] == chunk.text
        assert chunk.cluster_id == articles[chunk.doc_id][0].cluster_id


def test_unchanged_reingest_does_no_embedding(config: IndexSettings, corpus: Path) -> None:
    embedder = MiniLMEmbedder()
    first = ingest([corpus], config, embedder=embedder)
    again = ingest([corpus], config, embedder=embedder)
    assert again.chunks == 0 and again.embed_seconds == 0
    assert not again.added and not again.updated
    assert len(again.unchanged) == len(first.added)
    assert again.total_chunks == first.total_chunks


def test_changed_file_replaces_its_chunks(config: IndexSettings, corpus: Path) -> None:
    embedder = MiniLMEmbedder()
    ingest([corpus], config, embedder=embedder)
    target = corpus / "001_61a2b7113e9c39af.txt"
    target.write_text(target.read_text(encoding="utf-8").replace("Anchorage", "Juneau"))
    report = ingest([corpus], config, embedder=embedder)
    assert report.updated == ["001_61a2b7113e9c39af.txt"]
    store = _store(config)
    texts = [c.text for c in store.all_chunks() if c.source == target.name]
    assert any("Juneau" in t for t in texts) and not any("Anchorage" in t for t in texts)
    versions = {c.chunk_id.split(":")[1] for c in store.all_chunks() if c.source == target.name}
    assert len(versions) == 1  # no chunk of the old version left


def test_prune_removes_articles_whose_files_are_gone(config: IndexSettings, corpus: Path) -> None:
    embedder = MiniLMEmbedder()
    ingest([corpus], config, embedder=embedder)
    (corpus / "000_5153783c78e2eab8.txt").unlink()
    kept = ingest([corpus], config, embedder=embedder)
    assert not kept.removed  # without --prune nothing is removed
    pruned = ingest([corpus], config, embedder=embedder, prune=True)
    assert pruned.removed == ["000_5153783c78e2eab8.txt"]
    assert all(c.source != "000_5153783c78e2eab8.txt" for c in _store(config).all_chunks())


def test_same_file_twice_is_stored_once(config: IndexSettings, corpus: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy-of-002.txt"
    shutil.copy(corpus / "002_29c7895d67892a33.txt", copy)
    report = ingest([corpus / "002_29c7895d67892a33.txt", copy], config, embedder=MiniLMEmbedder())
    assert len(report.added) == 1 and len(report.duplicates) == 1
    assert {c.source for c in _store(config).all_chunks()} == {"002_29c7895d67892a33.txt"}


def test_mixing_embedders_is_refused(config: IndexSettings, corpus: Path) -> None:
    ingest([corpus / "001_61a2b7113e9c39af.txt"], config, embedder=MiniLMEmbedder())
    with pytest.raises(EmbedderMismatch, match="all-MiniLM"):
        ingest([corpus], config, embedder=HashingEmbedder())


def test_query_with_filters(config: IndexSettings, corpus: Path) -> None:
    embedder = MiniLMEmbedder()
    ingest([corpus], config, embedder=embedder)
    store = _store(config)
    vector = embedder.embed(["Blinken met Han Zheng, better known as mayor of Shanghai"])[0]
    hits = store.query(vector.tolist(), 3)
    assert hits[0].source in {"003_92f85167714ac0af.txt", "004_88c416a3f5d8c300.txt"}
    assert hits == sorted(hits, key=lambda c: -c.score)
    only = store.query(vector.tolist(), 3, where={"source": "001_61a2b7113e9c39af.txt"})
    assert only and {c.source for c in only} == {"001_61a2b7113e9c39af.txt"}


def test_consistency_check_repairs_lost_and_stray_vectors(config: IndexSettings, corpus: Path) -> None:
    embedder = HashingEmbedder()
    ingest([corpus], config, embedder=embedder)
    store = ChromaStore.open(config, embedder.name, embedder.dim)
    before = {c.chunk_id: c.text for c in store.all_chunks()}
    store._chunks.delete(ids=sorted(before)[::5])
    store._chunks.upsert(
        ids=["stray:0:0"], embeddings=embedder.embed(["x"]), documents=["x"], metadatas=[{"doc_id": "stray"}]
    )
    found = check(config, repair=True, embedder=embedder)
    assert len(found.missing) == len(sorted(before)[::5]) and found.orphans == ["stray:0:0"] and found.ok
    assert {c.chunk_id: c.text for c in store.all_chunks()} == before
    assert check(config, deep=True, embedder=embedder).consistent
    assert ingest([corpus], config, embedder=embedder).chunks == 0


def test_writes_are_split_by_the_clients_batch_limit(
    config: IndexSettings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("index.store_guard._max_batch_size", lambda client: 7)
    calls: list[int] = []
    upsert = chromadb.api.models.Collection.Collection.upsert

    def counting(self: Any, ids: Any, **kwargs: Any) -> Any:
        calls.append(len(ids))
        return upsert(self, ids, **kwargs)

    monkeypatch.setattr(chromadb.api.models.Collection.Collection, "upsert", counting)
    report = ingest([corpus], config, embedder=HashingEmbedder())
    assert report.total_chunks > 20 and max(calls) <= 7
