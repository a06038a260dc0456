"""Query understanding: the outlets and dates a question names, and its parts.

News questions name where and when ("the TechCrunch article", "'The Independent - Sports'",
"the Verge report published on October 7, 2023", "in October 2023", "before November 5, 2023")
and often several sources at once ("Does the TechCrunch article say X, while The Verge article
says Y?"). :func:`parse_query` finds them, with general rules only:

- an outlet of the collection is named by its full name or by its head, the part before " - ",
  " | " or ": " ("The Independent" for "The Independent - Sports"; a head shared by several
  outlets names them all), a leading "The" optional, case ignored but the name must start with a
  capital or a digit in the question (so "a fortune" does not name *Fortune*);
- a date is a month with a day and/or a year; a missing year is taken from another date of the
  question, else from ``default_year``; "before"/"after"/"since"/"until" turn it into an open
  range, "in <month>" into the month;
- each outlet mention opens a part of the question that runs to the next mention; the dates inside
  a part belong to it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass

MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_MONTH = "|".join(name.capitalize() for name in MONTHS)
_DATE = re.compile(
    rf"(?:\b(?P<rel>before|after|since|until|by|prior\s+to|in|during)\s+(?:the\s+)?)?"
    rf"\b(?P<month>{_MONTH})\b(?:\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b)?(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?",
    re.IGNORECASE,
)
_HEAD = re.compile(r"\s+(?:-|\||–|—)\s+|:\s+")
_EARLIEST, _LATEST = "0001-01-01", "9999-12-31"


@dataclass(frozen=True)
class DateRange:
    """Inclusive ISO dates; an open end is 0001-01-01 or 9999-12-31."""

    start: str
    end: str

    def admits(self, published: str) -> bool:
        day = published[:10]
        return bool(day) and self.start <= day <= self.end


@dataclass(frozen=True)
class QueryPart:
    """The words of the question about one named outlet (or group of outlets sharing a name)."""

    text: str
    outlets: tuple[str, ...]
    dates: tuple[DateRange, ...] = ()


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    outlets: tuple[str, ...]  # every outlet named, in order of first mention
    dates: tuple[DateRange, ...]
    parts: tuple[QueryPart, ...]  # one per outlet mention


def outlet_keys(outlet: str) -> list[str]:
    """The lower-case names a question may call ``outlet`` by: its full name and its head, each
    with and without a leading "the"."""
    keys = {outlet.strip()}
    head = _HEAD.split(outlet, maxsplit=1)[0].strip()
    if head:
        keys.add(head)
    out = set()
    for key in keys:
        lowered = key.lower()
        out.add(lowered)
        if lowered.startswith("the ") and len(lowered) > 7:
            out.add(lowered[4:])
    return sorted((k for k in out if len(k) >= 3), key=len, reverse=True)


class OutletNames:
    """Finds the collection's outlets named in a question (longest name first, no overlaps)."""

    def __init__(self, outlets: Iterable[str]) -> None:
        names = set(outlets)  # read once: ``outlets`` may be a generator, and both tables need it
        by_key: dict[str, set[str]] = {}
        for outlet in names:
            for key in outlet_keys(outlet):
                by_key.setdefault(key, set()).add(outlet)
        # A full name names that outlet alone, even when it is also another outlet's head.
        full = {o.strip().lower(): o for o in names}
        self._by_key = {k: (full[k],) if k in full else tuple(sorted(v)) for k, v in by_key.items()}
        keys = sorted(self._by_key, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(k) for k in keys) + r")(?!\w)", re.IGNORECASE)
            if keys
            else None
        )

    def mentions(self, query: str) -> list[tuple[int, int, tuple[str, ...]]]:
        """(start, end, outlets) of each mention, in order."""
        if self._pattern is None:
            return []
        found = []
        for m in self._pattern.finditer(query):
            name = m.group()[4:] if m.group()[:4].lower() == "the " else m.group()
            if not (name[:1].isupper() or name[:1].isdigit()):
                continue
            found.append((m.start(), m.end(), self._by_key[m.group().lower()]))
        return found


def parse_dates(text: str, default_year: int | None = None) -> list[DateRange]:
    """The dates and ranges ``text`` names, in order."""
    matches = list(_DATE.finditer(text))
    years = [int(m.group("year")) for m in matches if m.group("year")]
    ranges = []
    for m in matches:
        if not m.group("day") and not m.group("year"):
            if (m.group("rel") or "").lower() not in ("in", "during"):
                continue  # a bare month name ("May") is too often a word or a name
        year = int(m.group("year")) if m.group("year") else (years[0] if years else default_year)
        if year is None:
            continue
        month = MONTHS[m.group("month").lower()]
        if m.group("day"):
            day = int(m.group("day"))
            if not 1 <= day <= calendar.monthrange(year, month)[1]:
                continue
            start = end = f"{year:04d}-{month:02d}-{day:02d}"
        else:
            start = f"{year:04d}-{month:02d}-01"
            end = f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"
        rel = " ".join((m.group("rel") or "").lower().split())
        if rel in ("before", "prior to"):
            start, end = _EARLIEST, _shift(start, -1)
        elif rel in ("after",):
            start, end = _shift(end, 1), _LATEST
        elif rel == "since":
            end = _LATEST
        elif rel in ("until", "by"):
            start = _EARLIEST
        ranges.append(DateRange(start, end))
    return ranges


def _shift(iso: str, days: int) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(iso) + timedelta(days=days)).isoformat()


def parse_query(query: str, names: OutletNames, default_year: int | None = None) -> ParsedQuery:
    mentions = names.mentions(query)
    years = [int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", query)]
    year = years[0] if years else default_year
    parts = []
    for i, (start, _end, outlets) in enumerate(mentions):
        stop = mentions[i + 1][0] if i + 1 < len(mentions) else len(query)
        if i == 0:
            start = 0  # the question's opening words belong to the first part
        text = query[start:stop].strip(" ,;")
        parts.append(QueryPart(text, outlets, tuple(parse_dates(text, year))))
    outlets = tuple(dict.fromkeys(o for _s, _e, group in mentions for o in group))
    return ParsedQuery(query, outlets, tuple(parse_dates(query, year)), tuple(parts))
