"""The web chat in a real headless Chromium (Debian's, driven by Playwright's Python API).

Screenshots go to test-artifacts/ (git-ignored). Run: .venv/bin/pytest -m browser tests/test_ui_browser.py
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from ui_fixtures import ANSWER_TIMEOUT, CHROMIUM, CHROMIUM_ARGS, ChatPage, FakeModelServer, running_app

from assistant import Assistant
from tests.conftest import MODEL_DIR, make_config

pytestmark = pytest.mark.browser


MUSEUM = """Harbour lamp museum opens in Port Ellery

PORT ELLERY — A museum of lighthouse lamps opened on Tuesday in the old customs house of Port Ellery.

The collection holds 412 lamps gathered from lighthouses along the northern coast, curator Mira Solberg said.

Volunteers spent six years restoring the lamps, Solberg said. Entry is free on Sundays.
"""
XSS = (
    "<script>window.__xss=1;alert('title')</script> Quillmoor council bans kites\n\n"
    "QUILLMOOR — The Quillmoor town council voted on Wednesday to ban kite flying on the sea wall "
    '<img src=x onerror="window.__xss=1;alert(1)"> after three kites hit passing trams.\n\n'
    "Councillor Petra Vance said the ban on kite flying would last until the end of "
    '<svg onload="window.__xss=1">October</svg>.\n'
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def chat(browser: Browser, app_url: str) -> Iterator[ChatPage]:
    page = ChatPage(browser, app_url)
    yield page
    assert page.errors == [], page.errors
    page.close()


def test_page_shows_backend_and_example_questions(chat: ChatPage, bot: Assistant) -> None:
    assert bot.backend_label in chat.page.locator("#nd-backend").inner_text()
    examples = chat.page.locator(".nd-example")
    assert examples.count() == 3
    # made from the collection's newest stories, not hard-coded
    assert [examples.nth(i).inner_text() for i in range(3)] == bot.example_questions(3)
    chat.shot("chat-empty")


def test_seed_question_streams_a_cited_answer_with_highlighted_sources(chat: ChatPage, bot: Assistant) -> None:
    question = "What share of machine tools imported by Russia came from China?"
    expected = bot.ask(question)
    reply = chat.ask(question)
    assert reply.locator(".nd-cite").count() >= 1
    assert "[1]" in reply.inner_text()
    cards = chat.page.locator("#nd-sources .nd-source")
    assert cards.count() == len(expected.citations)
    first = cards.first
    quote = first.locator("blockquote mark.nd-quote")
    assert quote.is_visible()
    assert " ".join(quote.inner_text().split()) == " ".join(expected.citations[0].quote.split())
    assert expected.citations[0].title in first.locator(".nd-title").inner_text()
    first.locator("details.nd-full summary").click()
    article = first.locator(".nd-article")
    assert article.is_visible() and article.locator("mark.nd-quote").count() >= 1
    chat.shot("chat-answer-with-sources")


def test_example_button_asks(chat: ChatPage) -> None:
    chat.page.locator(".nd-example").first.click()
    reply = chat.replies().first
    reply.wait_for(timeout=ANSWER_TIMEOUT)
    chat.page.locator("#nd-chat .nd-streaming").wait_for(state="detached", timeout=ANSWER_TIMEOUT)
    assert chat.page.locator("#nd-chat .nd-error").count() == 0


def test_refusal_is_a_calm_notice(chat: ChatPage) -> None:
    chat.ask("What did Blinken say about Venezuela?")
    reply = chat.replies().first
    reply.wait_for(timeout=ANSWER_TIMEOUT)
    chat.page.locator("#nd-chat .nd-streaming").wait_for(state="detached", timeout=ANSWER_TIMEOUT)
    assert "nd-refusal" in (reply.get_attribute("class") or "")
    assert chat.page.locator("#nd-chat .nd-error").count() == 0
    assert "nothing is cited" in chat.page.locator("#nd-sources").inner_text()
    chat.shot("chat-refusal")


def test_follow_up_in_the_same_chat_and_new_chat(chat: ChatPage) -> None:
    first = "What did Blinken raise about Russia?"
    chat.ask(first)
    second = chat.ask("Who did he meet in New York on Monday?")
    assert chat.replies().count() == 2
    assert "nd-error" not in (second.get_attribute("class") or "")
    chat.shot("chat-follow-up")
    chat.replies().first.click()  # an earlier answer brings back its own sources
    head = chat.page.locator("#nd-sources .nd-sources-head")
    head.filter(has_text=first).wait_for(timeout=10_000)
    chat.page.locator("#nd-new-chat").click()
    chat.replies().first.wait_for(state="detached", timeout=10_000)
    assert chat.page.locator("#nd-sources .nd-empty").count() == 1


def test_upload_an_article_then_ask_about_it(chat: ChatPage, tmp_path: Path) -> None:
    good = tmp_path / "port_ellery_museum.txt"
    good.write_text(MUSEUM)
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    report = chat.upload(good, empty)
    assert "port_ellery_museum.txt" in report and "Added" in report
    assert "Skipped" in report and "empty.txt" in report
    table = chat.page.locator("#nd-articles")
    table.filter(has_text="Harbour lamp museum").wait_for(timeout=10_000)
    chat.page.locator("#nd-filter textarea, #nd-filter input").first.fill("lamp museum")
    chat.page.wait_for_function("() => document.querySelector('#nd-count').innerText.includes('1 of')", timeout=10_000)
    chat.shot("articles-after-upload")
    chat.tab("Chat")
    reply = chat.ask("How many lamps does the Port Ellery collection hold?")
    assert "412" in reply.inner_text() and reply.locator(".nd-cite").count() >= 1
    assert "Harbour lamp museum" in chat.page.locator("#nd-sources .nd-source").first.inner_text()
    chat.shot("chat-uploaded-article")


def test_markup_in_an_article_is_shown_as_text_and_never_runs(chat: ChatPage, tmp_path: Path) -> None:
    evil = tmp_path / "quillmoor_kites.txt"
    evil.write_text(XSS)
    assert "Added" in chat.upload(evil)
    chat.page.locator("#nd-filter textarea, #nd-filter input").first.fill("Quillmoor")
    chat.page.locator("#nd-articles").filter(has_text="Quillmoor").wait_for(timeout=10_000)
    chat.shot("xss-articles-tab")
    chat.tab("Chat")
    reply = chat.ask("Why did the Quillmoor council ban kite flying?")
    assert reply.locator(".nd-cite").count() >= 1
    for details in chat.page.locator("#nd-sources details").all():
        details.locator("summary").click()
    sources = chat.page.locator("#nd-sources").inner_text()
    assert "onerror" in sources or "<script>" in sources or "<svg" in sources  # shown as text
    chat.page.wait_for_timeout(500)
    chat.shot("xss-sources")
    assert chat.page.evaluate("typeof window.__xss") == "undefined"
    assert chat.dialogs == []
    assert chat.page.locator("#nd-sources img, #nd-sources script, #nd-chat img[src=x]").count() == 0


def test_delete_an_article_from_the_articles_tab(chat: ChatPage, bot: Assistant, tmp_path: Path) -> None:
    doomed = tmp_path / "doomed_gazette.txt"
    doomed.write_text("Gazette closes its doors\n\nThe Doomed Gazette printed its last edition on Friday.\n")
    chat.upload(doomed)
    doc_id = next(a.doc_id for a in bot.articles() if a.source == "doomed_gazette.txt")
    chat.page.locator("#nd-articles").filter(has_text="Gazette closes its doors").wait_for(timeout=10_000)
    chat.page.locator("#nd-articles [role=gridcell]", has_text="Gazette closes its doors").first.click()
    chat.page.locator("#nd-delete").click()
    chat.page.locator("#nd-delete-report").filter(has_text="Deleted").wait_for(timeout=10_000)
    assert doc_id not in {a.doc_id for a in bot.articles()}
    chat.page.locator("#nd-articles").filter(has_text="Gazette closes its doors").wait_for(
        state="detached", timeout=10_000
    )


def test_backend_failure_is_a_message_in_the_chat_and_the_next_question_works(browser: Browser, bot: Assistant) -> None:
    model = FakeModelServer().start()
    config = make_config(
        bot.config.data_dir,
        backend="openai",
        openai_base_url=model.base_url,
        openai_api_key="test",
        request_timeout=5.0,
    )
    down_bot = Assistant.from_config(config)
    model.stop()
    with running_app(down_bot) as url:
        chat = ChatPage(browser, url)
        try:
            failed = chat.ask("What did Blinken raise about Russia?")
            assert "nd-error" in (failed.get_attribute("class") or "")
            assert "not available" in failed.inner_text() and "Traceback" not in chat.page.content()
            chat.shot("chat-backend-down")
            model.delay = 0.1  # the model is back, and slow enough to watch the answer stream in
            model.start()
            reply = chat.send("What did Blinken raise about Russia?")
            streaming = chat.page.locator("#nd-chat .nd-streaming").filter(has_text="Blinken")
            streaming.wait_for(timeout=ANSWER_TIMEOUT)  # raw text arrives before the verified answer
            chat.shot("chat-streaming")
            chat.page.locator("#nd-chat .nd-streaming").wait_for(state="detached", timeout=ANSWER_TIMEOUT)
            answered = reply
            assert "nd-answer" in (answered.get_attribute("class") or "")
            assert answered.locator(".nd-cite").count() >= 1
            chat.shot("chat-backend-recovered")
        finally:
            model.stop()
            chat.close()
    assert chat.errors == []


@pytest.mark.slow
def test_the_local_model_answers_in_the_browser(browser: Browser, bot: Assistant) -> None:
    local_bot = Assistant.from_config(make_config(bot.config.data_dir, backend="local", model_dir=MODEL_DIR))
    with running_app(local_bot) as url:
        chat = ChatPage(browser, url)
        try:
            assert "Qwen2.5" in chat.page.locator("#nd-backend").inner_text()
            reply = chat.send("Who did Blinken meet in New York on Monday?")
            reply.wait_for(timeout=ANSWER_TIMEOUT)
            chat.page.locator("#nd-chat .nd-streaming").wait_for(state="detached", timeout=240_000)
            assert "nd-error" not in (reply.get_attribute("class") or "")
            chat.shot("chat-local-model")
            if "nd-answer" in (reply.get_attribute("class") or ""):
                assert chat.page.locator("#nd-sources .nd-source mark.nd-quote").count() >= 1
        finally:
            chat.close()
    assert chat.errors == []
