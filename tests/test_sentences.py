"""Sentence spans: exact offsets, paragraph breaks, and Punkt's false splits glued back."""

from __future__ import annotations

import pytest

from index.sentences import sentence_spans, sentences


def test_offsets_are_exact_and_paragraphs_split() -> None:
    text = "Headline without a period\nThe mayor spoke. She left early.\n\n  Last line.  "
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "Headline without a period",
        "The mayor spoke.",
        "She left early.",
        "Last line.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Relations are strained over Xinjiang and Taiwan. , and the management of the pandemic.",
        "Visits by U.S. congressional delegations resumed.",
        "The plan covers buses and trams. ; trains come later.",
    ],
)
def test_a_piece_that_continues_a_clause_is_not_a_sentence(text: str) -> None:
    assert sentences(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "U.S. officials said Mr. Becker met Dr. Park on Tuesday.",
        "The game starts at 1 p.m. ET on Sunday.",
        "Rams vs. Commanders is the late game.",
        "The No. 2 seed lost to Gov. Newsom's home team.",
        "Super Mario Bros. Wonder sold well.",
        "It has thrust the Wolverines, a team led by J.J. McCarthy, into a villain role.",
    ],
)
def test_the_trained_model_keeps_abbreviations_and_initials_inside_a_sentence(text: str) -> None:
    assert [text[a:b] for a, b in sentence_spans(text, trained=True)] == [text]


def test_the_trained_model_still_ends_sentences() -> None:
    text = "Blinken met Wang on Friday. They did not agree! Will they meet again? Nobody knows."
    assert [text[a:b] for a, b in sentence_spans(text, trained=True)] == [
        "Blinken met Wang on Friday.",
        "They did not agree!",
        "Will they meet again?",
        "Nobody knows.",
    ]


def test_articles_are_cut_by_llama_indexs_punkt_without_importing_it() -> None:
    """The untrained tokenizer made from nltk cuts every gold article exactly as llama-index's
    ``globals_helper.punkt_tokenizer`` (the one chunks were built with) does."""
    import json

    from llama_index.core.utils import globals_helper

    from index.sentences import _punkt
    from tests.conftest import ROOT

    theirs = globals_helper.punkt_tokenizer
    assert type(_punkt()) is type(theirs)
    for article in json.loads((ROOT / "tests" / "gold" / "news_corpus.json").read_text(encoding="utf-8")):
        text = str(article.get("body") or article.get("text") or "")
        assert text
        assert list(_punkt().span_tokenize(text)) == list(theirs.span_tokenize(text))
