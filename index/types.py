"""Typed records of the write path: what the loader yields, what the store holds, what ingest reports."""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass(frozen=True)
class Chunk:
    """A piece of one article, with exact character offsets into ``Article.text``."""

    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    position: int
    title: str = ""
    outlet: str = ""
    published: str = ""
    source: str = ""
    url: str = ""
    cluster_id: str = ""
    is_teaser: bool = False
    score: float = 0.0

    def header(self) -> str:
        """The line prepended for embedding and keyword search: title, outlet, date."""
        parts = [p for p in (self.title, self.outlet, self.published) if p]
        return " | ".join(parts)


@dataclass(frozen=True)
class ArticleRecord:
    """What the store knows about one ingested article (its manifest entry)."""

    doc_id: str
    key: str
    source: str
    title: str
    outlet: str
    published: str
    url: str
    content_hash: str
    n_chunks: int
    cluster_id: str
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
