"""Errors of the write path. Library code raises these; only the CLI and UI turn them into messages."""


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
