"""The web chat: ``create_app(bot)`` builds the Gradio Blocks, ``launch(config)`` serves it.

Handlers are closures over the one ``Assistant`` passed in (no globals); each browser session's
conversation lives in ``gr.State``. All text shown is escaped by ``ui.render``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: no calls home

import gradio as gr  # noqa: E402

from assistant import Assistant, Config  # noqa: E402
from ui import articles, render, session  # noqa: E402
from ui.session import ChatTurn  # noqa: E402
from ui.style import CSS, THEME  # noqa: E402

log = logging.getLogger(__name__)

EXAMPLE_COUNT = 3  # example questions under the chat box, made from the collection's newest articles
ANSWER_CONCURRENCY = 4  # answers computed at once (a local model serialises generation itself)
DEFAULT_CONCURRENCY = 8  # the quick events: table, filter, sources panel


def create_app(bot: Assistant, *, auth: tuple[str, str] | None = None) -> gr.Blocks:
    """The Blocks app for ``bot``; ``auth`` only adds a log-out link (the login is done by launch)."""
    with gr.Blocks(title="newsdesk", analytics_enabled=False) as demo:
        turns = gr.State([])
        with gr.Row(elem_id="nd-header"):
            gr.HTML(
                '<div class="nd-brand"><h1>newsdesk</h1><p>Answers from your news articles, every '
                "claim quoted from its source. If the articles don't say, it says so.</p></div>"
            )
            gr.HTML(render.backend_html(bot.backend_label), elem_id="nd-backend")
            if auth:
                gr.Button("Log out", link="/logout", size="sm", scale=0, min_width=90, variant="secondary")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                _ChatTab(bot, turns)
            with gr.Tab("Articles", id="articles") as articles_tab:
                library = _ArticlesTab(bot)
        articles_tab.select(library.refresh, library.filter_box, library.outputs, api_visibility="private")
        demo.load(library.refresh, library.filter_box, library.outputs, api_visibility="private")
        api = _Api(bot)
        gr.api(api.ask, api_name="ask", concurrency_id="answer", concurrency_limit=ANSWER_CONCURRENCY)
        gr.api(api.articles, api_name="articles")
    demo.queue(default_concurrency_limit=DEFAULT_CONCURRENCY)
    return demo


class _ChatTab:
    """The Chat tab's components and handlers."""

    def __init__(self, bot: Assistant, turns: gr.State) -> None:
        self.bot = bot
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=360):
                self.chatbot = gr.Chatbot(
                    elem_id="nd-chat",
                    show_label=False,
                    height=560,
                    sanitize_html=True,
                    allow_tags=False,
                    latex_delimiters=[],
                    feedback_options=None,
                    buttons=[],  # a message's copy button would copy its HTML
                    placeholder="Ask a question about the articles. Answers cite their sources like [1]; "
                    "click an answer to see its sources.",
                )
                with gr.Row(elem_id="nd-ask-row"):
                    self.question = gr.Textbox(
                        show_label=False,
                        placeholder="Ask about the articles…",
                        elem_id="nd-question",
                        scale=6,
                        max_lines=6,
                        autofocus=True,
                    )
                    ask = gr.Button("Ask", variant="primary", scale=0, min_width=80, elem_id="nd-ask")
                    new = gr.Button("New chat", scale=0, min_width=120, elem_id="nd-new-chat")
                with gr.Row(elem_id="nd-examples"):
                    examples = [
                        gr.Button(q, size="sm", variant="secondary", elem_classes="nd-example")
                        for q in bot.example_questions(EXAMPLE_COUNT)
                    ]
            with gr.Column(scale=2, min_width=320):
                self.sources = gr.HTML(render.sources_html(None, bot.article_text), elem_id="nd-sources")
        outputs = [self.question, self.chatbot, turns, self.sources]
        gr.on(
            [self.question.submit, ask.click],
            self.respond,
            [self.question, turns],
            outputs,
            trigger_mode="once",
            concurrency_id="answer",
            concurrency_limit=ANSWER_CONCURRENCY,
            api_visibility="private",
        )
        for button in examples:  # an example button's value is its question
            button.click(
                self.respond,
                [button, turns],
                outputs,
                trigger_mode="once",
                concurrency_id="answer",
                concurrency_limit=ANSWER_CONCURRENCY,
                api_visibility="private",
            )
        new.click(self.new_chat, None, outputs, api_visibility="private")
        self.chatbot.clear(self.new_chat, None, outputs, api_visibility="private")
        self.chatbot.select(self.show_sources, turns, self.sources, api_visibility="private")

    def respond(self, question: str, turns: list[ChatTurn]) -> Iterator[tuple[Any, ...]]:
        """Stream one answer into the chat; the sources panel follows once it is verified."""
        if not (question or "").strip():
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        for step, current in enumerate(session.stream_turn(self.bot, question, turns)):
            if current[-1].done:
                panel = session.sources_panel(self.bot, current)
            else:
                panel = render.pending_sources_html(question) if step == 0 else gr.skip()
            yield "", session.chat_messages(current), current, panel

    def new_chat(self) -> tuple[str, list, list, str]:
        return "", [], [], render.sources_html(None, self.bot.article_text)

    def show_sources(self, turns: list[ChatTurn], evt: gr.SelectData) -> str:
        index = evt.index if isinstance(evt.index, int) else evt.index[0]
        return session.sources_panel(self.bot, turns, index // 2)


class _Api:
    """The endpoints for ``gradio_client``: /ask and /articles."""

    def __init__(self, bot: Assistant) -> None:
        self.bot = bot

    def ask(self, question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
        """Answer ``question`` (optionally following ``history``: [{"role", "content"}, ...])
        with the verified answer text, whether it is a refusal, and the exact quoted citations."""
        try:
            answer = self.bot.ask(question, history=session.clean_api_history(history))
        except Exception as exc:  # noqa: BLE001 - API callers get the friendly message only
            raise gr.Error(session.friendly_error(exc), print_exception=False) from None
        return session.answer_payload(answer)

    def articles(self) -> list[dict[str, Any]]:
        """The ingested articles: doc_id, title, outlet, published, n_chunks, also_reported_by."""
        return [
            {
                "doc_id": a.doc_id,
                "title": a.title,
                "outlet": a.outlet,
                "published": a.published,
                "source": a.source,
                "n_chunks": a.n_chunks,
                "also_reported_by": list(a.also_reported_by),
            }
            for a in self.bot.articles()
        ]


class _ArticlesTab:
    """The Articles tab: the table and its filter, uploads, deletion."""

    def __init__(self, bot: Assistant) -> None:
        self.bot = bot
        with gr.Row():
            self.filter_box = gr.Textbox(
                show_label=False,
                placeholder="Filter by title, outlet, date or file…",
                elem_id="nd-filter",
                scale=4,
            )
            self.count = gr.Markdown(elem_id="nd-count")
        self.table = gr.Dataframe(
            headers=articles.HEADERS,
            datatype=["str", "str", "str", "number", "str", "str", "str"],
            interactive=False,
            wrap=True,
            elem_id="nd-articles",
            max_height=420,
            column_widths=["34%", "12%", "10%", "7%", "15%", "14%", "8%"],
        )
        with gr.Row(equal_height=False):
            with gr.Column():
                upload = gr.File(
                    label="Add articles (.txt .md .html .json .jsonl)",
                    file_count="multiple",
                    file_types=articles.UPLOAD_SUFFIXES,
                    elem_id="nd-upload",
                    height=140,
                )
                self.report = gr.HTML(elem_id="nd-ingest-report")
            with gr.Column():
                self.picker = gr.Dropdown(
                    label="Delete an article",
                    info="Pick one here or click its row in the table.",
                    choices=[],
                    elem_id="nd-delete-pick",
                )
                delete = gr.Button("Delete article", variant="stop", elem_id="nd-delete")
                self.deleted = gr.HTML(elem_id="nd-delete-report")
        self.outputs = [self.table, self.picker, self.count]
        self.filter_box.change(self.refresh, self.filter_box, self.outputs, api_visibility="private")
        self.table.select(self.pick_row, None, self.picker, api_visibility="private")
        upload.upload(
            self.ingest,
            upload,
            [self.report, upload],
            concurrency_id="ingest",
            concurrency_limit=1,
            api_visibility="private",
        ).then(self.refresh, self.filter_box, self.outputs, api_visibility="private")
        delete.click(self.delete, self.picker, self.deleted, api_visibility="private").then(
            self.refresh, self.filter_box, self.outputs, api_visibility="private"
        )

    def refresh(self, query: str) -> tuple[Any, ...]:
        try:
            infos = self.bot.articles()
        except Exception as exc:  # noqa: BLE001
            gr.Warning(session.friendly_error(exc))
            return gr.skip(), gr.skip(), gr.skip()
        rows = articles.article_rows(infos, query or "")
        return (
            rows,
            gr.update(choices=articles.article_choices(infos), value=None),
            articles.count_text(len(rows), len(infos)),
        )

    def pick_row(self, evt: gr.SelectData) -> Any:
        return str(evt.row_value[-1]) if evt.row_value else gr.skip()

    def ingest(self, files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[str, None]:  # noqa: B008
        """Ingest the uploaded files (kept in <data_dir>/uploads), then clear the drop zone."""
        if not files:
            return "", None
        try:
            kept = articles.keep_uploads(self.bot, files)
            return articles.ingest_files(
                self.bot, kept, lambda i, n, name: progress((i, n), desc=f"Ingesting {name}", unit="files")
            ), None
        except Exception as exc:  # noqa: BLE001 - shown as a warning, the tab keeps working
            message = session.friendly_error(exc)
            gr.Warning(message)
            return render.error_html(message), None

    def delete(self, doc_id: str | None) -> str:
        if not doc_id:
            gr.Warning("Pick an article to delete first.")
            return ""
        try:
            title = next((a.title for a in self.bot.articles() if a.doc_id == doc_id), doc_id)
            self.bot.delete_article(doc_id)
        except Exception as exc:  # noqa: BLE001
            gr.Warning(session.friendly_error(exc))
            return ""
        return f'<div class="nd-ingest">Deleted “{render.esc(title)}”.</div>'


def serve(
    demo: gr.Blocks,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: tuple[str, str] | None = None,
    block: bool = True,
) -> str:
    """Start ``demo`` (local only unless ``host`` says otherwise; never a share link); return its URL."""
    _app, url, _share = demo.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        share=False,
        prevent_thread_lock=not block,
        show_error=False,
        quiet=not block,
        ssr_mode=False,
        footer_links=["api"],
        theme=THEME,
        css=CSS,
        max_file_size="50mb",
    )
    return url


def launch(config: Config, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None) -> None:
    """Serve the web chat for ``config`` until interrupted (used by ``newsdesk serve``)."""
    bot = Assistant.from_config(config)
    log.info("serving newsdesk on http://%s:%d with %s", host, port, bot.backend_label)
    serve(create_app(bot, auth=auth), host=host, port=port, auth=auth, block=True)
