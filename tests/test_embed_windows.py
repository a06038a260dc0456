"""No chunk is cut by the embedder's window: a text longer than MiniLM's 256 word pieces is embedded
as overlapping windows that together cover every one of its word pieces, and its vector is the
mean of all of them; a text that fits is embedded as one window, as before."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from index.chunker import chunk_article, embedding_text
from index.clean import clean_article
from index.config import IndexSettings
from index.embedders import MiniLMEmbedder, _normalise, windows
from index.loader import load_articles


@pytest.mark.parametrize("width,overlap", [(254, 32), (10, 3), (5, 0), (3, 2), (2, 5)])
def test_windows_cover_every_position_and_fit(width: int, overlap: int) -> None:
    for length in range(1, 1200):
        spans = windows(length, width, overlap)
        assert spans[0][0] == 0 and spans[-1][1] == length
        assert all(0 < hi - lo <= width for lo, hi in spans)
        shared = min(overlap, width - 1)
        assert all(nxt[0] <= cur[1] - shared for cur, nxt in zip(spans, spans[1:]))  # no gap, overlap kept
        assert len(spans) == 1 or length > width  # a text that fits is one window


def test_a_text_just_over_the_window_is_two_even_halves() -> None:
    assert windows(254, 254, 32) == [(0, 254)]
    assert windows(356, 254, 32) == [(0, 194), (162, 356)]


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def _windows_of(embedder: MiniLMEmbedder, text: str) -> list[list[int]]:
    ids = embedder._tokenizer.encode(text).ids  # type: ignore[attr-defined]
    if len(ids) <= embedder.max_tokens:
        return [ids]
    body = ids[1:-1]
    return [[ids[0], *body[lo:hi], ids[-1]] for lo, hi in windows(len(body), embedder.max_tokens - 2,
                                                                   embedder.window_overlap)]


def _covered(pieces: list[int], seen: list[list[int]], window: int) -> bool:
    """Whether ``seen`` (what the model was given for one text, in order) are windows that fit and
    together hold every word piece of ``pieces`` (the text's full tokenization) in place."""
    if any(len(w) > window or w[0] != pieces[0] or w[-1] != pieces[-1] for w in seen):
        return False
    body, covered, start = pieces[1:-1], [False] * (len(pieces) - 2), 0
    for w in seen:
        inner = w[1:-1]
        start = next((s for s in range(start, len(body) - len(inner) + 1) if body[s : s + len(inner)] == inner), -1)
        if start < 0:
            return False
        covered[start : start + len(inner)] = [True] * len(inner)
    return all(covered)


def test_no_chunk_of_the_seeds_is_cut_at_any_size(seeds_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the model is given for every seeds chunk (header line + text), at the default size and
    well above it: windows that fit the model and hold every word piece of the chunk."""
    embedder = MiniLMEmbedder()
    given: list[list[int]] = []

    def record(sequences: Sequence[Sequence[int]]) -> np.ndarray:
        given.extend(list(s) for s in sequences)
        return np.ones((len(sequences), embedder.dim), dtype=np.float32)

    monkeypatch.setattr(embedder, "_pool", record)
    raws, _skipped = load_articles([seeds_dir])
    articles = [article for raw in raws for article in clean_article(raw)]
    overflowing = 0
    for size in (IndexSettings().chunk_tokens, 224, 400):
        texts = [embedding_text(c) for a in articles for c in chunk_article(a, max_tokens=size)]
        for text in texts:
            given.clear()
            embedder.embed([text])
            pieces = embedder._tokenizer.encode(text).ids  # type: ignore[attr-defined]
            assert _covered(pieces, given, embedder.max_tokens), text[:80]
            overflowing += len(given) > 1
    assert overflowing  # the seeds overflow at 400, so the windowed path was exercised


def test_the_tail_of_a_long_text_counts(embedder: MiniLMEmbedder) -> None:
    head = "The city council approved the harbour budget after a long debate on Monday. " * 17
    tail = "Separately, the reactor at the northern plant was shut down for repairs. " * 8
    assert embedder.token_count(head) <= embedder.max_tokens < embedder.token_count(head + tail)
    head_only, whole, tail_only = embedder.embed([head, head + tail, tail])
    assert float(whole @ tail_only) > float(head_only @ tail_only) + 0.05  # the tail was not cut


def test_a_long_text_is_the_token_weighted_mean_of_its_windows(embedder: MiniLMEmbedder) -> None:
    text = " ".join(f"Item {i} of the report covers grain tariffs in district {i % 7}." for i in range(60))
    seen = _windows_of(embedder, text)
    assert len(seen) >= 3
    pools = embedder._pool(seen)
    expected = np.average(pools, axis=0, weights=[len(w) for w in seen])
    expected /= np.linalg.norm(expected)
    got = embedder.embed([text])[0]
    np.testing.assert_allclose(got, expected, atol=1e-6)
    # the same vector in any batch, and from the query-side embedder
    assert np.array_equal(embedder.embed(["short", text, "another short one"])[1], got)
    np.testing.assert_allclose(embedder.for_queries().embed([text])[0], got, atol=1e-6)


def test_a_text_that_fits_is_one_window_as_before(embedder: MiniLMEmbedder) -> None:
    text = "Berlin's council met on Monday to approve the budget."
    ids = embedder._tokenizer.encode(text).ids  # type: ignore[attr-defined]
    pooled = embedder._pool([ids])[0]
    assert np.array_equal(embedder.embed([text]), _normalise(pooled[None, :]))  # the code before, bit for bit
