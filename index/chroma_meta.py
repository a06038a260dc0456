"""The one place records become Chroma metadata and back: a chunk's metadata in the chunk collection,
an article's manifest entry in ``<name>__articles``.

Both hold the article's :class:`~index.types.ArticleMeta` as flat keys (``doc_id``, ``source``,
``title``, ``outlet``, ``published``, ``url``, ``cluster_id``) beside their own; this layout is
what existing data dirs hold, so it must not change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from index.types import META_FIELDS, Article, ArticleMeta, ArticleRecord, Chunk


def day_number(published: str) -> int:
    """2023-09-18 -> 20230918 (0 when unknown): Chroma range filters need numbers."""
    digits = published[:10].replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


def meta_from(meta: Mapping[str, Any]) -> ArticleMeta:
    """The article fields of a chunk's metadata or a manifest entry ("" for one an older entry lacks)."""
    return ArticleMeta(str(meta["doc_id"]), *(str(meta.get(name, "")) for name in META_FIELDS[1:]))


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    return {
        **dataclasses.asdict(chunk.meta),  # the article's fields, under their own names
        "version": chunk.chunk_id.split(":")[1],  # the article's content_hash[:12]
        "start": chunk.start,
        "end": chunk.end,
        "position": chunk.position,
        "published_day": day_number(chunk.meta.published),
        "is_teaser": chunk.is_teaser,
    }


def chunk_from(cid: str, doc: Any, meta: Mapping[str, Any], score: float = 0.0) -> Chunk:
    return Chunk(
        chunk_id=cid,
        meta=meta_from(meta),
        text=str(doc),
        start=int(meta["start"]),
        end=int(meta["end"]),
        position=int(meta["position"]),
        is_teaser=bool(meta.get("is_teaser", False)),
        score=score,
    )


def manifest_metadata(article: Article, n_chunks: int, cluster_id: str, signature: str) -> dict[str, Any]:
    """An article's manifest entry: its record, MinHash signature and author."""
    record = ArticleRecord(
        meta=article.meta(cluster_id),
        key=article.key,
        content_hash=article.content_hash,
        n_chunks=n_chunks,
        part_of=article.part_of,
        is_teaser=article.is_teaser,
    )
    return {**record.to_dict(), "signature": signature, "author": article.author}


def record_from(meta: Mapping[str, Any]) -> ArticleRecord:
    return ArticleRecord(
        meta=meta_from(meta),
        key=str(meta["key"]),
        content_hash=str(meta["content_hash"]),
        n_chunks=int(meta["n_chunks"]),
        part_of=str(meta.get("part_of", "")),
        is_teaser=bool(meta.get("is_teaser", False)),
    )


def article_from(meta: Mapping[str, Any], text: str) -> tuple[Article, str]:
    """The article a manifest entry holds (with its stored ``text``), and its cluster id."""
    record = record_from(meta)
    fields = {k: v for k, v in record.to_dict().items() if k not in ("n_chunks", "cluster_id")}
    return Article(**fields, text=text, author=str(meta.get("author", ""))), record.cluster_id
