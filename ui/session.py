"""One browser session's conversation, and the calls from it to the Assistant.

A session is an immutable list of :class:`ChatTurn` kept in ``gr.State`` (never in a module
global): each request builds a new list, so concurrent sessions cannot see each other's history.
Errors become one friendly line here, at the edge; the Assistant is stateless per call, so the next
request simply tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant import (
    Answer,
    BackendUnavailable,
    IndexMissing,
    NewsdeskError,
    Queued,
    SourcesFound,
    TextDelta,
)
from ui import render

if TYPE_CHECKING:
    from assistant import Assistant, Turn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatTurn:
    question: str
    answer: Answer | None = None
    partial: str = ""  # raw text streamed so far (before the verified answer replaces it)
    error: str = ""
    status: str = ""  # what is happening before the first word ("Reading 8 sentences from 4 articles…")

    @property
    def done(self) -> bool:
        return self.answer is not None or bool(self.error)


def friendly_error(exc: BaseException) -> str:
    """A one-line message for the user; unexpected errors are logged with their traceback."""
    if isinstance(exc, BackendUnavailable):
        return f"The answering model is not available right now ({exc}). Please try again in a moment."
    if isinstance(exc, IndexMissing):
        return "There are no articles yet: add some in the Articles tab, then ask again."
    if isinstance(exc, NewsdeskError):  # one line naming the failed part and what to do
        text = str(exc) or type(exc).__name__
        return text[:1].upper() + text[1:]
    log.exception("unexpected error while answering", exc_info=exc)
    return "Something went wrong while answering (the details are in the server log). Please try again."


def history_of(turns: Sequence[ChatTurn]) -> list[Turn]:
    """The conversation so far as the Assistant expects it: answered turns only."""
    history: list[Turn] = []
    for turn in turns:
        if turn.answer is not None:
            history.append({"role": "user", "content": turn.question})
            history.append({"role": "assistant", "content": turn.answer.text})
    return history


def stream_turn(bot: Assistant, question: str, turns: Sequence[ChatTurn]) -> Iterator[list[ChatTurn]]:
    """Yield the conversation with its new last turn growing, ending answered or with an error."""
    prior = list(turns)
    yield [*prior, ChatTurn(question)]
    text = ""
    try:
        for event in bot.stream(question, history=history_of(prior)):
            if isinstance(event, SourcesFound):
                text = ""  # a second read: what was written from the first is not the answer
                stories = len({src.doc_id for src in event.sources})
                status = f"Reading {len(event.evidence)} sentences from {stories} articles…"
                yield [*prior, ChatTurn(question, status=status)]
            elif isinstance(event, Queued):
                plural = "s" if event.ahead > 1 else ""
                waiting = f"Waiting for the model: {event.ahead} question{plural} ahead of yours…"
                yield [*prior, ChatTurn(question, status=waiting)]
            elif isinstance(event, TextDelta):
                text += event.text
                yield [*prior, ChatTurn(question, partial=text)]
            elif isinstance(event, Answer):
                yield [*prior, ChatTurn(question, answer=event)]
                return
        raise RuntimeError("the answer stream ended without a final answer")
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message in the chat
        yield [*prior, ChatTurn(question, partial=text, error=friendly_error(exc))]


def chat_messages(turns: Sequence[ChatTurn]) -> list[dict[str, str]]:
    """The Chatbot value: two messages per turn, every text escaped by ``ui.render``."""
    messages = []
    for turn in turns:
        messages.append({"role": "user", "content": render.question_html(turn.question)})
        if turn.answer is not None:
            reply = render.answer_html(turn.answer)
        elif turn.error:
            reply = render.error_html(turn.error)
        else:
            reply = render.partial_html(turn.partial, turn.status)
        messages.append({"role": "assistant", "content": reply})
    return messages


def sources_panel(bot: Assistant, turns: Sequence[ChatTurn], index: int | None = None) -> str:
    """The sources panel for turn ``index`` (default: the latest answered turn)."""
    answered = [i for i, t in enumerate(turns) if t.answer is not None]
    if index is None:
        index = answered[-1] if answered else None
    if index is None or not 0 <= index < len(turns) or turns[index].answer is None:
        return render.sources_html(None, bot.article_text)
    turn = turns[index]
    return render.sources_html(turn.answer, bot.article_text, question=turn.question)


# ---- the /ask API ---------------------------------------------------------------------------
def answer_payload(answer: Answer) -> dict[str, Any]:
    """What API clients get: the verified answer and, per citation, the exact quoted span."""
    return {
        "answer": answer.text,
        "refused": answer.refused,
        "refusal": {"code": str(answer.refusal.code), "message": answer.refusal.message} if answer.refusal else None,
        "verdict": answer.verdict,
        "backend": answer.backend,
        "citations": [{**c.to_dict(), "also_reported_by": list(c.also_reported_by)} for c in answer.citations],
        "sources": [
            {"doc_id": s.doc_id, "title": s.title, "outlet": s.outlet, "published": s.published} for s in answer.sources
        ],
        "query": answer.query,
    }


def clean_api_history(history: Any) -> list[Turn]:
    """Accept [{"role", "content"}, ...] (or [question, answer] pairs) from API clients."""
    turns: list[Turn] = []
    for item in history or []:
        if isinstance(item, dict) and item.get("role") in ("user", "assistant"):
            turns.append({"role": item["role"], "content": str(item.get("content") or "")})
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            turns.append({"role": "user", "content": str(item[0] or "")})
            turns.append({"role": "assistant", "content": str(item[1] or "")})
    return turns
