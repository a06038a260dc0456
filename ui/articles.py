"""The Articles tab's logic: the table, its filter, uploads and deletion. No Gradio here."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ui import render

if TYPE_CHECKING:
    from assistant import ArticleInfo, Assistant, IngestReport

log = logging.getLogger(__name__)

UPLOAD_SUFFIXES = [".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"]
HEADERS = ["Title", "Outlet", "Date", "Chunks", "Also reported by", "File", "ID"]


def _title(info: ArticleInfo) -> str:
    title = info.title or "(untitled)"
    return f"{title} (teaser)" if info.is_teaser else title


def matches(info: ArticleInfo, query: str) -> bool:
    """Every word of ``query`` appears in the title, outlet, date, file name or syndicated outlets."""
    haystack = " ".join(
        [info.title, info.outlet, info.published, info.source, info.doc_id, *info.also_reported_by]
    ).lower()
    return all(word in haystack for word in query.lower().split())


def article_rows(infos: Sequence[ArticleInfo], query: str = "") -> list[list[str | int]]:
    rows: list[list[str | int]] = [
        [
            _title(a),
            a.outlet,
            a.published,
            a.n_chunks,
            ", ".join(a.also_reported_by),
            a.source,
            a.doc_id,
        ]
        for a in infos
        if matches(a, query)
    ]
    rows.sort(key=lambda r: str(r[0]).lower())  # by title, then newest first (stable sort)
    return sorted(rows, key=lambda r: str(r[2]), reverse=True)


def article_choices(infos: Sequence[ArticleInfo]) -> list[tuple[str, str]]:
    """(label, doc_id) pairs for the delete picker."""
    return [
        (f"{_title(a)} — {a.outlet or a.source}" + (f", {a.published}" if a.published else ""), a.doc_id)
        for a in sorted(infos, key=lambda a: (a.title.lower(), a.doc_id))
    ]


def count_text(shown: int, total: int) -> str:
    return f"{total} article(s)" if shown == total else f"{shown} of {total} article(s) match"


def uploads_dir(bot: Assistant) -> Path:
    """Uploaded files are kept in ``<data_dir>/uploads``: re-uploading a file updates its article."""
    config = getattr(bot, "config", None)
    base = Path(config.data_dir) if config is not None else Path(tempfile.gettempdir()) / "newsdesk"
    folder = base / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep_uploads(bot: Assistant, paths: Sequence[str | Path]) -> list[Path]:
    """Copy uploaded temp files (named as the user named them) into the uploads folder."""
    folder = uploads_dir(bot)
    kept = []
    for path in paths:
        source = Path(path)
        target = folder / Path(source.name).name
        if source.resolve() != target.resolve():
            shutil.copyfile(source, target)
        kept.append(target)
    return kept


def ingest_files(bot: Assistant, paths: Sequence[Path], on_file: Callable[[int, int, str], None] | None = None) -> str:
    """Ingest ``paths`` one by one (so progress can be shown) and summarise the reports as HTML."""
    reports: list[IngestReport] = []
    for i, path in enumerate(paths):
        if on_file is not None:
            on_file(i, len(paths), path.name)
        reports.append(bot.ingest([path]))
    return summary_html(reports)


def summary_html(reports: Sequence[IngestReport]) -> str:
    return render.ingest_summary_html(
        added=[n for r in reports for n in r.added],
        updated=[n for r in reports for n in r.updated],
        unchanged=[n for r in reports for n in r.unchanged],
        duplicates=[n for r in reports for n in r.duplicates],
        skipped=[(Path(s.path).name, s.reason) for r in reports for s in r.skipped],
        seconds=sum(r.seconds for r in reports),
    )
