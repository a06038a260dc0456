"""Which sentences of real articles the addressed-text detector flags (its false positives).

    python benchmarks/addressed_flags.py /work/shared/data/multihop-rag/corpus.json seeds/

Loads and cleans the articles as ingest does, splits them into sentences and prints every
sentence :func:`assistant.language.addressed.addressed_sentences` drops, then the counts.
"""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.language.addressed import addressed_sentences, is_addressed
from index.clean import clean_article
from index.loader import load_articles
from index.sentences import sentence_spans


def main(paths: list[str]) -> None:
    raw, _skipped = load_articles([Path(p) for p in paths])
    total = flagged = own = articles = 0
    for record in raw:
        for article in clean_article(record):
            articles += 1
            spans = sentence_spans(article.text)
            for (a, b), dropped in zip(spans, addressed_sentences(article.text, spans)):
                total += 1
                if dropped:
                    flagged += 1
                    own += is_addressed(article.text[a:b])
                    mark = "*" if is_addressed(article.text[a:b]) else "+"
                    print(f"{mark} [{article.source}] {article.text[a:b][:300]}")
    print(f"{articles} articles, {total} sentences, {flagged} dropped ({own} addressed, {flagged - own} after one)")


if __name__ == "__main__":
    main(sys.argv[1:])
