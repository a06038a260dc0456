"""Sentence spans with exact character offsets: the one sentence splitter, for articles and for
the answers whose claims are checked against them.

Uses NLTK's Punkt through ``span_tokenize`` so every sentence keeps its offsets into the text;
paragraphs (line breaks) are always sentence boundaries, since headlines and captions carry no
final period. Articles are cut by llama-index's Punkt (the one its SentenceSplitter uses, which is
untrained: it knows no abbreviations, and only the fragment merging below keeps "U.S. officials"
whole); the index's chunks and every figure measured on them are built that way. Answers are cut
by the trained English Punkt model that ships with llama-index-core (``trained=True``), which
knows 156 abbreviations, so "Mr. Becker met Dr. Park" is one claim.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_PARAGRAPH = re.compile(r"[^\n]+")
_LAST_WORD = re.compile(r"[\"“‘'(\[]*(\S+?)\.$")
# Abbreviations the trained English model lacks: "the No. 2 seed", "Gov. Newsom", "Sgt. Smith".
_MORE_ABBREVIATIONS = frozenset({"no", "gov", "sgt"})


@lru_cache(maxsize=1)
def _punkt() -> Any:
    # llama-index's ``globals_helper.punkt_tokenizer`` is this untrained tokenizer; made here, so a
    # process that only reads does not import llama-index-core for it (1.3 s of a first retrieval)
    from nltk.tokenize import PunktSentenceTokenizer

    return PunktSentenceTokenizer()


@lru_cache(maxsize=1)
def _trained_punkt() -> Any:
    from llama_index.core.utils import globals_helper
    from nltk.tokenize import PunktTokenizer

    globals_helper.wait_for_nltk_check()  # puts llama-index-core's bundled NLTK data on NLTK's path
    return PunktTokenizer("english")


def sentence_spans(text: str, *, trained: bool = False) -> list[tuple[int, int]]:
    """(start, end) of every sentence in ``text``, whitespace trimmed, in order; ``trained``: cut
    by the trained English model (answers), else by llama-index's untrained one (articles)."""
    spans: list[tuple[int, int]] = []
    tokenizer = _trained_punkt() if trained else _punkt()
    for para in _PARAGRAPH.finditer(text):
        base = para.start()
        for start, end in tokenizer.span_tokenize(para.group()):
            piece = text[base + start : base + end]
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece) - len(piece.rstrip())
            if end - start - lead - trail > 0:
                spans.append((base + start + lead, base + end - trail))
    spans = _merge_fragments(text, spans)
    return _merge_after_abbreviations(text, spans) if trained else spans


def _merge_fragments(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Glue Punkt's false splits back within a paragraph: a piece with no letters (a stray
    closing quote), one that starts in lower case ("U.S. | congressional visits") or with
    punctuation that continues a clause ("against Taiwan. | , and the pandemic")."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        piece = text[start:end]
        if merged and "\n" not in text[merged[-1][1] : start] and (
            not any(c.isalnum() for c in piece) or piece[0].islower() or piece[0] in ",;:)]"
        ):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    """The trained model's abbreviations and ours (built once: every answer line is cut with them)."""
    return frozenset(_trained_punkt()._params.abbrev_types) | _MORE_ABBREVIATIONS


def _merge_after_abbreviations(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Glue a piece back to the one before when that ends with an abbreviation: Punkt splits after
    one when its statistics say the next word starts sentences ("1 p.m. | ET", "Rams vs. |
    Commanders", "Mr. | Freeze"), which in an answer is almost always a false split."""
    known = _abbreviations()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        last = _LAST_WORD.search(text, merged[-1][0], merged[-1][1]) if merged else None
        if last and last.group(1).lower() in known and "\n" not in text[merged[-1][1] : start]:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]
