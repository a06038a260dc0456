"""Is the question about something the articles mention? A check that needs no model.

A question names people, places and things ("What did Blinken say about Venezuela?"). When the
retrieved articles never mention one of those names, no answer can come from them: the assistant
refuses at once and says which name it could not find, without spending model time. After
generation the same check runs on the articles the answer cites: an answer about "Ned Price" from
an article that never mentions the "Han Zheng" the question asks about answers another question.

Names are compared as stemmed content words (``Blinken's`` ~ ``Blinken``), all words of a name
required, so "Secretary Blinken" matches "Secretary of State Antony Blinken". A country matches any
of its names, spellings and demonyms in the countryinfo data (``Cambodian`` ~ ``Cambodia``, ``Dutch``
~ ``the Netherlands``) and no other country (``Nigeria`` is not ``Niger``); another place its
adjective (``European`` ~ ``Europe``), see :func:`assistant.language.lexicon.word_known`. A name
the question gives as the publisher ("according to the AP", "the Reuters report") is not asked
about: plain-text articles often carry their outlet only in page chrome that cleaning removes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from assistant.language.lexicon import content_terms, word_known
from assistant.language.text import names

_Q = "['\"‘’“”]?"  # a publisher's name may be quoted: the 'TechCrunch' article
_PUBLISHER = re.compile(
    rf"\baccording to (?:the |an? )?{_Q}(?P<a>[A-Z][\w.&-]*(?: [A-Z][\w.&-]*)*)"
    rf"|\b(?:the |an? )?{_Q}(?P<b>[A-Z][\w.&-]*(?: [A-Z][\w.&-]*)*){_Q}(?:'s|’s)? "
    r"(?:story|report|reporting|article|piece|coverage)\b"
)


def publishers_cited(question: str, publishers: Iterable[str] = ()) -> list[str]:
    """The publishers a question cites ("the 'TechCrunch' article", "according to the AP"), after
    ``publishers`` (the collection's outlets it names)."""
    return [*publishers, *(m.group("a") or m.group("b") for m in _PUBLISHER.finditer(question))]


def question_names(question: str, publishers: Iterable[str] = ()) -> list[str]:
    """The names a question asks about, each once, in order: not the publishers it cites nor any
    of ``publishers`` (known outlets)."""
    outlets = [_terms(p) for p in publishers_cited(question, publishers) if _terms(p)]
    found = (re.sub(r"['’]s$", "", n.strip("'’\"”")) for n in names(question))
    return list(dict.fromkeys(n for n in found if _terms(n) and not any(_terms(n) <= o for o in outlets)))


def missing_names(question: str, texts: Iterable[str], publishers: Iterable[str] = ()) -> list[str]:
    """The question's names (see :func:`question_names`) that none of ``texts``, taken together,
    mentions."""
    return unmentioned(question_names(question, publishers), texts)


def unmentioned(wanted: Sequence[str], texts: Iterable[str]) -> list[str]:
    """The names of ``wanted`` that none of ``texts``, taken together, mentions."""
    if not wanted:
        return []
    have: set[str] = set()
    for text in texts:
        have |= _terms(text)
    return [name for name in wanted if not all(word_known(term, have) for term in _terms(name))]


@lru_cache(maxsize=512)
def _terms(text: str) -> frozenset[str]:
    return content_terms(text).all
