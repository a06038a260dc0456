"""The web chat without a browser: HTML rendering, session logic, the /ask API,
and a backend failure that becomes a friendly message and recovers."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from ui_fixtures import FakeModelServer, api_client, running_app

from assistant import (
    Answer,
    ArticleInfo,
    ArticleMeta,
    Assistant,
    BackendUnavailable,
    BadQuestion,
    Citation,
    IndexMissing,
    Source,
    SourcesFound,
    TextDelta,
)
from tests.conftest import make_config
from ui import articles, render, session
from ui.session import ChatTurn

ARTICLE = (
    "Harbour museum opens\n\n"
    "The museum opened on Tuesday. It holds 412 lamps from old lighthouses. Visitors queued early.\n\n"
    "The mayor spoke at noon. She praised the volunteers."
)


def _citation(
    number: int = 1, text: str = ARTICLE, quote: str = "It holds 412 lamps from old lighthouses.", **kw: object
) -> Citation:
    start = text.index(quote)
    fields: dict = dict(
        number=number,
        meta=ArticleMeta("d1", source="museum.txt", title="Harbour museum opens", outlet="Coast News",
                         published="2024-05-02"),
        quote=quote,
        start=start,
        end=start + len(quote),
    )
    fields.update(kw)
    return Citation(**fields)


def _answer(text: str = "It holds 412 lamps [1].", refused: bool = False, **kw: object) -> Answer:
    return Answer(text=text, citations=[] if refused else [_citation()], refused=refused, **kw)  # type: ignore[arg-type]


# ---- rendering ------------------------------------------------------------------------------
def test_chat_html_escapes_markup_and_styles_markers() -> None:
    evil = 'Look <script>window.__xss=1</script> <img src=x onerror="alert(1)"> [1]'
    html = render.answer_html(Answer(text=evil, citations=[_citation()]))
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert '<span class="nd-cite" title="source 1">[1]</span>' in html
    assert "<script" not in render.question_html("<script>x</script>")
    assert "\n" not in html, "a newline could end the raw HTML block and let Markdown in"


def test_refusal_and_error_are_distinct_calm_notices() -> None:
    refusal = render.answer_html(_answer("The articles do not say.", refused=True))
    error = render.error_html("The model server is down.")
    assert 'class="nd-refusal"' in refusal and "Not in the articles" in refusal
    assert 'class="nd-error"' in error and "nd-refusal" not in error
    assert "Traceback" not in error


def test_quote_context_keeps_whole_neighbour_sentences() -> None:
    start = ARTICLE.index("It holds")
    ctx = render.quote_context(ARTICLE, start, start + len("It holds 412 lamps from old lighthouses."), sentences=1)
    assert ctx.before == "The museum opened on Tuesday. "
    assert ctx.quote == "It holds 412 lamps from old lighthouses."
    assert ctx.after == " Visitors queued early."
    assert ctx.cut_before and ctx.cut_after


def test_citation_card_highlights_quote_in_context_and_offers_whole_article() -> None:
    text = ARTICLE.replace("old lighthouses", "old <b>lighthouses</b>")
    quote = "It holds 412 lamps from old <b>lighthouses</b>."
    card = render.citation_card(_citation(text=text, quote=quote, also_reported_by=("Bay Post",)), lambda _doc: text)
    assert '<mark class="nd-quote">It holds 412 lamps from old &lt;b&gt;lighthouses&lt;/b&gt;.</mark>' in card
    assert "The museum opened on Tuesday." in card and "Visitors queued early." in card
    assert "<details" in card and "She praised the volunteers." in card  # the whole article
    assert "Also reported by Bay Post" in card
    assert "Harbour museum opens" in card and "Coast News" in card and "2024-05-02" in card


def test_citation_card_survives_a_deleted_article() -> None:
    card = render.citation_card(_citation(), lambda _doc: "")
    assert "It holds 412 lamps" in card and "no longer in the collection" in card


def test_full_article_marks_a_quote_that_spans_paragraphs() -> None:
    start, end = ARTICLE.index("Visitors"), ARTICLE.index("She praised")
    html = render._full_article(ARTICLE, start, end)
    assert html.count("<mark") == 2 and html.count("</mark>") == 2 and html.count("<p>") == 3


def test_sources_panel_for_refusal_lists_nothing_cited() -> None:
    source = Source(
        meta=ArticleMeta("d1", source="m.txt", title="<i>T</i>", outlet="O"),
        chunk_id="c",
        text="x",
        start=0,
        end=1,
        score=1.0,
    )
    html = render.sources_html(
        _answer("The articles do not say.", refused=True, sources=[source]), lambda _d: ARTICLE, question="<q>"
    )
    assert "nothing is cited" in html and "Articles searched (1)" in html
    assert "&lt;i&gt;T&lt;/i&gt;" in html and "&lt;q&gt;" in html and "<i>" not in html


def test_sources_panel_notes_removed_sentences_and_time() -> None:
    html = render.sources_html(_answer(flagged=["Made up <b>claim</b>."], timings={"total": 1.25}), lambda _d: ARTICLE)
    assert "1 sentence of the draft removed" in html and "Answered in 1.2 s." in html
    assert "<b>" not in html


def test_ingest_summary_shows_skipped_files_with_reasons() -> None:
    html = render.ingest_summary_html(["a.txt"], [], [], [], [("<b>.txt", "empty file")], 1.25)
    assert "Added" in html and "a.txt" in html and "&lt;b&gt;.txt" in html and "empty file" in html


# ---- session and articles logic -------------------------------------------------------------
def test_history_contains_only_answered_turns() -> None:
    turns = [ChatTurn("q1", answer=_answer("a1 [1]")), ChatTurn("q2", error="down"), ChatTurn("q3")]
    assert session.history_of(turns) == [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1 [1]"},
    ]
    messages = session.chat_messages(turns)
    assert [m["role"] for m in messages] == ["user", "assistant"] * 3
    assert "nd-answer" in messages[1]["content"] and "nd-error" in messages[3]["content"]
    assert "nd-streaming" in messages[5]["content"]


def test_friendly_errors_hide_internals(caplog: pytest.LogCaptureFixture) -> None:
    assert "not available" in session.friendly_error(BackendUnavailable("connection refused"))
    assert session.friendly_error(BadQuestion("the question is empty")) == "The question is empty"
    assert "Articles tab" in session.friendly_error(IndexMissing("no articles"))
    with caplog.at_level(logging.ERROR):
        message = session.friendly_error(KeyError("chunk_17"))
    assert "chunk_17" not in message and "server log" in message
    assert "chunk_17" in caplog.text


def test_api_history_accepts_messages_and_pairs() -> None:
    assert session.clean_api_history([["q", "a"], {"role": "user", "content": "q2"}, {"role": "x"}]) == [
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "a"},
        {"role": "user", "content": "q2"},
    ]
    assert session.clean_api_history(None) == []


def test_article_rows_filter_on_every_word() -> None:
    infos = [
        ArticleInfo(ArticleMeta("d1", "a.txt", "Blinken meets Wang", "AP", "2022-09-23", "", "c1"), 4, ("Reuters",)),
        ArticleInfo(ArticleMeta("d2", "b.txt", "Russia imports tools", "Reuters", "2022-09-22", "", "c2"), 3),
    ]
    assert len(articles.article_rows(infos)) == 2
    assert [r[0] for r in articles.article_rows(infos, "blinken reuters")] == ["Blinken meets Wang"]
    assert articles.article_rows(infos, "2022-09-22")[0][-1] == "d2"
    assert articles.count_text(1, 2) == "1 of 2 article(s) match"


# ---- the running app and its API ------------------------------------------------------------
def test_ask_api_returns_answer_and_exact_quotes(app_url: str, bot: Assistant) -> None:
    result = api_client(app_url).predict(
        "What share of machine tools imported by Russia came from China?", api_name="/ask"
    )
    assert set(result) >= {"answer", "refused", "backend", "citations"}
    assert not result["refused"] and result["backend"] == "extractive"
    assert "[1]" in result["answer"] and result["citations"]
    for cite in result["citations"]:
        assert bot.article_text(cite["doc_id"])[cite["start"] : cite["end"]] == cite["quote"]
        assert cite["title"] and f"[{cite['number']}]" in result["answer"]


def test_ask_api_refuses_when_the_articles_do_not_say(app_url: str) -> None:
    result = api_client(app_url).predict("What did Blinken say about Venezuela?", api_name="/ask")
    assert result["refused"] and result["citations"] == []


def test_ask_api_takes_history_for_follow_ups(app_url: str, bot: Assistant) -> None:
    first = bot.ask("What did Blinken raise about Russia?")
    history = [
        {"role": "user", "content": "What did Blinken raise about Russia?"},
        {"role": "assistant", "content": first.text},
    ]
    follow = "Who did he meet in New York on Monday?"
    result = api_client(app_url).predict(follow, history, api_name="/ask")
    expected = bot.ask(follow, history=history)  # type: ignore[arg-type]
    assert result["answer"] == expected.text and result["query"] == expected.query


def test_ask_api_bad_question_is_a_friendly_error(app_url: str) -> None:
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as err:
        api_client(app_url).predict("   ", api_name="/ask")
    assert "question is empty" in str(err.value) and "Traceback" not in str(err.value)


def test_articles_api_lists_the_collection(app_url: str, bot: Assistant) -> None:
    listed = api_client(app_url).predict(api_name="/articles")
    assert {a["doc_id"] for a in listed} == {a.doc_id for a in bot.articles()}
    assert all(a["title"] and a["n_chunks"] > 0 for a in listed)


def test_backend_failure_is_a_friendly_error_and_the_app_recovers(data_dir: Path) -> None:
    from gradio_client.exceptions import AppError

    model = FakeModelServer().start()
    config = make_config(
        data_dir, backend="openai", openai_base_url=model.base_url, openai_api_key="test", request_timeout=5.0
    )
    down_bot = Assistant.from_config(config)
    model.stop()
    question = "What did Blinken raise about Russia?"
    with running_app(down_bot) as url:
        client = api_client(url)
        with pytest.raises(AppError) as err:
            client.predict(question, api_name="/ask")
        assert "not available" in str(err.value) and "Traceback" not in str(err.value)
        last = list(session.stream_turn(down_bot, question, []))[-1][-1]
        assert last.error and last.answer is None and "not available" in last.error
        model.start()  # the backend is back: the same app answers
        try:
            result = client.predict(question, api_name="/ask")
        finally:
            model.stop()
    assert not result["refused"] and result["citations"] and result["backend"] == "openai"


def test_auth_guards_the_page_and_the_api(bot: Assistant) -> None:
    import httpx

    with running_app(bot, auth=("alice", "s3cret")) as url:
        assert httpx.get(f"{url}/config").status_code == 401
        with pytest.raises(Exception):  # noqa: B017 - gradio_client's error type varies by version
            api_client(url)
        result = api_client(url, auth=("alice", "s3cret")).predict(
            "What did Blinken say about Venezuela?", api_name="/ask"
        )
    assert result["refused"]


class _ReadsTwice:
    """A stand-in Assistant whose answer is written again after a second read of the evidence."""

    def stream(self, question: str, history: object = None) -> object:
        yield SourcesFound([], [])
        yield TextDelta("Written from the head")
        yield SourcesFound([], [])
        yield TextDelta("Written from all of it")
        yield Answer(text="Written from all of it.")


def test_a_second_read_withdraws_the_text_streamed_before_it() -> None:
    turns = [turn[-1] for turn in session.stream_turn(_ReadsTwice(), "Q?", [])]  # type: ignore[arg-type]
    partials = [t.partial for t in turns if t.partial]
    assert partials == ["Written from the head", "Written from all of it"]
    assert not turns[-2].status and turns[-1].answer is not None
    assert any(t.status and t.status.startswith("Reading") for t in turns[3:])
