"""Whether cited evidence supports a claim of the answer, by three checks:

* content words of the claim must mostly appear in the cited sentences (or their
  title/outlet/date), and every capitalised name in it must;
* every number or percentage in the claim must appear in the cited text;
* every quoted string must appear verbatim in the cited text.

(Three further rules, a list of opposite verbs, "X and Y agreed needs one sentence naming both"
and "a one-clause claim backed by two sentences must share a name with each", were removed after
the same-run ablation: none gained anything on MultiHop-RAG tune or confirm or on the news gold
set, and one cost key facts there; BENCHMARKS.md, issue 11.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from assistant.language.lexicon import (
    Terms,
    content_terms,
    metadata_terms,
    normalize_quote,
    numbers_in,
    quotes_in,
    word_known,
)
from assistant.types import Evidence

SUPPORT_MIN = 0.6  # weighted share of a cited sentence's content words found in the evidence
COMMON_MIN = 0.5  # share of its non-name words (the predicate) found there
ADD_MIN = 0.7  # stricter bar for adding a marker to a sentence the model left uncited


@dataclass
class Checkable:
    """One evidence sentence as the checks read it."""

    ev: Evidence
    own: Terms  # of the sentence alone
    terms: set[str]  # of the sentence and its title, outlet and date
    named: set[str]  # where a claim's names may come from (the title only where it fits)
    numbers: set[str]
    haystack: str  # normalised text for verbatim quote checks

    @classmethod
    def of(cls, ev: Evidence) -> Checkable:
        own = content_terms(ev.text)
        meta = metadata_terms(ev.title, ev.outlet, ev.published)
        lent = meta if _title_fits(own, ev.title) else metadata_terms("", ev.outlet, ev.published)
        return cls(
            ev=ev,
            own=own,
            terms=set(own.all | meta.all),
            named=set(own.all | lent.all),
            numbers=numbers_in(ev.text) | numbers_in(ev.title) | numbers_in(ev.published),
            haystack=f" {normalize_quote(ev.text)} | {normalize_quote(ev.title)} ",
        )


def _title_fits(own: Terms, title: str) -> bool:
    """Whether an article's title may lend its names to one of its sentences: the sentence names
    nothing itself ("The company reported ..."), or shares a name with the title. A sentence that
    names only others is about another story than its title: a roundup's title names other stories
    ("Sam Altman backs teens' startup, Google unveils ..." above a sentence on Bankman-Fried and
    FTX), and a small model copies a title's name into its answer."""
    if not own.proper:
        return True
    heading = content_terms(title).all
    return any(word_known(t, heading) for t in own.proper)


def _coverage(claim: Terms, items: Sequence[Checkable], matched_numbers: int = 0) -> tuple[float, float]:
    """Weighted share of the claim's words (and its already matched numbers) found in ``items``,
    and the share of its non-name words (so that names alone, as in "Smith and Jones agreed",
    cannot carry a claim)."""
    vocab = set().union(*(it.terms for it in items))
    total = sum(claim.weight(t) for t in claim.all) + matched_numbers
    if total == 0:
        return 1.0, 1.0
    found = [t for t in claim.all if t in vocab or (t in claim.proper and word_known(t, vocab))]
    overall = (sum(claim.weight(t) for t in found) + matched_numbers) / total
    common = claim.all - claim.proper
    return overall, (len(common & vocab) / len(common) if common else 1.0)


def _facts_ok(numbers: set[str], quotes: list[str], items: Sequence[Checkable]) -> bool:
    have = set().union(*(it.numbers for it in items))
    if not numbers <= have:
        return False
    return all(any(q in it.haystack for it in items) for q in quotes)


@dataclass
class Claim:
    terms: Terms
    numbers: set[str]
    quotes: list[str]
    off: frozenset[str] = frozenset()  # rules switched off (assistant.policy.RULES), for ablations

    @classmethod
    def of(
        cls,
        body: str,
        names: frozenset[str] = frozenset(),
        ignored: frozenset[str] = frozenset(),
        off: frozenset[str] = frozenset(),
    ) -> Claim:
        """``names``: terms known as names from the evidence (so a sentence's first word counts
        too); ``ignored``: terms that are no part of the claim (a publisher the question cites)."""
        terms = content_terms(body)
        terms = Terms(terms.all - ignored, (terms.proper | (terms.all & names)) - ignored)
        return cls(terms, numbers_in(body), [f" {normalize_quote(q)} " for q in quotes_in(body)], off)

    @property
    def empty(self) -> bool:
        return not (self.terms.all or self.numbers or self.quotes)

    def supported_by(self, items: Sequence[Checkable], bar: float = SUPPORT_MIN) -> float | None:
        """The coverage when ``items`` support the claim, else None."""
        if not items:
            return None
        if "claim_numbers" not in self.off and not _facts_ok(self.numbers, self.quotes, items):
            return None
        if "claim_names" not in self.off and not self._names_found(items):
            return None  # a name the cited text never mentions: invented or mis-cited
        overall, common = _coverage(self.terms, items, len(self.numbers))
        return overall if overall >= bar and common >= COMMON_MIN else None

    def _names_found(self, items: Sequence[Checkable]) -> bool:
        """Every name of the claim occurs in the cited text; with rule ``sentence_names``, a title
        counts only where it fits its sentence (see :func:`_title_fits`)."""
        where = "terms" if "sentence_names" in self.off else "named"
        source_terms = set().union(*(getattr(it, where) for it in items))
        return all(word_known(t, source_terms) for t in self.terms.proper)

    def contributes(self, item: Checkable) -> bool:
        shared = sum(self.terms.weight(t) for t in self.terms.all if t in item.terms)
        total = sum(self.terms.weight(t) for t in self.terms.all)
        supplies_fact = bool(self.numbers & item.numbers) or any(q in item.haystack for q in self.quotes)
        return supplies_fact or shared >= min(2, total)


def _best_single(claim: Claim, items: Sequence[Checkable], bar: float) -> list[Checkable]:
    """The single item that supports the claim best (the earliest on ties); [] if none does."""
    singles = [(claim.supported_by([it], bar), -i, it) for i, it in enumerate(items)]
    ok = [(cov, rank, it) for cov, rank, it in singles if cov is not None]
    return [max(ok, key=lambda t: (t[0], t[1]))[2]] if ok else []


def _best_support(claim: Claim, items: Sequence[Checkable], bar: float) -> list[Checkable]:
    """The single item (else the pair) that supports the claim best; [] if none does."""
    single = _best_single(claim, items, bar)
    if single:
        return single
    pairs = []
    for (i, a), (j, b) in combinations(enumerate(items), 2):
        if claim.contributes(a) and claim.contributes(b):
            cov = claim.supported_by([a, b], bar)
            if cov is not None:
                pairs.append((cov, -(i + j), [a, b]))
    return max(pairs, key=lambda t: (t[0], t[1]))[2] if pairs else []


def support_for(claim: Claim, cited: list[Checkable], items: Sequence[Checkable]) -> list[Checkable]:
    """The items the sentence should cite ([] when nothing supports it)."""
    if cited and claim.supported_by(cited) is not None:
        kept = [it for it in cited if claim.contributes(it)]
        if kept and claim.supported_by(kept) is not None:
            return kept
        return cited
    return _best_support(claim, items, SUPPORT_MIN if cited else ADD_MIN)
