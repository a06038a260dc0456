"""Follow-up resolution: turn "What was he better known for?" into a standalone question.

An LLM rewrite would cost the local model seconds of prompt reading before retrieval even starts,
so this is done by rule, which is instant and predictable: a question that leans on the
conversation (a third-person pronoun, or a bare "and ...?"/"what about ...?") gets its pronoun
replaced by the entity the previous answer introduced (a proper name in the last answer that the
last question did not contain: the answer to "who did X meet?"), and its retrieval query carries
the previous question's words too. A place adverb ("Which country did Blinken urge China to
pressure there?") becomes "in <the place the previous answer named>".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.language.text import names
from assistant.types import Turn

_SUBJECT = re.compile(r"\b(he|she|they)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"\b(his|her|their)\b", re.IGNORECASE)
_OBJECT = re.compile(r"\b(him|them)\b", re.IGNORECASE)
_PERSON = re.compile(r"\b(he|she|him|his|her)\b", re.IGNORECASE)
_VAGUE = re.compile(r"^(and|what about|how about|and what about|what else|why|when|where)\b", re.IGNORECASE)
_DEMONSTRATIVE = re.compile(r"\b(that|this|those|these|it|there|the meeting|the talks)\b", re.IGNORECASE)
_MARKER = re.compile(r"\[\d+\]")
# "there" pointing back at a place, not the existential "there is / was there"
_THERE = re.compile(
    r"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )\bthere\b(?!\s+(?:is|are|was|were|be|been|has|have|had)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Resolved:
    question: str  # standalone question for the generator
    search_query: str  # what retrieval sees
    is_followup: bool


def resolve(question: str, history: Sequence[Turn]) -> Resolved:
    users = [t["content"] for t in history if t["role"] == "user"]
    if not users or not _leans_on_context(question):
        return Resolved(question, question, False)
    last_user = users[-1]
    answers = [t["content"] for t in history if t["role"] == "assistant"]
    last_answer = _MARKER.sub("", answers[-1]) if answers else ""
    focus = _focus_entity(last_user, last_answer, person=bool(_PERSON.search(question)))
    standalone = _substitute(question, focus) if focus else question
    search = f"{standalone} {last_user}"
    return Resolved(standalone, search, True)


def _leans_on_context(question: str) -> bool:
    q = question.strip()
    return bool(
        _SUBJECT.search(q) or _POSSESSIVE.search(q) or _OBJECT.search(q) or _VAGUE.match(q) or _THERE.search(q)
        or (_DEMONSTRATIVE.search(q) and len(q.split()) <= 8)
    )



def _focus_entity(last_question: str, last_answer: str, person: bool = False) -> str:
    """The name the last answer introduced; else the last question's main name. A name is new
    when its last word is ("Japanese Foreign Minister Yoko Kamikawa" answers "Which Japanese
    minister ...?"). For "he"/"she" a name of two or more words comes first: in "... tensions
    with China as he met Vice President Han Zheng" the person is not "China"."""
    asked = set(re.findall(r"\w+", last_question.lower()))
    new = [name for name in names(last_answer) if name.split()[-1].lower() not in asked]
    if person:
        new.sort(key=lambda name: len(name.split()) < 2)  # stable: otherwise in order of mention
    if new:
        return new[0]
    in_question = names(last_question)
    return in_question[0] if in_question else ""


def _substitute(question: str, entity: str) -> str:
    if _THERE.search(question):
        return _THERE.sub("in " + entity, question, count=1)
    if _SUBJECT.search(question):
        return _SUBJECT.sub(entity, question, count=1)
    if _POSSESSIVE.search(question):
        return _POSSESSIVE.sub(entity + "’s", question, count=1)
    if _OBJECT.search(question):
        return _OBJECT.sub(entity, question, count=1)
    return question
