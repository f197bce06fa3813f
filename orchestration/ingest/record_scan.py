"""Counting a delimited file's records from its bytes alone: where each ends, its fields, its blank lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from orchestration.ingest.lines import BOM, MAX_LINE_BYTES

BLOCK_BYTES = 8 << 20
# One good row in this many is kept (as its byte span) to compare with the row DuckDB loaded under its number.
SAMPLE_EVERY = 10_000
# Blank and ragged rows each shift the numbers of the rows after them; past this many the DuckDB path's
# number map grows too large and the Python reader (which numbers rows as it goes) reads the file instead.
MAX_GAPS = 10_000
# A record this long holds a field the Python reader refuses (its csv field limit is 1 MiB).
MAX_RECORD_BYTES = MAX_LINE_BYTES - 64

_LF, _CR, _QUOTE = 10, 13, 34


@dataclass
class RecordScan:
    """The data records of a file as the Python reader numbers them (1 is the first row after the header)."""

    rows: int = 0  # data records, blank lines included
    blank_rows: list[int] = field(default_factory=list)
    # source row -> (fields, first byte, end byte) of each non-blank record whose field count is not the header's
    ragged_rows: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    samples: dict[int, tuple[int, int]] = field(default_factory=dict)  # source row -> (first byte, end byte)
    ends_with_line_break: bool = True
    # Why the file's bytes hold something DuckDB's reader and the Python reader may take differently, or None.
    not_exact: str | None = None

    @property
    def last_row(self) -> int:
        """The last row that is not a trailing blank line."""
        trailing = 0
        for row in reversed(self.blank_rows):
            if row != self.rows - trailing:
                break
            trailing += 1
        return self.rows - trailing

    @property
    def good_rows(self) -> int:
        return self.last_row - len([r for r in self.blank_rows if r <= self.last_row]) - len(self.ragged_rows)


class _Stop(Exception):
    pass


@dataclass
class _State:
    delimiter: int
    width: int
    base: int = 0  # file offset of the chunk being scanned
    record: int = 0  # number of the record being read; 0 is the header
    record_start: int = 0  # file offset where it began
    record_delimiters: int = 0  # delimiters outside quotes seen in it so far
    in_quote: int = 0
    crlf: bool | None = None
    last_good: tuple[int, int, int] | None = None


def scan_records(path: Path, delimiter: str, width: int) -> RecordScan:
    """Scan the whole file; `not_exact` says why DuckDB cannot be checked against it, if it cannot."""
    scan = RecordScan()
    state = _State(ord(delimiter), width)
    try:
        with path.open("rb") as f:
            head = f.read(len(BOM))
            state.base = state.record_start = len(BOM) if head == BOM else 0
            f.seek(state.base)
            rest = b""
            while True:
                block = f.read(BLOCK_BYTES)
                data = rest + block
                if block:
                    end = data.rfind(b"\n") + 1
                    if end == 0:
                        if len(data) > MAX_RECORD_BYTES:
                            raise _Stop(f"a line longer than {MAX_RECORD_BYTES:,} bytes")
                        rest = data
                        continue
                    chunk, rest = data[:end], data[end:]
                else:
                    chunk, rest = data, b""
                    scan.ends_with_line_break = not chunk
                if chunk:
                    _scan_chunk(chunk, state, scan, final=not block)
                if not block:
                    break
        if state.in_quote:
            raise _Stop("the file ends inside a quoted field")
        scan.rows = state.record - 1 if state.record else 0
        if state.last_good is not None:
            row, start, end = state.last_good
            scan.samples[row] = (start, end)
    except _Stop as stop:
        scan.not_exact = str(stop)
    return scan


def _check_text(chunk: bytes, state: _State) -> None:
    if b"\x00" in chunk:
        raise _Stop("NUL bytes")
    try:
        chunk.decode("utf-8")  # a chunk ends at a line feed, which is never inside a UTF-8 sequence
    except UnicodeDecodeError:
        raise _Stop("bytes that are not UTF-8") from None
    carriage_returns = chunk.count(b"\r")
    if carriage_returns and chunk.count(b"\r\n") != carriage_returns:
        raise _Stop("a carriage return without a line feed, as in old Mac line ends")
    if state.crlf is None:
        first = chunk.find(b"\n")
        if first >= 0:
            state.crlf = first > 0 and chunk[first - 1] == _CR
    # DuckDB's reader takes one kind of line end per file (even inside quotes); the Python reader takes any.
    if carriage_returns != (chunk.count(b"\n") if state.crlf else 0):
        raise _Stop("a mix of CRLF and LF line ends")


def _structural(a: np.ndarray, chunk: bytes, state: _State, final: bool) -> tuple[np.ndarray, np.ndarray]:
    """Positions in the chunk of the line feeds and delimiters that are not inside quotes."""
    line_feeds = np.flatnonzero(a == _LF)
    delimiters = np.flatnonzero(a == state.delimiter)
    if not state.in_quote and b'"' not in chunk:
        return line_feeds, delimiters
    quotes = np.flatnonzero(a == _QUOTE)
    # The n-th quote of a record opens a quoted field when n is even and closes it (or is the first of a
    # doubled quote) when n is odd. Both readers agree on quotes where RFC 4180 puts them, and only there:
    # around a whole field, or doubled inside one. Anywhere else each reader has its own rule.
    odd = (state.in_quote + np.arange(len(quotes))) & 1
    opening, closing = quotes[odd == 0], quotes[odd == 1]
    before = np.where(opening > 0, a[np.maximum(opening - 1, 0)], _LF)  # a chunk starts at a line start
    after_index = closing + 1
    at_end = after_index >= len(a)
    if at_end.any() and not final:
        raise _Stop("a quote at a block boundary")  # unreachable: a chunk that is not the last ends at a line feed
    after = np.where(at_end, _LF, a[np.minimum(after_index, len(a) - 1)])
    delimiter = state.delimiter
    if not (((before == delimiter) | (before == _LF) | (before == _QUOTE)).all()
            and ((after == delimiter) | (after == _LF) | (after == _CR) | (after == _QUOTE)).all()):
        raise _Stop("a quote inside a field that is not quoted, or text after a closing quote")
    outside = lambda positions: ((state.in_quote + np.searchsorted(quotes, positions)) & 1) == 0  # noqa: E731
    line_feeds, delimiters = line_feeds[outside(line_feeds)], delimiters[outside(delimiters)]
    state.in_quote = (state.in_quote + len(quotes)) & 1
    return line_feeds, delimiters


def _scan_chunk(chunk: bytes, state: _State, scan: RecordScan, final: bool) -> None:
    _check_text(chunk, state)
    a = np.frombuffer(chunk, np.uint8)
    ends, delimiters = _structural(a, chunk, state, final)
    # The last record of a file without a final line break ends at the end of the file.
    unterminated = final and not state.in_quote and (not len(ends) or ends[-1] != len(a) - 1)
    if unterminated:
        ends = np.append(ends, len(a))
    if not len(ends):
        state.record_delimiters += len(delimiters)
        if state.base + len(a) - state.record_start > MAX_RECORD_BYTES:
            raise _Stop(f"a record longer than {MAX_RECORD_BYTES:,} bytes")
        state.base += len(a)
        return
    starts = np.empty_like(ends)
    starts[0] = state.record_start - state.base
    starts[1:] = ends[:-1] + 1
    lengths = ends - starts  # without the line feed
    if int(lengths.max()) >= MAX_RECORD_BYTES:
        raise _Stop(f"a record longer than {MAX_RECORD_BYTES:,} bytes")
    content = lengths - (1 if state.crlf else 0)
    if unterminated:
        content[-1] = lengths[-1]
    before_end = np.searchsorted(delimiters, ends)
    fields = np.diff(before_end, prepend=0) + 1
    fields[0] += state.record_delimiters
    # Python's csv module gives [] for an empty line and [''] for a line of "", and the reader takes both as blank;
    # DuckDB rejects the second as a short row.
    empty_quoted = (content == 2) & (starts >= 0)
    if empty_quoted.any():
        firsts = starts[empty_quoted]
        if ((a[firsts] == _QUOTE) & (a[firsts + 1] == _QUOTE)).any():
            raise _Stop('a row that is only an empty quoted field ("")')
    if state.record == 0 and int(fields[0]) != state.width:
        raise _Stop("a header row the csv module splits otherwise")  # unreachable: read_header counted its fields
    rows = state.record + np.arange(len(ends))  # record numbers; 0 is the header
    data = rows > 0
    blank = (content == 0) & data
    ragged = ~blank & data & (fields != state.width)
    if blank.any():
        scan.blank_rows.extend(rows[blank].tolist())
    if ragged.any():
        for row, count, start, end in zip(rows[ragged].tolist(), fields[ragged].tolist(),
                                          starts[ragged].tolist(), ends[ragged].tolist()):
            scan.ragged_rows[row] = (count, state.base + start, state.base + end)
    if len(scan.ragged_rows) + len(scan.blank_rows) > MAX_GAPS:
        raise _Stop(f"more than {MAX_GAPS:,} blank or ragged rows")
    good = data & ~blank & ~ragged
    sampled = good & (rows % SAMPLE_EVERY == 0)
    for row, start, end in zip(rows[sampled].tolist(), starts[sampled].tolist(), ends[sampled].tolist()):
        scan.samples[row] = (state.base + start, state.base + end)
    if good.any():
        last = int(np.flatnonzero(good)[-1])
        state.last_good = (int(rows[last]), state.base + int(starts[last]), state.base + int(ends[last]))
    state.record += len(ends)
    state.record_start = state.base + int(ends[-1]) + 1
    state.record_delimiters = len(delimiters) - int(before_end[-1])
    state.base += len(a)
