"""What a landing file really is, judged from its first bytes, for the message when it is the wrong kind."""

from __future__ import annotations

import re
from pathlib import Path

HEAD_BYTES = 65536

# Magic numbers of what people save or rename by mistake in place of a CSV or an xlsx.
_SIGNATURES = (
    (b"PK\x03\x04", "a zip archive (an Excel workbook?)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "an OLE2 Office file (an Excel 97-2003 .xls workbook, or a password-protected workbook?)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"%PDF", "a PDF document"),
    (b"\xff\xfe", "UTF-16 text (byte-order mark FF FE)"),
    (b"\xfe\xff", "UTF-16 text (byte-order mark FE FF)"),
)
# Control characters that no delimited text holds (tab, CR and LF aside), and the mark of an undecodable byte.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")
# Above this share of such characters the head is binary; a Windows-1252 file of names stays far below it.
_BINARY_SHARE = 0.10


def read_head(path: Path) -> bytes:
    """The first 64 KiB of a file."""
    with path.open("rb") as f:
        return f.read(HEAD_BYTES)


def describe(head: bytes) -> str | None:
    """What the bytes are when they are not text, e.g. 'a PDF document'; None when they read as text."""
    for magic, name in _SIGNATURES:
        if head.startswith(magic):
            return name
    text = head.decode("utf-8", errors="replace")
    if text and len(_NOT_TEXT.findall(text)) > _BINARY_SHARE * len(text):
        # Every other byte NUL: UTF-16 saved without its byte-order mark.
        if head[1::2].count(0) > 0.4 * len(head[1::2]) or head[0::2].count(0) > 0.4 * len(head[0::2]):
            return "UTF-16 text without a byte-order mark"
        return "binary data"
    return None
