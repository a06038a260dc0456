"""The MultiHop-RAG evaluation's report: ``report.md`` (retrieval and answer tables beside the
paper's figures), ``results.json`` and PNG plots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.evaluation.report import Written, fmt, pyplot, save_plot, table, write_report

# The MultiHop-RAG paper's best figures (Tang & Yang 2024) and this machine's naive baselines.
PAPER_RETRIEVAL = {
    "paper best (voyage-02 + bge-reranker-large)": {"hits@4": 0.6625, "hits@10": 0.7467, "mrr@10": 0.5860},
    "paper bge-large-en-v1.5 + reranker": {"hits@10": 0.7183, "mrr@10": 0.5630},
    "llama-index VectorStoreIndex + MiniLM (measured here)": {"hits@4": 0.537, "hits@10": 0.743, "mrr@10": 0.397},
    "BM25 alone (measured here)": {"hits@4": 0.777, "hits@10": 0.912, "mrr@10": 0.635},
}
PAPER_ANSWER = {"GPT-4": 0.56, "Claude-2.1": 0.52, "GPT-3.5": 0.44, "Mixtral-8x7B": 0.32,
                "Llama-2-70B": 0.28, "GPT-4 with gold evidence": 0.89}


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
        lines += table(["system", "Hits@4", "Hits@10", "MRR@10", "MAP@10"], rows, digits=4)
        lines += table(["type", "n", "Hits@4", "Hits@10", "MRR@10", "MAP@10"],
                        [[t, s["n"], s["hits@4"], s["hits@10"], s["mrr@10"], s["map@10"]]
                         for t, s in retrieval["by_type"].items()], digits=4)
        lines += [f"Retrieval latency p50 {fmt(retrieval.get('latency_p50'))} s, "
                  f"p95 {fmt(retrieval.get('latency_p95'))} s per query.", ""]
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
        lines += table(["system", "lenient", "strict"], rows, digits=4)
        lines += table(["type", "n", "lenient", "strict", "majority lenient", "majority strict", "refused"],
                        [[t, s["n"], s["lenient"], s["strict"], s["majority_lenient"], s["majority_strict"],
                          s["refused"]] for t, s in answers["by_type"].items()])
        real = answers.get("non_null") or {}
        lines += [f"Non-null queries: strict {fmt(real.get('strict'))}, lenient {fmt(real.get('lenient'))}, "
                  f"refused {fmt(answers.get('non_null_refused'))}; null queries refused "
                  f"{fmt(answers.get('null_refused'))}.", ""]
        if answers.get("ablation"):
            lines += ["### Ablation: each answer-policy rule switched off alone (same model run)", ""]
            lines += table(["rules", "strict (non-null)", "lenient (non-null)", "null refused", "non-null refused"],
                            [[name, v["strict_non_null"], v["lenient_non_null"], v["null_refused"],
                              v["non_null_refused"]] for name, v in answers["ablation"].items()])
        lines += [f"Answer latency p50 {fmt(answers.get('latency_p50'))} s, "
                  f"p95 {fmt(answers.get('latency_p95'))} s.", ""]
    plots = _multihop_plots(results, out_dir)
    return write_report(lines, plots, results, out_dir)


def _multihop_plots(results: dict[str, Any], out_dir: Path) -> list[Path]:
    plots: list[Path] = []
    retrieval = results.get("retrieval")
    if retrieval:
        plots.append(_by_type_bars(
            retrieval["by_type"], ["hits@4", "hits@10", "mrr@10", "map@10"], (0.7467, "paper best Hits@10"),
            "MultiHop-RAG retrieval per query type", out_dir / "multihop_retrieval.png",
        ))
    answers = results.get("answers")
    if answers:
        plots.append(_by_type_bars(
            answers["by_type"], ["lenient", "strict", "majority_lenient"], (0.56, "paper GPT-4 (lenient)"),
            "MultiHop-RAG answer accuracy per query type", out_dir / "multihop_answers.png",
        ))
    return plots


def _by_type_bars(
    by_type: dict[str, dict[str, float]], metrics: list[str], reference: tuple[float, str], title: str, path: Path
) -> Path:
    """One group of bars per query type, one bar per metric, and the paper's figure as a line."""
    plt = pyplot()
    kinds = list(by_type)
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(metrics)
    for i, metric in enumerate(metrics):
        ax.bar([x + i * width for x in range(len(kinds))], [by_type[t][metric] for t in kinds], width, label=metric)
    ax.axhline(reference[0], color="grey", linestyle="--", linewidth=1, label=reference[1])
    ax.set_xticks([x + width * (len(metrics) - 1) / 2 for x in range(len(kinds))], kinds)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return save_plot(fig, path)
