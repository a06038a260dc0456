"""Connecting to Chroma, and staying connected: the client for a config (embedded directory or
server), what a store is called in messages, and what it takes to reopen an embedded database that
was deleted, replaced or filled up while newsdesk kept running."""

from __future__ import annotations

import logging
import os
import shutil
import threading
from pathlib import Path
from typing import Any

from index.config import IndexSettings
from index.errors import StoreUnavailable, store_fault

log = logging.getLogger(__name__)

DB_FILE = "chroma.sqlite3"
# Free space under the data dir below which a failed call is a full disk, and which a disk that
# filled up during a write must have again before Chroma is sent another write (see mark_filled).
ROOM_BYTES = 16 << 20
# The identity of each embedded database file when Chroma opened it, by directory: Chroma keeps one
# client system per directory for the life of the process, so a database deleted or replaced on
# disk would otherwise be read through the stale handle until newsdesk restarts.
_opened: dict[str, tuple[int, int] | None] = {}
_opened_lock = threading.Lock()
_stale: set[str] = set()  # embedded directories whose open database failed: open them anew
_epochs: dict[str, int] = {}  # how often each embedded directory was opened anew: older handles are stale
_filled: set[str] = set()  # embedded directories whose disk filled up during a write: writes wait for room


def describe(config: IndexSettings) -> str:
    """The store in words, for messages: "the Chroma server at host:port" or "the data dir D"."""
    if config.chroma_host:
        return f"the Chroma server at {config.chroma_host}:{config.chroma_port}"
    return f"the data dir {config.data_dir}"


def open_client(config: IndexSettings, create: bool = True, fresh: bool = False) -> Any:
    """A Chroma client for ``config``; with ``create=False`` an embedded database that is gone is
    an error rather than a new empty one (reopening must not plant an empty database where the
    user is about to restore theirs); ``fresh`` opens an embedded database anew even when Chroma
    holds it open already (after a fault of the database)."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False, allow_reset=False)
    try:
        if config.chroma_host:
            return chromadb.HttpClient(
                host=config.chroma_host, port=config.chroma_port, settings=settings
            )
        path = config.data_dir / "chroma"
        if not create and not (path / DB_FILE).is_file():
            raise StoreUnavailable(
                f"the Chroma database of {describe(config)} is gone ({path / DB_FILE} was deleted): restore "
                "the data dir from a backup or rebuild it with `newsdesk ingest PATH`; newsdesk reopens it by itself"
            )
        path.mkdir(parents=True, exist_ok=True)
        with _opened_lock:
            if fresh or str(path) in _stale or (str(path) in _opened and _opened[str(path)] != db_identity(path)):
                _forget_embedded(str(path))
                _stale.discard(str(path))
            client = chromadb.PersistentClient(path=str(path), settings=settings)
            _opened[str(path)] = db_identity(path)
        return client
    except StoreUnavailable:
        raise
    except Exception as err:  # chromadb raises a variety of errors for an unreachable server
        fault = store_fault(err, describe(config))
        if fault is not None:
            raise fault from err
        if config.chroma_host:
            raise StoreUnavailable(
                f"cannot reach {describe(config)} ({err}): check that it is running, then try again"
            ) from err
        raise StoreUnavailable(f"cannot open Chroma directory {config.data_dir / 'chroma'}: {err}") from err


def embedded(config: IndexSettings | None) -> str | None:
    """The embedded database directory of ``config`` (the key of this module's per-database
    state); None for a Chroma server or no configuration."""
    if config is None or config.chroma_host:
        return None
    return str(config.data_dir / "chroma")


def mark_stale(config: IndexSettings) -> None:
    """The embedded database of ``config`` failed (on a full disk, or damaged): the next client
    for it opens it anew."""
    path = embedded(config)
    if path is not None:
        with _opened_lock:
            _stale.add(path)


def mark_filled(config: IndexSettings) -> None:
    """A call to the embedded database of ``config`` failed on a full disk. Chroma (1.5) must not
    be sent another write until there is room again: a second write that fails on the still-full
    disk can leave its SQLite write lock held for good, and every later call, in this process and
    any other, then waits out Chroma's 1,000 s busy timeout. The first failure leaves no lock
    behind, and the database reopened afresh (:func:`mark_stale`) writes again once there is room
    (see :func:`room_again`). Reads keep working meanwhile."""
    path = embedded(config)
    if path is not None:
        with _opened_lock:
            _filled.add(path)


def room_again(config: IndexSettings | None) -> bool | None:
    """None when no write to ``config`` failed on a full disk; otherwise whether the disk has room
    for writes again (then the mark is cleared, and writes go on in this process)."""
    path = embedded(config)
    if path is None or path not in _filled:
        return None
    if disk_full(config):
        return False
    with _opened_lock:
        _filled.discard(path)
    log.warning("the disk under %s has room again (%d MB free): writing again", path, free_bytes(config) >> 20)
    return True


def epoch(config: IndexSettings | None) -> int:
    """How often the embedded database of ``config`` was opened anew in this process; a store
    bound at an older epoch holds collections of a stopped client and must reopen."""
    path = embedded(config)
    return 0 if path is None else _epochs.get(path, 0)


def db_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the embedded database file in ``path``; None when there is none."""
    try:
        st = os.stat(path / DB_FILE)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def free_bytes(config: IndexSettings | None) -> int:
    """Free space on the disk under an embedded data dir (-1 when unknown or not embedded)."""
    if config is None or config.chroma_host:
        return -1
    try:
        return shutil.disk_usage(config.data_dir).free
    except OSError:
        return -1


def disk_full(config: IndexSettings | None) -> bool:
    """Whether the disk under an embedded data dir has less than :data:`ROOM_BYTES` left."""
    free = free_bytes(config)
    return 0 <= free < ROOM_BYTES


def _forget_embedded(path: str) -> None:
    """Drop Chroma's cached client system for ``path`` (it holds the old database open), so the
    next client opens the file now on disk. Chroma has no public call for this."""
    from chromadb.api.shared_system_client import SharedSystemClient

    _epochs[path] = _epochs.get(path, 0) + 1
    system = SharedSystemClient._identifier_to_system.pop(path, None)
    SharedSystemClient._identifier_to_refcount.pop(path, None)
    if system is not None:
        try:
            system.stop()
        except Exception as err:  # a broken database may fail to close: it is dropped all the same
            log.debug("closing the old Chroma system for %s: %s", path, err)
