"""Citation verification on hand-made evidence (mostly a fictional city-transit story, so the rules
are shown to generalise beyond the seed articles)."""

from __future__ import annotations

import pytest

from assistant.citations import Verified, normalize_markers, verify
from assistant.citations.sentences import answer_sentences
from assistant.language.lexicon import numbers_in
from assistant.prompt import REFUSAL_TEXT, is_refusal
from assistant.types import Evidence
from index.types import ArticleMeta

ARTICLE_A = "City unveils transit plan"
ARTICLE_B = "Council backs bus plan"


def ev(
    number: int, text: str, title: str = ARTICLE_A, outlet: str = "Metro Daily", published: str = "2024-03-02"
) -> Evidence:
    doc = "doc-a" if title == ARTICLE_A else "doc-b"
    start = 100 * number
    return Evidence(
        number=number,
        meta=ArticleMeta(
            doc, source=f"{doc}.txt", title=title, outlet=outlet, published=published, url=f"https://example.org/{doc}"
        ),
        text=text,
        start=start,
        end=start + len(text),
        also_reported_by=("Wire Service",) if number == 1 else (),
    )


EVIDENCE = [
    ev(1, "Mayor Ana Ruiz said the city will spend $40 million on new bus lanes next year."),
    ev(2, "About 70% of commuters in the region drive to work, according to a 2023 survey."),
    ev(
        3,
        "Council member Tom Becker called the plan “a long overdue step for public transit.”",
        ARTICLE_B,
        "City Herald",
        "2024-03-03",
    ),
    ev(4, "The council approved the budget by a vote of 7 to 2 on Tuesday.", ARTICLE_B, "City Herald", "2024-03-03"),
    ev(5, "Transit director Lena Park said construction would begin in June."),
]


def numbers(v: Verified) -> list[int]:
    return [c.number for c in v.citations]


def quotes(v: Verified) -> list[str]:
    return [c.quote for c in v.citations]


# ---- kept, renumbered, re-pointed, dropped ----------------------------------------------------


def test_correct_citation_is_kept_with_exact_quote_and_offsets() -> None:
    v = verify("Mayor Ana Ruiz said the city will spend $40 million on bus lanes [1].", EVIDENCE)
    assert not v.refused and v.flagged == []
    assert v.text == "Mayor Ana Ruiz said the city will spend $40 million on bus lanes [1]."
    (c,) = v.citations
    e = EVIDENCE[0]
    assert (c.number, c.quote, c.start, c.end, c.doc_id) == (1, e.text, e.start, e.end, e.doc_id)
    assert (c.title, c.outlet, c.published, c.source, c.url) == (e.title, e.outlet, e.published, e.source, e.url)
    assert c.also_reported_by == ("Wire Service",)


def test_markers_are_renumbered_in_order_of_first_appearance() -> None:
    answer = (
        "Construction begins in June, said transit director Lena Park [5]. The council approved the budget 7 to 2 [4]."
    )
    v = verify(answer, EVIDENCE)
    assert v.text == (
        "Construction begins in June, said transit director Lena Park [1]. The council approved the budget 7 to 2 [2]."
    )
    assert quotes(v) == [EVIDENCE[4].text, EVIDENCE[3].text]
    assert numbers(v) == [1, 2]


def test_wrong_marker_is_repointed_to_the_supporting_sentence() -> None:
    v = verify("The council approved the budget by a vote of 7 to 2 [1].", EVIDENCE)
    assert v.text == "The council approved the budget by a vote of 7 to 2 [1]."
    assert quotes(v) == [EVIDENCE[3].text]


def test_marker_to_a_missing_number_is_dropped_and_the_right_one_found() -> None:
    v = verify("Lena Park said construction would begin in June [9].", EVIDENCE)
    assert quotes(v) == [EVIDENCE[4].text]
    assert "[9]" not in v.text and v.text.endswith("[1].")


def test_irrelevant_extra_marker_is_dropped() -> None:
    v = verify("About 70% of commuters in the region drive to work [2][5].", EVIDENCE)
    assert v.text == "About 70% of commuters in the region drive to work [1]."
    assert quotes(v) == [EVIDENCE[1].text]


def test_sentence_that_needs_two_sources_cites_both() -> None:
    answer = "Mayor Ana Ruiz will spend $40 million on bus lanes, and the council approved the budget 7 to 2 [1]."
    v = verify(answer, EVIDENCE)
    assert sorted(quotes(v)) == sorted([EVIDENCE[0].text, EVIDENCE[3].text])
    assert v.flagged == []


def test_marker_inside_a_sentence_stays_in_place() -> None:
    answer = "Mayor Ana Ruiz will spend $40 million on bus lanes [1], and construction would begin in June [5]."
    v = verify(answer, EVIDENCE)
    assert v.text == (
        "Mayor Ana Ruiz will spend $40 million on bus lanes [1], and construction would begin in June [2]."
    )


def test_uncited_but_well_supported_sentence_gets_a_marker() -> None:
    v = verify("Transit director Lena Park said construction would begin in June.", EVIDENCE)
    assert v.text == "Transit director Lena Park said construction would begin in June [1]."
    assert quotes(v) == [EVIDENCE[4].text]


# ---- removed and flagged ----------------------------------------------------------------------


def test_unsupported_sentence_is_removed_and_flagged_but_supported_content_stays() -> None:
    answer = "The council approved the budget 7 to 2 [4]. The governor vetoed the plan in April [4]."
    v = verify(answer, EVIDENCE)
    assert v.text == "The council approved the budget 7 to 2 [1]."
    assert v.flagged == ["The governor vetoed the plan in April."]
    assert not v.refused


def test_uncited_invented_sentence_is_flagged() -> None:
    v = verify("Mayor Ana Ruiz spends $40 million on bus lanes [1]. Ridership doubled last winter.", EVIDENCE)
    assert v.flagged == ["Ridership doubled last winter."]
    assert len(v.citations) == 1


@pytest.mark.parametrize(
    "claim",
    [
        "About 80% of commuters in the region drive to work [2].",
        "About 70 commuters in the region drive to work [2].",
        "The council approved the budget by a vote of 6 to 3 [4].",
    ],
)
def test_numbers_must_match_the_cited_text(claim: str) -> None:
    v = verify(claim, EVIDENCE)
    assert v.refused and v.citations == [] and v.flagged == [claim.replace(" [2]", "").replace(" [4]", "")]


def test_percent_spelled_out_matches_a_percent_sign() -> None:
    v = verify("About 70 percent of commuters in the region drive to work [2].", EVIDENCE)
    assert quotes(v) == [EVIDENCE[1].text]


def test_year_from_the_article_date_counts_as_support() -> None:
    v = verify("In March 2024, the council approved the budget 7 to 2 [4].", EVIDENCE)
    assert quotes(v) == [EVIDENCE[3].text]


def test_quote_must_be_verbatim() -> None:
    bad = 'Tom Becker called the plan "a long awaited step for public transit" [3].'
    v = verify(bad, EVIDENCE)
    assert v.refused and v.flagged
    good = 'Tom Becker called the plan "a long overdue step for public transit" [3].'
    assert quotes(verify(good, EVIDENCE)) == [EVIDENCE[2].text]


def test_a_name_the_cited_text_never_mentions_is_not_supported() -> None:
    v = verify("Mayor Ana Ruiz and Governor Kim Lee agreed to spend $40 million on bus lanes [1].", EVIDENCE)
    assert v.refused and v.citations == []


def test_names_alone_do_not_support_a_claim() -> None:
    v = verify("Ana Ruiz and Lena Park resigned [1][5].", EVIDENCE)
    assert v.refused


def test_everything_unsupported_becomes_a_refusal() -> None:
    v = verify("The subway will be extended to the airport [1]. Fares will double [2].", EVIDENCE)
    assert v.refused and v.text == REFUSAL_TEXT and v.citations == []
    assert len(v.flagged) == 2


# ---- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        REFUSAL_TEXT,
        "[1] The articles do not say.",
        "The sources do not mention the airport.",
        "There is no information about fares in the provided sources.",
        "The articles do not say. However, fares will double next year [2].",
    ],
)
def test_refusal_has_no_citations(answer: str) -> None:
    v = verify(answer, EVIDENCE)
    assert v.refused and v.citations == []
    assert is_refusal(v.text)
    assert "fares will double" not in v.text


def test_empty_answer_is_a_refusal() -> None:
    assert verify("   ", EVIDENCE) == Verified(text=REFUSAL_TEXT, refused=True)


def test_refusal_caveat_after_a_supported_answer_is_kept() -> None:
    v = verify("Construction would begin in June [5]. The articles do not say when it ends.", EVIDENCE)
    assert not v.refused
    assert v.text == "Construction would begin in June [1]. The articles do not say when it ends."


@pytest.mark.parametrize(
    "text",
    [
        "The articles do not say.",
        "The provided sources don't mention Venezuela.",
        "None of the sources discuss this.",
        "This is not mentioned in the articles.",
        "I cannot answer that from the sources.",
        "The text does not contain any information about the vote.",
    ],
)
def test_is_refusal_recognises_paraphrases(text: str) -> None:
    assert is_refusal(text)


@pytest.mark.parametrize(
    "text",
    [
        "The council approved the budget 7 to 2.",
        "Becker said the city does not support new taxes.",
        "The mayor did not attend the vote [4].",
        "",
    ],
)
def test_is_refusal_rejects_ordinary_answers(text: str) -> None:
    assert not is_refusal(text)


# ---- marker formats, splitting, echoes --------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("x [1, 2].", "x [1][2]."),
        ("x [1][2].", "x [1][2]."),
        ("x 【1】.", "x [1]."),
        ("x 【1, 3】.", "x [1][3]."),
        ("x [Source 1].", "x [1]."),
        ("x [Sources 1 and 2].", "x [1][2]."),
        ("x (Source 2).", "x [2]."),
        ("x (1).", "x [1]."),
        ("x [1-3].", "x [1][2][3]."),
        ("x [^4].", "x [4]."),
        ("Source 2: x.", "[2] x."),
        ("(1) first, (2) second", "(1) first, (2) second"),
        ("x. [1], [3], [4]", "x. [1][3][4]"),
        ("x. [1] and [3]", "x. [1][3]"),
        ("x [1] and y [3].", "x [1] and y [3]."),
        ("x [1][1][2].", "x [1][2]."),
    ],
)
def test_marker_formats_are_normalised(raw: str, canonical: str) -> None:
    assert normalize_markers(raw) == canonical


@pytest.mark.parametrize(
    "answer",
    [
        "About 70% of commuters drive to work [Source 2].",
        "About 70% of commuters drive to work 【2】.",
        "About 70% of commuters drive to work (2).",
        "About 70% of commuters drive to work. [2]",
        "About 70% of commuters drive to work. [2], [2]",
        "[2] About 70% of commuters drive to work.",
        "Answer: About 70% of commuters drive to work [2].",
    ],
)
def test_every_format_ends_up_as_one_canonical_citation(answer: str) -> None:
    v = verify(answer, EVIDENCE)
    assert v.text == "About 70% of commuters drive to work [1]."
    assert quotes(v) == [EVIDENCE[1].text]


def test_leading_marker_style_lines_belong_to_the_following_sentence() -> None:
    answer = "[4] The council approved the budget 7 to 2.\n[5] Construction would begin in June."
    v = verify(answer, EVIDENCE)
    assert v.text == "The council approved the budget 7 to 2 [1].\nConstruction would begin in June [2]."
    assert quotes(v) == [EVIDENCE[3].text, EVIDENCE[4].text]


@pytest.mark.parametrize(
    "line",
    [
        "Blinken met Wang [1]. They spoke for an hour [2].",
        "Blinken met Wang. [1] They spoke for an hour. [2]",
        "Blinken met Wang.[1] They spoke for an hour.[2]",
        "[1] Blinken met Wang. [2] They spoke for an hour.",
    ],
)
def test_each_sentence_keeps_its_own_markers(line: str) -> None:
    split = [(s.body, s.markers) for s in answer_sentences(line)]
    assert split == [("Blinken met Wang.", [1]), ("They spoke for an hour.", [2])]


def test_abbreviations_and_initials_stay_inside_a_claim() -> None:
    line = "The No. 2 seed plays at 1 p.m. ET [1]. J.J. McCarthy leads Gov. Whitmer's team [2]."
    assert [(s.body, s.markers) for s in answer_sentences(line)] == [
        ("The No. 2 seed plays at 1 p.m. ET.", [1]),
        ("J.J. McCarthy leads Gov. Whitmer's team.", [2]),
    ]


def test_echoed_prompt_lines_and_source_metadata_are_stripped() -> None:
    answer = (
        "Question: When does construction begin?\n"
        '[5] (Metro Daily, 2024-03-02, "City unveils transit plan") Construction would begin in June.'
    )
    v = verify(answer, EVIDENCE)
    assert v.text == "Construction would begin in June [1]."


def test_repeated_sentence_is_kept_once() -> None:
    answer = "\n".join(f"[{n}] About 70% of commuters drive to work." for n in (2, 3, 4))
    v = verify(answer, EVIDENCE)
    assert v.text == "About 70% of commuters drive to work [1]."
    assert len(v.citations) == 1


def test_abbreviations_do_not_split_sentences() -> None:
    evidence = [ev(1, "U.S. officials said Mr. Becker met Dr. Park on Tuesday in Washington.")]
    v = verify("U.S. officials said Mr. Becker met Dr. Park on Tuesday [1].", evidence)
    assert v.text == "U.S. officials said Mr. Becker met Dr. Park on Tuesday [1]." and not v.flagged


def test_evidence_numbers_need_not_start_at_one() -> None:
    evidence = [ev(3, EVIDENCE[3].text, ARTICLE_B), ev(7, EVIDENCE[4].text)]
    v = verify("Construction would begin in June [7]. The budget passed 7 to 2 [3].", evidence)
    assert v.text == "Construction would begin in June [1]. The budget passed 7 to 2 [2]."
    assert numbers(v) == [1, 2]


def test_numbers_are_normalised() -> None:
    assert numbers_in("70 percent, 70 per cent and 1,000 people on the 27th; 2023-09-05") == {
        "70%",
        "1000",
        "27",
        "2023",
        "9",
        "5",
    }


def test_no_evidence_means_every_claim_is_flagged() -> None:
    v = verify("The council approved the budget [1].", [])
    assert v.refused and v.flagged == ["The council approved the budget."]


def test_echoed_question_is_not_a_claim() -> None:
    v = verify("When does construction begin? Construction would begin in June [5].", EVIDENCE)
    assert v.text == "Construction would begin in June [1]." and v.flagged == []


def test_filler_before_a_refusal_still_refuses() -> None:
    v = verify("Sure! The sources do not mention fares. Fares will double [2].", EVIDENCE)
    assert v.refused and v.text == "The sources do not mention fares." and v.citations == []


@pytest.mark.parametrize(
    ("answer", "refused"),
    [
        ("The council rejected the bus plan [1].", False),
        ("The council declined the bus plan [1].", False),  # a synonym of the source's verb
        ("Next year [1].", False),  # a bare answer in the source's own words
        ("Yes [1].", False),  # a cited verdict
        ("No.", True),  # an uncited one
    ],
)
def test_bare_answers_and_verdicts_in_the_sources_words(answer: str, refused: bool) -> None:
    evidence = [ev(1, "The council rejected the bus plan on Tuesday and will vote again next year.")]
    assert verify(answer, evidence).refused is refused


def test_a_nationality_matches_its_country() -> None:
    evidence = [ev(1, "About 4,000 people fled across the border into Cambodia on Monday.")]
    assert not verify("About 4,000 people fled across the Cambodian border [1].", evidence).refused
    assert verify("About 4,000 people fled across the Laotian border [1].", evidence).refused
    austria = [ev(1, "About 4,000 people fled across the border into Austria on Monday.")]
    assert verify("About 4,000 people fled across the Australian border [1].", austria).refused


def test_a_publisher_the_question_cites_need_not_be_in_the_sentence() -> None:
    evidence = [ev(1, "About 70% of commuters in the region drive to work, according to a 2023 survey.", outlet="")]
    answer = "About 70% of commuters drive to work, according to the Metro Daily [1]."
    assert verify(answer, evidence).refused  # the outlet is unknown: "Metro Daily" is unsupported
    assert not verify(answer, evidence, publishers=["Metro Daily"]).refused
    # only the publisher is excused, not other names
    assert verify(
        "About 70% of Boston commuters drive, according to the Metro Daily [1].", evidence, ["Metro Daily"]
    ).refused


# ---- names lent by an article's title (rule "sentence_names") ------------------------------------

ROUNDUP = "Lena Park backs a startup, Acme unveils a phone and Zeta tests a new tier"
FRAUD = "Prosecutors said Omar Hale committed fraud to gain wealth, power and influence."


def test_a_roundup_title_does_not_lend_its_names_to_a_sentence_about_someone_else() -> None:
    claim = "Lena Park committed fraud to gain wealth, power and influence [1]."
    evidence = [ev(1, FRAUD, ROUNDUP)]
    assert verify(claim, evidence).refused
    assert not verify(claim, evidence, off=frozenset({"sentence_names"})).refused  # the title counted before


def test_a_title_names_the_subject_of_a_sentence_that_names_no_one() -> None:
    evidence = [ev(1, "The company reported revenue of $12.9 billion for the quarter.", "Nike misses estimates")]
    v = verify("Nike reported revenue of $12.9 billion for the quarter [1].", evidence)
    assert not v.refused and numbers(v) == [1]


def test_a_title_sharing_a_name_with_its_sentence_lends_the_full_name() -> None:
    evidence = [ev(1, "Swift said the photographers will not stop her from living her life.", "Taylor Swift on fame")]
    assert not verify("Taylor Swift said photographers will not stop her from living her life [1].", evidence).refused
