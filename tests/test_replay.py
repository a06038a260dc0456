"""The replay benchmarks (``benchmarks/replay_*.py``) give a recorded answer back exactly when
nothing after the model changed: a run recorded with one generator, replayed with
:class:`benchmarks.replay.Replay` over the same index, gives the same answers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assistant import Assistant
from assistant.evaluation.harness import plain
from assistant.policy import Judgement
from assistant.types import Evidence
from benchmarks.replay import Replay

QUESTIONS = [
    "What did Blinken say about fentanyl?",
    "Did Blinken meet Wang Yi?",
    "Who is the mayor of Atlantis?",
]


class Scripted:
    """A model with fixed judgements that answers from its first source, as a recorded run would."""

    name = "scripted"
    label = "scripted"

    def judge(self, question: str, evidence: Sequence[Evidence], *, closed: bool) -> Judgement:
        return Judgement(p_answerable=0.9, p_yes=0.7 if closed else None)

    def stream_answer(
        self, question: str, evidence: Sequence[Evidence], *, closed: bool = False, lead: str = ""
    ) -> Iterator[str]:
        yield f"{lead} " if lead else ""
        yield f"{evidence[0].text} [{evidence[0].number}]"

    def stream(self, question: str, evidence: Sequence[Evidence], history: Sequence[object] = ()) -> Iterator[str]:
        return self.stream_answer(question, evidence)


def test_a_replayed_run_gives_every_recorded_answer_back(bot: Assistant) -> None:
    recorded = {q: bot.with_generator(Scripted()).ask(q, trace=True) for q in QUESTIONS}  # type: ignore[arg-type]
    said = {q: {"raw": a.trace.get("raw"), "judgement": plain(a.trace.get("judgement"))} for q, a in recorded.items()}
    replay = bot.with_generator(Replay(said))  # type: ignore[arg-type]
    for q, before in recorded.items():
        after = replay.ask(q)
        assert (after.text, after.refused, after.verdict) == (before.text, before.refused, before.verdict)
        assert [c.quote for c in after.citations] == [c.quote for c in before.citations]


def test_a_changed_verdict_keeps_the_verdict_alone() -> None:
    said = {"Did it rain?": {"raw": "Yes, it rained [1].", "judgement": {"p_answerable": 0.9, "p_yes": 0.9}}}
    assert "".join(Replay(said).stream_answer("Did it rain?", [], closed=True, lead="No,")) == "No,"
    assert "".join(Replay(said).stream_answer("Did it rain?", [], closed=True, lead="Yes,")) == "Yes, it rained [1]."
