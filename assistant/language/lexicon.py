"""The words of a claim and of its sources, compared by citation checks and name checks: content
words (stemmed, function words and reporting verbs dropped; capitalised ones marked as names), a
country named in any of its ways as one term, numbers normalised ("70 percent" -> "70%"), and
quoted passages.

Words, function words and stems are :mod:`index.words`' (the Snowball stemmer the keyword index
uses); this module adds what claims need on top: the countries, the names, the numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence, Set
from dataclasses import dataclass
from functools import lru_cache

from assistant.language.countries import country_acronyms, country_forms
from index import LETTERS, function_words, stem

# words that carry no claim of their own: reporting verbs, talk about the sources, question words
_GENERIC = frozenset(
    """saying told tell tells stated article articles source sources report reports reported mention
    mentions mentioned noted note added cited explained answer question information provided text
    sentence sentences based regarding specifically mainly mr ms mrs whose year years next last week
    weeks month months day days today yesterday ago recent recently time""".split()
)
_CALENDAR = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december""".split()
)
_MONTHS = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
]  # fmt: skip
# Countries' names, spellings, demonyms and acronyms come from assistant.language.countries; the United
# States' acronym is rewritten here, as the data has it only as ISO codes ("US", "USA"), which are
# not taken as acronyms in general (see country_acronyms).
_ALIASES = [
    (re.compile(r"\bU\.\s?S\.(?:\s?A\.)?(?=\W|$)|\bUSA?\b"), "United States"),
    (re.compile(r"\bU\.\s?N\.(?=\W|$)"), "UN"),
    (re.compile(r"\bU\.\s?K\.(?=\W|$)"), "UK"),
    (re.compile(r"\bUnited Nations\b"), "UN"),
]


@dataclass(frozen=True)
class Terms:
    """Stemmed content words of a text; ``proper`` are the capitalised ones (names), weighing double."""

    all: frozenset[str]
    proper: frozenset[str] = frozenset()

    def weight(self, term: str) -> int:
        return 2 if term in self.proper else 1


def content_terms(text: str) -> Terms:
    """Stemmed content words of ``text`` (no stopwords, reporting verbs or question words); a
    country named in any of its ways ("Thai", "Americans", "the United States") is one term."""
    for pattern, replacement in _ALIASES:
        text = pattern.sub(replacement, text)
    terms: set[str] = set()
    proper: set[str] = set()
    for i, (raw, country) in enumerate(_tokens(text)):
        low = raw.lower().replace("’", "'")
        acronym = len(raw) > 1 and raw.isupper()
        if country is None and not acronym and (low in function_words() or low in _GENERIC or len(low) < 2):
            continue
        term = country or stem(low)
        terms.add(term)
        if country or (i > 0 and raw[:1].isupper() and low not in _CALENDAR):
            proper.add(term)  # a country is a name even where it opens a sentence
    return Terms(frozenset(terms), frozenset(proper))


_POSSESSIVE = re.compile(r"['’]s$")
_JOINER = re.compile(r"[\s-]+")  # between the words of a country's name: "South Korea", "Guinea-Bissau"


@dataclass(frozen=True)
class _CountryTable:
    """Every way of naming a country (assistant.language.countries), keyed by the stems of its words, to one
    term per country: the stem of a one-word name ("thailand", as the plain word would give), the
    stems of a longer one joined by spaces ("unit state", which no single word's term can equal)."""

    forms: dict[tuple[str, ...], str]
    acronyms: dict[str, str]  # as written: "UK"
    starts: frozenset[str]  # first stems of the forms of several words
    longest: int
    terms: frozenset[str]


def _stems(form: str) -> tuple[str, ...]:
    return tuple(_word_stem(w) for w in LETTERS.findall(form))


@lru_cache(maxsize=8192)
def _word_stem(word: str) -> str:
    return stem(_POSSESSIVE.sub("", word).lower().replace("’", "'"))


@lru_cache(maxsize=1)
def _countries() -> _CountryTable:
    forms: dict[tuple[str, ...], str] = {}
    for form, name in country_forms():  # best claim first
        forms.setdefault(_stems(form), " ".join(_stems(name)))
    acronyms = {a: " ".join(_stems(name)) for a, name in country_acronyms().items()}
    return _CountryTable(
        forms=forms,
        acronyms=acronyms,
        starts=frozenset(k[0] for k in forms if len(k) > 1),
        longest=max(len(k) for k in forms),
        terms=frozenset(forms.values()) | frozenset(acronyms.values()),
    )


def _tokens(text: str) -> Iterator[tuple[str, str | None]]:
    """The words of ``text`` (a possessive 's dropped), each with its country's term if it names
    one; a capitalised run of words that names a country ("South Korea") is one token."""
    words = list(LETTERS.finditer(text))
    i = 0
    while i < len(words):
        raw = _POSSESSIVE.sub("", words[i].group(0))
        n, country = _country_at(text, words, i) if raw[:1].isupper() else (1, None)
        yield (raw if n == 1 else text[words[i].start() : words[i + n - 1].end()]), country
        i += n


def _country_at(text: str, words: Sequence[re.Match[str]], i: int) -> tuple[int, str | None]:
    """How many words from ``words[i]`` name a country, and its term; (1, None) if none do."""
    table = _countries()
    raw = _POSSESSIVE.sub("", words[i].group(0))
    if raw in table.acronyms:
        return 1, table.acronyms[raw]
    key = (_word_stem(raw),)
    if key[0] in table.starts:
        span = [key[0]]  # stems of the run of words joined by spaces or hyphens from words[i]
        for a, b in zip(words[i : i + table.longest - 1], words[i + 1 : i + table.longest]):
            if not _JOINER.fullmatch(text, a.end(), b.start()):
                break
            span.append(_word_stem(b.group(0)))
        for n in range(len(span), 1, -1):
            term = table.forms.get(tuple(span[:n]))
            if term:
                return n, term
    return 1, table.forms.get(key)


def metadata_terms(title: str, outlet: str, published: str) -> Terms:
    """Words a sentence may take from an evidence item's title, outlet and date."""
    words = set(content_terms(f"{title} {outlet}").all)
    m = re.match(r"(\d{4})-(\d{2})", published or "")
    if m and 1 <= int(m.group(2)) <= 12:
        words.add(stem(_MONTHS[int(m.group(2)) - 1]))
    return Terms(frozenset(words))


_NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20", "thirty": "30",
    "forty": "40", "fifty": "50", "hundred": "100",
}  # fmt: skip
_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:st|nd|rd|th)?(\s*(?:%|percent\b|per cent\b))?",
    re.I,
)


def numbers_in(text: str) -> set[str]:
    """Numbers in ``text``, normalised: "70 percent" -> "70%", "1,000" -> "1000", "09" -> "9"."""
    found: set[str] = set()
    for m in _NUMBER.finditer(text):
        value = m.group(1).replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        value = str(int(value)) if value.isdigit() else value
        found.add(value + ("%" if m.group(2) else ""))
    for word in LETTERS.findall(text.lower()):
        if word in _NUMBER_WORDS:
            found.add(_NUMBER_WORDS[word])
    return found


_QUOTE = re.compile(r"“([^”]{2,}?)”|\"([^\"]{2,}?)\"|‘([^’]{2,}?\s[^’]*?)’")


def quotes_in(text: str) -> list[str]:
    """Quoted passages of ``text`` (split at ellipses), each to be found verbatim in a source."""
    out = []
    for m in _QUOTE.finditer(text):
        inner = next(g for g in m.groups() if g is not None)
        for part in re.split(r"\.\.\.|…", inner):
            if LETTERS.search(part):
                out.append(part)
    return out


def normalize_quote(text: str) -> str:
    """Lowercase words and digits only, single-spaced, for verbatim comparison of quotes."""
    return " ".join(re.sub(r"[^\w%]+", " ", text.lower()).split())


# Endings that make a place's adjective or people, on the stems: Korea/Korean, Europe/European,
# Texas/Texan ("texa"), Bengal/Bengali, Kurd/Kurdish, Paris/Parisian ("pari": the stemmer takes a
# final s as a plural). Countries need none: their table names them all.
_ADJECTIVE_ENDINGS = frozenset({"n", "an", "ian", "sian", "ean", "ese", "i", "ish"})


def word_known(term: str, have: Set[str]) -> bool:
    """``term`` is in ``have``; or, when it names no country, it is a word of a longer country
    name there ("korea" in "south korea"), or it and a word there are a place and its adjective
    ("korean" ~ "korea", "european" ~ "europ"). A country is known by its own names only: not
    ``niger`` for ``nigeria``, nor ``austria`` for ``australia``."""
    if term in have:
        return True
    countries = _countries().terms
    if term in countries:
        return False
    for t in have:
        if t in countries:
            words = t.split()
            if len(words) > 1 and (term in words or any(_adjective_of(term, w) for w in words)):
                return True
        elif _adjective_of(term, t):
            return True
    return False


def _adjective_of(a: str, b: str) -> bool:
    """One of two stems is the other plus an adjective ending, the shorter of at least 4 letters."""
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return len(short) >= 4 and long.startswith(short) and long[len(short) :] in _ADJECTIVE_ENDINGS
