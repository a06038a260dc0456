"""One notion of words: the keyword index's stemmer and stopwords for every comparison, and the
claim checks' countries and names on top of it."""

from __future__ import annotations

import pytest

from assistant.language.lexicon import content_terms as claim_terms
from assistant.language.lexicon import word_known
from index.keyword import stemmer, tokenize
from index.words import content_terms, function_words, stem, stopwords


def test_the_stem_is_the_keyword_index_stemmer() -> None:
    for word in ("talks", "talking", "talked", "companies", "meeting"):
        assert stem(word) == stemmer().stemWord(word)
    assert {stem(w) for w in ("talks", "talking", "talked")} == {"talk"}
    assert stem("companies") == stem("company")


def test_content_terms_are_the_keyword_index_terms_plus_a_few_stopwords() -> None:
    text = "Negotiators resumed trade talks in Geneva after the ministers met"
    assert content_terms(text) == tokenize([text])[0]
    assert content_terms("What did the minister say about the talks?") == ["minist", "about", "talk"]
    assert {"said", "what", "did"} <= stopwords()


def test_searched_words_keep_numbers_and_abbreviations_whole() -> None:
    assert content_terms("The U.S. economy grew 3.5% in 2023") == [stem("u.s"), "economi", "grew", "3.5%", "2023"]


def test_function_words_include_the_search_stopwords() -> None:
    assert stopwords() <= function_words()
    assert {"he", "his", "from", "however", "might"} <= function_words() - stopwords()


@pytest.mark.parametrize(
    "a, b",
    [("Thai", "Thailand"), ("Americans", "the United States"), ("Dutch", "the Netherlands"), ("talks", "talked")],
)
def test_claim_words_one_term(a: str, b: str) -> None:
    assert claim_terms(a).all == claim_terms(b).all


@pytest.mark.parametrize("a, b", [("Nigeria", "Niger"), ("climbed", "fell"), ("Austria", "Australia")])
def test_claim_words_kept_apart(a: str, b: str) -> None:
    terms = claim_terms(a).all
    assert terms != claim_terms(b).all
    assert not all(word_known(t, claim_terms(b).all) for t in terms)


def test_a_place_and_its_adjective_are_known_by_their_stems() -> None:
    for adjective, place in (("Parisian", "Paris"), ("Texan", "Texas"), ("European", "Europe"), ("Korean", "Korea")):
        assert all(word_known(t, claim_terms(place).all) for t in claim_terms(adjective).all), adjective
