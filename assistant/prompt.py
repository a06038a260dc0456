"""The project's own short prompt, and recognition of a refusal.

A small local model reads ~90 prompt tokens/s, so the prompt is the latency budget: evidence is
rendered one line per sentence, and the instructions stay under ~150 tokens. The rules sit in the
system message; the instruction to cite sits at the *end* of the user message, where a 1.5B model
follows it most reliably.

Two ways to refuse. A capable model gets the refusal rule in its system message
(``allow_refusal=True``). The local 1.5B model refuses 30 % of answerable questions when told it
may, so it is asked instead, in a separate turn sharing the whole prompt but its last line, whether
the sources answer the question (:func:`decision_messages`): the YES/NO is read from the next-token
probabilities, and the answer is then written without the option to refuse.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.language.question import asks_to_explain
from assistant.policy import REFUSAL_TEXT
from assistant.types import Evidence, Turn

__all__ = [
    "REFUSAL_TEXT", "article_letters", "build_messages", "chatml", "decision_messages", "is_refusal", "render_evidence",
]

_RULES = (
    "You answer questions about news articles using only the numbered sources. "
    "Attribute quotes to the speaker the source names, not the reporter. "
    "If sources describe different meetings or dates, say which one each fact is from."
)
SYSTEM_PROMPT = (
    f"{_RULES} If the sources do not answer the question, or its premise is false, write only: {REFUSAL_TEXT}"
)
ANSWER_SYSTEM_PROMPT = _RULES  # for a generator that decided answerability beforehand
DECISION = "Do the sources answer this question? Reply YES or NO."

# Last in the user message: a 1.5B model cites reliably only when told so right before answering.
# (Measured: moving the refusal rule here too made it refuse answerable questions.)
INSTRUCTIONS = (
    "Answer in 1-3 short sentences, the first giving only the answer itself (a name, number or short "
    "phrase). End each sentence with the number of the source it comes from, like [1]."
)
# A why / how question (:func:`assistant.language.question.asks_to_explain`) takes several facts,
# which the short-answer instruction above cut to the one first found (news gold set, synthesis
# questions: one sentence, one source each).
EXPLAIN_INSTRUCTIONS = (
    "Answer in 2-3 short sentences, each giving a different reason or detail from the sources. "
    "End each sentence with the number of the source it comes from, like [1]."
)
# A yes/no question: the verdict first, then why, saying which article says what.
CLOSED_INSTRUCTIONS = (
    "Answer Yes or No first, then say why in 1-2 short sentences, naming which article says what. "
    "End each sentence with the number of the source it comes from, like [1]."
)

_HISTORY_TURNS = 2
_HISTORY_CHARS = 200
_TITLE_WORDS = 10


def render_evidence(evidence: Sequence[Evidence]) -> str:
    """One compact line per sentence: ``[n] (article A, Outlet, date, "Title") sentence`` the first
    time an article appears, ``[n] (article A) sentence`` after that (every prompt token costs the
    local model ~10 ms). The letter keeps sentences of one article, and so of one event, together."""
    lines: list[str] = []
    letters = article_letters(evidence)
    seen: set[str] = set()
    for ev in evidence:
        first = ev.doc_id not in seen
        seen.add(ev.doc_id)
        label = ", ".join([f"article {letters[ev.doc_id]}", *(_provenance(ev) if first else [])])
        lines.append(f"[{ev.number}] ({label}) {_one_line(ev.text)}")
    return "\n".join(lines)


def article_letters(evidence: Sequence[Evidence]) -> dict[str, str]:
    """doc_id -> the letter the prompt calls its article by ("A", "B", ...), in order of first
    appearance (:func:`assistant.citations.articles.name_articles` turns them back into outlets)."""
    letters: dict[str, str] = {}
    for ev in evidence:
        if ev.doc_id not in letters:
            i = len(letters)
            letters[ev.doc_id] = chr(ord("A") + i) if i < 26 else f"A{i}"
    return letters


def build_messages(
    question: str,
    evidence: Sequence[Evidence],
    history: Sequence[Turn] = (),
    *,
    allow_refusal: bool = True,
    closed: bool = False,
) -> list[dict[str, str]]:
    """The chat messages (system + user) for one answer; with ``allow_refusal=False`` the model
    is not offered the refusal (the caller decided that the sources answer the question); a
    ``closed`` (yes/no) question is answered Yes or No first."""
    return _messages(question, evidence, history, allow_refusal, _instructions(question, closed))


def _instructions(question: str, closed: bool) -> str:
    if closed:
        return CLOSED_INSTRUCTIONS
    return EXPLAIN_INSTRUCTIONS if asks_to_explain(question) else INSTRUCTIONS


def chatml(messages: Sequence[dict[str, str]], lead: str = "") -> str:
    """``messages`` in the ChatML layout of Qwen2.5's own chat template, the assistant's turn
    opened and started with ``lead``: one prompt string for every call, so the model server's
    prompt cache reuses the sources read for the decision when it writes the answer."""
    turns = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return f"{turns}<|im_start|>assistant\n{lead}"


def decision_messages(
    question: str, evidence: Sequence[Evidence], history: Sequence[Turn] = ()
) -> list[dict[str, str]]:
    """The messages asking whether the sources answer ``question`` (reply YES or NO). Everything
    up to the last line is the answer prompt of ``allow_refusal=False``, so a model server that
    reuses a cached prompt prefix reads the sources once for both."""
    return _messages(question, evidence, history, False, DECISION)


def _messages(
    question: str, evidence: Sequence[Evidence], history: Sequence[Turn], allow_refusal: bool, last: str
) -> list[dict[str, str]]:
    parts = ["Sources:\n" + (render_evidence(evidence) if evidence else "(none)")]
    recent = _render_history(history)
    if recent:
        parts.append("Earlier conversation:\n" + recent)
    parts.append(f"Question: {question.strip()}")
    parts.append(last)
    return [
        {"role": "system", "content": SYSTEM_PROMPT if allow_refusal else ANSWER_SYSTEM_PROMPT},
        {"role": "user", "content": "\n\n".join(parts)},
    ]


def _provenance(ev: Evidence) -> list[str]:
    bits = [b for b in (ev.outlet, ev.published) if b]
    if ev.title:
        words = ev.title.split()
        bits.append('"' + " ".join(words[:_TITLE_WORDS]) + ("…" if len(words) > _TITLE_WORDS else "") + '"')
    return bits


def _render_history(history: Sequence[Turn]) -> str:
    lines = []
    for turn in list(history)[-_HISTORY_TURNS:]:
        text = _MARKER_RE.sub("", _one_line(turn["content"])).strip()
        if len(text) > _HISTORY_CHARS:
            text = text[:_HISTORY_CHARS].rsplit(" ", 1)[0] + " …"
        who = "User" if turn["role"] == "user" else "Assistant"
        lines.append(f"{who}: {text}")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


_MARKER_RE = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")

_SOURCES = (
    r"(?:articles?|sources?|texts?|context|passages?|documents?|evidence|reports?|"
    r"information provided|provided information)"
)
_VERBS = (
    r"(?:say|state|contain|mention|include|provide|specify|discuss|address|describe|report|"
    r"indicate|give|cover|answer|tell|explain|reveal|detail)s?"
)
_REFUSAL_PATTERNS = [
    re.escape(REFUSAL_TEXT.rstrip(".").lower()),
    rf"\b{_SOURCES}\b[^.]{{0,40}}\b(?:do|does|did)\s*(?:not|n't)\s+{_VERBS}\b",
    rf"\b{_SOURCES}\b[^.]{{0,40}}\b(?:contain|include|provide|give|make)s?\s+no\b",
    rf"\b(?:not|never|isn't|aren't|wasn't|weren't)\s+(?:mentioned|stated|specified|provided|"
    rf"discussed|described|reported|given|covered|addressed|included)\s+(?:in|by)\s+(?:the\s+)?{_SOURCES}\b",
    r"\bno (?:relevant |specific |such )?(?:information|mention|details?)\b",
    r"\b(?:not enough|insufficient) (?:information|evidence|context)\b",
    r"\b(?:cannot|can't|can not|unable to) (?:answer|determine|tell|find|say)\b",
    r"\bi (?:do not|don't) know\b",
    r"\b(?:none|neither) of the " + _SOURCES + r"\b",
    r"^(?:it is |this is )?not (?:mentioned|stated|specified|known)\b",
]
_REFUSAL_RE = re.compile("|".join(f"(?:{p})" for p in _REFUSAL_PATTERNS), re.IGNORECASE)


def is_refusal(text: str) -> bool:
    """True when ``text`` says the sources do not answer (the refusal phrase or a paraphrase)."""
    plain = " ".join(text.replace("’", "'").split()).strip().lower()
    if not plain:
        return False
    return _REFUSAL_RE.search(plain) is not None
