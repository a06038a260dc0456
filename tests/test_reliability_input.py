"""Malformed input files: each is skipped with a clear reason or read correctly, never a
traceback, a hang or a read without end."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path

import pytest

from index.clean import clean_article
from index.config import IndexSettings
from index.ingest import ingest
from index.loader import load_articles
from index.types import RawArticle, Skipped

ARTICLE = "Harbour reopens\n\nThe harbour reopened on Monday after the storm. Ships queued at dawn.\n"


def _load(paths: list[Path]) -> tuple[list[RawArticle], list[Skipped]]:
    """load_articles, failing the test instead of hanging when a read blocks."""
    result: list[tuple[list[RawArticle], list[Skipped]]] = []
    worker = threading.Thread(target=lambda: result.append(load_articles(paths)), daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "load_articles hung"
    return result[0]


def _reasons(skipped: list[Skipped]) -> dict[str, str]:
    return {Path(s.path).name: s.reason for s in skipped}


@pytest.fixture(autouse=True)
def no_tracebacks(caplog: pytest.LogCaptureFixture) -> object:
    caplog.set_level(logging.DEBUG)
    yield
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_deeply_nested_json_is_skipped(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"deep{suffix}"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    articles, skipped = _load([path])
    assert articles == [] and len(skipped) == 1
    assert "nested too deeply" in skipped[0].reason


def test_a_fifo_named_on_the_command_line_is_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    articles, skipped = _load([fifo, tmp_path])
    assert [a.source for a in articles] == ["good.txt"]
    assert _reasons(skipped) == {"pipe.txt": "not a regular file (a named pipe)"}


def test_a_symlink_to_a_device_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    articles, skipped = _load([tmp_path / "zero.txt", tmp_path])
    assert articles == []
    assert _reasons(skipped) == {"zero.txt": "not a regular file (a character device)"}


def test_looping_and_broken_symlinks_are_reported(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").symlink_to(folder / "b.txt")
    (folder / "b.txt").symlink_to(folder / "a.txt")
    (folder / "self.md").symlink_to(folder / "self.md")
    (folder / "gone.txt").symlink_to(tmp_path / "missing.txt")
    articles, skipped = _load([folder, folder / "a.txt"])
    assert articles == []
    assert _reasons(skipped) == {"a.txt": "symlink loop", "b.txt": "symlink loop", "self.md": "symlink loop",
                                 "gone.txt": "broken symlink"}  # fmt: skip


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_text_with_a_byte_order_mark_is_decoded(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "story.txt"
    bom = {"utf-16-be": "\ufeff"}.get(encoding, "")  # the -be codec writes no mark by itself
    path.write_bytes((bom + ARTICLE.replace("Monday", "Montag, Zürich")).encode(encoding))
    [article], skipped = _load([path])
    assert skipped == []
    assert article.title == "Harbour reopens" and "Montag, Zürich" in article.text
    assert not article.title.startswith("\ufeff")


def test_utf16_without_a_mark_is_still_binary(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(ARTICLE.encode("utf-16-le"))
    assert _reasons(_load([path])[1]) == {"story.txt": "binary file (NUL bytes)"}


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"title": "A", "body": 42}, "field 'body' is a number, not text"),
        ({"title": "A", "body": {"text": "x"}}, "field 'body' is an object, not text"),
        ({"title": 7, "body": "Some text."}, "field 'title' is a number, not text"),
        ({"title": {"en": "A"}, "body": "Some text."}, "field 'title' is an object, not text"),
        ({"title": "A", "text": True}, "field 'text' is true/false, not text"),
        ({"title": "A", "body": ["para", 3]}, "field 'body' is a list, not text"),
    ],
)
def test_json_fields_of_the_wrong_type_skip_the_record(tmp_path: Path, record: dict[str, object], reason: str) -> None:
    path = tmp_path / "wire.json"
    good = {"title": "Harbour reopens", "body": "The harbour reopened.", "published_at": 20230918}
    path.write_text(json.dumps([good, record]), encoding="utf-8")
    articles, skipped = _load([path])
    assert [a.title for a in articles] == ["Harbour reopens"]
    assert articles[0].published == ""  # a number is not read as a date string either
    assert [(Path(s.path).name, s.reason) for s in skipped] == [("wire.json#1", reason)]


def test_escape_sequences_and_control_characters_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "wire.jsonl"
    record = {
        "title": "\x1b[31mBreaking\x1b[0m: harbour \x1b]0;pwned\x07reopens",
        "body": "The \x1b[1;32mharbour\x1b[0m reopened\x00 on Monday.\x0cShips queued \ud800at dawn.",
    }
    path.write_text(json.dumps(record), encoding="utf-8")
    [raw], _ = _load([path])
    [article] = clean_article(raw)
    assert article.title == "Breaking: harbour reopens"
    assert article.text == "The harbour reopened on Monday.\n\nShips queued \ufffdat dawn."


def test_a_folder_of_bad_files_ingests_the_good_one(tmp_path: Path, hashing_config: IndexSettings) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "deep.json").write_text("{" + '"a":{' * 50_000 + "}" * 50_001, encoding="utf-8")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    os.mkfifo(folder / "pipe.txt")
    (folder / "typed.json").write_text(json.dumps({"title": "T", "body": 1}), encoding="utf-8")
    (folder / "wide.txt").write_bytes(ARTICLE.replace("Harbour", "Port").encode("utf-16"))
    report = ingest([folder], hashing_config)
    assert sorted(report.added) == ["good.txt", "wide.txt"]
    assert _reasons(report.skipped) == {
        "deep.json": "JSON nested too deeply",
        "zero.txt": "not a regular file (a character device)",
        "loop.txt": "symlink loop",
        "pipe.txt": "not a regular file (a named pipe)",
        "typed.json#0": "field 'body' is a number, not text",
    }


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        # libxml2 and htmldate slow down with the square of one tag's attributes: never parsed
        ("<p " + " ".join(f"a{i}='x'" for i in range(200_000)) + ">Harbour reopens.</p>",
         "not a web page (a tag with over 5000 attributes)"),
        # deeper than libxml2 reads: no text
        ("<div>" * 100_000 + "Harbour reopens." + "</div>" * 100_000, "no article text"),
    ],
    ids=["attributes", "nesting"],
)
def test_hostile_web_pages_are_skipped_quickly(tmp_path: Path, markup: str, reason: str) -> None:
    path = tmp_path / "page.html"
    path.write_text(markup, encoding="utf-8")
    started = time.process_time()
    articles, skipped = _load([path])
    assert time.process_time() - started < 2.0  # CPU seconds: other jobs on the machine do not count
    assert articles == [] and _reasons(skipped) == {"page.html": reason}
