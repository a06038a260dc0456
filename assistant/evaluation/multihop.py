"""MultiHop-RAG (Tang & Yang, COLM 2024): retrieval and answer accuracy by the paper's rules.

Retrieval: every non-null query's top 10 chunks from ``Assistant.retrieve`` (syndicated copies
collapsed, as newsdesk always does) scored with Hits@4, Hits@10, MRR@10 and MAP@10 exactly as the
paper's ``retrieval_evaluate.py``. Answers: the paper's lenient word-overlap rule and a strict
normalised exact match, per query type, beside always answering each type's majority answer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import signal
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant import Assistant, Config
from assistant.evaluation import report
from assistant.evaluation.harness import EvalArgs, EvalResult, fresh_assistant, stratified
from assistant.evaluation.scoring import (
    lenient_correct,
    mean,
    multihop_retrieval_score,
    percentile,
    strict_correct,
)

log = logging.getLogger(__name__)

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


def run_multihop(args: EvalArgs, config: Config) -> EvalResult:
    started = time.perf_counter()
    queries = load_queries(args.gold_path)
    chosen = select_queries(queries, args.limit, args.retrieval_only, args.split)
    majority = majority_answers(queries)
    corpus = args.corpus or [Path(args.gold_path).with_name("corpus.json")]
    args.out_dir.mkdir(parents=True, exist_ok=True)
    # Each query's record is appended to records.jsonl as soon as it is scored, so a run that dies
    # (or is stopped) keeps what it measured, and the same command resumes where it stopped.
    journal = args.out_dir / "records.jsonl"
    done = _journal(journal, chosen, args)
    with fresh_assistant(config, corpus, args.backend, args.index_dir) as (bot, ingested, _config):
        with journal.open("a", encoding="utf-8") as out, _stop_on_sigterm():
            try:
                for q in tqdm([q for q in chosen if q.qid not in done], desc="MultiHop-RAG", unit="q", disable=None):
                    done[q.qid] = _record(bot, q, majority, args.retrieval_only, args.ablate)
                    out.write(json.dumps(done[q.qid], default=str) + "\n")
                    out.flush()
            except KeyboardInterrupt:  # Ctrl-C or SIGTERM: report what was measured (the sample is
                # interleaved by type, so a prefix of it stays close to stratified)
                log.warning("stopped after %d of %d queries: reporting those", len(done), len(chosen))
        records = [done[q.qid] for q in chosen if q.qid in done]
        backend = bot.backend
    results: dict[str, Any] = {
        "format": "multihop-rag",
        "queries": str(args.gold_path),
        "corpus": [str(p) for p in corpus],
        "backend": "retrieval only" if args.retrieval_only else backend,
        "limit": args.limit,
        "split": args.split,
        "evaluated": len(records),
        "ingest": {"articles": len(ingested.added), "chunks": ingested.total_chunks,
                   "seconds": round(ingested.seconds, 1)},
        "retrieval": summarise_retrieval(records),
        "answers": None if args.retrieval_only else summarise_answers(records),
        "majority_answers": majority,
        "seconds": round(time.perf_counter() - started, 1),
        "questions": records,
    }
    written = report.write_multihop_report(results, args.out_dir)
    metrics: dict[str, Any] = {}
    if results["retrieval"]:
        metrics.update({k: v for k, v in results["retrieval"]["overall"].items() if k != "n"})
    if results["answers"]:
        metrics.update({f"answer_{k}": v for k, v in results["answers"]["overall"].items() if k != "n"})
    return EvalResult(
        format="multihop-rag",
        out_dir=args.out_dir,
        results_path=written.results,
        report_path=written.report,
        plots=written.plots,
        metrics=metrics,
        questions=len(records),
        seconds=time.perf_counter() - started,
        backend=results["backend"],
    )


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """SIGTERM (``kill``, a job scheduler's time limit) stops the run like Ctrl-C does."""

    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _journal(path: Path, chosen: Sequence[MultihopQuery], args: EvalArgs) -> dict[str, dict[str, Any]]:
    """The records a previous run of the same evaluation left in ``path`` (keyed by qid); the file
    is started afresh when it was written by a different kind of run."""
    header = {"journal": "multihop-rag", "split": args.split, "retrieval_only": args.retrieval_only,
              "ablate": args.ablate, "backend": args.backend, "queries": str(args.gold_path)}
    wanted = {q.qid for q in chosen}
    done: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    if lines and _json_or_none(lines[0]) == header:
        for line in lines[1:]:
            row = _json_or_none(line)  # a line cut short by a crash is measured again
            if isinstance(row, dict) and row.get("qid") in wanted:
                done[row["qid"]] = row
        if done:
            log.info("resuming: %d of %d queries already scored in %s", len(done), len(chosen), path)
        return done
    path.write_text(json.dumps(header) + "\n", encoding="utf-8")
    return done


def _json_or_none(line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


def _scored(text: str, short: str, refused: bool, q: MultihopQuery, majority: dict[str, str]) -> dict[str, Any]:
    """One answer scored: its direct answer (the verdict, or the first sentence), or the null answer
    when refused; by the paper's lenient rule and strictly."""
    prediction = NULL_ANSWER if refused else (short or text)
    guess = majority.get(q.type, "")
    return {
        "text": text, "refused": refused, "scored_as": prediction,
        "lenient": lenient_correct(prediction, q.answer), "strict": strict_correct(prediction, q.answer),
        "majority_lenient": lenient_correct(guess, q.answer), "majority_strict": strict_correct(guess, q.answer),
    }


def _record(
    bot: Assistant, q: MultihopQuery, majority: dict[str, str], retrieval_only: bool, ablate: bool = False
) -> dict[str, Any]:
    record: dict[str, Any] = {"qid": q.qid, "type": q.type, "query": q.query, "gold": q.answer}
    if q.type != NULL_TYPE:
        began = time.perf_counter()
        retrieved = bot.retrieve(q.query, k=TOP)
        seconds = time.perf_counter() - began
        score = multihop_retrieval_score([s.text for s in retrieved], q.facts)
        record["retrieval"] = {
            "hits@4": score.hit4, "hits@10": score.hit10, "rr@10": score.rr10, "ap@10": score.ap10,
            "seconds": round(seconds, 4), "retrieved": [s.source for s in retrieved],
        }
    if not retrieval_only:
        answer = bot.ask(q.query, trace=ablate)
        record["answer"] = _scored(answer.text, answer.short, answer.refused, q, majority)
        record["answer"].update({
            "seconds": round(answer.timings.get("total", 0.0), 3),
            "citations": [c.source for c in answer.citations],
            "refusal": answer.refusal.code if answer.refusal else None,
            "verdict": answer.verdict,
            "judgement": _plain(answer.trace.get("judgement")),
            "closed": answer.trace.get("closed"),
            "raw": answer.trace.get("raw"),
        })
        if ablate:
            record["ablation"] = {
                name: _scored(v["text"], v["short"], v["refused"], q, majority)
                for name, v in answer.trace.get("ablation", {}).items()
            }
    return record


def _plain(value: Any) -> Any:
    """A dataclass (e.g. the model's Judgement) as a dict, for JSON."""
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) and not isinstance(value, type) else value


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
