"""The read path, wired in one place:

    resolve -> retrieve -> select evidence (-> order: a follow-up's as its previous turn's) -> decide
    -> generate -> verify -> Answer

Each stage is a small function with typed input and output (:class:`Stages`, so a benchmark can
swap one, e.g. oracle evidence, without patching internals), and every answer-or-refuse decision
is the :class:`~assistant.policy.AnswerPolicy`'s. The stream yields :class:`SourcesFound` as soon
as the evidence is chosen (before the model reads anything), then the raw text as it is
generated, then the verified :class:`Answer` (:mod:`assistant.pipeline.finish`). With a first
read (``Config.evidence_first_*``) the model may read the rest after its head: a second
:class:`SourcesFound` then withdraws any text streamed before it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Generator as Steps
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.citations import Verified, verify
from assistant.config import Config
from assistant.generators import Generator
from assistant.language.question import is_closed
from assistant.pipeline.answerability import publishers_cited, question_names, unmentioned
from assistant.pipeline.carryover import Place, RecentEvidence, carry_over, conversation_key
from assistant.pipeline.condense import Resolved, resolve
from assistant.pipeline.evidence import first_read, select_evidence
from assistant.pipeline.finish import Draft, ablate, finish
from assistant.policy import UNADDRESSED_TEXT, AnswerPolicy, Judgement
from assistant.retrieval import Filters, Hit, HybridRetriever
from assistant.types import Answer, Evidence, Queued, Source, SourcesFound, StreamEvent, TextDelta, Turn

log = logging.getLogger(__name__)


def _select(question: str, hits: Sequence[Hit], parts: Sequence[str], config: Config) -> list[Evidence]:
    return select_evidence(
        question, hits, limit=config.evidence_sentences, budget_tokens=config.evidence_tokens, parts=parts
    )


@dataclass
class _Reads:
    """What one question's reads gave (for the timings and the replays of a recorded run)."""

    started: float
    timings: dict[str, float]
    judged: list[tuple[int, Judgement | None]] = field(default_factory=list)  # (sentences read, judgement)
    written: list[tuple[int, str]] = field(default_factory=list)  # (sentences read, the raw answer)


@dataclass(frozen=True)
class Stages:
    """The swappable stages of the read path (defaults: newsdesk's own)."""

    resolve: Callable[[str, Sequence[Turn]], Resolved] = resolve
    select_evidence: Callable[[str, Sequence[Hit], Sequence[str], Config], list[Evidence]] = _select
    # a follow-up's evidence in its previous turn's order, so the model re-reads none of it
    order_evidence: Callable[[Sequence[Evidence], Sequence[Place]], list[Evidence]] = carry_over
    verify: Callable[..., Verified] = verify


class ReadPath:
    def __init__(
        self,
        config: Config,
        retriever: HybridRetriever,
        generator: Generator,
        policy: AnswerPolicy | None = None,
        stages: Stages | None = None,
    ) -> None:
        self.config = config
        self.retriever = retriever
        self.generator = generator
        self.policy = policy or AnswerPolicy(yes_min=config.yes_min, answerable_min=config.answerable_min)
        self.stages = stages or Stages()
        self.recent = RecentEvidence()

    def stream(
        self, question: str, turns: Sequence[Turn], filters: Filters | None = None, *, trace: bool = False
    ) -> Iterator[StreamEvent]:
        """The events of one answer. ``trace``: the model writes an answer even where the policy
        refuses before generation, and the Answer's ``trace`` holds every rule's effect (each
        switched off alone): one model run gives a whole ablation."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        resolved = self.stages.resolve(question, turns)
        hits = self.retriever.retrieve(resolved.search_query, k=self.config.top_k, filters=filters)
        outlets = self.retriever.outlets_named(resolved.question)
        evidence = self.stages.select_evidence(resolved.question, hits, outlets, self.config)
        evidence = self.stages.order_evidence(evidence, self.recent.get(conversation_key(turns)))
        self.recent.put(conversation_key(turns, question), evidence)
        sources = [Source.from_chunk(h.chunk, h.also_reported_by) for h in hits]
        judge = getattr(self.generator, "judge", None)
        # What the model reads first: the evidence's head when it can judge that and read on.
        read = first_read(evidence, self.config.evidence_first_sentences, self.config.evidence_first_tokens) \
            if judge else evidence
        timings["retrieve"] = time.perf_counter() - started
        yield SourcesFound(sources, read)

        wanted = question_names(resolved.question, outlets)
        unknown = unmentioned(wanted, self.retriever.article_texts(h.chunk.doc_id for h in hits)) if evidence else []
        closed = is_closed(resolved.question)
        before = self.policy.before_generation(bool(evidence), unknown)
        if evidence and (before is None or trace):
            queue_length = getattr(self.generator, "queue_length", None)
            ahead = queue_length() if queue_length else 0
            if ahead:
                yield Queued(ahead)
        base = Draft(
            question=resolved.question, closed=closed, evidence=read, sources=sources, wanted=wanted,
            publishers=publishers_cited(resolved.question, outlets), judgement=None, raw="", refusal=before,
            cited_texts=self.retriever.article_texts,
        )
        reads = _Reads(started, timings)
        # The head first, then all of it when the head cannot answer (the policy's reads_more,
        # before writing) or its answer is not backed (rereads, after): the one place that reads on.
        steps = [read, evidence] if len(read) < len(evidence) else [evidence]
        for i, now in enumerate(steps):
            last = i == len(steps) - 1  # the last read always ends in an answer
            if i:
                timings["second_read"] = time.perf_counter() - started
                yield SourcesFound(sources, now)
            done = yield from self._attempt(replace(base, evidence=now), not last, reads, turns, trace)
            if done is None:
                continue  # the head cannot answer: read the rest
            draft, answer = done
            if last or not self.policy.rereads(draft.refusal, answer.refusal):
                break
        timings["total"] = time.perf_counter() - started
        extra: dict[str, Any] = {"closed": closed, "judgement": draft.judgement, "raw": draft.raw,
                                 "unknown_names": unknown,
                                 "question": resolved.question,  # what the model was asked (follow-ups resolved)
                                 "judged": reads.judged, "written": reads.written,  # per read, for replays
                                 "evidence_read": len(draft.evidence), "evidence_offered": len(evidence)}
        if trace:
            extra["ablation"] = ablate(draft, self.policy, self.stages.verify, unknown)
        yield replace(
            answer, backend=self.generator.name, timings=timings, query=resolved.search_query, trace=extra
        )

    def _attempt(
        self, draft: Draft, more: bool, reads: _Reads, turns: Sequence[Turn], trace: bool
    ) -> Steps[StreamEvent, None, tuple[Draft, Answer] | None]:
        """Decide, generate and verify on ``draft.evidence``; None, without writing, when there is
        ``more`` evidence and the policy says the model should read it first."""
        question, closed, refusal, read = draft.question, draft.closed, draft.refusal, draft.evidence
        judgement: Judgement | None = None
        raw, verdict, unaddressed = "", None, False
        judge = getattr(self.generator, "judge", None)
        if read and (refusal is None or trace):
            judgement = judge(question, read, closed=closed) if judge else None
            reads.judged.append((len(read), judgement))
            if more and self.policy.reads_more(judgement, closed):
                return None
            refusal = refusal or self.policy.on_judgement(judgement, closed)
            unaddressed = closed and refusal is None and self.policy.unaddressed(judgement)
            if (refusal is None and not unaddressed) or trace:
                verdict = self.policy.verdict(judgement) if closed else None
                for piece in self._generate(question, read, turns, closed, verdict):
                    reads.timings.setdefault("first_token", time.perf_counter() - reads.started)
                    raw += piece
                    if refusal is None and not unaddressed:
                        yield TextDelta(piece)
                reads.written.append((len(read), raw))
        if unaddressed:
            reads.timings.setdefault("first_token", time.perf_counter() - reads.started)
            yield TextDelta(UNADDRESSED_TEXT)
        if refusal is not None:
            reads.timings.setdefault("first_token", time.perf_counter() - reads.started)
            yield TextDelta(refusal.message)
        draft = replace(draft, judgement=judgement, raw=raw, verdict=verdict, refusal=refusal, unaddressed=unaddressed)
        return draft, finish(draft, self.policy, self.stages.verify)

    def _generate(
        self, question: str, evidence: Sequence[Evidence], turns: Sequence[Turn], closed: bool, verdict: str | None
    ) -> Iterator[str]:
        stream_answer = getattr(self.generator, "stream_answer", None)
        if stream_answer is not None:
            yield from stream_answer(question, evidence, closed=closed, lead=f"{verdict}," if verdict else "")
        else:
            yield from self.generator.stream(question, evidence, turns)


