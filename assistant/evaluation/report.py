"""What every evaluation report is made of: Markdown tables of figures, PNG plots (matplotlib, Agg),
``report.md`` and ``results.json``. The gold-set report is :mod:`assistant.evaluation.gold_report`,
the MultiHop-RAG one :mod:`assistant.evaluation.multihop_report`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Written:
    results: Path
    report: Path
    plots: tuple[Path, ...]


def fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], digits: int = 3) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(fmt(c, digits) if not isinstance(c, str) else c.replace("|", "\\|") for c in row)
              + " |" for row in rows]
    return lines + [""]


def shorten(text: str | None, n: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def write_report(lines: Sequence[str], plots: Sequence[Path], results: dict[str, Any], out_dir: Path) -> Written:
    """``report.md`` (``lines``, then the ``plots``) and ``results.json`` written to ``out_dir``."""
    lines = [*lines, "## Plots", "", *(f"![{p.stem}]({p.name})" for p in plots), ""]
    results_path = out_dir / "results.json"
    results_path.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    report_path = out_dir / "report.md"
    report_path.write_text("\n".join(lines), encoding="utf-8")
    return Written(results_path, report_path, tuple(plots))


def pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_plot(fig: Any, path: Path) -> Path:
    fig.savefig(path, dpi=100)
    pyplot().close(fig)
    return path
