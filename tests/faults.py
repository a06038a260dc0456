"""Run-time faults and malformed questions as scenarios, shared by tests/test_reliability_faults.py
(which asserts on them) and benchmarks/reliability.py (which tabulates them).

Each scenario returns an :class:`Outcome`: how many checks it tried, how many passed, how many
articles were lost once the failed part was back, and what failed. A check passes when the call
answers, or fails with a :class:`NewsdeskError` of one line that says what to do; any other
exception is a failure (what a user would see as a traceback or "Something went wrong").
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from assistant import Answer, Assistant, Config, NewsdeskError, TextDelta
from index.check import check
from index.embedders import HashingEmbedder
from index.store import ChromaStore
from tests.conftest import ROOT, SEEDS, make_config
from tests.servers import chroma_server, fake_openai_server
from tests.test_reliability_concurrency import write_corpus
from ui import articles, session

QUESTION = "Who did Blinken meet in New York?"


@dataclass
class Outcome:
    tried: int = 0
    passed: int = 0
    lost: int = 0
    failures: list[str] = field(default_factory=list)

    def expect(self, ok: bool, what: str) -> None:
        self.tried += 1
        self.passed += bool(ok)
        if not ok:
            self.failures.append(what)

    def attempt(self, what: str, call: Callable[[], Any], ok: Callable[[Any], bool]) -> Any:
        """Run ``call``; a NewsdeskError is its result, any other exception a failure."""
        try:
            result = call()
        except NewsdeskError as err:
            result = err
        except Exception as err:  # noqa: BLE001 - the failure being measured
            self.expect(False, f"{what}: raw {type(err).__name__}: {err}")
            return err
        self.expect(ok(result), f"{what}: got {result!r}"[:400])
        return result


def clear_error(*words: str) -> Callable[[Any], bool]:
    """A NewsdeskError in one line containing every one of ``words``."""
    return lambda r: isinstance(r, NewsdeskError) and "\n" not in str(r) and all(w in str(r) for w in words)


def answered(r: Any) -> bool:
    return isinstance(r, Answer) and bool(r.text)


def bot_on(config: Config) -> Assistant:
    """An Assistant on ``config`` that never loads the local model (extractive unless told)."""
    if config.backend is None:
        config = config.replace(backend="extractive")
    return Assistant.from_config(config, embedder=HashingEmbedder())


def lost_articles(config: Config, expected: int) -> int:
    """Articles missing from the manifest, plus those with chunks lost from the vector index."""
    report = check(config, deep=True, embedder=HashingEmbedder())
    damaged = {cid.rsplit(":", 2)[0] for cid in report.missing}
    return max(0, expected - report.articles) + len(damaged)


# ---- malformed questions and histories ------------------------------------------------------
MALFORMED: Sequence[tuple[str, Any, Any]] = [
    ("history [None]", "q", [None]),
    ("history of strings", "q", ["a", "b"]),
    ("history 42", "q", 42),
    ("history a dict", "q", {"role": "user", "content": "hi"}),
    ("history content not text", "q", [{"role": "user", "content": 5}]),
    ("history with a lone surrogate", QUESTION, [{"role": "user", "content": "about \ud800 Blinken"}]),
    ("a lone surrogate", "\ud800", None),
    ("control characters", "\x00\x1b[31mBlinken\x1b[0m?", None),
    ("None", None, None),
    ("bytes", b"Blinken?", None),
    ("empty", "   ", None),
    ("too long", "Blinken " * 2000, None),
]
NON_ENGLISH = ["¿Qué pasó en Anchorage?", "Qué dijo Blinken en Nueva York?", "Wer hat Blinken getroffen?"]


def malformed_questions(bot: Assistant) -> Outcome:
    out = Outcome()
    for what, question, history in MALFORMED:
        out.attempt(what, lambda q=question, h=history: bot.ask(q, history=h),
                    lambda r: answered(r) or clear_error()(r))
    for question in NON_ENGLISH:  # answered, or refused for a reason other than a name check on Qué/Wer
        out.attempt(question, lambda q=question: bot.ask(q),
                    lambda r: answered(r) and not any(w in r.text for w in ("Qué", "Wer ")))
    return out


def cli_invalid_utf8(data_dir: Path) -> Outcome:
    """The CLI with arguments that are not UTF-8 (a Latin-1 terminal), printing through a strict
    UTF-8 stdout: one line on stderr, never a traceback."""
    out = Outcome()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", "NEWSDESK_BACKEND": "extractive"}
    for argv in ([b"ask", b"Qu\xe9 dijo Blinken?", b"--backend", b"extractive"],
                 [b"ingest", b"/nonexistent/caf\xe9.txt"], [b"ask", b"\xff\xfe", b"--backend", b"extractive"]):
        cmd = [sys.executable.encode(), b"-m", b"ui.cli", *argv, b"--data-dir", os.fsencode(data_dir)]
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, timeout=600)
        err = done.stderr.decode("utf-8", "replace")
        out.expect(done.returncode in (0, 1) and "Traceback" not in err and "unexpected" not in err,
                   f"{argv!r}: exit {done.returncode}: {err[-300:]}")
    return out


# ---- the Chroma server ------------------------------------------------------------------------
def chroma_server_down_and_back(tmp: Path) -> Outcome:
    """Serving from a Chroma server that is killed, then started again: clear errors meanwhile,
    answers again afterwards, from the same Assistant."""
    out = Outcome()
    with chroma_server(tmp / "chroma-server") as server:
        config = make_config(tmp / "data", embedder="hashing", backend="extractive",
                             chroma_host="127.0.0.1", chroma_port=server.port)
        bot = bot_on(config)
        stored = len(bot.ingest([SEEDS], progress=False).added)
        out.attempt("answer before", lambda: bot.ask(QUESTION), answered)
        server.kill()
        for _ in range(3):
            out.attempt("answer while down", lambda: bot.ask(QUESTION), clear_error("Chroma server", "running"))
        out.attempt("articles while down", bot.articles, clear_error("Chroma server"))
        out.attempt("chat while down", lambda: _chat_turn(bot), lambda e: "Chroma server" in e)
        server.start()
        out.attempt("answer after restart", lambda: bot.ask(QUESTION), answered)
        out.attempt("chat after restart", lambda: _chat_turn(bot), lambda e: e == "")
        out.lost = lost_articles(config, stored)
    return out


def _chat_turn(bot: Assistant) -> str:
    """One web chat turn; its error message ("" when answered)."""
    *_, last = session.stream_turn(bot, QUESTION, [])
    return last[-1].error


def chroma_killed_mid_ingest(tmp: Path) -> Outcome:
    """The Chroma server killed after the first group of an ingest is written: a clear error;
    after a restart, the same ingest completes and nothing is lost."""
    out = Outcome()
    folder = tmp / "wire"
    write_corpus(folder, 30, seed=3)
    with chroma_server(tmp / "chroma-server") as server:
        config = make_config(tmp / "data", embedder="hashing", chroma_host="127.0.0.1", chroma_port=server.port)
        bot = bot_on(config)
        out.attempt("ingest while the server dies",
                    lambda: bot.ingest([folder], progress=False, on_progress=lambda done, total: server.kill()),
                    clear_error("Chroma server", "stopped answering"))
        server.start()
        report = out.attempt("ingest after restart", lambda: bot.ingest([folder], progress=False),
                             lambda r: not isinstance(r, Exception) and not r.skipped)
        out.attempt("answer after restart", lambda: bot.ask("What did the senate decide about the tariff?"),
                    answered)
        out.lost = lost_articles(config, 30) if not isinstance(report, Exception) else 30
    return out


# ---- the model server -----------------------------------------------------------------------
def model_server_killed_mid_stream(tmp: Path) -> Outcome:
    """An OpenAI-compatible server SIGKILLed while an answer streams: one clear line (Python API
    and web chat), and answers again once it is started on the same port."""
    out = Outcome()
    bot_on(make_config(tmp / "data", embedder="hashing")).ingest([SEEDS], progress=False)
    with fake_openai_server() as server:
        config = make_config(tmp / "data", embedder="hashing", backend="openai", request_timeout=10,
                             openai_base_url=f"http://127.0.0.1:{server.port}/v1", openai_model="fake")
        bot = bot_on(config)
        out.attempt("answer before", lambda: bot.ask(QUESTION), answered)

        def killed_after_first_word() -> Any:
            for event in bot.stream(QUESTION):
                if isinstance(event, TextDelta):
                    server.kill()
            return event

        out.attempt("killed mid-stream", killed_after_first_word, clear_error("broke off its answer", "running"))
        out.attempt("chat while down", lambda: _chat_turn(bot), lambda e: "model is not available" in e)
        server.start()
        out.attempt("answer after restart", lambda: bot.ask(QUESTION), answered)
        out.attempt("chat after restart", lambda: _chat_turn(bot), lambda e: e == "")
    return out


# ---- the disk and the data dir --------------------------------------------------------------
def disk_full_mid_ingest(tmp: Path) -> Outcome:
    """The store reports "database or disk is full" (as chromadb does) after the first group."""
    from chromadb.errors import InternalError

    out = Outcome()
    folder = tmp / "wire"
    write_corpus(folder, 30, seed=4)
    config = make_config(tmp / "data", embedder="hashing")
    bot = bot_on(config)
    real_put = ChromaStore.put_articles
    calls = 0

    def put_then_full(self: ChromaStore, writes: Any) -> None:
        nonlocal calls
        calls += 1
        if calls > 1:
            raise InternalError("Database error: error returned from database: (code: 13) database or disk is full")
        real_put(self, writes)

    with mock.patch.object(ChromaStore, "put_articles", put_then_full):
        out.attempt("ingest on a full disk", lambda: bot.ingest([folder], progress=False),
                    clear_error("disk", "is full", "free disk space"))
    out.attempt("answer while full", lambda: bot.ask("What did the senate decide?"), answered)
    out.attempt("ingest with space again", lambda: bot.ingest([folder], progress=False),
                lambda r: not isinstance(r, Exception) and not r.skipped)
    out.lost = lost_articles(config, 30)
    return out


def disk_full_on_tmpfs(tmp: Path) -> Outcome | None:
    """A real full disk: the data dir on a 2 MB tmpfs. While it is full, writes are refused in one
    line (without sending Chroma another write) and answering goes on; once it is grown to 64 MB,
    the same process (Python API and web upload) writes again, without a restart, and nothing is
    lost. None when this machine does not permit mounting (no root, or no CAP_SYS_ADMIN)."""
    mount = tmp / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        return None
    try:
        out = Outcome()
        folder = tmp / "wire"
        write_corpus(folder, 60, seed=5)
        upload = tmp / "upload" / "late-story.txt"
        upload.parent.mkdir()
        upload.write_text("Late story about the senate\n\nThe senate decided to adjourn until June.\n", "utf-8")
        config = make_config(mount / "data", embedder="hashing")
        bot = bot_on(config)
        out.attempt("ingest on a full tmpfs", lambda: bot.ingest([folder], progress=False),
                    clear_error("is full", "free disk space"))
        out.attempt("answer on a full tmpfs", lambda: bot.ask("What did the senate decide?"),
                    lambda r: answered(r) or clear_error()(r))
        out.attempt("ingest again while still full", lambda: bot.ingest([folder], progress=False),
                    clear_error("full", "free"))
        out.attempt("web upload while still full", lambda: _upload(bot, upload), clear_error("full", "free"))
        subprocess.run(["mount", "-o", "remount,size=64m", str(mount)], check=True)
        out.attempt("ingest again in the same process", lambda: bot.ingest([folder], progress=False),
                    lambda r: not isinstance(r, Exception) and not r.skipped)
        out.attempt("web upload in the same process", lambda: _upload(bot, upload),
                    lambda r: "Added:</strong> late-story.txt" in r)
        out.attempt("answer after", lambda: bot.ask("What did the senate decide?"), answered)
        out.attempt("articles after", lambda: len(bot.articles()), lambda n: n == 61)
        out.lost = lost_articles(config, 61) + _lost_on_disk(config.data_dir, 61)
        return out
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _upload(bot: Assistant, path: Path) -> str:
    """A file uploaded in the web chat's Articles tab: the report it shows."""
    return articles.ingest_files(bot, articles.keep_uploads(bot, [path]))


def _lost_on_disk(data_dir: Path, expected: int) -> int:
    """:func:`lost_articles` as `newsdesk check` in a process of its own sees them (as a user would
    run it; since :mod:`index.follow`, the check in this process reads the vectors anew as well)."""
    done = subprocess.run(
        [sys.executable, "-m", "ui.cli", "check", "--data-dir", str(data_dir)], cwd=ROOT, capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "NEWSDESK_EMBEDDER": "hashing", "NEWSDESK_BACKEND": "extractive"},
        text=True, timeout=600,
    )
    found = re.search(r"checked (\d+) articles", done.stdout)
    damaged = re.search(r"of (\d+) article", done.stdout)
    return expected - (int(found.group(1)) if found else 0) + (int(damaged.group(1)) if damaged else 0)


def _cli_ingest(folder: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """`newsdesk ingest FOLDER` in a process of its own, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", "ingest", str(folder), "--data-dir", str(data_dir)], cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "NEWSDESK_EMBEDDER": "hashing", "NEWSDESK_BACKEND": "extractive"},
        capture_output=True, text=True, timeout=600,
    )


def data_dir_deleted_while_serving(tmp: Path) -> Outcome:
    """The data dir deleted under a serving Assistant, then rebuilt by a CLI ingest (another
    process): a clear message meanwhile, the new collection served without a restart."""

    out = Outcome()
    data = tmp / "data"
    config = make_config(data, embedder="hashing", backend="extractive")
    bot = bot_on(config)
    stored = len(bot.ingest([SEEDS], progress=False).added)
    out.attempt("answer before", lambda: bot.ask(QUESTION), answered)
    shutil.rmtree(data)
    out.attempt("answer once deleted", lambda: bot.ask(QUESTION), clear_error("deleted", "newsdesk ingest"))
    out.attempt("chat once deleted", lambda: _chat_turn(bot), lambda e: "deleted" in e)
    rebuilt = _cli_ingest(SEEDS, data)
    out.expect(rebuilt.returncode == 0, f"CLI ingest: {rebuilt.stderr[-300:]}")
    out.attempt("answer after the rebuild", lambda: bot.ask(QUESTION), answered)
    out.lost = lost_articles(config, stored)
    return out


def database_overwritten_while_serving(tmp: Path) -> Outcome:
    """The database file overwritten with junk under a serving Assistant, then restored from a
    copy: a clear message meanwhile, answers again afterwards."""

    out = Outcome()
    config = make_config(tmp / "data", embedder="hashing", backend="extractive")
    bot = bot_on(config)
    stored = len(bot.ingest([SEEDS], progress=False).added)
    db = config.data_dir / "chroma"
    shutil.copytree(db, tmp / "backup")
    out.attempt("answer before", lambda: bot.ask(QUESTION), answered)
    with open(db / "chroma.sqlite3", "r+b") as fh:
        fh.write(b"junk" * 4096)
    out.attempt("answer once overwritten", lambda: bot.ask(QUESTION), clear_error("damaged", "restore"))
    out.attempt("chat once overwritten", lambda: _chat_turn(bot), lambda e: "damaged" in e)
    shutil.copy(tmp / "backup" / "chroma.sqlite3", db / "chroma.sqlite3")
    out.attempt("answer after the restore", lambda: bot.ask(QUESTION), answered)
    out.lost = lost_articles(config, stored)
    return out


SCENARIOS: dict[str, Callable[[Path], Outcome | None]] = {
    "Chroma server down while serving, and back": chroma_server_down_and_back,
    "Chroma server killed mid-ingest": chroma_killed_mid_ingest,
    "model server killed mid-stream, and back": model_server_killed_mid_stream,
    "disk full mid-ingest (store error)": disk_full_mid_ingest,
    "disk full mid-ingest (2 MB tmpfs)": disk_full_on_tmpfs,
    "data dir deleted while serving": data_dir_deleted_while_serving,
    "database overwritten while serving": database_overwritten_while_serving,
}
