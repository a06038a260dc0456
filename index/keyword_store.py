"""The keyword index on disk, beside the Chroma data, and how it is kept equal to Chroma.

Layout: ``data_dir/keyword/<key>/`` holds ``current.json`` (which build is current and the
Chroma generation it was built from) and one folder per build (column arrays, token ids, the
two ``bm25s`` indexes and the chunks' vectors, :mod:`index.vector_matrix`). A build is written into
a new folder and becomes current by an atomic rename of ``current.json``, so a process killed while
saving leaves the previous build current.

Consistency: every write to the chunks first stamps a new generation into Chroma
(:meth:`ChromaStore.new_generation`). An index is used only when its generation equals Chroma's;
any other index is stale (a writer changed or was killed while changing the chunks since) and a
reader then builds one in memory from Chroma instead, re-using the stale index's tokens for
unchanged chunks (:func:`current_index`). Writers (ingest, ``newsdesk check --repair``) save a
fresh build under the writer lock (:func:`refresh`), and only when Chroma's generation did not
move while they read the chunks.

With a Chroma server the generation lives on the server, so every process sees when the chunks
change; the index files live in the data dir of the process that ingests (keyed by host, port and
collection, like the writer lock). A process with another data dir finds no current index there and
builds one in memory, which is correct but costs the full read of the chunks.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from index.config import IndexSettings
from index.keyword import STRING_FIELDS, Coded, Columns, KeywordIndex, Ragged, Strings
from index.store import ChromaStore
from index.types import Chunk
from index.vector_matrix import build_matrix, load_matrix, save_matrix

log = logging.getLogger(__name__)

FORMAT = 1
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def index_dir(config: IndexSettings) -> Path:
    """Where the configured collection's keyword index lives."""
    key = f"{config.chroma_host}-{config.chroma_port}-{config.collection}" if config.chroma_host else config.collection
    return config.data_dir / "keyword" / _UNSAFE.sub("_", key)


def refresh(store: ChromaStore, config: IndexSettings, force: bool = False) -> KeywordIndex:
    """The keyword index of the store's current chunks, with their vectors
    (:mod:`index.vector_matrix`), saved to disk when it had to be rebuilt (``force``: rebuilt
    anyway, under a new generation, for an index that drifted from Chroma without the stamp
    changing; its vectors are all read again) or had no vectors yet. The caller holds the writer
    lock."""
    stamp = store.generation()
    if force or not stamp:  # not stamp: a collection written before stamps existed
        stamp = store.new_generation()
    saved = load(index_dir(config))
    current = saved is not None and saved.generation == stamp
    if saved is not None and current and (saved.vectors is not None or not len(saved)):
        return saved
    index = saved if saved is not None and current else build_from(store, stamp, saved)
    index.vectors = _vectors(store, index, None if force else saved)
    if current and index.vectors is None:  # saved before vectors were, and they cannot be read now
        return index
    if store.generation() == stamp:
        save(index, index_dir(config))
    else:  # another writer (another data dir, same server) changed the chunks meanwhile
        log.warning("the chunks changed while the keyword index was built: not saved")
    return index


def current_index(
    store: ChromaStore,
    path: Path | None,
    loaded: KeywordIndex | None = None,
    recheck: bool = False,
    stamp: str | None = None,
) -> KeywordIndex:
    """The keyword index of the store's current chunks for a reader: ``loaded`` or the one saved
    under ``path`` when its generation is Chroma's, else one built in memory (not saved: readers
    never write). A collection no writer has stamped yet is matched by its chunk count, and
    ``recheck`` refuses ``loaded`` then (the caller knows it wrote). ``stamp``: Chroma's
    generation as the caller just read it (None: read here)."""
    stamp = store.generation() if stamp is None else stamp
    count = -1 if stamp else store.count()

    def fresh(index: KeywordIndex | None) -> bool:
        if index is None:
            return False
        return index.generation == stamp if stamp else len(index) == count and not recheck

    if fresh(loaded):
        assert loaded is not None
        return loaded
    saved = load(path) if path is not None else None
    if stamp and fresh(saved):
        assert saved is not None
        return saved
    if saved is not None:
        log.info("the saved keyword index is stale (the chunks changed since): building it in memory")
    return build_from(store, stamp, saved or loaded)


def _vectors(store: ChromaStore, index: KeywordIndex, previous: KeywordIndex | None) -> np.ndarray | None:
    """The unit vectors of ``index``'s chunks, re-using the rows ``previous`` saved."""
    ids = index.columns.chunk_id.take(np.arange(len(index)))
    if previous is None or previous.vectors is None:
        return build_matrix(store, ids)
    return build_matrix(store, ids, previous.columns.chunk_id.take(np.arange(len(previous))), previous.vectors)


def build_from(store: ChromaStore, stamp: str, previous: KeywordIndex | None) -> KeywordIndex:
    """Build the index of the store's chunks; the chunks ``previous`` holds are not read again."""
    chunks = _chunks(store, previous)
    return KeywordIndex.build(chunks, stamp, previous)


def _chunks(store: ChromaStore, previous: KeywordIndex | None) -> list[Chunk]:
    if previous is None or not len(previous):
        return store.all_chunks()
    ids = store.chunk_ids()
    old = previous.columns.chunk_id
    kept = [i for i in range(len(previous)) if old[i] in ids]
    known = {old[i] for i in kept}
    chunks = [previous.columns.chunk(i) for i in kept] + store.chunks_by_id(sorted(ids - known))
    chunks.sort(key=lambda c: (c.doc_id, c.position))
    return chunks


def stale(store: ChromaStore, config: IndexSettings, deep: bool = False) -> str:
    """Why the saved keyword index does not match Chroma ("" when it does). ``deep`` also
    compares its chunk ids with Chroma's (finds a write that did not stamp a new generation)."""
    saved = load(index_dir(config))
    if saved is None:
        return "missing" if store.count() else ""
    if saved.generation != store.generation():
        return "stale"
    if deep and set(saved.columns.chunk_id.take(np.arange(len(saved)))) != store.chunk_ids():
        return "drifted"
    return ""


# ---- files ----------------------------------------------------------------------------------
def save(index: KeywordIndex, path: Path) -> None:
    """Write ``index`` into a new folder under ``path`` and make it current."""
    path.mkdir(parents=True, exist_ok=True)
    name = f"build-{uuid.uuid4().hex[:12]}"
    folder = path / name
    folder.mkdir()
    c = index.columns
    arrays: dict[str, np.ndarray] = {
        "chunk_id": c.chunk_id.data, "chunk_id_offsets": c.chunk_id.offsets,
        "text": c.text.data, "text_offsets": c.text.offsets,
        "chunk_tokens": index.chunk_tokens.ids, "chunk_tokens_offsets": index.chunk_tokens.offsets,
        "article_tokens": index.article_tokens.ids, "article_tokens_offsets": index.article_tokens.offsets,
        **{f"code_{f}": c.strings[f].codes for f in STRING_FIELDS},
        **c.numbers,
    }
    for key, array in arrays.items():
        np.save(folder / f"{key}.npy", array, allow_pickle=False)
    values = {f: c.strings[f].values for f in STRING_FIELDS}
    (folder / "strings.json").write_text(json.dumps({"values": values, "vocab": index.vocab}), encoding="utf-8")
    if len(index):
        index.chunk_bm25.save(str(folder / "chunks.bm25"), show_progress=False)
        index.article_bm25.save(str(folder / "articles.bm25"), show_progress=False)
    if index.vectors is not None:
        save_matrix(folder, index.vectors)
    pointer = {"format": FORMAT, "build": name, "generation": index.generation, "chunks": len(index)}
    tmp = path / f"current.json.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(pointer), encoding="utf-8")
    os.replace(tmp, path / "current.json")
    for old in path.glob("build-*"):
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)
    log.info("keyword index saved: %d chunks, generation %s", len(index), index.generation)


def load(path: Path) -> KeywordIndex | None:
    """The current saved index under ``path`` (None when there is none or it cannot be read).
    Large arrays are memory-mapped: a new process pays for the pages its queries touch."""
    try:
        pointer = json.loads((path / "current.json").read_text(encoding="utf-8"))
        if pointer.get("format") != FORMAT:
            return None
        return _read(path / str(pointer["build"]), str(pointer["generation"]), int(pointer["chunks"]))
    except FileNotFoundError:
        return None
    except Exception as err:  # a damaged or half-deleted build: rebuild rather than fail
        log.warning("cannot read the keyword index in %s (%s): it will be rebuilt", path, err)
        return None


def _read(folder: Path, generation: str, n: int) -> KeywordIndex:
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)

    def arr(key: str) -> np.ndarray:
        try:
            return np.asarray(np.load(folder / f"{key}.npy", mmap_mode="r", allow_pickle=False))
        except ValueError:  # an empty array cannot be memory-mapped
            return np.asarray(np.load(folder / f"{key}.npy", allow_pickle=False))

    tables: dict[str, Any] = json.loads((folder / "strings.json").read_text(encoding="utf-8"))
    columns = Columns(
        Strings(arr("chunk_id"), arr("chunk_id_offsets")),
        Strings(arr("text"), arr("text_offsets")),
        {f: Coded(tables["values"][f], arr(f"code_{f}")) for f in STRING_FIELDS},
        {k: arr(k) for k in ("start", "end", "position", "is_teaser")},
    )
    chunk_bm25 = article_bm25 = bm25s.BM25()
    if n:
        chunk_bm25 = bm25s.BM25.load(str(folder / "chunks.bm25"), mmap=True)
        article_bm25 = bm25s.BM25.load(str(folder / "articles.bm25"), mmap=True)
    index = KeywordIndex(
        columns,
        list(tables["vocab"]),
        Ragged(arr("chunk_tokens"), arr("chunk_tokens_offsets")),
        Ragged(arr("article_tokens"), arr("article_tokens_offsets")),
        chunk_bm25,
        article_bm25,
        generation,
    )
    index.vectors = load_matrix(folder, n)
    return index
