"""Metrics, each a small pure function: key facts, refusals, citations, retrieval, latency,
and the MultiHop-RAG paper's retrieval and answer rules.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.evaluation.gold import GoldQuestion

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"', "„": '"',
                         "–": "-", "—": "-", "‑": "-", "\u00a0": " "})
_MARKERS = re.compile(r"\s*\[\d+(?:\s*[,;]?\s*\d+)*\]")
_PERCENT = re.compile(r"(\d)\s*(?:%|percent\b|per cent\b|pct\b)")
_SPACES = re.compile(r"\s+")


# --- key facts -----------------------------------------------------------------------------------


def strip_markers(text: str) -> str:
    """The answer text without inline citation markers like ``[1]`` or ``[2, 3]``."""
    return _MARKERS.sub("", text)


def normalise(text: str) -> str:
    """Lower case, straight quotes and hyphens, ``70 percent`` -> ``70%``, single spaces."""
    text = strip_markers(text).translate(_QUOTES).lower()
    text = _PERCENT.sub(r"\1%", text)
    return _SPACES.sub(" ", text).strip()


def contains(haystack: str, needle: str) -> bool:
    """``needle`` occurs in ``haystack`` (both normalised), not inside a longer word or number."""
    hay, pin = normalise(haystack), normalise(needle)
    if not pin:
        return False
    pattern = re.escape(pin)
    if pin[0].isalnum():
        pattern = r"(?<![\w])" + pattern
    if pin[-1].isalnum():
        pattern += r"(?![\w])"
    return re.search(pattern, hay) is not None


def missing_groups(answer: str, must_include: Sequence[Sequence[str]]) -> list[int]:
    """Indices of the ``must_include`` groups none of whose alternatives occurs in ``answer``."""
    return [i for i, group in enumerate(must_include) if not any(contains(answer, alt) for alt in group)]


def key_facts_correct(answer: str, must_include: Sequence[Sequence[str]], refused: bool) -> bool:
    """An answerable question is answered correctly when it is not refused and every group is found."""
    return not refused and bool(must_include) and not missing_groups(answer, must_include)


# --- citations and retrieval against gold articles ------------------------------------------------


@dataclass(frozen=True)
class SourceMatcher:
    """Decides whether an article (doc id + file name) is one of the gold articles.

    ``copies`` maps a doc id to the names (doc ids and file names) of every syndicated copy of the
    same story, so citing one copy of a gold story counts as citing the gold story.
    """

    copies: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def names(self, doc_id: str, source: str) -> frozenset[str]:
        return frozenset({doc_id, source}) | self.copies.get(doc_id, frozenset())

    def is_gold(self, doc_id: str, source: str, gold: Iterable[str]) -> bool:
        return not self.names(doc_id, source).isdisjoint(gold)

    def covered(self, gold: Iterable[str], cited: Iterable[tuple[str, str]]) -> set[str]:
        """The gold names reached by at least one cited (doc id, file name)."""
        gold_set = set(gold)
        reached: set[str] = set()
        for doc_id, source in cited:
            reached |= self.names(doc_id, source) & gold_set
        return reached


def citation_precision(
    cited: Sequence[tuple[str, str]], gold: Sequence[str], matcher: SourceMatcher
) -> float | None:
    """Share of the distinct cited articles that are gold; None when nothing is cited."""
    distinct = list(dict.fromkeys(cited))
    if not distinct:
        return None
    return sum(matcher.is_gold(d, s, gold) for d, s in distinct) / len(distinct)


def citation_recall(
    cited: Sequence[tuple[str, str]], gold: Sequence[str], matcher: SourceMatcher
) -> float | None:
    """Share of the gold articles cited (a syndicated copy stands for its twin); None without gold."""
    if not gold:
        return None
    return len(matcher.covered(gold, cited)) / len(set(gold))


def first_gold_rank(
    retrieved: Sequence[tuple[str, str]], gold: Sequence[str], matcher: SourceMatcher
) -> int | None:
    """1-based rank of the first retrieved (doc id, file name) that is a gold article."""
    for rank, (doc_id, source) in enumerate(retrieved, start=1):
        if matcher.is_gold(doc_id, source, gold):
            return rank
    return None


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None, k: int | None = None) -> float:
    if rank is None or (k is not None and rank > k):
        return 0.0
    return 1.0 / rank


# --- one gold question ---------------------------------------------------------------------------


def score_question(
    question: GoldQuestion,
    *,
    text: str,
    refused: bool,
    cited: Sequence[tuple[str, str]],
    retrieved: Sequence[tuple[str, str]] | None,
    matcher: SourceMatcher,
    k: int,
    answered: bool = True,
) -> dict[str, Any]:
    """The per-question scores shared by newsdesk and the baseline (None = does not apply)."""
    scores: dict[str, Any] = {}
    if answered:
        if question.answerable:
            scores["correct"] = key_facts_correct(text, question.must_include, refused)
            scores["missing"] = [list(question.must_include[i]) for i in missing_groups(text, question.must_include)]
            scores["false_refusal"] = refused
            if not refused:
                scores["citation_precision"] = citation_precision(cited, question.sources, matcher)
                scores["citation_recall"] = citation_recall(cited, question.sources, matcher)
        else:
            scores["correct"] = refused
    if question.answerable and retrieved is not None:
        rank = first_gold_rank(retrieved, question.sources, matcher)
        scores.update(rank=rank, hit1=hit_at(rank, 1), hit5=hit_at(rank, 5), hitk=hit_at(rank, k),
                      rr=reciprocal_rank(rank, k))
    return scores


# --- aggregation ---------------------------------------------------------------------------------


def mean(values: Iterable[float | None]) -> float | None:
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def percentile(values: Iterable[float | None], q: float) -> float | None:
    """The ``q``-th percentile (0-100) with linear interpolation, like ``numpy.percentile``."""
    data = sorted(float(v) for v in values if v is not None and not math.isnan(v))
    if not data:
        return None
    pos = (len(data) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


# --- MultiHop-RAG (Tang & Yang 2024), the paper's scripts' rules ---------------------------------


def _squash(text: str) -> str:
    return text.replace(" ", "").replace("\n", "")


@dataclass(frozen=True)
class MultihopRetrievalScore:
    hit4: float
    hit10: float
    rr10: float
    ap10: float


def multihop_retrieval_score(retrieved: Sequence[str], facts: Sequence[str]) -> MultihopRetrievalScore:
    """One query scored as ``retrieval_evaluate.py`` does.

    A retrieved chunk (top 10) is a hit when any gold fact, spaces and newlines removed, is a
    substring of it (same normalisation). MAP@10 adds, at each hit rank, the number of gold facts
    first found there divided by the rank, over ``min(len(facts), 10)``.
    """
    gold = [_squash(f) for f in facts]
    found: list[str] = []
    first: int | None = None
    hit4 = hit10 = False
    ap_sum = 0.0
    for rank, chunk in enumerate((_squash(c) for c in retrieved[:10]), start=1):
        if not any(g in chunk for g in gold):
            continue
        hit10 = True
        hit4 = hit4 or rank <= 4
        first = first or rank
        new = 0
        for g in gold:
            if g in chunk and g not in found:
                new += 1
                found.append(g)
        ap_sum += new / rank
    return MultihopRetrievalScore(
        hit4=float(hit4),
        hit10=float(hit10),
        rr10=1.0 / first if first else 0.0,
        ap10=ap_sum / min(len(gold), 10) if gold else 0.0,
    )


_PAPER_ANSWER = re.compile(r'The answer to the question is "(.*?)"')


def lenient_correct(prediction: str, gold: str) -> bool:
    """The paper's ``qa_evaluate.py`` rule: lower-cased, whitespace-split word sets intersect.

    Faithful to the script: no punctuation stripping ("Yes." does not match "Yes"); a model answer
    in the form ``The answer to the question is "X"`` is reduced to X first.
    """
    match = _PAPER_ANSWER.search(prediction)
    if match:
        prediction = match.group(1)
    return bool(set(prediction.lower().split()) & set(gold.lower().split()))


_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans("", "", string.punctuation)


def normalise_answer(text: str) -> str:
    """SQuAD-style answer normalisation: lower case, no punctuation, no articles, single spaces."""
    text = strip_markers(text).translate(_QUOTES).lower().translate(_PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(prediction: str, gold: str) -> bool:
    """Strict: the whole normalised answer equals the normalised gold answer."""
    return normalise_answer(prediction) == normalise_answer(gold)


_VERDICTS = {"yes": "no", "no": "yes"}


def strict_correct(prediction: str, gold: str) -> bool:
    """Strict answer accuracy: a normalised exact match; for a Yes/No gold answer, the right one
    and not both ("Yes, ..." counts, "Yes and no" does not)."""
    target = normalise_answer(gold)
    if target in _VERDICTS:
        words = normalise_answer(prediction).split()
        return bool(words) and words[0] == target and _VERDICTS[target] not in words
    return exact_match(prediction, gold)
