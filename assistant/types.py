"""Typed records of the read path: what the assistant returns to the CLI, the UI and evaluation."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from assistant.policy import Refusal
from index import ArticleMeta, Chunk, OfArticle


class Turn(TypedDict):
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class Evidence(OfArticle):
    """One sentence offered to the generator, numbered as the model sees it ([n])."""

    number: int
    meta: ArticleMeta
    text: str  # exact text of the article between start and end
    start: int
    end: int
    also_reported_by: tuple[str, ...] = ()
    score: float = 0.0


@dataclass(frozen=True)
class Citation(OfArticle):
    """A verified citation: ``quote`` is exactly ``article_text[start:end]``."""

    FLAT = (
        "number", "doc_id", "source", "title", "outlet", "published", "quote", "start", "end", "url", "also_reported_by"
    )

    number: int
    meta: ArticleMeta
    quote: str
    start: int
    end: int
    also_reported_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source(OfArticle):
    """A retrieved chunk as shown to the user (the chunks the answer was built from)."""

    FLAT = (
        "doc_id", "chunk_id", "source", "title", "outlet", "published", "text", "start", "end", "score",
        "also_reported_by",
    )

    meta: ArticleMeta
    chunk_id: str
    text: str
    start: int
    end: int
    score: float
    also_reported_by: tuple[str, ...] = ()

    @classmethod
    def from_chunk(cls, chunk: Chunk, also: tuple[str, ...] = ()) -> Source:
        return cls(chunk.meta, chunk.chunk_id, chunk.text, chunk.start, chunk.end, chunk.score, also)


@dataclass(frozen=True)
class Answer:
    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    sources: list[Source] = field(default_factory=list)
    backend: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    query: str = ""  # the standalone query actually used for retrieval (follow-ups resolved)
    flagged: list[str] = field(default_factory=list)  # sentences removed as unsupported
    refusal: Refusal | None = None  # why it was refused: a reason code and a plain message
    verdict: str | None = None  # "Yes" or "No" for a yes/no question
    short: str = ""  # the direct answer: the verdict, or the answer's first sentence
    trace: dict[str, Any] = field(default_factory=dict)  # the stages' own figures (model probabilities ...)

    def to_dict(self) -> dict[str, Any]:
        """The answer as JSON shows it: citations and sources flat, as :meth:`OfArticle.to_dict`."""
        flat = dataclasses.asdict(dataclasses.replace(self, citations=[], sources=[]))  # each converted once
        flat["citations"] = [c.to_dict() for c in self.citations]
        flat["sources"] = [s.to_dict() for s in self.sources]
        return flat


@dataclass(frozen=True)
class SourcesFound:
    """The retrieved sources and the evidence sentences the model is about to read, sent before
    any text (the local model takes seconds to read them). Sent again when the model reads more
    than it first did (``Config.evidence_first_*``): any text streamed before it is withdrawn."""

    sources: list[Source]
    evidence: list[Evidence]


@dataclass(frozen=True)
class Queued:
    """The model is busy: ``ahead`` answers run or wait before this one (sent before the wait)."""

    ahead: int


@dataclass(frozen=True)
class TextDelta:
    """A piece of streamed answer text (before verification)."""

    text: str


StreamEvent = SourcesFound | Queued | TextDelta | Answer
