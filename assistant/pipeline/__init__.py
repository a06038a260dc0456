"""The read path's stages and the one place that wires them (:mod:`assistant.pipeline.read_path`):

    resolve (condense) -> retrieve (assistant.retrieval) -> select evidence (evidence) -> order it
    (carryover) -> decide (answerability, assistant.policy) -> generate (assistant.generators)
    -> verify (assistant.citations) and cut the direct answer (short_answer) -> Answer

Stages import the language helpers, the records and the components below them; nothing below
imports this package.
"""

from assistant.pipeline.read_path import Draft, ReadPath, Stages, finish

__all__ = ["Draft", "ReadPath", "Stages", "finish"]
