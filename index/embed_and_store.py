"""The embed and store steps of the write path: planned articles chunked, embedded and written
group by group, the next group embedded while this one is written. Work per article is bounded:
an article of more than ``MAX_CHUNKS_PER_ARTICLE`` chunks is skipped with a reason, and an article
that fails to embed or store is skipped alone while the rest of the run is stored; a fault of the
embedder or the store itself ends the run (what was written is kept)."""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

from index.chunker import chunk_article, embedding_text
from index.config import IndexSettings
from index.connection import describe
from index.embedders import Embedder, Vectors
from index.errors import store_fault
from index.store import ArticleWrite, ChromaStore
from index.types import Article, Chunk, IngestReport, Skipped

log = logging.getLogger(__name__)

# Articles are embedded in groups of about this many chunks: large enough to keep the embedder's
# batches full (it sorts each group by length), small enough that a kill loses little work.
GROUP_CHUNKS = 256
# ~1.4 MB of news prose; a longer article is skipped rather than left to dominate every search.
MAX_CHUNKS_PER_ARTICLE = 2000

Planned = tuple[Article, bool]  # an article to write, and whether it replaces a stored version
Group = list[tuple[Article, bool, list[Chunk]]]


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


def embed_and_store(
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
