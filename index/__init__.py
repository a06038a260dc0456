"""newsdesk's write path: load -> clean -> dedup -> chunk -> embed -> store (Chroma)."""

from index.config import IndexSettings, SettingError
from index.ingest import ingest
from index.types import ArticleMeta, IngestReport

__all__ = ["ArticleMeta", "IndexSettings", "IngestReport", "SettingError", "ingest"]
