"""The `newsdesk` command as a user runs it: real processes, real index, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port
from ui.cli import COMMANDS

# The console script `newsdesk` does what pip's generated wrapper does: load the entry point
# named in pyproject.toml and call it.
ENTRY_POINT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["newsdesk"]
CONSOLE_SCRIPT = [
    sys.executable, "-c",
    f"import sys; from importlib.metadata import EntryPoint; "
    f"sys.argv[0] = 'newsdesk'; sys.exit(EntryPoint('newsdesk', {ENTRY_POINT!r}, 'console_scripts').load()())",
]  # fmt: skip
PYTHON_M = [sys.executable, "-m", "ui.cli"]


def run(command: list[str], *args: str, stdin: str | None = None, env: dict[str, str] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NEWSDESK_"))}
    return subprocess.run(
        [*command, *args], cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=300,
        env={**base, **(env or {})},
    )


def newsdesk(*args: str, data: Path, stdin: str | None = None, env: dict[str, str] | None = None,
             ) -> subprocess.CompletedProcess[str]:
    return run(PYTHON_M, "--data-dir", str(data), *args, stdin=stdin, env=env)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    done = newsdesk("ingest", str(seeds_dir), data=folder)
    assert done.returncode == 0, done.stderr
    assert "added 9" in done.stdout and "duplicate clusters 1" in done.stdout
    return folder


def test_reingest_is_a_no_op_summary(data: Path, seeds_dir: Path) -> None:
    done = newsdesk("ingest", str(seeds_dir), "--json", data=data)
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["chunks"] == 0 and len(report["unchanged"]) == 9


def test_bad_files_are_skipped_with_reasons(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    (bad / "latin1.txt").write_bytes("caf\xe9 na\xefve".encode("latin-1"))
    (bad / "broken.json").write_text("{not json")
    done = newsdesk("ingest", str(bad), data=tmp_path / "data")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    skipped = [line for line in done.stdout.splitlines() if line.strip().startswith("skipped ")]
    assert len(skipped) == 3
    assert "nothing could be ingested" in done.stderr


def test_ask_json(data: Path) -> None:
    done = newsdesk("ask", "What share of machine tools imported by Russia came from China?", "--json",
                    "--backend", "extractive", data=data)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert "70%" in answer["text"] and answer["backend"] == "extractive" and not answer["refused"]
    assert answer["citations"][0]["source"] == "002_29c7895d67892a33.txt"
    assert answer["citations"][0]["quote"] in (ROOT / "seeds" / "002_29c7895d67892a33.txt").read_text()


def test_ask_prints_answer_and_numbered_sources(data: Path) -> None:
    done = newsdesk("ask", "Who did Blinken meet in New York on Monday?", "--backend", "extractive", data=data)
    assert done.returncode == 0 and "Han Zheng" in done.stdout
    assert "[1] " in done.stdout and "extractive" in done.stderr


def test_chat_keeps_history(data: Path) -> None:
    done = newsdesk("chat", "--backend", "extractive", data=data,
                    stdin="Who did Blinken meet in New York on Monday?\nWhat was he better known for?\n\n")
    assert done.returncode == 0, done.stderr
    assert "mayor of Shanghai" in done.stdout


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["ask", "anything?"], {}, "no articles ingested"),
        (["ask", "   "], {}, "question is empty"),
    ],
)
def test_errors_are_one_line(tmp_path: Path, args: list[str], env: dict[str, str], expected: str) -> None:
    done = newsdesk(*args, "--backend", "extractive", data=tmp_path, env=env)
    assert done.returncode == 1
    assert expected in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_unreachable_backend_is_one_line(data: Path) -> None:
    port = free_port()
    done = newsdesk("ask", "Who did Blinken meet?", "--backend", "openai", data=data,
                    env={"OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1"})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"127.0.0.1:{port}" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_options_are_accepted_before_and_after_the_command(tmp_path: Path, seeds_dir: Path) -> None:
    after = run(PYTHON_M, "ingest", str(seeds_dir), "--data-dir", str(tmp_path / "after"), "-v", "--json")
    before = run(PYTHON_M, "--data-dir", str(tmp_path / "before"), "-v", "ingest", str(seeds_dir), "--json")
    for done in (after, before):
        assert done.returncode == 0, done.stderr
        assert len(json.loads(done.stdout)["added"]) == 9
        assert "INFO" in done.stderr  # -v took effect in both places
    assert (tmp_path / "after").is_dir() and (tmp_path / "before").is_dir()


def test_config_and_debug_after_the_command(tmp_path: Path) -> None:
    toml = tmp_path / "newsdesk.toml"
    toml.write_text(f'data_dir = "{tmp_path / "from-toml"}"\ntop_k = "many"\n')
    done = run(PYTHON_M, "ask", "anything?", "--config", str(toml))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [f"newsdesk: setting top_k: 'many' is not a whole number (from {toml})"]
    debug = run(PYTHON_M, "ask", "anything?", "--config", str(toml), "--debug")
    assert debug.returncode == 1 and "Traceback" in debug.stderr  # --debug shows it


@pytest.mark.parametrize("command", sorted(COMMANDS))  # every sub-command, `check` included
def test_every_command_help_shows_examples(command: str) -> None:
    done = run(PYTHON_M, command, "--help")
    assert done.returncode == 0, done.stderr
    examples = done.stdout.split("examples:\n", 1)[1].splitlines()
    examples = [line.split() for line in examples if line.strip()]
    assert len(examples) >= 2 and all(words[0] == "newsdesk" and command in words for words in examples)


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["ingest", "--help"],
        ["ask", "What share of machine tools imported by Russia came from China?", "--json", "--backend", "extractive"],
        ["ask", "   "],
    ],
)
def test_python_m_and_console_script_agree(args: list[str], data: Path) -> None:
    by_module = run(PYTHON_M, *args, "--data-dir", str(data))
    by_script = run(CONSOLE_SCRIPT, *args, "--data-dir", str(data))
    assert by_module.returncode == by_script.returncode
    if "--json" in args:  # the same answer; only the timings differ
        module_answer, script_answer = json.loads(by_module.stdout), json.loads(by_script.stdout)
        module_answer.pop("timings"), script_answer.pop("timings")
        assert module_answer == script_answer and module_answer["citations"]
    else:
        assert by_module.stdout == by_script.stdout and by_module.stderr == by_script.stderr
