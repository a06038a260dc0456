"""Errors of the write path. Library code raises these; only the CLI and UI turn them into messages."""

from __future__ import annotations

import errno


class NewsdeskError(Exception):
    """Base of every error newsdesk raises on purpose; ``str(err)`` is a one-line user message."""


class EmbedderMismatch(NewsdeskError):
    """The collection was built with another embedding model or dimension."""


class StoreUnavailable(NewsdeskError):
    """The Chroma store (embedded directory or server) cannot be opened or reached."""


class EmbedderUnavailable(NewsdeskError):
    """The embedding model cannot be loaded or the embedding endpoint fails."""


class NothingIngested(NewsdeskError):
    """No input could be ingested (every file was skipped)."""


class WriterBusy(NewsdeskError):
    """Another process kept writing to the same collection for longer than the lock timeout."""


def store_fault(err: Exception, where: str) -> NewsdeskError | None:
    """``err`` as a fault of the whole store (disk full, server gone), or None for a fault of one
    write. A :class:`NewsdeskError` is returned as it is."""
    if isinstance(err, NewsdeskError):
        return err
    first = (str(err).strip().splitlines() or [""])[0][:160]
    lowered = first.lower()
    if "disk is full" in lowered or "no space left" in lowered or getattr(err, "errno", None) == errno.ENOSPC:
        return StoreUnavailable(f"the disk holding {where} is full ({first}): free disk space and run ingest again")
    if isinstance(err, OSError):
        return StoreUnavailable(f"cannot write to {where} ({first}): check that it exists and is writable")
    if any(word in type(err).__name__ for word in ("Connect", "Protocol", "Timeout")):
        return StoreUnavailable(
            f"the Chroma store at {where} stopped answering ({type(err).__name__}): "
            "check that it is running, then run ingest again"
        )
    return None
