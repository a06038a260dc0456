"""Helpers shared by the UI tests: the app on a free port, the page in headless Chromium, and a
tiny OpenAI-compatible HTTP server (a stand-in model that can be down, slow or up). The seeded data
dir, its Assistant and the running app are fixtures in conftest.py."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from assistant import Assistant
from tests.conftest import ROOT, free_port

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ANSWER_TIMEOUT = 60_000  # ms


@contextmanager
def running_app(bot: Assistant, auth: tuple[str, str] | None = None) -> Iterator[str]:
    """Serve the real app for ``bot`` on a free localhost port; yield its URL."""
    from ui.app import create_app, serve

    demo = create_app(bot, auth=auth)
    url = serve(demo, port=free_port(), auth=auth, block=False)
    try:
        yield url.rstrip("/")
    finally:
        demo.close()


def api_client(url: str, auth: tuple[str, str] | None = None):  # type: ignore[no-untyped-def]
    from gradio_client import Client

    return Client(url, auth=auth, verbose=False)


# ---- the page in headless Chromium -----------------------------------------------------------
class ChatPage:
    """The few things a user does on the page, by the ids the app gives its components."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1360, "height": 900})
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url, wait_until="domcontentloaded")
        self.page.locator("#nd-question textarea").wait_for(timeout=30_000)

    def send(self, question: str) -> Locator:
        """Type ``question`` and press Enter; return the locator of the reply bubble to come."""
        before = self.replies().count()
        box = self.page.locator("#nd-question textarea")
        box.fill(question)
        box.press("Enter")
        return self.replies().nth(before)

    def ask(self, question: str) -> Locator:
        """Send ``question`` and wait for the final (verified) reply; return its bubble."""
        reply = self.send(question)
        reply.wait_for(timeout=ANSWER_TIMEOUT)
        self.page.locator("#nd-chat .nd-streaming").wait_for(state="detached", timeout=ANSWER_TIMEOUT)
        return reply

    def replies(self) -> Locator:
        return self.page.locator("#nd-chat :is(.nd-answer, .nd-refusal, .nd-error)")

    def tab(self, name: str) -> None:
        self.page.get_by_role("tab", name=name).click()

    def upload(self, *files: Path) -> str:
        self.tab("Articles")
        self.page.locator("#nd-upload input[type=file]").set_input_files([str(f) for f in files])
        report = self.page.locator("#nd-ingest-report .nd-ingest")
        report.wait_for(timeout=ANSWER_TIMEOUT)
        return str(report.inner_text())

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


# ---- a stand-in OpenAI-compatible model server ----------------------------------------------
_EVIDENCE_LINE = re.compile(r"^\[(\d+)\] \((?:[^\"]*\"[^\n]*?\"|[^)]*)\) (.+)$", re.M)


class FakeModelServer:
    """Answers /v1/chat/completions by repeating the first evidence sentence with its marker.

    ``delay`` seconds pass before every streamed piece (to hold a request open); ``stop()`` and
    ``start()`` take the backend down and bring it back on the same port.
    """

    def __init__(self, port: int | None = None, delay: float = 0.0) -> None:
        self.port = port or free_port()
        self.delay = delay
        self.requests = 0
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def reply_for(self, messages: list[dict[str, str]]) -> str:
        user = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
        found = _EVIDENCE_LINE.search(user)
        if not found:
            return "The articles do not say."
        return f"{found.group(2).strip()} [{found.group(1)}]"

    def start(self) -> FakeModelServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # /v1/models
                self._json({"object": "list", "data": [{"id": "fake", "object": "model"}]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                owner.requests += 1
                text = owner.reply_for(body.get("messages", []))
                if body.get("stream"):
                    self._stream(text)
                else:
                    time.sleep(owner.delay)
                    self._json(_completion(text))

            def _json(self, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, text: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for piece in re.findall(r"\S+\s*", text):
                    time.sleep(owner.delay)
                    self.wfile.write(f"data: {json.dumps(_chunk(piece))}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(f"data: {json.dumps(_chunk('', 'stop'))}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _completion(text: str) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": "fake",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk(piece: str, finish: str | None = None) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake",
        "choices": [{"index": 0, "delta": {"content": piece} if piece else {}, "finish_reason": finish}],
    }
