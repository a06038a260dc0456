"""A serving process sees what another process wrote (issue 13, item 4): an article ingested or
deleted by `newsdesk ingest` in a terminal is found, or gone, at the next retrieval of an Assistant
opened before, by vectors and by keywords, without reopening anything by hand."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.retrieval import FusionWeights
from tests.conftest import ROOT, SEEDS, make_config
from tests.faults import bot_on

ARTICLE = (
    "Zorblatt lantern festival opens in Ulaanbaatar\n\n"
    "The Zorblatt lantern festival opened on Monday in Ulaanbaatar with thousands of visitors. "
    "Organisers said the Zorblatt lanterns were the largest ever made.\n"
)
QUERY = "Zorblatt lantern festival in Ulaanbaatar"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSDESK_EMBEDDER": "hashing", "NEWSDESK_BACKEND": "extractive"}


def _in_another_process(data_dir: Path, *argv: str) -> None:
    done = subprocess.run([sys.executable, "-m", "ui.cli", *argv, "--data-dir", str(data_dir)], cwd=ROOT,
                          env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]


def _found(bot: Assistant, kind: str) -> set[str]:
    """The titles of what one ranked list (``vector`` or ``keyword``) finds for QUERY."""
    candidates = bot._retriever.candidates(QUERY, weights=FusionWeights.only(kind))
    return {c.title for c in dict(candidates.lists)[kind]}


@pytest.fixture
def serving(tmp_path: Path) -> Assistant:
    """An Assistant on the seeds that has answered once (its vectors and keyword index loaded)."""
    bot = bot_on(make_config(tmp_path / "data", embedder="hashing", backend="extractive"))
    assert bot.ingest([SEEDS], progress=False).ok
    assert "Zorblatt lantern festival opens in Ulaanbaatar" not in _found(bot, "vector") | _found(bot, "keyword")
    return bot


def test_an_article_ingested_by_another_process_is_found_then_gone_once_deleted(
    serving: Assistant, tmp_path: Path
) -> None:
    title = "Zorblatt lantern festival opens in Ulaanbaatar"
    path = tmp_path / "zorblatt.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    _in_another_process(serving.config.data_dir, "ingest", str(path))
    assert title in {a.title for a in serving.articles()}
    assert title in _found(serving, "vector")
    assert title in _found(serving, "keyword")
    assert serving.retrieve(QUERY, k=1)[0].title == title

    path.unlink()
    _in_another_process(serving.config.data_dir, "ingest", str(SEEDS), "--prune")  # its file is gone
    assert title not in {a.title for a in serving.articles()}
    assert title not in _found(serving, "vector")
    assert title not in _found(serving, "keyword")
    assert serving.ask(QUERY).text


def test_nothing_is_reopened_while_nobody_else_writes(serving: Assistant, tmp_path: Path) -> None:
    before = serving._store.reopened
    for _ in range(3):
        serving.retrieve(QUERY)
    path = tmp_path / "zorblatt.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    assert serving.ingest([path], progress=False).added  # its own write: nothing to catch up with
    assert "Zorblatt lantern festival opens in Ulaanbaatar" in _found(serving, "vector")
    assert serving._store.reopened == before
