"""What may be retrieved: outlets, a date range, given articles, as a Chroma ``where`` clause, a
test of one chunk, and a mask over the keyword index's chunks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.retrieval.query import DateRange
from index import Chunk, Columns, day_number


@dataclass(frozen=True)
class Filters:
    """Optional restrictions on what may be retrieved."""

    outlets: tuple[str, ...] = ()
    date_from: str = ""  # ISO date, inclusive
    date_to: str = ""
    doc_ids: tuple[str, ...] = ()

    def where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.outlets:
            clauses.append({"outlet": {"$in": list(self.outlets)}})
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if self.date_from:
            clauses.append({"published_day": {"$gte": day_number(self.date_from)}})
        if self.date_to:
            clauses.append({"published_day": {"$lte": day_number(self.date_to)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def admits(self, chunk: Chunk) -> bool:
        if self.outlets and chunk.outlet not in self.outlets:
            return False
        if self.doc_ids and chunk.doc_id not in self.doc_ids:
            return False
        day = day_number(chunk.published)
        if self.date_from and day < day_number(self.date_from):
            return False
        return not (self.date_to and day > day_number(self.date_to))


def chunk_mask(columns: Columns, days: np.ndarray, filters: Filters, dates: Sequence[DateRange]) -> np.ndarray | None:
    """Which of the keyword index's chunks ``filters`` and every one of ``dates`` admit (None: all).
    ``days``: published[:10] of each distinct published value of ``columns``."""
    if filters == Filters() and not dates:
        return None
    mask = np.ones(len(columns), dtype=bool)
    if filters.outlets:
        mask &= columns.strings["outlet"].mask(filters.outlets)
    if filters.doc_ids:
        mask &= columns.strings["doc_id"].mask(filters.doc_ids)
    codes = columns.strings["published"].codes  # [codes] spreads a per-value array over the chunks
    if filters.date_from:
        mask &= (days >= filters.date_from[:10])[codes]
    if filters.date_to:
        mask &= (days <= filters.date_to[:10])[codes]  # an unknown date ("") passes, as in Chroma
    for d in dates:
        mask &= ((days >= d.start) & (days <= d.end))[codes]
    return mask
