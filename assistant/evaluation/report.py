"""Write an evaluation's ``results.json``, ``report.md`` (tables) and PNG plots (matplotlib, Agg)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# The MultiHop-RAG paper's best figures (Tang & Yang 2024) and this machine's naive baselines.
PAPER_RETRIEVAL = {
    "paper best (voyage-02 + bge-reranker-large)": {"hits@4": 0.6625, "hits@10": 0.7467, "mrr@10": 0.5860},
    "paper bge-large-en-v1.5 + reranker": {"hits@10": 0.7183, "mrr@10": 0.5630},
    "llama-index VectorStoreIndex + MiniLM (measured here)": {"hits@4": 0.537, "hits@10": 0.743, "mrr@10": 0.397},
    "BM25 alone (measured here)": {"hits@4": 0.777, "hits@10": 0.912, "mrr@10": 0.635},
}
PAPER_ANSWER = {"GPT-4": 0.56, "Claude-2.1": 0.52, "GPT-3.5": 0.44, "Mixtral-8x7B": 0.32,
                "Llama-2-70B": 0.28, "GPT-4 with gold evidence": 0.89}


@dataclass(frozen=True)
class Written:
    results: Path
    report: Path
    plots: tuple[Path, ...]


def _f(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], digits: int = 3) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_f(c, digits) if not isinstance(c, str) else c.replace("|", "\\|") for c in row)
              + " |" for row in rows]
    return lines + [""]


def _short(text: str | None, n: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _dump(results: dict[str, Any], out_dir: Path) -> Path:
    path = out_dir / "results.json"
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


# --- gold format ---------------------------------------------------------------------------------

_OVERALL_ROWS = [
    ("questions", "questions"),
    ("accuracy", "accuracy (all questions)"),
    ("key_fact_accuracy", "key-fact accuracy (answerable)"),
    ("refusal_accuracy", "refusal accuracy (unanswerable + false premise)"),
    ("false_refusal_rate", "false refusals (answerable refused)"),
    ("citation_precision", "citation precision (answered)"),
    ("citation_recall", "citation recall (answered)"),
    ("uncited_answers", "answers without citations"),
    ("hit@1", "retrieval hit@1"),
    ("hit@5", "retrieval hit@5"),
]


def write_gold_report(results: dict[str, Any], out_dir: Path) -> Written:
    out_dir.mkdir(parents=True, exist_ok=True)
    systems: dict[str, Any] = results["systems"]
    k = results["k"]
    rows = [*_OVERALL_ROWS, (f"hit@{k}", f"retrieval hit@{k}"), (f"mrr@{k}", f"retrieval MRR@{k}"),
            ("latency_p50", "latency p50 (s)"), ("latency_p95", "latency p95 (s)"),
            ("ttft_p50", "time to first token p50 (s)"), ("ttft_p95", "time to first token p95 (s)")]
    names = list(systems)
    lines = [
        "# newsdesk evaluation: gold set",
        "",
        f"Gold set `{results['gold']}`, corpus {', '.join(f'`{c}`' for c in results['corpus'])} "
        f"ingested into a fresh temporary collection ({results['ingest']['articles']} article segments, "
        f"{results['ingest']['chunks']} chunks, {results['ingest']['seconds']} s). "
        f"Backend `{results['backend']}`; retrieval depth k={k}; wall time {results['seconds']} s.",
        "",
    ]
    for name in names:
        lines.append(f"- **{name}**: {systems[name]['label']}")
    lines += ["", "## Overall", ""]
    seen_rows = [(key, label) for key, label in rows if any(key in systems[n]["overall"] for n in names)]
    lines += _table(["metric", *names], [[label, *(systems[n]["overall"].get(key) for n in names)]
                                          for key, label in seen_rows])
    lines += ["## Per question type", ""]
    for name in names:
        by_type = systems[name]["by_type"]
        cols = [("questions", "n"), ("accuracy", "accuracy"), ("false_refusal_rate", "false refusals"),
                ("citation_precision", "cit. P"), ("citation_recall", "cit. R"), ("hit@5", "hit@5"),
                (f"mrr@{k}", f"MRR@{k}"), ("latency_p50", "latency p50"), ("ttft_p50", "TTFT p50")]
        cols = [(key, label) for key, label in cols if any(key in v for v in by_type.values())]
        lines += [f"### {name}", ""]
        lines += _table(["type", *(label for _, label in cols)],
                        [[kind, *(stats.get(key) for key, _ in cols)] for kind, stats in by_type.items()])
    for name in names:
        ablation = systems[name].get("ablation")
        if ablation:
            lines += [f"## Ablation ({name}): each answer-policy rule switched off alone, same model run", ""]
            lines += _table(["rule off", "key facts", "refusals", "false refusals", "cit. P"],
                            [["(none: as shipped)", *(systems[name]["overall"].get(m) for m in _ABLATED)]]
                            + [[rule, *(v.get(m) for m in _ABLATED)] for rule, v in ablation.items()])
    lines += _failures(systems, k)
    lines += _definitions(results, systems)
    plots = _gold_plots(systems, out_dir)
    lines += ["## Plots", ""] + [f"![{p.stem}]({p.name})" for p in plots] + [""]
    results_path = _dump(results, out_dir)
    report_path = out_dir / "report.md"
    report_path.write_text("\n".join(lines), encoding="utf-8")
    return Written(results_path, report_path, tuple(plots))


_ABLATED = ("key_fact_accuracy", "refusal_accuracy", "false_refusal_rate", "citation_precision")


def _failures(systems: dict[str, Any], k: int) -> list[str]:
    lines: list[str] = []
    for name, system in systems.items():
        records = system["questions"]
        wrong = [r for r in records if r["scores"].get("correct") is False]
        if wrong:
            lines += [f"## Wrong answers: {name} ({len(wrong)})", ""]
            lines += _table(
                ["id", "type", "question", "answer", "missing"],
                [[r["id"], r["type"], _short(r["question"], 90), _short(r["answer"]),
                  "; ".join("/".join(g) for g in r["scores"].get("missing", [])) or
                  ("refused" if r["refused"] else "not refused")] for r in wrong],
            )
        misses = [r for r in records if r["answerable"] and r["scores"].get("hit5") == 0.0]
        if misses:
            lines += [f"## Retrieval misses at 5: {name} ({len(misses)})", ""]
            lines += _table(
                ["id", "query", "gold", "retrieved (top 5)"],
                [[r["id"], _short(r["query"], 90), ", ".join(r["gold_sources"]), ", ".join(r["retrieved"][:5])]
                 for r in misses],
            )
    return lines


def _definitions(results: dict[str, Any], systems: dict[str, Any]) -> list[str]:
    k = results["k"]
    lines = [
        "## How the figures are computed",
        "",
        "- **accuracy**: an answerable question is correct when the answer is not a refusal and every "
        "`must_include` group has one alternative in the answer text (case-insensitive; whitespace, quotes, "
        "dashes and `70 percent`/`70%` normalised; an alternative must not sit inside a longer word or "
        "number). An unanswerable or false-premise question is correct when it is refused.",
        "- **false refusals**: answerable questions refused.",
        "- **citation precision**: per answered (not refused) answerable question with citations, the share "
        "of distinct cited articles that are gold; a syndicated copy of a gold article counts as gold "
        "(copies are the collection's duplicate clusters). **Recall**: the share of gold articles cited, "
        "a cited copy standing for its twin (0 when an answer cites nothing).",
        f"- **retrieval**: rank of the first gold article in `retrieve(query, k={k})`, where the query is "
        "the pipeline's resolved standalone query (`Answer.query`); hit@n and MRR over answerable questions.",
        "- **latency**: wall time of the final question's stream; **TTFT**: time to the first streamed text. "
        "Earlier turns of a follow-up are replayed first and not timed.",
    ]
    notes = [s.get("notes") for s in systems.values() if s.get("notes")]
    for note in notes:
        lines.append(f"- **baseline**: {note}")
    return lines + [""]


def _gold_plots(systems: dict[str, Any], out_dir: Path) -> list[Path]:
    plt = _pyplot()
    plots: list[Path] = []
    names = list(systems)
    kinds = list(dict.fromkeys(kind for s in systems.values() for kind in s["by_type"]))
    metric = "accuracy" if any("accuracy" in s["overall"] for s in systems.values()) else "hit@5"
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        values = [systems[name]["by_type"].get(kind, {}).get(metric) or 0.0 for kind in kinds]
        ax.bar([x + i * width for x in range(len(kinds))], values, width, label=name)
    ax.set_xticks([x + width * (len(names) - 1) / 2 for x in range(len(kinds))], kinds, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} per question type")
    ax.legend()
    fig.tight_layout()
    plots.append(_save(fig, out_dir / "accuracy_by_type.png"))
    latencies = {n: [r["timings"].get("latency") for r in s["questions"]] for n, s in systems.items()}
    if any(v is not None for vals in latencies.values() for v in vals):
        fig, ax = plt.subplots(figsize=(7, 4))
        for name, system in systems.items():
            for key, style in (("latency", "total"), ("ttft", "first token")):
                values = [r["timings"][key] for r in system["questions"] if r["timings"].get(key) is not None]
                if values:
                    ax.hist(values, bins=20, alpha=0.5, label=f"{name} {style}")
        ax.set_xlabel("seconds")
        ax.set_ylabel("questions")
        ax.set_title("latency and time to first token")
        ax.legend()
        fig.tight_layout()
        plots.append(_save(fig, out_dir / "latency.png"))
    return plots


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> Path:
    fig.savefig(path, dpi=100)
    _pyplot().close(fig)
    return path


# --- MultiHop-RAG --------------------------------------------------------------------------------


def write_multihop_report(results: dict[str, Any], out_dir: Path) -> Written:
    out_dir.mkdir(parents=True, exist_ok=True)
    retrieval = results.get("retrieval")
    answers = results.get("answers")
    lines = [
        "# newsdesk evaluation: MultiHop-RAG",
        "",
        f"Queries `{results['queries']}`{' (' + results['split'] + ' half)' if results.get('split') else ''} "
        f"({results['evaluated']} evaluated"
        f"{', a type-stratified sample' if results.get('limit') else ''}), corpus "
        f"{', '.join(f'`{c}`' for c in results['corpus'])} ingested into a fresh temporary collection "
        f"({results['ingest']['articles']} articles, {results['ingest']['chunks']} chunks, "
        f"{results['ingest']['seconds']} s). Backend `{results['backend']}`. Wall time {results['seconds']} s.",
        "",
    ]
    if retrieval:
        lines += ["## Retrieval (the paper's rule, null queries excluded, top 10)", ""]
        rows = [["newsdesk (this run)", retrieval["overall"].get("hits@4"), retrieval["overall"].get("hits@10"),
                 retrieval["overall"].get("mrr@10"), retrieval["overall"].get("map@10")]]
        rows += [[name, ref.get("hits@4"), ref.get("hits@10"), ref.get("mrr@10"), None]
                 for name, ref in PAPER_RETRIEVAL.items()]
        lines += _table(["system", "Hits@4", "Hits@10", "MRR@10", "MAP@10"], rows, digits=4)
        lines += _table(["type", "n", "Hits@4", "Hits@10", "MRR@10", "MAP@10"],
                        [[t, s["n"], s["hits@4"], s["hits@10"], s["mrr@10"], s["map@10"]]
                         for t, s in retrieval["by_type"].items()], digits=4)
        lines += [f"Retrieval latency p50 {_f(retrieval.get('latency_p50'))} s, "
                  f"p95 {_f(retrieval.get('latency_p95'))} s per query.", ""]
    if answers:
        lines += ["## Answers", "",
                  "Lenient: the paper's `qa_evaluate.py` rule (lower-cased whitespace-split words of the answer "
                  "and the gold answer intersect). Strict: normalised exact match (lower case, punctuation, "
                  "articles and citation markers removed). A refused answer is scored as "
                  "\"Insufficient information.\", the data set's answer for null queries. Majority: always "
                  "answering the most frequent gold answer of the query's type (over the whole query file).",
                  ""]
        o = answers["overall"]
        rows = [["newsdesk (this run)", o["lenient"], o["strict"]],
                ["majority answer per type", o["majority_lenient"], o["majority_strict"]]]
        rows += [[f"paper: {name}", value, None] for name, value in PAPER_ANSWER.items()]
        lines += _table(["system", "lenient", "strict"], rows, digits=4)
        lines += _table(["type", "n", "lenient", "strict", "majority lenient", "majority strict", "refused"],
                        [[t, s["n"], s["lenient"], s["strict"], s["majority_lenient"], s["majority_strict"],
                          s["refused"]] for t, s in answers["by_type"].items()])
        real = answers.get("non_null") or {}
        lines += [f"Non-null queries: strict {_f(real.get('strict'))}, lenient {_f(real.get('lenient'))}, "
                  f"refused {_f(answers.get('non_null_refused'))}; null queries refused "
                  f"{_f(answers.get('null_refused'))}.", ""]
        if answers.get("ablation"):
            lines += ["### Ablation: each answer-policy rule switched off alone (same model run)", ""]
            lines += _table(["rules", "strict (non-null)", "lenient (non-null)", "null refused", "non-null refused"],
                            [[name, v["strict_non_null"], v["lenient_non_null"], v["null_refused"],
                              v["non_null_refused"]] for name, v in answers["ablation"].items()])
        lines += [f"Answer latency p50 {_f(answers.get('latency_p50'))} s, "
                  f"p95 {_f(answers.get('latency_p95'))} s.", ""]
    plots = _multihop_plots(results, out_dir)
    lines += ["## Plots", ""] + [f"![{p.stem}]({p.name})" for p in plots] + [""]
    results_path = _dump(results, out_dir)
    report_path = out_dir / "report.md"
    report_path.write_text("\n".join(lines), encoding="utf-8")
    return Written(results_path, report_path, tuple(plots))


def _multihop_plots(results: dict[str, Any], out_dir: Path) -> list[Path]:
    plt = _pyplot()
    plots: list[Path] = []
    retrieval = results.get("retrieval")
    if retrieval:
        kinds = list(retrieval["by_type"])
        metrics = ["hits@4", "hits@10", "mrr@10", "map@10"]
        fig, ax = plt.subplots(figsize=(8, 4))
        width = 0.8 / len(metrics)
        for i, metric in enumerate(metrics):
            ax.bar([x + i * width for x in range(len(kinds))],
                   [retrieval["by_type"][t][metric] for t in kinds], width, label=metric)
        ax.axhline(0.7467, color="grey", linestyle="--", linewidth=1, label="paper best Hits@10")
        ax.set_xticks([x + width * 1.5 for x in range(len(kinds))], kinds)
        ax.set_ylim(0, 1.05)
        ax.set_title("MultiHop-RAG retrieval per query type")
        ax.legend(fontsize=8)
        fig.tight_layout()
        plots.append(_save(fig, out_dir / "multihop_retrieval.png"))
    answers = results.get("answers")
    if answers:
        kinds = list(answers["by_type"])
        series = ["lenient", "strict", "majority_lenient"]
        fig, ax = plt.subplots(figsize=(8, 4))
        width = 0.8 / len(series)
        for i, metric in enumerate(series):
            ax.bar([x + i * width for x in range(len(kinds))],
                   [answers["by_type"][t][metric] for t in kinds], width, label=metric)
        ax.axhline(0.56, color="grey", linestyle="--", linewidth=1, label="paper GPT-4 (lenient)")
        ax.set_xticks([x + width for x in range(len(kinds))], kinds)
        ax.set_ylim(0, 1.05)
        ax.set_title("MultiHop-RAG answer accuracy per query type")
        ax.legend(fontsize=8)
        fig.tight_layout()
        plots.append(_save(fig, out_dir / "multihop_answers.png"))
    return plots
