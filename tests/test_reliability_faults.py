"""Faults at run time and malformed questions: one clear line naming the failed part and what to
do, the chat still usable, and the same Assistant answering again once the part is back. The
scenarios live in tests/faults.py, where benchmarks/reliability.py runs them too."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant, BadQuestion
from index.errors import StoreUnavailable, store_fault
from tests import faults


def _passed(outcome: faults.Outcome | None) -> None:
    if outcome is None:
        pytest.skip("mounting a small tmpfs is not permitted here")
    assert not outcome.failures, outcome.failures
    assert outcome.tried > 0 and outcome.lost == 0


def test_malformed_questions_and_histories(bot: Assistant) -> None:
    _passed(faults.malformed_questions(bot))


@pytest.mark.parametrize(("question", "history"), [("q", 42), ("q", "a b"), (None, None), ("  ", None)])
def test_unusable_questions_are_one_line_errors(bot: Assistant, question: object, history: object) -> None:
    with pytest.raises(BadQuestion) as err:
        bot.ask(question, history=history)  # type: ignore[arg-type]
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("question", ["¿Qué pasó en Anchorage?", "Wer hat Blinken getroffen?"])
def test_a_non_english_question_is_not_refused_by_a_name_check_on_its_first_word(
    bot: Assistant, question: str
) -> None:
    answer = bot.ask(question)  # answered, or refused because the sources do not answer it
    assert answer.refusal is None or str(answer.refusal.code) != "name_unmentioned", answer.text


def test_cli_with_arguments_that_are_not_utf8(data_dir: Path) -> None:
    _passed(faults.cli_invalid_utf8(data_dir))


def test_chroma_server_down_while_serving_then_back(tmp_path: Path) -> None:
    _passed(faults.chroma_server_down_and_back(tmp_path))


def test_chroma_server_killed_mid_ingest(tmp_path: Path) -> None:
    _passed(faults.chroma_killed_mid_ingest(tmp_path))


def test_model_server_killed_mid_stream_then_back(tmp_path: Path) -> None:
    _passed(faults.model_server_killed_mid_stream(tmp_path))


def test_disk_full_mid_ingest(tmp_path: Path) -> None:
    _passed(faults.disk_full_mid_ingest(tmp_path))


def test_disk_full_on_a_small_tmpfs(tmp_path: Path) -> None:
    _passed(faults.disk_full_on_tmpfs(tmp_path))


def test_data_dir_deleted_while_serving_then_rebuilt(tmp_path: Path) -> None:
    _passed(faults.data_dir_deleted_while_serving(tmp_path))


def test_database_overwritten_while_serving_then_restored(tmp_path: Path) -> None:
    _passed(faults.database_overwritten_while_serving(tmp_path))


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("Database error: error returned from database: (code: 26) file is not a database", ("damaged", "restore")),
        ("Error in compaction: Failed to apply logs to the metadata segment", ("damaged", "newsdesk ingest")),
        ("Collection [5d1c] does not exist", ("damaged or missing",)),
    ],
)
def test_faults_of_the_database_name_it_and_what_to_do(message: str, words: tuple[str, ...]) -> None:
    fault = store_fault(RuntimeError(message), "the data dir data")
    assert isinstance(fault, StoreUnavailable) and "\n" not in str(fault)
    assert all(w in str(fault) for w in words) and "the data dir data" in str(fault)
