"""The configuration: values of any source coerced to the field's type, bad ones rejected in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Config
from index.store import ChromaStore


def test_a_string_data_dir_is_a_path(tmp_path: Path) -> None:
    config = Config(data_dir=str(tmp_path / "data"), model_dir=str(tmp_path / "models"), embedder="hashing")
    assert config.data_dir == tmp_path / "data" and isinstance(config.data_dir, Path)
    assert config.models_path == tmp_path / "models"
    assert ChromaStore.open(config, "hashing", 8).count() == 0  # the call that failed with a str


def test_replace_coerces_too() -> None:
    config = Config().replace(data_dir="elsewhere", top_k="9", temperature=1)
    assert config.data_dir == Path("elsewhere") and config.top_k == 9 and config.temperature == 1.0
    assert isinstance(config.temperature, float)


def test_env_and_toml_text_become_numbers_and_paths(tmp_path: Path) -> None:
    toml = tmp_path / "newsdesk.toml"
    toml.write_text('[newsdesk]\ndata_dir = "from-toml"\nchunk_tokens = 120\n')
    config = Config.load(toml, env={"NEWSDESK_TOP_K": "4", "NEWSDESK_REQUEST_TIMEOUT": "2.5"})
    assert (config.data_dir, config.chunk_tokens, config.top_k, config.request_timeout) == (
        Path("from-toml"), 120, 4, 2.5,
    )  # fmt: skip
    assert Config.load(env={"NEWSDESK_MODEL_DIR": "~/models"}).models_path == Path.home() / "models"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("NEWSDESK_TOP_K", "abc", "setting top_k: 'abc' is not a whole number"),
        ("NEWSDESK_TEMPERATURE", "warm", "setting temperature: 'warm' is not a number"),
        ("NEWSDESK_CHROMA_PORT", "80.5", "setting chroma_port: '80.5' is not a whole number"),
    ],
)
def test_a_bad_env_value_is_one_line_naming_the_setting(variable: str, value: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        Config.load(env={variable: value})
    assert str(err.value) == f"{message} (from {variable})"


def test_a_bad_toml_value_names_the_setting_and_the_file(tmp_path: Path) -> None:
    toml = tmp_path / "newsdesk.toml"
    toml.write_text('top_k = "six"\n')
    with pytest.raises(ValueError, match=rf"^setting top_k: 'six' is not a whole number \(from {toml}\)$"):
        Config.load(toml, env={})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"top_k": True}, "setting top_k: True is not a whole number"),
        ({"data_dir": 3}, "setting data_dir: 3 is not a path"),
        ({"collection": None}, "setting collection: a value is required (text)"),
        ({"embedder": 1}, "setting embedder: 1 is not text"),
    ],
)
def test_wrong_types_in_code_are_rejected(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as err:
        Config(**changes)  # type: ignore[arg-type]
    assert str(err.value) == message


def test_optional_settings_stay_unset() -> None:
    config = Config()
    assert config.backend is None and config.model_dir is None and config.chroma_host is None
    assert config.models_path == Path("data") / "models"
