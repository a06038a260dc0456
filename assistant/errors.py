"""Errors of the read path (and the write path's, re-exported). The CLI and UI turn them into messages."""

from index import (
    EmbedderMismatch,
    EmbedderUnavailable,
    NewsdeskError,
    NothingIngested,
    StoreUnavailable,
)

__all__ = [
    "BackendUnavailable",
    "BadQuestion",
    "EmbedderMismatch",
    "EmbedderUnavailable",
    "IndexMissing",
    "ModelMissing",
    "NewsdeskError",
    "NothingIngested",
    "StoreUnavailable",
]


class IndexMissing(NewsdeskError):
    """No articles have been ingested yet into the configured collection."""


class BackendUnavailable(NewsdeskError):
    """The generation backend failed: server down, timeout, bad key, unknown model."""


class ModelMissing(NewsdeskError):
    """The local model (GGUF file or llama-cpp-python runtime) is not installed."""


class BadQuestion(NewsdeskError):
    """The question is empty, too long, or otherwise unusable."""
