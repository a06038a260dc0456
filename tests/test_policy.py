"""The answer policy: every refusal decision, each with its reason code and plain message."""

from __future__ import annotations

import pytest

from assistant.citations import verify
from assistant.pipeline import Draft, finish, first_sentence, leading_verdict
from assistant.policy import RULES, AnswerPolicy, Judgement, Reason, Refusal
from assistant.question import is_closed
from assistant.types import Evidence

TEXT = "Acme's revenue rose 12% to $3 billion in the third quarter, Chief Executive Jo Park said."
EV = Evidence(
    number=1, doc_id="d1", text=TEXT, start=0, end=len(TEXT), title="Acme beats forecasts", outlet="Wire",
    published="2023-10-02", source="acme.txt",
)


def test_nothing_found() -> None:
    refusal = AnswerPolicy().before_generation(False, [])
    assert refusal is not None and refusal.code == Reason.NOTHING_FOUND


def test_a_name_no_article_mentions() -> None:
    refusal = AnswerPolicy().before_generation(True, ["Zorblax", "Quuxcorp"])
    assert refusal is not None and refusal.code == Reason.NAME_UNMENTIONED
    assert refusal.message == "The articles do not mention Zorblax or Quuxcorp."
    assert AnswerPolicy(disabled=frozenset({"names_before"})).before_generation(True, ["Zorblax"]) is None


def test_the_model_judges_the_sources_insufficient() -> None:
    policy = AnswerPolicy()
    refusal = policy.on_judgement(Judgement(p_answerable=0.2), closed=False)
    assert refusal is not None and refusal.code == Reason.SOURCES_INSUFFICIENT and "0.20" in refusal.detail
    assert policy.on_judgement(Judgement(p_answerable=0.7), closed=False) is None
    assert policy.on_judgement(Judgement(p_answerable=0.2), closed=True) is None  # a verdict answers it
    assert policy.on_judgement(None, closed=False) is None  # a backend without probabilities


def test_every_claim_fails_verification() -> None:
    draft = _draft("Acme's revenue fell 40% after the merger with Globex [1].")
    answer = finish(draft, AnswerPolicy())
    assert answer.refused and answer.refusal is not None and answer.refusal.code == Reason.CLAIMS_UNSUPPORTED
    assert answer.text == answer.refusal.message and answer.flagged


def test_a_refusal_in_the_models_own_words() -> None:
    answer = finish(_draft("The sources do not mention the merger."), AnswerPolicy())
    assert answer.refusal is not None and answer.refusal.code == Reason.SOURCES_INSUFFICIENT


def test_a_cited_article_that_misses_the_name_asked_about() -> None:
    draft = _draft("Revenue rose 12% to $3 billion [1].", wanted=["Globex"], cited=lambda ids: ["Acme rose"])
    answer = finish(draft, AnswerPolicy())
    assert answer.refusal is not None and answer.refusal.code == Reason.NAME_UNMENTIONED
    assert not finish(draft, AnswerPolicy(disabled=frozenset({"names_after"}))).refused


def test_a_supported_answer_is_not_refused_and_gives_its_direct_answer() -> None:
    answer = finish(_draft("Revenue rose 12% [1]. Jo Park announced it [1]."), AnswerPolicy())
    assert not answer.refused and answer.refusal is None
    assert answer.short == "Revenue rose 12% [1]." and answer.citations[0].quote == EV.text


def test_a_yes_no_question_answers_its_verdict_first() -> None:
    draft = _draft("Yes. Acme's revenue rose 12% [1].", closed=True, verdict="Yes")
    answer = finish(draft, AnswerPolicy())
    assert answer.text.startswith("Yes. ") and answer.verdict == "Yes" and answer.short == "Yes"
    no = finish(_draft("No.", closed=True, verdict="No"), AnswerPolicy())
    assert not no.refused and no.verdict == "No" and no.text.startswith("No")


def test_a_refusal_before_generation_is_kept() -> None:
    refusal = Refusal.of(Reason.NOTHING_FOUND)
    answer = finish(Draft("q", False, [], [], [], [], None, "", refusal=refusal), AnswerPolicy())
    assert answer.refused and answer.refusal == refusal and answer.text == refusal.message


def test_unknown_rules_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown rule"):
        AnswerPolicy(disabled=frozenset({"no_such_rule"}))
    assert len(set(RULES)) == len(RULES)


@pytest.mark.parametrize(
    ("question", "closed"),
    [
        ("Did both outlets report the fine?", True),
        ("Is the Verge article more positive than the TechCrunch one?", True),
        ("Between the May report and the June report, was there a change in tone?", True),
        ("According to Reuters, has the company paid the fine?", True),
        ("Which company was fined, according to both articles?", False),
        ("Who, according to the Guardian, scored the winner?", False),
        ("Considering the two reports, which player was injured?", False),
        ("Name the teams that qualified.", False),
        ("What did the minister say?", False),
    ],
)
def test_yes_no_questions_are_told_by_grammar(question: str, closed: bool) -> None:
    assert is_closed(question) is closed


def test_verdicts_and_first_sentences() -> None:
    assert leading_verdict("Yes, both did [1].") == "Yes" and leading_verdict("Nobody knows.") is None
    assert first_sentence("Google [1]. It was fined.") == "Google [1]."
    assert first_sentence("The U.S. fined it.") == "The U.S. fined it."


def _draft(raw: str, *, closed: bool = False, verdict: str | None = None, wanted: list[str] | None = None,
           cited=lambda ids: ["Acme Jo Park Globex"]) -> Draft:  # noqa: ANN001
    return Draft("q", closed, [EV], [], wanted or [], [], None, raw, verdict=verdict, cited_texts=cited)


def test_verify_switches() -> None:
    off = frozenset({"claim_numbers"})
    assert verify("Revenue rose 40% [1].", [EV]).refused
    assert not verify("Revenue rose 40% [1].", [EV], off=off).refused
