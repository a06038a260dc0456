"""The retrieve stage: hybrid retrieval (BM25 + vectors) over the index, fused by reciprocal rank,
with syndicated copies collapsed (:mod:`assistant.retrieval.hybrid` wires the parts)."""

from assistant.retrieval.filters import Filters
from assistant.retrieval.fusion import Candidates, FusionWeights
from assistant.retrieval.hybrid import HybridRetriever, Retriever
from assistant.retrieval.syndication import Hit

__all__ = ["Candidates", "Filters", "FusionWeights", "Hit", "HybridRetriever", "Retriever"]
