"""JSON and JSONL article records with the fields of the MultiHop-RAG corpus (``title``, ``body``
or ``text``, ``source``, ``published_at``, ``url``, ``author``). A record that cannot be read is
skipped with its reason; the other records of the file still load."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeGuard

from index.reading.dates import normalize_date
from index.reading.files import megabytes
from index.reading.headlines import titled_article
from index.types import RawArticle, Skipped


def parse_records(
    path: Path, key: str, name: str, text: str, lines: bool, max_bytes: int
) -> tuple[list[RawArticle], list[Skipped]]:
    """The articles of a ``.json`` (``lines=False``) or ``.jsonl`` file and the records skipped;
    a record's body may be up to ``max_bytes``."""
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
        return None, f"record body too large (> {megabytes(max_bytes)})"
    article = titled_article(
        key,
        source,
        body.replace("\r\n", "\n").replace("\r", "\n"),
        _field(record, "title", "headline"),
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
