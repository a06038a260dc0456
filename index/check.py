"""The consistency check: does every chunk the manifest lists have a vector, and nothing else?

The manifest records each article's content hash and chunk count, so the chunk ids it accounts
for are known without re-chunking (``doc_id:hash[:12]:position``). The check compares them with
what the chunk collection holds and finds

- chunks without vectors: listed by the manifest but absent, or (``deep``) present with a vector
  that can no longer be read (lost from the vector index by two unsynchronised writers);
- vectors without manifest entries: chunks of an article that was never committed or of an old
  version of it.

Repair re-embeds the first kind from the article text stored in the manifest (same chunk ids, so
a later ingest still finds the article unchanged) and deletes the second. :func:`check` also
compares the saved keyword index with Chroma (its generation stamp, and with ``deep`` its chunk
ids) and repair rebuilds it (:mod:`index.keyword_store`). Ingest runs the cheap
check (ids only) at its start and end under the writer lock; ``newsdesk check`` runs the deep one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from index.chunker import chunk_article, embedding_text
from index.config import IndexSettings
from index.embedders import Embedder, make_embedder
from index.follow import follow
from index.keyword_store import refresh as refresh_keyword_index
from index.keyword_store import stale as keyword_drift
from index.lock import LOCK_TIMEOUT, writer_lock
from index.store import ArticleWrite, ChromaStore
from index.types import Skipped

log = logging.getLogger(__name__)


@dataclass
class CheckReport:
    """What the check found and, with ``repair``, what it did."""

    articles: int = 0  # manifest entries
    chunks: int = 0  # chunks stored before any repair
    missing: list[str] = field(default_factory=list)  # chunk ids the manifest lists without a vector
    orphans: list[str] = field(default_factory=list)  # stored chunk ids no manifest entry accounts for
    repaired: list[str] = field(default_factory=list)  # doc_ids re-embedded from their stored text
    deleted: int = 0  # orphan chunks deleted
    failed: list[Skipped] = field(default_factory=list)  # articles that could not be repaired
    deep: bool = False  # whether stored vectors were read back, not only ids compared
    rebuilt: bool = False  # whether the whole vector index had to be rebuilt
    # the saved keyword index: "missing" or "stale" (not used: a new process builds one in memory),
    # or "drifted" (its generation is Chroma's but its chunks are not: it would be used, wrongly)
    keyword: str = ""
    keyword_rebuilt: bool = False  # whether it was rebuilt and saved

    @property
    def consistent(self) -> bool:
        """True when the check found nothing wrong (before any repair)."""
        return not self.missing and not self.orphans and self.keyword != "drifted"

    @property
    def ok(self) -> bool:
        """True when the collection is consistent now: nothing found, or everything repaired."""
        missing_docs = {doc_id_of(cid) for cid in self.missing}
        vectors = missing_docs <= set(self.repaired) and self.deleted == len(self.orphans) and not self.failed
        return vectors and (self.keyword != "drifted" or self.keyword_rebuilt)

    def summary(self) -> str:
        """One line: ``checked 609 articles, 12,544 chunks: consistent`` or what was wrong."""
        head = f"checked {self.articles:,} articles, {self.chunks:,} chunks"
        note = ""
        if self.keyword in ("missing", "stale"):
            done = "rebuilt" if self.keyword_rebuilt else "built in memory by each new process until --repair saves it"
            note = f"; keyword index {self.keyword}, {done}"
        if self.consistent:
            return f"{head}: consistent{note}"
        parts = []
        if self.missing:
            docs = len({doc_id_of(cid) for cid in self.missing})
            fixed = f", re-embedded {len(self.repaired):,} article(s)" if self.repaired else ""
            fixed += " into a rebuilt vector index" if self.rebuilt else ""
            parts.append(f"{len(self.missing):,} chunks of {docs:,} article(s) without vectors{fixed}")
        if self.orphans:
            fixed = f", deleted {self.deleted:,}" if self.deleted else ""
            parts.append(f"{len(self.orphans):,} vectors without a manifest entry{fixed}")
        if self.keyword == "drifted":
            parts.append(f"keyword index drifted from Chroma{', rebuilt' if self.keyword_rebuilt else ''}")
        elif note:
            parts.append(note[2:])
        if self.failed:
            parts.append(f"{len(self.failed):,} article(s) could not be repaired")
        state = "repaired" if self.ok else "run `newsdesk check --repair`" if not self.repaired else "not all repaired"
        return f"{head}: {'; '.join(parts)} ({state})"


def doc_id_of(chunk_id: str) -> str:
    return chunk_id.split(":", 1)[0]


def check(
    config: IndexSettings,
    repair: bool = False,
    *,
    deep: bool = True,
    embedder: Embedder | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> CheckReport:
    """Check the configured collection and, with ``repair``, fix it under the writer lock."""
    embedder = embedder or make_embedder(config)
    store = ChromaStore.open(config, embedder.name, embedder.dim, create=False)
    follow(store)  # the vectors as on disk, another process's writes included
    if not repair:
        report = check_store(store, config, embedder, repair=False, deep=deep)
        report.keyword = keyword_drift(store, config, deep=deep)
        return report
    with writer_lock(config, lock_timeout):
        follow(store)  # a writer that finished while this one waited
        report = check_store(store, config, embedder, repair=True, deep=deep)
        report.keyword = keyword_drift(store, config, deep=deep)
        if report.keyword:
            refresh_keyword_index(store, config, force=report.keyword == "drifted")
            report.keyword_rebuilt = True
    if report.keyword:
        (log.warning if report.keyword == "drifted" else log.info)("%s", report.summary())
    return report


def check_store(
    store: ChromaStore, config: IndexSettings, embedder: Embedder, *, repair: bool, deep: bool
) -> CheckReport:
    """The check on an open store; the caller holds the writer lock when ``repair`` is set."""
    manifest = store.articles()
    expected = {
        f"{doc_id}:{record.content_hash[:12]}:{position}"
        for doc_id, (record, _sig) in manifest.items()
        for position in range(record.n_chunks)
    }
    stored = store.chunk_ids()
    missing = expected - stored
    if deep:
        missing.update(store.ids_without_vectors(sorted(expected & stored)))
    report = CheckReport(
        articles=len(manifest),
        chunks=len(stored),
        missing=sorted(missing),
        orphans=sorted(stored - expected),
        deep=deep,
    )
    if repair and not report.consistent:
        _repair(store, config, embedder, report)
    if not report.consistent:
        log.warning("%s", report.summary())
    return report


def _repair(store: ChromaStore, config: IndexSettings, embedder: Embedder, report: CheckReport) -> None:
    if report.orphans:
        store.delete_chunks(report.orphans)
        report.deleted = len(report.orphans)
    doc_ids = sorted({doc_id_of(chunk_id) for chunk_id in report.missing})
    for doc_id in doc_ids:
        try:
            _reembed(store, config, embedder, doc_id)
        except Exception as err:
            # Chroma refuses every write once its vector index is damaged: rebuild it whole.
            log.warning("could not repair article %s (%s): rebuilding the vector index", doc_id, err)
            _rebuild(store, config, embedder, report)
            return
        report.repaired.append(doc_id)


def _rebuild(store: ChromaStore, config: IndexSettings, embedder: Embedder, report: CheckReport) -> None:
    """Re-embed every article of the manifest into an empty chunk collection."""
    store.reset_chunks()
    report.repaired = []
    for doc_id in sorted(store.articles()):
        try:
            _reembed(store, config, embedder, doc_id)
        except Exception as err:  # one article's failure must not stop the others' repair
            log.warning("could not repair article %s: %s", doc_id, err)
            report.failed.append(Skipped(doc_id, f"could not be re-embedded ({type(err).__name__}: {err})"))
        else:
            report.repaired.append(doc_id)
    report.rebuilt = True


def _reembed(store: ChromaStore, config: IndexSettings, embedder: Embedder, doc_id: str) -> None:
    """Write an article again from its stored text: same hash, so the same chunk ids."""
    stored = store.stored_article(doc_id)
    if stored is None:
        raise LookupError("its manifest entry is gone")
    article, cluster_id, signature = stored
    chunks = chunk_article(
        article,
        max_tokens=config.chunk_tokens,
        overlap_sentences=config.chunk_overlap_sentences,
        cluster_id=cluster_id,
    )
    vectors = embedder.embed([embedding_text(c) for c in chunks])
    store.delete_article_chunks(doc_id)  # rows whose vector was lost are written anew, not patched
    store.put_articles([ArticleWrite(article, chunks, vectors, cluster_id, signature)])
