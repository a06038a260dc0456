"""Find article files and read them into :class:`RawArticle` records, one per article.

Formats: ``.txt``, ``.md`` (optional ``---`` front matter), ``.html``/``.htm`` (markup stripped),
``.json`` (a list of records or one record) and ``.jsonl`` (one record a line) with the fields of
the MultiHop-RAG corpus (``title``, ``body`` or ``text``, ``source``, ``published_at``, ``url``,
``author``). A file that cannot be read becomes a :class:`Skipped` with a one-line reason; this
module never raises for a bad input file.
"""

from __future__ import annotations

import codecs
import errno
import json
import logging
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TypeGuard

from index.clean import is_chrome_line
from index.types import RawArticle, Skipped

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024  # one article file (txt, md, html) or one JSON record's body
MAX_COLLECTION_BYTES = 512 * 1024 * 1024  # a .json/.jsonl collection of many records
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
RECORD_SUFFIXES = frozenset({".json", ".jsonl"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | RECORD_SUFFIXES

HEADLINE_MAX_WORDS = 20
HEADLINE_MAX_CHARS = 200
SHORT_TITLE_WORDS = 12
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


@dataclass(frozen=True)
class _Limits:
    file_bytes: int
    collection_bytes: int


def load_articles(
    paths: Sequence[Path],
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_collection_bytes: int = MAX_COLLECTION_BYTES,
) -> tuple[list[RawArticle], list[Skipped]]:
    """Read every article under ``paths`` (files or folders, walked recursively in sorted order).

    Returns the articles found and the inputs skipped, each with a short reason. An article file
    larger than ``max_bytes`` is skipped; a JSON/JSONL collection may be up to
    ``max_collection_bytes``, each of its records' bodies up to ``max_bytes``.
    """
    limits = _Limits(max_bytes, max_collection_bytes)
    articles: list[RawArticle] = []
    skipped: list[Skipped] = []
    seen: set[Path] = set()
    for given in paths:
        for path, reason in _walk(Path(given)):
            if reason:
                skipped.append(Skipped(str(path), reason))
                continue
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            try:
                found, bad = _load_file(path, resolved, limits)
            except Exception as err:  # a parser bug must not stop the other files
                log.warning("could not load %s: %s: %s", path, type(err).__name__, err)
                found, bad = [], [Skipped(str(path), f"could not be parsed ({type(err).__name__})")]
            articles.extend(found)
            skipped.extend(bad)
    skipped = list(dict.fromkeys(skipped))  # a file named and also inside a named folder
    for item in skipped:
        log.info("skipped %s: %s", item.path, item.reason)
    log.info("loaded %d article(s), skipped %d input(s)", len(articles), len(skipped))
    return articles, skipped


def _walk(path: Path) -> Iterator[tuple[Path, str]]:
    """Yield ``(file, "")`` for each supported file, ``(path, reason)`` for each one to skip."""
    kind = _kind(path)
    if kind == "directory":
        for child in sorted(path.rglob("*")):
            relative = child.relative_to(path).parts
            if any(part.startswith(".") for part in relative):
                continue
            kind = _kind(child)
            if kind != "directory":
                yield child, _reason(child, kind)
    else:
        yield path, _reason(path, kind)


def _reason(path: Path, kind: str) -> str:
    if kind != "file":
        return kind
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"unsupported file type {path.suffix or '(no extension)'}"
    return ""


_KINDS = {
    stat.S_IFIFO: "not a regular file (a named pipe)",
    stat.S_IFCHR: "not a regular file (a character device)",
    stat.S_IFBLK: "not a regular file (a block device)",
    stat.S_IFSOCK: "not a regular file (a socket)",
}


def _kind(path: Path) -> str:
    """"file", "directory", or why the path cannot be read as an article (never opens it)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "symlink loop"
        if err.errno == errno.ENOENT:
            return "broken symlink" if path.is_symlink() else "not found"
        return f"unreadable ({err.strerror or type(err).__name__})"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISREG(mode):
        return "file"
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def _load_file(path: Path, resolved: Path, limits: _Limits) -> tuple[list[RawArticle], list[Skipped]]:
    suffix = path.suffix.lower()
    limit = limits.collection_bytes if suffix in RECORD_SUFFIXES else limits.file_bytes
    text, reason = _read_text(path, limit)
    if reason:
        return [], [Skipped(str(path), reason)]
    key, name = str(resolved), path.name
    if suffix in RECORD_SUFFIXES:
        return _parse_records(path, key, name, text, suffix == ".jsonl", limits.file_bytes)
    if suffix == ".txt":
        article = _parse_plain(key, name, text)
    elif suffix in (".md", ".markdown"):
        article = _parse_markdown(key, name, text)
    else:
        article = _parse_html(key, name, text)
    if not article.text.strip():
        return [], [Skipped(str(path), "no article text")]
    return [article], []


_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _read_text(path: Path, limit: int) -> tuple[str, str]:
    """The file's text with ``\\n`` line ends, or ``("", reason)``. Opens without blocking and
    reads only a regular file, and never more than ``limit`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as err:
        return "", "symlink loop" if err.errno == errno.ELOOP else f"unreadable ({err.strerror or type(err).__name__})"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "", _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        if info.st_size > limit:
            return "", f"too large ({_mb(info.st_size)} > {_mb(limit)})"
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as err:
        return "", f"unreadable ({err.strerror or type(err).__name__})"
    finally:
        os.close(fd)
    if len(data) > limit:
        return "", f"too large (> {_mb(limit)})"
    return _decode(data)


def _decode(data: bytes) -> tuple[str, str]:
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    if encoding == "utf-8" and b"\x00" in data:
        return "", "binary file (NUL bytes)"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return "", "not UTF-8 text" if encoding == "utf-8" else f"not valid {encoding.upper()} text"
    if "\x00" in text:
        return "", "binary file (NUL characters)"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return "", "empty file"
    return text, ""


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


# --- plain text and markdown -------------------------------------------------------------------


def _parse_plain(key: str, name: str, text: str) -> RawArticle:
    title, body = split_headline(text)
    return RawArticle(key=key, source=name, text=body, title=title)


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


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(\S(?:.*?\S)?)\1")


def _parse_markdown(key: str, name: str, text: str) -> RawArticle:
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


# --- html ----------------------------------------------------------------------------------------

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


def _parse_html(key: str, name: str, text: str) -> RawArticle:
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


# --- dates ---------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\b|T)")
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d/%m/%Y")


def normalize_date(value: str) -> str:
    """``YYYY-MM-DD`` for a date written in a common way, "" when it cannot be parsed."""
    value = value.strip()
    if not value:
        return ""
    match = _ISO_DATE.match(value)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _iso(year, month, day)
    try:
        return parsedate_to_datetime(value).date().isoformat()  # RFC 2822 (RSS feeds)
    except (TypeError, ValueError, IndexError):
        pass
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", value.replace(".", "")).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date().isoformat()
        except ValueError:
            continue
    log.debug("unparsable date %r", value)
    return ""


def _iso(year: int, month: int, day: int) -> str:
    try:
        return datetime(year, month, day).date().isoformat()
    except ValueError:
        return ""


# --- json and jsonl ------------------------------------------------------------------------------


def _parse_records(
    path: Path, key: str, name: str, text: str, lines: bool, max_bytes: int
) -> tuple[list[RawArticle], list[Skipped]]:
    articles: list[RawArticle] = []
    skipped: list[Skipped] = []
    for index, record, reason in _records(text, lines):
        where = f"{path}#{index}" if index >= 0 else str(path)
        if reason:
            skipped.append(Skipped(where, reason))
            continue
        article, reason = _record_article(record, f"{key}#{index}", f"{name}#{index}", max_bytes)
        if article is None:
            skipped.append(Skipped(where, reason))
        else:
            articles.append(article)
    return articles, skipped


def _records(text: str, lines: bool) -> Iterator[tuple[int, Any, str]]:
    """``(index, record, "")`` per record, ``(index, None, reason)`` per unreadable one."""
    if lines:
        index = 0
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                yield index, json.loads(line), ""
            except json.JSONDecodeError as err:
                yield index, None, f"unparsable JSON on line {number}: {err.msg}"
            except RecursionError:
                yield index, None, f"JSON on line {number} is nested too deeply"
            index += 1
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        yield -1, None, f"unparsable JSON: {err.msg} (line {err.lineno})"
        return
    except RecursionError:
        yield -1, None, "JSON nested too deeply"
        return
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    records = data if isinstance(data, list) else [data]
    for index, record in enumerate(records):
        yield index, record, ""


def _record_article(record: Any, key: str, source: str, max_bytes: int) -> tuple[RawArticle | None, str]:
    if not isinstance(record, dict):
        return None, "record is not a JSON object"
    wrong = _wrong_type(record, ("body", "text", "content", "title", "headline"))
    if wrong:
        return None, wrong
    body = _field(record, "body", "text", "content")
    if not body.strip():
        return None, "record has no body/text"
    if len(body.encode("utf-8", "surrogatepass")) > max_bytes:
        return None, f"record body too large (> {_mb(max_bytes)})"
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    title = _field(record, "title", "headline")
    if not title:
        title, body = split_headline(body)
    article = RawArticle(
        key=key,
        source=source,
        text=body,
        title=title,
        outlet=_field(record, "source", "outlet", "publisher"),
        published=normalize_date(_field(record, "published_at", "published", "date")),
        url=_field(record, "url", "link"),
        author=_field(record, "author", "authors"),
    )
    return article, ""


def _wrong_type(record: dict[str, Any], names: Sequence[str]) -> str:
    """Why one of the text fields ``names`` cannot be read as text (a number, an object...), or ""."""
    for name in names:
        value = record.get(name)
        if value is None or isinstance(value, str) or _is_text_list(value):
            continue
        kind = {bool: "true/false", int: "a number", float: "a number", dict: "an object", list: "a list"}
        return f"field {name!r} is {kind.get(type(value), type(value).__name__)}, not text"
    return ""


def _is_text_list(value: Any) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _field(record: dict[str, Any], *names: str) -> str:
    """The first non-empty of ``names`` as a string (lists of strings joined with ", "); a value
    of another type (a number, an object) counts as missing."""
    for name in names:
        value = record.get(name)
        if _is_text_list(value):
            value = ", ".join(v for v in value if v)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""
