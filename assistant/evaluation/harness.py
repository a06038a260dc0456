"""What every ``newsdesk eval`` run shares: its arguments and result, a fresh index, the names of
every copy of a story, and a deterministic stratified sample.

The corpus is always ingested into a fresh temporary collection (an embedded Chroma in a temp
data dir, removed afterwards), never into the configured one: results are then reproducible and
an evaluation can neither read stale articles nor write into the user's index. The local model
file is still taken from the configured models directory.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from assistant import Answer, Assistant, Config
from assistant.evaluation.scoring import SourceMatcher
from index import IngestReport

log = logging.getLogger(__name__)

DEFAULT_SEEDS = Path(__file__).resolve().parents[2] / "seeds"  # the gold format's default corpus
DEFAULT_OUT = Path("eval-out")
Format = Literal["gold", "multihop-rag"]


@dataclass(frozen=True)
class EvalArgs:
    gold_path: Path  # a gold JSONL (gold format) or a MultiHop-RAG queries JSON
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


def plain(value: Any) -> Any:
    """A dataclass (e.g. the model's Judgement) as a dict, for JSON."""
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) and not isinstance(value, type) else value


def said_by_model(answer: Answer) -> dict[str, Any]:
    """What the model was asked and said for ``answer`` (the question as resolved, its
    judgement and raw text), so a later change after the model can be replayed on a recorded run
    (``benchmarks/replay_gold.py``, ``benchmarks/replay_multihop.py``)."""
    trace = answer.trace
    return {"asked": trace.get("question"), "raw": trace.get("raw"), "judgement": plain(trace.get("judgement")),
            "judged": [[n, plain(j)] for n, j in trace.get("judged", [])],  # per read: sentences, judgement
            "written": [list(w) for w in trace.get("written", [])],  # per read: sentences, raw answer
            "evidence_read": trace.get("evidence_read")}
