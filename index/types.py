"""Typed records of the write path: what the loader yields, what the store holds, what ingest reports."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class ArticleMeta:
    """What every record of an article carries (a chunk, an evidence sentence, a citation, a source,
    a manifest entry): built once per article and passed along, never copied field by field.

    ``source`` is the file name (plus ``#n`` for a JSON record), ``outlet`` the publisher,
    ``published`` an ISO date or "" when unknown, ``cluster_id`` the syndicated-copies cluster.
    """

    doc_id: str
    source: str = ""
    title: str = ""
    outlet: str = ""
    published: str = ""
    url: str = ""
    cluster_id: str = ""


META_FIELDS = tuple(f.name for f in dataclasses.fields(ArticleMeta))


class OfArticle:
    """A record holding its article's :class:`ArticleMeta` in ``meta``, whose fields it shows as
    read-only attributes (``chunk.title``, ``citation.outlet``), and its flat dict form."""

    meta: ArticleMeta
    FLAT: ClassVar[tuple[str, ...]] = ()  # the keys of the flat form, in order (default: all fields)

    @property
    def doc_id(self) -> str:
        return self.meta.doc_id

    @property
    def source(self) -> str:
        return self.meta.source

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def outlet(self) -> str:
        return self.meta.outlet

    @property
    def published(self) -> str:
        return self.meta.published

    @property
    def url(self) -> str:
        return self.meta.url

    @property
    def cluster_id(self) -> str:
        return self.meta.cluster_id

    def to_dict(self) -> dict[str, Any]:
        """The record as one flat dict, its article's fields beside its own (as JSON shows it)."""
        keys = self.FLAT or tuple(
            name for f in dataclasses.fields(self)  # type: ignore[arg-type]
            for name in (META_FIELDS if f.name == "meta" else (f.name,))
        )
        return {key: getattr(self, key) for key in keys}


@dataclass(frozen=True)
class RawArticle:
    """One article as the loader found it, before cleaning.

    ``source`` is the file name (plus ``#n`` for the n-th record of a JSON file); ``key`` is the
    stable identity used for incremental ingest (resolved path, plus the record index).
    """

    key: str
    source: str
    text: str
    title: str = ""
    outlet: str = ""
    published: str = ""  # ISO date (YYYY-MM-DD) or "" when unknown
    url: str = ""
    author: str = ""


@dataclass(frozen=True)
class Article:
    """A cleaned article (or a segment split off one, like an unrelated teaser) ready to chunk.

    ``text`` is the cleaned text that chunk offsets and citation spans point into.
    """

    doc_id: str
    key: str
    source: str
    title: str
    text: str
    outlet: str = ""
    published: str = ""
    url: str = ""
    author: str = ""
    content_hash: str = ""
    part_of: str = ""  # doc_id of the article this segment was split from ("" for a whole article)
    is_teaser: bool = False

    def meta(self, cluster_id: str = "") -> ArticleMeta:
        """The metadata its chunks and manifest entry carry; alone, an article is its own cluster."""
        return ArticleMeta(
            self.doc_id, self.source, self.title, self.outlet, self.published, self.url, cluster_id or self.doc_id
        )


@dataclass(frozen=True)
class Chunk(OfArticle):
    """A piece of one article, with exact character offsets into ``Article.text``."""

    chunk_id: str
    meta: ArticleMeta
    text: str
    start: int
    end: int
    position: int
    is_teaser: bool = False
    score: float = 0.0

    def header(self) -> str:
        """The line prepended for embedding and keyword search: title, outlet, date."""
        parts = [p for p in (self.title, self.outlet, self.published) if p]
        return " | ".join(parts)


@dataclass(frozen=True)
class ArticleRecord(OfArticle):
    """What the store knows about one ingested article (its manifest entry)."""

    meta: ArticleMeta
    key: str
    content_hash: str
    n_chunks: int
    part_of: str = ""
    is_teaser: bool = False


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # exact copies stored once
    clusters: dict[str, list[str]] = field(default_factory=dict)  # cluster_id -> doc_ids (size > 1)
    chunks: int = 0  # chunks written in this run
    total_chunks: int = 0  # chunks in the collection after the run
    seconds: float = 0.0
    embed_seconds: float = 0.0
    repairs: str = ""  # the consistency check's summary when it found and repaired something

    @property
    def ok(self) -> bool:
        """False when nothing could be ingested and nothing was already there."""
        return bool(self.added or self.updated or self.unchanged or self.duplicates) or not self.skipped
