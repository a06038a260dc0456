"""MultiHop-RAG (Tang & Yang, COLM 2024): the benchmark's queries, its two fixed halves, and the
rules of its scoring that the run, the summaries and the benchmarks share.

Running it: :mod:`assistant.evaluation.multihop_run`; its figures:
:mod:`assistant.evaluation.multihop_summary`; its report: :mod:`assistant.evaluation.multihop_report`.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.evaluation.harness import stratified

NULL_TYPE = "null_query"
NULL_ANSWER = "Insufficient information."
TOP = 10


@dataclass(frozen=True)
class MultihopQuery:
    qid: str
    query: str
    answer: str
    type: str
    facts: tuple[str, ...]
    urls: tuple[str, ...]


def load_queries(path: Path) -> list[MultihopQuery]:
    """The queries of a MultiHop-RAG JSON file (``queries_dev.json`` or the original layout)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"{path}: cannot read MultiHop-RAG queries ({err})") from err
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of queries")
    queries = []
    for n, item in enumerate(data):
        try:
            evidence = item.get("evidence_list") or []
            queries.append(MultihopQuery(
                qid=str(item.get("qid") or f"mh{n:04d}"),
                query=item["query"],
                answer=item["answer"],
                type=item["question_type"],
                facts=tuple(e["fact"] for e in evidence),
                urls=tuple(e.get("url", "") for e in evidence),
            ))
        except (KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"{path}: query {n} lacks a field ({err})") from err
    return queries


SPLITS = ("tune", "confirm")


def split(queries: Sequence[MultihopQuery], name: str) -> list[MultihopQuery]:
    """One half of ``queries``, fixed once and for all: within each question type the queries are
    ordered by the SHA-256 of their text and dealt alternately to ``tune`` and ``confirm``, so both
    halves hold every type in the same proportion, whatever the file's order. Design and debug on
    ``tune``; report ``confirm`` (a gain on ``tune`` alone was tuned, not earned)."""
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}: choose {' or '.join(SPLITS)}")
    by_type: dict[str, list[MultihopQuery]] = {}
    for q in queries:
        by_type.setdefault(q.type, []).append(q)
    chosen: set[int] = set()
    for group in by_type.values():
        ordered = sorted(group, key=lambda q: hashlib.sha256(q.query.encode("utf-8")).hexdigest())
        chosen |= {id(q) for rank, q in enumerate(ordered) if SPLITS[rank % 2] == name}
    return [q for q in queries if id(q) in chosen]


def select_queries(
    queries: Sequence[MultihopQuery], limit: int | None, retrieval_only: bool, half: str | None = None
) -> list[MultihopQuery]:
    """The queries to evaluate: one half (``tune``/``confirm``) if asked, null queries only when
    answers are scored, then a type-stratified sample of ``limit``."""
    pool = split(queries, half) if half else list(queries)
    pool = [q for q in pool if not (retrieval_only and q.type == NULL_TYPE)]
    return stratified(pool, limit, key=lambda q: q.type) if limit else pool


def majority_answers(queries: Sequence[MultihopQuery]) -> dict[str, str]:
    """The most frequent gold answer of each query type (ties: the first seen)."""
    by_type: dict[str, Counter[str]] = {}
    for q in queries:
        by_type.setdefault(q.type, Counter())[q.answer] += 1
    return {t: counts.most_common(1)[0][0] for t, counts in by_type.items()}
