"""Trailing teasers: other stories a scraper glued after the real one. They become their own
``Article`` segments (``is_teaser=True``), searchable but never cited as the main story."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.chrome import TERMINAL
from index.sentences import sentences
from index.words import content_terms

_KICKER = re.compile(r"^[‘'\"“]?([A-Z0-9][A-Z0-9 &’'/.,-]{1,40}?)[’'\"”]?\s?:\s+(?=\S)")
LEAD_PARAGRAPHS = 3
TEASER_MAX_OVERLAP = 0.35  # share of a teaser's content words found in the title + lead
TEASER_MIN_WORDS = 40  # list items and transcript turns are shorter


def kicker(paragraph: str) -> str:
    """The ALL-CAPS label opening a teaser ("CABINET APPROVAL: ..."), or ""."""
    match = _KICKER.match(paragraph)
    if not match:
        return ""
    label = match.group(1).strip()
    return label if sum(c.isupper() for c in label) >= 2 else ""


def lead_overlap(paragraph: str, lead: set[str]) -> float:
    """Share of the paragraph's content words that occur in the article's title and lead."""
    words = set(content_terms(paragraph))
    return len(words & lead) / len(words) if words else 1.0


def split_teasers(title: str, paras: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split ``paras`` into the story and the unrelated teasers trailing it.

    Scanning back from the end, a paragraph is a teaser candidate when it is long, stops
    mid-sentence (teasers are cut at a fixed length) and shares few content words with the title
    and lead. The trailing run of candidates is split off when it has at least two members or one
    opens with an ALL-CAPS kicker ("CABINET APPROVAL: ..."): a single truncated last paragraph is
    more likely the story itself cut short.
    """
    if len(paras) <= LEAD_PARAGRAPHS:
        return list(paras), []
    lead = set(content_terms(" ".join([title, *paras[:LEAD_PARAGRAPHS]])))
    start = len(paras)
    while start > LEAD_PARAGRAPHS and _teaser_like(paras[start - 1], lead):
        start -= 1
    run = paras[start:]
    if not run or (len(run) < 2 and not any(kicker(p) for p in run)):
        return list(paras), []
    return list(paras[:start]), list(run)


def _teaser_like(paragraph: str, lead: set[str]) -> bool:
    long_enough = len(paragraph.split()) >= TEASER_MIN_WORDS
    return (
        long_enough and ends_mid_sentence(paragraph) and lead_overlap(paragraph, lead) <= TEASER_MAX_OVERLAP
    )


def ends_mid_sentence(paragraph: str) -> bool:
    """True when the paragraph stops inside a sentence ("... the military announced that").

    The unfinished tail must read like prose: at least three words ending in a letter, without
    the colon, dash, handle or link of a signature, credit, price or embedded post.
    """
    if TERMINAL.search(paragraph):
        return False
    tail = (sentences(paragraph) or [""])[-1]
    return (
        len(tail.split()) >= 3
        and tail[-1:].isalpha()
        and not any(mark in tail for mark in (":", "—", "–", "@", "http", "|"))
    )


def teaser_title(paragraph: str, max_words: int = 12) -> str:
    """A title for a teaser: its kicker and first words, or its first words."""
    label = kicker(paragraph)
    rest = _KICKER.sub("", paragraph, count=1) if label else paragraph
    first = (sentences(rest) or [""])[0]
    words = first.split()
    short = " ".join(words[:max_words]) + ("…" if len(words) > max_words else "")
    return f"{label}: {short}" if label else short
