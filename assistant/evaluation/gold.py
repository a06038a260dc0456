"""The gold-set format: one question a JSON line, loaded and validated with line-numbered errors.

A line looks like::

    {"id": "q01", "question": "...", "history": ["an earlier user question"],
     "answerable": true, "must_include": [["Han Zheng"], ["70%", "70 percent"]],
     "sources": ["003_92f85167714ac0af.txt"], "answer": "reference answer", "type": "single"}

``history`` (optional) holds earlier user turns, replayed in the same conversation before the
question. Every ``must_include`` group must appear in the answer, any one of its alternatives,
case-insensitively. ``sources`` are the article file names (or doc ids) that support the answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

QUESTION_TYPES = (
    "single",
    "list",
    "numeric",
    "synthesis",
    "multihop",
    "attribution",
    "followup",
    "unanswerable",
    "false_premise",
)
REFUSAL_TYPES = frozenset({"unanswerable", "false_premise"})

_REQUIRED = ("id", "question", "answerable", "must_include", "sources", "answer", "type")
_OPTIONAL = ("history",)


class GoldFormatError(ValueError):
    """A gold file that does not follow the format; the message names the file and line."""


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    question: str
    answerable: bool
    must_include: tuple[tuple[str, ...], ...]
    sources: tuple[str, ...]
    answer: str
    type: str
    history: tuple[str, ...] = field(default=())
    line: int = 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "question": self.question}
        if self.history:
            out["history"] = list(self.history)
        out.update(
            answerable=self.answerable,
            must_include=[list(g) for g in self.must_include],
            sources=list(self.sources),
            answer=self.answer,
            type=self.type,
        )
        return out


def load_gold(path: Path) -> list[GoldQuestion]:
    """Read and validate a gold JSONL file; raise :class:`GoldFormatError` on the first bad line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise GoldFormatError(f"{path}: cannot read gold file ({err.strerror or err})") from err
    questions: list[GoldQuestion] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as err:
            raise GoldFormatError(f"{path}:{number}: not valid JSON ({err.msg})") from err
        try:
            question = parse_question(record, number)
        except ValueError as err:
            raise GoldFormatError(f"{path}:{number}: {err}") from err
        if question.id in seen:
            raise GoldFormatError(
                f"{path}:{number}: duplicate id {question.id!r} (first on line {seen[question.id]})"
            )
        seen[question.id] = number
        questions.append(question)
    if not questions:
        raise GoldFormatError(f"{path}: no questions")
    return questions


def parse_question(record: Any, line: int = 0) -> GoldQuestion:
    """One validated question from a decoded JSON line; ``ValueError`` says what is wrong."""
    if not isinstance(record, dict):
        raise ValueError("a line must be a JSON object")
    missing = [key for key in _REQUIRED if key not in record]
    if missing:
        raise ValueError(f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(record) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(unknown)}")
    qid = _text(record, "id")
    question = _text(record, "question")
    answer = record["answer"]
    if not isinstance(answer, str):
        raise ValueError("'answer' must be a string")
    kind = record["type"]
    if kind not in QUESTION_TYPES:
        raise ValueError(f"'type' is {kind!r}; expected one of {', '.join(QUESTION_TYPES)}")
    answerable = record["answerable"]
    if not isinstance(answerable, bool):
        raise ValueError("'answerable' must be true or false")
    if answerable == (kind in REFUSAL_TYPES):
        expected = "false" if kind in REFUSAL_TYPES else "true"
        raise ValueError(f"type {kind!r} needs 'answerable': {expected}")
    groups = _groups(record["must_include"])
    sources = _strings(record["sources"], "sources")
    if answerable and not groups:
        raise ValueError("an answerable question needs at least one 'must_include' group")
    if answerable and not sources:
        raise ValueError("an answerable question needs at least one gold source")
    history = _strings(record.get("history", []), "history")
    if kind == "followup" and not history:
        raise ValueError("a 'followup' question needs a non-empty 'history'")
    return GoldQuestion(
        id=qid,
        question=question,
        answerable=answerable,
        must_include=groups,
        sources=sources,
        answer=answer,
        type=kind,
        history=history,
        line=line,
    )


def _text(record: dict[str, Any], key: str) -> str:
    value = record[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key!r} must be a non-empty string")
    return value.strip()


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{key!r} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _groups(value: Any) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list):
        raise ValueError("'must_include' must be a list of groups (lists of alternatives)")
    groups = []
    for n, group in enumerate(value, start=1):
        if not isinstance(group, list) or not group:
            raise ValueError(f"'must_include' group {n} must be a non-empty list of strings")
        if not all(isinstance(alt, str) and alt.strip() for alt in group):
            raise ValueError(f"'must_include' group {n} has an empty or non-string alternative")
        groups.append(tuple(alt.strip() for alt in group))
    return tuple(groups)
