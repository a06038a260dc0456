"""A follow-up re-reads nothing its previous turn already read: evidence order carried over.

The local model reads the prompt at ~30 (AVX2) to ~100 (AVX-512) tokens/s, and llama.cpp keeps the
state of the last prompt it read: a new prompt that starts with the same tokens is read only from
where it differs. A follow-up's evidence often repeats sentences its previous turn read (on the two
gold sets, 19 of 68 follow-up evidence sentences), but in another order, so its prompt differs from
the first sentence on. Putting the repeated sentences first, in the order the previous turn had
them, makes them a prefix of both prompts; the model then reads only the follow-up's new sentences.

Measured (``benchmarks/bench_followup.py``, BENCHMARKS.md): the 13 gold follow-ups keep their key
facts (16 of 26 answers either way) and read 17-46 fewer prompt tokens in the probes; on an AVX-512
CPU that is ~0.1-0.4 s (first-token ratio 0.98), on an AVX2 one ~3x that.

Only the order changes, never which sentences are chosen. The previous turn is known by its
conversation so far (the user's questions, which every front end sends back as history), kept for
the last :data:`CAPACITY` turns of any conversation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace

from assistant.types import Evidence, Turn

CAPACITY = 256  # turns remembered (a few hundred bytes each)

Key = tuple[str, ...]
Place = tuple[str, int, int]  # (doc_id, start, end): one sentence of one article


def conversation_key(turns: Sequence[Turn], question: str | None = None) -> Key:
    """The user's questions so far (and ``question``), whitespace-normalised."""
    asked = [" ".join(t["content"].split()) for t in turns if t["role"] == "user"]
    if question is not None:
        asked.append(" ".join(question.split()))
    return tuple(asked)


def carry_over(evidence: Sequence[Evidence], previous: Sequence[Place]) -> list[Evidence]:
    """``evidence`` with its leading run of the previous turn's sentences first, in the previous
    order, and renumbered 1..n. The run stops at the first previous sentence this turn did not
    choose: past it the two prompts differ anyway, so the rest keeps its own order."""
    by_place = {_place(ev): ev for ev in evidence}
    lead: list[Evidence] = []
    for place in previous:
        if place not in by_place:
            break
        lead.append(by_place[place])
    if not lead:
        return list(evidence)
    taken = {_place(ev) for ev in lead}
    ordered = lead + [ev for ev in evidence if _place(ev) not in taken]
    return [replace(ev, number=i + 1) for i, ev in enumerate(ordered)]


class RecentEvidence:
    """The evidence order of recent turns, by conversation; safe to share between sessions."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._turns: OrderedDict[Key, tuple[Place, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> tuple[Place, ...]:
        with self._lock:
            places = self._turns.get(key, ())
            if places:
                self._turns.move_to_end(key)
            return places

    def put(self, key: Key, evidence: Sequence[Evidence]) -> None:
        with self._lock:
            self._turns[key] = tuple(_place(ev) for ev in evidence)
            self._turns.move_to_end(key)
            while len(self._turns) > self._capacity:
                self._turns.popitem(last=False)


def _place(ev: Evidence) -> Place:
    return (ev.doc_id, ev.start, ev.end)
