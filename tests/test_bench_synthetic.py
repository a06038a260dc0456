"""The scale benchmark's building blocks: synthetic articles go through the real loader and ingest
as distinct articles (clustered as copies, never folded), and the derived embedder gives each
synthetic chunk its original's vector, perturbed by the calibrated amount."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.config import Config
from benchmarks.derived import DerivedEmbedder, calibrate, perturbed, scale_for
from benchmarks.synthetic import (
    chunked,
    load_corpus,
    original_articles,
    synthetic_articles,
    synthetic_chunks,
    write_records,
)
from index.chunker import embedding_text
from index.embedders import HashingEmbedder
from index.ingest import ingest
from index.loader import load_articles
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "gold" / "news_corpus.json"  # 25 records with MultiHop-RAG's fields


def _fields(chunks: list) -> list[tuple[str, str, str, str, str]]:
    return sorted((c.text, c.title, c.outlet, c.published, c.url) for c in chunks)


def test_records_read_back_by_the_loader_chunk_as_the_generator_does(tmp_path):
    records = load_corpus(CORPUS)
    n = 2 * len(records) + 5  # copies 0, 1 and 2
    assert write_records(synthetic_articles(records, range(n)), tmp_path / "part.jsonl") == n
    raws, skipped = load_articles([tmp_path / "part.jsonl"])
    assert not skipped and len(raws) == n
    assert _fields(chunked(raws)) == _fields(synthetic_chunks(CORPUS, n))


def test_copies_are_stored_as_distinct_articles_and_clustered_as_syndicated(tmp_path):
    records = load_corpus(CORPUS)
    n = 2 * len(records)
    write_records(synthetic_articles(records, range(n)), tmp_path / "part.jsonl")
    config = Config.load(env={}, data_dir=tmp_path / "data", embedder="hashing")
    report = ingest([tmp_path / "part.jsonl"], config, embedder=HashingEmbedder(), progress=False)
    assert len(report.added) == n and not report.duplicates and not report.skipped
    assert len(report.clusters) == len(records)  # each record with its copy
    assert all(len(members) == 2 for members in report.clusters.values())


def test_a_derived_vector_is_its_originals_perturbed_by_the_calibrated_amount():
    records = load_corpus(CORPUS)
    base = HashingEmbedder()
    originals = [embedding_text(c) for c in chunked(original_articles(records))]
    derived = DerivedEmbedder(originals, base.embed(originals), base.name, 0.0, lambda: base)
    copies = [c for c in chunked(synthetic_articles(records, range(3 * len(records), 4 * len(records))))]
    texts = [embedding_text(c) for c in copies]

    rows = [derived.origin(t) for t in texts]
    assert all(r is not None for r in rows)
    # the original found is a chunk of the same record's article, sharing the copy's sentences
    records_of = {embedding_text(c): c.url for c in chunked(original_articles(records))}
    assert all(records_of[originals[r]] == c.url.split("?e=")[0] for r, c in zip(rows, copies) if r is not None)

    report = calibrate(derived, texts, base.embed(texts))
    assert report["matched"] == len(texts)
    assert derived.scale == pytest.approx(scale_for(report["real_to_original_cosine_median"]), rel=1e-2)
    vectors = derived.embed(texts)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    to_original = [float(v @ derived.vector(r)) for v, r in zip(vectors, rows) if r is not None]
    assert np.median(to_original) == pytest.approx(report["real_to_original_cosine_median"], abs=0.02)
    assert np.array_equal(derived.embed(texts[:3]), vectors[:3])  # deterministic
    assert np.array_equal(derived.embed(originals[:2]), base.embed(originals[:2]))  # an original: its own vector
    assert derived.counts["embedded"] == 0


def test_perturbation_size_matches_the_cosine_asked_for():
    rng = np.random.default_rng(0)
    vector = rng.standard_normal(384).astype(np.float32)
    vector /= np.linalg.norm(vector)
    for cosine in (0.99, 0.95, 0.8):
        moved = perturbed(vector, scale_for(cosine), f"text {cosine}")
        assert float(moved @ vector) == pytest.approx(cosine, abs=1e-4)
