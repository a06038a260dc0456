"""Generation through any OpenAI-compatible chat endpoint (OpenAI, llama.cpp server, vLLM, Ollama...)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, cast

from assistant.config import Config
from assistant.errors import BackendUnavailable
from assistant.generators.base import CUT
from assistant.prompt import build_messages
from assistant.types import Evidence, Turn

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletionMessageParam

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
PLACEHOLDER_KEY = "not-needed"  # local servers ignore the key, but the client insists on one
MAX_RETRIES = 1


class OpenAIGenerator:
    name = "openai"

    def __init__(self, config: Config) -> None:
        if not (config.openai_base_url or config.openai_api_key):
            raise BackendUnavailable(
                "no OpenAI-compatible endpoint configured: set OPENAI_BASE_URL (and OPENAI_API_KEY if it needs one)"
            )
        try:
            import openai
        except ImportError as exc:
            raise BackendUnavailable("the openai package is not installed: pip install 'openai>=2'") from exc
        self._config = config
        self._base_url = (config.openai_base_url or DEFAULT_BASE_URL).rstrip("/")
        self._client = openai.OpenAI(
            base_url=self._base_url,
            api_key=config.openai_api_key or PLACEHOLDER_KEY,
            timeout=config.request_timeout,
            max_retries=MAX_RETRIES,
        )
        self.label = f"OpenAI-compatible {self._base_url} · {config.openai_model}"

    def stream(self, question: str, evidence: Sequence[Evidence], history: Sequence[Turn] = ()) -> Iterator[str]:
        return self.stream_answer(question, evidence, history=history)

    def stream_answer(
        self,
        question: str,
        evidence: Sequence[Evidence],
        *,
        closed: bool = False,
        lead: str = "",
        history: Sequence[Turn] = (),
    ) -> Iterator[str]:
        """The answer; a yes/no (``closed``) question is answered Yes or No first. The server writes
        its own verdict (``lead`` cannot be imposed on a chat endpoint), and may refuse in words."""
        import httpx
        import openai

        messages = build_messages(question, evidence, history, closed=closed)
        started = time.perf_counter()
        first: float | None = None
        try:
            chunks = self._client.chat.completions.create(
                model=self._config.openai_model,
                messages=cast("list[ChatCompletionMessageParam]", messages),
                stream=True,
                temperature=self._config.temperature,
                max_tokens=self._config.max_answer_tokens,
            )
            for chunk in chunks:
                if not chunk.choices:
                    continue
                piece = chunk.choices[0].delta.content
                if piece:
                    if first is None:
                        first = time.perf_counter() - started
                    yield piece
                if chunk.choices[0].finish_reason == "length":
                    yield CUT
        except openai.OpenAIError as exc:
            raise BackendUnavailable(self._explain(exc)) from exc
        except httpx.HTTPError as exc:  # the stream broke after the reply began (server killed, network cut)
            raise BackendUnavailable(
                f"{self._base_url} broke off its answer ({type(exc).__name__}): "
                "check that the server is still running, then ask again"
            ) from exc
        log.info(
            "openai generation (%s): first token %.2f s, total %.2f s",
            self._config.openai_model,
            first if first is not None else float("nan"),
            time.perf_counter() - started,
        )

    def _explain(self, exc: openai.OpenAIError) -> str:
        """One line that says what went wrong and what to do."""
        import openai

        url, model = self._base_url, self._config.openai_model
        if isinstance(exc, openai.APITimeoutError):
            limit = self._config.request_timeout
            return f"{url} did not answer within {limit:g} s: is the server overloaded? (raise request_timeout)"
        if isinstance(exc, openai.APIConnectionError):
            return f"cannot reach {url}: is the server running? (check OPENAI_BASE_URL)"
        if isinstance(exc, openai.AuthenticationError):
            return f"{url} rejected the API key: check OPENAI_API_KEY"
        if isinstance(exc, openai.PermissionDeniedError):
            return f"{url} denied access to model '{model}': check OPENAI_API_KEY and its permissions"
        if isinstance(exc, openai.NotFoundError):
            return (
                f"model '{model}' not found at {url}: set NEWSDESK_OPENAI_MODEL to a model the server serves "
                "(or fix OPENAI_BASE_URL: it must end in the /v1 API root)"
            )
        if isinstance(exc, openai.RateLimitError):
            return f"{url} is rate-limiting requests (or the quota is used up): try again later"
        if isinstance(exc, openai.APIStatusError):
            detail = " ".join(str(exc.message).split())[:160]
            return f"{url} answered HTTP {exc.status_code}: {detail}"
        return f"{url}: {' '.join(str(exc).split())[:160]}"
