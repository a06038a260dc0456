"""Web pages as the loader reads them (index/reading/pages.py): pages too large for trafilatura."""

from __future__ import annotations

from pathlib import Path

import pytest
import trafilatura

from index.loader import load_articles
from index.reading import pages
from index.types import RawArticle


def _load(tmp_path: Path, markup: str) -> RawArticle:
    path = tmp_path / "page.html"
    path.write_text(markup, encoding="utf-8")
    articles, skipped = load_articles([path])
    assert skipped == [] and len(articles) == 1
    return articles[0]


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
