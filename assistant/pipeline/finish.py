"""From a draft to the verified Answer: the policy's last word, after the model has written.

A :class:`Draft` holds what the model wrote and what it is checked against; :func:`finish` checks
its citations claim by claim, asks the :class:`~assistant.policy.AnswerPolicy` whether to refuse,
and cuts the direct answer (``Answer.short``); :func:`ablate` does it once per rule switched off.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.citations import Verified, marker_numbers, strip_markers, verify, with_markers
from assistant.citations.articles import markers_as_subjects, name_articles
from assistant.generators.base import CUT
from assistant.pipeline.answerability import unmentioned
from assistant.pipeline.short_answer import bare_answer, direct_answer
from assistant.policy import RULES, UNADDRESSED_TEXT, AnswerPolicy, Judgement, Refusal
from assistant.types import Answer, Evidence, Source


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


def finish(draft: Draft, policy: AnswerPolicy, check: Callable[..., Verified] = verify) -> Answer:
    """The verified Answer for ``draft`` under ``policy``: citations checked claim by claim, and
    the policy's last word on refusing."""
    draft = replace(draft, raw=without_cut(draft.raw))
    base = Answer(text="", sources=draft.sources, refused=True, refusal=draft.refusal)
    if draft.refusal is not None:
        return replace(base, text=draft.refusal.message)
    if draft.unaddressed:
        return replace(base, text=UNADDRESSED_TEXT, refused=False, verdict="No", short="No",
                       flagged=[draft.raw] if draft.raw else [])
    verdict = draft.verdict or (leading_verdict(draft.raw) if draft.closed else None)
    # The verdict stays in the text verification reads: "Yes [1][2]." keeps the sentences it cites.
    # A marker the model made a sentence's subject ("[1] states ...") becomes its article's letter.
    checked = check(markers_as_subjects(draft.raw, draft.evidence), draft.evidence, draft.publishers, policy.disabled)
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
    text = name_articles(checked.text, checked.citations, draft.evidence)  # "article A" -> its outlet
    if verdict and leading_verdict(text) != verdict:
        text = f"{verdict}. {text}"
    return Answer(
        text=text,
        citations=list(checked.citations),
        refused=False,
        sources=draft.sources,
        flagged=list(checked.flagged),
        verdict=verdict,
        short=verdict or _direct(draft.question, text, policy),
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
        if ch in ".!?" and (i + 1 == len(line) or line[i + 1] == " ") and not _abbreviation_at(line, i):
            return line[: i + 1]
    return line


def _abbreviation_at(text: str, i: int) -> bool:
    """The stop at ``text[i]`` closes an abbreviation ("U.S."), not a sentence."""
    return text[max(0, i - 2) : i].isupper()


# Where a sentence ends: its stop (a closing quote or bracket may follow) and any markers after it,
# or a marker closing a line without a stop ("$649 - 1 TB OLED [10]").
_SENTENCE_END = re.compile(r"(?:[.!?][\"”’')]?(?:\s*\[\d+(?:\s*,\s*\d+)*\])*|\[\d+(?:\s*,\s*\d+)*\])(?=\s|$)")


def without_cut(raw: str) -> str:
    """``raw`` without :data:`~assistant.generators.base.CUT` and the sentence the token limit cut
    short; a first sentence cut short stays (verification judges what it says)."""
    body = raw.rstrip()
    if not body.endswith(CUT):
        return raw
    body = body[: -len(CUT)]
    for end in reversed(list(_SENTENCE_END.finditer(body))):
        if body[end.start()] == "." and _abbreviation_at(body, end.start()):
            continue
        return body[: end.end()]
    return body
