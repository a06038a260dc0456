"""A model's answer read as sentences: echoed prompt lines and labels dropped, list bullets kept
aside, each sentence with the markers it carries, cut where :mod:`index` cuts sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.citations.markers import MARKER, normalize_markers, strip_markers
from index import sentence_spans


@dataclass
class AnswerSentence:
    body: str  # without markers
    original: str  # with (normalised) markers, as the model placed them
    markers: list[int]
    newline_before: bool
    prefix: str = ""  # a list bullet, kept for display


_ECHO_PREFIX = re.compile(r"^\s*(?:answer|final answer|a|assistant|response)\s*:\s*", re.I)
_ECHO_LINE = re.compile(r"^\s*(?:question|sources?|rules|earlier conversation|user)\s*:", re.I)
_ECHO_META = re.compile(
    r"^(\s*(?:\[\d+\]\s*)+)\((?:article [A-Z]\d*\)|[^()]*?(?:\d{4}-\d{2}-\d{2}|\"[^\"]*\")[^()]*\))\s*"
)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def _clean_lines(text: str) -> list[str]:
    text = _ECHO_PREFIX.sub("", text.strip())
    lines = []
    for line in text.splitlines():
        line = _ECHO_PREFIX.sub("", line)
        if not line.strip() or _ECHO_LINE.match(line):
            continue
        lines.append(_ECHO_META.sub(r"\1", line).strip())
    return lines


def _split_line(line: str) -> list[tuple[str, list[int]]]:
    """(sentence text with its markers, markers) for one line, cut where :mod:`index.sentences`
    cuts it with the markers blanked out (so "met. [1] He" and "met.[1] He" are cut alike).

    A line that opens with a marker uses the "[1] Sentence." style: a marker after a full stop
    belongs to the next sentence. Otherwise markers after a full stop close the sentence before.
    """
    spans = sentence_spans(MARKER.sub(lambda m: " " * len(m.group()), line), trained=True)
    leading = bool(re.match(r"\s*\[\d+\]", line))
    cuts = [0, *(a_end if leading else b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:])), len(line)]
    pieces = (line[lo:hi].strip() for lo, hi in zip(cuts, cuts[1:]))
    return [(piece, [int(n) for n in MARKER.findall(piece)]) for piece in pieces if piece]


def answer_sentences(text: str) -> list[AnswerSentence]:
    out: list[AnswerSentence] = []
    for line in _clean_lines(normalize_markers(text)):
        prefix = ""
        bullet = _BULLET.match(line)
        if bullet:
            prefix, line = bullet.group(0).strip() + " ", line[bullet.end() :]
        for i, (sentence, markers) in enumerate(_split_line(line)):
            out.append(
                AnswerSentence(
                    body=strip_markers(sentence),
                    original=" ".join(sentence.split()),
                    markers=markers,
                    newline_before=i == 0 and bool(out),
                    prefix=prefix if i == 0 else "",
                )
            )
    return out
