"""The write path: load -> clean -> dedup -> chunk -> embed -> store, incremental and crash-safe.

Crash safety: chunk ids are ``doc_id:content_hash:position`` (so re-writing is an idempotent
upsert), an article's stale chunks are deleted after its new ones are in, and its manifest entry
is written last. A run killed anywhere leaves at most chunks without a manifest entry (swept at
the end of the next run) or an article whose manifest still shows the old hash (redone next run).
"""

from __future__ import annotations

import itertools
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from index.chunker import chunk_article, embedding_text
from index.clean import clean_article
from index.config import Config
from index.dedup import assign_clusters, decode_signature, encode_signature, signature
from index.embedders import Embedder, Vectors, make_embedder
from index.loader import load_articles
from index.store import ArticleWrite, ChromaStore
from index.types import Article, ArticleRecord, Chunk, IngestReport, Skipped

log = logging.getLogger(__name__)

# Articles are embedded in groups of about this many chunks: large enough to keep the embedder's
# batches full (it sorts each group by length), small enough that a kill loses little work.
GROUP_CHUNKS = 256


def ingest(
    paths: Sequence[Path],
    config: Config,
    *,
    prune: bool = False,
    embedder: Embedder | None = None,
    progress: bool | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Ingest files or folders into the configured collection and report what happened.

    ``progress`` shows a terminal progress bar (default: on long runs); ``on_progress(done, total)``
    is called after each group of articles is written (the web UI's progress bar)."""
    started = time.perf_counter()
    report = IngestReport()
    embedder = embedder or make_embedder(config)
    store = ChromaStore.open(config, embedder.name, embedder.dim)

    raws, skipped = load_articles([Path(p) for p in paths])
    report.skipped.extend(skipped)
    articles: list[Article] = []
    for raw in sorted(raws, key=lambda r: r.key):
        cleaned = [a for a in clean_article(raw) if a.text.strip()]
        if not cleaned:
            report.skipped.append(Skipped(raw.source, "no article text left after cleaning"))
        articles.extend(cleaned)

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
    swept = store.sweep_orphans()
    if swept:
        log.info("removed chunks of %d article(s) left by an interrupted run", swept)

    final = store.articles()
    members: dict[str, list[str]] = defaultdict(list)
    for record, _sig in final.values():
        members[record.cluster_id].append(record.doc_id)
    report.clusters = {cid: sorted(ids) for cid, ids in members.items() if len(ids) > 1}
    report.total_chunks = store.count()
    report.seconds = time.perf_counter() - started
    return report


def _plan(
    articles: Sequence[Article],
    existing: dict[str, tuple[ArticleRecord, str]],
    report: IngestReport,
) -> list[tuple[Article, bool]]:
    """Which articles need (re)writing; (article, is_update). Exact copies are stored once."""
    by_hash = {rec.content_hash: rec for rec, _ in existing.values()}
    todo: list[tuple[Article, bool]] = []
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
        (report.updated if record else report.added).append(article.source)
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
    todo: Sequence[tuple[Article, bool]], existing: dict[str, tuple[ArticleRecord, str]]
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
    todo: Sequence[tuple[Article, bool]], clusters: dict[str, tuple[str, str]], config: Config
) -> Iterator[list[tuple[Article, list[Chunk]]]]:
    group: list[tuple[Article, list[Chunk]]] = []
    size = 0
    for article, _update in todo:
        chunks = chunk_article(
            article,
            max_tokens=config.chunk_tokens,
            overlap_sentences=config.chunk_overlap_sentences,
            cluster_id=clusters[article.doc_id][0],
        )
        group.append((article, chunks))
        size += len(chunks)
        if size >= GROUP_CHUNKS:
            yield group
            group, size = [], 0
    if group:
        yield group


def _write(
    store: ChromaStore,
    todo: Sequence[tuple[Article, bool]],
    clusters: dict[str, tuple[str, str]],
    config: Config,
    embedder: Embedder,
    report: IngestReport,
    progress: bool | None,
    on_progress: Callable[[int, int], None] | None = None,
) -> int:
    """Embed group n+1 in a worker thread while group n is written (onnxruntime releases the
    GIL), so the store's time hides behind the embedder's and ingest runs near its speed."""
    from tqdm import tqdm

    def embed(group: list[tuple[Article, list[Chunk]]]) -> tuple[Vectors, float]:
        t0 = time.perf_counter()
        vectors = embedder.embed([embedding_text(c) for _a, chunks in group for c in chunks])
        return vectors, time.perf_counter() - t0

    show = progress if progress is not None else len(todo) > 20
    written = 0
    with (
        tqdm(total=len(todo), unit="article", disable=not show, desc="ingest") as bar,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        groups = _groups(todo, clusters, config)
        pending = [(g, pool.submit(embed, g)) for g in itertools.islice(groups, 1)]
        while pending:
            group, future = pending.pop(0)
            pending.extend((g, pool.submit(embed, g)) for g in itertools.islice(groups, 1))
            vectors, seconds = future.result()
            report.embed_seconds += seconds
            writes, row = [], 0
            for article, chunks in group:
                cluster_id, sig = clusters[article.doc_id]
                part = vectors[row : row + len(chunks)]
                writes.append(ArticleWrite(article, chunks, part, cluster_id, sig))
                row += len(chunks)
            store.put_articles(writes)
            written += row
            bar.update(len(group))
            log.info("wrote %d/%d articles", bar.n, len(todo))
            if on_progress is not None:
                on_progress(bar.n, len(todo))
    return written
