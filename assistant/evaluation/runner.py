"""``newsdesk eval``: its command-line arguments, and the dispatch to the gold-set run
(:mod:`~assistant.evaluation.gold_eval`) or the MultiHop-RAG run (:mod:`~assistant.evaluation.multihop_run`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant import Config
from assistant.evaluation.gold_eval import run_gold
from assistant.evaluation.harness import DEFAULT_OUT, EvalArgs, EvalResult
from assistant.evaluation.multihop_run import run_multihop

__all__ = ["EvalArgs", "EvalResult", "add_eval_arguments", "args_from_namespace", "run_eval"]


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    # Required: the seeds gold set lives with the tests (tests/gold/seeds.jsonl), and a package
    # does not read its defaults from a checkout's tests/.
    parser.add_argument("gold_path", type=Path, metavar="GOLD",
                        help="gold JSONL (the seeds gold set: tests/gold/seeds.jsonl) or MultiHop-RAG queries JSON")
    parser.add_argument("--format", choices=["gold", "multihop-rag"], default="gold",
                        help="what GOLD is (default gold)")
    parser.add_argument("--corpus", type=Path, action="append", metavar="PATH",
                        help="articles to ingest into a fresh temporary index (repeatable; "
                             "default seeds/, or corpus.json next to MultiHop-RAG queries)")
    parser.add_argument("--backend", choices=["local", "openai", "extractive"])
    parser.add_argument("--out", dest="out_dir", type=Path, default=DEFAULT_OUT,
                        help="where results.json, report.md and plots go (default eval-out)")
    parser.add_argument("--compare", action="store_true",
                        help="also run a naive llama-index VectorStoreIndex baseline (gold format)")
    parser.add_argument("--retrieval-only", action="store_true", help="score retrieval, generate nothing")
    parser.add_argument("--index", dest="index_dir", type=Path, metavar="DIR",
                        help="keep the evaluation's index in DIR, a folder for this corpus alone, and reuse it "
                             "(default: a temporary index, removed afterwards)")
    parser.add_argument("--split", choices=["tune", "confirm"],
                        help="MultiHop-RAG: one fixed half of the queries (design on tune, report confirm)")
    parser.add_argument("--limit", type=int, help="evaluate a deterministic, type-stratified sample of N")
    parser.add_argument("--ablate", action="store_true",
                        help="also score every answer with each answer-policy rule switched off (same model run)")
    parser.add_argument("-k", "--k", type=int, default=10, help="retrieval depth for hit@k and MRR (default 10)")


def args_from_namespace(ns: argparse.Namespace) -> EvalArgs:
    if ns.limit is not None and ns.limit <= 0:
        raise ValueError("--limit must be a positive number")
    if ns.k <= 0:
        raise ValueError("-k must be a positive number")
    if ns.split and ns.format != "multihop-rag":
        raise ValueError("--split picks a half of the MultiHop-RAG queries: use it with --format multihop-rag")
    if ns.format == "multihop-rag" and ns.compare:
        raise ValueError("--compare runs the gold format only")
    return EvalArgs(
        gold_path=Path(ns.gold_path),
        corpus=[Path(p) for p in ns.corpus] if ns.corpus else None,
        backend=ns.backend,
        out_dir=Path(ns.out_dir),
        compare=bool(ns.compare),
        format=ns.format,
        retrieval_only=bool(ns.retrieval_only),
        limit=ns.limit,
        k=ns.k,
        split=ns.split,
        ablate=bool(ns.ablate),
        index_dir=Path(ns.index_dir) if ns.index_dir else None,
    )


def run_eval(args: EvalArgs, config: Config) -> EvalResult:
    """Evaluate and write ``results.json``, ``report.md`` and PNG plots into ``args.out_dir``."""
    if args.format == "multihop-rag":
        return run_multihop(args, config)
    return run_gold(args, config)
