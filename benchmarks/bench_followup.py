"""Follow-ups with and without the evidence order carried over from the previous turn, same run.

    .venv/bin/python benchmarks/bench_followup.py [--repeats 2] [--index-news DIR] [--index-seeds DIR]

Every follow-up question of both gold sets (``tests/gold/seeds.jsonl`` over ``seeds/``,
``tests/gold/news.jsonl`` over its corpus), asked with the local model after its earlier turns
are replayed in the same conversation, once with the read path as shipped (a follow-up's evidence
starts with the sentences its previous turn read, in that order: :mod:`assistant.pipeline.carryover`) and
once with the evidence in its own order, alternating per question so both meet the same machine
load. Reported: the follow-up's first-token and whole-answer p50 and its key facts, per setting,
and the ratio of the first-token times. Only the order of the evidence differs between the two.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench_answer import cpu_name

from assistant import Assistant, Config
from assistant.evaluation.gold import load_gold
from assistant.evaluation.gold_eval import ask_with_history
from assistant.evaluation.harness import fresh_assistant, source_matcher
from assistant.evaluation.scoring import score_question
from assistant.pipeline import Stages
from assistant.types import Evidence

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "seeds": (ROOT / "tests" / "gold" / "seeds.jsonl", [ROOT / "seeds"]),
    "news": (ROOT / "tests" / "gold" / "news.jsonl", [ROOT / "tests" / "gold" / "news_corpus.json"]),
}


def own_order(evidence: Sequence[Evidence], _previous: object) -> list[Evidence]:
    return list(evidence)


def measure(bot: Assistant, gold: Path, repeats: int) -> dict[str, list[dict[str, Any]]]:
    variants = {"carried over": bot, "own order": bot.with_read_path(stages=Stages(order_evidence=own_order))}
    matcher = source_matcher(bot)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
    followups = [q for q in load_gold(gold) if q.history]
    for _ in range(repeats):
        for i, question in enumerate(followups):
            names = list(variants) if i % 2 == 0 else list(reversed(variants))
            for name in names:
                asked = ask_with_history(variants[name], question)
                assert asked.answer is not None
                answer = asked.answer
                scores = score_question(question, text=answer.text, refused=answer.refused,
                                        cited=[(c.doc_id, c.source) for c in answer.citations],
                                        retrieved=None, matcher=matcher, k=10)
                rows[name].append({"id": question.id, "ttft": asked.ttft, "latency": asked.latency,
                                   "correct": bool(scores.get("correct"))})
    return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "first_token_p50": round(statistics.median(r["ttft"] for r in rows), 3),
        "answer_p50": round(statistics.median(r["latency"] for r in rows), 3),
        "key_facts_right": f"{sum(r['correct'] for r in rows)}/{len(rows)}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--index-seeds", type=Path, help="reuse a collection of the seeds (see newsdesk eval --index)")
    parser.add_argument("--index-news", type=Path, help="reuse a collection of the news gold corpus")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    config = Config.load(backend="local")
    out: dict[str, Any] = {"cpu": cpu_name()}
    every: dict[str, list[dict[str, Any]]] = {}
    for name, (gold, corpus) in SETS.items():
        index = getattr(args, f"index_{name}")
        with fresh_assistant(config, corpus, "local", index) as (bot, _report, _config):
            rows = measure(bot, gold, args.repeats)
            out[name] = {variant: summary(r) for variant, r in rows.items()}
            for variant, r in rows.items():
                every.setdefault(variant, []).extend(r)
    out["both sets"] = {variant: summary(r) for variant, r in every.items()}
    both = out["both sets"]
    out["first_token_ratio"] = round(both["carried over"]["first_token_p50"] / both["own order"]["first_token_p50"], 3)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
