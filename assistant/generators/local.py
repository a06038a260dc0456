"""The local generator: answers, and the model's own YES/NO judgements, from the local GGUF model.

The model file, its loading and its one-at-a-time lock are :mod:`assistant.generators.local_model`;
this module writes the prompts (:mod:`assistant.prompt`) and reads the model's output: the streamed
answer, and P(YES) from the next-token probabilities.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from assistant.config import Config
from assistant.errors import BackendUnavailable, ModelMissing
from assistant.generators.base import CUT
from assistant.generators.local_model import MODEL_LABEL, RUNTIME_HINT, ensure_local_model, load_llama
from assistant.policy import Judgement
from assistant.prompt import build_messages, chatml, decision_messages
from assistant.types import Evidence, Turn

log = logging.getLogger(__name__)

_YES, _NO = ("YES", "Yes", "yes"), ("NO", "No", "no")


class LocalGenerator:
    """Streams answers from the local GGUF model; one generation at a time per loaded model."""

    name = "local"
    label = MODEL_LABEL

    def __init__(self, config: Config) -> None:
        if importlib.util.find_spec("llama_cpp") is None:
            raise ModelMissing(f"llama-cpp-python is not installed: {RUNTIME_HINT}")
        self._config = config
        path = ensure_local_model(config.models_path)
        self._llm, self._lock = load_llama(str(path), config.llm_ctx, config.llm_threads)
        first = {w: self._llm.tokenize(w.encode(), add_bos=False, special=False)[0] for w in _YES + _NO}
        self._yes_no = (sorted({first[w] for w in _YES}), sorted({first[w] for w in _NO}))  # first tokens

    def queue_length(self) -> int:
        """Answers running or waiting for this model (one model, one answer at a time)."""
        return self._lock.pending

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` for this model (for prompt budgeting and measurement)."""
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def _first_token_logits(self, prompt: str) -> np.ndarray:
        """The next-token logits after ``prompt`` (one forward pass over what the prompt cache does
        not already hold). Call with the lock held."""
        seen: dict[str, Any] = {}

        def capture(_ids: Any, logits: Any) -> Any:
            seen["logits"] = logits
            return logits

        try:
            self._llm.create_completion(prompt, max_tokens=1, temperature=0.0, logits_processor=[capture])
        except ValueError as exc:  # llama_cpp raises ValueError when the prompt exceeds n_ctx
            raise BackendUnavailable(f"local model: {exc} (raise llm_ctx or use fewer sources)") from exc
        return np.asarray(seen["logits"], dtype=np.float64)

    def _p_yes(self, prompt: str) -> float:
        """P(YES) / (P(YES) + P(NO)) for the token after ``prompt``, over every casing of each."""
        logits = self._first_token_logits(prompt)
        yes, no = (float(np.logaddexp.reduce(logits[ids])) for ids in self._yes_no)
        return float(1.0 / (1.0 + np.exp(no - yes)))

    def p_yes(self, messages: Sequence[dict[str, str]]) -> float:
        """The model's P(YES) / (P(YES) + P(NO)) as the first word of its reply to ``messages`` (for
        measurements of YES/NO checks, e.g. ``benchmarks/bench_claim_check.py``)."""
        with self._lock:
            return self._p_yes(chatml(messages))

    def judge(self, question: str, evidence: Sequence[Evidence], *, closed: bool) -> Judgement:
        """The model's own view of the evidence. Every question: P(the sources answer it), asked
        in a last line after the sources (the answer then reuses the cached prefix: ~0.3 s extra).
        A yes/no question also: P(Yes) as the first word of the answer itself, so the verdict is
        what the model would write, decided by probability rather than by sampling."""
        with self._lock:
            started = time.perf_counter()
            p = self._p_yes(chatml(decision_messages(question, evidence)))
            log.info("local decision: P(sources answer) = %.2f in %.2f s", p, time.perf_counter() - started)
            if not closed:
                return Judgement(p_answerable=p)
            # Shares the decision's prompt up to its last line: only the instruction is read anew.
            verdict = self._p_yes(chatml(build_messages(question, evidence, allow_refusal=False, closed=True)))
            log.info("local verdict: P(yes) = %.2f in %.2f s", verdict, time.perf_counter() - started)
            return Judgement(p_answerable=p, p_yes=verdict)

    def stream(self, question: str, evidence: Sequence[Evidence], history: Sequence[Turn] = ()) -> Iterator[str]:
        # The question arrives standalone (follow-ups resolved), so the earlier turns are left out
        # of the prompts: with them the model judged answerable follow-ups unanswerable more often
        # (seeds gold set: YES/NO separation, AUC 0.87 -> 0.88), and they cost up to ~1 s to read.
        return self.stream_answer(question, evidence)

    def stream_answer(
        self, question: str, evidence: Sequence[Evidence], *, closed: bool = False, lead: str = ""
    ) -> Iterator[str]:
        """The answer, written without the option to refuse (the answer policy decided that), and
        starting with ``lead`` (a yes/no question's verdict) when given."""
        prompt = chatml(build_messages(question, evidence, allow_refusal=False, closed=closed), lead)
        with self._lock:
            started = time.perf_counter()
            first: float | None = None
            if lead:
                yield lead
            try:
                chunks = self._llm.create_completion(
                    prompt,
                    stream=True,
                    temperature=self._config.temperature,
                    max_tokens=self._config.max_answer_tokens,
                    stop=["<|im_end|>", "<|endoftext|>"],
                )
                for chunk in chunks:
                    piece = chunk["choices"][0].get("text")
                    if piece:
                        if first is None:
                            first = time.perf_counter() - started
                        yield piece
                    if chunk["choices"][0].get("finish_reason") == "length":
                        yield CUT
            except ValueError as exc:  # llama_cpp raises ValueError when the prompt exceeds n_ctx
                raise BackendUnavailable(f"local model: {exc} (raise llm_ctx or use fewer sources)") from exc
            log.info(
                "local generation: first token %.2f s, total %.2f s",
                first if first is not None else float("nan"),
                time.perf_counter() - started,
            )
