"""The one frozen configuration object, built at the edge (CLI, UI launcher, tests) and passed down.

Sources, later ones winning: defaults, an optional TOML file (``newsdesk.toml`` in the working
directory or ``NEWSDESK_CONFIG``), environment variables ``NEWSDESK_<FIELD>`` (plus the standard
``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``), then explicit keyword overrides. Secrets come from the
environment only.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "NEWSDESK_"
SECRET_FIELDS = frozenset({"openai_api_key"})


@dataclass(frozen=True)
class Config:
    """Every setting of newsdesk. Build with :meth:`Config.load`; never mutate, use :meth:`replace`."""

    # storage
    data_dir: Path = Path("data")
    collection: str = "newsdesk"
    chroma_host: str | None = None  # set host (and port) to use a `chroma run` server
    chroma_port: int = 8000

    # embeddings: "minilm" (offline ONNX default), "openai" (OpenAI-compatible), "hashing" (tests)
    embedder: str = "minilm"
    embed_model: str = "text-embedding-3-small"  # for embedder="openai"
    embed_batch_size: int = 32

    # chunking
    chunk_tokens: int = 160  # word pieces per chunk body; the header is added on top
    chunk_overlap_sentences: int = 1

    # generation: None picks openai (key or base URL set) > local (installed) > extractive
    backend: str | None = None
    model_dir: Path | None = None  # where the local GGUF is assembled; default data_dir/models
    llm_threads: int = 2
    llm_ctx: int = 4096
    max_answer_tokens: int = 120
    temperature: float = 0.0
    request_timeout: float = 120.0

    # OpenAI-compatible endpoint (chat and, optionally, embeddings)
    openai_base_url: str | None = None
    openai_api_key: str | None = field(default=None, repr=False)
    openai_model: str = "gpt-4o-mini"

    # retrieval
    top_k: int = 6
    evidence_sentences: int = 8
    # The local model reads ~65-120 prompt tokens/s here: the evidence budget is the latency budget.
    # 200 against 260: first token p50 2.77 s against 3.30 s; on the seeds gold set the key facts
    # of 51 against 52 of 60 answerable questions still reach the evidence (BENCHMARKS.md).
    evidence_tokens: int = 200

    def __post_init__(self) -> None:
        """Coerce every field to its declared type (``Config(data_dir="data")``, numbers from env
        or TOML text); a value that does not fit is rejected in one line naming the setting."""
        for f in fields(self):
            object.__setattr__(self, f.name, _coerce(f.name, getattr(self, f.name), _HINTS[f.name]))

    @property
    def models_path(self) -> Path:
        return self.model_dir if self.model_dir is not None else self.data_dir / "models"

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)

    @classmethod
    def load(
        cls,
        toml_path: Path | None = None,
        env: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> Config:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        origins: dict[str, str] = {}  # where a value came from, for the error message
        toml_path = toml_path or _default_toml(env)
        if toml_path is not None:
            with open(toml_path, "rb") as fh:
                data = tomllib.load(fh)
            section = data.get("newsdesk", data)
            for key, value in section.items():
                if key in SECRET_FIELDS:
                    raise ValueError(f"{toml_path}: {key} must come from the environment, not a file")
                values[key], origins[key] = value, str(toml_path)
        if env.get("OPENAI_BASE_URL"):
            values["openai_base_url"] = env["OPENAI_BASE_URL"]
        if env.get("OPENAI_API_KEY"):
            values["openai_api_key"] = env["OPENAI_API_KEY"]
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name], origins[f.name] = raw, ENV_PREFIX + f.name.upper()
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        try:
            return cls(**values)
        except SettingError as err:
            where = origins.get(err.setting)
            raise SettingError(err.setting, f"{err} (from {where})" if where else str(err)) from None


def _default_toml(env: Mapping[str, str]) -> Path | None:
    if env.get(ENV_PREFIX + "CONFIG"):
        return Path(env[ENV_PREFIX + "CONFIG"])
    candidate = Path("newsdesk.toml")
    return candidate if candidate.is_file() else None


class SettingError(ValueError):
    """A setting whose value does not fit its type; the message is one line that names it."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(message)
        self.setting = setting


_HINTS = typing.get_type_hints(Config)
_KINDS = {int: "a whole number", float: "a number", str: "text", Path: "a path"}


def _coerce(name: str, value: Any, hint: Any) -> Any:
    """``value`` as the type ``hint`` (``T`` or ``T | None``): text from env/TOML parsed, str -> Path."""
    accepted = typing.get_args(hint) or (hint,)
    kind = next(k for k in accepted if k is not type(None))
    if value is None:
        if type(None) in accepted:
            return None
        raise SettingError(name, f"setting {name}: a value is required ({_KINDS[kind]})")
    try:
        if kind is Path and isinstance(value, str | os.PathLike):
            return Path(value).expanduser() if isinstance(value, str) else Path(value)
        if kind is int and not isinstance(value, bool) and isinstance(value, int | str):
            return int(value)
        if kind is float and not isinstance(value, bool) and isinstance(value, int | float | str):
            return float(value)
        if kind is str and isinstance(value, str):
            return value
    except ValueError:
        pass
    raise SettingError(name, f"setting {name}: {value!r} is not {_KINDS[kind]}")
