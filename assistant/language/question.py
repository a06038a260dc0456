"""The form of a question: closed (yes/no) or open, read from English grammar, not from examples.

A yes/no question inverts its auxiliary verb ("Did the AP report ...?", "Is ...?"). It may open
with a framing phrase ("Between the May and the June reports, was there ...?", "According to
Reuters, did ...?"): then the clause after the first comma that starts with an auxiliary or a
question word decides. A question word first ("Which company ...?", "Who ...?") or an imperative
("Name ...", "List ...") makes it open. An open question asks for an explanation when it asks
"why" or "how" followed by an auxiliary ("How is ... better?", not "How many ...?").
"""

from __future__ import annotations

import re

_AUXILIARIES = frozenset(
    "am is are was were do does did has have had can could will would shall should may might must".split()
)
_WH = frozenset("who whom whose what which where when why how".split())
_WORD = re.compile(r"[A-Za-z']+")


def is_closed(question: str) -> bool:
    """True for a yes/no question ("Did both outlets report ...?")."""
    for clause in [question, *question.split(",")[1:]]:
        words = _WORD.findall(clause)
        if not words:
            continue
        first = words[0].lower()
        if first in _AUXILIARIES:
            # "Is it true that ...", "Did ..." and not "was the report ..." inside a framing phrase:
            # a clause that opens with an auxiliary right after a comma is the question's own clause.
            return clause is question or _clause_starts(clause)
        if first in _WH:
            return False
    return False


def _clause_starts(clause: str) -> bool:
    """The clause after a comma is a question of its own (auxiliary, then a subject)."""
    words = _WORD.findall(clause)
    return len(words) >= 3


def asks_for_name(question: str) -> bool:
    """True when the question asks for a named thing: it opens (or its clause after a framing
    comma opens) with "who"/"whom"/"whose", or "which"/"what" followed by a noun ("Which company
    ...?", "What entity ...?"), not by a verb ("What did ... say?")."""
    words = _asking_clause(question)
    if words[:1] and words[0] in ("who", "whom", "whose", "which"):
        return True
    if words[:1] == ["what"]:  # "What company ...", not "What did ..." or "What happened ..."
        return len(words) > 1 and words[1] not in _AUXILIARIES and not words[1].endswith("ed")
    return False


def asks_to_explain(question: str) -> bool:
    """True when the question asks for reasons or a manner, which take several facts: it opens
    (or its clause after a framing comma opens) with "why", or "how" and then an auxiliary verb
    ("How is the new screen better ...?", "How did sales do?"); "How many / much / long ...?" asks
    for one figure."""
    words = _asking_clause(question)
    if words[:1] == ["why"]:
        return True
    return words[:1] == ["how"] and len(words) > 1 and words[1] in _AUXILIARIES


def _asking_clause(question: str) -> list[str]:
    """The lower-cased words of the clause that asks: the question, or its first clause after a
    framing comma, that opens with a question word or an auxiliary; [] when none does."""
    for clause in [question, *question.split(",")[1:]]:
        words = [w.lower() for w in _WORD.findall(clause)]
        if words and (words[0] in _WH or words[0] in _AUXILIARIES):
            return words
    return []
