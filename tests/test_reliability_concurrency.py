"""Two writers at once: serialised by the writer lock, nothing lost; readers are never blocked."""

from __future__ import annotations

import logging
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from index.check import check
from index.config import IndexSettings
from index.errors import WriterBusy
from index.ingest import ingest
from index.lock import lock_path, writer_lock
from index.store import ChromaStore

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import logging, sys
from pathlib import Path
from index.config import IndexSettings
from index.ingest import ingest
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
report = ingest([Path(sys.argv[2])], IndexSettings(data_dir=Path(sys.argv[1]), embedder="hashing"), progress=False)
print(len(report.added), len(report.skipped))
"""

WORDS = (
    "minister council harbour grain tariff election court ruling storm river budget senate vaccine "
    "strike railway festival museum drought pipeline summit treaty market satellite reactor bridge"
).split()


def write_corpus(folder: Path, articles: int, seed: int) -> None:
    """Generated news-like articles of ~20 chunks each (five paragraphs of twelve sentences)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    for n in range(articles):
        paragraphs = []
        for _ in range(5):
            sentences = [" ".join(rng.choices(WORDS, k=rng.randint(18, 30))).capitalize() + "." for _ in range(12)]
            paragraphs.append(" ".join(sentences))
        title = f"{folder.name} story {n} about the {rng.choice(WORDS)}"
        (folder / f"{folder.name}-{n:03d}.txt").write_text(title + "\n\n" + "\n\n".join(paragraphs), encoding="utf-8")


def _child(data_dir: Path, folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir), str(folder)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TOKENIZERS_PARALLELISM": "false"},
    )


def test_two_processes_ingesting_at_once_lose_nothing(tmp_path: Path, hashing_config: IndexSettings) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write_corpus(first, 60, seed=1)
    write_corpus(second, 60, seed=2)
    data_dir = hashing_config.data_dir
    children = [_child(data_dir, first), _child(data_dir, second)]
    outputs = [child.communicate(timeout=600) for child in children]
    for child, (out, err) in zip(children, outputs):
        assert child.returncode == 0, err[-2000:]
        assert out.split() == ["60", "0"], (out, err[-2000:])
    assert any("waiting for another ingest to finish" in err for _out, err in outputs)

    report = check(hashing_config, deep=True)
    assert report.consistent, report.summary()
    assert report.articles == 120 and report.chunks > 1500
    store = ChromaStore.open(hashing_config, "hashing-512", 512)
    sources = {record.source.split("-")[0] for record, _sig in store.articles().values()}
    assert sources == {"first", "second"}


def test_a_second_writer_waits_then_gives_up_with_a_clear_error(
    tmp_path: Path, hashing_config: IndexSettings, seeds_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with writer_lock(hashing_config), caplog.at_level(logging.INFO, logger="index.lock"):
        started = time.monotonic()
        with pytest.raises(WriterBusy, match="another ingest .* did not finish within 1 s"):
            ingest([seeds_dir], hashing_config, lock_timeout=1.0)
        assert time.monotonic() - started >= 1.0
    assert "waiting for another ingest to finish" in caplog.text
    assert str(os.getpid()) in caplog.text  # names the process holding the lock


def test_a_waiting_writer_goes_ahead_when_the_lock_is_released(
    hashing_config: IndexSettings, seeds_dir: Path
) -> None:
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with writer_lock(hashing_config):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    threading.Timer(0.5, release.set).start()
    report = ingest([seeds_dir], hashing_config, lock_timeout=30)
    thread.join()
    assert report.added and not report.skipped


def test_readers_do_not_take_the_lock(hashing_config: IndexSettings, seeds_dir: Path) -> None:
    ingest([seeds_dir], hashing_config)
    with writer_lock(hashing_config):
        store = ChromaStore.open(hashing_config, "hashing-512", 512, create=False)
        assert store.count() > 0
        assert check(hashing_config, repair=False).consistent


def test_a_chroma_server_lock_is_keyed_by_host_port_and_collection(tmp_path: Path) -> None:
    embedded = IndexSettings(data_dir=tmp_path)
    server = embedded.replace(chroma_host="db.example/x", chroma_port=8001, collection="news")
    assert lock_path(embedded) == tmp_path / "ingest.lock"
    assert lock_path(server) == tmp_path / "ingest-db.example_x-8001-news.lock"
