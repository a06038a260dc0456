"""The Chroma store: chunks with their vectors, plus a manifest of ingested articles.

Embedded (``PersistentClient`` in ``data_dir/chroma``) by default; a ``chroma run`` server when the
config names ``chroma_host``. Two collections: ``<name>`` holds chunks (vectors always passed in,
never computed by Chroma), ``<name>__articles`` holds one entry per article (its cleaned text,
metadata, content hash, MinHash signature, cluster). Writing an article's manifest entry is the
commit point of ingesting it, which makes a killed run safe to repeat.

Opening, guarding and reopening the store: :mod:`index.store_guard`.

Every write to the chunks first stores a new random ``generation`` in the manifest collection's
metadata (in Chroma itself, so with a server every process sees it): the keyword index
(:mod:`index.keyword_store`) records the generation it was built from, and a process that finds
another one knows the chunks changed, even by a writer that was killed midway.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.chroma_meta import article_from, chunk_from, chunk_metadata, manifest_metadata, record_from
from index.config import IndexSettings
from index.connection import open_client
from index.embedders import Vectors
from index.errors import store_fault
from index.follow import wrote
from index.store_guard import PAGE, GuardedStore, guarded
from index.types import Article, ArticleRecord, Chunk

_PROBE = 1000  # chunk vectors read per call when probing for lost ones


@dataclass(frozen=True)
class ArticleWrite:
    """One article to write: its chunks with their vectors, its cluster and MinHash signature."""

    article: Article
    chunks: Sequence[Chunk]
    vectors: Vectors
    cluster_id: str
    signature: str


class ChromaStore(GuardedStore):
    """The two collections of one article index. Every public method runs through
    :func:`index.store_guard.guarded`: a fault of the whole store becomes one
    :class:`StoreUnavailable` line, and the next call reopens the store (a Chroma server restarted,
    a data dir restored) without a restart."""

    @classmethod
    def open(cls, config: IndexSettings, embedder: str, dim: int, create: bool = True) -> ChromaStore:
        return cls(open_client(config), config.collection, embedder, dim, create=create, config=config)

    # ---- generation ------------------------------------------------------------------------
    @guarded
    def generation(self) -> str:
        """The stamp of the chunks' current state ("" before any write stamped it), read afresh
        from Chroma so another process's write is seen."""
        got = self._client.get_collection(self.name + "__articles", embedding_function=None)
        return str((got.metadata or {}).get("generation", ""))

    def new_generation(self) -> str:
        """Stamp the chunks as changed; called before every write to them."""
        stamp = uuid.uuid4().hex
        self._articles.modify(metadata={"kind": "manifest", "generation": stamp})
        wrote(self._config, stamp)
        return stamp

    # ---- manifest ---------------------------------------------------------------------------
    @guarded
    def articles(self) -> dict[str, tuple[ArticleRecord, str]]:
        """doc_id -> (record, encoded MinHash signature)."""
        out: dict[str, tuple[ArticleRecord, str]] = {}
        for offset in range(0, self._articles.count(), PAGE):
            got = self._articles.get(include=["metadatas"], limit=PAGE, offset=offset)
            for meta in got["metadatas"] or []:
                record = record_from(meta)
                out[record.doc_id] = (record, str(meta.get("signature", "")))
        return out

    @guarded
    def article_text(self, doc_id: str) -> str:
        got = self._articles.get(ids=[doc_id], include=["documents"])
        docs = got["documents"] or []
        return str(docs[0]) if docs else ""

    @guarded
    def put_articles(self, writes: Sequence[ArticleWrite]) -> None:
        """Write a group of articles: their chunks, then drop their stale chunks, then commit
        their manifest entries. Each call to Chroma carries at most ``max_batch`` records."""
        self._writable()
        if not writes:
            return
        self.new_generation()
        chunks = [c for w in writes for c in w.chunks]
        vectors = [v for w in writes for v in w.vectors[: len(w.chunks)]]
        for lo in range(0, len(chunks), self.max_batch):
            part = chunks[lo : lo + self.max_batch]
            self._chunks.upsert(
                ids=[c.chunk_id for c in part],
                embeddings=np.asarray(vectors[lo : lo + self.max_batch]),
                documents=[c.text for c in part],
                metadatas=[chunk_metadata(c) for c in part],
            )
        for lo in range(0, len(writes), self.max_batch):
            batch = writes[lo : lo + self.max_batch]
            stale: list[dict[str, Any]] = [
                {"$and": [{"doc_id": w.article.doc_id}, {"version": {"$ne": w.article.content_hash[:12]}}]}
                for w in batch
            ]
            self._chunks.delete(where=stale[0] if len(stale) == 1 else {"$or": stale})
            self._articles.upsert(
                ids=[w.article.doc_id for w in batch],
                embeddings=[[1.0]] * len(batch),
                documents=[w.article.text for w in batch],
                metadatas=[manifest_metadata(w.article, len(w.chunks), w.cluster_id, w.signature) for w in batch],
            )

    @guarded
    def delete_articles(self, doc_ids: Iterable[str]) -> None:
        self._writable()
        self.new_generation()
        for doc_id in doc_ids:
            self._chunks.delete(where={"doc_id": doc_id})
            self._articles.delete(ids=[doc_id])

    @guarded
    def reset_chunks(self) -> None:
        """Drop every chunk and its vector index, keeping the manifest (to rebuild a broken index)."""
        self._writable()
        self.new_generation()
        metadata = dict(self._chunks.metadata or {})
        self._client.delete_collection(self.name)
        self._chunks = self._client.create_collection(self.name, metadata=metadata, embedding_function=None)

    @guarded
    def stored_article(self, doc_id: str) -> tuple[Article, str, str] | None:
        """An article as the manifest holds it: (article, cluster_id, encoded signature)."""
        got = self._articles.get(ids=[doc_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        meta, text = (got["metadatas"] or [{}])[0], str((got["documents"] or [""])[0])
        article, cluster_id = article_from(meta, text)
        return article, cluster_id, str(meta.get("signature", ""))

    # ---- chunks -----------------------------------------------------------------------------
    @guarded
    def chunk_ids(self) -> set[str]:
        ids: set[str] = set()
        for offset in range(0, self.count(), PAGE):
            ids.update(self._chunks.get(include=[], limit=PAGE, offset=offset)["ids"])
        return ids

    @guarded
    def ids_without_vectors(self, ids: Sequence[str]) -> list[str]:
        """Those of ``ids`` whose stored chunk has no readable vector (its index entry was lost)."""
        lost: list[str] = []
        for lo in range(0, len(ids), _PROBE):
            self._probe(list(ids[lo : lo + _PROBE]), lost)
        return lost

    def _probe(self, ids: list[str], lost: list[str]) -> None:
        try:
            got = self._chunks.get(ids=ids, include=["embeddings"])
        except Exception as err:  # Chroma fails the whole read when one vector is missing: bisect
            if store_fault(err, self.where) is not None:
                raise  # the store itself is down: no vector is lost, none can be read
            if len(ids) == 1:
                lost.extend(ids)
                return
            half = len(ids) // 2
            self._probe(ids[:half], lost)
            self._probe(ids[half:], lost)
            return
        vectors = got["embeddings"] if got["embeddings"] is not None else [None] * len(got["ids"])
        lost.extend(cid for cid, vec in zip(got["ids"], vectors) if vec is None or len(vec) == 0)

    @guarded
    def delete_chunks(self, ids: Sequence[str]) -> None:
        self._writable()
        self.new_generation()
        for lo in range(0, len(ids), self.max_batch):
            self._chunks.delete(ids=list(ids[lo : lo + self.max_batch]))

    @guarded
    def delete_article_chunks(self, doc_id: str) -> None:
        self._writable()
        self.new_generation()
        self._chunks.delete(where={"doc_id": doc_id})

    # ---- reading chunks ---------------------------------------------------------------------
    @guarded
    def count(self) -> int:
        return int(self._chunks.count())

    @guarded
    def query(self, vector: Sequence[float], k: int, where: Mapping[str, Any] | None = None) -> list[Chunk]:
        n = min(k, self.count())
        if n == 0:
            return []
        got = self._chunks.query(
            query_embeddings=[list(vector)],
            n_results=n,
            where=dict(where) if where else None,
            include=["documents", "metadatas", "distances"],
        )
        docs = (got["documents"] or [[]])[0]
        metas = (got["metadatas"] or [[]])[0]
        dists = (got["distances"] or [[]])[0]
        ids = got["ids"][0]
        return [  # no metadata: deleted by another process since this one loaded its vector index
            chunk_from(cid, doc, meta, score=1.0 - float(dist))
            for cid, doc, meta, dist in zip(ids, docs, metas, dists)
            if meta is not None
        ]

    @guarded
    def warm(self) -> None:
        """Have Chroma load the chunks' vector index now (it loads it at the first query: seconds
        at 200,000 chunks): one nearest-neighbour query of a unit vector, nothing fetched."""
        if self._chunks.count():
            self._chunks.query(query_embeddings=[[1.0] + [0.0] * (self.dim - 1)], n_results=1, include=[])

    @guarded
    def chunks_by_id(self, ids: Sequence[str]) -> list[Chunk]:
        """The stored chunks of ``ids`` (those that exist), in no particular order."""
        chunks: list[Chunk] = []
        for lo in range(0, len(ids), PAGE):
            got = self._chunks.get(ids=list(ids[lo : lo + PAGE]), include=["documents", "metadatas"])
            for cid, doc, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or []):
                chunks.append(chunk_from(cid, doc, meta))
        return chunks

    @guarded
    def vectors_by_id(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of ``ids`` (those that exist), as Chroma holds them."""
        out: dict[str, np.ndarray] = {}
        for lo in range(0, len(ids), PAGE):
            got = self._chunks.get(ids=list(ids[lo : lo + PAGE]), include=["embeddings"])
            vectors = got["embeddings"] if got["embeddings"] is not None else []
            for cid, vector in zip(got["ids"], vectors):
                if vector is not None and len(vector):
                    out[cid] = np.asarray(vector, dtype=np.float32)
        return out

    @guarded
    def all_chunks(self) -> list[Chunk]:
        chunks: list[Chunk] = []
        for offset in range(0, self.count(), PAGE):
            got = self._chunks.get(include=["documents", "metadatas"], limit=PAGE, offset=offset)
            for cid, doc, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or []):
                chunks.append(chunk_from(cid, doc, meta))
        chunks.sort(key=lambda c: (c.doc_id, c.position))
        return chunks
