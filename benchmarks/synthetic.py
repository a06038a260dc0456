"""Synthetic collections of any size from the MultiHop-RAG corpus, for the scale benchmarks.

Article ``k`` of a synthetic collection is corpus record ``k % len(corpus)``, copy
``k // len(corpus)``: copy 0 is the record itself with a one-sentence prefix ("Edition 0 report
k."), every later copy has its own title ("... (edition c)"), outlet ("<outlet> <c % 40>"), date
(``c`` days later), URL and sentence order (rotated by ``c`` sentences). No two articles have the
same text, so ingest's exact-duplicate check stores them all; copies of one record stay
near-duplicates of each other (same sentences), so ingest clusters them as syndicated copies.

``benchmarks/bench_keyword_index.py --synthetic`` chunks them in memory; ``benchmarks/bench_scale.py``
writes them as JSON Lines records and ingests them through the real write path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: the scale benchmark's start-up timer must not count the index package
    from index.types import Chunk, RawArticle

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "multihop-rag" / "corpus.json"
OUTLET_VARIANTS = 40


def load_corpus(corpus: Path) -> list[dict[str, Any]]:
    """The corpus records (MultiHop-RAG's ``corpus.json``: title, body, source, published_at, url)."""
    records = json.loads(corpus.read_text(encoding="utf-8"))
    if not isinstance(records, list) or not records:
        raise ValueError(f"{corpus}: expected a non-empty JSON list of article records")
    return records


def synthetic_article(records: Sequence[dict[str, Any]], k: int) -> RawArticle:
    """Article ``k`` of the synthetic collection over ``records``."""
    from index.types import RawArticle

    rec, copy = records[k % len(records)], k // len(records)
    sentences = str(rec["body"]).split(". ")
    turn = copy % max(1, len(sentences))
    day = date.fromisoformat(str(rec["published_at"])[:10]) + timedelta(days=copy)
    return RawArticle(
        key=f"synthetic#{k}",
        source=f"synthetic#{k}",
        text=f"Edition {copy} report {k}. " + ". ".join(sentences[turn:] + sentences[:turn]),
        title=f"{rec['title']} (edition {copy})" if copy else str(rec["title"]),
        outlet=f"{rec['source']} {copy % OUTLET_VARIANTS}" if copy else str(rec["source"]),
        published=day.isoformat(),
        url=f"{rec['url']}?e={copy}",
    )


def synthetic_articles(records: Sequence[dict[str, Any]], ks: Iterable[int]) -> Iterator[RawArticle]:
    return (synthetic_article(records, k) for k in ks)


def synthetic_chunks(corpus: Path, n: int) -> list[Chunk]:
    """The corpus replicated to ``n`` articles, cleaned and chunked by the real pipeline, in
    (doc_id, position) order."""
    records = load_corpus(corpus)
    chunks = chunked(synthetic_articles(records, range(n)))
    chunks.sort(key=lambda c: (c.doc_id, c.position))
    return chunks


def original_articles(records: Sequence[dict[str, Any]]) -> Iterator[RawArticle]:
    """The corpus's own articles, with their dates as the loader reads them."""
    from index.loader import normalize_date
    from index.types import RawArticle

    for i, rec in enumerate(records):
        yield RawArticle(key=f"original#{i}", source=f"original#{i}", text=str(rec["body"]),
                         title=str(rec["title"]), outlet=str(rec["source"]),
                         published=normalize_date(str(rec["published_at"])), url=str(rec["url"]))


def chunked(raws: Iterable[RawArticle]) -> list[Chunk]:
    """Articles cleaned and chunked as ingest does it, with the default chunk settings."""
    from index.chunker import chunk_article
    from index.clean import clean_article
    from index.config import IndexSettings

    config = IndexSettings()
    chunks: list[Chunk] = []
    for raw in raws:
        for article in clean_article(raw):
            chunks.extend(chunk_article(article, max_tokens=config.chunk_tokens,
                                        overlap_sentences=config.chunk_overlap_sentences))
    return chunks


def write_records(raws: Iterable[RawArticle], path: Path) -> int:
    """Write articles as JSON Lines records with the corpus's field names (what ``newsdesk ingest``
    reads); returns how many were written."""
    n = 0
    with path.open("w", encoding="utf-8") as out:
        for raw in raws:
            record = {"title": raw.title, "body": raw.text, "source": raw.outlet, "published_at": raw.published,
                      "url": raw.url}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    return n
