"""The answer policy: the one place that decides whether newsdesk answers or refuses, and why.

Every refusal carries a :class:`Refusal` with a reason code and a plain message, in
``Answer.refusal``, in ``newsdesk ask --json`` and in the web chat. The reasons, in the order the
read path meets them:

* ``nothing_found``: retrieval found no evidence sentence at all;
* ``name_unmentioned``: the question asks about a name no retrieved (or no cited) article mentions;
* ``sources_insufficient``: the model judged that the sources do not answer the question (from its
  own YES/NO probability, or in its own words for a backend that writes its refusal);
* ``claims_unsupported``: every claim of the generated answer failed citation verification.

The checks a policy applies are named in :data:`RULES`, so an evaluation can switch each off and
measure what it is worth (``AnswerPolicy(disabled=...)``; BENCHMARKS.md, "Ablation").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Reason(StrEnum):
    NOTHING_FOUND = "nothing_found"
    NAME_UNMENTIONED = "name_unmentioned"
    SOURCES_INSUFFICIENT = "sources_insufficient"
    CLAIMS_UNSUPPORTED = "claims_unsupported"


REFUSAL_TEXT = "The articles do not say."
# A yes/no question whose sources, by the model's own judgement, do not address it.
UNADDRESSED_TEXT = "No: the articles found do not report that."

_MESSAGES = {
    Reason.NOTHING_FOUND: "Nothing in the articles matches this question.",
    Reason.NAME_UNMENTIONED: "The articles do not mention {names}.",
    Reason.SOURCES_INSUFFICIENT: "The articles do not say: the sources found do not answer this question.",
    Reason.CLAIMS_UNSUPPORTED: "The articles do not say: no part of the drafted answer was backed by its sources.",
}
# After generation the name check reads only the articles the answer cites: other articles may well
# mention the name, so the message must not say "the articles" do not.
_CITED_NAMES = "The articles do not say: the drafted answer came from articles that never mention {names}."


@dataclass(frozen=True)
class Refusal:
    """Why an answer was refused: a stable ``code`` for programs, a plain ``message`` for people."""

    code: Reason
    message: str
    detail: str = ""  # e.g. the model's probability, or the names not found

    @classmethod
    def of(cls, code: Reason, names: Sequence[str] = (), detail: str = "") -> Refusal:
        return cls(code, _MESSAGES[code].format(names=join_names(names)), detail)


@dataclass(frozen=True)
class Judgement:
    """A generator's own view of the evidence, read from its next-token probabilities.

    ``p_answerable``: P(YES) / (P(YES) + P(NO)) for "Do the sources answer this question?" (every
    question); ``p_yes``: P(Yes) / (P(Yes) + P(No)) as the first word of the answer to a yes/no
    question. None where not asked, or where the backend has no probabilities.
    """

    p_answerable: float | None = None
    p_yes: float | None = None


# The checks the policy and verification apply; each can be switched off for an ablation.
RULES = (
    "names_before",  # refuse before generation when no retrieved article mentions a name asked about
    "names_after",  # refuse when the cited articles miss a name asked about
    "model_decision",  # refuse when the model's P(sources answer) is below the bar
    "claim_names",  # a claim's capitalised names must occur in its cited text
    "sentence_names",  # ... in the cited sentences; a title lends its names only to a sentence it fits
    "claim_numbers",  # a claim's numbers and quotes must occur in its cited text
    "short_span",  # the direct answer to "Which/Who ...?" is the name the answer adds to the question
    "bare_answer",  # that name, found word for word in a source, stands when its restated why fails
    "yes_bar",  # a yes/no verdict is "Yes" only when P(Yes) reaches ``yes_min`` (off: the model's 0.5)
)


@dataclass(frozen=True)
class AnswerPolicy:
    """Decides answer or refusal at each point of the read path.

    ``answerable_min``: the share of its YES+NO probability the model must put on "the sources
    answer the question" (0.5: the model's own preference, not a tuned number).
    """

    answerable_min: float = 0.5
    disabled: frozenset[str] = field(default_factory=frozenset)
    yes_min: float = 0.5  # the verdict is "Yes" when P(Yes) reaches this (0.5: the model's own choice)

    def __post_init__(self) -> None:
        unknown = set(self.disabled) - set(RULES)
        if unknown:
            raise ValueError(f"unknown rule(s): {', '.join(sorted(unknown))}; known: {', '.join(RULES)}")

    def on(self, rule: str) -> bool:
        return rule not in self.disabled

    def before_generation(self, has_evidence: bool, unknown_names: Sequence[str]) -> Refusal | None:
        """Refuse without the model: nothing found, or a name no retrieved article mentions. (The
        ablation finds the latter changes no figure, since ``names_after`` would refuse the same
        answers later; it stays because it answers at once, without a model run, and says which
        name is missing: "The articles do not mention Venezuela.")"""
        if not has_evidence:
            return Refusal.of(Reason.NOTHING_FOUND)
        if unknown_names and self.on("names_before"):
            return Refusal.of(Reason.NAME_UNMENTIONED, unknown_names)
        return None

    def on_judgement(self, judgement: Judgement | None, closed: bool) -> Refusal | None:
        """Refuse when the model judges the sources insufficient. A yes/no question is not refused
        here: its verdict ("No: the articles do not report that") is the answer."""
        if judgement is None or judgement.p_answerable is None or closed or not self.on("model_decision"):
            return None
        if judgement.p_answerable < self.answerable_min:
            return Refusal.of(Reason.SOURCES_INSUFFICIENT, detail=f"P(sources answer) = {judgement.p_answerable:.2f}")
        return None

    def unaddressed(self, judgement: Judgement | None) -> bool:
        """A yes/no question the model judges its sources not to answer (P(sources answer) below
        the bar): its verdict is "No: the articles found do not report that", without a model
        written why. The 1.5B model's P(Yes) alone is above 0.5 for nearly every yes/no question,
        also for leading ones whose sources never say so ("Was the fishing ban lifted?" over "the
        ban was extended"; BENCHMARKS.md, "Fifth session")."""
        p = judgement.p_answerable if judgement is not None else None
        return p is not None and p < self.answerable_min and self.on("model_decision")

    def reads_more(self, judgement: Judgement | None, closed: bool) -> bool:
        """Whether the model should read the rest of the evidence and decide again: when on the
        first sentences it would refuse, find the question unaddressed, or answer "No". Sources
        that lack something say little about the sources not yet read; sources that answer are
        enough to answer from. (Config ``evidence_first_*``; BENCHMARKS.md, issue 15, fifteenth session.)"""
        if judgement is None:
            return False
        if self.on_judgement(judgement, closed) is not None or (closed and self.unaddressed(judgement)):
            return True
        return closed and self.verdict(judgement) == "No"

    def rereads(self, before: Refusal | None, after: Refusal | None) -> bool:
        """Whether an answer written from the evidence's head and refused after it was written
        (no claim backed by its cited sentences, or cited articles missing a name asked about)
        is written again from all the evidence. A refusal decided before writing stands."""
        return before is None and after is not None

    def verdict(self, judgement: Judgement | None) -> str | None:
        """"Yes" or "No" for a yes/no question from the model's P(Yes). (Measured on MultiHop-RAG
        `tune`, BENCHMARKS.md: reading P(Yes) against the model's no-source prior, contextual
        calibration, separated right from wrong verdicts worse than P(Yes) itself, AUC 0.44
        against 0.61.) The bar is ``yes_min``, set from ``Config.yes_min`` (0.8, chosen on `tune`,
        confirmed on `confirm`); rule ``yes_bar`` off gives the model's own 0.5."""
        if judgement is None or judgement.p_yes is None:
            return None
        bar = self.yes_min if self.on("yes_bar") else 0.5
        return "Yes" if judgement.p_yes >= bar else "No"

    def after_verification(
        self, refused_in_words: bool, nothing_kept: bool, unmet_names: Sequence[str]
    ) -> Refusal | None:
        """Refuse a generated answer: the model refused in its own words, no claim survived
        verification, or the cited articles never mention a name the question asks about."""
        if refused_in_words:
            return Refusal.of(Reason.SOURCES_INSUFFICIENT, detail="the model said so")
        if nothing_kept:
            return Refusal.of(Reason.CLAIMS_UNSUPPORTED)
        if unmet_names and self.on("names_after"):
            message = _CITED_NAMES.format(names=join_names(unmet_names))
            return Refusal(Reason.NAME_UNMENTIONED, message, detail="not in the cited articles")
        return None


def join_names(items: Iterable[str]) -> str:
    names = list(items)
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
