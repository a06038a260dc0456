"""The keyword index of a collection: two BM25 indexes (one document per chunk, one per article)
over column arrays of the chunks, so a process can load it from disk instead of reading every
chunk from Chroma and tokenizing it again.

Chunks are kept as columns (texts and ids as one UTF-8 buffer with offsets, repeated strings such
as titles and outlets as codes into a table of values), and a :class:`~index.types.Chunk` is made
only for a chunk that is returned. The token ids of every chunk and article are kept too, so a
rebuild tokenizes only the chunks that are new since the previous index (:meth:`KeywordIndex.build`
with ``previous``). BM25 scores depend on the tokens' strings, never on their ids, so an index
built that way ranks exactly as one built from scratch (tests/test_keyword_index.py).

BM25 runs on ``bm25s`` (the engine inside llama-index's BM25Retriever), tokenized with its English
stopwords and the Snowball stemmer, as the retriever queries it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.chunker import embedding_text
from index.types import META_FIELDS, ArticleMeta, Chunk

log = logging.getLogger(__name__)

STRING_FIELDS = META_FIELDS  # a chunk's article fields, each a coded column (saved by name)


@dataclass(frozen=True)
class Strings:
    """Many strings as one UTF-8 buffer and the byte offsets of each."""

    data: np.ndarray  # uint8
    offsets: np.ndarray  # int64, len(strings) + 1

    @classmethod
    def of(cls, strings: Sequence[str]) -> Strings:
        encoded = [s.encode("utf-8") for s in strings]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        return bytes(self.data[self.offsets[i] : self.offsets[i + 1]]).decode("utf-8")

    def take(self, rows: np.ndarray) -> list[str]:
        return [self[int(i)] for i in rows]


@dataclass(frozen=True)
class Coded:
    """A column of repeated strings: a table of distinct values and one code per row."""

    values: list[str]
    codes: np.ndarray  # int32

    @classmethod
    def of(cls, strings: Sequence[str]) -> Coded:
        table: dict[str, int] = {}
        codes = np.fromiter((table.setdefault(s, len(table)) for s in strings), dtype=np.int32, count=len(strings))
        return cls(list(table), codes)

    def __getitem__(self, i: int) -> str:
        return self.values[int(self.codes[i])]

    def mask(self, wanted: Sequence[str]) -> np.ndarray:
        """Which rows hold one of ``wanted``."""
        wanted_set = set(wanted)
        codes = [i for i, v in enumerate(self.values) if v in wanted_set]
        return np.isin(self.codes, codes)


@dataclass(frozen=True)
class Ragged:
    """One token-id list per row, as one flat array and the offsets of each row."""

    ids: np.ndarray  # int32
    offsets: np.ndarray  # int64

    @classmethod
    def of(cls, rows: Sequence[np.ndarray]) -> Ragged:
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in rows], out=offsets[1:])
        ids = np.concatenate(rows).astype(np.int32) if rows else np.zeros(0, dtype=np.int32)
        return cls(ids, offsets)

    def __getitem__(self, i: int) -> np.ndarray:
        return self.ids[self.offsets[i] : self.offsets[i + 1]]

    def rows(self) -> Iterator[np.ndarray]:
        for i in range(len(self.offsets) - 1):
            yield self[i]


@dataclass(frozen=True)
class Columns:
    """The chunks of a collection in (doc_id, position) order, one array per field."""

    chunk_id: Strings
    text: Strings
    strings: dict[str, Coded]  # one per STRING_FIELDS
    numbers: dict[str, np.ndarray]  # start, end, position (int64), is_teaser (bool)

    @classmethod
    def of(cls, chunks: Sequence[Chunk]) -> Columns:
        return cls(
            Strings.of([c.chunk_id for c in chunks]),
            Strings.of([c.text for c in chunks]),
            {f: Coded.of([getattr(c.meta, f) for c in chunks]) for f in STRING_FIELDS},
            {
                "start": np.array([c.start for c in chunks], dtype=np.int64),
                "end": np.array([c.end for c in chunks], dtype=np.int64),
                "position": np.array([c.position for c in chunks], dtype=np.int64),
                "is_teaser": np.array([c.is_teaser for c in chunks], dtype=bool),
            },
        )

    def __len__(self) -> int:
        return len(self.chunk_id)

    def chunk(self, i: int) -> Chunk:
        s, n = self.strings, self.numbers
        return Chunk(
            chunk_id=self.chunk_id[i],
            meta=ArticleMeta(**{f: s[f][i] for f in STRING_FIELDS}),
            text=self.text[i],
            start=int(n["start"][i]),
            end=int(n["end"][i]),
            position=int(n["position"][i]),
            is_teaser=bool(n["is_teaser"][i]),
        )


class KeywordIndex:
    """BM25 over chunks and over articles, with the chunks' columns; ``generation`` names the state
    of the Chroma collection it was built from (:mod:`index.keyword_store`)."""

    def __init__(
        self,
        columns: Columns,
        vocab: list[str],
        chunk_tokens: Ragged,
        article_tokens: Ragged,
        chunk_bm25: Any,
        article_bm25: Any,
        generation: str = "",
    ) -> None:
        self.columns = columns
        self.vocab = vocab
        self.chunk_tokens = chunk_tokens
        self.article_tokens = article_tokens
        self.chunk_bm25 = chunk_bm25
        self.article_bm25 = article_bm25
        self.generation = generation
        self.vectors: np.ndarray | None = None  # the chunks' unit vectors, row for row, when saved
        docs = columns.strings["doc_id"].codes
        # chunks are sorted by (doc_id, position): each article's chunks are one run of rows
        change = np.flatnonzero(docs[1:] != docs[:-1]) + 1 if len(docs) else np.zeros(0, dtype=np.int64)
        self.article_starts = np.concatenate([[0], change]).astype(np.int64) if len(docs) else change
        self.article_ends = np.append(self.article_starts[1:], len(docs)).astype(np.int64)

    def __len__(self) -> int:
        return len(self.columns)

    @property
    def n_articles(self) -> int:
        return len(self.article_starts)

    def article_doc_id(self, a: int) -> str:
        return self.columns.strings["doc_id"][int(self.article_starts[a])]

    def article_text(self, a: int) -> str:
        """The indexed text of article ``a``: title and outlet of its first chunk, then every
        chunk's text in the order of their offsets."""
        rows = np.arange(self.article_starts[a], self.article_ends[a])
        rows = rows[np.argsort(self.columns.numbers["start"][rows], kind="stable")]
        first = int(rows[0])
        head = [self.columns.strings["title"][first], self.columns.strings["outlet"][first]]
        return "\n".join(head + self.columns.text.take(rows))

    @classmethod
    def build(
        cls, chunks: Sequence[Chunk], generation: str = "", previous: KeywordIndex | None = None
    ) -> KeywordIndex:
        """The index of ``chunks`` (sorted by doc_id and position). Chunks and articles already in
        ``previous`` (same chunk ids) keep their tokens; only the others are tokenized."""
        columns = Columns.of(chunks)
        index = cls(columns, [], Ragged.of([]), Ragged.of([]), None, None, generation)
        vocab: dict[str, int] = {w: i for i, w in enumerate(previous.vocab)} if previous else {}
        chunk_rows = _reuse_chunks(previous, columns, vocab, [embedding_text(c) for c in chunks])
        article_rows = _reuse_articles(previous, index, vocab)
        # keep only the tokens still used, so the vocabulary is what a fresh build would have
        used = np.unique(np.concatenate([*chunk_rows, *article_rows, np.zeros(0, dtype=np.int32)]))
        new_id = np.full(len(vocab), -1, dtype=np.int32)
        new_id[used] = np.arange(len(used), dtype=np.int32)
        words = list(vocab)
        index.vocab = [words[int(i)] for i in used]
        index.chunk_tokens = Ragged.of([new_id[r] for r in chunk_rows])
        index.article_tokens = Ragged.of([new_id[r] for r in article_rows])
        index.chunk_bm25 = _bm25(index.chunk_tokens, index.vocab)
        index.article_bm25 = _bm25(index.article_tokens, index.vocab)
        log.info("keyword index built over %d chunks of %d articles", len(columns), index.n_articles)
        return index


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """The BM25 terms of each text: lower-cased words, English stopwords dropped, stemmed."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG
    if not texts:
        return []
    got = bm25s.tokenize(list(texts), stopwords="en", stemmer=stemmer(), return_ids=False, show_progress=False)
    return [list(terms) for terms in got]


_STEMMER: list[Any] = []


def stemmer() -> Any:
    """The English Snowball stemmer (one per process: it caches stems)."""
    if not _STEMMER:
        import Stemmer

        _STEMMER.append(Stemmer.Stemmer("english"))
    return _STEMMER[0]


def _ids(terms: list[str], vocab: dict[str, int]) -> np.ndarray:
    return np.array([vocab.setdefault(t, len(vocab)) for t in terms], dtype=np.int32)


def _reuse_chunks(
    previous: KeywordIndex | None, columns: Columns, vocab: dict[str, int], texts: list[str]
) -> list[np.ndarray]:
    old = {previous.columns.chunk_id[i]: i for i in range(len(previous))} if previous else {}
    rows: list[np.ndarray | None] = []
    todo: list[int] = []
    for i in range(len(columns)):
        j = old.get(columns.chunk_id[i])
        rows.append(previous.chunk_tokens[j] if previous is not None and j is not None else None)
        if j is None:
            todo.append(i)
    for i, terms in zip(todo, tokenize([texts[i] for i in todo])):
        rows[i] = _ids(terms, vocab)
    log.info("keyword index: %d of %d chunks tokenized, the rest reused", len(todo), len(rows))
    return [r if r is not None else np.zeros(0, dtype=np.int32) for r in rows]


def _reuse_articles(previous: KeywordIndex | None, index: KeywordIndex, vocab: dict[str, int]) -> list[np.ndarray]:
    """Token ids of each article's text; an article whose chunk ids are unchanged keeps its own."""
    def key(ix: KeywordIndex, a: int) -> tuple[str, ...]:
        return tuple(ix.columns.chunk_id.take(np.arange(ix.article_starts[a], ix.article_ends[a])))

    old = {key(previous, a): a for a in range(previous.n_articles)} if previous else {}
    rows: list[np.ndarray | None] = []
    todo: list[int] = []
    for a in range(index.n_articles):
        b = old.get(key(index, a))
        rows.append(previous.article_tokens[b] if previous is not None and b is not None else None)
        if b is None:
            todo.append(a)
    for a, terms in zip(todo, tokenize([index.article_text(a) for a in todo])):
        rows[a] = _ids(terms, vocab)
    return [r if r is not None else np.zeros(0, dtype=np.int32) for r in rows]


def _bm25(tokens: Ragged, vocab: list[str]) -> Any:
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    bm25 = bm25s.BM25()
    if len(tokens.offsets) > 1:
        bm25.index(([r.tolist() for r in tokens.rows()], {w: i for i, w in enumerate(vocab)}), show_progress=False)
    return bm25
