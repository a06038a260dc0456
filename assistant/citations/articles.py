"""Which article says what, in words the reader can follow.

The model sees its sources as ``[n] (article A, Outlet, date, "Title") sentence`` lines
(:func:`assistant.prompt.render_evidence`), and asked which article says what it writes "Article A
says ..." or uses a marker as the subject: "[1] states that ...". Neither means anything to a
reader, who sees outlets and titles, not the prompt's letters; and a marker used as a subject
loses its sentence's subject when markers are taken out ("states that McTominay scored six").

:func:`markers_as_subjects` rewrites a marker subject as its article's letter before verification
("Article A states that ... [1]."), so the sentence keeps its citation and its subject;
:func:`name_articles` turns the letters of the verified answer into the articles' outlets (or
titles) after it, taking the article a sentence cites when the letter the model wrote is not one
of them (the citation is what verification checked, the letter is not).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.citations.markers import MARKER, normalize_markers
from assistant.prompt import article_letters
from assistant.types import Citation, Evidence

_TITLE_WORDS = 6

# A marker run opening a sentence (line start, or after a sentence's end and its own markers)
# and followed by a lowercase word: the marker is the sentence's subject ("[1] states that ...").
_SUBJECT = re.compile(r"(?:(?<=^)|(?<=[.!?]\s)|(?<=[.!?]\]\s)|(?<=\n))((?:\[\d+\])+)\s+(?=[a-z])", re.M)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
# "article A", "Article B's", "articles A and B", "the article C": the prompt's letters
_LETTER = r"(?:A\d+|[A-Z])"
_REFERENCE = re.compile(
    rf"\b(?P<the>[Tt]he\s+)?(?P<word>[Aa]rticles?)\s+(?P<a>{_LETTER})"
    rf"(?:\s*(?:,|and|&)\s*(?:[Aa]rticle\s+)?(?P<b>{_LETTER}))?\b(?P<s>['’]s)?(?!\s+of\b)"
)  # not "Article I of the treaty"


def markers_as_subjects(text: str, evidence: Sequence[Evidence]) -> str:
    """"[1] states that X. [2] adds Y." -> "Article A states that X [1]. Article B adds Y [2]."
    (the letters of :func:`assistant.prompt.article_letters`; markers of unknown numbers stay)."""
    letters = article_letters(evidence)
    by_number = {ev.number: letters[ev.doc_id] for ev in evidence}
    text = normalize_markers(text)  # "[2] and [5] both say" -> "[2][5] both say"
    out: list[str] = []
    pos = 0
    for m in _SUBJECT.finditer(text):
        if m.start() < pos:
            continue
        numbers = [int(n) for n in MARKER.findall(m.group(1))]
        subject = list(dict.fromkeys(by_number[n] for n in numbers if n in by_number))
        if not subject:
            continue
        end = _SENTENCE_END.search(text, m.end())
        stop = end.start() if end else len(text.rstrip())
        body = text[m.end() : stop].rstrip()
        if len(set(numbers)) > 1 and len(subject) == 1:
            body = _singular(body)  # "[2][5] both state" of one article: "Article A states"
        named = ("Article " if len(subject) == 1 else "Articles ") + " and ".join(subject)
        out.append(text[pos : m.start()])
        out.append(f"{named} {body} {m.group(1)}")
        pos = stop
    out.append(text[pos:])
    return "".join(out)


_QUANTIFIER = re.compile(r"^(?:both|all)\s+")
# "also", or a word in -ly followed by a word that can be a verb ("clearly imply"; in "imply that"
# or "reply to" the -ly word is the verb itself)
_ADVERB = re.compile(
    r"^(?:also|further|additionally|\w+ly(?!\s+(?:that|to|the|a|an|it|its|their|this|these|how|what|whether|"
    r"as|at|by|for|from|in|of|on|with)\b))\s+"
)
_AS_SINGULAR = {"are": "is", "were": "was", "have": "has", "do": "does", "go": "goes"}
_UNCHANGED = frozenset("can could may might must shall should will would".split())


def _singular(body: str) -> str:
    """A predicate written for a plural subject, for a singular one: "both state that" -> "states
    that", "also are" -> "also is" (the verb after an optional adverb; past tenses and modals stay)."""
    body = _QUANTIFIER.sub("", body)
    adverb = _ADVERB.match(body)
    head = adverb.end() if adverb else 0
    verb = re.match(r"[a-z]+", body[head:])
    if verb is None:
        return body
    word = verb.group()
    if word in _AS_SINGULAR:
        new = _AS_SINGULAR[word]
    elif word in _UNCHANGED or word.endswith("ed") or (word.endswith("s") and not word.endswith("ss")):
        new = word
    elif word.endswith(("ss", "sh", "ch", "x", "z")):
        new = word + "es"
    elif len(word) > 1 and word.endswith("y") and word[-2] not in "aeiou":
        new = word[:-1] + "ies"
    else:
        new = word + "s"
    return body[:head] + new + body[head + len(word):]


def name_articles(text: str, citations: Sequence[Citation], evidence: Sequence[Evidence]) -> str:
    """The prompt's article letters in ``text`` (a verified answer, markers numbered as
    ``citations``) replaced by what the reader sees: "the TechCrunch article", or the article's
    title where outlets are unknown or shared."""
    letters = article_letters(evidence)
    if not letters or not _REFERENCE.search(text):
        return text
    doc_of = {letter: doc_id for doc_id, letter in letters.items()}
    labels = _labels(evidence, letters)
    cited = {c.number: c.doc_id for c in citations}

    def sentence_docs(at: int) -> list[str]:
        end = _SENTENCE_END.search(text, at)
        stop = end.end() if end else len(text)
        while stop < len(text) and text[stop:].lstrip(" ").startswith("["):  # markers after the stop
            close = text.find("]", stop)
            stop = close + 1 if close > 0 else len(text)
        numbers = (int(n) for n in MARKER.findall(text, at, stop))
        return list(dict.fromkeys(cited[n] for n in numbers if n in cited))

    def replace(m: re.Match[str]) -> str:
        wanted = [doc_of.get(m.group("a")), *([doc_of.get(m.group("b"))] if m.group("b") else [])]
        if any(d is None for d in wanted):
            return m.group()  # not one of the prompt's letters: left as the model wrote it
        docs = [d for d in wanted if d is not None]
        where = sentence_docs(m.end())
        if len(docs) == 1 and where and docs[0] not in where and len(where) == 1:
            docs = where  # the letter names an article the sentence does not cite: take the cited one
        phrase = _phrase([labels[d] for d in docs], possessive=bool(m.group("s")))
        before = text[: m.start()].rstrip(" ")
        opens = not before or before.endswith(("\n", ".", "!", "?", "]", ":"))
        return phrase[0].upper() + phrase[1:] if opens else phrase

    return _REFERENCE.sub(replace, text)


def _labels(evidence: Sequence[Evidence], letters: dict[str, str]) -> dict[str, tuple[str, str]]:
    """doc_id -> (outlet, how to tell it apart): the outlet alone where it has one article here,
    with the article's date where it has several, else the article's title ("" outlet)."""
    first: dict[str, Evidence] = {}
    for ev in evidence:
        first.setdefault(ev.doc_id, ev)
    outlets = [first[d].outlet for d in letters]
    labels: dict[str, tuple[str, str]] = {}
    for doc_id in letters:
        ev = first[doc_id]
        words = (ev.title or "").split()
        title = " ".join(words[:_TITLE_WORDS]) + ("…" if len(words) > _TITLE_WORDS else "")
        if ev.outlet and outlets.count(ev.outlet) == 1:
            labels[doc_id] = (ev.outlet, "")
            continue
        twins = [d for d in letters if (first[d].outlet, first[d].published) == (ev.outlet, ev.published)]
        if ev.outlet and ev.published and len(twins) == 1:
            labels[doc_id] = (ev.outlet, f"of {ev.published}")
        else:
            labels[doc_id] = ("", f"“{title}”" if title else "")
    return labels


def _phrase(labels: list[tuple[str, str]], *, possessive: bool) -> str:
    """"the TechCrunch article", "the TechCrunch and CNBC articles", "the CNBC article of
    2023-11-30", "the article “Binance to pay…”" ("’s" added for a possessive)."""
    owner = "’s" if possessive else ""
    if len(labels) > 1 and all(outlet and not extra for outlet, extra in labels):
        return _the(f"{' and '.join(outlet for outlet, _ in labels)} articles{owner}")
    singles = [_the(" ".join(w for w in (outlet, "article", extra) if w)) for outlet, extra in labels]
    return " and ".join(singles) + owner


def _the(phrase: str) -> str:
    """"the " before ``phrase``, unless the outlet's own name starts with it ("The Guardian")."""
    return phrase if phrase.lower().startswith("the ") else f"the {phrase}"
