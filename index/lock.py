"""One writer at a time: an inter-process lock around every write to a collection.

Two processes writing one embedded Chroma directory at once lose vectors (each keeps its own
copy of the vector index and saves it over the other's), and one writer's end-of-run sweep
deletes chunks the other has written but not yet committed. So every writer (CLI ingest, web
upload, Python API, repair) holds an exclusive ``fcntl.flock`` on a lock file in the data dir for
its whole write; a second writer waits for it. Readers never take the lock.

The embedded store has one lock per data dir (``data_dir/ingest.lock``). With a Chroma server the
lock file is keyed by host, port and collection (``data_dir/ingest-<host>-<port>-<collection>.lock``)
and so only serialises the writers that share that data dir: writers on other machines, or with
another data dir, are not covered.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.config import IndexSettings
from index.errors import StoreUnavailable, WriterBusy

log = logging.getLogger(__name__)

LOCK_TIMEOUT = 600.0  # seconds a writer waits for another one before giving up
_POLL = 0.2
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def lock_path(config: IndexSettings) -> Path:
    """The lock file guarding writes to the configured collection."""
    if config.chroma_host:
        key = _UNSAFE.sub("_", f"{config.chroma_host}-{config.chroma_port}-{config.collection}")
        return config.data_dir / f"ingest-{key}.lock"
    return config.data_dir / "ingest.lock"


@contextmanager
def writer_lock(config: IndexSettings, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the collection's writer lock; wait up to ``timeout`` seconds for another writer.

    Raises :class:`WriterBusy` when the other writer does not finish in time. The lock is released
    when the block ends, and by the operating system when the process dies (even by SIGKILL).
    """
    path = lock_path(config)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise StoreUnavailable(f"cannot create the writer lock {path}: {err.strerror or err}") from err
    try:
        _acquire(fd, path, timeout)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if waiting:
                log.info("the other ingest finished; writing now")
            return
        except BlockingIOError:
            pass
        if not waiting:
            log.info("waiting for another ingest to finish (%s held by process %s)", path, _holder(fd))
            waiting = True
        if time.monotonic() >= deadline:
            raise WriterBusy(
                f"another ingest into {path.parent} (process {_holder(fd)}) did not finish within "
                f"{timeout:.0f} s: wait for it to end, then run this one again"
            )
        time.sleep(_POLL)


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
    except OSError:
        return "unknown"
