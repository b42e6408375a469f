"""A CSV file's encoding, and GBK made UTF-8 for DuckDB.

Platforms write UTF-8 (with or without a BOM) or GBK, the encoding of Chinese Excel. DuckDB's
CSV reader reads UTF-8 only here (its encodings extension cannot be installed offline), so a GBK
file is transcoded to a UTF-8 copy on the way in: streamed block by block, in bounded memory,
into the staging folder (the copy holds personal data like the export, and is deleted once read).
"""
from __future__ import annotations

import codecs
from pathlib import Path

from gridpulse.private_files import private_file

UTF8 = "utf-8-sig"       # a BOM is dropped
GBK = "gb18030"          # the superset of GBK that Chinese Excel writes
# Tried in order: UTF-8 first, since GB18030 would also decode most UTF-8 bytes into the wrong
# characters.
CSV_ENCODINGS = (UTF8, GBK)
BLOCK = 1 << 22


class UnknownEncoding(Exception):
    """The file is neither UTF-8 nor GBK."""


class CutInCharacter(Exception):
    """The file decodes to its last bytes, which are the start of a character: cut in transfer."""

    def __init__(self, encoding: str):
        super().__init__(encoding)
        self.encoding = "UTF-8" if encoding == UTF8 else "GBK"


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as handle:
            while data := handle.read(BLOCK):
                decoder.decode(data)
    except UnicodeDecodeError:
        return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:  # every byte decoded but a character begun at the very end
        raise CutInCharacter(encoding) from exc
    return True


def as_utf8(path: Path, scratch: Path) -> tuple[Path, str]:
    """The file itself if it is UTF-8, else its UTF-8 copy at `scratch`; and the encoding found."""
    if _decodes(path, UTF8):
        return path, UTF8
    decoder = codecs.getincrementaldecoder(GBK)()
    try:
        with open(path, "rb") as source, private_file(scratch) as target:
            while data := source.read(BLOCK):
                target.write(decoder.decode(data).encode("utf-8"))
    except UnicodeDecodeError as exc:
        scratch.unlink(missing_ok=True)
        raise UnknownEncoding(str(exc)) from exc
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        scratch.unlink(missing_ok=True)
        raise CutInCharacter(GBK) from exc
    return scratch, GBK
