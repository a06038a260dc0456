"""Citation verification: every kept sentence of an answer is backed by the sentence it cites.

``verify(answer_text, evidence)`` reads the generated answer as sentences with their markers
(:mod:`assistant.citations.sentences`) and checks each sentence against the evidence it cites
(:mod:`assistant.citations.support`). A failing marker is re-pointed to the evidence that supports
the sentence best, or dropped; a claim nothing supports is removed and reported in ``flagged``.
Markers are renumbered 1, 2, 3... in order of first appearance, with one :class:`Citation` (the
exact quote and its offsets) each.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.citations.markers import MARKER, strip_markers, tidy_markers, with_markers
from assistant.citations.sentences import AnswerSentence, answer_sentences
from assistant.citations.support import Checkable, Claim, support_for
from assistant.language.lexicon import content_terms, normalize_quote, numbers_in
from assistant.prompt import (
    CLOSED_INSTRUCTIONS,
    EXPLAIN_INSTRUCTIONS,
    INSTRUCTIONS,
    REFUSAL_TEXT,
    SYSTEM_PROMPT,
    is_refusal,
)
from assistant.types import Citation, Evidence

log = logging.getLogger(__name__)

MAX_REFUSAL_WORDS = 20


@dataclass(frozen=True)
class Verified:
    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    flagged: list[str] = field(default_factory=list)  # sentences removed as unsupported
    said_refusal: bool = False  # refused because the answer itself says the sources do not answer


def verify(
    answer_text: str,
    evidence: Sequence[Evidence],
    publishers: Iterable[str] = (),
    off: frozenset[str] = frozenset(),
) -> Verified:
    """Check, repair and renumber the citations of a generated answer. ``publishers``: outlets the
    question cites ("according to the AP"); an answer may repeat them, and they are not checked
    against the cited sentence (plain-text articles often lose their outlet with the page chrome).
    ``off``: checks switched off (names from :data:`assistant.policy.RULES`), for ablations."""
    items = [Checkable.of(ev) for ev in evidence]
    names = frozenset().union(*(it.own.proper for it in items))
    ignored = frozenset().union(*(content_terms(p).all for p in publishers))
    by_number = {it.ev.number: it for it in items}
    kept: list[tuple[AnswerSentence, list[Checkable]]] = []
    flagged: list[str] = []
    seen: set[str] = set()
    for s in answer_sentences(answer_text):
        if not s.body:
            continue
        claim = Claim.of(s.body, names, ignored, off)
        cited = [by_number[n] for n in dict.fromkeys(s.markers) if n in by_number]
        if is_refusal(s.body) and (not cited or claim.supported_by(cited) is None):
            if not kept:  # refusing before any supported claim: the answer is a refusal
                return Verified(text=_refusal_text(s.body), refused=True, flagged=flagged, said_refusal=True)
            kept.append((AnswerSentence(s.body, s.body, [], s.newline_before, s.prefix), []))
            continue  # a caveat after an answer ("... do not say when it ends") needs no citation
        if cited and not kept and (_VERDICT.match(s.body) or (claim.empty and _words_within(s.body, cited))):
            kept.append((s, cited))  # "Yes [1].", or a bare answer in the source's words: "Next month [1]."
            continue
        if claim.empty or s.body.endswith("?") or _is_echo(s.body):
            continue  # filler ("Sure!"), an echoed question or instruction: no claim
        chosen = support_for(claim, cited, items)
        if not chosen:
            flagged.append(s.body)
            log.info("removed unsupported sentence: %s", s.body)
            continue
        key = " ".join(sorted(claim.terms.all)) + "|" + " ".join(sorted(claim.numbers))
        if key in seen:
            continue  # small models repeat a sentence with a different marker
        seen.add(key)
        kept.append((s, chosen))
    if not kept:
        return Verified(text=REFUSAL_TEXT, refused=True, flagged=flagged)
    return _assemble(kept, flagged)


_VERDICT = re.compile(r"^(?:yes|no)\W*$", re.IGNORECASE)


def _words_within(body: str, items: Sequence[Checkable]) -> bool:
    words = set(normalize_quote(body).split())
    return bool(words) and words <= set(" ".join(it.haystack for it in items).split())


def _is_echo(body: str) -> bool:
    norm = normalize_quote(body)
    prompts = (INSTRUCTIONS, EXPLAIN_INSTRUCTIONS, CLOSED_INSTRUCTIONS, SYSTEM_PROMPT)
    return len(norm) > 12 and any(norm in normalize_quote(p) for p in prompts)


def _refusal_text(sentence: str) -> str:
    plain = strip_markers(sentence)
    return plain if len(plain.split()) <= MAX_REFUSAL_WORDS and not numbers_in(plain) else REFUSAL_TEXT


def _assemble(kept: list[tuple[AnswerSentence, list[Checkable]]], flagged: list[str]) -> Verified:
    renumber: dict[int, int] = {}
    for _, chosen in kept:
        for it in chosen:
            renumber.setdefault(it.ev.number, len(renumber) + 1)
    parts: list[str] = []
    for s, chosen in kept:
        old = [it.ev.number for it in chosen]
        if old and list(dict.fromkeys(s.markers)) == old:
            text = MARKER.sub(lambda m: f"[{renumber[int(m.group(1))]}]", s.original)
            text = tidy_markers(text)
        else:
            text = with_markers(s.body, [renumber[n] for n in old])
        sep = "" if not parts else ("\n" if s.newline_before else " ")
        parts.append(sep + s.prefix + text)
    by_new = {new: old for old, new in renumber.items()}
    ev_by_number = {it.ev.number: it.ev for _, chosen in kept for it in chosen}
    citations = [_citation(new, ev_by_number[by_new[new]]) for new in sorted(by_new)]
    return Verified(text="".join(parts).strip(), citations=citations, refused=False, flagged=flagged)


def _citation(number: int, ev: Evidence) -> Citation:
    return Citation(
        number=number,
        meta=ev.meta,
        quote=ev.text,
        start=ev.start,
        end=ev.end,
        also_reported_by=ev.also_reported_by,
    )
