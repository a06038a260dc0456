"""newsdesk's read path and its public Python API.

    from assistant import Assistant
    bot = Assistant.from_config()
    answer = bot.ask("What did Blinken raise about Russia?")
"""

from assistant.config import Config
from assistant.core import ArticleInfo, Assistant
from assistant.errors import BackendUnavailable, BadQuestion, IndexMissing, ModelMissing, NewsdeskError
from assistant.generators.local_model import ensure_local_model
from assistant.policy import AnswerPolicy, Reason, Refusal
from assistant.retrieval import Filters
from assistant.types import Answer, Citation, Evidence, Queued, Source, SourcesFound, StreamEvent, TextDelta, Turn
from index import ArticleMeta, IngestReport

__all__ = [
    "Answer",
    "AnswerPolicy",
    "ArticleInfo",
    "ArticleMeta",
    "Assistant",
    "BackendUnavailable",
    "BadQuestion",
    "Citation",
    "Config",
    "Evidence",
    "Filters",
    "IndexMissing",
    "IngestReport",
    "ModelMissing",
    "NewsdeskError",
    "Queued",
    "Reason",
    "Refusal",
    "Source",
    "SourcesFound",
    "StreamEvent",
    "TextDelta",
    "Turn",
    "ensure_local_model",
]
