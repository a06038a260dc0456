"""How far the local model can get on the seeds gold set's key facts, and what limits it.

    .venv/bin/python benchmarks/bench_ceiling.py [--budgets 200,260,400,600] [--no-oracle]

Asks the answerable questions of tests/gold/seeds.jsonl (follow-ups replayed) through the whole
pipeline with the local backend, once per evidence budget (tokens of evidence sentences; the
sentence limit grows with the budget), and reports per budget:

- ``in_evidence``: share of the questions whose key facts all reach the evidence the model reads;
- ``key_facts``: share answered with all their key facts (the eval command's rule);
- ``first_token_p50``: time to the first answer token, against the 3 s limit.

Then, at the configured budget, with **oracle evidence**: the sentences of the retrieved chunks
that hold each missing key fact are put first, and the rest of the budget is filled as usual. That
is the best any evidence selection could do at this prompt size; it is run with the YES/NO
decision and with the decision off (every question answered). ~5 min per run on 2 cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant import Answer, Assistant, Config, TextDelta
from assistant.evaluation.gold import GoldQuestion, load_gold
from assistant.evaluation.scoring import contains, key_facts_correct
from assistant.pipeline import Stages
from assistant.pipeline.evidence import select_evidence
from assistant.policy import AnswerPolicy
from assistant.types import Evidence, Turn
from index.chunker import approx_tokens

ROOT = Path(__file__).resolve().parents[1]
log = logging.getLogger("bench_ceiling")
FIRST_TOKEN_LIMIT = 3.0
TOKENS_PER_SENTENCE = 25  # as the defaults: 12 sentences / 300 tokens (and 8 / 200 before them)


class EvidenceProbe:
    """The read path's evidence stage (:class:`Stages`): records the evidence of the question
    being scored and, with ``oracle``, rewrites it so that the key-fact sentences come first."""

    def __init__(self, oracle: bool) -> None:
        self.oracle = oracle
        self.question: GoldQuestion | None = None  # None while earlier turns are replayed
        self.seen: list[Evidence] = []

    def __call__(self, question: str, hits: Any, parts: Sequence[str], config: Config) -> list[Evidence]:
        budget_tokens = config.evidence_tokens
        chosen = select_evidence(question, hits, limit=config.evidence_sentences, budget_tokens=budget_tokens,
                                 parts=parts)
        if self.question is None:
            return chosen
        if self.oracle:
            everything = select_evidence(question, hits, limit=10_000, per_article=10_000)
            chosen = _oracle(self.question, chosen, everything, budget_tokens or 10**9)
        self.seen = chosen
        return chosen


def _oracle(q: GoldQuestion, chosen: list[Evidence], everything: list[Evidence], budget: int) -> list[Evidence]:
    forced: list[Evidence] = []
    for group in q.must_include:
        text = " ".join(e.text for e in [*forced, *chosen])
        if any(contains(text, alt) for alt in group):
            continue
        holder = next((e for e in everything if any(contains(e.text, alt) for alt in group)), None)
        if holder is not None and holder not in forced:
            forced.append(holder)
    spent = sum(approx_tokens(e.text) for e in forced)
    rest = []
    for e in chosen:
        overlaps = any(f.doc_id == e.doc_id and f.start < e.end and e.start < f.end for f in forced)
        if not overlaps and spent + approx_tokens(e.text) <= budget:
            rest.append(e)
            spent += approx_tokens(e.text)
    return [dataclasses.replace(e, number=i + 1) for i, e in enumerate([*forced, *rest])]


@dataclasses.dataclass(frozen=True)
class Row:
    id: str
    in_evidence: bool
    correct: bool
    refused: bool
    first_token: float


def run(bot: Assistant, gold: Sequence[GoldQuestion], probe: EvidenceProbe, policy: AnswerPolicy) -> dict[str, Any]:
    rows: list[Row] = []
    bot = bot.with_read_path(policy=policy, stages=Stages(select_evidence=probe))
    for q in gold:
        probe.question = None
        history: list[Turn] = []
        for earlier in q.history:
            previous = bot.ask(earlier, history=list(history))
            history += [{"role": "user", "content": earlier}, {"role": "assistant", "content": previous.text}]
        probe.question = q
        started, first, answer = time.perf_counter(), None, None
        for event in bot.stream(q.question, history=history):
            if isinstance(event, TextDelta):
                first = first if first is not None else time.perf_counter() - started
            elif isinstance(event, Answer):
                answer = event
        assert answer is not None
        seen = " ".join(e.text for e in probe.seen)
        rows.append(
            Row(
                q.id,
                in_evidence=key_facts_correct(seen, q.must_include, False),
                correct=key_facts_correct(answer.text, q.must_include, answer.refused),
                refused=answer.refused,
                first_token=first or 0.0,
            )
        )
    n = len(rows)
    first_p50 = statistics.median(r.first_token for r in rows)
    return {
        "questions": n,
        "in_evidence": round(sum(r.in_evidence for r in rows) / n, 3),
        "key_facts": round(sum(r.correct for r in rows) / n, 3),
        "refused": round(sum(r.refused for r in rows) / n, 3),
        "first_token_p50": round(first_p50, 2),
        "first_token_vs_limit": round(first_p50 / FIRST_TOKEN_LIMIT, 2),
        "missed": [r.id for r in rows if not r.correct],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", default="200,260,400,600", help="evidence token budgets to compare")
    parser.add_argument("--no-oracle", action="store_true", help="skip the two oracle-evidence runs")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)  # the libraries' chatter stays out
    log.setLevel(logging.INFO)  # one progress line per run: a run takes ~6 min
    gold = [q for q in load_gold(ROOT / "tests/gold/seeds.jsonl") if q.answerable]

    budgets = [int(b) for b in args.budgets.split(",")]
    default = Config.load().evidence_tokens
    runs = [(f"budget {b}", b, False, True) for b in budgets]
    if not args.no_oracle:
        runs += [
            (f"oracle evidence, budget {default}", default, True, True),
            (f"oracle evidence, budget {default}, no YES/NO decision", default, True, False),
        ]
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        config = Config.load(data_dir=Path(tmp), model_dir=ROOT / "data" / "models")
        Assistant.from_config(config, backend="extractive").ingest([ROOT / "seeds"])
        for name, budget, oracle, decide in runs:
            sized = config.replace(evidence_tokens=budget, evidence_sentences=max(1, budget // TOKENS_PER_SENTENCE))
            bot = Assistant.from_config(sized, backend="local")  # the loaded model is shared between runs
            bot.ask(gold[0].question)  # load the model, warm the caches
            policy = AnswerPolicy() if decide else AnswerPolicy(disabled=frozenset({"model_decision"}))
            started = time.perf_counter()
            results[name] = run(bot, gold, EvidenceProbe(oracle), policy)
            log.info("%s: %s (%.0f s)", name, json.dumps(results[name]), time.perf_counter() - started)
    print(json.dumps({"first_token_limit_s": FIRST_TOKEN_LIMIT, "results": results}, indent=2))


if __name__ == "__main__":
    main()
