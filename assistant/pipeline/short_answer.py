"""The direct answer inside a sentence that restates its question.

Asked "Which company, reported by TechCrunch to have ..., is accused by The Verge of ...?", a small
model writes "Google is accused by The Verge of ... [1]": the question's own words with the answer
put in. The answer is the part of the sentence the question did not already say. That gives two
things (each a rule of :data:`assistant.policy.RULES`, so an ablation measures it):

* ``short_span``: ``Answer.short`` (the direct answer a program or a benchmark reads) is that part,
  not the whole restated sentence;
* ``bare_answer``: when verification rejects the restated sentence (it repeats the question's
  several premises, which no one cited sentence holds) but the new part is a name or number that a
  source sentence contains, the answer is that name with the sentences that contain it.

General by construction: the question's words are the only vocabulary; nothing is listed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.language.question import asks_for_name
from assistant.types import Evidence
from index import content_terms, stopwords

MAX_SPAN_WORDS = 8  # longer "new parts" are clauses, not answers

# Clause breaks within one sentence (the caller passes a single sentence, so a full stop is not one:
# "U.S. Attorney General ..." stays whole).
_CLAUSE = re.compile(r"[,;:!?()\[\]\"“”]|\s[-–—]\s")
_TOKEN = re.compile(r"[\w’'&.-]*\w")
_CONNECTORS = frozenset({"of", "de", "the", "and", "&", "van", "von", "al", "la", "du", "der"})


def answer_span(question: str, sentence: str) -> str | None:
    """The first run of words in ``sentence`` that ``question`` does not contain, preferring a run
    that holds a name or a number, as it stands in the sentence ("U.S. Attorney General Merrick
    Garland"); None when there is none (or only clause-long ones)."""
    asked = set(content_terms(question))
    runs: list[list[re.Match[str]]] = []
    bounds = [0, *(m.end() for m in _CLAUSE.finditer(sentence)), len(sentence)]
    for lo, hi in zip(bounds, bounds[1:]):
        run: list[re.Match[str]] = []
        words = list(_TOKEN.finditer(sentence, lo, hi))
        for i, match in enumerate(words):
            word = match.group()
            if _new(word, asked):
                run.append(match)
                continue
            following = words[i + 1].group() if i + 1 < len(words) else ""
            inside_name = _named(run[-1].group()) and _named(following) if run else False
            if inside_name and word.lower() in _CONNECTORS and _new(following, asked):
                run.append(match)  # "Bank of America": a connector inside a name
                continue
            if run:
                runs.append(run)
            run = []
        if run:
            runs.append(run)
    runs = [r for r in runs if len(r) <= MAX_SPAN_WORDS]
    if not runs:
        return None
    named = [r for r in runs if any(_name_or_number_word(m.group()) for m in r)]
    run = (named or runs)[0]
    if _named(run[0].group()):  # a name ends where its capitalised words do: "Jo Park leads" -> "Jo Park"
        words_of = [m.group() for m in run]
        cut = next((i for i, w in enumerate(words_of) if not (_named(w) or w.lower() in _CONNECTORS)), len(run))
        run = run[:cut]
        while run and run[-1].group().lower() in _CONNECTORS:
            run = run[:-1]
    if not run:
        return None
    end = run[-1].end()
    if "." in run[-1].group() and sentence[end : end + 1] == ".":
        end += 1  # the full stop of an abbreviation ("U.S.")
    return sentence[run[0].start() : end]


def is_name_or_number(span: str) -> bool:
    """A span that is checkable against a source by its words: it holds a capitalised word or a
    digit (not a bare description such as "concerns")."""
    return any(_name_or_number_word(w) for w in span.split())


def direct_answer(question: str, sentence: str) -> str:
    """The direct answer in ``sentence``: for a question asking for a name ("Which company ...?",
    "Who ...?"), the first name or number the question did not already say; else the sentence."""
    if asks_for_name(question):
        span = answer_span(question, sentence)
        if span and is_name_or_number(span):
            return span
    return sentence


def _new(word: str, asked: set[str]) -> bool:
    if word.lower() in stopwords():
        return False
    terms = content_terms(word)
    return bool(terms) and not any(t in asked for t in terms)


def _named(word: str) -> bool:
    return word[:1].isupper()


def _name_or_number_word(word: str) -> bool:
    return _named(word) or any(c.isdigit() for c in word)


def bare_answer(
    question: str, sentence: str, cited: Sequence[int], evidence: Sequence[Evidence]
) -> tuple[str, list[int]] | None:
    """The name or number ``sentence`` gives as the answer to ``question`` (one asking for a name)
    and the evidence sentences that contain it, those the model cited first; None when there is
    no such name, or no source sentence holds it word for word."""
    if not asks_for_name(question):
        return None
    span = answer_span(question, sentence)
    if not span or not is_name_or_number(span):
        return None
    pattern = re.compile(rf"(?<!\w){re.escape(span)}(?!\w)", re.IGNORECASE)
    holding = [ev.number for ev in evidence if pattern.search(ev.text)]
    if not holding:
        return None
    first = [n for n in cited if n in holding]
    return span, (first or holding)[:2]
