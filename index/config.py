"""Settings, built at the edge (CLI, UI launcher, tests) and passed down; here the index's part.

Each part of newsdesk owns the settings it reads: :class:`IndexSettings` (storage, embeddings,
chunking) here, the assistant's ``Config`` (generation, retrieval, evidence) in ``assistant.config``,
which extends it. pydantic-settings validates and coerces every value (``data_dir="data"`` becomes a
path, ``"4"`` from the environment a number); this module only chooses the sources and writes the
one-line message.

Sources of :meth:`Settings.load`, later ones winning: defaults, an optional TOML file
(``newsdesk.toml`` in the working directory or ``NEWSDESK_CONFIG``; section ``[newsdesk]`` or the top
level), the standard ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``, environment variables
``NEWSDESK_<FIELD>``, then explicit keyword overrides. Secrets come from the environment only.
Constructing a settings object directly (``IndexSettings(data_dir="data")``) reads no file and no
environment: only defaults and the keywords given.
"""

from __future__ import annotations

import os
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

ENV_PREFIX = "NEWSDESK_"
SECRET_FIELDS = frozenset({"openai_api_key"})
NOMIC_FILE = "nomic-embed-text-v1.5.f16.gguf"  # embedder "nomic"'s GGUF file (scripts/nomic_gguf.py)
NOMIC_NAME = "nomic-embed-text-v1.5-f16"  # its name in a collection's metadata (the read path keys weights by it)
# Standard variables of OpenAI clients, read below the NEWSDESK_ ones.
SHARED_ENV = {"OPENAI_BASE_URL": "openai_base_url", "OPENAI_API_KEY": "openai_api_key"}


class SettingError(ValueError):
    """A setting that is unknown or whose value does not fit; the message is one line naming it."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(message)
        self.setting = setting


def _not_a_bool(value: Any) -> Any:
    """pydantic reads ``True`` as the number 1; a yes/no given for a number is a mistake."""
    if isinstance(value, bool):
        raise ValueError("a yes/no is not a number")
    return value


WholeNumber = Annotated[int, BeforeValidator(_not_a_bool)]
Number = Annotated[float, BeforeValidator(_not_a_bool)]
UserPath = Annotated[Path, AfterValidator(Path.expanduser)]
_KINDS: dict[Any, str] = {int: "a whole number", float: "a number", str: "text", Path: "a path"}


class Settings(BaseSettings):
    """Frozen settings of one part of newsdesk: build with :meth:`load` at the edge, change with
    :meth:`replace`. A bad or unknown value raises :class:`SettingError` in one line."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid", env_prefix=ENV_PREFIX)

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as err:
            raise _one_line(err, type(self)) from None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Construction takes the keywords only; :meth:`load` reads the file and the environment."""
        return (init_settings,)

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied, validated like any other value."""
        return type(self)(**{**self.model_dump(), **changes})

    @classmethod
    def load(cls, toml_path: Path | None = None, env: Mapping[str, str] | None = None, **overrides: Any) -> Self:
        """Defaults < TOML file < ``OPENAI_*`` < ``NEWSDESK_*`` < ``overrides`` (``None`` ones skipped)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        origins: dict[str, str] = {}  # where a value came from, for the error message
        toml_path = toml_path or _default_toml(env)
        if toml_path is not None:
            for key, value in _toml_values(cls, Path(toml_path)).items():
                values[key], origins[key] = value, str(toml_path)
        for name, key in SHARED_ENV.items():
            if env.get(name) and key in cls.model_fields:
                values[key], origins[key] = env[name], name
        for key, value in _EnvSource(cls, env)().items():
            values[key], origins[key] = value, ENV_PREFIX + key.upper()
        for key, value in overrides.items():
            if value is not None:
                values[key] = value
                origins.pop(key, None)
        try:
            return cls(**values)
        except SettingError as err:
            where = origins.get(err.setting)
            raise SettingError(err.setting, f"{err} (from {where})" if where else str(err)) from None


class IndexSettings(Settings):
    """What the write path and the store read: where the index lives, how text is embedded and cut."""

    # storage
    data_dir: UserPath = Path("data")
    collection: str = "newsdesk"
    chroma_host: str | None = None  # set host (and port) to use a `chroma run` server
    chroma_port: WholeNumber = 8000

    # embeddings: "minilm" (offline ONNX default), "nomic" (opt-in GGUF), "openai" (OpenAI-compatible),
    # "hashing" (tests)
    embedder: str = "minilm"
    embed_model: str = "text-embedding-3-small"  # for embedder="openai"
    nomic_gguf: UserPath | None = None  # for embedder="nomic"; default data_dir/models/<its file>
    embed_batch_size: WholeNumber = 32

    # chunking
    chunk_tokens: WholeNumber = 160  # word pieces per chunk body; the header is added on top
    chunk_overlap_sentences: WholeNumber = 1

    # Shared with the assistant, declared here because the embedder needs them too: the CPU threads
    # of the local models (MiniLM here, the LLM there) and the OpenAI-compatible endpoint.
    llm_threads: WholeNumber = 2
    request_timeout: Number = 120.0
    openai_base_url: str | None = None
    openai_api_key: str | None = Field(default=None, repr=False)

    @property
    def nomic_path(self) -> Path:
        """The GGUF file of ``embedder = "nomic"``."""
        return self.nomic_gguf or self.data_dir / "models" / NOMIC_FILE


class _EnvSource(EnvSettingsSource):
    """pydantic-settings' ``NEWSDESK_<FIELD>`` source, reading ``env`` instead of ``os.environ``
    (so a caller, a test for one, can load settings independent of its own environment)."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        self._given = env
        super().__init__(settings_cls, case_sensitive=False, env_ignore_empty=True)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name.lower(): value for name, value in self._given.items() if value != ""}


def _default_toml(env: Mapping[str, str]) -> Path | None:
    if env.get(ENV_PREFIX + "CONFIG"):
        return Path(env[ENV_PREFIX + "CONFIG"])
    candidate = Path("newsdesk.toml")
    return candidate if candidate.is_file() else None


def _toml_values(settings_cls: type[BaseSettings], path: Path) -> dict[str, Any]:
    """The ``[newsdesk]`` section of ``path`` (or its top level); a secret in it is refused."""
    if not path.is_file():
        raise SettingError("config", f"config file {path} not found")
    data = TomlConfigSettingsSource(settings_cls, toml_file=path).toml_data
    section: dict[str, Any] = data.get("newsdesk", data)
    secrets = sorted(SECRET_FIELDS & section.keys())
    if secrets:
        raise SettingError(secrets[0], f"{path}: {secrets[0]} must come from the environment, not a file")
    return section


def _one_line(err: ValidationError, settings_cls: type[Settings]) -> SettingError:
    """pydantic's report as one line naming the setting: unknown names first, else the first error."""
    unknown = [str(e["loc"][0]) for e in err.errors() if e["type"] == "extra_forbidden"]
    if unknown:
        return SettingError(unknown[0], f"unknown setting(s): {', '.join(sorted(unknown))}")
    first = err.errors()[0]
    name = str(first["loc"][0])
    annotation = settings_cls.model_fields[name].annotation
    kind = _kind(annotation)
    if first["input"] is None and type(None) not in typing.get_args(annotation):
        return SettingError(name, f"setting {name}: a value is required ({kind})")
    return SettingError(name, f"setting {name}: {first['input']!r} is not {kind}")


def _kind(annotation: Any) -> str:
    """What a value of ``annotation`` (``T``, ``T | None``, ``Annotated[T, ...]``) is, in words."""
    for arg in typing.get_args(annotation) or (annotation,):
        base = typing.get_args(arg)[0] if typing.get_origin(arg) is Annotated else arg
        if base is not type(None):
            return _KINDS.get(base, f"a valid {getattr(base, '__name__', base)}")
    return "valid"
