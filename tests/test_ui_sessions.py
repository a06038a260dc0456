"""Sessions: concurrent API clients and browser tabs never share a conversation, and the queue
keeps the app responsive while an answer is being generated."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from ui_fixtures import CHROMIUM, CHROMIUM_ARGS, ChatPage, FakeModelServer, api_client, running_app

from assistant import Assistant
from tests.conftest import make_config

QUESTIONS = [
    "What did Blinken raise about Russia?",
    "Who did Blinken meet in New York on Monday?",
    "What share of machine tools imported by Russia came from China?",
    "What did Blinken say about Venezuela?",
    "What did Blinken tell Wang Yi about Taiwan?",
]
FOLLOW_UP = "What else was said about that?"


def _cases(bot: Assistant) -> list[tuple[str, list[dict[str, str]]]]:
    """Five standalone questions and five follow-ups, each after a different conversation."""
    cases: list[tuple[str, list[dict[str, str]]]] = [(q, []) for q in QUESTIONS]
    for q in QUESTIONS:
        history = [{"role": "user", "content": q}, {"role": "assistant", "content": bot.ask(q).text}]
        cases.append((FOLLOW_UP, history))
    return cases


def test_ten_concurrent_api_clients_each_get_their_own_answer(app_url: str, bot: Assistant) -> None:
    cases = _cases(bot)
    expected = [bot.ask(q, history=h) for q, h in cases]  # type: ignore[arg-type]
    start = threading.Barrier(len(cases))

    def call(case: tuple[str, list[dict[str, str]]]) -> dict:
        client = api_client(app_url)
        start.wait(timeout=60)
        return client.predict(case[0], case[1], api_name="/ask")

    with ThreadPoolExecutor(max_workers=len(cases)) as pool:
        results = list(pool.map(call, cases))
    for (question, _history), got, want in zip(cases, results, expected, strict=True):
        assert got["answer"] == want.text, question
        assert got["query"] == want.query, question
        assert [c["quote"] for c in got["citations"]] == [c.quote for c in want.citations], question
    follow_ups = {r["query"] for r in results[len(QUESTIONS) :]}
    assert len(follow_ups) > 1, "follow-ups after different conversations should resolve differently"


def test_the_app_stays_responsive_while_an_answer_is_generated(data_dir: Path) -> None:
    model = FakeModelServer(delay=0.2).start()  # ~0.2 s per streamed word: an answer takes seconds
    config = make_config(data_dir, backend="openai", openai_base_url=model.base_url, openai_api_key="test")
    slow_bot = Assistant.from_config(config)
    try:
        with running_app(slow_bot) as url:
            client = api_client(url)
            started = time.monotonic()
            job = client.submit("What did Blinken raise about Russia?", api_name="/ask")
            while model.requests == 0 and time.monotonic() - started < 30:
                time.sleep(0.05)
            assert model.requests >= 1 and not job.done()
            t0 = time.monotonic()
            listed = api_client(url).predict(api_name="/articles")
            quick = time.monotonic() - t0
            assert listed and quick < 3.0, f"listing articles waited {quick:.1f} s behind the answer"
            assert not job.done(), "the answer finished first: make the stand-in model slower"
            result = job.result(timeout=120)
    finally:
        model.stop()
    assert result["citations"] and not result["refused"]


@pytest.mark.browser
def test_two_browser_sessions_keep_separate_chats(app_url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        alice, bob = ChatPage(browser, app_url), ChatPage(browser, app_url)
        try:
            alice.ask(QUESTIONS[0])
            bob.ask(QUESTIONS[2])
            bob.ask(FOLLOW_UP)
            assert alice.replies().count() == 1 and bob.replies().count() == 2
            alice_chat = alice.page.locator("#nd-chat").inner_text()
            bob_chat = bob.page.locator("#nd-chat").inner_text()
            assert QUESTIONS[0] in alice_chat and QUESTIONS[2] not in alice_chat
            assert QUESTIONS[2] in bob_chat and QUESTIONS[0] not in bob_chat
            alice.page.reload(wait_until="domcontentloaded")  # a fresh page is a fresh session
            alice.page.locator("#nd-question textarea").wait_for(timeout=30_000)
            assert alice.replies().count() == 0
        finally:
            alice.close()
            bob.close()
            browser.close()
