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
# Bytes that are control characters other than tab, line feed and carriage return (in UTF-8 and
# GBK alike they are never part of a longer character). `bytes.translate` deleting every other
# byte finds them at a fraction of the cost of decoding (docs/benchmark.md).
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
NOT_CONTROL = bytes(b for b in range(256) if b not in CONTROL_BYTES)


def has_control_bytes(block: bytes) -> bool:
    return bool(block.translate(None, NOT_CONTROL))


class UnknownEncoding(Exception):
    """The file is neither UTF-8 nor GBK."""


class CutInCharacter(Exception):
    """The file decodes to its last bytes, which are the start of a character: cut in transfer."""

    def __init__(self, encoding: str):
        super().__init__(encoding)
        self.encoding = "UTF-8" if encoding == UTF8 else "GBK"


class Controls:
    """Whether a control byte was seen while a file was read (NUL, escape, ...)."""

    def __init__(self):
        self.found = False

    def see(self, block: bytes) -> None:
        if not self.found and has_control_bytes(block):
            self.found = True


def _decodes(path: Path, encoding: str, controls: Controls) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as handle:
            while data := handle.read(BLOCK):
                decoder.decode(data)
                controls.see(data)
    except UnicodeDecodeError:
        return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:  # every byte decoded but a character begun at the very end
        raise CutInCharacter(encoding) from exc
    return True


def as_utf8(path: Path, scratch: Path, controls: Controls | None = None) -> tuple[Path, str]:
    """The file itself if it is UTF-8, else its UTF-8 copy at `scratch`; and the encoding found.
    `controls` notes whether the file holds a control byte."""
    controls = controls or Controls()
    if _decodes(path, UTF8, controls):
        return path, UTF8
    controls.found = False
    decoder = codecs.getincrementaldecoder(GBK)()
    try:
        with open(path, "rb") as source, private_file(scratch) as target:
            while data := source.read(BLOCK):
                controls.see(data)
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


def line_ends(path: Path) -> tuple[int, int]:
    """(CRLF line ends, bare LF line ends) of a text file: read only for a file the CSV reader
    could not take, to say whether its line ends are mixed."""
    crlf = lf = 0
    last = b""
    with open(path, "rb") as handle:
        while data := handle.read(BLOCK):
            pairs = data.count(b"\r\n") + (1 if last == b"\r" and data[:1] == b"\n" else 0)
            crlf, lf = crlf + pairs, lf + data.count(b"\n") - pairs
            last = data[-1:]
    return crlf, lf


def with_lf_line_ends(path: Path, scratch: Path) -> Path:
    """A copy of a UTF-8 text file at `scratch` with every CRLF made LF (0600: it holds the
    export's personal data)."""
    carry = b""
    with open(path, "rb") as source, private_file(scratch) as target:
        while data := source.read(BLOCK):
            data = carry + data
            carry = b"\r" if data.endswith(b"\r") else b""
            target.write(data[: len(data) - len(carry)].replace(b"\r\n", b"\n"))
        target.write(carry)
    return scratch
