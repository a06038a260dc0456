"""Seeing what other processes wrote: an embedded Chroma keeps the vector index it loaded in
memory, so a serving process (``newsdesk serve``, a long-lived ``Assistant``) would not find the
chunks a ``newsdesk ingest`` in a terminal added, and would still be handed the ids of the chunks
it deleted (Chroma then fails the query with a raw ``TypeError``), until it restarts. The manifest
and Chroma's generation stamp live in SQLite and are read afresh.

So this process remembers, per embedded database it has open (per epoch of
:mod:`index.connection`), the generation its vector index holds: the stamp found when it opened
the database, and every stamp this process's own writes set. :func:`follow` reads Chroma's stamp
(one small metadata read: the only added cost, once per retrieval) and, when another one is there,
opens the database anew, which reads its vector index from disk. Readers call it once per
retrieval, writers once under the writer lock before they write. With a Chroma server every process
already shares the vectors: only the keyword index follows the stamp (:mod:`index.keyword_store`).
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from index.config import IndexSettings
from index.connection import embedded, epoch

log = logging.getLogger(__name__)


class Followed(Protocol):
    """What :func:`follow` needs of a store (:class:`index.store.ChromaStore`, which imports this
    module: naming it here would make an import cycle)."""

    where: str

    @property
    def config(self) -> IndexSettings | None: ...

    def generation(self) -> str: ...

    def reopen(self) -> None: ...


_held: dict[tuple[str, int], str] = {}  # (embedded directory, epoch) -> the generation its vectors hold
_held_lock = threading.Lock()


def _key(config: IndexSettings | None) -> tuple[str, int] | None:
    path = embedded(config)
    return None if path is None else (path, epoch(config))


def opened(config: IndexSettings | None, stamp: str) -> None:
    """A store was bound to the database of ``config`` and found ``stamp``; the first store of an
    epoch (the one that opened the database) tells what its vector index holds."""
    key = _key(config)
    if key is not None:
        with _held_lock:
            _held.setdefault(key, stamp)


def wrote(config: IndexSettings | None, stamp: str) -> None:
    """This process stamped ``stamp`` before writing the chunks: its own vectors hold the write."""
    key = _key(config)
    if key is not None:
        with _held_lock:
            _held[key] = stamp


def follow(store: Followed) -> str:
    """Chroma's generation stamp, after opening the embedded database anew when another process
    changed the chunks since this process loaded its vector index."""
    stamp = store.generation()
    key = _key(store.config)
    if key is None:
        return stamp
    with _held_lock:
        held = _held.setdefault(key, stamp)
    if held != stamp:
        log.info("another process changed %s: reading its vector index anew", store.where)
        store.reopen()
    return stamp
