"""Words as newsdesk compares them: how a text is cut into words, which words carry no content,
and the stem that makes "talks", "talking" and "talked" one term.

Everything that compares words goes through here: the read path's evidence ranking, follow-up and
short-answer checks, its citation and name checks (:mod:`assistant.language.lexicon`, which adds countries
and names on top) and the write path's teaser test (:mod:`index.teasers`). The stem is PyStemmer's
Snowball English, the keyword index's own stemmer (:func:`index.keyword.stemmer`), so a term is the
same word in BM25 and in every check.

Two cuts, for two uses:

* :data:`TOKEN`, a word as it is searched: numbers, percentages, hyphenated and dotted words stay
  whole ("3.5%", "co-founder", "U.S.");
* :data:`LETTERS`, a word as a claim is checked: letters only (numbers are checked as numbers), so
  "Russia-Ukraine" is two words and each must be found.

And two stopword lists, both bm25s's (maintained lists, not ours): :func:`stopwords`, the keyword
index's short English list (what searching and ranking ignore), and :func:`function_words`, NLTK's
longer English list as bm25s ships it (what a claim's support does not count).
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.keyword import stemmer

TOKEN = re.compile(r"[\w’'%.-]*\w%?", re.UNICODE)
LETTERS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
WORDS = re.compile(r"\w+")  # plain word characters, for word-set overlap

# Words of every question and news report that the short list lacks: reporting verbs and the
# question words and auxiliaries that open questions.
_SEARCH_EXTRA = frozenset(
    "said say says according also would could what who whom which when where why how did does do".split()
)
# Sentence adverbs and modals a claim adds without saying anything the source must hold.
_CLAIM_EXTRA = frozenset(
    "however meanwhile moreover furthermore additionally therefore thus still yet may might must shall "
    "one ones us".split()
)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """What searching and ranking ignore: bm25s's English list (the keyword index's) and a few
    words every question or report has."""
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN) | _SEARCH_EXTRA


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """What a claim's support does not count: NLTK's English stopword list (bm25s's
    ``STOPWORDS_EN_PLUS``), the search stopwords, and sentence adverbs and modals."""
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS) | stopwords() | _CLAIM_EXTRA


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball English stem of a lower-case word: "talks", "talking", "talked" -> "talk"."""
    return str(stemmer().stemWord(word))


def tokens(text: str) -> list[str]:
    """The words of ``text`` as searched (see :data:`TOKEN`), lower-cased, edge punctuation
    stripped."""
    words = (w.lower().strip(".-'’") for w in TOKEN.findall(text))
    return [w for w in words if w]


def content_terms(text: str) -> list[str]:
    """The stems of ``text``'s searched words that are not stopwords, in order."""
    return [stem(w) for w in tokens(text) if w not in stopwords()]
