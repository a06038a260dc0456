"""Opposite verbs: a claim that says "accepted" where its source says "rejected" is not supported.

Word overlap alone lets "Zelensky accepted the plan" pass against "Zelensky rejected the plan":
every other word matches. A small lexicon of verb pairs that news reports use for opposite
outcomes catches the flip; the check fires only when the claim's verb is absent from the source
and its opposite is present.
"""

from __future__ import annotations

from collections.abc import Set
from functools import lru_cache

from assistant.lexicon import stem  # the same stemmer as the claims' terms

_PAIRS = [
    ("accept accepts accepted accepting", "reject rejects rejected rejecting decline declines declined declining"),
    ("agree agrees agreed agreeing", "disagree disagrees disagreed disagreeing refuse refuses refused refusing"),
    ("approve approves approved approving", "reject rejects rejected rejecting veto vetoes vetoed"),
    ("confirm confirms confirmed confirming admit admits admitted", "deny denies denied denying"),
    ("win wins won winning", "lose loses lost losing"),
    ("rise rises rose risen rising increase increases increased increasing",
     "fall falls fell fallen falling decrease decreases decreased decreasing drop drops dropped"),
    ("support supports supported supporting back backs backed", "oppose opposes opposed opposing"),
    ("allow allows allowed allowing permit permits permitted", "ban bans banned banning forbid forbade forbidden"),
    ("lift lifts lifted lifting", "impose imposes imposed imposing"),
    ("resume resumes resumed resuming restore restores restored", "suspend suspends suspended sever severed"),
    ("succeed succeeds succeeded succeeding", "fail fails failed failing"),
    ("open opens opened", "close closes closed"),
]  # fmt: skip


@lru_cache(maxsize=1)
def _opposites() -> list[tuple[frozenset[str], frozenset[str]]]:
    out = []
    for left, right in _PAIRS:
        a, b = frozenset(map(stem, left.split())), frozenset(map(stem, right.split()))
        out += [(a, b), (b, a)]
    return out


def contradicts(claim_terms: Set[str], source_terms: Set[str]) -> bool:
    """True when the claim uses a verb its source lacks while the source has its opposite."""
    return any(
        claim_terms & mine and not source_terms & mine and source_terms & theirs
        for mine, theirs in _opposites()
    )
