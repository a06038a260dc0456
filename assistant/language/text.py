"""Small text utilities shared by retrieval, evidence selection and follow-up resolution: proper
names and word-set overlap. Words themselves (tokens, stopwords, stems) come from :mod:`index.words`."""

from __future__ import annotations

import re
from functools import lru_cache

from index import WORDS as WORDS
from index import stopwords

# Runs of capitalised words, allowing a few connecting words ("Ministry of Foreign Affairs").
_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+(?:of|de|al|van|von)?\s*[A-Z][\w’'-]+)*")
_NOT_NAMES = {
    "The", "A", "An", "In", "On", "At", "He", "She", "They", "It", "His", "Her", "Their", "This",
    "That", "These", "Those", "What", "Who", "When", "Where", "Why", "How", "Which", "Did", "Does",
    "According", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "The articles do not say",
    # words that open a question or request, capitalised only by position
    "Is", "Are", "Was", "Were", "Do", "Can", "Could", "Would", "Should", "Has", "Have", "Had", "Will",
    "Name", "List", "Describe", "Explain", "Give", "Tell", "Summarize", "Summarise", "Compare",
    "Identify", "Please", "Besides", "Beyond", "Both", "After", "Before", "During", "For", "From",
    "Yes", "No", "Answer", "Reply",
    # sentence adverbs that open a sentence of an answer or article
    "Meanwhile", "However", "Moreover", "Also", "Additionally", "Furthermore", "Separately",
    "Earlier", "Later", "Instead", "Still", "Then", "Now", "Nevertheless", "Overall",
}


def names(text: str) -> list[str]:
    """Capitalised runs that look like names; a sentence's first word is dropped when it is a
    common word that is only capitalised by position ("Meeting Vice President Han Zheng")."""
    found = []
    for m in _NAME.finditer(text):
        words = m.group().split()
        sentence_start = m.start() == 0 or text[: m.start()].rstrip()[-1:] in ".!?\n¿¡"
        while words and (words[0] in _NOT_NAMES or (sentence_start and _common_word(words[0], len(words)))):
            words = words[1:]
            sentence_start = False
        if words:
            found.append(" ".join(words))
    return found


def _common_word(word: str, run: int = 1) -> bool:
    """A word capitalised only by its place at a sentence start: an English function word or
    -ing/-ed/-ly form, another language's question word ("Wer hat ...", "Quand Macron ..."), or,
    standing alone (``run`` 1), its function word ("Qué dijo ..."; "Le Pen", "Los Angeles" and
    "De Gaulle" stay names)."""
    lower = word.lower()
    if lower.endswith(("ing", "ed", "ly")) or lower in stopwords() or lower in _QUESTION_WORDS:
        return True
    return run == 1 and lower in _foreign_stopwords()


@lru_cache(maxsize=1)
def _foreign_stopwords() -> frozenset[str]:
    import bm25s.stopwords as lists

    languages = ("SPANISH", "FRENCH", "GERMAN", "ITALIAN", "PORTUGUESE", "DUTCH")
    listed = {w for lang in languages for w in getattr(lists, f"STOPWORDS_{lang}", ())}
    return frozenset(listed)


# Question words the stopword lists lack (es, fr, de, it, pt, nl), as a question's first word.
_QUESTION_WORDS = frozenset(
    "quién quiénes cuál cuáles cuándo dónde cómo cuánto cuánta cuántos cuántas por porqué "
    "quel quelle quels quelles quand où comment pourquoi combien "
    "wer wen wem wessen wann warum weshalb welche welcher welches wieso "
    "quale quali quando dove perché quanto quanti "
    "quais quanto onde porque "
    "wat wanneer waar waarom hoe welke".split()
)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0
