"""Citation verification: every kept sentence of an answer is backed by the sentence it cites.

``verify(answer_text, evidence)`` splits the generated answer into sentences, reads its markers
(``[1]``, ``[1, 2]``, ``[1][2]``, ``【1】``, ``[Source 1]``, ``(1)`` before punctuation, a leading
``Source 1:``), and checks each sentence against the evidence it cites:

* content words of the sentence must mostly appear in the cited sentences (or their
  title/outlet/date), and every capitalised name in it must;
* every number or percentage in the sentence must appear in the cited text;
* every quoted string must appear verbatim in the cited text;

(Three further rules, a list of opposite verbs, "X and Y agreed needs one sentence naming both"
and "a one-clause claim backed by two sentences must share a name with each", were removed after
the same-run ablation: none gained anything on MultiHop-RAG tune or confirm or on the news gold
set, and one cost key facts there; BENCHMARKS.md, issue 11.)

A failing marker is re-pointed to the evidence that supports the sentence best, or dropped; a
claim nothing supports is removed and reported in ``flagged``. Markers are renumbered 1, 2, 3...
in order of first appearance, with one :class:`Citation` (the exact quote and its offsets) each.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from assistant.lexicon import (
    Terms,
    content_terms,
    metadata_terms,
    normalize_quote,
    numbers_in,
    quotes_in,
    word_known,
)
from assistant.prompt import CLOSED_INSTRUCTIONS, INSTRUCTIONS, REFUSAL_TEXT, SYSTEM_PROMPT, is_refusal
from assistant.types import Citation, Evidence
from index import sentence_spans

log = logging.getLogger(__name__)

SUPPORT_MIN = 0.6  # weighted share of a cited sentence's content words found in the evidence
COMMON_MIN = 0.5  # share of its non-name words (the predicate) found there
ADD_MIN = 0.7  # stricter bar for adding a marker to a sentence the model left uncited
MAX_REFUSAL_WORDS = 20


@dataclass(frozen=True)
class Verified:
    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    flagged: list[str] = field(default_factory=list)  # sentences removed as unsupported
    said_refusal: bool = False  # refused because the answer itself says the sources do not answer


@dataclass
class _Sentence:
    body: str  # without markers
    original: str  # with (normalised) markers, as the model placed them
    markers: list[int]
    newline_before: bool
    prefix: str = ""  # a list bullet, kept for display


@dataclass
class _Item:
    ev: Evidence
    own: Terms  # of the sentence alone
    terms: set[str]  # of the sentence and its title, outlet and date
    numbers: set[str]
    haystack: str  # normalised text for verbatim quote checks


# ---- markers ---------------------------------------------------------------------------------

_NUM_LIST = r"\d+(?:\s*(?:,|;|and|&|-|–|—|to)\s*\d+)*"
_MARKER_FORMS = [
    re.compile(rf"【\s*(?:sources?\s*)?({_NUM_LIST})\s*】", re.I),
    re.compile(rf"\[\s*\^?(?:sources?|refs?\.?|references?|citations?)?\s*#?({_NUM_LIST})\s*\]", re.I),
    re.compile(rf"\(\s*(?:sources?|refs?\.?)\s*#?({_NUM_LIST})\s*\)", re.I),
    # a bare "(1)" or "(1, 2)" only right before punctuation or the end: "(1) first..." is a list
    re.compile(rf"\(\s*({_NUM_LIST})\s*\)(?=\s*(?:[.,;:!?]|$))", re.M),
]
_LEADING_SOURCE = re.compile(r"^(\s*)(?:according to\s+)?sources?\s+(\d+)\s*[:,\-–]\s*", re.I | re.M)
_MARKER = re.compile(r"\[(\d+)\]")
_MARKER_LIST = re.compile(r"\]\s*(?:,|;|and|&|,\s*and)\s*\[(?=\d+\])")
_MARKER_RUN = re.compile(r"(?:\s*\[\d+\])+")


def _expand(numbers: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*(?:,|;|and|&)\s*", numbers):
        bounds = re.split(r"\s*(?:-|–|—|to)\s*", part.strip())
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            lo, hi = int(bounds[0]), int(bounds[1])
            if 0 < hi - lo < 20:
                out.extend(range(lo, hi + 1))
                continue
        out.extend(int(b) for b in bounds if b.isdigit())
    return out


def marker_numbers(text: str) -> list[int]:
    """The source numbers ``text`` cites, in every supported marker form, in order of appearance."""
    return [int(n) for n in _MARKER.findall(normalize_markers(text))]


def normalize_markers(text: str) -> str:
    """Rewrite every supported citation form as canonical ``[n]`` markers."""
    text = _LEADING_SOURCE.sub(lambda m: f"{m.group(1)}[{m.group(2)}] ", text)
    for form in _MARKER_FORMS:
        text = form.sub(lambda m: "".join(f"[{n}]" for n in _expand(m.group(1))), text)
    text = _MARKER_LIST.sub("][", text)  # "[1], [3] and [4]" -> "[1][3][4]"
    return _MARKER_RUN.sub(_dedupe_run, text)


def _dedupe_run(run: re.Match[str]) -> str:
    """A marker run without repeats: [1][1][2] -> [1][2] (small models repeat a marker)."""
    lead = run.group()[: len(run.group()) - len(run.group().lstrip())]
    return lead + "".join(f"[{n}]" for n in dict.fromkeys(_MARKER.findall(run.group())))


# ---- cleaning and splitting -------------------------------------------------------------------

_ECHO_PREFIX = re.compile(r"^\s*(?:answer|final answer|a|assistant|response)\s*:\s*", re.I)
_ECHO_LINE = re.compile(r"^\s*(?:question|sources?|rules|earlier conversation|user)\s*:", re.I)
_ECHO_META = re.compile(
    r"^(\s*(?:\[\d+\]\s*)+)\((?:article [A-Z]\d*\)|[^()]*?(?:\d{4}-\d{2}-\d{2}|\"[^\"]*\")[^()]*\))\s*"
)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def _clean_lines(text: str) -> list[str]:
    text = _ECHO_PREFIX.sub("", text.strip())
    lines = []
    for line in text.splitlines():
        line = _ECHO_PREFIX.sub("", line)
        if not line.strip() or _ECHO_LINE.match(line):
            continue
        lines.append(_ECHO_META.sub(r"\1", line).strip())
    return lines


def _split_line(line: str) -> list[tuple[str, list[int]]]:
    """(sentence text with its markers, markers) for one line, cut where :mod:`index.sentences`
    cuts it with the markers blanked out (so "met. [1] He" and "met.[1] He" are cut alike).

    A line that opens with a marker uses the "[1] Sentence." style: a marker after a full stop
    belongs to the next sentence. Otherwise markers after a full stop close the sentence before.
    """
    spans = sentence_spans(_MARKER.sub(lambda m: " " * len(m.group()), line), trained=True)
    leading = bool(re.match(r"\s*\[\d+\]", line))
    cuts = [0, *(a_end if leading else b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:])), len(line)]
    pieces = (line[lo:hi].strip() for lo, hi in zip(cuts, cuts[1:]))
    return [(piece, [int(n) for n in _MARKER.findall(piece)]) for piece in pieces if piece]


def strip_markers(sentence: str) -> str:
    body = _MARKER_RUN.sub("", sentence)
    body = re.sub(r"\s+([.,;:!?])", r"\1", body)
    return " ".join(body.split())


def _sentences(text: str) -> list[_Sentence]:
    out: list[_Sentence] = []
    for line in _clean_lines(normalize_markers(text)):
        prefix = ""
        bullet = _BULLET.match(line)
        if bullet:
            prefix, line = bullet.group(0).strip() + " ", line[bullet.end() :]
        for i, (sentence, markers) in enumerate(_split_line(line)):
            out.append(
                _Sentence(
                    body=strip_markers(sentence),
                    original=" ".join(sentence.split()),
                    markers=markers,
                    newline_before=i == 0 and bool(out),
                    prefix=prefix if i == 0 else "",
                )
            )
    return out


# ---- support checks ---------------------------------------------------------------------------


def _item(ev: Evidence) -> _Item:
    own = content_terms(ev.text)
    meta = metadata_terms(ev.title, ev.outlet, ev.published)
    return _Item(
        ev=ev,
        own=own,
        terms=set(own.all | meta.all),
        numbers=numbers_in(ev.text) | numbers_in(ev.title) | numbers_in(ev.published),
        haystack=f" {normalize_quote(ev.text)} | {normalize_quote(ev.title)} ",
    )


def _coverage(claim: Terms, items: Sequence[_Item], matched_numbers: int = 0) -> tuple[float, float]:
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


def _facts_ok(numbers: set[str], quotes: list[str], items: Sequence[_Item]) -> bool:
    have = set().union(*(it.numbers for it in items))
    if not numbers <= have:
        return False
    return all(any(q in it.haystack for it in items) for q in quotes)


@dataclass
class _Claim:
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
    ) -> _Claim:
        """``names``: terms known as names from the evidence (so a sentence's first word counts
        too); ``ignored``: terms that are no part of the claim (a publisher the question cites)."""
        terms = content_terms(body)
        terms = Terms(terms.all - ignored, (terms.proper | (terms.all & names)) - ignored)
        return cls(terms, numbers_in(body), [f" {normalize_quote(q)} " for q in quotes_in(body)], off)

    @property
    def empty(self) -> bool:
        return not (self.terms.all or self.numbers or self.quotes)

    def supported_by(self, items: Sequence[_Item], bar: float = SUPPORT_MIN) -> float | None:
        """The coverage when ``items`` support the claim, else None."""
        if not items:
            return None
        if "claim_numbers" not in self.off and not _facts_ok(self.numbers, self.quotes, items):
            return None
        source_terms = set().union(*(it.terms for it in items))
        if "claim_names" not in self.off and any(not word_known(t, source_terms) for t in self.terms.proper):
            return None  # a name the cited text never mentions: invented or mis-cited
        overall, common = _coverage(self.terms, items, len(self.numbers))
        return overall if overall >= bar and common >= COMMON_MIN else None

    def contributes(self, item: _Item) -> bool:
        shared = sum(self.terms.weight(t) for t in self.terms.all if t in item.terms)
        total = sum(self.terms.weight(t) for t in self.terms.all)
        supplies_fact = bool(self.numbers & item.numbers) or any(q in item.haystack for q in self.quotes)
        return supplies_fact or shared >= min(2, total)


def _best_single(claim: _Claim, items: Sequence[_Item], bar: float) -> list[_Item]:
    """The single item that supports the claim best (the earliest on ties); [] if none does."""
    singles = [(claim.supported_by([it], bar), -i, it) for i, it in enumerate(items)]
    ok = [(cov, rank, it) for cov, rank, it in singles if cov is not None]
    return [max(ok, key=lambda t: (t[0], t[1]))[2]] if ok else []


def _best_support(claim: _Claim, items: Sequence[_Item], bar: float) -> list[_Item]:
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



def _check(claim: _Claim, cited: list[_Item], items: Sequence[_Item]) -> list[_Item]:
    """The items the sentence should cite ([] when nothing supports it)."""
    if cited and claim.supported_by(cited) is not None:
        kept = [it for it in cited if claim.contributes(it)]
        if kept and claim.supported_by(kept) is not None:
            return kept
        return cited
    return _best_support(claim, items, SUPPORT_MIN if cited else ADD_MIN)


# ---- verify -----------------------------------------------------------------------------------


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
    items = [_item(ev) for ev in evidence]
    names = frozenset().union(*(it.own.proper for it in items))
    ignored = frozenset().union(*(content_terms(p).all for p in publishers))
    by_number = {it.ev.number: it for it in items}
    kept: list[tuple[_Sentence, list[_Item]]] = []
    flagged: list[str] = []
    seen: set[str] = set()
    for s in _sentences(answer_text):
        if not s.body:
            continue
        claim = _Claim.of(s.body, names, ignored, off)
        cited = [by_number[n] for n in dict.fromkeys(s.markers) if n in by_number]
        if is_refusal(s.body) and (not cited or claim.supported_by(cited) is None):
            if not kept:  # refusing before any supported claim: the answer is a refusal
                return Verified(text=_refusal_text(s.body), refused=True, flagged=flagged, said_refusal=True)
            kept.append((_Sentence(s.body, s.body, [], s.newline_before, s.prefix), []))
            continue  # a caveat after an answer ("... do not say when it ends") needs no citation
        if cited and not kept and (_VERDICT.match(s.body) or (claim.empty and _words_within(s.body, cited))):
            kept.append((s, cited))  # "Yes [1].", or a bare answer in the source's words: "Next month [1]."
            continue
        if claim.empty or s.body.endswith("?") or _is_echo(s.body):
            continue  # filler ("Sure!"), an echoed question or instruction: no claim
        chosen = _check(claim, cited, items)
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


def _words_within(body: str, items: Sequence[_Item]) -> bool:
    words = set(normalize_quote(body).split())
    return bool(words) and words <= set(" ".join(it.haystack for it in items).split())


def _is_echo(body: str) -> bool:
    norm = normalize_quote(body)
    prompts = (INSTRUCTIONS, CLOSED_INSTRUCTIONS, SYSTEM_PROMPT)
    return len(norm) > 12 and any(norm in normalize_quote(p) for p in prompts)


def _refusal_text(sentence: str) -> str:
    plain = strip_markers(sentence)
    return plain if len(plain.split()) <= MAX_REFUSAL_WORDS and not numbers_in(plain) else REFUSAL_TEXT


def _assemble(kept: list[tuple[_Sentence, list[_Item]]], flagged: list[str]) -> Verified:
    renumber: dict[int, int] = {}
    for _, chosen in kept:
        for it in chosen:
            renumber.setdefault(it.ev.number, len(renumber) + 1)
    parts: list[str] = []
    for s, chosen in kept:
        old = [it.ev.number for it in chosen]
        if old and list(dict.fromkeys(s.markers)) == old:
            text = _MARKER.sub(lambda m: f"[{renumber[int(m.group(1))]}]", s.original)
            text = _tidy(text)
        else:
            text = with_markers(s.body, [renumber[n] for n in old])
        sep = "" if not parts else ("\n" if s.newline_before else " ")
        parts.append(sep + s.prefix + text)
    by_new = {new: old for old, new in renumber.items()}
    ev_by_number = {it.ev.number: it.ev for _, chosen in kept for it in chosen}
    citations = [_citation(new, ev_by_number[by_new[new]]) for new in sorted(by_new)]
    return Verified(text="".join(parts).strip(), citations=citations, refused=False, flagged=flagged)


def _tidy(text: str) -> str:
    """Markers that open a sentence ("[1] Blinken met...") or follow its full stop ("... met. [1]")
    move before its closing punctuation; markers inside the sentence stay where they are."""
    for edge in (r"^((?:\s*\[\d+\])+)\s*", r"(?<=[.!?\"”’')])((?:\s*\[\d+\])+)\s*$"):
        m = re.search(edge, text)
        if m:
            rest = (text[: m.start()] + text[m.end() :]).strip()
            if not _MARKER.search(rest):
                return with_markers(rest, [int(n) for n in _MARKER.findall(m.group(1))])
    return text


def with_markers(body: str, numbers: Iterable[int]) -> str:
    """``body`` with ``[n]`` markers placed before its closing punctuation."""
    tags = "".join(f"[{n}]" for n in numbers)
    if not tags:
        return body
    m = re.search(r"([.!?]+[\"”’')]*)$", body)
    if m:
        return f"{body[: m.start()].rstrip()} {tags}{m.group(1)}"
    return f"{body} {tags}"


def _citation(number: int, ev: Evidence) -> Citation:
    return Citation(
        number=number,
        meta=ev.meta,
        quote=ev.text,
        start=ev.start,
        end=ev.end,
        also_reported_by=ev.also_reported_by,
    )
