"""A MultiHop-RAG run: retrieval and answer accuracy by the paper's rules.

Retrieval: every non-null query's top 10 chunks from ``Assistant.retrieve`` (syndicated copies
collapsed, as newsdesk always does) scored with Hits@4, Hits@10, MRR@10 and MAP@10 exactly as the
paper's ``retrieval_evaluate.py``. Answers: the paper's lenient word-overlap rule and a strict
normalised exact match, per query type, beside always answering each type's majority answer.
Each query's record is journaled as it is scored, so a stopped run resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant import Assistant, Config
from assistant.evaluation.harness import EvalArgs, EvalResult, fresh_assistant, said_by_model
from assistant.evaluation.multihop import (
    NULL_ANSWER,
    NULL_TYPE,
    TOP,
    MultihopQuery,
    load_queries,
    majority_answers,
    select_queries,
)
from assistant.evaluation.multihop_report import write_multihop_report
from assistant.evaluation.multihop_summary import summarise_answers, summarise_retrieval
from assistant.evaluation.scoring import lenient_correct, multihop_retrieval_score, strict_correct

log = logging.getLogger(__name__)


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
    written = write_multihop_report(results, args.out_dir)
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
            "closed": answer.trace.get("closed"),
            **said_by_model(answer),
        })
        if ablate:
            record["ablation"] = {
                name: _scored(v["text"], v["short"], v["refused"], q, majority)
                for name, v in answer.trace.get("ablation", {}).items()
            }
    return record
