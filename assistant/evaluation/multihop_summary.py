"""The figures of a MultiHop-RAG run: retrieval and answer accuracy overall and per query type,
latency percentiles, and the answer-policy ablation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.evaluation.multihop import NULL_TYPE
from assistant.evaluation.scoring import mean, percentile


def summarise_retrieval(records: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    scored = [r for r in records if "retrieval" in r]
    if not scored:
        return None

    def stats(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
        return {
            "n": len(rows),
            "hits@4": mean(r["retrieval"]["hits@4"] for r in rows),
            "hits@10": mean(r["retrieval"]["hits@10"] for r in rows),
            "mrr@10": mean(r["retrieval"]["rr@10"] for r in rows),
            "map@10": mean(r["retrieval"]["ap@10"] for r in rows),
        }

    kinds = sorted({r["type"] for r in scored})
    seconds = [r["retrieval"]["seconds"] for r in scored]
    return {
        "overall": stats(scored),
        "by_type": {t: stats([r for r in scored if r["type"] == t]) for t in kinds},
        "latency_p50": percentile(seconds, 50),
        "latency_p95": percentile(seconds, 95),
    }


def summarise_answers(records: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    answered = [r for r in records if "answer" in r]
    if not answered:
        return None

    def stats(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
        return {"n": len(rows), **{
            key: mean(float(r["answer"][key]) for r in rows)
            for key in ("lenient", "strict", "majority_lenient", "majority_strict", "refused")
        }}

    kinds = sorted({r["type"] for r in answered})
    seconds = [r["answer"]["seconds"] for r in answered]
    null = [r for r in answered if r["type"] == NULL_TYPE]
    real = [r for r in answered if r["type"] != NULL_TYPE]
    return {
        "overall": stats(answered),
        "non_null": stats(real) if real else None,
        "null_refused": mean(float(r["answer"]["refused"]) for r in null),
        "non_null_refused": mean(float(r["answer"]["refused"]) for r in real),
        "by_type": {t: stats([r for r in answered if r["type"] == t]) for t in kinds},
        "ablation": summarise_ablation(answered),
        "latency_p50": percentile(seconds, 50),
        "latency_p95": percentile(seconds, 95),
    }


def summarise_ablation(records: Sequence[dict[str, Any]]) -> dict[str, dict[str, float | None]] | None:
    """Per rule switched off alone (and "all_off": every rule off): strict accuracy on non-null
    queries, refusals of null and of non-null queries; "as_shipped" is the pipeline as it runs."""
    rows = [r for r in records if "ablation" in r]
    if not rows:
        return None
    variants = {"as_shipped": lambda r: r["answer"]} | {
        name: (lambda r, name=name: r["ablation"][name]) for name in rows[0]["ablation"]
    }
    out: dict[str, dict[str, float | None]] = {}
    for name, pick in variants.items():
        real = [pick(r) for r in rows if r["type"] != NULL_TYPE]
        null = [pick(r) for r in rows if r["type"] == NULL_TYPE]
        out[name] = {
            "strict_non_null": mean(float(a["strict"]) for a in real),
            "lenient_non_null": mean(float(a["lenient"]) for a in real),
            "null_refused": mean(float(a["refused"]) for a in null),
            "non_null_refused": mean(float(a["refused"]) for a in real),
        }
    return out
