"""``newsdesk eval``: run a gold set (or MultiHop-RAG) through a fresh index and write a report.

The corpus is always ingested into a fresh temporary collection (an embedded Chroma in a temp
data dir, removed afterwards), never into the configured one: results are then reproducible and
an evaluation can neither read stale articles nor write into the user's index. The local model
file is still taken from the configured models directory.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from assistant import Assistant, Config
from assistant.evaluation.scoring import SourceMatcher
from index.types import IngestReport

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_GOLD = ROOT / "tests" / "gold" / "seeds.jsonl"
DEFAULT_SEEDS = ROOT / "seeds"
DEFAULT_OUT = Path("eval-out")
Format = Literal["gold", "multihop-rag"]


@dataclass(frozen=True)
class EvalArgs:
    gold_path: Path = DEFAULT_GOLD
    corpus: list[Path] | None = None  # default: seeds/ (gold) or corpus.json beside the queries
    backend: str | None = None
    out_dir: Path = DEFAULT_OUT
    compare: bool = False  # also run the naive llama-index baseline (gold format)
    format: Format = "gold"
    retrieval_only: bool = False
    limit: int | None = None
    k: int = 10
    split: str | None = None  # MultiHop-RAG: "tune" or "confirm" half of the queries
    index_dir: Path | None = None  # keep the evaluation's index here (reused) instead of a temp dir
    ablate: bool = False  # also score the answers with each answer-policy rule switched off


@dataclass(frozen=True)
class EvalResult:
    format: str
    out_dir: Path
    results_path: Path
    report_path: Path
    plots: tuple[Path, ...]
    metrics: dict[str, Any]  # headline figures of newsdesk's pipeline
    baseline: dict[str, Any] | None = None  # the same figures for the comparison system
    questions: int = 0
    seconds: float = 0.0
    backend: str = ""

    @property
    def summary(self) -> str:
        shown = ", ".join(f"{k} {_fmt(v)}" for k, v in self.metrics.items() if not isinstance(v, dict))
        lines = [f"{self.format} eval of {self.questions} question(s) with {self.backend or '-'} "
                 f"in {self.seconds:.0f} s: {shown}"]
        if self.baseline:
            shown = ", ".join(f"{k} {_fmt(v)}" for k, v in self.baseline.items() if not isinstance(v, dict))
            lines.append(f"baseline: {shown}")
        lines.append(f"report: {self.report_path}")
        return "\n".join(lines)


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("gold_path", nargs="?", type=Path, default=DEFAULT_GOLD, metavar="GOLD",
                        help="gold JSONL (default tests/gold/seeds.jsonl) or MultiHop-RAG queries JSON")
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
    if ns.format == "multihop-rag" and Path(ns.gold_path) == DEFAULT_GOLD:
        raise ValueError("--format multihop-rag needs the queries file, e.g. queries_dev.json")
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
        from assistant.evaluation.multihop import run_multihop

        return run_multihop(args, config)
    from assistant.evaluation.gold_eval import run_gold

    return run_gold(args, config)


# --- a fresh temporary index ---------------------------------------------------------------------


@contextlib.contextmanager
def fresh_assistant(
    config: Config, corpus: Sequence[Path], backend: str | None, index_dir: Path | None = None
) -> Iterator[tuple[Assistant, IngestReport, Config]]:
    """An Assistant over a new embedded collection in a temp dir holding only ``corpus``; with
    ``index_dir``, over the collection kept there (ingest is incremental, so a second run over the
    same corpus starts in seconds instead of re-embedding it)."""
    missing = [str(p) for p in corpus if not Path(p).exists()]
    if missing:
        raise ValueError(f"corpus not found: {', '.join(missing)}")
    with contextlib.ExitStack() as stack:
        if index_dir is None:
            tmp = stack.enter_context(
                tempfile.TemporaryDirectory(prefix="newsdesk-eval-", ignore_cleanup_errors=True)
            )
        temp_config = config.replace(
            data_dir=Path(index_dir or tmp), model_dir=config.models_path, chroma_host=None,
            collection=config.collection if index_dir else "eval",
        )
        bot = Assistant.from_config(temp_config, backend=backend)
        started = time.perf_counter()
        ingested = bot.ingest([Path(p) for p in corpus])
        log.info("ingested %d article(s), %d chunk(s) in %.1f s", len(ingested.added),
                 ingested.total_chunks, time.perf_counter() - started)
        if not ingested.total_chunks:
            raise ValueError(f"nothing could be ingested from {', '.join(map(str, corpus))}")
        yield bot, ingested, temp_config


def source_matcher(bot: Assistant) -> SourceMatcher:
    """Names (doc ids and file names) of every copy of each story, from the collection's clusters.

    Keyed by doc id (a segment: a teaser split off a file is not a copy of the file's main story)
    and by file name (a whole raw file, as the baseline retrieves it).
    """
    clusters: dict[str, set[str]] = {}
    infos = bot.articles()
    for info in infos:
        clusters.setdefault(info.cluster_id or info.doc_id, set()).update({info.doc_id, info.source})
    copies = {info.doc_id: frozenset(clusters[info.cluster_id or info.doc_id]) for info in infos}
    # A whole file (what the baseline retrieves) stands for every story its segments belong to.
    by_file: dict[str, set[str]] = {}
    for info in infos:
        by_file.setdefault(info.source, set()).update(copies[info.doc_id])
    copies.update({name: frozenset(names) for name, names in by_file.items()})
    return SourceMatcher(copies)


def stratified(items: Sequence[Any], limit: int, key: Any) -> list[Any]:
    """A deterministic sample of ``limit`` items, each group (by ``key``) in proportion to its size,
    evenly spaced within the group; the original order is kept."""
    if limit >= len(items):
        return list(items)
    groups: dict[Any, list[int]] = {}
    for i, item in enumerate(items):
        groups.setdefault(key(item), []).append(i)
    quotas = {g: limit * len(idx) / len(items) for g, idx in groups.items()}
    counts = {g: int(q) for g, q in quotas.items()}
    for g in sorted(groups, key=lambda g: (-(quotas[g] - counts[g]), str(g)))[: limit - sum(counts.values())]:
        counts[g] += 1
    chosen: list[int] = []
    for g, idx in groups.items():
        n = counts[g]
        chosen += [idx[int((j + 0.5) * len(idx) / n)] for j in range(n)]
    return [items[i] for i in sorted(chosen)]
