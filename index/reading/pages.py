"""Web pages (``.html``/``.htm``): their visible text without scripts and page chrome, and their
title and a little metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from index.reading.dates import normalize_date
from index.reading.headlines import split_headline
from index.types import RawArticle

_SKIP_TAGS = frozenset(
    "script style nav header footer aside form noscript template title svg iframe button select head".split()
)
_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 section article main blockquote pre figure figcaption table tr "
    "dd dt hr body".split()
)
_VOID_TAGS = frozenset({"br", "hr", "img", "meta", "link", "input", "source", "wbr", "area"})
_META_KEYS = {
    "og:site_name": "outlet",
    "og:url": "url",
    "article:published_time": "published",
    "date": "published",
    "pubdate": "published",
    "author": "author",
    "article:author": "author",
}


class _PageText(HTMLParser):
    """Collects the visible text of a page as paragraphs, plus its title and a little metadata."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.meta: dict[str, str] = {}
        self.title = ""
        self.h1 = ""
        self._current: list[str] = []
        self._skip: list[str] = []  # open tags whose content is dropped
        self._capture: str | None = None  # "title" or "h1" while inside one
        self._captured: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta" or tag == "link":
            self._metadata(tag, dict(attrs))
        if tag in ("title", "h1") and self._capture is None:
            self._capture, self._captured = tag, []
        if tag == "body":
            self._skip = [t for t in self._skip if t != "head"]  # an unclosed <head>
        if tag in _SKIP_TAGS and tag not in _VOID_TAGS:
            self._skip.append(tag)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == self._capture:
            text = " ".join("".join(self._captured).split())
            if tag == "title" and not self.title:
                self.title = text
            elif tag == "h1" and not self.h1:
                self.h1 = text
            self._capture = None
        if tag in self._skip:
            del self._skip[len(self._skip) - 1 - self._skip[::-1].index(tag) :]
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            self._captured.append(data)
        if not self._skip:
            self._current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []

    def _metadata(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag == "link":
            if (attrs.get("rel") or "").lower() == "canonical" and attrs.get("href"):
                self.meta.setdefault("url", attrs["href"] or "")
            return
        name = (attrs.get("property") or attrs.get("name") or "").lower()
        content = (attrs.get("content") or "").strip()
        if name in _META_KEYS and content:
            self.meta.setdefault(_META_KEYS[name], content)


@dataclass
class _Page:
    title: str
    text: str
    meta: dict[str, str] = field(default_factory=dict)


def html_to_text(markup: str) -> _Page:
    """Visible text of an HTML page, one paragraph per block, without scripts and page chrome."""
    parser = _PageText()
    parser.feed(markup)
    parser.close()
    return _Page(parser.h1 or parser.title, "\n\n".join(parser.blocks), parser.meta)


def parse_html(key: str, name: str, text: str) -> RawArticle:
    page = html_to_text(text)
    title, body = page.title, page.text
    if not title:
        title, body = split_headline(body)
    return RawArticle(
        key=key,
        source=name,
        text=body,
        title=title,
        outlet=page.meta.get("outlet", ""),
        published=normalize_date(page.meta.get("published", "")),
        url=page.meta.get("url", ""),
        author=page.meta.get("author", ""),
    )
