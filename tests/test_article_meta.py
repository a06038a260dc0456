"""One ArticleMeta per article, passed along from chunk to evidence to citation and source (never
copied field by field), with the Chroma metadata layout and the JSON shapes of before."""

from __future__ import annotations

import json

from assistant import Answer, ArticleMeta, Assistant, Citation, Source
from assistant.pipeline.evidence import select_evidence
from assistant.retrieval import Hit
from index.chroma_meta import article_from, chunk_from, chunk_metadata, manifest_metadata, record_from
from index.chunker import chunk_article
from index.types import Article

ARTICLE = Article(
    doc_id="d1", key="/x/museum.txt", source="museum.txt", title="Harbour museum opens",
    text="The museum opened on Tuesday. It holds 412 lamps from old lighthouses. Visitors queued early.",
    outlet="Coast News", published="2024-05-02", url="https://example.org/museum", author="A. Writer",
    content_hash="0123456789abcdef", part_of="", is_teaser=False,
)  # fmt: skip

# What existing data dirs hold: these keys must not change.
CHUNK_KEYS = {"doc_id", "version", "start", "end", "position", "title", "outlet", "published", "published_day",
              "source", "url", "cluster_id", "is_teaser"}  # fmt: skip
MANIFEST_KEYS = {"doc_id", "key", "source", "title", "outlet", "published", "url", "content_hash", "n_chunks",
                 "cluster_id", "part_of", "is_teaser", "signature", "author"}  # fmt: skip
# What `newsdesk ask --json` and the /ask API show, in this order.
CITATION_KEYS = ["number", "doc_id", "source", "title", "outlet", "published", "quote", "start", "end", "url",
                 "also_reported_by"]  # fmt: skip
SOURCE_KEYS = ["doc_id", "chunk_id", "source", "title", "outlet", "published", "text", "start", "end", "score",
               "also_reported_by"]  # fmt: skip


def test_an_articles_chunks_share_one_meta() -> None:
    chunks = chunk_article(ARTICLE, max_tokens=8, cluster_id="c7")
    assert len(chunks) > 1 and all(c.meta is chunks[0].meta for c in chunks)
    assert chunks[0].meta == ArticleMeta(
        "d1", "museum.txt", "Harbour museum opens", "Coast News", "2024-05-02", "https://example.org/museum", "c7"
    )
    assert chunk_article(ARTICLE)[0].cluster_id == "d1"  # alone, an article is its own cluster


def test_chunk_metadata_keeps_its_layout_and_reads_back() -> None:
    chunk = chunk_article(ARTICLE, cluster_id="c7")[0]
    meta = chunk_metadata(chunk)
    assert set(meta) == CHUNK_KEYS
    assert meta["title"] == "Harbour museum opens" and meta["published_day"] == 20240502 and meta["url"].endswith("m")
    assert chunk_from(chunk.chunk_id, chunk.text, meta) == chunk


def test_manifest_entry_keeps_its_layout_and_reads_back() -> None:
    meta = manifest_metadata(ARTICLE, n_chunks=3, cluster_id="c7", signature="sig")
    assert set(meta) == MANIFEST_KEYS
    record = record_from(meta)
    assert record.meta == ARTICLE.meta("c7") and record.n_chunks == 3 and record.key == ARTICLE.key
    assert article_from(meta, ARTICLE.text) == (ARTICLE, "c7")


def test_evidence_citation_and_source_pass_the_chunks_meta_along(bot: Assistant) -> None:
    chunk = chunk_article(ARTICLE, cluster_id="c7")[0]
    (evidence,) = select_evidence("How many lamps does the museum hold?", [Hit(chunk)], limit=1)
    assert evidence.meta is chunk.meta and evidence.outlet == "Coast News"
    assert Source.from_chunk(chunk).meta is chunk.meta
    answer = bot.ask("What share of machine tools imported by Russia came from China?")
    assert answer.citations and answer.sources
    assert all(c.meta in {s.meta for s in answer.sources} for c in answer.citations)
    assert {a.doc_id: a.meta for a in bot.articles()}[answer.citations[0].doc_id] == answer.citations[0].meta


def test_json_shapes_are_flat_as_before() -> None:
    meta = ArticleMeta("d1", "m.txt", "T", "O", "2024-05-02", "https://example.org/m", "c1")
    citation = Citation(1, meta, "It holds 412 lamps.", 30, 49, ("Bay Post",))
    source = Source(meta, "d1:x:0", "It holds 412 lamps.", 30, 49, 0.5)
    answer = json.loads(json.dumps(Answer(text="x [1].", citations=[citation], sources=[source]).to_dict()))
    assert list(answer["citations"][0]) == CITATION_KEYS and list(answer["sources"][0]) == SOURCE_KEYS
    assert answer["citations"][0]["url"] == "https://example.org/m" and answer["citations"][0]["outlet"] == "O"
    assert answer["citations"][0]["also_reported_by"] == ["Bay Post"]


def test_entries_an_older_ingest_wrote_still_read() -> None:
    """Manifest entries from before teasers were split off have no ``part_of`` or ``is_teaser``."""
    meta = manifest_metadata(ARTICLE, n_chunks=3, cluster_id="c7", signature="sig")
    older = {k: v for k, v in meta.items() if k not in ("part_of", "is_teaser")}
    assert record_from(older) == record_from(meta)
