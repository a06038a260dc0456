"""The configuration: values of any source coerced to the field's type, bad ones rejected in one line;
the index's part (IndexSettings) and the assistant's (Config, which extends it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Config
from index.config import IndexSettings, SettingError
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


def test_an_index_settings_data_dir_given_as_text_is_a_path() -> None:
    settings = IndexSettings(data_dir="data")
    assert settings.data_dir == Path("data") and isinstance(settings.data_dir, Path)
    assert Config(data_dir="data").data_dir == settings.data_dir


def test_a_bad_int_from_env_is_one_line_naming_setting_and_variable() -> None:
    with pytest.raises(SettingError) as err:
        IndexSettings.load(env={"NEWSDESK_CHUNK_TOKENS": "many"})
    assert str(err.value) == "setting chunk_tokens: 'many' is not a whole number (from NEWSDESK_CHUNK_TOKENS)"
    assert err.value.setting == "chunk_tokens" and "\n" not in str(err.value)


def test_unknown_settings_are_rejected_in_one_line_naming_where(tmp_path: Path) -> None:
    toml = tmp_path / "newsdesk.toml"
    toml.write_text("[newsdesk]\ntop_kk = 4\n")
    with pytest.raises(SettingError, match=rf"^unknown setting\(s\): top_kk \(from {toml}\)$"):
        Config.load(toml, env={})
    with pytest.raises(SettingError, match=r"^unknown setting\(s\): colour, size$"):
        Config(colour="red", size=3)  # type: ignore[call-arg]
    with pytest.raises(SettingError, match=r"^unknown setting\(s\): top_k$"):
        IndexSettings(top_k=4)  # type: ignore[call-arg]  # the assistant's setting, not the index's


def test_a_secret_in_the_toml_file_is_rejected(tmp_path: Path) -> None:
    toml = tmp_path / "newsdesk.toml"
    toml.write_text('[newsdesk]\nopenai_api_key = "sk-in-a-file"\n')
    with pytest.raises(SettingError, match="openai_api_key must come from the environment, not a file") as err:
        Config.load(toml, env={"NEWSDESK_OPENAI_API_KEY": "sk-env"})
    assert "sk-in-a-file" not in str(err.value)


def test_precedence_defaults_toml_openai_env_newsdesk_env_keywords(tmp_path: Path) -> None:
    toml = tmp_path / "settings.toml"
    toml.write_text('top_k = 2\nllm_ctx = 2048\nopenai_base_url = "http://toml/v1"\ncollection = "from-toml"\n')
    env = {
        "NEWSDESK_CONFIG": str(toml),
        "OPENAI_BASE_URL": "http://openai-env/v1",
        "OPENAI_API_KEY": "sk-standard",
        "NEWSDESK_OPENAI_API_KEY": "sk-newsdesk",
        "NEWSDESK_TOP_K": "3",
        "NEWSDESK_LLM_CTX": "1024",
        "NEWSDESK_TEMPERATURE": "",  # empty: unset, the default stays
    }
    config = Config.load(env=env, llm_ctx=512, backend=None)  # a None keyword overrides nothing
    assert config.max_answer_tokens == 120  # default
    assert config.collection == "from-toml"  # file over default
    assert config.openai_base_url == "http://openai-env/v1"  # OPENAI_* over file
    assert config.openai_api_key == "sk-newsdesk"  # NEWSDESK_* over OPENAI_*
    assert config.top_k == 3  # NEWSDESK_* over file
    assert config.llm_ctx == 512  # keywords over everything
    assert config.temperature == 0.0 and config.backend is None


def test_constructing_reads_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_TOP_K", "3")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    assert Config().top_k == 6 and Config().openai_api_key is None
    assert Config.load().top_k == 3 and Config.load().openai_api_key == "sk-env"


def test_the_secret_stays_out_of_the_repr_and_the_config_is_frozen() -> None:
    config = Config(openai_api_key="sk-secret")
    assert "sk-secret" not in repr(config)
    with pytest.raises(ValueError):
        config.top_k = 3  # type: ignore[misc]
    assert config.replace(top_k=3).top_k == 3 and config.top_k == 6


def test_the_index_takes_its_part_and_the_config_is_one() -> None:
    assert isinstance(Config(), IndexSettings)
    assert set(IndexSettings.model_fields) < set(Config.model_fields)
    assert {"top_k", "backend", "evidence_tokens", "model_dir"}.isdisjoint(IndexSettings.model_fields)


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    assert [name for name in Config.model_fields if not any(f"`{name}`" in row for row in rows)] == []


def test_the_answer_bars_reach_the_policy(tmp_path: Path) -> None:
    from assistant import Assistant
    from assistant.policy import Judgement, Reason

    config = Config.load(env={"NEWSDESK_ANSWERABLE_MIN": "0.6", "NEWSDESK_YES_MIN": "0.7"},
                         data_dir=tmp_path, embedder="hashing", backend="extractive")
    policy = Assistant.from_config(config)._read_path.policy  # the policy the read path was built with
    assert (policy.answerable_min, policy.yes_min) == (0.6, 0.7)
    refusal = policy.on_judgement(Judgement(p_answerable=0.55), closed=False)
    assert refusal is not None and refusal.code == Reason.SOURCES_INSUFFICIENT
    assert Config().answerable_min == 0.5  # the model's own choice by default
