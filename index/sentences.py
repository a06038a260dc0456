"""Sentence spans with exact character offsets.

Uses llama-index's bundled Punkt tokenizer (the one its SentenceSplitter uses) through
``span_tokenize`` so every sentence keeps its offsets into the text; paragraphs (line breaks) are
always sentence boundaries, since headlines and captions carry no final period.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_PARAGRAPH = re.compile(r"[^\n]+")


@lru_cache(maxsize=1)
def _punkt() -> Any:
    from llama_index.core.utils import globals_helper

    return globals_helper.punkt_tokenizer


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence in ``text``, whitespace trimmed, in order."""
    spans: list[tuple[int, int]] = []
    tokenizer = _punkt()
    for para in _PARAGRAPH.finditer(text):
        base = para.start()
        for start, end in tokenizer.span_tokenize(para.group()):
            piece = text[base + start : base + end]
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece) - len(piece.rstrip())
            if end - start - lead - trail > 0:
                spans.append((base + start + lead, base + end - trail))
    return _merge_fragments(text, spans)


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


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]
