"""index/dedup.py's MinHash against datasketch's (MinHash + MinHashLSH), on one corpus.

    pip install datasketch==2.0.0   # not a dependency of newsdesk: this comparison only
    python benchmarks/compare_minhash.py ../shared/data/multihop-rag/corpus.json

For each way of finding near-duplicates, with the same decision rule (``is_near_duplicate`` on
the estimated Jaccard similarity and containment), prints the CPU seconds (``time.process_time``,
best of 3) of signing and clustering the corpus's cleaned articles, and the groups it finds.
Then it plants copies that the rule must catch: each of the first 200 articles inside a page
2.5 to 4.75 times its length (the rest words drawn at random from the corpus, so that Jaccard is
0.40 down to 0.21 and containment 1), and counts how many of them each way puts with their original.
"""

from __future__ import annotations

import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from index.clean import clean_article
from index.dedup import NUM_PERM, _containment, assign_clusters, is_near_duplicate, signature
from index.loader import load_articles

_WORD = re.compile(r"\w+")
Docs = Sequence[tuple[str, str]]  # (doc_id, text)


def ours(docs: Docs) -> dict[str, str]:
    return assign_clusters({}, [(doc_id, signature(text)) for doc_id, text in docs])


def datasketch_way(lsh_threshold: float | None) -> Callable[[Docs], dict[str, str]]:
    """datasketch as documented: MinHash of the word 3-shingles (its SHA-1 hashing), candidates
    from MinHashLSH (or every earlier document), then the same rule as ours."""
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        raise SystemExit("this comparison needs datasketch: pip install datasketch==2.0.0") from None

    def run(docs: Docs) -> dict[str, str]:
        lsh = MinHashLSH(threshold=lsh_threshold, num_perm=NUM_PERM) if lsh_threshold else None
        earlier: dict[str, tuple[Any, int]] = {}
        clusters: dict[str, str] = {}
        for doc_id, text in docs:
            words = _WORD.findall(text.casefold())
            grams = {" ".join(words[i : i + 3]).encode() for i in range(len(words) - 2)}
            sig = MinHash(num_perm=NUM_PERM)
            sig.update_batch(list(grams))
            pool = lsh.query(sig) if lsh else list(earlier)
            best: tuple[float, float, str] | None = None
            for other in pool:
                other_sig, other_size = earlier[other]
                jaccard = sig.jaccard(other_sig)
                containment = _containment(jaccard, len(grams), other_size)
                if is_near_duplicate(jaccard, containment, min(len(grams), other_size)):
                    best = max(best or (jaccard, containment, other), (jaccard, containment, other))
            clusters[doc_id] = clusters[best[2]] if best else doc_id
            earlier[doc_id] = (sig, len(grams))
            if lsh:
                lsh.insert(doc_id, sig)
        return clusters

    return run


def groups(clusters: dict[str, str]) -> list[list[str]]:
    sizes = Counter(clusters.values())
    return sorted(sorted(d for d, c in clusters.items() if c == cid) for cid, n in sizes.items() if n > 1)


def main(path: str) -> None:
    raws, _ = load_articles([Path(path)])
    articles = [a for raw in raws for a in clean_article(raw)]
    docs = [(a.doc_id, a.text) for a in articles]
    titles = {a.doc_id: a.title for a in articles}
    vocabulary = sorted({w for a in articles for w in _WORD.findall(a.text)})
    rng = random.Random(14)
    planted = {f"copy-{a.doc_id}": a.doc_id for a in articles[:200]}
    docs_planted = [*docs, *((f"copy-{a.doc_id}", a.text + " " + _filler(a.text, n, vocabulary, rng))
                             for n, a in enumerate(articles[:200]))]  # fmt: skip
    ways = {"ours (numpy, every pair)": ours, "datasketch + MinHashLSH(0.2)": datasketch_way(0.2),
            "datasketch, every pair": datasketch_way(None)}  # fmt: skip
    base = 0.0
    for name, way in ways.items():
        seconds = []
        for _ in range(3):
            started = time.process_time()
            clusters = way(docs)
            seconds.append(time.process_time() - started)
        base = base or min(seconds)
        found = [[titles[d][:50] for d in group] for group in groups(clusters)]
        with_copies = way(docs_planted)
        caught = sum(with_copies[copy] == with_copies[original] for copy, original in planted.items())
        print(f"{name:30s} {min(seconds):6.2f} CPU s (x{min(seconds) / base:.2f})  groups {found}  "
              f"planted copies caught {caught}/{len(planted)}")  # fmt: skip


def _filler(text: str, n: int, vocabulary: Sequence[str], rng: random.Random) -> str:
    """Random words, 1.5 to 3.75 times as many as ``text`` has (by ``n``)."""
    count = int(len(_WORD.findall(text)) * (1.5 + 2.25 * (n % 10) / 9))
    return " ".join(rng.choice(vocabulary) for _ in range(count))


if __name__ == "__main__":
    main(sys.argv[1])
