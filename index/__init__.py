"""newsdesk's write path: load -> clean -> dedup -> chunk -> embed -> store (Chroma)."""

from index.config import IndexSettings, SettingError
from index.ingest import ingest
from index.types import IngestReport

__all__ = ["IndexSettings", "IngestReport", "SettingError", "ingest"]
