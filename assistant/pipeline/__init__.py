"""The read path's stages and the one place that wires them (:mod:`assistant.pipeline.read_path`):

    resolve (condense) -> retrieve (assistant.retrieval) -> select evidence (evidence) -> order it
    (carryover) -> decide (answerability, assistant.policy) -> generate (assistant.generators)
    -> verify (assistant.citations) and cut the direct answer (short_answer), in finish -> Answer

Stages import the language helpers, the records and the components below them; nothing below
imports this package (``tests/test_imports.py``).
"""

from assistant.pipeline.finish import Draft, finish
from assistant.pipeline.read_path import ReadPath, Stages

__all__ = ["Draft", "ReadPath", "Stages", "finish"]
