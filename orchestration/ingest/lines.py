"""Physical lines of a UTF-8 text file, each held to a bounded length, for the csv parser."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import BinaryIO

# One line above this is a broken file (garbage, or a runaway export), not a row; real rows are under 2 KiB.
MAX_LINE_BYTES = 1 << 20
BOM = b"\xef\xbb\xbf"


def bounded_lines(raw: BinaryIO, overlong: dict[int, int]) -> Iterator[str]:
    """Yield the file's lines, ends kept and BOM dropped; a line over MAX_LINE_BYTES is skipped and yielded empty."""
    # Lines are cut from blocks of MAX_LINE_BYTES: a plain line iterator would hold a 100 MB line whole (and the
    # csv module ten times that). `overlong` gets each skipped line's 1-based number and length in bytes.
    return itertools.chain.from_iterable(_blocks(raw, overlong))


def _decode(data: bytes) -> list[str]:
    # bytes.splitlines breaks only at CR and LF, as a CSV does (str.splitlines also breaks at U+2028 and others);
    # map keeps the per-line work in C. surrogateescape lets the reader report the row and column of a bad byte.
    lines = data.splitlines(keepends=True)
    return list(map(bytes.decode, lines, itertools.repeat("utf-8"), itertools.repeat("surrogateescape")))


def _blocks(raw: BinaryIO, overlong: dict[int, int]) -> Iterator[list[str]]:
    lines = 0
    rest = raw.read(len(BOM))
    if rest == BOM:
        rest = b""
    while True:
        block = raw.read(MAX_LINE_BYTES)
        data = rest + block
        end = len(data)
        if block:
            # Cut after the last line end; a CR at the very end may have its LF in the next block.
            stop = end - 1 if data.endswith(b"\r") else end
            end = max(data.rfind(b"\n", 0, stop), data.rfind(b"\r", 0, stop)) + 1
        if end == 0 and len(data) > MAX_LINE_BYTES:
            length, rest = _skip_line(raw, data)
            lines += 1
            overlong[lines] = length
            yield ["\n"]  # ends the csv record there; the reader quarantines it by its line number
            continue
        if end:
            decoded = _decode(data[:end])
            if end > MAX_LINE_BYTES and max(map(len, decoded)) > MAX_LINE_BYTES:
                decoded = _drop_overlong(decoded, lines, overlong)
            lines += len(decoded)
            yield decoded
        if not block:
            return
        rest = data[end:]


def _drop_overlong(decoded: list[str], before: int, overlong: dict[int, int]) -> list[str]:
    for index, line in enumerate(decoded):
        if len(line) > MAX_LINE_BYTES:
            overlong[before + index + 1] = len(line)
            decoded[index] = "\n"
    return decoded


def _skip_line(raw: BinaryIO, data: bytes) -> tuple[int, bytes]:
    """Read past the end of the line that starts `data`; return its length and what follows it."""
    length = 0
    while True:
        ends = [i for i in (data.find(b"\n"), data.find(b"\r")) if i >= 0]
        if ends:
            cut = min(ends) + 1
            if data.endswith(b"\r") and cut == len(data):
                data += raw.read(1)
            if data[cut - 1:cut + 1] == b"\r\n":
                cut += 1
            return length + cut, data[cut:]
        length += len(data)
        data = raw.read(MAX_LINE_BYTES)
        if not data:
            return length, b""
