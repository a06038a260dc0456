"""What keeps a Chroma store usable while newsdesk runs: its two collections bound (and checked
against the embedder), every call guarded so that a fault of the whole store becomes one
:class:`StoreUnavailable` line, and the store reopened at the next call after such a fault or
when the embedded database was deleted or replaced on disk (a Chroma server restarted, a data dir
restored), without a restart. After a disk filled up during a write, writes are refused in one line
until it has room again, then go on in the same process (:func:`index.connection.mark_filled`).
:class:`index.store.ChromaStore` builds its reads and writes on :class:`GuardedStore`."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from index.config import IndexSettings
from index.connection import (
    ROOM_BYTES,
    db_identity,
    describe,
    disk_full,
    epoch,
    free_bytes,
    mark_filled,
    mark_stale,
    open_client,
    room_again,
)
from index.errors import DiskFull, EmbedderMismatch, NewsdeskError, StoreUnavailable, store_fault
from index.follow import opened

log = logging.getLogger(__name__)

PAGE = 5000  # records read per call
_Method = TypeVar("_Method", bound=Callable[..., Any])


def _max_batch_size(client: Any) -> int:
    """The most records one Chroma call may carry (5,461 for the embedded store)."""
    try:
        return max(1, int(client.get_max_batch_size()))
    except Exception:  # an older client or server without the call
        return PAGE


def guarded(method: _Method) -> _Method:
    """Run a store method on an open store; a fault of the whole store becomes StoreUnavailable."""

    @functools.wraps(method)
    def call(self: GuardedStore, *args: Any, **kwargs: Any) -> Any:
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


class GuardedStore:
    """The two collections of one article index, kept open. Every public method of a subclass runs
    through :func:`guarded`."""

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

    @property
    def dim(self) -> int:
        """The length of the collection's vectors."""
        return self._dim

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

    @property
    def config(self) -> IndexSettings | None:
        return self._config

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
                    mark_filled(self._config)
            log.warning("%s failed: %s: %s", self.where, type(err).__name__, err)
        return fault

    def _writable(self) -> None:
        """Refuse a write while the disk that filled up during an earlier one has no room yet."""
        if room_again(self._config) is False:
            raise DiskFull(
                f"the disk holding {self.where} is still full ({max(0, free_bytes(self._config)) >> 20} MB free) "
                f"since an earlier write: free at least {ROOM_BYTES >> 20} MB there, then try again "
                "(answering still works)"
            )
