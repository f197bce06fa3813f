"""Streaming a delimited landing file into chunks, by the contract."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from orchestration.ingest.contract import ExtractSpec
from orchestration.ingest.errors import LandingError
from orchestration.ingest.header import match_header
from orchestration.ingest.rows import Chunk, Quarantined, ReadStats

CHUNK_ROWS = 200_000
# One field above this is a broken file (an unclosed quote swallowing lines, or garbage), not a value.
MAX_FIELD_BYTES = 1 << 20
csv.field_size_limit(MAX_FIELD_BYTES)

_DELIMITERS = {",": "comma", ";": "semicolon", "|": "pipe", "\t": "tab"}
# Undecodable bytes survive as lone surrogates under errors="surrogateescape".
_UNDECODED = re.compile("[\udc80-\udcff]")
# How a spreadsheet writes a 16-digit number it has rounded: 3.17101E+15 or 3171011708450010.0.
_SPREADSHEET_NUMBER = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$|^\d+\.0+$")


def _open(path: Path) -> io.TextIOWrapper:
    raw = path.open("rb")
    head = raw.read(65536)
    raw.seek(0)
    if head.startswith(b"PK\x03\x04"):
        raw.close()
        raise LandingError(path, "is a zip archive (an Excel workbook?), not a delimited text file")
    if b"\x00" in head:
        raw.close()
        raise LandingError(path, "contains binary data (NUL bytes), not delimited text")
    # utf-8-sig accepts Excel's BOM; surrogateescape lets us report the row and column of a bad byte.
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")


def _check_decoded(path: Path, spec: ExtractSpec, rows: list[tuple[int, int, list[str]]], positions):
    """Raise if any field of these rows holds bytes that were not UTF-8."""
    if not _UNDECODED.search("\x1f".join("\x1f".join(fields) for _, _, fields in rows)):
        return
    for source_row, line, fields in rows:
        for index, value in enumerate(fields):
            if _UNDECODED.search(value):
                column = next((c for c, p in zip(spec.columns, positions) if p == index), f"#{index + 1}")
                raise LandingError(
                    path,
                    f"is not valid UTF-8: first undecodable byte in data row {source_row} (line {line}), "
                    f"column '{column}'; the file looks like another encoding (Windows-1252?): "
                    "re-export it as UTF-8",
                    column=column,
                    row=source_row,
                )


def read_delimited(spec: ExtractSpec, path: Path, stats: ReadStats) -> Iterator[Chunk]:
    """Yield the file's rows in chunks; fills `stats` as it goes. Raises LandingError on whole-file faults."""
    with _open(path) as text:
        reader = csv.reader(text, delimiter=spec.delimiter, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise LandingError(path, "is empty (no header row)") from None
        except csv.Error as exc:
            raise LandingError(path, f"header row cannot be parsed ({exc})") from None
        _check_delimiter(spec, path, header)
        if _UNDECODED.search("".join(header)):
            raise LandingError(path, "is not valid UTF-8 in its header row: re-export it as UTF-8", row=0)
        positions, stats.reordered = match_header(spec, path, header)
        width = len(header)
        stats.numeric_id_cells = {c: [0, 0] for c in spec.id_columns}
        id_positions = [(c, positions[spec.columns.index(c)]) for c in spec.id_columns]

        chunk = _new_chunk(spec)
        pending_rows: list[tuple[int, int, list[str]]] = []
        blank_run: list[int] = []
        source_row = 0
        while True:
            try:
                fields = next(reader)
                error = None
            except StopIteration:
                break
            except csv.Error as exc:
                fields, error = None, str(exc)
            source_row += 1
            if fields is not None and (not fields or fields == [""]):
                blank_run.append(source_row)  # quarantined only if a real row follows
                continue
            for blank in blank_run:
                chunk.quarantined.append(Quarantined(blank, "blank line"))
            blank_run.clear()
            if error is not None:
                chunk.quarantined.append(Quarantined(source_row, f"row cannot be parsed: {error}"))
            elif len(fields) != width:
                _check_decoded(path, spec, [(source_row, reader.line_num, fields)], positions)
                chunk.quarantined.append(Quarantined(
                    source_row, f"row has {len(fields)} fields, the header has {width}",
                    raw_record=spec.delimiter.join(fields)))
            else:
                pending_rows.append((source_row, reader.line_num, fields))
            if len(pending_rows) >= CHUNK_ROWS:
                yield _fill(spec, path, chunk, pending_rows, positions, id_positions, stats)
                chunk, pending_rows = _new_chunk(spec), []
        stats.trailing_blank_rows = len(blank_run)
        stats.rows_read = source_row - len(blank_run)
        if pending_rows or chunk.quarantined:
            yield _fill(spec, path, chunk, pending_rows, positions, id_positions, stats)
    if stats.rows_read == 0:
        raise LandingError(path, "has a header but no data rows")


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
    _check_decoded(path, spec, pending_rows, positions)
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
