"""Bounded work per article: Chroma's batch limit, a cap on chunks per article, and one failing
article never costing the others of the same run."""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from index.check import check
from index.clean import content_hash
from index.config import IndexSettings
from index.embedders import HashingEmbedder, Vectors
from index.errors import DiskFull, EmbedderUnavailable, StoreUnavailable, store_fault
from index.ingest import ingest
from index.store import ArticleWrite, ChromaStore
from index.types import Article, ArticleMeta, Chunk


@pytest.fixture
def corpus(tmp_path: Path, seeds_dir: Path) -> Path:
    """The seeds in a folder of their own, next to which a bad article can be put."""
    return Path(shutil.copytree(seeds_dir, tmp_path / "articles"))


def _store(config: IndexSettings) -> ChromaStore:
    return ChromaStore.open(config, HashingEmbedder.name, HashingEmbedder.dim)


def test_writes_larger_than_chromas_batch_limit_are_split(hashing_config: IndexSettings) -> None:
    store = _store(hashing_config)
    n = store.max_batch + 600  # 5,461 + 600 for the embedded store
    article = Article(doc_id="big", key="k", source="big.txt", title="Big", text="x" * n)
    article = Article(**{**article.__dict__, "content_hash": content_hash(article)})
    chunks = [
        Chunk(chunk_id=f"big:{article.content_hash[:12]}:{i}", meta=ArticleMeta("big"), text="x", start=i, end=i + 1,
              position=i)
        for i in range(n)
    ]
    vectors = np.tile(HashingEmbedder().embed(["x"]), (n, 1))
    store.put_articles([ArticleWrite(article, chunks, vectors, "big", "")])
    assert store.count() == n
    assert check(hashing_config).consistent


def test_an_article_over_the_chunk_cap_is_skipped_and_the_rest_stored(
    hashing_config: IndexSettings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.import_module("index.embed_and_store"), "MAX_CHUNKS_PER_ARTICLE", 30)
    words = " ".join(f"word{i % 50}" for i in range(8000))  # no punctuation: ~50 chunks
    (corpus / "huge.txt").write_text("Huge\n\n" + words, encoding="utf-8")
    report = ingest([corpus], hashing_config)
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [
        ("huge.txt", "too long: 50 chunks, at most 30 per article (split it into smaller files)")
    ]
    assert "huge.txt" not in report.added
    assert len({name for name in report.added}) == 5  # the seeds of the same run are stored
    assert check(hashing_config).consistent


def test_unpunctuated_megabyte_is_stored_in_bounded_chunks(hashing_config: IndexSettings, tmp_path: Path) -> None:
    text = " ".join(f"term{i % 997}" for i in range(120_000))
    (tmp_path / "flat.txt").write_text("Flat\n\n" + text, encoding="utf-8")
    report = ingest([tmp_path / "flat.txt"], hashing_config)
    assert report.added == ["flat.txt"] and 500 < report.chunks < 2000
    assert max(len(c.text) for c in _store(hashing_config).all_chunks()) < 2000


class PoisonedEmbedder(HashingEmbedder):
    """Fails on any text containing POISON, like an embedder choking on one article."""

    def embed(self, texts: Sequence[str]) -> Vectors:
        if any("POISON" in t for t in texts):
            raise ValueError("cannot embed this text")
        return super().embed(texts)


def test_one_failing_article_is_skipped_and_the_others_stored(hashing_config: IndexSettings, corpus: Path) -> None:
    (corpus / "bad.txt").write_text("Bad article\n\nThis one carries POISON in its text.", encoding="utf-8")
    report = ingest([corpus], hashing_config, embedder=PoisonedEmbedder())
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [
        ("bad.txt", "could not be stored (ValueError: cannot embed this text)")
    ]
    assert len(set(report.added)) == 5 and "bad.txt" not in report.added
    assert check(hashing_config, deep=True).consistent
    again = ingest([corpus], hashing_config, embedder=PoisonedEmbedder())
    assert len(set(again.unchanged)) == 5 and len(again.skipped) == 1  # retried, still skipped


class DownEmbedder(HashingEmbedder):
    def embed(self, texts: Sequence[str]) -> Vectors:
        raise EmbedderUnavailable("embedding endpoint failed: connection refused")


def test_an_embedder_outage_ends_the_run_with_its_own_error(hashing_config: IndexSettings, corpus: Path) -> None:
    with pytest.raises(EmbedderUnavailable, match="connection refused"):
        ingest([corpus], hashing_config, embedder=DownEmbedder())
    assert check(hashing_config).consistent


@pytest.mark.parametrize(
    ("err", "message"),
    [
        (OSError(28, "No space left on device"), "free disk space"),
        (PermissionError(13, "Permission denied"), "exists and is writable"),
        (RuntimeError("error returned from database: (code: 13) database or disk is full"), "free disk space"),
        (type("RemoteProtocolError", (Exception,), {})("peer closed connection"), "stopped answering"),
        (type("ConnectError", (Exception,), {})("connection refused"), "stopped answering"),
    ],
)
def test_faults_of_the_whole_store_become_one_clear_error(err: Exception, message: str) -> None:
    fault = store_fault(err, "data")
    assert isinstance(fault, StoreUnavailable) and message in str(fault) and "\n" not in str(fault)


def test_faults_of_one_write_are_not_store_faults() -> None:
    assert store_fault(ValueError("Batch size of 6858 is greater than max batch size of 5461"), "data") is None


def test_an_unwritable_data_dir_is_a_clear_error(tmp_path: Path, seeds_dir: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    config = IndexSettings(data_dir=blocker / "data", embedder="hashing")
    with pytest.raises(StoreUnavailable, match="cannot create the writer lock"):
        ingest([seeds_dir], config)


def test_after_a_full_disk_writes_wait_for_room_then_go_on_in_the_same_process(
    hashing_config: IndexSettings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chroma must get no write while the disk is still full (a second failing write can leave its
    SQLite lock held for good); once there is room, the same process writes again. The real full
    disk is the tmpfs scenario of tests/faults.py; here the free space is told and the failure is
    Chroma's vague "Error in compaction", which on a disk short of room is a full disk."""
    from chromadb.api.models.Collection import Collection

    import index.connection

    free = [1 << 20]
    upserts: list[int] = []
    real_upsert = Collection.upsert

    def failing_upsert(self: Collection, *args: object, **kwargs: object) -> None:
        upserts.append(1)
        raise RuntimeError("Error in compaction: Failed to apply logs to the metadata segment")

    monkeypatch.setattr(index.connection, "free_bytes", lambda config: free[0])
    monkeypatch.setattr(Collection, "upsert", failing_upsert)
    with pytest.raises(DiskFull, match="is full .*free disk space"):
        ingest([corpus], hashing_config)
    tried = len(upserts)
    with pytest.raises(DiskFull, match="still full .*then try again"):
        ingest([corpus], hashing_config)
    assert len(upserts) == tried  # refused before anything was sent to Chroma
    monkeypatch.setattr(Collection, "upsert", real_upsert)
    free[0] = 1 << 30
    assert len(set(ingest([corpus], hashing_config).added)) == 5
    assert check(hashing_config, deep=True).consistent
