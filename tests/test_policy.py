"""The answer policy: every refusal decision, each with its reason code and plain message."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.citations import verify
from assistant.language.question import asks_for_name, asks_to_explain, is_closed
from assistant.pipeline.finish import Draft, ablate, finish, first_sentence, leading_verdict
from assistant.policy import RULES, UNADDRESSED_TEXT, AnswerPolicy, Judgement, Reason, Refusal
from assistant.types import Evidence
from index.types import ArticleMeta

TEXT = "Acme's revenue rose 12% to $3 billion in the third quarter, Chief Executive Jo Park said."
EV = Evidence(
    number=1, text=TEXT, start=0, end=len(TEXT),
    meta=ArticleMeta("d1", source="acme.txt", title="Acme beats forecasts", outlet="Wire", published="2023-10-02"),
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
    assert answer.short == "Revenue rose 12%." and answer.citations[0].quote == EV.text  # no markers


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


def test_a_sentence_the_token_limit_cut_short_is_dropped_before_verification() -> None:
    from assistant.generators.base import CUT
    from assistant.pipeline.finish import without_cut

    assert without_cut(f"It rose 12% [1]. Chief Executive Jo Park said the{CUT}") == "It rose 12% [1]."
    assert without_cut(f"Cybersecurity [1]\nPersuasion [2]\nModel auto{CUT}") == "Cybersecurity [1]\nPersuasion [2]"
    assert without_cut(f"It rose 12% [1]. The U.S. unit{CUT}") == "It rose 12% [1]."
    assert without_cut(f"Acme's revenue rose{CUT}") == "Acme's revenue rose"  # nothing before it: verification decides
    assert without_cut("It rose 12% [1]. So it did") == "It rose 12% [1]. So it did"  # not cut: left alone
    answer = finish(_draft(f"Acme's revenue rose 12% [1]. Jo Park said the bridge{CUT}"), AnswerPolicy())
    assert not answer.refused and "bridge" not in answer.text and answer.flagged == []


def _draft(raw: str, *, closed: bool = False, verdict: str | None = None, wanted: list[str] | None = None,
           cited=lambda ids: ["Acme Jo Park Globex"], question: str = "q") -> Draft:  # noqa: ANN001
    return Draft(question, closed, [EV], [], wanted or [], [], None, raw, verdict=verdict, cited_texts=cited)


ASKS_NAME = "Which executive, quoted by Wire on the quarter, leads the company whose revenue rose to $3 billion?"


def test_the_direct_answer_to_a_which_question_is_the_name_the_answer_adds() -> None:
    raw = "Jo Park leads the company whose revenue rose 12% to $3 billion [1]."
    answer = finish(_draft(raw, question=ASKS_NAME), AnswerPolicy())
    assert not answer.refused and answer.short == "Jo Park"
    off = finish(_draft(raw, question=ASKS_NAME), AnswerPolicy(disabled=frozenset({"short_span"})))
    assert off.short == "Jo Park leads the company whose revenue rose 12% to $3 billion."
    # Not a question asking for a name: the first sentence is the direct answer.
    other = finish(_draft(raw, question="What happened to revenue?"), AnswerPolicy())
    assert other.short == off.short


def test_a_name_answer_stands_when_its_restated_premises_fail_verification() -> None:
    # The restatement claims a merger no source mentions; the name itself is in source [1].
    raw = "Jo Park, quoted by Wire, leads the company that completed its merger with Globex in 2021 [1]."
    answer = finish(_draft(raw, question=ASKS_NAME), AnswerPolicy())
    assert not answer.refused and answer.text == "Jo Park [1]." and answer.short == "Jo Park"
    assert answer.citations[0].quote == EV.text and raw.rstrip(" [1].") in " ".join(answer.flagged)
    off = finish(_draft(raw, question=ASKS_NAME), AnswerPolicy(disabled=frozenset({"bare_answer"})))
    assert off.refusal is not None and off.refusal.code == Reason.CLAIMS_UNSUPPORTED
    # A name no source sentence holds is not an answer: refused as before.
    invented = finish(_draft("Ann Lee completed the merger with Globex in 2021 [1].", question=ASKS_NAME),
                      AnswerPolicy())
    assert invented.refusal is not None and invented.refusal.code == Reason.CLAIMS_UNSUPPORTED


def test_the_verdict_is_the_models_own_choice_unless_a_bar_is_set() -> None:
    assert AnswerPolicy().verdict(Judgement(p_yes=0.85)) == "Yes"
    assert AnswerPolicy().verdict(Judgement(p_yes=0.3)) == "No"
    assert AnswerPolicy(yes_min=0.9).verdict(Judgement(p_yes=0.85)) == "No"
    assert AnswerPolicy().verdict(Judgement(p_answerable=0.7)) is None
    # The bar is a rule like the others: switched off, the verdict is the model's own choice.
    assert AnswerPolicy(yes_min=0.9, disabled=frozenset({"yes_bar"})).verdict(Judgement(p_yes=0.85)) == "Yes"


def test_the_ablation_replays_the_verdict_at_the_models_own_bar() -> None:
    raw = "No, the sources do not say revenue fell [1]."
    judgement = Judgement(p_answerable=0.9, p_yes=0.7)
    draft = replace(_draft(raw, closed=True, verdict="No", question="Did Acme's revenue fall?"), judgement=judgement)
    policy = AnswerPolicy(yes_min=0.8)
    assert finish(draft, policy).verdict == "No"
    varied = ablate(draft, policy, verify, [])
    # Without the bar the verdict is "Yes"; the why written after "No" is not reused.
    assert varied["yes_bar"]["short"] == "Yes" and varied["yes_bar"]["text"].startswith("Yes")
    assert "fall" not in varied["yes_bar"]["text"]
    assert varied["short_span"]["short"] == "No"  # other rules keep the run's own verdict


def test_verify_switches() -> None:
    off = frozenset({"claim_numbers"})
    assert verify("Revenue rose 40% [1].", [EV]).refused
    assert not verify("Revenue rose 40% [1].", [EV], off=off).refused


@pytest.mark.parametrize("question, asks", [
    ("Which company, reported by TechCrunch and The Verge, was fined?", True),
    ("Who is the individual the articles describe?", True),
    ("What entity, discussed in both articles, lost money?", True),
    ("According to the AP, which team won the final?", True),
    ("What did the minister say about Russia?", False),
    ("What happened to revenue?", False),
    ("How many people died?", False),
    ("Did Acme win the contract?", False),
])
def test_questions_asking_for_a_name_are_told_by_grammar(question: str, asks: bool) -> None:
    assert asks_for_name(question) is asks


@pytest.mark.parametrize("question, explains", [
    ("Why did the council delay the vote?", True),
    ("How has the city changed its parking rules?", True),
    ("According to the Herald, why were the trains late?", True),
    ("How many seats did the party win?", False),
    ("How long will the bridge stay closed?", False),
    ("What did the mayor say about buses?", False),
    ("Did the mayor explain why fares rose?", False),
])
def test_questions_asking_for_reasons_are_told_by_grammar(question: str, explains: bool) -> None:
    assert asks_to_explain(question) is explains


def test_an_abbreviation_is_not_cut_into_a_one_letter_answer() -> None:
    from assistant.pipeline.short_answer import answer_span

    question = "Which official said that breaking the law with new technology makes you a criminal?"
    sentence = ("U.S. Attorney General Merrick Garland said that breaking the law with new technology "
                "makes you a criminal.")
    assert answer_span(question, sentence) == "U.S. Attorney General Merrick Garland"


def test_a_yes_no_question_its_sources_do_not_address_is_answered_no() -> None:
    policy = AnswerPolicy()
    assert policy.unaddressed(Judgement(p_answerable=0.2, p_yes=0.9))
    assert not policy.unaddressed(Judgement(p_answerable=0.7, p_yes=0.9))
    assert not policy.unaddressed(Judgement(p_yes=0.9))  # a backend that gives only its verdict
    assert not policy.unaddressed(None)
    assert not AnswerPolicy(disabled=frozenset({"model_decision"})).unaddressed(Judgement(p_answerable=0.2))
    # not a refusal: a yes/no question's "No" is an answer (the policy refuses open questions only)
    assert policy.on_judgement(Judgement(p_answerable=0.2, p_yes=0.9), closed=True) is None
    draft = replace(_draft("Yes, Acme's revenue rose [1].", closed=True, verdict="Yes"), unaddressed=True)
    answer = finish(draft, policy)
    assert answer.text == UNADDRESSED_TEXT and answer.verdict == answer.short == "No"
    assert not answer.refused and not answer.citations
    assert answer.flagged == ["Yes, Acme's revenue rose [1]."]  # the model's own why, set aside


def test_the_rest_of_the_evidence_is_read_when_the_head_would_refuse_or_say_no() -> None:
    policy = AnswerPolicy(yes_min=0.8)
    assert policy.reads_more(Judgement(p_answerable=0.3), closed=False)
    assert not policy.reads_more(Judgement(p_answerable=0.7), closed=False)
    assert policy.reads_more(Judgement(p_answerable=0.3, p_yes=0.9), closed=True)  # unaddressed
    assert policy.reads_more(Judgement(p_answerable=0.9, p_yes=0.6), closed=True)  # "No"
    assert not policy.reads_more(Judgement(p_answerable=0.9, p_yes=0.9), closed=True)
    assert not policy.reads_more(None, closed=False)
