"""Web pages as the loader reads them: the title a page gives itself, and pages too large for
trafilatura (index/reading/pages.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import trafilatura

from index.loader import load_articles
from index.reading import pages
from index.types import RawArticle

_BODY = "<p>Tyres shed particles as they wear, and those particles end up in rivers.</p>" * 3


def _load(tmp_path: Path, markup: str) -> RawArticle:
    path = tmp_path / "page.html"
    path.write_text(markup, encoding="utf-8")
    articles, skipped = load_articles([path])
    assert skipped == [] and len(articles) == 1
    return articles[0]


@pytest.mark.parametrize(
    "title",
    [
        "Tires are saving us — and killing us, too",
        "Office rents in Israel stay firm - for now",
        "Moneyline Betting - What is the Moneyline and How Does it Work?",
    ],
)
def test_title_only_page_keeps_its_whole_title(tmp_path: Path, title: str) -> None:
    """trafilatura cuts a <title> at its last dash or bar, taking the rest for the site's name;
    a rest in lower case or of over four words goes on with the headline."""
    article = _load(tmp_path, f"<html><head><title>{title}</title></head><body>{_BODY}</body></html>")
    assert article.title == title


_SHEEGO = "<link rel='canonical' href='https://www.sheego.de/t'>"


@pytest.mark.parametrize(
    ("head", "title"),
    [
        ("<title>Tires are saving us | The Verge</title>", "Tires are saving us"),
        ("<title>Example.com | Tires are saving us</title>", "Tires are saving us"),
        # in lower case or long, but holding the site's name
        (f"<title>Tires are saving us | sheego ♥ Magazin</title>{_SHEEGO}", "Tires are saving us"),
        (f"<title>Tires are saving us - the sheego shop, magazine and forum</title>{_SHEEGO}", "Tires are saving us"),
        (
            "<title>Tires are saving us - The Coast News Weekly Magazine Online</title>"
            "<meta property='og:site_name' content='The Coast News Weekly Magazine Online'>",
            "Tires are saving us",
        ),
    ],
)
def test_site_name_is_still_cut(tmp_path: Path, head: str, title: str) -> None:
    assert _load(tmp_path, f"<html><head>{head}</head><body>{_BODY}</body></html>").title == title


def test_og_title_and_single_h1_are_kept(tmp_path: Path) -> None:
    head = "<title>Tires - Our whole story | Site</title><meta property='og:title' content='Tires - Our whole story'>"
    assert _load(tmp_path, f"<html><head>{head}</head><body>{_BODY}</body></html>").title == "Tires - Our whole story"
    page = f"<html><head><title>Tires | Site</title></head><body><h1>Tires — a story</h1>{_BODY}</body></html>"
    assert _load(tmp_path, page).title == "Tires — a story"


def _large_page(paragraphs: int) -> str:
    return (
        "<html><head><title>A very long page</title><meta property='og:site_name' content='Big Site'>"
        "<meta property='article:published_time' content='2024-03-05T10:00:00Z'>"
        "<link rel='canonical' href='https://big.example/long'><script>var ad = 'buy';</script></head>"
        "<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><h1>The long story</h1>"
        + "".join(f"<p>Sentence number {i} of <b>the</b> story.</p><!-- note {i} -->" for i in range(paragraphs))
        + "<footer>All rights reserved</footer></body></html>"
    )


def test_large_page_is_read_without_trafilatura(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above MAX_EXTRACTED_ELEMENTS a page's visible text is taken as it stands (not timed: the
    path is checked by making trafilatura's extraction fail)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("trafilatura read a page over the element limit")

    monkeypatch.setattr(trafilatura, "bare_extraction", refuse)
    count = pages.MAX_EXTRACTED_ELEMENTS + 1000
    article = _load(tmp_path, _large_page(count))
    paragraphs = article.text.split("\n\n")  # the <h1> stays, as before (index.clean drops it)
    assert paragraphs[:2] == ["The long story", "Sentence number 0 of the story."] and len(paragraphs) == count + 1
    assert not any(chrome in article.text for chrome in ("buy", "Home", "note", "All rights", "A very long page"))
    assert (article.title, article.outlet, article.published, article.url) == (
        "The long story",
        "Big Site",
        "2024-03-05",
        "https://big.example/long",
    )


def test_page_under_the_limit_is_read_by_trafilatura(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    extract = trafilatura.bare_extraction

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return extract(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(trafilatura, "bare_extraction", counted)
    article = _load(tmp_path, _large_page(100))
    assert len(calls) == 1 and article.title == "The long story" and "Sentence number 99" in article.text
