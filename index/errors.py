"""Errors of the write path. Library code raises these; only the CLI and UI turn them into messages."""

from __future__ import annotations

import errno


class NewsdeskError(Exception):
    """Base of every error newsdesk raises on purpose; ``str(err)`` is a one-line user message."""


class EmbedderMismatch(NewsdeskError):
    """The collection was built with another embedding model or dimension."""


class StoreUnavailable(NewsdeskError):
    """The Chroma store (embedded directory or server) cannot be opened or reached."""


class DiskFull(StoreUnavailable):
    """The disk holding the store has no room left for a write."""


class EmbedderUnavailable(NewsdeskError):
    """The embedding model cannot be loaded or the embedding endpoint fails."""


class NothingIngested(NewsdeskError):
    """No input could be ingested (every file was skipped)."""


class WriterBusy(NewsdeskError):
    """Another process kept writing to the same collection for longer than the lock timeout."""


# What a fault of the whole store says in its first line (chromadb wraps SQLite's and the Rust
# backend's errors in a generic InternalError, so the text is all there is to go by).
_DISK_FULL = ("disk is full", "no space left")
_DAMAGED = (
    "file is not a database", "malformed", "no such table", "unable to open database", "readonly database",
    "disk i/o error", "does not exist", "error in compaction",
)
_UNREACHABLE = ("Connect", "Protocol", "Timeout", "ReadError", "WriteError", "NetworkError")


def store_fault(err: Exception, where: str, disk_full: bool = False) -> NewsdeskError | None:
    """``err`` as a fault of the whole store (disk full, server gone, database damaged or deleted),
    in one line that names the part and what to do; None for a fault of one call or write (a bad
    filter, one oversized batch). A :class:`NewsdeskError` is returned as it is. ``disk_full``: the
    caller found no room left on the store's disk, so any failure is that (Chroma's own error rarely
    says so: "Error in compaction")."""
    if isinstance(err, NewsdeskError):
        return err
    first = (str(err).strip().splitlines() or [""])[0][:160]
    lowered = first.lower()
    if disk_full or any(s in lowered for s in _DISK_FULL) or getattr(err, "errno", None) == errno.ENOSPC:
        return DiskFull(
            f"the disk holding {where} is full ({first or type(err).__name__}): free disk space, then try again"
        )
    if any(word in type(err).__name__ for word in _UNREACHABLE):
        return StoreUnavailable(
            f"{where} stopped answering ({type(err).__name__}): check that it is running; "
            "newsdesk reconnects by itself once it is back"
        )
    if isinstance(err, OSError):
        return StoreUnavailable(f"cannot write to {where} ({first}): check that it exists and is writable")
    if any(s in lowered for s in _DAMAGED):
        return StoreUnavailable(
            f"the Chroma database of {where} is damaged or missing ({first}): restore it from a backup or "
            "rebuild it with `newsdesk ingest PATH`; newsdesk reopens it by itself"
        )
    return None
