"""Sentence-aware chunking that keeps exact character offsets into the cleaned article.

llama-index's SentenceSplitter re-joins splits and loses offsets, so chunks are built here from
:func:`index.sentences.sentence_spans` instead: whole sentences up to a token budget, with a
sentence of overlap, and ``chunk.text == article.text[chunk.start:chunk.end]`` always. A sentence
longer than the budget (text without punctuation) is cut between words, and a run of characters
without spaces longer than the budget between characters, so every chunk fits the embedder.
"""

from __future__ import annotations

import re

from index.sentences import sentence_spans
from index.types import Article, Chunk

# A cheap stand-in for word-piece counts: words and punctuation marks, plus a share for long words.
_PIECE = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\S+")


def approx_tokens(text: str) -> int:
    pieces = _PIECE.findall(text)
    return len(pieces) + sum(len(p) // 8 for p in pieces)


def chunk_article(
    article: Article, max_tokens: int = 160, overlap_sentences: int = 1, cluster_id: str = ""
) -> list[Chunk]:
    spans = fit_spans(article.text, sentence_spans(article.text), max_tokens)
    if not spans:
        return []
    sizes = [approx_tokens(article.text[a:b]) for a, b in spans]
    groups: list[tuple[int, int]] = []  # [first, last] sentence index, inclusive
    first = 0
    while first < len(spans):
        last, total = first, sizes[first]
        while last + 1 < len(spans) and total + sizes[last + 1] <= max_tokens:
            last += 1
            total += sizes[last]
        groups.append((first, last))
        if last + 1 >= len(spans):
            break
        first = max(last + 1 - overlap_sentences, first + 1)
    meta = article.meta(cluster_id)
    chunks = []
    for position, (lo, hi) in enumerate(groups):
        start, end = spans[lo][0], spans[hi][1]
        chunks.append(
            Chunk(
                chunk_id=f"{article.doc_id}:{article.content_hash[:12]}:{position}",
                meta=meta,
                text=article.text[start:end],
                start=start,
                end=end,
                position=position,
                is_teaser=article.is_teaser,
            )
        )
    return chunks


def fit_spans(text: str, spans: list[tuple[int, int]], max_tokens: int) -> list[tuple[int, int]]:
    """``spans`` with every one longer than ``max_tokens`` cut into pieces that fit."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if approx_tokens(text[start:end]) <= max_tokens:
            out.append((start, end))
        else:
            out.extend(_split_words(text, start, end, max_tokens))
    return out


def _split_words(text: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` between words into pieces of at most ``max_tokens``."""
    pieces: list[tuple[int, int]] = []
    lo, hi, total = -1, -1, 0
    for match in _WORD.finditer(text, start, end):
        size = approx_tokens(match.group())
        if lo >= 0 and total + size > max_tokens:
            pieces.append((lo, hi))
            lo, total = -1, 0
        if size > max_tokens:
            pieces.extend(_split_chars(text, *match.span(), max_tokens))
            continue
        if lo < 0:
            lo = match.start()
        hi, total = match.end(), total + size
    if lo >= 0:
        pieces.append((lo, hi))
    return pieces


def _split_chars(text: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    """Cut a run without spaces between characters into pieces of at most ``max_tokens``."""
    pieces: list[tuple[int, int]] = []
    step = max(1, 8 * max_tokens)  # a run of letters counts one token per 8 characters
    while start < end:
        cut = min(end, start + step)
        while cut - start > 1 and approx_tokens(text[start:cut]) > max_tokens:
            cut = start + (cut - start) // 2
        pieces.append((start, cut))
        start = cut
    return pieces


def embedding_text(chunk: Chunk) -> str:
    """What the embedder and keyword index see: the header line, then the chunk's own text."""
    header = chunk.header()
    return f"{header}\n{chunk.text}" if header else chunk.text
