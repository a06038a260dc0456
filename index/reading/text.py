"""Plain-text and Markdown articles. Markdown may open with front matter (YAML between ``---``
lines, or TOML between ``+++`` lines), read by python-frontmatter."""

from __future__ import annotations

import logging
import re
import tomllib
from datetime import date
from typing import Any

from frontmatter.default_handlers import BaseHandler, YAMLHandler

from index.reading.dates import normalize_date
from index.reading.headlines import titled_article
from index.types import RawArticle

log = logging.getLogger(__name__)

_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(\S(?:.*?\S)?)\1")
_FRONT_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")


class _Toml(BaseHandler):
    """TOML front matter through the standard library's ``tomllib`` (python-frontmatter's own
    TOML handler exists only when the separate ``toml`` package is installed)."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


_HANDLERS = (YAMLHandler(), _Toml())


def parse_plain(key: str, name: str, text: str) -> RawArticle:
    return titled_article(key, name, text, "")


def parse_markdown(key: str, name: str, text: str) -> RawArticle:
    meta, text = _front_matter(text)
    title = meta.get("title", "")
    lines = text.strip("\n").split("\n")
    if not title and lines and lines[0].startswith("# "):
        title, lines = lines[0][2:].strip(), lines[1:]
    return titled_article(
        key,
        name,
        _strip_markdown("\n".join(lines)).strip("\n"),
        _strip_markdown(title),
        outlet=meta.get("source") or meta.get("outlet", ""),
        published=normalize_date(meta.get("published_at") or meta.get("published") or meta.get("date", "")),
        url=meta.get("url", ""),
        author=meta.get("author", ""),
    )


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """The front matter's fields as text (lower-cased keys) and the text after it."""
    handler = next((h for h in _HANDLERS if h.detect(text)), None)
    if handler is None:
        return {}, text
    try:
        raw, content = handler.split(text)
    except ValueError:  # an opening fence without a closing one: no front matter
        return {}, text
    try:
        fields = handler.load(raw)
    except Exception as err:  # YAML and TOML raise their own error types
        # Hand-typed front matter often breaks YAML's rules, most often with an unquoted colon
        # in a title ("title: Diablo 4: the best builds"); read such a block line by line.
        log.debug("front matter is not valid %s (%s); read as key: value lines", type(handler).__name__, err)
        fields = _key_value_lines(raw)
    if not isinstance(fields, dict):
        fields = {}
    return {str(k).lower(): _as_text(v) for k, v in fields.items() if _as_text(v)}, content


def _key_value_lines(block: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for line in block.split("\n"):
        match = _FRONT_KEY.match(line.strip())
        if match:
            value = match.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            meta[match.group(1)] = value
    return meta


def _as_text(value: object) -> str:
    """A front-matter value as text: a date in ISO form, a list of plain values joined with
    ", "; a table, or a list holding lists or tables, is not a text field."""
    if isinstance(value, list):
        return ", ".join(t for t in (_scalar_text(v) for v in value) if t)
    return _scalar_text(value)


def _scalar_text(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | int | float):
        return str(value).strip()
    return ""


def _strip_markdown(text: str) -> str:
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    return _MD_EMPHASIS.sub(r"\2", text)
