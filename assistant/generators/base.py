"""The one interface of the generation role, and conveniences built on it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

from assistant.types import Evidence, Turn

BACKENDS = ("local", "openai", "extractive")
# Yielded last when the answer reached ``Config.max_answer_tokens`` mid-sentence: the reader of the
# stream sees that it was cut, and :func:`assistant.pipeline.finish.finish` drops the unfinished
# sentence instead of verifying and showing a fragment ("He'll both [2]").
CUT = "…"


@runtime_checkable
class Generator(Protocol):
    """Streams an answer with inline markers ``[n]`` that refer to ``Evidence.number``.

    ``question`` is already standalone (follow-ups resolved); ``history`` is context only.
    """

    name: str  # "local" | "openai" | "extractive"
    label: str  # shown to users

    def stream(self, question: str, evidence: Sequence[Evidence], history: Sequence[Turn]) -> Iterator[str]: ...


def generate(
    generator: Generator,
    question: str,
    evidence: Sequence[Evidence],
    history: Sequence[Turn] = (),
) -> str:
    """The whole answer text at once, built on :meth:`Generator.stream`."""
    return "".join(generator.stream(question, evidence, history))
