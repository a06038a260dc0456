"""newsdesk's write path: load -> clean -> dedup -> chunk -> embed -> store (Chroma).

This package's public face: the read path (``assistant/``) imports these names from ``index``, never
from its modules (``tests/test_imports.py`` holds it to that). They are the records and settings
both paths share, the store and how to follow it, the keyword index and the chunks' vectors beside
it, and the words and sentences both paths cut text into.
"""

from index.check import CheckReport
from index.check import check as check_index
from index.chroma_meta import day_number
from index.chunker import approx_tokens
from index.config import NOMIC_NAME, IndexSettings, Number, SettingError, UserPath, WholeNumber
from index.embedders import Embedder, make_embedder, query_embedder
from index.errors import EmbedderMismatch, EmbedderUnavailable, NewsdeskError, NothingIngested, StoreUnavailable
from index.follow import follow
from index.ingest import ingest
from index.keyword import Columns, KeywordIndex, stemmer
from index.keyword_store import current_index as current_keyword_index
from index.keyword_store import index_dir as keyword_index_dir
from index.keyword_store import refresh as refresh_keyword_index
from index.lock import writer_lock
from index.sentences import sentence_spans, sentences
from index.store import ChromaStore
from index.types import ArticleMeta, Chunk, IngestReport, OfArticle
from index.vector_matrix import nearest_rows
from index.words import LETTERS, WORDS, content_terms, function_words, stem, stopwords

__all__ = [
    # records and settings
    "ArticleMeta",
    "Chunk",
    "IngestReport",
    "OfArticle",
    "IndexSettings",
    "Number",
    "SettingError",
    "UserPath",
    "WholeNumber",
    # errors
    "EmbedderMismatch",
    "EmbedderUnavailable",
    "NewsdeskError",
    "NothingIngested",
    "StoreUnavailable",
    # writing, checking and following the store
    "ChromaStore",
    "CheckReport",
    "Embedder",
    "NOMIC_NAME",
    "check_index",
    "day_number",
    "follow",
    "ingest",
    "make_embedder",
    "query_embedder",
    "writer_lock",
    # the keyword index
    "Columns",
    "KeywordIndex",
    "current_keyword_index",
    "keyword_index_dir",
    "refresh_keyword_index",
    "nearest_rows",
    "stemmer",
    # words and sentences
    "LETTERS",
    "WORDS",
    "approx_tokens",
    "content_terms",
    "function_words",
    "sentence_spans",
    "sentences",
    "stem",
    "stopwords",
]
