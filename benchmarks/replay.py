"""A generator that says again what the local model said in a recorded run (for the replays).

Everything after the model in the read path (the answer policy, citation verification, the short
answer) is deterministic; given the model's judgement and raw answer for a question, the rest of a
recorded run can be run again on today's code without the model: ``benchmarks/replay_multihop.py``
and ``benchmarks/replay_gold.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from assistant.policy import Judgement
from assistant.types import Evidence, Turn


class Replay:
    """Answers each question with what the model said on it: ``said`` maps a question to its
    recorded ``judgement`` (a dict, or None) and ``raw`` text."""

    name = "local"
    label = "replay of a recorded local-model run"

    def __init__(self, said: Mapping[str, Mapping[str, Any]]) -> None:
        self._said = said

    def judge(self, question: str, evidence: Sequence[Evidence], *, closed: bool) -> Judgement | None:
        said = self._said[question]
        # A run with a first read judged twice: the judgement on as many sentences as now.
        j = next((j for n, j in said.get("judged") or () if n == len(evidence)), said.get("judgement"))
        return Judgement(**j) if j else None

    def stream_answer(
        self, question: str, evidence: Sequence[Evidence], *, closed: bool = False, lead: str = ""
    ) -> Iterator[str]:
        said = self._said[question]
        raw = next((r for n, r in said.get("written") or () if n == len(evidence)), said.get("raw")) or ""
        if lead and not raw.startswith(lead):
            yield lead  # another verdict than the recorded one: it stands alone (as in the ablation)
        else:
            yield raw  # the recorded text, which opens with the verdict it was written after

    def stream(self, question: str, evidence: Sequence[Evidence], history: Sequence[Turn] = ()) -> Iterator[str]:
        return self.stream_answer(question, evidence)
