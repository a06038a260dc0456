"""Find article files and read them into :class:`RawArticle` records, one per article.

Formats: ``.txt``, ``.md`` (optional YAML or TOML front matter), ``.html``/``.htm`` (the
article without the page around it), ``.json`` (a list of records or one record) and ``.jsonl``
(one record a line) with the fields of the MultiHop-RAG corpus (``title``, ``body`` or ``text``,
``source``, ``published_at``, ``url``, ``author``). A file that cannot be read becomes a :class:`Skipped` with
a one-line reason; this module never raises for a bad input file. Each job is one module of
:mod:`index.reading`; this one walks the paths given and hands each file to its format.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from index.reading.dates import normalize_date
from index.reading.files import RECORD_SUFFIXES, SUPPORTED_SUFFIXES, TEXT_SUFFIXES, read_text, walk
from index.reading.headlines import shorten_title, split_headline
from index.reading.records import parse_records
from index.reading.text import parse_markdown, parse_plain
from index.types import RawArticle, Skipped

__all__ = [
    "MAX_COLLECTION_BYTES",
    "MAX_FILE_BYTES",
    "RECORD_SUFFIXES",
    "SUPPORTED_SUFFIXES",
    "TEXT_SUFFIXES",
    "html_to_text",
    "load_articles",
    "normalize_date",
    "shorten_title",
    "split_headline",
]

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024  # one article file (txt, md, html) or one JSON record's body
MAX_COLLECTION_BYTES = 512 * 1024 * 1024  # a .json/.jsonl collection of many records


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
        for path, reason in walk(Path(given)):
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


def html_to_text(markup: str) -> RawArticle:
    """The article in a web page, as the loader reads an ``.html`` file, without a key or source."""
    from index.reading import pages

    return pages.html_to_text(markup)


def _load_file(path: Path, resolved: Path, limits: _Limits) -> tuple[list[RawArticle], list[Skipped]]:
    suffix = path.suffix.lower()
    limit = limits.collection_bytes if suffix in RECORD_SUFFIXES else limits.file_bytes
    text, reason = read_text(path, limit)
    if reason:
        return [], [Skipped(str(path), reason)]
    key, name = str(resolved), path.name
    if suffix in RECORD_SUFFIXES:
        return parse_records(path, key, name, text, suffix == ".jsonl", limits.file_bytes)
    if suffix == ".txt":
        article = parse_plain(key, name, text)
    elif suffix in (".md", ".markdown"):
        article = parse_markdown(key, name, text)
    else:
        from index.reading import pages  # trafilatura (~0.15 s to import) only when a page is read

        if reason := pages.unreadable_reason(text):
            return [], [Skipped(str(path), reason)]
        article = pages.parse_html(key, name, text)
    if not article.text.strip():
        return [], [Skipped(str(path), "no article text")]
    return [article], []
