"""Plain-text and Markdown articles; Markdown may open with ``---`` front matter."""

from __future__ import annotations

import re

from index.reading.dates import normalize_date
from index.reading.headlines import split_headline
from index.types import RawArticle

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(\S(?:.*?\S)?)\1")


def parse_plain(key: str, name: str, text: str) -> RawArticle:
    title, body = split_headline(text)
    return RawArticle(key=key, source=name, text=body, title=title)


def parse_markdown(key: str, name: str, text: str) -> RawArticle:
    meta: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        meta = _front_matter(match.group(1))
        text = text[match.end() :]
    title = meta.get("title", "")
    lines = text.strip("\n").split("\n")
    if not title and lines and lines[0].startswith("# "):
        title, lines = lines[0][2:].strip(), lines[1:]
    body = _strip_markdown("\n".join(lines)).strip("\n")
    if not title:
        title, body = split_headline(body)
    return RawArticle(
        key=key,
        source=name,
        text=body,
        title=_strip_markdown(title),
        outlet=meta.get("source") or meta.get("outlet", ""),
        published=normalize_date(meta.get("published_at") or meta.get("published") or meta.get("date", "")),
        url=meta.get("url", ""),
        author=meta.get("author", ""),
    )


def _front_matter(block: str) -> dict[str, str]:
    """``key: value`` lines of a front-matter block (lower-cased keys, quotes removed)."""
    meta: dict[str, str] = {}
    for line in block.split("\n"):
        match = _FRONT_KEY.match(line.strip())
        if match:
            value = match.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            meta[match.group(1).lower()] = value
    return meta


def _strip_markdown(text: str) -> str:
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    return _MD_EMPHASIS.sub(r"\2", text)
