"""The read path, wired in one place:

    resolve -> retrieve -> select evidence (-> order: a follow-up's as its previous turn's) -> decide
    -> generate -> verify -> Answer

Each stage is a small function with typed input and output (:class:`Stages`, so a benchmark can
swap one, e.g. oracle evidence, without patching internals), and every answer-or-refuse decision
is the :class:`~assistant.policy.AnswerPolicy`'s. The stream yields :class:`SourcesFound` as soon
as the evidence is chosen (before the model reads anything), then the raw text as it is
generated, then the verified :class:`Answer`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.citations import Verified, marker_numbers, strip_markers, verify, with_markers
from assistant.config import Config
from assistant.generators import Generator
from assistant.language.question import is_closed
from assistant.pipeline.answerability import publishers_cited, question_names, unmentioned
from assistant.pipeline.carryover import Place, RecentEvidence, carry_over, conversation_key
from assistant.pipeline.condense import Resolved, resolve
from assistant.pipeline.evidence import select_evidence
from assistant.pipeline.short_answer import bare_answer, direct_answer
from assistant.policy import RULES, UNADDRESSED_TEXT, AnswerPolicy, Judgement, Refusal
from assistant.retrieval import Filters, Hit, HybridRetriever
from assistant.types import Answer, Evidence, Queued, Source, SourcesFound, StreamEvent, TextDelta, Turn

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


@dataclass(frozen=True)
class Draft:
    """What the model wrote and what the answer is checked against: the input of :func:`finish`."""

    question: str
    closed: bool
    evidence: list[Evidence]
    sources: list[Source]
    wanted: list[str]  # the names the question asks about
    publishers: list[str]  # the outlets it cites (not claims an answer must support)
    judgement: Judgement | None
    raw: str
    verdict: str | None = None  # "Yes" / "No" for a yes/no question
    refusal: Refusal | None = None  # a refusal decided before or instead of generation
    unaddressed: bool = False  # a yes/no question whose sources do not address it: "No", no why
    cited_texts: Callable[[Iterable[str]], list[str]] = field(default=lambda ids: [])


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
        self.policy = policy or AnswerPolicy(yes_min=config.yes_min)
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
        extra: dict[str, Any] = {"closed": closed, "judgement": judgement, "raw": raw, "unknown_names": unknown}
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


def finish(draft: Draft, policy: AnswerPolicy, check: Callable[..., Verified] = verify) -> Answer:
    """The verified Answer for ``draft`` under ``policy``: citations checked claim by claim, and
    the policy's last word on refusing."""
    base = Answer(text="", sources=draft.sources, refused=True, refusal=draft.refusal)
    if draft.refusal is not None:
        return replace(base, text=draft.refusal.message)
    if draft.unaddressed:
        return replace(base, text=UNADDRESSED_TEXT, refused=False, verdict="No", short="No",
                       flagged=[draft.raw] if draft.raw else [])
    verdict = draft.verdict or (leading_verdict(draft.raw) if draft.closed else None)
    # The verdict stays in the text verification reads: "Yes [1][2]." keeps the sentences it cites.
    checked = check(draft.raw, draft.evidence, draft.publishers, policy.disabled)
    unmet: list[str] = []
    if not checked.refused:
        unmet = unmentioned(draft.wanted, draft.cited_texts(c.doc_id for c in checked.citations))
    if verdict and (checked.refused or unmet):
        # A yes/no question's answer is its verdict, the model's own probability over the sources
        # it read. When the why does not survive verification (small models restate the question),
        # the verdict stands with the sentences the model pointed at, and the why is flagged.
        return _bare_verdict(verdict, draft, base, [*checked.flagged, *([checked.text] if unmet else [])], check)
    if checked.refused and not checked.said_refusal and not draft.closed and policy.on("bare_answer"):
        bare = _bare_answer(draft, base, check, [*checked.flagged])
        if bare is not None:
            return bare
    refusal = policy.after_verification(checked.said_refusal, checked.refused, unmet)
    if refusal is not None:
        flagged = list(checked.flagged) if checked.refused else [*checked.flagged, checked.text]
        return replace(base, text=refusal.message, refusal=refusal, flagged=flagged)
    text = checked.text
    if verdict and leading_verdict(text) != verdict:
        text = f"{verdict}. {text}"
    return Answer(
        text=text,
        citations=list(checked.citations),
        refused=False,
        sources=draft.sources,
        flagged=list(checked.flagged),
        verdict=verdict,
        short=verdict or _direct(draft.question, checked.text, policy),
    )


def _direct(question: str, text: str, policy: AnswerPolicy) -> str:
    sentence = first_sentence(strip_markers(text))
    return direct_answer(question, sentence) if policy.on("short_span") else sentence


def _bare_answer(draft: Draft, base: Answer, check: Callable[..., Verified], flagged: list[str]) -> Answer | None:
    """"Google [2]." for "Which company ...?" when the model's restated answer failed verification
    but the name it gives is in a source sentence (see :mod:`assistant.pipeline.short_answer`)."""
    opening = first_sentence(draft.raw)
    found = bare_answer(draft.question, strip_markers(opening), marker_numbers(opening), draft.evidence)
    if found is None:
        return None
    span, numbers = found
    checked = check(with_markers(f"{span}.", numbers), draft.evidence)
    if checked.refused:
        return None
    if unmentioned(draft.wanted, draft.cited_texts(c.doc_id for c in checked.citations)):
        return None  # the answer's articles miss a name the question asks about: the policy refuses
    return replace(base, text=checked.text, citations=list(checked.citations), refused=False, refusal=None,
                   short=span, flagged=[*flagged, opening])


def _bare_verdict(
    verdict: str, draft: Draft, base: Answer, flagged: list[str], check: Callable[..., Verified]
) -> Answer:
    pointed = marker_numbers(draft.raw) or [ev.number for ev in draft.evidence[:1]]
    numbers = [n for n in dict.fromkeys(pointed) if any(ev.number == n for ev in draft.evidence)]
    checked = check(with_markers(f"{verdict}.", numbers), draft.evidence)
    text = checked.text if not checked.refused else f"{verdict}."
    return replace(base, text=text, citations=list(checked.citations), refused=False, verdict=verdict,
                   short=verdict, flagged=flagged)


def ablate(
    draft: Draft, policy: AnswerPolicy, check: Callable[..., Verified], unknown: Sequence[str]
) -> dict[str, Any]:
    """The answer with each rule switched off alone, and with all of them off ("all_off"), from one
    model run."""
    out: dict[str, Any] = {}
    variants = {rule: frozenset({rule}) for rule in RULES}
    variants["all_off"] = frozenset(RULES)
    for name, off in variants.items():
        varied = replace(policy, disabled=policy.disabled | off)
        verdict = varied.verdict(draft.judgement) if draft.closed else None
        varied_draft = draft
        if verdict is not None and verdict != draft.verdict:
            # The model's why was written after the other verdict: this variant keeps the verdict
            # alone (exact for a benchmark scored on Yes/No, a lower bound for key facts).
            varied_draft = replace(draft, verdict=verdict, raw="")
        refusal = varied.before_generation(bool(draft.evidence), unknown)
        if refusal is None and draft.judgement is not None:
            refusal = varied.on_judgement(draft.judgement, draft.closed)
        unaddressed = draft.closed and refusal is None and varied.unaddressed(draft.judgement)
        result = finish(replace(varied_draft, refusal=refusal, unaddressed=unaddressed), varied, check)
        out[name] = {"text": result.text, "refused": result.refused, "short": result.short,
                     "cited": [(c.doc_id, c.source) for c in result.citations]}
    return out


def leading_verdict(text: str) -> str | None:
    """"Yes" or "No" when ``text`` opens with one."""
    first = text.lstrip().split(maxsplit=1)[:1]
    word = first[0].strip(".,:;!").lower() if first else ""
    return {"yes": "Yes", "no": "No"}.get(word)


def first_sentence(text: str) -> str:
    """The direct answer: the first sentence of ``text`` (up to its first full stop)."""
    line = text.strip().split("\n", 1)[0]
    for i, ch in enumerate(line):
        if ch in ".!?" and (i + 1 == len(line) or line[i + 1] == " ") and not line[max(0, i - 2) : i].isupper():
            return line[: i + 1]
    return line
