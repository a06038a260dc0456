"""One model, one answer at a time: a second person asking meanwhile is told their place in the
queue, and sees the sources before any text."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence

from assistant import Answer, Assistant, Queued, SourcesFound, TextDelta
from assistant.generators.local_model import Turns
from assistant.types import Evidence, Turn


class _SlowModel:
    """A generator that holds its one model for a while, like the local model does."""

    name = "slow"
    label = "slow scripted model"

    def __init__(self) -> None:
        self.turns = Turns()
        self.started = threading.Event()

    def queue_length(self) -> int:
        return self.turns.pending

    def stream(self, question: str, evidence: Sequence[Evidence], history: Sequence[Turn]) -> Iterator[str]:
        with self.turns:
            self.started.set()
            time.sleep(1.0)
            yield f"{evidence[0].text} [1]"


def test_a_second_session_sees_its_place_in_the_queue(bot: Assistant) -> None:
    model = _SlowModel()
    slow = bot.with_generator(model)
    first: list[object] = []
    runner = threading.Thread(target=lambda: first.extend(slow.stream("Who did Blinken meet in New York?")))
    runner.start()
    assert model.started.wait(10)
    second = list(slow.stream("What share of machine tools imported by Russia came from China?"))
    runner.join(10)
    kinds = [type(e) for e in second]
    assert kinds[0] is SourcesFound and Queued in kinds and kinds[-1] is Answer
    assert kinds.index(Queued) < kinds.index(TextDelta)
    assert next(e for e in second if isinstance(e, Queued)).ahead == 1
    assert not any(isinstance(e, Queued) for e in first)  # the first had nobody ahead
    assert model.queue_length() == 0
