"""The ways news text names a country, from the maintained ``countryinfo`` data: its name, the
alternative spellings that are words or phrases ("Holland", "Kingdom of Thailand"), its demonym
("Dutch", "Thai", "American") and its acronyms that are not bare ISO codes ("UK", "UAE", "DRC").
:mod:`assistant.language.lexicon` turns each form into one term per country, so a claim that says
"Americans" is found in a source that says "the United States".

Where several countries claim one form, the country's own name wins over an alternative spelling,
that over a demonym, that over one part of a combined demonym ("Serbian/Montenegrin"), and then the
more populous country ("Chinese" is China's, not Macau's; "American" the United States', not the
Northern Mariana Islands'). Entries that share a name are one country (Burma and Myanmar).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

# Short forms news writing uses that the data lacks: it has "Great Britain" and "United States of
# America" but not "Britain" or "America".
_SHORT_FORMS = {"United Kingdom": ("Britain",), "United States": ("America",)}
_NAME, _ALT, _DEMONYM, _DEMONYM_PART = range(4)  # precedence of a form's kind, first wins
_WORDS = re.compile(r"[^\W\d_]+")
_FORM = re.compile(r"[^\W\d_][^\W\d_ '’-]*(?:[ '’-]+[^\W\d_]+)*")  # letters, spaces, hyphens, apostrophes


@lru_cache(maxsize=1)
def _records() -> list[dict[str, Any]]:
    # The package's public API: CountryInfo.all() reads its JSON files once (its own cache) and
    # returns plain dicts, in ~30 ms; no need to read the packaged files ourselves.
    from countryinfo import CountryInfo

    return [dict(record) for record in CountryInfo.all().values()]


def country_forms() -> list[tuple[str, str]]:
    """(form, country name) pairs, best claim on a form first: "Thai" -> "Thailand", "The
    Netherlands" -> "Netherlands" ("the" dropped), "Americans" is left to the stemmer."""
    return list(_forms())


def country_acronyms() -> dict[str, str]:
    """Acronyms of countries, as written: the data's all-capital spellings that are no country's
    ISO code ("UK", "UAE", "DRC"). Bare codes ("IT" for Italy, "AI" for Anguilla, "PR" for Puerto
    Rico) are left out, as news uses those letters for other things; "US" and "U.S." are rewritten
    to "United States" by :mod:`assistant.language.lexicon`, as before."""
    codes = {str(code) for _, rec in _countries() for code in (rec.get("ISO") or {}).values()}
    out: dict[str, str] = {}
    for name, rec in _countries():
        for s in rec.get("altSpellings") or []:
            if isinstance(s, str) and len(s) > 1 and s.isalpha() and s.isupper() and s not in codes:
                out.setdefault(s, name)
    return out


@lru_cache(maxsize=1)
def _forms() -> tuple[tuple[str, str], ...]:
    ranked: list[tuple[int, int, str, str]] = []  # (kind, -population, form, country name)
    for name, rec in _countries():
        pop = -int(rec.get("population") or 0)
        ranked += [(_NAME, pop, f, name) for f in _clean([rec["name"], *_SHORT_FORMS.get(name, ())])]
        ranked += [(_ALT, pop, f, name) for f in _clean(rec.get("altSpellings") or []) if not f.isupper()]
        demonym = rec.get("demonym") or ""
        parts = re.split(r"\s*[,/]\s*", demonym)
        ranked += [(_DEMONYM if len(parts) == 1 else _DEMONYM_PART, pop, f, name) for f in _clean(parts)]
    name_words = {w.lower() for kind, _, f, _ in ranked if kind == _NAME and " " in f for w in f.split()}
    # a one-word spelling that is also part of another name ("Island", Iceland's) names neither
    ranked = [r for r in ranked if r[0] != _ALT or " " in r[2] or r[2].lower() not in name_words]
    return tuple((form, name) for _, _, form, name in sorted(ranked, key=lambda r: r[:2]))


def _clean(forms: Iterable[Any]) -> list[str]:
    """Forms written in words only ("Virgin Islands, U.S." and scripts other than Latin left out),
    without a leading "The"."""
    out = []
    for f in forms:
        if isinstance(f, str) and _FORM.fullmatch(f.strip()) and all(ord(c) < 0x250 for c in f):
            out.append(re.sub(r"^[Tt]he\s+", "", f.strip()))
    return out


@lru_cache(maxsize=1)
def _countries() -> tuple[tuple[str, Mapping[str, Any]], ...]:
    """(name, record) for each country, entries that share a name or spelling merged under the
    most populous one's name."""
    records = [r for r in _records() if isinstance(r.get("name"), str)]
    group = list(range(len(records)))

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    owner: dict[str, int] = {}
    for i, rec in enumerate(records):
        for s in [rec["name"], *(rec.get("altSpellings") or [])]:
            if isinstance(s, str) and s.strip():
                j = owner.setdefault(s.strip().lower(), i)
                group[root(i)] = root(j)
    best: dict[int, dict[str, Any]] = {}
    for i, rec in enumerate(records):
        r = root(i)
        if r not in best or int(rec.get("population") or 0) > int(best[r].get("population") or 0):
            best[r] = rec
    return tuple((best[root(i)]["name"], rec) for i, rec in enumerate(records))
