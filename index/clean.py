"""Clean a loaded article: drop page chrome (:mod:`index.chrome`), normalise whitespace, split off
trailing teasers (:mod:`index.teasers`) as segments of their own, and give each its id and hash.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from collections.abc import Sequence

from index.chrome import TERMINAL, is_chrome_line
from index.teasers import split_teasers, teaser_title
from index.types import Article, RawArticle

log = logging.getLogger(__name__)

# Terminal escape sequences (colour codes like "\x1b[31m", window titles), then any other control
# character but tab and newline, and lone UTF-16 surrogates that no encoder accepts.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_WORDS = re.compile(r"[^\W\d_]+")
# A repeated full stop after a finished sentence: 'in times of tension”. .”' -> 'tension”.'
_STRAY_STOP = re.compile(r"(?:(?<=[\w\"”’][.!?])|(?<=\w[.!?][\"”’]))\s+[.!?]+[\"”’]?(?=\s|$)")


def strip_controls(text: str) -> str:
    """``text`` without terminal escape sequences and control characters (form feeds and
    vertical tabs become line breaks); lone surrogates become U+FFFD."""
    text = _ESCAPES.sub("", text).replace("\f", "\n").replace("\v", "\n")
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", text))


def paragraphs(text: str) -> list[str]:
    """Split text into paragraphs with normalised spaces.

    Blank lines separate paragraphs; inside a block each line is its own paragraph unless the
    block is hard-wrapped or a line plainly continues on the next (no final punctuation, next
    line starts in lower case).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    result: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [_SPACES.sub(" ", line).strip() for line in block.split("\n")]
        lines = [line for line in lines if line and not is_chrome_line(line)]
        if _hard_wrapped(lines):
            result.append(" ".join(lines))
            continue
        merged: list[str] = []
        for line in lines:
            if merged and not TERMINAL.search(merged[-1]) and line[:1].islower():
                merged[-1] = f"{merged[-1]} {line}"
            else:
                merged.append(line)
        result.extend(merged)
    return result


def _hard_wrapped(lines: list[str]) -> bool:
    if len(lines) < 3:
        return False
    body = lines[:-1]
    unpunctuated = sum(1 for line in body if not TERMINAL.search(line))
    return all(40 <= len(line) <= 100 for line in body) and unpunctuated * 2 >= len(body)


def _norm(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def remove_chrome(title: str, paras: Sequence[str]) -> list[str]:
    """Drop chrome lines, a first paragraph repeating the title, and adjacent duplicates."""
    kept: list[str] = []
    previous = _norm(title) if title else None  # the title, then the last paragraph kept
    for para in paras:
        if is_chrome_line(para):
            log.debug("dropped chrome line %r", para[:80])
            continue
        normalised = _norm(para)
        if normalised and normalised == previous:
            continue
        kept.append(_STRAY_STOP.sub("", para))
        previous = normalised
    return kept


# --- articles ------------------------------------------------------------------------------------


def doc_id_for(key: str) -> str:
    """The stable document id of an article: the first 16 hex digits of sha1(key)."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def content_hash(article: Article) -> str:
    """sha256 over the title, text and metadata: changes when any of them changes."""
    parts = (article.title, article.text, article.outlet, article.published, article.url, article.author)
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _with_hash(article: Article) -> Article:
    return dataclasses.replace(article, content_hash=content_hash(article))


def clean_article(raw: RawArticle) -> list[Article]:
    """The cleaned article, followed by one segment per unrelated trailing teaser.

    Segments share the article's ``key`` and ``source`` (they come from the same file) and have
    ``doc_id`` ``<parent>-t<n>``. Returns ``[]`` when nothing of substance is left.
    """
    title = " ".join(strip_controls(raw.title).split())
    kept = remove_chrome(title, paragraphs(strip_controls(raw.text)))
    main, teasers = split_teasers(title, kept)
    if not main:
        log.info("%s: no article text left after cleaning", raw.source)
        return []
    parent = doc_id_for(raw.key)
    articles = [
        Article(
            doc_id=parent,
            key=raw.key,
            source=raw.source,
            title=title,
            text="\n\n".join(main),
            outlet=raw.outlet,
            published=raw.published,
            url=raw.url,
            author=raw.author,
        )
    ]
    for n, teaser in enumerate(teasers, start=1):
        articles.append(
            Article(
                doc_id=f"{parent}-t{n}",
                key=raw.key,
                source=raw.source,
                title=teaser_title(teaser),
                text=teaser,
                outlet=raw.outlet,
                published=raw.published,
                url=raw.url,
                part_of=parent,
                is_teaser=True,
            )
        )
    if teasers:
        log.info("%s: split off %d trailing teaser(s)", raw.source, len(teasers))
    return [_with_hash(a) for a in articles]
