"""Publication dates, written any common way, as ISO ``YYYY-MM-DD``."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from email.utils import parsedate_to_datetime

log = logging.getLogger(__name__)

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
