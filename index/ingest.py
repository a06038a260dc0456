"""The write path: load -> clean -> dedup -> chunk -> embed -> store, incremental and crash-safe.

Crash safety: chunk ids are ``doc_id:content_hash:position`` (so re-writing is an idempotent
upsert), an article's stale chunks are deleted after its new ones are in, and its manifest entry
is written last. A run killed anywhere leaves at most chunks without a manifest entry (deleted by
the consistency check at the start of the next run) or an article whose manifest still shows the
old hash (redone next run). The keyword index is saved last, for the chunks as they then are
(:func:`index.keyword_store.refresh`); every write stamps a new generation into Chroma first, so a
run killed before that leaves an index readers see is stale. One writer at a time: the whole write holds the writer lock
(:mod:`index.lock`). Work per article is bounded (:mod:`index.embed_and_store`): an article of
too many chunks is skipped with a reason, and an article that fails to embed or store is skipped
alone while the rest of the run is stored.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from index.check import check_store
from index.clean import clean_article
from index.config import IndexSettings
from index.dedup import assign_clusters, decode_signature, encode_signature, signature
from index.embed_and_store import Planned, embed_and_store
from index.embedders import Embedder, make_embedder
from index.follow import follow
from index.keyword_store import refresh as refresh_keyword_index
from index.loader import load_articles
from index.lock import LOCK_TIMEOUT, writer_lock
from index.store import ChromaStore
from index.types import Article, ArticleRecord, IngestReport, RawArticle, Skipped

log = logging.getLogger(__name__)


def ingest(
    paths: Sequence[Path],
    config: IndexSettings,
    *,
    prune: bool = False,
    embedder: Embedder | None = None,
    progress: bool | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> IngestReport:
    """Ingest files or folders into the configured collection and report what happened.

    ``progress`` shows a terminal progress bar (default: on long runs); ``on_progress(done, total)``
    is called after each group of articles is written (the web UI's progress bar). Another writer
    to the same collection is waited for up to ``lock_timeout`` seconds (then :class:`WriterBusy`)."""
    started = time.perf_counter()
    report = IngestReport()
    embedder = embedder or make_embedder(config)
    raws, skipped = load_articles([Path(p) for p in paths])
    report.skipped.extend(skipped)
    articles = _clean(raws, report)
    with writer_lock(config, lock_timeout):
        store = ChromaStore.open(config, embedder.name, embedder.dim)
        follow(store)  # another process's writes: this process's vector index holds them before it writes
        checked = check_store(store, config, embedder, repair=True, deep=False)
        report.repairs = "" if checked.consistent else checked.summary()
        existing = store.articles()
        todo = _plan(articles, existing, report)
        stale = _stale_doc_ids(articles, existing, raws_keys={r.key for r in raws}, prune=prune)
        if stale:
            store.delete_articles(stale)
            report.removed.extend(existing[d][0].source for d in stale)
            for doc_id in stale:
                existing.pop(doc_id)
        clusters = _clusters(todo, existing)
        report.chunks = embed_and_store(store, todo, clusters, config, embedder, report, progress, on_progress)
        check_store(store, config, embedder, repair=True, deep=False)  # chunks of failed writes
        refresh_keyword_index(store, config)
        final = store.articles()
        report.total_chunks = store.count()
    members: dict[str, list[str]] = defaultdict(list)
    for record, _sig in final.values():
        members[record.cluster_id].append(record.doc_id)
    report.clusters = {cid: sorted(ids) for cid, ids in members.items() if len(ids) > 1}
    report.seconds = time.perf_counter() - started
    return report


def _clean(raws: Sequence[RawArticle], report: IngestReport) -> list[Article]:
    articles: list[Article] = []
    for raw in sorted(raws, key=lambda r: r.key):
        try:
            cleaned = [a for a in clean_article(raw) if a.text.strip()]
        except Exception as err:  # a cleaning bug must not stop the other articles
            log.warning("could not clean %s: %s: %s", raw.source, type(err).__name__, err)
            report.skipped.append(Skipped(raw.source, f"could not be cleaned ({type(err).__name__})"))
            continue
        if not cleaned:
            report.skipped.append(Skipped(raw.source, "no article text left after cleaning"))
        articles.extend(cleaned)
    return articles


def _plan(
    articles: Sequence[Article],
    existing: dict[str, tuple[ArticleRecord, str]],
    report: IngestReport,
) -> list[Planned]:
    """Which articles need (re)writing; (article, is_update). Exact copies are stored once."""
    by_hash = {rec.content_hash: rec for rec, _ in existing.values()}
    todo: list[Planned] = []
    claimed: dict[str, Article] = {}
    for article in articles:
        record = existing.get(article.doc_id)
        if record and record[0].content_hash == article.content_hash:
            report.unchanged.append(article.source)
            continue
        twin = claimed.get(article.content_hash) or by_hash.get(article.content_hash)
        if twin is not None and twin.doc_id != article.doc_id:
            report.duplicates.append(f"{article.source} (same text as {twin.source})")
            continue
        claimed[article.content_hash] = article
        todo.append((article, record is not None))
    return todo


def _stale_doc_ids(
    articles: Sequence[Article],
    existing: dict[str, tuple[ArticleRecord, str]],
    raws_keys: set[str],
    prune: bool,
) -> list[str]:
    """Segments a re-read file no longer has, and (with ``prune``) articles whose file is gone."""
    current = {a.doc_id for a in articles}
    stale = []
    for doc_id, (record, _sig) in existing.items():
        if doc_id in current:
            continue
        file_path = Path(record.key.split("#", 1)[0])
        if record.key in raws_keys or (prune and not file_path.exists()):
            stale.append(doc_id)
    return sorted(stale)


def _clusters(
    todo: Sequence[Planned], existing: dict[str, tuple[ArticleRecord, str]]
) -> dict[str, tuple[str, str]]:
    """doc_id -> (cluster_id, encoded signature) for every article to write."""
    changing = {a.doc_id for a, _ in todo}
    known = {
        doc_id: (record.cluster_id, decode_signature(sig))
        for doc_id, (record, sig) in existing.items()
        if doc_id not in changing and sig
    }
    sigs = {a.doc_id: signature(a.text) for a, _ in todo}
    assigned = assign_clusters(known, [(a.doc_id, sigs[a.doc_id]) for a, _ in todo])
    return {d: (assigned.get(d, d), encode_signature(sigs[d])) for d in sigs}
