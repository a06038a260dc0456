"""The gold format's run: ask every question (replaying follow-up history), score it, summarise."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

from assistant import Answer, Assistant, Config, TextDelta
from assistant.evaluation.baseline import run_baseline
from assistant.evaluation.gold import GoldQuestion, load_gold
from assistant.evaluation.gold_report import write_gold_report
from assistant.evaluation.harness import (
    DEFAULT_SEEDS,
    EvalArgs,
    EvalResult,
    fresh_assistant,
    said_by_model,
    source_matcher,
    stratified,
)
from assistant.evaluation.scoring import SourceMatcher, mean, percentile, score_question
from assistant.types import Turn

log = logging.getLogger(__name__)


@dataclass
class Asked:
    answer: Answer | None
    latency: float | None
    ttft: float | None
    history: list[Turn] = field(default_factory=list)
    earlier: list[dict[str, Any]] = field(default_factory=list)  # what the model said on each earlier turn


def ask_with_history(bot: Assistant, question: GoldQuestion, trace: bool = False) -> Asked:
    """Replay the earlier user turns in one conversation, then stream the question and time it."""
    history: list[Turn] = []
    said: list[dict[str, Any]] = []
    for earlier in question.history:
        previous = bot.ask(earlier, history=list(history))
        history += [{"role": "user", "content": earlier}, {"role": "assistant", "content": previous.text}]
        said.append(said_by_model(previous))
    started = time.perf_counter()
    ttft: float | None = None
    answer: Answer | None = None
    for event in bot.stream(question.question, history=list(history), trace=trace):
        if isinstance(event, TextDelta):
            if ttft is None:
                ttft = time.perf_counter() - started
        elif isinstance(event, Answer):
            answer = event
    return Asked(answer, time.perf_counter() - started, ttft, history, said)


def summarise(records: Sequence[dict[str, Any]], k: int) -> dict[str, Any]:
    """Overall figures of a list of per-question records (each with ``type``, ``answerable``, ``scores``)."""
    answerable = [r for r in records if r["answerable"]]
    refusals = [r for r in records if not r["answerable"]]
    answered = [r for r in answerable if "correct" in r["scores"] and not r["scores"]["false_refusal"]]
    out: dict[str, Any] = {"questions": len(records)}
    if any("correct" in r["scores"] for r in records):
        out.update(
            accuracy=mean(float(r["scores"]["correct"]) for r in records),
            key_fact_accuracy=mean(float(r["scores"]["correct"]) for r in answerable),
            refusal_accuracy=mean(float(r["scores"]["correct"]) for r in refusals),
            false_refusal_rate=mean(float(r["scores"]["false_refusal"]) for r in answerable),
            citation_precision=mean(r["scores"].get("citation_precision") for r in answered),
            citation_recall=mean(r["scores"].get("citation_recall") for r in answered),
            uncited_answers=sum(1 for r in answered if r["scores"].get("citation_precision") is None),
        )
    if any("rank" in r["scores"] for r in answerable):
        out.update({
            "hit@1": mean(r["scores"]["hit1"] for r in answerable),
            "hit@5": mean(r["scores"]["hit5"] for r in answerable),
            f"hit@{k}": mean(r["scores"]["hitk"] for r in answerable),
            f"mrr@{k}": mean(r["scores"]["rr"] for r in answerable),
        })
    latencies = [r["timings"].get("latency") for r in records]
    if any(v is not None for v in latencies):
        ttfts = [r["timings"].get("ttft") for r in records]
        out.update(latency_p50=percentile(latencies, 50), latency_p95=percentile(latencies, 95),
                   ttft_p50=percentile(ttfts, 50), ttft_p95=percentile(ttfts, 95))
    return out


def summarise_by_type(records: Sequence[dict[str, Any]], k: int) -> dict[str, dict[str, Any]]:
    kinds = list(dict.fromkeys(r["type"] for r in records))
    return {kind: summarise([r for r in records if r["type"] == kind], k) for kind in kinds}


def run_gold(args: EvalArgs, config: Config) -> EvalResult:
    started = time.perf_counter()
    questions = load_gold(args.gold_path)
    if args.limit:
        questions = stratified(questions, args.limit, key=lambda q: q.type)
    corpus = args.corpus or [DEFAULT_SEEDS]
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with fresh_assistant(config, corpus, args.backend, args.index_dir) as (bot, ingested, temp_config):
        matcher = source_matcher(bot)
        records = [
            _gold_record(bot, q, matcher, args)
            for q in tqdm(questions, desc=f"newsdesk ({bot.backend})", unit="q", disable=None)
        ]
        backend, label = bot.backend, bot.backend_label
        baseline_records = None
        if args.compare:
            baseline_records, baseline_label = run_baseline(
                temp_config, corpus, questions, args.backend or backend, matcher, args
            )
    systems = {"newsdesk": _system(records, args.k, label)}
    if baseline_records is not None:
        systems["baseline"] = _system(baseline_records, args.k, baseline_label)
    results = {
        "format": "gold",
        "gold": str(args.gold_path),
        "corpus": [str(p) for p in corpus],
        "backend": backend,
        "k": args.k,
        "retrieval_only": args.retrieval_only,
        "ingest": {"articles": len(ingested.added), "chunks": ingested.total_chunks,
                   "clusters": ingested.clusters, "seconds": round(ingested.seconds, 2)},
        "systems": systems,
        "seconds": round(time.perf_counter() - started, 1),
    }
    written = write_gold_report(results, args.out_dir)
    return EvalResult(
        format="gold",
        out_dir=args.out_dir,
        results_path=written.results,
        report_path=written.report,
        plots=written.plots,
        metrics=_headline(systems["newsdesk"]["overall"]),
        baseline=_headline(systems["baseline"]["overall"]) if "baseline" in systems else None,
        questions=len(questions),
        seconds=time.perf_counter() - started,
        backend=backend,
    )


def _system(records: list[dict[str, Any]], k: int, label: str) -> dict[str, Any]:
    system = {"label": label, "overall": summarise(records, k), "by_type": summarise_by_type(records, k),
              "questions": records}
    if records and "ablation" in records[0]:
        system["ablation"] = {
            name: summarise([{**r, "scores": r["ablation"][name]} for r in records if "ablation" in r], k)
            for name in records[0]["ablation"]
        }
    return system


_HEADLINE = ("accuracy", "key_fact_accuracy", "refusal_accuracy", "false_refusal_rate",
             "citation_precision", "citation_recall", "hit@5", "latency_p50", "ttft_p50")


def _headline(overall: dict[str, Any]) -> dict[str, Any]:
    keys = [*_HEADLINE, *(k for k in overall if k.startswith("mrr@"))]
    return {k: overall[k] for k in keys if overall.get(k) is not None}


def _gold_record(bot: Assistant, q: GoldQuestion, matcher: SourceMatcher, args: EvalArgs) -> dict[str, Any]:
    record: dict[str, Any] = {"id": q.id, "type": q.type, "question": q.question, "history": list(q.history),
                              "answerable": q.answerable, "gold_sources": list(q.sources)}
    if args.retrieval_only:
        query = " ".join([*q.history, q.question])  # no condensing without the read path
        asked = Asked(None, None, None)
    else:
        asked = ask_with_history(bot, q, trace=args.ablate)
        assert asked.answer is not None
        query = asked.answer.query or q.question
    retrieved = bot.retrieve(query, k=args.k)
    answer = asked.answer
    cited = [(c.doc_id, c.source) for c in answer.citations] if answer else []
    record.update(
        query=query,
        answer=answer.text if answer else None,
        refused=answer.refused if answer else None,
        citations=[{"number": c.number, "doc_id": c.doc_id, "source": c.source, "quote": c.quote}
                   for c in answer.citations] if answer else [],
        retrieved=[s.source for s in retrieved],
        # what the model said, so a later change after the model can be replayed on this run
        **(said_by_model(answer) if answer else {"raw": None, "judgement": None}),
        earlier=asked.earlier,
        timings={"latency": asked.latency, "ttft": asked.ttft,
                 **({f"pipeline_{k}": v for k, v in answer.timings.items()} if answer else {})},
    )
    record["scores"] = score_question(
        q, text=answer.text if answer else "", refused=bool(answer and answer.refused), cited=cited,
        retrieved=[(s.doc_id, s.source) for s in retrieved], matcher=matcher, k=args.k,
        answered=answer is not None,
    )
    if answer is not None and args.ablate:
        record["ablation"] = {
            name: score_question(q, text=v["text"], refused=v["refused"], cited=[tuple(c) for c in v["cited"]],
                                 retrieved=None, matcher=matcher, k=args.k)
            for name, v in answer.trace.get("ablation", {}).items()
        }
    if answer is not None and not record["scores"].get("correct", True):
        log.info("%s wrong: %r -> %r", q.id, q.question, answer.text)
    return record
