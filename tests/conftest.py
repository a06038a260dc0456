"""Shared fixtures, each defined once: the repo's seeds, the local model's folder, free ports, a real
Chroma server, configs for tmp data dirs, and a seeded data dir with its Assistant and web app."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Assistant, Config

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
# The 1.1 GB local model is assembled once per machine, not per test data dir.
MODEL_DIR = Path(os.environ.get("NEWSDESK_MODEL_DIR", ROOT / "data" / "models"))

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # gradio_client.Client() looks up the hub otherwise
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes] | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real `chroma run` server on 127.0.0.1, for the store contract tests."""
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if exe is None:
        pytest.fail("the chroma command is not installed (it ships with chromadb)")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc)
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def hashing_config(tmp_path: Path) -> Config:
    return Config(data_dir=tmp_path / "data", embedder="hashing", backend="extractive", model_dir=MODEL_DIR)


@pytest.fixture
def minilm_config(tmp_path: Path) -> Config:
    return Config(data_dir=tmp_path / "data", embedder="minilm", backend="extractive", model_dir=MODEL_DIR)


def make_config(data_dir: Path, **overrides: object) -> Config:
    """A config independent of the caller's environment and working directory."""
    return Config.load(env={}, data_dir=data_dir, **overrides)


def local_bot(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path, *extra: tuple[str, str]) -> Assistant:
    """An Assistant on the real local model over the seeds plus ``extra`` (file name, text) articles;
    fails (not skips) when the model is not installed, since scripts/setup.sh installs it."""
    from assistant.generators.local_model import available

    config = Config(data_dir=tmp_path_factory.mktemp("local-data"), backend="local", model_dir=MODEL_DIR)
    if not available(config):
        pytest.fail("the local model is not installed: run scripts/setup.sh")
    folder = tmp_path_factory.mktemp("articles")
    shutil.copytree(seeds_dir, folder, dirs_exist_ok=True)
    for name, text in extra:
        (folder / name).write_text(text, encoding="utf-8")
    assistant = Assistant.from_config(config)
    assert assistant.ingest([folder]).ok
    return assistant


def seeded_bot(data_dir: Path, backend: str = "extractive", **overrides: object) -> Assistant:
    """An Assistant on ``data_dir`` after ingesting seeds/ into it."""
    bot = Assistant.from_config(make_config(data_dir, backend=backend, **overrides))
    report = bot.ingest([SEEDS])
    assert report.ok and report.total_chunks > 0, report
    return bot


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with seeds/ ingested (offline embedder), one per test module."""
    path = tmp_path_factory.mktemp("seeded-data")
    seeded_bot(path)
    return path


@pytest.fixture(scope="module")
def bot(data_dir: Path) -> Assistant:
    """The extractive Assistant on the seeded data dir."""
    return Assistant.from_config(make_config(data_dir, backend="extractive"))


@pytest.fixture(scope="module")
def app_url(bot: Assistant) -> Iterator[str]:
    """The real web app for ``bot`` on a free localhost port."""
    from ui_fixtures import running_app

    with running_app(bot) as url:
        yield url
