"""The assistant's settings: the index's (inherited) plus what the read path needs.

``Config`` is the one frozen object the CLI and the UI launcher build (``Config.load``) and pass
down; the index's modules take it as the :class:`index.config.IndexSettings` it extends and read
only that part. Sources, precedence and messages are those of :mod:`index.config`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field

from index import IndexSettings, Number, UserPath, WholeNumber


class Config(IndexSettings):
    """Every setting of newsdesk. Build with :meth:`Config.load`; never mutate, use :meth:`replace`."""

    # generation: None picks openai (key or base URL set) > local (installed) > extractive
    backend: str | None = None
    model_dir: UserPath | None = None  # where the local GGUF is assembled; default data_dir/models
    llm_ctx: WholeNumber = 4096
    max_answer_tokens: WholeNumber = 120
    temperature: Number = 0.0
    openai_model: str = "gpt-4o-mini"  # the endpoint itself is shared with the embedder: IndexSettings

    # retrieval
    top_k: WholeNumber = 6
    # The evidence the model reads: 12 sentences / 300 tokens against 8 / 200 answers more of the
    # MultiHop-RAG `tune` half right (strict 0.557 -> 0.625, answerable questions refused 0.125 ->
    # 0.091; BENCHMARKS.md, issue 11, tenth session) and finds more key facts on both gold sets,
    # at ~115 more prompt tokens before the first word (the local model reads ~30-120 tokens/s,
    # by CPU). 8 / 200 is the setting for a faster first word.
    evidence_sentences: WholeNumber = 12
    evidence_tokens: WholeNumber = 300
    # A first read of the evidence's head (sentences / tokens, 0 = off): the model decides on it
    # and reads the rest only when it would refuse or answer "No" there, or when the answer written
    # from it fails verification (AnswerPolicy.reads_more, .rereads). At 8 / 200 on an AVX2 CPU:
    # first token 0.76x on the seeds, `tune` and seeds as good or better, but news key facts 0.500
    # -> 0.400 (BENCHMARKS.md, issue 15, fifteenth session), so off by default.
    evidence_first_sentences: WholeNumber = 0
    evidence_first_tokens: WholeNumber = 0

    # answering: a yes/no question's verdict is "Yes" when the model's P(Yes) reaches this bar. The
    # 1.5B model puts P(Yes) above 0.5 for nearly every yes/no question; 0.8, chosen on MultiHop-RAG
    # `tune`, gains there (+0.011 strict) and on `confirm` (+0.015), both gold sets unchanged
    # (BENCHMARKS.md, issue 11, seventh session). 0.5 is the model's own choice.
    yes_min: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.8
    # An open question is refused when the model's P(the sources answer it) is below this bar. 0.5
    # is the model's own choice and the best on `tune`; 0.6 refuses more unanswerable questions on
    # the gold sets but loses right answers on `tune` (0.625 -> 0.614 strict at 12 / 300): BENCHMARKS.md,
    # issue 11, ninth and tenth sessions. A deployment that prefers refusing to guessing may raise it.
    answerable_min: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.5

    @property
    def models_path(self) -> Path:
        return self.model_dir if self.model_dir is not None else self.data_dir / "models"
