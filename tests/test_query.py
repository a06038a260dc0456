"""Query understanding: outlets, dates and parts, on questions written for these tests."""

from __future__ import annotations

import pytest

from assistant.retrieval.query import DateRange, OutletNames, outlet_keys, parse_dates, parse_query

OUTLETS = [
    "TechCrunch", "The Verge", "Fortune", "The Independent - Sports", "The Independent - Travel",
    "The Roar | Sports Writers Blog", "Live Science: The Most Interesting Articles", "The Times",
    "The Times of India", "BBC News - Technology",
]
NAMES = OutletNames(OUTLETS)


def outlets(query: str) -> tuple[str, ...]:
    return parse_query(query, NAMES, 2024).outlets


def test_outlet_by_full_name_quoted_or_not() -> None:
    assert outlets("What did the TechCrunch piece say about the lawsuit?") == ("TechCrunch",)
    assert outlets("Did 'The Independent - Sports' cover the final?") == ("The Independent - Sports",)
    assert outlets("How does the Verge review the phone?") == ("The Verge",)


def test_outlet_head_names_every_outlet_sharing_it() -> None:
    assert outlets("Was the match reviewed by the Independent?") == (
        "The Independent - Sports", "The Independent - Travel",
    )
    assert outlets("What does The Roar say about the coach?") == ("The Roar | Sports Writers Blog",)
    assert outlets("Which study did Live Science describe?") == ("Live Science: The Most Interesting Articles",)


def test_longest_outlet_wins_and_full_name_beats_head() -> None:
    assert outlets("Did The Times of India report the result?") == ("The Times of India",)
    assert outlets("Did The Times report the result?") == ("The Times",)
    assert outlets("Was it in BBC News - Technology?") == ("BBC News - Technology",)


def test_full_name_beats_head_when_the_outlets_come_from_a_generator() -> None:
    # The retriever builds its names from a generator over the index's outlets; the full-name table
    # must be built from it too (it was left empty once the generator had been read, so a full name
    # that is also other outlets' head named all of them).
    ledgers = ["The Daily Ledger", "The Daily Ledger - Business", "The Daily Ledger - Travel", "Harbor Times"]
    names = OutletNames(o for o in ledgers)
    query = "What did The Daily Ledger say about the port strike?"
    assert parse_query(query, names).outlets == ("The Daily Ledger",)
    assert parse_query("Did the Daily Ledger - Travel review the ferry?", names).outlets == (
        "The Daily Ledger - Travel",
    )
    assert names.mentions(query) == OutletNames(ledgers).mentions(query)


def test_lower_case_words_do_not_name_outlets() -> None:
    assert outlets("Did the founder make a fortune on the verge of the sale?") == ()
    assert outlets("Did Fortune report that the founder made a fortune?") == ("Fortune",)


def test_several_outlets_give_one_part_each() -> None:
    q = ("Does the TechCrunch report say the chip shipped late, while The Verge article says it "
         "shipped on March 3, 2024?")
    parsed = parse_query(q, NAMES, 2024)
    assert parsed.outlets == ("TechCrunch", "The Verge")
    first, second = parsed.parts
    assert first.outlets == ("TechCrunch",) and "chip shipped late" in first.text
    assert second.outlets == ("The Verge",) and second.text.startswith("The Verge article")
    assert first.dates == () and second.dates == (DateRange("2024-03-03", "2024-03-03"),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("published on October 7, 2023", [("2023-10-07", "2023-10-07")]),
        ("the report of 7 March? no: on March 7th, 2021", [("2021-03-07", "2021-03-07")]),
        ("in October 2023", [("2023-10-01", "2023-10-31")]),
        ("during February 2024", [("2024-02-01", "2024-02-29")]),
        ("published before November 5, 2023", [("0001-01-01", "2023-11-04")]),
        ("after December 31, 2023", [("2024-01-01", "9999-12-31")]),
        ("since June 2022", [("2022-06-01", "9999-12-31")]),
        ("until May 2, 2022", [("0001-01-01", "2022-05-02")]),
    ],
)
def test_dates_and_ranges(text: str, expected: list[tuple[str, str]]) -> None:
    assert parse_dates(text) == [DateRange(a, b) for a, b in expected]


def test_missing_year_comes_from_the_question_then_the_default() -> None:
    assert parse_dates("on May 4 and on June 1, 2022") == [
        DateRange("2022-05-04", "2022-05-04"), DateRange("2022-06-01", "2022-06-01"),
    ]
    assert parse_dates("on May 4", default_year=2019) == [DateRange("2019-05-04", "2019-05-04")]
    assert parse_dates("on May 4") == []  # no year anywhere: no date


def test_bare_month_names_and_impossible_days_are_not_dates() -> None:
    assert parse_dates("Theresa May spoke in March", default_year=2020) == [
        DateRange("2020-03-01", "2020-03-31"),
    ]
    assert parse_dates("on February 30, 2023") == []


def test_date_range_admits_published_timestamps() -> None:
    october = DateRange("2023-10-01", "2023-10-31")
    assert october.admits("2023-10-31 23:10:00.000000000Z")
    assert not october.admits("2023-11-01T00:00:00")
    assert not october.admits("")


def test_outlet_keys() -> None:
    assert outlet_keys("The Independent - Sports") == [
        "the independent - sports", "independent - sports", "the independent", "independent",
    ]
