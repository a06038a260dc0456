"""Find article files under the paths given and read each one's text, never blocking and never
reading more than a limit. A path that cannot be read gets a one-line reason instead."""

from __future__ import annotations

import codecs
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
RECORD_SUFFIXES = frozenset({".json", ".jsonl"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | RECORD_SUFFIXES


def walk(path: Path) -> Iterator[tuple[Path, str]]:
    """Yield ``(file, "")`` for each supported file under ``path`` (folders recursively, in sorted
    order, hidden names left out) and ``(path, reason)`` for each one to skip."""
    kind = _kind(path)
    if kind == "directory":
        for child in sorted(path.rglob("*")):
            relative = child.relative_to(path).parts
            if any(part.startswith(".") for part in relative):
                continue
            kind = _kind(child)
            if kind != "directory":
                yield child, _reason(child, kind)
    else:
        yield path, _reason(path, kind)


def _reason(path: Path, kind: str) -> str:
    if kind != "file":
        return kind
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"unsupported file type {path.suffix or '(no extension)'}"
    return ""


_KINDS = {
    stat.S_IFIFO: "not a regular file (a named pipe)",
    stat.S_IFCHR: "not a regular file (a character device)",
    stat.S_IFBLK: "not a regular file (a block device)",
    stat.S_IFSOCK: "not a regular file (a socket)",
}


def _kind(path: Path) -> str:
    """"file", "directory", or why the path cannot be read as an article (never opens it)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "symlink loop"
        if err.errno == errno.ENOENT:
            return "broken symlink" if path.is_symlink() else "not found"
        return f"unreadable ({err.strerror or type(err).__name__})"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISREG(mode):
        return "file"
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_text(path: Path, limit: int) -> tuple[str, str]:
    """The file's text with ``\\n`` line ends, or ``("", reason)``. Opens without blocking and
    reads only a regular file, and never more than ``limit`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as err:
        return "", "symlink loop" if err.errno == errno.ELOOP else f"unreadable ({err.strerror or type(err).__name__})"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "", _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        if info.st_size > limit:
            return "", f"too large ({megabytes(info.st_size)} > {megabytes(limit)})"
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as err:
        return "", f"unreadable ({err.strerror or type(err).__name__})"
    finally:
        os.close(fd)
    if len(data) > limit:
        return "", f"too large (> {megabytes(limit)})"
    return _decode(data)


def _decode(data: bytes) -> tuple[str, str]:
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    if encoding == "utf-8" and b"\x00" in data:
        return "", "binary file (NUL bytes)"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return "", "not UTF-8 text" if encoding == "utf-8" else f"not valid {encoding.upper()} text"
    if "\x00" in text:
        return "", "binary file (NUL characters)"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return "", "empty file"
    return text, ""


def megabytes(size: int) -> str:
    """``size`` bytes as "1.2 MB", for reasons."""
    return f"{size / (1024 * 1024):.1f} MB"
