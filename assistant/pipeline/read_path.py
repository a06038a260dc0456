"""The read path, wired in one place:

    resolve -> retrieve -> select evidence (-> order: a follow-up's as its previous turn's) -> decide
    -> generate -> verify -> Answer

Each stage is a small function with typed input and output (:class:`Stages`, so a benchmark can
swap one, e.g. oracle evidence, without patching internals), and every answer-or-refuse decision
is the :class:`~assistant.policy.AnswerPolicy`'s. The stream yields :class:`SourcesFound` as soon
as the evidence is chosen (before the model reads anything), then the raw text as it is
generated, then the verified :class:`Answer` (:mod:`assistant.pipeline.finish`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from assistant.citations import Verified, verify
from assistant.config import Config
from assistant.generators import Generator
from assistant.language.question import is_closed
from assistant.pipeline.answerability import publishers_cited, question_names, unmentioned
from assistant.pipeline.carryover import Place, RecentEvidence, carry_over, conversation_key
from assistant.pipeline.condense import Resolved, resolve
from assistant.pipeline.evidence import select_evidence
from assistant.pipeline.finish import Draft, ablate, finish
from assistant.policy import UNADDRESSED_TEXT, AnswerPolicy, Judgement
from assistant.retrieval import Filters, Hit, HybridRetriever
from assistant.types import Evidence, Queued, Source, SourcesFound, StreamEvent, TextDelta, Turn

log = logging.getLogger(__name__)


def _select(question: str, hits: Sequence[Hit], parts: Sequence[str], config: Config) -> list[Evidence]:
    return select_evidence(
        question, hits, limit=config.evidence_sentences, budget_tokens=config.evidence_tokens, parts=parts
    )


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
        timings["retrieve"] = time.perf_counter() - started
        yield SourcesFound(sources, evidence)

        wanted = question_names(resolved.question, outlets)
        unknown = unmentioned(wanted, self.retriever.article_texts(h.chunk.doc_id for h in hits)) if evidence else []
        closed = is_closed(resolved.question)
        refusal = self.policy.before_generation(bool(evidence), unknown)
        judgement: Judgement | None = None
        raw, verdict, unaddressed = "", None, False
        if evidence and (refusal is None or trace):
            queue_length = getattr(self.generator, "queue_length", None)
            ahead = queue_length() if queue_length else 0
            if ahead:
                yield Queued(ahead)
            judge = getattr(self.generator, "judge", None)
            judgement = judge(resolved.question, evidence, closed=closed) if judge else None
            refusal = refusal or self.policy.on_judgement(judgement, closed)
            unaddressed = closed and refusal is None and self.policy.unaddressed(judgement)
            if (refusal is None and not unaddressed) or trace:
                verdict = self.policy.verdict(judgement) if closed else None
                for piece in self._generate(resolved.question, evidence, turns, closed, verdict):
                    timings.setdefault("first_token", time.perf_counter() - started)
                    raw += piece
                    if refusal is None and not unaddressed:
                        yield TextDelta(piece)
        if unaddressed:
            timings.setdefault("first_token", time.perf_counter() - started)
            yield TextDelta(UNADDRESSED_TEXT)
        if refusal is not None:
            timings.setdefault("first_token", time.perf_counter() - started)
            yield TextDelta(refusal.message)
        draft = Draft(
            question=resolved.question,
            closed=closed,
            evidence=evidence,
            sources=sources,
            wanted=wanted,
            publishers=publishers_cited(resolved.question, outlets),
            judgement=judgement,
            raw=raw,
            verdict=verdict,
            refusal=refusal,
            unaddressed=unaddressed,
            cited_texts=self.retriever.article_texts,
        )
        answer = finish(draft, self.policy, self.stages.verify)
        timings["total"] = time.perf_counter() - started
        extra: dict[str, Any] = {"closed": closed, "judgement": judgement, "raw": raw, "unknown_names": unknown,
                                 "question": resolved.question}  # what the model was asked (follow-ups resolved)
        if trace:
            extra["ablation"] = ablate(draft, self.policy, self.stages.verify, unknown)
        yield replace(
            answer, backend=self.generator.name, timings=timings, query=resolved.search_query, trace=extra
        )

    def _generate(
        self, question: str, evidence: Sequence[Evidence], turns: Sequence[Turn], closed: bool, verdict: str | None
    ) -> Iterator[str]:
        stream_answer = getattr(self.generator, "stream_answer", None)
        if stream_answer is not None:
            yield from stream_answer(question, evidence, closed=closed, lead=f"{verdict}," if verdict else "")
        else:
            yield from self.generator.stream(question, evidence, turns)


