"""The gold-set evaluation's report: ``report.md`` (overall and per-type tables, ablation, wrong
answers and retrieval misses, how each figure is computed), ``results.json`` and PNG plots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.evaluation.report import Written, pyplot, save_plot, shorten, table, write_report

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
    lines += table(["metric", *names], [[label, *(systems[n]["overall"].get(key) for n in names)]
                                          for key, label in seen_rows])
    lines += ["## Per question type", ""]
    for name in names:
        by_type = systems[name]["by_type"]
        cols = [("questions", "n"), ("accuracy", "accuracy"), ("false_refusal_rate", "false refusals"),
                ("citation_precision", "cit. P"), ("citation_recall", "cit. R"), ("hit@5", "hit@5"),
                (f"mrr@{k}", f"MRR@{k}"), ("latency_p50", "latency p50"), ("ttft_p50", "TTFT p50")]
        cols = [(key, label) for key, label in cols if any(key in v for v in by_type.values())]
        lines += [f"### {name}", ""]
        lines += table(["type", *(label for _, label in cols)],
                        [[kind, *(stats.get(key) for key, _ in cols)] for kind, stats in by_type.items()])
    for name in names:
        ablation = systems[name].get("ablation")
        if ablation:
            lines += [f"## Ablation ({name}): each answer-policy rule switched off alone, same model run", ""]
            lines += table(["rule off", "key facts", "refusals", "false refusals", "cit. P"],
                            [["(none: as shipped)", *(systems[name]["overall"].get(m) for m in _ABLATED)]]
                            + [[rule, *(v.get(m) for m in _ABLATED)] for rule, v in ablation.items()])
    lines += _failures(systems, k)
    lines += _definitions(results, systems)
    plots = _gold_plots(systems, out_dir)
    return write_report(lines, plots, results, out_dir)


_ABLATED = ("key_fact_accuracy", "refusal_accuracy", "false_refusal_rate", "citation_precision")


def _failures(systems: dict[str, Any], k: int) -> list[str]:
    lines: list[str] = []
    for name, system in systems.items():
        records = system["questions"]
        wrong = [r for r in records if r["scores"].get("correct") is False]
        if wrong:
            lines += [f"## Wrong answers: {name} ({len(wrong)})", ""]
            lines += table(
                ["id", "type", "question", "answer", "missing"],
                [[r["id"], r["type"], shorten(r["question"], 90), shorten(r["answer"]),
                  "; ".join("/".join(g) for g in r["scores"].get("missing", [])) or
                  ("refused" if r["refused"] else "not refused")] for r in wrong],
            )
        misses = [r for r in records if r["answerable"] and r["scores"].get("hit5") == 0.0]
        if misses:
            lines += [f"## Retrieval misses at 5: {name} ({len(misses)})", ""]
            lines += table(
                ["id", "query", "gold", "retrieved (top 5)"],
                [[r["id"], shorten(r["query"], 90), ", ".join(r["gold_sources"]), ", ".join(r["retrieved"][:5])]
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
    plt = pyplot()
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
    plots.append(save_plot(fig, out_dir / "accuracy_by_type.png"))
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
        plots.append(save_plot(fig, out_dir / "latency.png"))
    return plots
