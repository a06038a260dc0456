"""Citation markers in a model's answer: the forms small models write (``[1]``, ``[1, 2]``,
``[1][2]``, ``【1】``, ``[Source 1]``, ``(1)`` before punctuation, a leading ``Source 1:``) read as
canonical ``[n]`` markers, and markers taken out of or put into a sentence."""

from __future__ import annotations

import re
from collections.abc import Iterable

_NUM_LIST = r"\d+(?:\s*(?:,|;|and|&|-|–|—|to)\s*\d+)*"
_MARKER_FORMS = [
    re.compile(rf"【\s*(?:sources?\s*)?({_NUM_LIST})\s*】", re.I),
    re.compile(rf"\[\s*\^?(?:sources?|refs?\.?|references?|citations?)?\s*#?({_NUM_LIST})\s*\]", re.I),
    re.compile(rf"\(\s*(?:sources?|refs?\.?)\s*#?({_NUM_LIST})\s*\)", re.I),
    # a bare "(1)" or "(1, 2)" only right before punctuation or the end: "(1) first..." is a list
    re.compile(rf"\(\s*({_NUM_LIST})\s*\)(?=\s*(?:[.,;:!?]|$))", re.M),
]
_LEADING_SOURCE = re.compile(r"^(\s*)(?:according to\s+)?sources?\s+(\d+)\s*[:,\-–]\s*", re.I | re.M)
MARKER = re.compile(r"\[(\d+)\]")
_MARKER_LIST = re.compile(r"\]\s*(?:,|;|and|&|,\s*and)\s*\[(?=\d+\])")
_MARKER_RUN = re.compile(r"(?:\s*\[\d+\])+")


def _expand(numbers: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*(?:,|;|and|&)\s*", numbers):
        bounds = re.split(r"\s*(?:-|–|—|to)\s*", part.strip())
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            lo, hi = int(bounds[0]), int(bounds[1])
            if 0 < hi - lo < 20:
                out.extend(range(lo, hi + 1))
                continue
        out.extend(int(b) for b in bounds if b.isdigit())
    return out


def marker_numbers(text: str) -> list[int]:
    """The source numbers ``text`` cites, in every supported marker form, in order of appearance."""
    return [int(n) for n in MARKER.findall(normalize_markers(text))]


def normalize_markers(text: str) -> str:
    """Rewrite every supported citation form as canonical ``[n]`` markers."""
    text = _LEADING_SOURCE.sub(lambda m: f"{m.group(1)}[{m.group(2)}] ", text)
    for form in _MARKER_FORMS:
        text = form.sub(lambda m: "".join(f"[{n}]" for n in _expand(m.group(1))), text)
    text = _MARKER_LIST.sub("][", text)  # "[1], [3] and [4]" -> "[1][3][4]"
    return _MARKER_RUN.sub(_dedupe_run, text)


def _dedupe_run(run: re.Match[str]) -> str:
    """A marker run without repeats: [1][1][2] -> [1][2] (small models repeat a marker)."""
    lead = run.group()[: len(run.group()) - len(run.group().lstrip())]
    return lead + "".join(f"[{n}]" for n in dict.fromkeys(MARKER.findall(run.group())))


def strip_markers(sentence: str) -> str:
    body = _MARKER_RUN.sub("", sentence)
    body = re.sub(r"\s+([.,;:!?])", r"\1", body)
    return " ".join(body.split())


def tidy_markers(text: str) -> str:
    """Markers that open a sentence ("[1] Blinken met...") or follow its full stop ("... met. [1]")
    move before its closing punctuation; markers inside the sentence stay where they are."""
    for edge in (r"^((?:\s*\[\d+\])+)\s*", r"(?<=[.!?\"”’')])((?:\s*\[\d+\])+)\s*$"):
        m = re.search(edge, text)
        if m:
            rest = (text[: m.start()] + text[m.end() :]).strip()
            if not MARKER.search(rest):
                return with_markers(rest, [int(n) for n in MARKER.findall(m.group(1))])
    return text


def with_markers(body: str, numbers: Iterable[int]) -> str:
    """``body`` with ``[n]`` markers placed before its closing punctuation."""
    tags = "".join(f"[{n}]" for n in numbers)
    if not tags:
        return body
    m = re.search(r"([.!?]+[\"”’')]*)$", body)
    if m:
        return f"{body[: m.start()].rstrip()} {tags}{m.group(1)}"
    return f"{body} {tags}"
