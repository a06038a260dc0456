"""HybridRetriever on a real embedded Chroma holding the small MultiHop-style test corpus: each list
alone, lists per named outlet and date, every named outlet given a place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Assistant, Config
from assistant.retrieval import Filters, FusionWeights, HybridRetriever

CORPUS = Path(__file__).parent / "data" / "multihop-rag" / "corpus.json"


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HybridRetriever]:
    config = Config(data_dir=tmp_path_factory.mktemp("retrieval"), embedder="hashing", backend="extractive")
    bot = Assistant.from_config(config)
    bot.ingest([CORPUS])
    yield bot._retriever


def test_keyword_alone_is_the_bm25_list(retriever: HybridRetriever) -> None:
    query = "Northwind Rail drivers strike pay deal"
    candidates = retriever.candidates(query)
    bm25 = dict(candidates.lists)["keyword"]
    hits = retriever.rank(candidates, 3, FusionWeights.only("keyword"))
    assert [h.chunk.doc_id for h in hits] == [c.doc_id for c in bm25[:3]]
    assert all("Northwind" in h.chunk.title for h in hits[:2])


def test_weights_of_zero_skip_their_lists(retriever: HybridRetriever) -> None:
    query = "What did Sportsline Daily say about the Mariners?"
    candidates = retriever.candidates(query, weights=FusionWeights.only("vector"))
    assert [kind for kind, _ in candidates.lists] == ["vector"]


def test_each_named_outlet_gets_its_own_lists(retriever: HybridRetriever) -> None:
    query = "Did The Ledger Post cover the Kestrel landing, while TechWire covered the Nova 3 frame?"
    candidates = retriever.candidates(query)
    assert candidates.outlets == (("The Ledger Post",), ("TechWire",))
    scoped = [(kind, {c.outlet for c in ranked}) for kind, ranked in candidates.lists if kind.startswith("part")]
    assert scoped and all(len(outlets) == 1 for _kind, outlets in scoped)
    assert retriever.outlets_named(query) == ["The Ledger Post", "TechWire"]


def test_every_named_outlet_is_represented(retriever: HybridRetriever) -> None:
    query = "Storm floods in The Northern Gazette and the Glass Orchard box office in Culture Desk"
    weights = FusionWeights(represent=True)
    hits = retriever.rank(retriever.candidates(query), 2, weights)
    assert {h.chunk.outlet for h in hits} == {"The Northern Gazette", "Culture Desk"}


def test_a_named_date_restricts_its_list(retriever: HybridRetriever) -> None:
    query = "What did Sportsline Daily report about the Mariners on November 19, 2023?"
    candidates = retriever.candidates(query)
    dated = [ranked for kind, ranked in candidates.lists if kind == "date_keyword"]
    assert dated and all(c.published.startswith("2023-11-19") for c in dated[0])
    top = retriever.rank(candidates, 1, FusionWeights(date_keyword=1.0))[0]
    assert top.chunk.published.startswith("2023-11-19")


def test_filters_still_restrict_every_list(retriever: HybridRetriever) -> None:
    only = Filters(outlets=("Sportsline Daily",))
    hits = retriever.retrieve("Mariners coach contract, The Daily Harbor", k=5, filters=only)
    assert hits and {h.chunk.outlet for h in hits} == {"Sportsline Daily"}
    later = retriever.retrieve("Mariners", k=5, filters=Filters(date_from="2023-11-10"))
    assert later and all(h.chunk.published[:10] >= "2023-11-10" for h in later)


def test_article_list_gives_the_best_chunk_of_each_matching_article_first(retriever: HybridRetriever) -> None:
    candidates = retriever.candidates("Kestrel lunar lander water ice Halvorsen crater")
    by_article = dict(candidates.lists)["article"]
    first_docs = [c.doc_id for c in by_article[:3]]
    assert len(set(first_docs)) == 3  # one chunk per article before any second chunk
    assert all("Kestrel" in c.title for c in by_article[:3])
