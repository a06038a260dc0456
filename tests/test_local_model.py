"""The real local model (Qwen2.5-Coder-1.5B-Instruct Q4_K_M via llama-cpp-python) on seed sentences
(marked slow), and its one-generation-at-a-time lock with a stand-in for the loaded model.

Evidence is hand-made from the seed articles: eight sentences from four different events (2021
Anchorage, 2022 and 2024 UN meetings with Wang Yi, 2023 meeting with Han Zheng), as the lead's
evidence selection would hand them over. Every answer goes through ``verify``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.citations import Verified, verify
from assistant.config import Config
from assistant.generators import local, local_model, make_generator
from assistant.generators.local import LocalGenerator
from assistant.generators.local_model import MODEL_FILENAME, MODEL_LABEL, MODEL_SIZE, ensure_local_model
from assistant.types import Evidence
from index.types import ArticleMeta
from tests.conftest import MODEL_DIR, SEEDS

log = logging.getLogger(__name__)

# file, first words, last words, outlet, published (outlet and date set by hand for the test)
SENTENCES = [
    ("003_92f85167714ac0af.txt", "US Secretary of State Antony Blinken, meeting", "disagreements.",
     "Taipei Times", "2023-09-19"),
    ("002_29c7895d67892a33.txt", "In a subsequent press conference", "warfare.", "", "2024-09-28"),
    ("000_5153783c78e2eab8.txt", "Secretary of State Antony Blinken raised", "US officials.", "AP", "2022-09-23"),
    ("001_61a2b7113e9c39af.txt", "The talks between Blinken and Chinese Foreign", "took office.", "", "2021-03-19"),
    ("003_92f85167714ac0af.txt", "Blinken in the talks with Han", "Matthew Miller said.", "Taipei Times", "2023-09-19"),
    ("004_88c416a3f5d8c300.txt", "Qin Gang, handpicked", "Wang Yi.", "NDTV", "2023-09-19"),
    ("002_29c7895d67892a33.txt", "He stated, “So when Beijing", "makes no sense.”", "", "2024-09-28"),
    ("000_5153783c78e2eab8.txt", "Blinken “highlighted the implications", "Price said in the statement.",
     "AP", "2022-09-23"),
]  # fmt: skip


def seed_evidence() -> list[Evidence]:
    out = []
    for number, (file, begins, ends, outlet, published) in enumerate(SENTENCES, start=1):
        text = (SEEDS / file).read_text(encoding="utf-8")
        start = text.index(begins)
        end = text.index(ends, start) + len(ends)
        title = text.strip().splitlines()[0]
        meta = ArticleMeta(file[:3], source=file, title=title, outlet=outlet, published=published)
        out.append(Evidence(number, meta, text[start:end], start, end))
    return out


@pytest.fixture(scope="module")
def generator() -> Iterator[LocalGenerator]:
    config = Config(model_dir=MODEL_DIR, llm_threads=2, llm_ctx=4096)
    gen = make_generator(config, "local")
    assert isinstance(gen, LocalGenerator)
    yield gen


def ask(gen: LocalGenerator, question: str) -> tuple[str, Verified]:
    evidence = seed_evidence()
    started = time.perf_counter()
    first = None
    raw = ""
    for piece in gen.stream(question, evidence, []):
        if first is None:
            first = time.perf_counter() - started
        raw += piece
    log.warning("%r -> %r (first token %.1f s, total %.1f s)", question, raw, first or 0, time.perf_counter() - started)
    return raw, verify(raw, evidence)


@pytest.mark.slow
def test_model_file_is_assembled_once_and_verified() -> None:
    path = ensure_local_model(MODEL_DIR)
    assert path == MODEL_DIR / MODEL_FILENAME and path.stat().st_size == MODEL_SIZE
    started = time.perf_counter()
    assert ensure_local_model(MODEL_DIR) == path
    assert time.perf_counter() - started < 0.5  # the size+mtime record spares a 1.1 GB re-hash


@pytest.mark.slow
def test_a_copy_without_hash_record_is_hashed_once(tmp_path: Path) -> None:
    source = ensure_local_model(MODEL_DIR)
    target_dir = MODEL_DIR / f".test-{os.getpid()}"
    target_dir.mkdir()
    try:
        os.link(source, target_dir / MODEL_FILENAME)  # same bytes, no sidecar
        assert ensure_local_model(target_dir) == target_dir / MODEL_FILENAME
        assert (target_dir / (MODEL_FILENAME + ".verified.json")).is_file()
    finally:
        for f in target_dir.iterdir():
            f.unlink()
        target_dir.rmdir()


@pytest.mark.slow
def test_label(generator: LocalGenerator) -> None:
    assert generator.name == "local" and generator.label == MODEL_LABEL


@pytest.mark.slow
def test_who_did_blinken_meet_in_new_york_on_monday(generator: LocalGenerator) -> None:
    raw, checked = ask(generator, "Who did Blinken meet in New York on Monday?")
    assert not checked.refused, raw
    assert "Han Zheng" in checked.text
    assert any("Han Zheng" in c.quote for c in checked.citations)
    first = checked.citations[0]
    assert first.number == 1 and first.doc_id == "003" and "[1]" in checked.text


@pytest.mark.slow
def test_share_of_machine_tools(generator: LocalGenerator) -> None:
    raw, checked = ask(generator, "What share of machine tools imported by Russia come from China?")
    assert not checked.refused, raw
    assert "70%" in checked.text
    assert any("70% of machine tools" in c.quote for c in checked.citations)


@pytest.mark.slow
def test_unanswerable_question_is_refused(generator: LocalGenerator) -> None:
    raw, checked = ask(generator, "What did Blinken say about Venezuela?")
    assert checked.refused and checked.citations == [], raw


@pytest.mark.slow
def test_false_premise_is_refused(generator: LocalGenerator) -> None:
    raw, checked = ask(generator, "What did Blinken and Putin agree in New York?")
    assert checked.refused and checked.citations == [], raw


# ---- the lock, with a stand-in for the loaded model ---------------------------------------------


class RecordingLlama:
    """Stands in for a loaded ``llama_cpp.Llama``: one decoding context that records how many calls
    are inside it at once. Each call stays inside long enough for a second one to get in."""

    def __init__(self) -> None:
        self._count = threading.Lock()
        self.inside = 0
        self.most_inside = 0
        self.calls = 0

    def tokenize(self, text: bytes, add_bos: bool = False, special: bool = False) -> list[int]:
        return [len(text)]  # YES, Yes, yes -> token 3; NO, No, no -> token 2: enough for the yes/no lists

    def create_completion(self, prompt: str, stream: bool = False, **kwargs: Any) -> Any:
        if stream:
            return self._pieces()
        with self._inside():
            for capture in kwargs.get("logits_processor", []):
                capture([], np.zeros(8))
            return {"choices": [{"text": "YES"}]}

    def _pieces(self) -> Iterator[dict[str, Any]]:
        with self._inside():
            for word in ("Han ", "Zheng ", "[1]"):
                yield {"choices": [{"text": word}]}

    @contextlib.contextmanager
    def _inside(self) -> Iterator[None]:
        with self._count:
            self.inside += 1
            self.calls += 1
            self.most_inside = max(self.most_inside, self.inside)
        time.sleep(0.2)  # decoding
        try:
            yield
        finally:
            with self._count:
                self.inside -= 1

    def close(self) -> None:
        pass


class NoLock:
    """A lock that lets everyone in: what the generator would be without its lock."""

    pending = 0

    def __enter__(self) -> NoLock:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def overlap_of_three_calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lock: object) -> RecordingLlama:
    """Two answers and one judgement through one LocalGenerator at once (its loaded model replaced
    by a RecordingLlama guarded by ``lock``); the stand-in afterwards."""
    pytest.importorskip("llama_cpp")  # LocalGenerator refuses to start without llama-cpp-python
    config = Config(model_dir=tmp_path, llm_threads=2, llm_ctx=4096)
    path = tmp_path / MODEL_FILENAME
    llm = RecordingLlama()
    monkeypatch.setattr(local, "ensure_local_model", lambda models: path)
    monkeypatch.setitem(local_model._LOADED, (str(path), config.llm_ctx, config.llm_threads), (llm, lock))
    generator = LocalGenerator(config)
    evidence = seed_evidence()
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def answer() -> None:
        start.wait(timeout=30)
        assert "".join(generator.stream("Who did Blinken meet in New York on Monday?", evidence)) == "Han Zheng [1]"

    def judge() -> None:
        start.wait(timeout=30)
        generator.judge("Who did Blinken meet in New York on Monday?", evidence, closed=False)

    def run(work: Any) -> None:
        try:
            work()
        except BaseException as exc:  # reported by the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(work,)) for work in (answer, answer, judge)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert llm.calls == 3
    return llm


def test_one_call_at_a_time_inside_the_loaded_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Two answers and a judgement at once: the lock lets one call into the model's single decoding
    context at a time (two at once garble both answers or crash llama.cpp)."""
    llm = overlap_of_three_calls(monkeypatch, tmp_path, local_model.Turns())
    assert llm.most_inside == 1


def test_the_stand_in_sees_overlap_when_the_lock_lets_everyone_in(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The test above can fail: the same three calls without the lock are inside at once."""
    llm = overlap_of_three_calls(monkeypatch, tmp_path, NoLock())
    assert llm.most_inside > 1
