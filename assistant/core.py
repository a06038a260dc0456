"""The Assistant: the one Python API that the CLI, the web UI and evaluation all use.

Read path: validate -> resolve follow-up -> retrieve (hybrid, syndicated copies collapsed) ->
select evidence sentences -> refuse at once if the retrieved articles never mention a name the
question asks about -> generate (streamed) -> verify citations, and refuse an answer whose cited
articles miss one of those names -> Answer.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.answerability import publishers_cited, question_names, unmentioned
from assistant.citations import verify
from assistant.condense import Resolved, resolve
from assistant.errors import BadQuestion, IndexMissing
from assistant.evidence import select_evidence
from assistant.generators import Generator, make_generator
from assistant.prompt import REFUSAL_TEXT
from assistant.retrieval import Filters, HybridRetriever
from assistant.types import Answer, Evidence, Source, StreamEvent, TextDelta, Turn
from index.config import Config
from index.embedders import Embedder, make_embedder
from index.ingest import ingest as ingest_paths
from index.store import ChromaStore
from index.types import IngestReport

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class ArticleInfo:
    doc_id: str
    source: str
    title: str
    outlet: str
    published: str
    url: str
    n_chunks: int
    cluster_id: str
    also_reported_by: tuple[str, ...] = ()
    is_teaser: bool = False
    part_of: str = ""


class Assistant:
    def __init__(
        self,
        config: Config,
        store: ChromaStore,
        embedder: Embedder,
        generator: Generator,
        retriever: HybridRetriever | None = None,
    ) -> None:
        self.config = config
        self._store = store
        self._embedder = embedder
        self._generator = generator
        self._retriever = retriever or HybridRetriever(store, embedder)

    @classmethod
    def from_config(
        cls,
        config: Config | None = None,
        *,
        backend: str | None = None,
        embedder: Embedder | None = None,
    ) -> Assistant:
        config = config or Config.load()
        embedder = embedder or make_embedder(config)
        store = ChromaStore.open(config, embedder.name, embedder.dim)
        return cls(config, store, embedder, make_generator(config, backend))

    def with_backend(self, backend: str) -> Assistant:
        """The same index and embedder with another generation backend."""
        return self.with_generator(make_generator(self.config, backend))

    def with_generator(self, generator: Generator) -> Assistant:
        """The same index and embedder with this generator (any object with the Generator interface)."""
        return Assistant(self.config, self._store, self._embedder, generator, self._retriever)

    @property
    def backend(self) -> str:
        return self._generator.name

    @property
    def backend_label(self) -> str:
        return self._generator.label

    # ---- reading ----------------------------------------------------------------------------
    def retrieve(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Source]:
        hits = self._retriever.retrieve(clean_question(query), k=k, filters=filters)
        return [Source.from_chunk(h.chunk, h.also_reported_by) for h in hits]

    def ask(self, question: str, history: Sequence[Turn] | None = None, *, filters: Filters | None = None) -> Answer:
        answer = None
        for event in self.stream(question, history, filters=filters):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None  # stream always ends with the Answer
        return answer

    def stream(
        self, question: str, history: Sequence[Turn] | None = None, *, filters: Filters | None = None
    ) -> Iterator[StreamEvent]:
        started = time.perf_counter()
        question = clean_question(question)
        turns = _clean_history(history or [])
        if self._store.count() == 0:
            raise IndexMissing("no articles ingested yet: run `newsdesk ingest PATH` first")
        resolved = resolve(question, turns)
        hits = self._retriever.retrieve(resolved.search_query, k=self.config.top_k, filters=filters)
        timings = {"retrieve": time.perf_counter() - started}
        evidence = select_evidence(
            resolved.question, hits, limit=self.config.evidence_sentences, budget_tokens=self.config.evidence_tokens
        )
        sources = [Source.from_chunk(h.chunk, h.also_reported_by) for h in hits]
        outlets = self._retriever.outlets_named(resolved.question)  # publishers, not names asked about
        wanted = question_names(resolved.question, outlets)
        unknown = unmentioned(wanted, self._retriever.article_texts(h.chunk.doc_id for h in hits)) if evidence else []

        raw = ""
        if evidence and not unknown:
            for piece in self._generator.stream(resolved.question, evidence, turns):
                if not raw:
                    timings["first_token"] = time.perf_counter() - started
                raw += piece
                yield TextDelta(piece)
        else:
            raw = f"The articles do not mention {_join(unknown)}." if unknown else REFUSAL_TEXT
            timings["first_token"] = time.perf_counter() - started
            yield TextDelta(raw)
        yield self._finish(
            raw, evidence, sources, resolved, wanted, publishers_cited(resolved.question, outlets), timings, started
        )

    def _finish(
        self,
        raw: str,
        evidence: Sequence[Evidence],
        sources: list[Source],
        resolved: Resolved,
        wanted: Sequence[str],
        publishers: Sequence[str],
        timings: dict[str, float],
        started: float,
    ) -> Answer:
        """Verify the raw answer's citations; ``wanted``: the names the question asks about,
        ``publishers``: the outlets it cites (not claims the answer must support)."""
        checked = verify(raw, evidence, publishers)
        text, citations, refused = checked.text, list(checked.citations), checked.refused
        flagged = list(checked.flagged)
        if not refused:
            # An answer from articles that never mention what the question names answers another question.
            cited = self._retriever.article_texts(c.doc_id for c in citations)
            unmet = unmentioned(wanted, cited)
            if unmet:
                log.info("refused: the cited articles never mention %s: %s", _join(unmet), text)
                text, citations, refused, flagged = REFUSAL_TEXT, [], True, [*flagged, text]
        timings["total"] = time.perf_counter() - started
        return Answer(
            text=text,
            citations=citations,
            refused=refused,
            sources=sources,
            backend=self.backend,
            timings=timings,
            query=resolved.search_query,
            flagged=flagged,
        )

    # ---- the article collection -------------------------------------------------------------
    def articles(self) -> list[ArticleInfo]:
        records = [rec for rec, _sig in self._store.articles().values()]
        clusters: dict[str, list[tuple[str, str]]] = {}
        for rec in records:
            clusters.setdefault(rec.cluster_id, []).append((rec.doc_id, rec.outlet or rec.source))
        infos = [
            ArticleInfo(
                doc_id=rec.doc_id,
                source=rec.source,
                title=rec.title,
                outlet=rec.outlet,
                published=rec.published,
                url=rec.url,
                n_chunks=rec.n_chunks,
                cluster_id=rec.cluster_id,
                also_reported_by=tuple(n for d, n in clusters[rec.cluster_id] if d != rec.doc_id),
                is_teaser=rec.is_teaser,
                part_of=rec.part_of,
            )
            for rec in records
        ]
        return sorted(infos, key=lambda a: (a.source, a.doc_id))

    def article_text(self, doc_id: str) -> str:
        return self._store.article_text(doc_id)

    def ingest(
        self,
        paths: Sequence[Path],
        *,
        prune: bool = False,
        progress: bool | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> IngestReport:
        """Add files or folders to the index; ``on_progress(done, total)`` after each group."""
        report = ingest_paths(
            paths, self.config, prune=prune, embedder=self._embedder, progress=progress, on_progress=on_progress
        )
        self._retriever.invalidate()
        return report

    def delete_article(self, doc_id: str) -> None:
        self._store.delete_articles([doc_id])
        self._retriever.invalidate()


def clean_question(question: str) -> str:
    """Validate a question: control characters dropped, whitespace collapsed, length bounded."""
    if not isinstance(question, str):
        raise BadQuestion("the question must be text")
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", question))
    text = " ".join(text.split())
    if not text:
        raise BadQuestion("the question is empty: type a question about the articles")
    if len(text) > MAX_QUESTION_CHARS:
        raise BadQuestion(f"the question is too long ({len(text):,} characters; at most {MAX_QUESTION_CHARS:,})")
    return text


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _clean_history(history: Sequence[Turn]) -> list[Turn]:
    turns: list[Turn] = []
    for turn in history:
        role, content = turn.get("role"), turn.get("content")
        if role in ("user", "assistant") and isinstance(content, str) and content.strip():
            turns.append({"role": role, "content": content[:MAX_QUESTION_CHARS]})
    return turns
