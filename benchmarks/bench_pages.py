"""CPU seconds of reading one web page, by its number of elements: trafilatura (``extract_page``)
against the whole-text reader (``skim_page``) that index/reading/pages.py takes for a page of over
``MAX_EXTRACTED_ELEMENTS`` elements; and, given a folder of real pages, how many elements they
have and how long trafilatura takes on the largest.

    python benchmarks/bench_pages.py                       # generated pages, 4,000 to 100,000 elements
    python benchmarks/bench_pages.py --sizes 16000 --pages DIR...  # e.g. trafilatura's tests/cache and tests/eval

Generated pages come in two shapes: ``p``, one short ``<p>`` paragraph per element (100,000 make
4.2 MB), and ``div``, rows of a ``<div>`` holding a ``<span>`` and a link (three elements a row).
Times are ``time.process_time`` of one run; the page's parsing (the same for both) is left out.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from trafilatura.utils import decode_file

from index.reading.pages import MAX_EXTRACTED_ELEMENTS, extract_page, load_page, skim_page
from index.types import RawArticle


def generated(shape: str, elements: int) -> str:
    if shape == "p":
        rows = (f"<p>Sentence number {i} of the story.</p>" for i in range(elements))
    else:
        row = "<div><span>Item {0}</span> <a href='/x{0}'>link {0}</a> text of row {0}.</div>"
        rows = (row.format(i) for i in range(elements // 3))
    return "<html><body>" + "".join(rows) + "</body></html>"


def seconds(markup: str, reader: Callable[..., RawArticle]) -> tuple[float, int, int]:
    """CPU seconds of ``reader`` on the page, its element count and the characters of text read."""
    tree = load_page(markup)
    assert tree is not None
    count = sum(1 for _ in tree.iter())
    start = time.process_time()
    article = reader("", "", tree)
    return time.process_time() - start, count, len(article.text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[4000, 16000, 32000, 64000, 100000])
    parser.add_argument("--pages", type=Path, nargs="*", default=[], help="folders of real .html pages")
    args = parser.parse_args()
    print(f"MAX_EXTRACTED_ELEMENTS = {MAX_EXTRACTED_ELEMENTS:,}")
    for shape in ("p", "div"):
        for size in args.sizes:
            markup = generated(shape, size)
            slow, count, chars = seconds(markup, extract_page)
            fast, _, skimmed = seconds(markup, skim_page)
            print(
                f"{shape:3s} {count:7,} elements {len(markup) / 1e6:5.2f} MB  trafilatura {slow:6.2f} s "
                f"({chars:,} chars)  skim {fast:5.2f} s ({skimmed:,} chars)",
                flush=True,
            )
    if args.pages:
        pages = []
        for path in sorted(path for folder in args.pages for path in folder.glob("*.htm*")):
            tree = load_page(decode_file(path.read_bytes()))
            if tree is not None:
                pages.append((sum(1 for _ in tree.iter()), path))
        pages.sort()
        counts = [count for count, _ in pages]
        n = len(counts)
        print(f"{n} real pages: elements p50 {counts[n // 2]:,}, p90 {counts[n * 9 // 10]:,}, "
              f"p99 {counts[n * 99 // 100]:,}, most {counts[-1]:,}")
        for count, path in pages[-5:]:
            slow, _, chars = seconds(decode_file(path.read_bytes()), extract_page)
            print(f"  {path.name}: {count:,} elements, trafilatura {slow:.2f} s ({chars:,} chars)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
