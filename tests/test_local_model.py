"""The real local model (Qwen2.5-Coder-1.5B-Instruct Q4_K_M via llama-cpp-python) on seed sentences.

Evidence is hand-made from the seed articles: eight sentences from four different events (2021
Anchorage, 2022 and 2024 UN meetings with Wang Yi, 2023 meeting with Han Zheng), as the lead's
evidence selection would hand them over. Every answer goes through ``verify``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.citations import Verified, verify
from assistant.generators import make_generator
from assistant.generators.local import MODEL_FILENAME, MODEL_LABEL, MODEL_SIZE, LocalGenerator, ensure_local_model
from assistant.types import Evidence
from index.config import Config
from tests.conftest import MODEL_DIR, SEEDS

pytestmark = pytest.mark.slow
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
        out.append(Evidence(number, file[:3], text[start:end], start, end, title, outlet, published, file))
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


def test_model_file_is_assembled_once_and_verified() -> None:
    path = ensure_local_model(MODEL_DIR)
    assert path == MODEL_DIR / MODEL_FILENAME and path.stat().st_size == MODEL_SIZE
    started = time.perf_counter()
    assert ensure_local_model(MODEL_DIR) == path
    assert time.perf_counter() - started < 0.5  # the size+mtime record spares a 1.1 GB re-hash


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


def test_label(generator: LocalGenerator) -> None:
    assert generator.name == "local" and generator.label == MODEL_LABEL


def test_who_did_blinken_meet_in_new_york_on_monday(generator: LocalGenerator) -> None:
    raw, checked = ask(generator, "Who did Blinken meet in New York on Monday?")
    assert not checked.refused, raw
    assert "Han Zheng" in checked.text
    assert any("Han Zheng" in c.quote for c in checked.citations)
    first = checked.citations[0]
    assert first.number == 1 and first.doc_id == "003" and "[1]" in checked.text


def test_share_of_machine_tools(generator: LocalGenerator) -> None:
    raw, checked = ask(generator, "What share of machine tools imported by Russia come from China?")
    assert not checked.refused, raw
    assert "70%" in checked.text
    assert any("70% of machine tools" in c.quote for c in checked.citations)


def test_unanswerable_question_is_refused(generator: LocalGenerator) -> None:
    raw, checked = ask(generator, "What did Blinken say about Venezuela?")
    assert checked.refused and checked.citations == [], raw


def test_false_premise_is_refused(generator: LocalGenerator) -> None:
    raw, checked = ask(generator, "What did Blinken and Putin agree in New York?")
    assert checked.refused and checked.citations == [], raw


def test_concurrent_calls_do_not_interleave(generator: LocalGenerator) -> None:
    """Two threads stream through one generator at once. With the lock one generation runs whole
    before the other starts: every piece of one arrives before every piece of the other, and each
    answer still holds its fact. Without it both would decode in one llama.cpp context at the same
    time: the pieces interleave (and the answers garble, or the process crashes)."""
    evidence = seed_evidence()
    questions = {"Who did Blinken meet in New York on Monday?": "Han Zheng",
                 "What share of machine tools imported by Russia come from China?": "70%"}  # fmt: skip
    arrivals: list[str] = []  # the question each streamed piece belongs to, in order of arrival
    answers: dict[str, str] = {}
    start = threading.Barrier(len(questions))

    def read(question: str) -> None:
        start.wait(timeout=60)
        text = ""
        for piece in generator.stream(question, evidence, []):
            arrivals.append(question)
            text += piece
            time.sleep(0.02)  # a slow reader leaves the other thread room to get in between
        answers[question] = text

    threads = [threading.Thread(target=read, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    switches = sum(1 for a, b in zip(arrivals, arrivals[1:]) if a != b)
    assert set(arrivals) == set(questions) and switches == 1, f"the generations interleaved: {arrivals}"
    for question, fact in questions.items():
        assert fact in verify(answers[question], evidence).text, answers[question]
