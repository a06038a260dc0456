"""The opt-in nomic embedder: chosen by the ``embedder`` setting, a missing model file named in one
line, and (when the GGUF file is on disk) the model card's usage: task prefixes, unit vectors, no
text cut by the window."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from assistant.retrieval import FusionWeights
from index import EmbedderUnavailable, make_embedder, query_embedder
from index.config import IndexSettings
from index.embedders_nomic import NOMIC_FILE, NomicEmbedder

_GGUF = Path(os.environ.get("NEWSDESK_NOMIC_GGUF", Path(__file__).parents[1] / "data" / "models" / NOMIC_FILE))


def test_nomic_vectors_get_the_fusion_weights_chosen_for_them() -> None:
    chosen = FusionWeights.for_embedder(NomicEmbedder.name)
    assert chosen != FusionWeights() and chosen.vector > 0  # its whole-question list counts
    assert FusionWeights.for_embedder("all-MiniLM-L6-v2-onnx-int8") == FusionWeights()


def test_a_missing_model_file_is_one_line_naming_it(tmp_path: Path) -> None:
    config = IndexSettings(data_dir=tmp_path, embedder="nomic")
    with pytest.raises(EmbedderUnavailable) as err:
        make_embedder(config)
    message = str(err.value)
    assert "\n" not in message and str(tmp_path / "models" / NOMIC_FILE) in message


def test_the_setting_picks_the_file_and_queries_get_their_prefix(tmp_path: Path) -> None:
    gguf = tmp_path / "elsewhere.gguf"
    gguf.write_bytes(b"GGUF")  # the model loads at the first embedding, not here
    embedder = make_embedder(IndexSettings(data_dir=tmp_path, embedder="nomic", nomic_gguf=gguf, llm_threads=1))
    assert isinstance(embedder, NomicEmbedder)
    assert (embedder.path, embedder.dim, embedder.prefix) == (gguf, 768, "search_document: ")
    queries = query_embedder(embedder)
    assert isinstance(queries, NomicEmbedder) and queries.prefix == "search_query: "
    assert embedder.prefix == "search_document: "  # the ingest side is unchanged


@pytest.fixture(scope="module")
def nomic() -> NomicEmbedder:
    if not _GGUF.is_file():
        pytest.skip(f"{_GGUF} not on disk (scripts/nomic_gguf.py extracts it)")
    return NomicEmbedder(_GGUF, threads=2)


def test_vectors_are_unit_and_a_question_finds_its_passage(nomic: NomicEmbedder) -> None:
    passages = [
        "The central bank raised interest rates by a quarter point to fight inflation.",
        "The striker scored twice as the home team won the cup final.",
        "A new vaccine was approved after trials showed strong protection.",
    ]
    docs = nomic.embed(passages)
    assert docs.shape == (3, 768) and docs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
    questions = query_embedder(nomic).embed(["Who won the football final?", "What did the central bank do?"])
    assert list((questions @ docs.T).argmax(axis=1)) == [1, 0]
    # the prefix is part of what is embedded: the same text as a question is another vector
    assert float(query_embedder(nomic).embed(passages[:1])[0] @ docs[0]) < 0.999
    assert nomic.embed([]).shape == (0, 768)


@pytest.mark.slow  # ~2,500 tokens through a 137M-parameter model: tens of CPU seconds
def test_a_text_over_the_window_is_embedded_whole_in_windows(nomic: NomicEmbedder) -> None:
    sentence = "The harbour authority said container traffic rose for the third month in a row. "
    text = sentence * 140  # over the 2,048-token window
    assert nomic.token_count(text) > nomic.max_tokens
    model, _lock = nomic._loaded()
    pieces = nomic._pieces(model, text)
    assert len(pieces) == 2 and all(size <= nomic.max_tokens for _piece, size in pieces)
    assert all(piece.startswith("search_document: ") for piece, _size in pieces)
    whole = nomic.embed([text])[0]
    assert float(whole @ nomic.embed([sentence * 20])[0]) > 0.9  # the same content, not a scrap
