"""Streaming a delimited landing file into chunks, by the contract."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from orchestration.ingest.contract import ExtractSpec
from orchestration.ingest.errors import LandingError
from orchestration.ingest.header import match_header
from orchestration.ingest.lines import BOM, MAX_LINE_BYTES, bounded_lines
from orchestration.ingest.rows import Chunk, Quarantined, ReadStats
from orchestration.ingest.sniff import describe, read_head

CHUNK_ROWS = 200_000
# One field above this is a broken file (an unclosed quote swallowing lines, or garbage), not a value.
MAX_FIELD_BYTES = 1 << 20
csv.field_size_limit(MAX_FIELD_BYTES)

_DELIMITERS = {",": "comma", ";": "semicolon", "|": "pipe", "\t": "tab"}
# Undecodable bytes survive as lone surrogates under errors="surrogateescape".
_UNDECODED = re.compile("[\udc80-\udcff]")
# How a spreadsheet writes a 16-digit number it has rounded: 3.17101E+15 or 3171011708450010.0.
_SPREADSHEET_NUMBER = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$|^\d+\.0+$")
# What the csv module's own messages mean for someone fixing the file.
_PARSE_ERRORS = {
    "unexpected end of data": "the file ends inside a quoted field (a quote never closed, or a truncated file)",
    "field larger than field limit": f"a field longer than {MAX_FIELD_BYTES:,} characters (a quote never closed?)",
}
NUL_REASON = "row contains NUL bytes (binary data)"


def _open(path: Path) -> BinaryIO:
    head = read_head(path)
    kind = describe(head)
    if kind is not None:
        advice = "re-export it as UTF-8 text" if "UTF-16" in kind else "not a delimited text file"
        raise LandingError(path, f"is {kind}: {advice}")
    if head == BOM:
        raise LandingError(path, "is empty (only a byte-order mark, no header row)")
    return path.open("rb")


def _is_utf8(text: str) -> bool:
    # Both tests run in C and are many times faster than a regular expression over the text.
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _column_at(spec: ExtractSpec, positions: list[int], index: int) -> str:
    return next((c for c, p in zip(spec.columns, positions) if p == index), f"#{index + 1}")


def _screen(path: Path, spec: ExtractSpec, rows: list[tuple[int, int, list[str]]], positions,
            quarantined: list[Quarantined]) -> list[tuple[int, int, list[str]]]:
    """The rows without NUL bytes, the others moved to `quarantined`; raises on the first undecodable byte."""
    joined = "\x1f".join("\x1f".join(fields) for _, _, fields in rows)
    if "\x00" not in joined and _is_utf8(joined):
        return rows
    kept = []
    for source_row, line, fields in rows:
        for index, value in enumerate(fields):
            if _UNDECODED.search(value):
                column = _column_at(spec, positions, index)
                raise LandingError(
                    path,
                    f"is not valid UTF-8: first undecodable byte in data row {source_row} (line {line}), "
                    f"column '{column}'; the file looks like another encoding (Windows-1252?): "
                    "re-export it as UTF-8",
                    column=column,
                    row=source_row,
                )
        nul = next((i for i, value in enumerate(fields) if "\x00" in value), None)
        if nul is None:
            kept.append((source_row, line, fields))
        else:
            quarantined.append(Quarantined(source_row, NUL_REASON, column=_column_at(spec, positions, nul)))
    return kept


def _span(first: int, last: int) -> str:
    return f" (lines {first}-{last} of the file)" if last > first else ""


@dataclass(frozen=True)
class Header:
    """The header row as matched to the contract."""

    positions: list[int]  # for each contract column, its position in the file
    reordered: bool
    width: int  # fields in the header row, and so in every row that parses


def read_header(spec: ExtractSpec, path: Path) -> Header:
    """The file's header row; raises LandingError on whole-file faults, as read_delimited does."""
    overlong: dict[int, int] = {}
    with _open(path) as raw:
        reader = csv.reader(bounded_lines(raw, overlong), delimiter=spec.delimiter, strict=True)
        return _header(spec, path, reader, overlong)


def _header(spec: ExtractSpec, path: Path, reader, overlong: dict[int, int]) -> Header:
    try:
        header = next(reader)
    except StopIteration:
        raise LandingError(path, "is empty (no header row)") from None
    except csv.Error as exc:
        raise LandingError(path, f"header row cannot be parsed ({exc})", row=0) from None
    if 1 in overlong:
        raise LandingError(path, f"header row is longer than {MAX_LINE_BYTES:,} bytes: not a header "
                           "(binary data, or a file without line breaks?)", row=0)
    if not header:
        raise LandingError(path, "line 1 is blank: the header row must be the first line", row=0)
    _check_delimiter(spec, path, header)
    if _UNDECODED.search("".join(header)):
        raise LandingError(path, "is not valid UTF-8 in its header row: re-export it as UTF-8", row=0)
    positions, reordered = match_header(spec, path, header)
    return Header(positions, reordered, len(header))


def read_delimited(spec: ExtractSpec, path: Path, stats: ReadStats) -> Iterator[Chunk]:
    """Yield the file's rows in chunks; fills `stats` as it goes. Raises LandingError on whole-file faults."""
    overlong: dict[int, int] = {}
    with _open(path) as raw:
        reader = csv.reader(bounded_lines(raw, overlong), delimiter=spec.delimiter, strict=True)
        header = _header(spec, path, reader, overlong)
        positions, stats.reordered, width = header.positions, header.reordered, header.width
        stats.numeric_id_cells = {c: [0, 0] for c in spec.id_columns}
        id_positions = [(c, positions[spec.columns.index(c)]) for c in spec.id_columns]

        chunk = _new_chunk(spec)
        pending_rows: list[tuple[int, int, list[str]]] = []
        blank_run: list[int] = []
        source_row = 0
        last_line = reader.line_num
        while True:
            try:
                fields = next(reader)
                error = None
            except StopIteration:
                break
            except csv.Error as exc:
                fields, error = None, str(exc)
            # Yield only once another record exists, so the last row is still in hand for _note_truncation.
            if len(pending_rows) >= CHUNK_ROWS:
                yield _fill(spec, path, chunk, pending_rows, positions, id_positions, stats)
                chunk, pending_rows = _new_chunk(spec), []
            source_row += 1
            first_line, last_line = last_line + 1, reader.line_num
            if overlong and min(overlong) <= last_line:
                longest = max(overlong.pop(n) for n in [n for n in overlong if n <= last_line])
                fields, error = None, None
                reason = f"line longer than {MAX_LINE_BYTES:,} bytes: {longest:,} bytes, skipped"
            elif fields is not None and (not fields or fields == [""]):
                blank_run.append(source_row)  # quarantined only if a real row follows
                continue
            for blank in blank_run:
                chunk.quarantined.append(Quarantined(blank, "blank line"))
            blank_run.clear()
            if error is not None:
                error = next((text for key, text in _PARSE_ERRORS.items() if error.startswith(key)), error)
                reason = f"row cannot be parsed: {error}"
            if fields is None:
                chunk.quarantined.append(Quarantined(source_row, reason + _span(first_line, last_line)))
            elif len(fields) != width:
                if _screen(path, spec, [(source_row, last_line, fields)], positions, chunk.quarantined):
                    chunk.quarantined.append(Quarantined(
                        source_row,
                        f"row has {len(fields)} fields, the header has {width}{_span(first_line, last_line)}",
                        raw_record=spec.delimiter.join(fields)))
            else:
                pending_rows.append((source_row, last_line, fields))
        stats.trailing_blank_rows = len(blank_run)
        stats.rows_read = source_row - len(blank_run)
        _note_truncation(path, chunk, stats.rows_read)
        if pending_rows or chunk.quarantined:
            yield _fill(spec, path, chunk, pending_rows, positions, id_positions, stats)
    if stats.rows_read == 0:
        raise LandingError(path, "has a header but no data rows")


def _note_truncation(path: Path, chunk: Chunk, last_row: int) -> None:
    """Say so when the last row is broken and the file stops without a line break: it was likely cut off."""
    if not chunk.quarantined or chunk.quarantined[-1].source_row != last_row:
        return
    if ends_with_line_break(path):
        return
    chunk.quarantined[-1] = truncated(chunk.quarantined[-1])


def ends_with_line_break(path: Path) -> bool:
    """Whether the file's last byte is a line feed or a carriage return."""
    with path.open("rb") as f:
        f.seek(-1, io.SEEK_END)
        return f.read(1) in (b"\n", b"\r")


def truncated(last: Quarantined) -> Quarantined:
    """The file's last row, broken, with the note that the file stops inside it."""
    return Quarantined(last.source_row, f"{last.reason}; the file ends inside this row without a line break "
                       "(truncated?)", last.raw_record, last.column)


def _check_delimiter(spec: ExtractSpec, path: Path, header: list[str]) -> None:
    if len(header) > 1 or len(spec.columns) == 1:
        return
    found = [name for sep, name in _DELIMITERS.items() if sep != spec.delimiter and sep in header[0]]
    if found:
        raise LandingError(
            path,
            f"wrong delimiter: expected {_DELIMITERS[spec.delimiter]} ('{spec.delimiter}'), "
            f"but the header is {found[0]}-delimited; the contract's columns are "
            f"{spec.delimiter.join(spec.columns)}",
        )


def _new_chunk(spec: ExtractSpec) -> Chunk:
    return Chunk(columns=[[] for _ in spec.columns])


def _fill(spec, path, chunk, pending_rows, positions, id_positions, stats) -> Chunk:
    pending_rows = _screen(path, spec, pending_rows, positions, chunk.quarantined)
    # Transposing with zip runs in C; empty strings become NULL in the loader's insert.
    transposed = list(zip(*(fields for _, _, fields in pending_rows))) or [()] * len(positions)
    for column_values, position in zip(chunk.columns, positions):
        column_values.extend(transposed[position])
    chunk.source_rows.extend(row for row, _, _ in pending_rows)
    for column, position in id_positions:
        counts = stats.numeric_id_cells[column]
        values = [v for v in transposed[position] if v]
        counts[0] += sum(1 for v in values if _SPREADSHEET_NUMBER.match(v))
        counts[1] += len(values)
    return chunk
