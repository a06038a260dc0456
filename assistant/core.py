"""The Assistant: the one Python API that the CLI, the web UI and evaluation all use.

The read path's stages are wired in :mod:`assistant.pipeline` and every refusal is decided by
:mod:`assistant.policy`; this module validates the input and owns the article collection.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Config
from assistant.errors import BadQuestion, IndexMissing
from assistant.generators import Generator, make_generator
from assistant.pipeline import ReadPath, Stages
from assistant.policy import AnswerPolicy
from assistant.retrieval import Filters, HybridRetriever
from assistant.types import Answer, Source, StreamEvent, Turn
from index import (
    ArticleMeta,
    CheckReport,
    ChromaStore,
    Embedder,
    IngestReport,
    OfArticle,
    check_index,
    follow,
    make_embedder,
    query_embedder,
    refresh_keyword_index,
    writer_lock,
)
from index import ingest as ingest_paths

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_EXAMPLE_TITLE_WORDS = 8
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class ArticleInfo(OfArticle):
    """An ingested article as the article list shows it."""

    meta: ArticleMeta
    n_chunks: int
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
        policy: AnswerPolicy | None = None,
        stages: Stages | None = None,
    ) -> None:
        self.config = config
        self._store = store
        self._embedder = embedder
        self._generator = generator
        self._retriever = retriever or HybridRetriever(store, embedder, config=config)
        self._read_path = ReadPath(config, self._retriever, generator, policy, stages)

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
        # The query embedder's model loads in the background while Chroma is imported and opened
        # (ONNX Runtime builds a session mostly outside the GIL): the first retrieval waits for
        # the longer of the two, not their sum. The session is kept per process, so the
        # retriever's own query embedder is the one loaded here.
        threading.Thread(target=_load_query_embedder, args=(embedder,), name="newsdesk-query-model",
                         daemon=True).start()
        store = ChromaStore.open(config, embedder.name, embedder.dim)
        assistant = cls(config, store, embedder, make_generator(config, backend))
        assistant._retriever.warm_up()  # the first retrieval does not wait for Chroma's vector index
        return assistant

    def with_backend(self, backend: str) -> Assistant:
        """The same index and embedder with another generation backend."""
        return self.with_generator(make_generator(self.config, backend))

    def with_generator(self, generator: Generator) -> Assistant:
        """The same index and embedder with this generator (any object with the Generator interface)."""
        return Assistant(
            self.config, self._store, self._embedder, generator, self._retriever,
            self._read_path.policy, self._read_path.stages,
        )

    def with_read_path(
        self, *, policy: AnswerPolicy | None = None, stages: Stages | None = None, config: Config | None = None
    ) -> Assistant:
        """The same index and generator with another answer policy, other stages or other read
        settings such as the evidence budget (benchmarks: rules switched off, oracle evidence,
        budgets compared without re-opening the index)."""
        return Assistant(
            config or self.config, self._store, self._embedder, self._generator, self._retriever,
            policy or self._read_path.policy, stages or self._read_path.stages,
        )

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

    def ask(
        self,
        question: str,
        history: Sequence[Turn] | None = None,
        *,
        filters: Filters | None = None,
        trace: bool = False,
    ) -> Answer:
        answer = None
        for event in self.stream(question, history, filters=filters, trace=trace):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None  # stream always ends with the Answer
        return answer

    def stream(
        self,
        question: str,
        history: Sequence[Turn] | None = None,
        *,
        filters: Filters | None = None,
        trace: bool = False,
    ) -> Iterator[StreamEvent]:
        """The events of one answer: the sources found, the raw text as it is written, then the
        verified :class:`Answer` (see :mod:`assistant.pipeline`)."""
        question = clean_question(question)
        turns = _clean_history(history)
        if self._store.count() == 0:
            raise IndexMissing("no articles ingested yet: run `newsdesk ingest PATH` first")
        yield from self._read_path.stream(question, turns, filters, trace=trace)

    # ---- the article collection -------------------------------------------------------------
    def articles(self) -> list[ArticleInfo]:
        records = [rec for rec, _sig in self._store.articles().values()]
        clusters: dict[str, list[tuple[str, str]]] = {}
        for rec in records:
            clusters.setdefault(rec.cluster_id, []).append((rec.doc_id, rec.outlet or rec.source))
        infos = [
            ArticleInfo(
                meta=rec.meta,
                n_chunks=rec.n_chunks,
                also_reported_by=tuple(n for d, n in clusters[rec.cluster_id] if d != rec.doc_id),
                is_teaser=rec.is_teaser,
                part_of=rec.part_of,
            )
            for rec in records
        ]
        return sorted(infos, key=lambda a: (a.source, a.doc_id))

    def example_questions(self, n: int = 3) -> list[str]:
        """Questions a newcomer could ask of this collection: about its ``n`` newest stories (one
        per syndicated cluster, teasers skipped), by headline and outlet; none when it is empty."""
        seen: set[str] = set()
        questions: list[str] = []
        for info in sorted(self.articles(), key=lambda a: (a.published, a.doc_id), reverse=True):
            if info.is_teaser or info.cluster_id in seen or not info.title:
                continue
            seen.add(info.cluster_id)
            words = info.title.split()
            title = " ".join(words[:_EXAMPLE_TITLE_WORDS]) + ("…" if len(words) > _EXAMPLE_TITLE_WORDS else "")
            where = f" the {info.outlet} article" if info.outlet else ""
            questions.append(f"What does{where} “{title}” report?")
            if len(questions) == n:
                break
        return questions

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
        with writer_lock(self.config):  # one writer at a time, across processes
            follow(self._store)  # another process's writes, before this one
            self._store.delete_articles([doc_id])
            refresh_keyword_index(self._store, self.config)  # new processes load it, not rebuild it
        self._retriever.invalidate()

    def check(self, repair: bool = False) -> CheckReport:
        """Compare the manifest with the stored vectors; with ``repair``, re-embed what is missing
        and delete orphans (under the writer lock)."""
        report = check_index(self.config, repair, embedder=self._embedder)
        self._retriever.invalidate()
        return report


def _load_query_embedder(embedder: Embedder) -> None:
    try:
        query_embedder(embedder)
    except Exception as err:  # noqa: BLE001 - the first retrieval loads it again and reports the error
        log.info("the query embedder did not load ahead of the first retrieval: %s", err)


def clean_question(question: str) -> str:
    """Validate a question: control characters dropped, whitespace collapsed, length bounded."""
    if not isinstance(question, str):
        raise BadQuestion("the question must be text")
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", _drop_surrogates(question)))
    text = " ".join(text.split())
    if not text:
        raise BadQuestion("the question is empty: type a question about the articles")
    if len(text) > MAX_QUESTION_CHARS:
        raise BadQuestion(f"the question is too long ({len(text):,} characters; at most {MAX_QUESTION_CHARS:,})")
    return text


def _clean_history(history: object) -> list[Turn]:
    """The usable turns of ``history`` (a list of {"role", "content"} dicts); anything else in it is
    skipped, and a history that is not a list at all is refused in one clear line."""
    if history is None:
        return []
    if isinstance(history, str | bytes) or not isinstance(history, Sequence):
        raise BadQuestion("the history must be a list of {'role': ..., 'content': ...} turns")
    turns: list[Turn] = []
    for turn in history:
        if not isinstance(turn, dict):
            continue
        role, content = turn.get("role"), turn.get("content")
        if role in ("user", "assistant") and isinstance(content, str) and content.strip():
            content = _drop_surrogates(content[:MAX_QUESTION_CHARS])  # a model server would choke on them
            turns.append({"role": role, "content": content})
    return turns


def _drop_surrogates(text: str) -> str:
    """A lone surrogate ("\ud800", from a broken client) cannot be encoded: it becomes "?"."""
    return text.encode("utf-8", "replace").decode("utf-8") if _SURROGATE.search(text) else text
