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


def test_a_follow_up_is_replayed_with_its_earlier_turns(bot: Assistant) -> None:
    from assistant.evaluation.gold import GoldQuestion
    from assistant.evaluation.gold_eval import ask_with_history
    from assistant.evaluation.harness import said_by_model
    from benchmarks.replay_gold import _said

    follow_up = GoldQuestion(id="f1", question="What did he say about Taiwan?", answerable=True, must_include=(),
                             sources=(), answer="", type="followup", history=("Who met Han Zheng in New York?",))
    asked = ask_with_history(bot.with_generator(Scripted()), follow_up, trace=True)  # type: ignore[arg-type]
    assert asked.answer is not None and len(asked.earlier) == 1
    record = {"id": "f1", "question": follow_up.question, "history": list(follow_up.history),
              "earlier": asked.earlier, **said_by_model(asked.answer)}
    said, replayable = _said([record])
    assert replayable == {"f1"} and record["asked"] in said
    again = ask_with_history(bot.with_generator(Replay(said)), follow_up).answer  # type: ignore[arg-type]
    assert again is not None and (again.text, again.refused) == (asked.answer.text, asked.answer.refused)
    assert [c.quote for c in again.citations] == [c.quote for c in asked.answer.citations]
