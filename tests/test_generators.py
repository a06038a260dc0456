"""Generators: the extractive one on hand-made evidence, the factory's choice rules, and the
OpenAI-compatible backend against a real ``llama_cpp.server`` running the local GGUF."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.citations import verify
from assistant.config import Config
from assistant.errors import BackendUnavailable
from assistant.generators import BACKENDS, available_backends, generate, local_model, make_generator
from assistant.generators.base import Generator
from assistant.generators.extractive import ExtractiveGenerator
from assistant.generators.openai_compat import OpenAIGenerator
from assistant.prompt import REFUSAL_TEXT, build_messages, decision_messages
from assistant.types import Evidence
from index.types import ArticleMeta
from tests.conftest import MODEL_DIR, SEEDS, free_port

# ---- hand-made evidence -----------------------------------------------------------------------


def make_ev(number: int, text: str, doc: str, published: str, outlet: str = "Metro Daily") -> Evidence:
    meta = ArticleMeta(doc, source=f"{doc}.txt", title=f"Story {doc}", outlet=outlet, published=published)
    return Evidence(number=number, meta=meta, text=text, start=0, end=len(text))


TRANSIT = [
    make_ev(1, "Mayor Ana Ruiz said the city will spend $40 million on new bus lanes next year.", "a", "2024-03-02"),
    make_ev(2, "About 70% of commuters in the region drive to work, according to a 2023 survey.", "a", "2024-03-02"),
    make_ev(3, "The council approved the transit budget by a vote of 7 to 2 on Tuesday.", "b", "2024-03-05"),
    make_ev(4, "Transit director Lena Park said construction of the bus lanes would begin in June.", "a", "2024-03-02"),
    make_ev(5, "The city council approved a transit budget in 2019 as well, by a vote of 5 to 4.", "c", "2019-06-01"),
]


def seed_ev(number: int, file: str, begins: str, ends: str, outlet: str, published: str) -> Evidence:
    """A sentence of a seed article, with its true offsets (outlet and date set by hand)."""
    text = (SEEDS / file).read_text(encoding="utf-8")
    start = text.index(begins)
    end = text.index(ends, start) + len(ends)
    title = text.strip().splitlines()[0]
    meta = ArticleMeta(file[:3], source=file, title=title, outlet=outlet, published=published)
    return Evidence(number, meta, text[start:end], start, end)


def seed_pool() -> list[Evidence]:
    return [
        seed_ev(1, "002_29c7895d67892a33.txt", "In a subsequent press conference", "warfare.", "", "2024-09-28"),
        seed_ev(
            2,
            "003_92f85167714ac0af.txt",
            "US Secretary of State Antony Blinken, meeting",
            "disagreements.",
            "Taipei Times",
            "2023-09-19",
        ),  # fmt: skip
        seed_ev(
            3,
            "000_5153783c78e2eab8.txt",
            "Secretary of State Antony Blinken raised",
            "US officials.",
            "AP",
            "2022-09-23",
        ),  # fmt: skip
    ]


# ---- extractive -------------------------------------------------------------------------------


def test_extractive_answers_with_the_matching_sentence_and_its_marker() -> None:
    gen = ExtractiveGenerator()
    answer = generate(gen, "When will construction of the bus lanes begin?", TRANSIT)
    assert answer == "Transit director Lena Park said construction of the bus lanes would begin in June [4]."
    checked = verify(answer, TRANSIT)
    assert [c.quote for c in checked.citations] == [TRANSIT[3].text] and not checked.flagged


def test_extractive_rescoring_beats_the_incoming_order() -> None:
    answer = generate(ExtractiveGenerator(), "What share of commuters drive to work?", TRANSIT)
    assert answer.startswith("About 70% of commuters") and answer.endswith("[2].")


def test_extractive_names_the_report_when_answers_come_from_different_dates() -> None:
    answer = generate(ExtractiveGenerator(), "By what vote did the council approve the transit budget?", TRANSIT)
    lines = answer.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Metro Daily (2024-03-05): The council approved the transit budget by a vote of 7 to 2")
    assert lines[1].startswith("Metro Daily (2019-06-01):") and lines[1].endswith("[5].")
    assert not verify(answer, TRANSIT).flagged


@pytest.mark.parametrize(
    "question",
    [
        "What did the mayor say about Venezuela?",  # a name no evidence mentions
        "What did Ana Ruiz say about the stadium roof?",  # nothing covers the question
        "What is it?",  # no content words
    ],
)
def test_extractive_refuses_when_nothing_answers(question: str) -> None:
    assert generate(ExtractiveGenerator(), question, TRANSIT) == REFUSAL_TEXT
    assert verify(REFUSAL_TEXT, TRANSIT).refused


def test_extractive_on_seed_sentences() -> None:
    pool = seed_pool()
    answer = generate(ExtractiveGenerator(), "What share of machine tools imported by Russia come from China?", pool)
    assert "70% of machine tools" in answer and answer.endswith("[1].")
    assert generate(ExtractiveGenerator(), "What did Blinken say about Venezuela?", pool) == REFUSAL_TEXT
    assert generate(ExtractiveGenerator(), "What did Blinken say?", []) == REFUSAL_TEXT


def test_extractive_is_deterministic_and_a_generator() -> None:
    gen = ExtractiveGenerator()
    assert isinstance(gen, Generator) and gen.name == "extractive" and gen.label == "extractive (no LLM)"
    q = "What share of commuters drive to work?"
    assert generate(gen, q, TRANSIT) == generate(gen, q, TRANSIT)


# ---- the prompt -------------------------------------------------------------------------------


def test_prompt_is_compact_and_ends_with_the_citation_instruction() -> None:
    messages = build_messages("What share of commuters drive?", TRANSIT, [])
    assert [m["role"] for m in messages] == ["system", "user"]
    user = messages[1]["content"]
    assert '[1] (article A, Metro Daily, 2024-03-02, "Story a") Mayor Ana Ruiz' in user
    assert "[2] (article A) About 70% of commuters" in user  # provenance only once per article
    assert user.rstrip().endswith("like [1].")
    assert REFUSAL_TEXT in messages[0]["content"]
    instructions = messages[0]["content"] + user.split("Question:")[1]
    assert len(instructions.split()) < 110  # ~150 tokens


def test_the_decision_prompt_shares_the_answer_prompt_but_its_last_line() -> None:
    answer = build_messages("What share of commuters drive?", TRANSIT, [], allow_refusal=False)
    decision = decision_messages("What share of commuters drive?", TRANSIT, [])
    assert answer[0] == decision[0] and REFUSAL_TEXT not in answer[0]["content"]
    head, _, last = decision[1]["content"].rpartition("\n\n")
    assert answer[1]["content"].startswith(head + "\n\n") and "YES or NO" in last


def test_a_why_question_is_asked_for_several_details_and_a_what_question_for_one() -> None:
    why = build_messages("Why do so many commuters drive?", TRANSIT, [], allow_refusal=False)[1]["content"]
    what = build_messages("What share of commuters drive?", TRANSIT, [], allow_refusal=False)[1]["content"]
    assert "different reason or detail" in why and "different reason" not in what
    assert why.rstrip().endswith("like [1].") and what.rstrip().endswith("like [1].")


def test_prompt_includes_only_the_last_turns_briefly() -> None:
    history = [
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "first answer [1]."},
        {"role": "user", "content": "second question " + "word " * 100},
        {"role": "assistant", "content": "second answer [2]."},
    ]
    user = build_messages("Follow-up?", TRANSIT, history)[1]["content"]  # type: ignore[arg-type]
    assert "first question" not in user and "second answer." in user
    assert len(user.split("Earlier conversation:")[1].split("Question:")[0]) < 500


# ---- choosing a backend -----------------------------------------------------------------------


def test_explicit_backend_wins_and_unknown_names_fail() -> None:
    config = Config(openai_base_url="http://127.0.0.1:9/v1", model_dir=MODEL_DIR)
    assert make_generator(config, "extractive").name == "extractive"
    assert make_generator(config.replace(backend="extractive")).name == "extractive"
    with pytest.raises(ValueError, match="local, openai, extractive"):
        make_generator(config, "gpt5")


def test_openai_is_chosen_when_an_endpoint_or_key_is_configured() -> None:
    by_url = make_generator(Config(openai_base_url="http://127.0.0.1:9/v1/", openai_model="m1"))
    assert by_url.name == "openai" and by_url.label == "OpenAI-compatible http://127.0.0.1:9/v1 · m1"
    by_key = make_generator(Config(openai_api_key="sk-test"))
    assert by_key.name == "openai" and "api.openai.com" in by_key.label
    assert available_backends(Config(openai_api_key="sk-test"))[0] == "openai"


def test_local_then_extractive_when_no_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    config = Config(model_dir=MODEL_DIR)
    assert available_backends(config) == ["local", "extractive"]  # llama-cpp and the parts are installed
    monkeypatch.setattr(local_model, "available", lambda config: False)
    assert available_backends(config) == ["extractive"]
    assert make_generator(config).name == "extractive"
    assert set(BACKENDS) == {"local", "openai", "extractive"}


def test_openai_without_endpoint_or_key_is_a_clear_error() -> None:
    with pytest.raises(BackendUnavailable, match="OPENAI_BASE_URL"):
        make_generator(Config(), "openai")


# ---- OpenAI-compatible backend: failures without a model --------------------------------------


def test_unreachable_endpoint_gives_a_one_line_message() -> None:
    port = free_port()  # nothing listens there
    gen = OpenAIGenerator(Config(openai_base_url=f"http://127.0.0.1:{port}/v1", request_timeout=5))
    started = time.monotonic()
    with pytest.raises(BackendUnavailable) as info:
        list(gen.stream("Anything?", TRANSIT, []))
    message = str(info.value)
    assert message == f"cannot reach http://127.0.0.1:{port}/v1: is the server running? (check OPENAI_BASE_URL)"
    assert "\n" not in message and time.monotonic() - started < 10


def test_silent_endpoint_times_out_with_a_one_line_message() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        accepted: list[socket.socket] = []
        threading.Thread(target=lambda: accepted.append(server.accept()[0]), daemon=True).start()
        gen = OpenAIGenerator(Config(openai_base_url=f"http://127.0.0.1:{port}/v1", request_timeout=1))
        with pytest.raises(BackendUnavailable, match=r"did not answer within 1 s"):
            list(gen.stream("Anything?", TRANSIT, []))
        for conn in accepted:
            conn.close()


# ---- OpenAI-compatible backend against a real llama_cpp.server --------------------------------

SERVER_KEY = "test-key"


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m llama_cpp.server`` serving the local GGUF; yields its base URL."""
    model = local_model.ensure_local_model(MODEL_DIR)
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"  # a pipe would fill up and block it
    port = free_port()
    # fmt: off
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "local",
           "--n_ctx", "4096", "--n_threads", "2", "--host", "127.0.0.1", "--port", str(port),
           "--api_key", SERVER_KEY]
    # fmt: on
    base = f"http://127.0.0.1:{port}/v1"
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        _wait_for_models(base, proc, log_path)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for_models(base: str, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(f"{base}/models", headers={"Authorization": f"Bearer {SERVER_KEY}"})
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}: {tail}")
        try:
            with urllib.request.urlopen(request, timeout=2) as resp:
                if resp.status == 200 and json.load(resp)["data"][0]["id"] == "local":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise TimeoutError(f"{base}/models did not answer within {timeout} s")


def server_config(base: str, **changes: object) -> Config:
    return Config(openai_base_url=base, openai_api_key=SERVER_KEY, openai_model="local", **changes)  # type: ignore[arg-type]


@pytest.mark.slow
def test_openai_backend_streams_a_cited_answer_from_the_real_server(llama_server: str) -> None:
    gen = make_generator(server_config(llama_server))
    assert gen.name == "openai" and gen.label == f"OpenAI-compatible {llama_server} · local"
    pool = seed_pool()
    pieces = list(gen.stream("What share of machine tools imported by Russia come from China?", pool, []))
    assert len(pieces) > 3  # really streamed, piece by piece
    checked = verify("".join(pieces), pool)
    assert not checked.refused and "70%" in checked.text
    assert any("70% of machine tools" in c.quote for c in checked.citations)


@pytest.mark.slow
def test_openai_backend_refuses_the_unanswerable_via_the_real_server(llama_server: str) -> None:
    gen = make_generator(server_config(llama_server))
    raw = generate(gen, "What did Blinken say about Venezuela?", seed_pool())
    checked = verify(raw, seed_pool())
    assert checked.refused and checked.citations == []


@pytest.mark.slow
def test_rejected_api_key_is_explained(llama_server: str) -> None:
    config = Config(openai_base_url=llama_server, openai_api_key="wrong", openai_model="local")
    with pytest.raises(BackendUnavailable) as info:
        list(make_generator(config).stream("Anything?", TRANSIT, []))
    assert str(info.value) == f"{llama_server} rejected the API key: check OPENAI_API_KEY"


@pytest.mark.slow
def test_wrong_endpoint_path_is_explained(llama_server: str) -> None:
    base = llama_server.removesuffix("/v1") + "/nothing-here/v1"
    config = Config(openai_base_url=base, openai_api_key=SERVER_KEY, openai_model="gpt-x")
    with pytest.raises(BackendUnavailable) as info:
        list(make_generator(config).stream("Anything?", TRANSIT, []))
    assert str(info.value).startswith(f"model 'gpt-x' not found at {base}")


def test_model_dir_default_is_git_ignored() -> None:
    root = Path(__file__).resolve().parents[1]
    ignored = (root / ".gitignore").read_text().split()
    assert "/data/" in ignored or "data/" in ignored
