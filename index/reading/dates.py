"""Publication dates, written any common way, as ISO ``YYYY-MM-DD``; python-dateutil reads them."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime

from dateutil import parser

log = logging.getLogger(__name__)

# Parsed twice with two different defaults: a date both readings agree on names its year, month
# and day; one that takes any of them from the default ("March 2024", "Nov 12", "12") was not
# fully written and is left unknown, never guessed.
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))
_YEAR_FIRST = re.compile(r"\d{4}\D")


def normalize_date(value: str) -> str:
    """``YYYY-MM-DD`` for a date written in a common way, "" when it cannot be read or is
    incomplete ("Nov 12, 2023", "Mon, 27 Nov 2023 08:45:59 GMT", "2023-11-27T08:45:59Z",
    "March 5th, 2024", "05/03/2024" read day first). A bare number ("20230918", a timestamp) is
    not read as a date."""
    value = value.strip()
    if not value or value.isdigit():
        return ""
    # A year written first is ISO order (year, month, day); otherwise the day comes first, as
    # everywhere but the US ("05/03/2024" is 5 March; "11/27/2023" still reads as 27 November).
    dayfirst = not _YEAR_FIRST.match(value)
    try:
        days: list[date] = [parser.parse(value, default=d, dayfirst=dayfirst).date() for d in _DEFAULTS]
    except (ValueError, OverflowError):  # ParserError is a ValueError
        log.debug("unparsable date %r", value)
        return ""
    if days[0] != days[1]:
        log.debug("incomplete date %r", value)
        return ""
    return days[0].isoformat()
