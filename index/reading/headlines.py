"""The title of an article that has no title field: its first line when that looks like a
headline, else a shortened copy of its first sentence; and the article built around it."""

from __future__ import annotations

import re

from index.chrome import is_chrome_line
from index.types import RawArticle

HEADLINE_MAX_WORDS = 20
HEADLINE_MAX_CHARS = 200
SHORT_TITLE_WORDS = 12
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


def titled_article(key: str, source: str, body: str, title: str, **metadata: str) -> RawArticle:
    """The article of one file or record; without a ``title``, its headline is found in the body
    (:func:`split_headline`)."""
    if not title:
        title, body = split_headline(body)
    return RawArticle(key=key, source=source, text=body, title=title, **metadata)


def split_headline(text: str) -> tuple[str, str]:
    """Title and body of a plain-text article.

    The first non-empty line that is not page chrome is the title. When it looks like a headline
    (at most ~20 words, or short without a final full stop) it is removed from the body; when it
    is a long sentence it stays in the body and a shortened copy of it becomes the title.
    """
    lines = text.split("\n")
    for i, line in enumerate(lines):
        candidate = line.strip()
        if not candidate or is_chrome_line(candidate):
            continue
        body = "\n".join(lines[:i] + lines[i + 1 :]).strip("\n")
        if _looks_like_headline(candidate) and body.strip():
            return candidate, body
        return shorten_title(candidate), text.strip("\n")
    return "", text.strip("\n")


def _looks_like_headline(line: str) -> bool:
    words = len(line.split())
    if len(line) > HEADLINE_MAX_CHARS:
        return False
    return words <= HEADLINE_MAX_WORDS or not _SENTENCE_END.search(line)


def shorten_title(sentence: str, max_words: int = SHORT_TITLE_WORDS) -> str:
    """The first ``max_words`` words of a sentence, with an ellipsis when cut."""
    words = sentence.split()
    if len(words) <= max_words:
        return sentence.strip()
    return " ".join(words[:max_words]).rstrip(",;:—-") + "…"
