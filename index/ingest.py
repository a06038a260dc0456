"""The write path: load -> clean -> dedup -> chunk -> embed -> store, incremental and crash-safe.

Crash safety: chunk ids are ``doc_id:content_hash:position`` (so re-writing is an idempotent
upsert), an article's stale chunks are deleted after its new ones are in, and its manifest entry
is written last. A run killed anywhere leaves at most chunks without a manifest entry (deleted by
the consistency check at the start of the next run) or an article whose manifest still shows the
old hash (redone next run). The keyword index is saved last, for the chunks as they then are
(:func:`index.keyword_store.refresh`); every write stamps a new generation into Chroma first, so a
run killed before that leaves an index readers see is stale. One writer at a time: the whole write holds the writer lock
(:mod:`index.lock`). Work per article is bounded: an article of more than
``MAX_CHUNKS_PER_ARTICLE`` chunks is skipped with a reason, and an article that fails to embed or
store is skipped alone while the rest of the run is stored.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from index.check import check_store
from index.chunker import chunk_article, embedding_text
from index.clean import clean_article
from index.config import IndexSettings
from index.connection import describe
from index.dedup import assign_clusters, decode_signature, encode_signature, signature
from index.embedders import Embedder, Vectors, make_embedder
from index.errors import store_fault
from index.follow import follow
from index.keyword_store import refresh as refresh_keyword_index
from index.loader import load_articles
from index.lock import LOCK_TIMEOUT, writer_lock
from index.store import ArticleWrite, ChromaStore
from index.types import Article, ArticleRecord, Chunk, IngestReport, RawArticle, Skipped

log = logging.getLogger(__name__)

# Articles are embedded in groups of about this many chunks: large enough to keep the embedder's
# batches full (it sorts each group by length), small enough that a kill loses little work.
GROUP_CHUNKS = 256
# ~1.4 MB of news prose; a longer article is skipped rather than left to dominate every search.
MAX_CHUNKS_PER_ARTICLE = 2000

Planned = tuple[Article, bool]  # an article to write, and whether it replaces a stored version
Group = list[tuple[Article, bool, list[Chunk]]]


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
        report.chunks = _write(store, todo, clusters, config, embedder, report, progress, on_progress)
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


def _groups(
    todo: Sequence[Planned], clusters: dict[str, tuple[str, str]], config: IndexSettings, report: IngestReport
) -> Iterator[Group]:
    """Articles with their chunks, in groups of about ``GROUP_CHUNKS`` chunks; an article that
    cannot be chunked or has too many chunks is skipped here with its reason."""
    group: Group = []
    size = 0
    for article, update in todo:
        try:
            chunks = chunk_article(
                article,
                max_tokens=config.chunk_tokens,
                overlap_sentences=config.chunk_overlap_sentences,
                cluster_id=clusters[article.doc_id][0],
            )
        except Exception as err:  # a chunking bug must not stop the other articles
            _skip(report, article, f"could not be split into chunks ({type(err).__name__})", err)
            continue
        if len(chunks) > MAX_CHUNKS_PER_ARTICLE:
            _skip(
                report,
                article,
                f"too long: {len(chunks):,} chunks, at most {MAX_CHUNKS_PER_ARTICLE:,} per article "
                "(split it into smaller files)",
            )
            continue
        group.append((article, update, chunks))
        size += len(chunks)
        if size >= GROUP_CHUNKS:
            yield group
            group, size = [], 0
    if group:
        yield group


def _skip(report: IngestReport, article: Article, reason: str, err: Exception | None = None) -> None:
    name = f"{article.source} (segment {article.doc_id})" if article.part_of else article.source
    log.warning("skipped %s: %s%s", name, reason, f": {err}" if err else "")
    report.skipped.append(Skipped(name, reason))


def _write(
    store: ChromaStore,
    todo: Sequence[Planned],
    clusters: dict[str, tuple[str, str]],
    config: IndexSettings,
    embedder: Embedder,
    report: IngestReport,
    progress: bool | None,
    on_progress: Callable[[int, int], None] | None = None,
) -> int:
    """Embed group n+1 in a worker thread while group n is written (onnxruntime releases the
    GIL), so the store's time hides behind the embedder's and ingest runs near its speed."""
    from tqdm import tqdm

    def embed(group: Group) -> tuple[Vectors, float]:
        t0 = time.perf_counter()
        vectors = embedder.embed([embedding_text(c) for _a, _u, chunks in group for c in chunks])
        return vectors, time.perf_counter() - t0

    show = progress if progress is not None else len(todo) > 20
    written = done = 0
    with (
        tqdm(total=len(todo), unit="article", disable=not show, desc="ingest") as bar,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        groups = _groups(todo, clusters, config, report)
        pending = [(g, pool.submit(embed, g)) for g in itertools.islice(groups, 1)]
        while pending:
            group, future = pending.pop(0)
            pending.extend((g, pool.submit(embed, g)) for g in itertools.islice(groups, 1))
            try:
                vectors, seconds = future.result()
                report.embed_seconds += seconds
                store.put_articles(_writes(group, vectors, clusters))
            except Exception as err:
                _raise_if_systemic(err, config)
                log.warning("a group of %d articles failed (%s): writing them one by one", len(group), err)
                group = _write_one_by_one(store, group, clusters, embedder, report, config)
            written += sum(len(chunks) for _a, _u, chunks in group)
            for article, update, _chunks in group:
                (report.updated if update else report.added).append(article.source)
            done = min(len(todo), done + len(group))
            bar.n = done
            bar.refresh()
            log.info("wrote %d/%d articles", done, len(todo))
            if on_progress is not None:
                on_progress(done, len(todo))
    return written


def _writes(group: Group, vectors: Vectors, clusters: dict[str, tuple[str, str]]) -> list[ArticleWrite]:
    writes, row = [], 0
    for article, _update, chunks in group:
        cluster_id, sig = clusters[article.doc_id]
        writes.append(ArticleWrite(article, chunks, vectors[row : row + len(chunks)], cluster_id, sig))
        row += len(chunks)
    return writes


def _write_one_by_one(
    store: ChromaStore,
    group: Group,
    clusters: dict[str, tuple[str, str]],
    embedder: Embedder,
    report: IngestReport,
    config: IndexSettings,
) -> Group:
    """Write a failed group's articles alone; the ones that fail again are skipped. Returns the
    articles written."""
    stored: Group = []
    for item in group:
        article, _update, chunks = item
        try:
            vectors = embedder.embed([embedding_text(c) for c in chunks])
            store.put_articles(_writes([item], vectors, clusters))
        except Exception as err:
            _raise_if_systemic(err, config)
            _skip(report, article, f"could not be stored ({type(err).__name__}: {_first_line(err)})", err)
        else:
            stored.append(item)
    return stored


def _raise_if_systemic(err: Exception, config: IndexSettings) -> None:
    """Faults of the embedder or the store itself end the run (what was written is kept)."""
    fault = store_fault(err, describe(config))
    if fault is err:
        raise err
    if fault is not None:
        raise fault from err


def _first_line(err: Exception) -> str:
    lines = str(err).strip().splitlines()
    return lines[0][:200] if lines else type(err).__name__
