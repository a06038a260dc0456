"""The prompt's article letters and marker subjects turned into what a reader sees (outlets,
dates, titles), on a fictional two-outlet story."""

from __future__ import annotations

from assistant.citations import verify
from assistant.citations.articles import markers_as_subjects, name_articles
from assistant.pipeline.finish import Draft, finish
from assistant.policy import AnswerPolicy
from assistant.types import Citation, Evidence
from index.types import ArticleMeta


def ev(number: int, doc: str, text: str, outlet: str = "", published: str = "2024-05-02", title: str = "") -> Evidence:
    meta = ArticleMeta(doc, source=f"{doc}.txt", title=title or f"Harbor bridge report {doc}", outlet=outlet,
                       published=published)
    return Evidence(number=number, meta=meta, text=text, start=0, end=len(text))


EVIDENCE = [
    ev(1, "gazette", "The council put the bridge's cost at $42 million on Tuesday.", outlet="Harbor Gazette"),
    ev(2, "post", "The Valley Post was told the bridge will cost $45 million.", outlet="Valley Post"),
    ev(3, "gazette", "Construction is to start in the spring.", outlet="Harbor Gazette"),
]


def cite(number: int, evidence: Evidence) -> Citation:
    return Citation(number=number, meta=evidence.meta, quote=evidence.text, start=0, end=len(evidence.text))


def test_a_marker_used_as_a_subject_becomes_its_articles_letter_and_keeps_its_citation() -> None:
    raw = "No, they differ. [1] states that the bridge costs $42 million. [2] says it costs $45 million."
    assert markers_as_subjects(raw, EVIDENCE) == (
        "No, they differ. Article A states that the bridge costs $42 million [1]. "
        "Article B says it costs $45 million [2]."
    )


def test_markers_that_close_a_sentence_or_open_one_in_the_source_style_stay() -> None:
    for raw in ("The bridge costs $42 million. [1] and [3]", "[1] The council put the cost at $42 million.",
                "It costs $42 million [1]. Work starts in spring [3]."):
        assert markers_as_subjects(raw, EVIDENCE).replace("[1][3]", "[1] and [3]") == raw


def test_letters_become_outlets_and_a_shared_outlet_gets_its_date() -> None:
    evidence = [*EVIDENCE, ev(4, "gazette2", "An earlier estimate was $39 million.", outlet="Harbor Gazette",
                              published="2024-01-10")]
    text = "Article A says $42 million [1]. Article B says $45 million [2]. Article C said $39 million [3]."
    cited = [cite(1, evidence[0]), cite(2, evidence[1]), cite(3, evidence[3])]
    assert name_articles(text, cited, evidence) == (
        "The Harbor Gazette article of 2024-05-02 says $42 million [1]. The Valley Post article says $45 million [2]. "
        "The Harbor Gazette article of 2024-01-10 said $39 million [3]."
    )


def test_plural_possessive_and_untitled_outlets() -> None:
    cited = [cite(1, EVIDENCE[0]), cite(2, EVIDENCE[1])]
    assert name_articles("Both articles A and B give a cost [1][2].", cited, EVIDENCE) == (
        "Both the Harbor Gazette and Valley Post articles give a cost [1][2]."
    )
    assert name_articles("Article B's figure is higher [2].", cited, EVIDENCE) == (
        "The Valley Post article’s figure is higher [2]."
    )
    title = "Council approves the harbor bridge after a long debate"
    plain = [ev(1, "x", "The bridge costs $42 million.", title=title)]
    assert name_articles("Article A says so [1].", [cite(1, plain[0])], plain) == (
        "The article “Council approves the harbor bridge after…” says so [1]."
    )


def test_a_letter_the_sentence_does_not_cite_gives_way_to_the_article_it_cites() -> None:
    cited = [cite(1, EVIDENCE[1])]  # verification re-pointed the sentence to the Valley Post's
    assert name_articles("Article A puts it at $45 million [1].", cited, EVIDENCE) == (
        "The Valley Post article puts it at $45 million [1]."
    )


def test_what_is_not_one_of_the_prompts_letters_is_left_alone() -> None:
    text = "Article Z and Article I of the charter apply [1]."
    assert name_articles(text, [cite(1, EVIDENCE[0])], EVIDENCE) == text


def test_the_finished_answer_names_the_outlets_and_keeps_every_subject() -> None:
    raw = ("No, they give different costs. [1] states that the bridge will cost $42 million. "
           "[2] says the bridge will cost $45 million.")
    draft = Draft("Do the Harbor Gazette and the Valley Post give the same cost for the bridge?", True, EVIDENCE,
                  [], [], ["Harbor Gazette", "Valley Post"], None, raw, verdict="No")
    answer = finish(draft, AnswerPolicy(), verify)
    assert not answer.refused
    assert "The Harbor Gazette article states that the bridge will cost $42 million" in answer.text
    assert "The Valley Post article says the bridge will cost $45 million" in answer.text
    assert "article A" not in answer.text.lower() and ". states" not in answer.text


def test_two_markers_of_one_article_as_a_subject_take_a_singular_verb() -> None:
    assert markers_as_subjects("[1] and [3] both state that it costs $42 million.", EVIDENCE) == (
        "Article A states that it costs $42 million [1][3]."
    )
    for raw, singular in (("[1][3] say", "says"), ("[1][3] also are clear", "also is clear"),
                          ("[1][3] reported", "reported"), ("[1][3] discuss", "discusses"),
                          ("[1][3] both clearly imply", "clearly implies"), ("[1][3] would agree", "would agree"),
                          ("[1][3] imply", "implies"), ("[1][3] both reply", "replies")):
        assert markers_as_subjects(f"{raw} that it costs $42 million.", EVIDENCE).startswith(f"Article A {singular} ")
    # two articles keep the plural
    plural = markers_as_subjects("[1] and [2] both state a cost.", EVIDENCE)
    assert plural == "Articles A and B both state a cost [1][2]."


def test_an_outlet_whose_name_starts_with_the_gets_no_second_the() -> None:
    evidence = [ev(1, "g", "The bridge costs $42 million.", outlet="The Harbor Times"),
                ev(2, "p", "It costs $45 million.", outlet="Valley Post")]
    cited = [cite(1, evidence[0]), cite(2, evidence[1])]
    assert name_articles("The article A says $42 million [1].", cited, evidence) == (
        "The Harbor Times article says $42 million [1]."
    )
    assert name_articles("So do articles A and B [1][2].", cited, evidence) == (
        "So do The Harbor Times and Valley Post articles [1][2]."
    )
