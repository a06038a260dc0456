"""A follow-up's evidence starts with what its previous turn read, in that order (assistant.pipeline.carryover)."""

from __future__ import annotations

from pathlib import Path

from assistant import Assistant
from assistant.pipeline import Stages
from assistant.pipeline.carryover import RecentEvidence, carry_over, conversation_key
from assistant.prompt import render_evidence
from assistant.types import Evidence, SourcesFound, Turn
from index.types import ArticleMeta
from tests.conftest import seeded_bot


def ev(number: int, doc: str, start: int) -> Evidence:
    meta = ArticleMeta(doc, source=doc, title=f"Title {doc}", outlet="Outlet")
    return Evidence(number, meta, f"sentence {doc}{start}.", start, start + 12)


def places(evidence: list[Evidence]) -> list[tuple[str, int]]:
    return [(e.doc_id, e.start) for e in evidence]


def test_the_previous_turns_leading_sentences_come_first_in_their_order() -> None:
    previous = [ev(1, "a", 0), ev(2, "b", 40), ev(3, "a", 80)]
    current = [ev(1, "c", 0), ev(2, "b", 40), ev(3, "a", 0), ev(4, "d", 5)]
    ordered = carry_over(current, [(e.doc_id, e.start, e.end) for e in previous])
    assert places(ordered) == [("a", 0), ("b", 40), ("c", 0), ("d", 5)]
    assert [e.number for e in ordered] == [1, 2, 3, 4]
    # the shared sentences render exactly as the previous prompt began: the model's cached prefix
    assert render_evidence(ordered).startswith(render_evidence(previous[:2]))


def test_only_the_order_changes_and_a_break_in_the_run_stops_it() -> None:
    previous = [(doc, start, start + 12) for doc, start in [("a", 0), ("x", 9), ("b", 40)]]
    current = [ev(1, "b", 40), ev(2, "a", 0), ev(3, "c", 7)]
    ordered = carry_over(current, previous)
    assert places(ordered) == [("a", 0), ("b", 40), ("c", 7)]  # "x" is gone: the run ends after "a"
    assert sorted(places(ordered)) == sorted(places(current))
    assert carry_over(current, [("z", 1, 13)]) == current  # nothing shared: untouched
    assert carry_over(current, []) == current


def test_recent_turns_are_kept_by_conversation_and_bounded() -> None:
    recent = RecentEvidence(capacity=2)
    turns: list[Turn] = [{"role": "user", "content": "Who  met whom?"}, {"role": "assistant", "content": "X [1]."}]
    assert conversation_key(turns) == conversation_key([], "Who met whom?")
    recent.put(conversation_key([], "one"), [ev(1, "a", 0)])
    recent.put(conversation_key([], "two"), [ev(1, "b", 0)])
    assert recent.get(conversation_key([], "one")) == (("a", 0, 12),)  # and now the most recent
    recent.put(conversation_key([], "three"), [ev(1, "c", 0)])
    assert recent.get(conversation_key([], "two")) == ()
    assert recent.get(conversation_key([], "one")) and recent.get(conversation_key([], "three"))


def test_a_follow_up_through_the_read_path_starts_where_its_previous_turn_did(tmp_path: Path) -> None:
    bot = seeded_bot(tmp_path)
    own = bot.with_read_path(stages=Stages(order_evidence=lambda evidence, _previous: list(evidence)))
    first, follow = "What is the Chien Feng IV?", "When is it expected to begin flight tests?"

    def evidence(assistant: Assistant, question: str, history: list[Turn]) -> list[Evidence]:
        return next(e.evidence for e in assistant.stream(question, history) if isinstance(e, SourcesFound))

    before = evidence(bot, first, [])
    history: list[Turn] = [{"role": "user", "content": first}, {"role": "assistant", "content": "A drone [1]."}]
    after = evidence(bot, follow, history)
    unordered = evidence(own, follow, history)
    assert after == carry_over(unordered, [(e.doc_id, e.start, e.end) for e in before])
    assert places(after)[0] == places(before)[0]  # the two prompts share their first source line
    assert sorted(places(after)) == sorted(places(unordered))
