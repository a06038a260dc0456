"""The no-LLM generator: answers with the evidence sentences that best match the question.

Instant and deterministic. Evidence arrives ranked by relevance; it is re-scored here by the
question's content words, each weighted by how rare it is among the evidence (a word every
sentence shares, like the main actor's name, says little). It refuses when the question names
something no evidence mentions, or when no sentence covers enough of the question.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assistant.citations import with_markers
from assistant.language.lexicon import content_terms, numbers_in
from assistant.prompt import REFUSAL_TEXT
from assistant.types import Evidence, Turn

log = logging.getLogger(__name__)

MIN_COVERAGE = 0.5  # weighted share of the question's content words the best sentence must have
RELATIVE = 0.75  # further sentences must score at least this share of the best one
MAX_SENTENCES = 3
DUPLICATE_OVERLAP = 0.7  # word-set Jaccard above which two sentences (with equal numbers) say the same


@dataclass(frozen=True)
class _Scored:
    coverage: float
    rank: int
    ev: Evidence
    terms: frozenset[str]


class ExtractiveGenerator:
    name = "extractive"
    label = "extractive (no LLM)"

    def stream(self, question: str, evidence: Sequence[Evidence], history: Sequence[Turn] = ()) -> Iterator[str]:
        chosen = select_sentences(question, evidence)
        if not chosen:
            yield REFUSAL_TEXT
            return
        several_events = len({ev.published for ev in chosen}) > 1  # say which report is which
        for i, ev in enumerate(chosen):
            text = " ".join(ev.text.split())
            if several_events:
                text = f"{_provenance(ev)}: {text}"
            yield ("" if i == 0 else "\n") + with_markers(text, [ev.number])


def select_sentences(question: str, evidence: Sequence[Evidence]) -> list[Evidence]:
    """The 1-3 evidence sentences that answer ``question``; [] when none does."""
    wanted = content_terms(question)
    if not wanted.all or not evidence:
        return []
    item_terms = [content_terms(ev.text).all for ev in evidence]
    mentioned = set().union(*item_terms, *(content_terms(ev.title).all for ev in evidence))
    missing_names = wanted.proper - mentioned
    if missing_names:
        log.info("extractive refusal: no evidence mentions %s", ", ".join(sorted(missing_names)))
        return []
    n = len(evidence)
    weight = {t: _rarity(sum(t in ts for ts in item_terms), n) for t in wanted.all}
    total = sum(weight.values())
    scored = [
        _Scored(sum(weight[t] for t in wanted.all & ts) / total, i, ev, ts)
        for i, (ev, ts) in enumerate(zip(evidence, item_terms))
    ]
    scored.sort(key=lambda s: (-s.coverage, s.rank))
    best = scored[0]
    if best.coverage < MIN_COVERAGE:
        log.info("extractive refusal: best coverage %.2f < %.2f", best.coverage, MIN_COVERAGE)
        return []
    picked = [best]
    for cand in scored[1:]:
        if len(picked) == MAX_SENTENCES or cand.coverage < max(MIN_COVERAGE, RELATIVE * best.coverage):
            break
        if not any(_same_statement(cand, p) for p in picked):
            picked.append(cand)
    return [p.ev for p in picked]


def _rarity(df: int, n: int) -> float:
    """1 for a word every sentence has, more for rarer ones, most for a word none has."""
    return 1 + math.log(n / df) if df else 1 + math.log(2 * n)


def _same_statement(a: _Scored, b: _Scored) -> bool:
    """Near-identical wording and the same numbers: a syndicated copy, not a second fact."""
    overlap = len(a.terms & b.terms) / len(a.terms | b.terms) if a.terms | b.terms else 1.0
    return overlap >= DUPLICATE_OVERLAP and numbers_in(a.ev.text) == numbers_in(b.ev.text)


def _provenance(ev: Evidence) -> str:
    who = ev.outlet or ev.title or ev.source
    return f"{who} ({ev.published})" if ev.published else who
