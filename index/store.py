"""The Chroma store: chunks with their vectors, plus a manifest of ingested articles.

Embedded (``PersistentClient`` in ``data_dir/chroma``) by default; a ``chroma run`` server when the
config names ``chroma_host``. Two collections: ``<name>`` holds chunks (vectors always passed in,
never computed by Chroma), ``<name>__articles`` holds one entry per article (its cleaned text,
metadata, content hash, MinHash signature, cluster). Writing an article's manifest entry is the
commit point of ingesting it, which makes a killed run safe to repeat.

Every write to the chunks first stores a new random ``generation`` in the manifest collection's
metadata (in Chroma itself, so with a server every process sees it): the keyword index
(:mod:`index.keyword_store`) records the generation it was built from, and a process that finds
another one knows the chunks changed, even by a writer that was killed midway.
"""

from __future__ import annotations

import functools
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numpy as np

from index.chroma_meta import article_from, chunk_from, chunk_metadata, manifest_metadata, record_from
from index.config import IndexSettings
from index.connection import (
    db_identity,
    describe,
    disk_full,
    epoch,
    mark_stale,
    mark_wedged,
    open_client,
    wedged,
)
from index.embedders import Vectors
from index.errors import DiskFull, EmbedderMismatch, NewsdeskError, StoreUnavailable, store_fault
from index.follow import opened, wrote
from index.types import Article, ArticleRecord, Chunk

log = logging.getLogger(__name__)

_PAGE = 5000
_PROBE = 1000  # chunk vectors read per call when probing for lost ones
_Method = TypeVar("_Method", bound=Callable[..., Any])


@dataclass(frozen=True)
class ArticleWrite:
    """One article to write: its chunks with their vectors, its cluster and MinHash signature."""

    article: Article
    chunks: Sequence[Chunk]
    vectors: Vectors
    cluster_id: str
    signature: str


def _max_batch_size(client: Any) -> int:
    """The most records one Chroma call may carry (5,461 for the embedded store)."""
    try:
        return max(1, int(client.get_max_batch_size()))
    except Exception:  # an older client or server without the call
        return _PAGE


def _guarded(method: _Method) -> _Method:
    """Run a store method on an open store; a fault of the whole store becomes StoreUnavailable."""

    @functools.wraps(method)
    def call(self: ChromaStore, *args: Any, **kwargs: Any) -> Any:
        self._ensure_open()
        bound = self._epoch
        try:
            return method(self, *args, **kwargs)
        except NewsdeskError:
            raise
        except Exception as err:
            if bound != epoch(self._config):  # another thread opened the database anew meanwhile
                self._ensure_open()
                return method(self, *args, **kwargs)
            fault = self._fault(err)
            if fault is None:
                raise
            raise fault from err

    return cast(_Method, call)


class ChromaStore:
    """The two collections of one article index. Every public method runs through :func:`_guarded`:
    a fault of the whole store becomes one :class:`StoreUnavailable` line, and the next call
    reopens the store (a Chroma server restarted, a data dir restored) without a restart."""

    def __init__(
        self, client: Any, name: str, embedder: str, dim: int, create: bool = True, config: IndexSettings | None = None
    ) -> None:
        self.name = name
        self._client = client
        self._config = config  # None: no reopening (a client handed in by the caller)
        self._embedder, self._dim = embedder, dim
        self.where = describe(config) if config is not None else f"the Chroma collection {name!r}"
        self.reopened = 0  # increases each time the store is reopened
        self._broken = False
        self._reopen_lock = threading.Lock()
        self._db_id, self._epoch = self._identity(), epoch(config)
        self._bind(create)

    def _bind(self, create: bool) -> None:
        name, embedder, dim = self.name, self._embedder, self._dim
        wanted = {"embedder": embedder, "dim": dim, "hnsw:space": "cosine"}
        try:
            existing = {c.name if hasattr(c, "name") else c for c in self._client.list_collections()}
            if name not in existing and not create:
                raise StoreUnavailable(f"no collection {name!r} in {self.where}: ingest articles first")
            self._chunks = self._client.get_or_create_collection(
                name, metadata=wanted, embedding_function=None
            )
            self._articles = self._client.get_or_create_collection(
                name + "__articles", metadata={"kind": "manifest"}, embedding_function=None
            )
        except StoreUnavailable:
            raise
        except Exception as err:
            fault = store_fault(err, self.where)
            if fault is not None:
                raise fault from err
            raise StoreUnavailable(f"cannot open collection {name!r}: {err}") from err
        self.max_batch = _max_batch_size(self._client)
        meta = self._chunks.metadata or {}
        if meta.get("embedder") != embedder or int(meta.get("dim", dim)) != dim:
            raise EmbedderMismatch(
                f"collection {name!r} was built with {meta.get('embedder')} "
                f"({meta.get('dim')} dims), not {embedder} ({dim} dims): "
                "use another collection or data dir, or re-ingest with the same embedder"
            )
        opened(self._config, str((self._articles.metadata or {}).get("generation", "")))

    @classmethod
    def open(cls, config: IndexSettings, embedder: str, dim: int, create: bool = True) -> ChromaStore:
        return cls(open_client(config), config.collection, embedder, dim, create=create, config=config)

    @property
    def config(self) -> IndexSettings | None:
        return self._config

    # ---- staying open -----------------------------------------------------------------------
    def reopen(self) -> None:
        """Open the embedded database anew (its vector index read from disk; :mod:`index.follow`)."""
        self._broken = True
        self._ensure_open()

    def _identity(self) -> tuple[int, int] | None:
        if self._config is None or self._config.chroma_host:
            return None
        return db_identity(self._config.data_dir / "chroma")

    def _ensure_open(self) -> None:
        """Reopen after a fault of the whole store, or when the embedded database file was deleted
        or replaced behind our back (a restored data dir: the old handle still reads the old file)."""
        if self._config is None or self._current():
            return
        with self._reopen_lock:
            if self._current():
                return
            fresh, self._broken = self._broken, True  # after a fault, not when another store reopened it
            self._client = open_client(self._config, create=False, fresh=fresh)
            self._bind(create=False)
            self._db_id, self._epoch, self._broken = self._identity(), epoch(self._config), False
            self.reopened += 1
            log.warning("reopened %s", self.where)

    def _current(self) -> bool:
        return not self._broken and self._identity() == self._db_id and epoch(self._config) == self._epoch

    def _fault(self, err: Exception) -> NewsdeskError | None:
        fault = store_fault(err, self.where, disk_full=disk_full(self._config))
        if fault is not None and fault is not err:
            self._broken = True
            if self._config is not None:
                mark_stale(self._config)
                if isinstance(fault, DiskFull):
                    mark_wedged(self._config)
            log.warning("%s failed: %s: %s", self.where, type(err).__name__, err)
        return fault

    def _writable(self) -> None:
        if wedged(self._config):
            raise DiskFull(
                f"the disk holding {self.where} filled up during an earlier write, and Chroma cannot write to it "
                "again in this process: free disk space, then run `newsdesk ingest` from the command line or "
                "restart newsdesk (answering still works)"
            )

    # ---- generation ------------------------------------------------------------------------
    @_guarded
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
    @_guarded
    def articles(self) -> dict[str, tuple[ArticleRecord, str]]:
        """doc_id -> (record, encoded MinHash signature)."""
        out: dict[str, tuple[ArticleRecord, str]] = {}
        for offset in range(0, self._articles.count(), _PAGE):
            got = self._articles.get(include=["metadatas"], limit=_PAGE, offset=offset)
            for meta in got["metadatas"] or []:
                record = record_from(meta)
                out[record.doc_id] = (record, str(meta.get("signature", "")))
        return out

    @_guarded
    def article_text(self, doc_id: str) -> str:
        got = self._articles.get(ids=[doc_id], include=["documents"])
        docs = got["documents"] or []
        return str(docs[0]) if docs else ""

    @_guarded
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

    @_guarded
    def delete_articles(self, doc_ids: Iterable[str]) -> None:
        self._writable()
        self.new_generation()
        for doc_id in doc_ids:
            self._chunks.delete(where={"doc_id": doc_id})
            self._articles.delete(ids=[doc_id])

    @_guarded
    def reset_chunks(self) -> None:
        """Drop every chunk and its vector index, keeping the manifest (to rebuild a broken index)."""
        self._writable()
        self.new_generation()
        metadata = dict(self._chunks.metadata or {})
        self._client.delete_collection(self.name)
        self._chunks = self._client.create_collection(self.name, metadata=metadata, embedding_function=None)

    @_guarded
    def stored_article(self, doc_id: str) -> tuple[Article, str, str] | None:
        """An article as the manifest holds it: (article, cluster_id, encoded signature)."""
        got = self._articles.get(ids=[doc_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        meta, text = (got["metadatas"] or [{}])[0], str((got["documents"] or [""])[0])
        article, cluster_id = article_from(meta, text)
        return article, cluster_id, str(meta.get("signature", ""))

    # ---- chunks -----------------------------------------------------------------------------
    @_guarded
    def chunk_ids(self) -> set[str]:
        ids: set[str] = set()
        for offset in range(0, self.count(), _PAGE):
            ids.update(self._chunks.get(include=[], limit=_PAGE, offset=offset)["ids"])
        return ids

    @_guarded
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

    @_guarded
    def delete_chunks(self, ids: Sequence[str]) -> None:
        self._writable()
        self.new_generation()
        for lo in range(0, len(ids), self.max_batch):
            self._chunks.delete(ids=list(ids[lo : lo + self.max_batch]))

    @_guarded
    def delete_article_chunks(self, doc_id: str) -> None:
        self._writable()
        self.new_generation()
        self._chunks.delete(where={"doc_id": doc_id})

    # ---- chunks -----------------------------------------------------------------------------
    @_guarded
    def count(self) -> int:
        return int(self._chunks.count())

    @_guarded
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

    @_guarded
    def chunks_by_id(self, ids: Sequence[str]) -> list[Chunk]:
        """The stored chunks of ``ids`` (those that exist), in no particular order."""
        chunks: list[Chunk] = []
        for lo in range(0, len(ids), _PAGE):
            got = self._chunks.get(ids=list(ids[lo : lo + _PAGE]), include=["documents", "metadatas"])
            for cid, doc, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or []):
                chunks.append(chunk_from(cid, doc, meta))
        return chunks

    @_guarded
    def all_chunks(self) -> list[Chunk]:
        chunks: list[Chunk] = []
        for offset in range(0, self.count(), _PAGE):
            got = self._chunks.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            for cid, doc, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or []):
                chunks.append(chunk_from(cid, doc, meta))
        chunks.sort(key=lambda c: (c.doc_id, c.position))
        return chunks
