"""Countries in name checks, from the countryinfo data: a demonym, a spelling or a name of several
words is found in a source that names the country another way, and a country is never taken for
one whose name merely starts the same (Niger is not Nigeria)."""

from __future__ import annotations

import pytest

from assistant.citations import verify
from assistant.pipeline.answerability import unmentioned
from assistant.types import Evidence
from index.types import ArticleMeta


def ev(text: str, number: int = 1) -> Evidence:
    meta = ArticleMeta(f"d{number}", f"d{number}.txt", title="Trade talks", outlet="Wire", published="2024-03-02")
    return Evidence(number=number, meta=meta, text=text, start=0, end=len(text))


def supported(claim: str, source: str) -> bool:
    return not verify(f"{claim} [1].", [ev(source)]).refused


# ---- the reported cases ---------------------------------------------------------------------


def test_nigeria_is_not_supported_by_a_source_on_niger() -> None:
    assert not supported("Nigeria rejected the trade deal", "Niger rejected the trade deal on Monday.")
    assert supported("Nigeria rejected the trade deal", "Nigeria rejected the trade deal on Monday.")
    assert supported("Nigerian officials rejected the trade deal", "Nigeria rejected the trade deal on Monday.")
    assert unmentioned(["Nigeria"], ["Niger rejected the trade deal."]) == ["Nigeria"]
    assert unmentioned(["Niger"], ["Nigeria rejected the trade deal."]) == ["Niger"]


@pytest.mark.parametrize(
    ("name", "article"),
    [
        ("Thai", "Thailand rejected the trade deal."),
        ("Dutch", "The Netherlands rejected the trade deal."),
        ("Americans", "The United States rejected the trade deal."),
        ("Thailand", "Thai officials rejected the trade deal."),
        ("the Netherlands", "Dutch officials rejected the trade deal."),
        ("United States", "Americans rejected the trade deal."),
    ],
)
def test_a_demonym_and_its_country_are_one_name(name: str, article: str) -> None:
    assert unmentioned([name], [article]) == []


def test_claims_in_demonyms_stand_on_sources_that_name_the_country() -> None:
    assert supported("Thai officials rejected the trade deal", "Officials in Thailand rejected the trade deal.")
    assert supported("Dutch officials rejected the trade deal", "Officials in the Netherlands rejected the trade deal.")
    assert supported("Americans rejected the trade deal", "The United States rejected the trade deal.")
    assert supported("The U.S. rejected the trade deal", "Americans rejected the trade deal.")


# ---- beyond the old hand table --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "article"),
    [
        ("Brazilian", "Brazil rejected the trade deal."),
        ("Filipino", "The Philippines rejected the trade deal."),
        ("Filipinos", "The Philippines rejected the trade deal."),
        ("Swiss", "Switzerland rejected the trade deal."),
        ("Holland", "The Netherlands rejected the trade deal."),
        ("South Korea", "South Korean officials rejected the trade deal."),
        ("UAE", "The United Arab Emirates rejected the trade deal."),
        ("British", "The UK rejected the trade deal."),
        ("Britain", "The United Kingdom rejected the trade deal."),
        ("USA", "The U.S. rejected the trade deal."),
        ("Myanmar", "Burma rejected the trade deal."),
        ("Guinea-Bissau", "Guinea-Bissau's government rejected the trade deal."),
    ],
)
def test_any_country_in_the_data_is_found_by_its_other_names(name: str, article: str) -> None:
    assert unmentioned([name], [article]) == []


@pytest.mark.parametrize(
    ("name", "article"),
    [
        ("Australia", "Austria rejected the trade deal."),
        ("Iraq", "Iran rejected the trade deal."),
        ("Iranian", "Iraq rejected the trade deal."),
        ("Guinea", "Papua New Guinea rejected the trade deal."),
        ("Sudan", "South Sudan rejected the trade deal."),
        ("North Korea", "South Korea rejected the trade deal."),
        ("Dominica", "The Dominican Republic rejected the trade deal."),
        ("Ira", "Iran rejected the trade deal."),
    ],
)
def test_a_country_is_not_found_in_another_that_looks_alike(name: str, article: str) -> None:
    assert unmentioned([name], [article]) == [name]


def test_a_country_opening_a_claim_is_still_checked_as_a_name() -> None:
    source = "South Korea and Japan agreed on Monday to share military intelligence."
    assert supported("South Korea and Japan agreed to share intelligence", source)
    assert not supported("North Korea and Japan agreed to share intelligence", source)
    assert supported("The United States and China agreed to resume talks", "The US and China agreed to resume talks.")


def test_places_that_are_not_countries_keep_their_adjectives() -> None:
    assert unmentioned(["European"], ["Europe rejected the trade deal."]) == []
    assert unmentioned(["Korean"], ["South Korea rejected the trade deal."]) == []
    assert unmentioned(["Texan"], ["Texas rejected the trade deal."]) == []
    assert unmentioned(["Venezuelan"], ["Venice rejected the trade deal."]) == ["Venezuelan"]
