"""Streaming an Excel landing workbook into chunks with calamine (a Rust reader, fast on 1M rows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import python_calamine

from orchestration.ingest.contract import ExtractSpec
from orchestration.ingest.errors import LandingError
from orchestration.ingest.header import match_header, normalise
from orchestration.ingest.rows import Chunk, Quarantined, ReadStats
from orchestration.ingest.workbook_guard import guard_workbook

CHUNK_ROWS = 200_000


def cell_text(value: object) -> str | None:
    """A cell as text the way a person sees it: numbers as digits, dates as YYYY-MM-DD."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# Exact classes: a bool is an int subclass, and a TRUE cell is not a number.
_NUMBERS = frozenset({int, float})


def merged_rows(path: Path, spec: ExtractSpec, sheet, header: list) -> dict[int, str]:
    """The quarantine reason of each data row that merged cells cover; raises if the header row has any."""
    # calamine gives a merged area's value to its first cell only and leaves the others empty, so a row in one
    # would load with NULLs where the person who merged the cells meant a value to be.
    ranges = sheet.merged_cell_ranges or []
    first_row, first_column = sheet.start or (0, 0)
    names = [normalise(cell) or f"#{i + 1}" for i, cell in enumerate(header)]
    reasons: dict[int, str] = {}
    for (top, left), (bottom, right) in sorted(ranges):
        # Positions are the sheet's; the rows calamine yields start at row 1 and at the first used column.
        left, right = left - first_column, right - first_column
        columns = ", ".join(names[c] if 0 <= c < len(names) else f"#{c + 1}" for c in range(left, right + 1))
        if top == 0:
            raise LandingError(path, f"sheet '{spec.sheet}' has merged cells in its header row (columns "
                               f"{left + 1} to {right + 1}): unmerge them so that every column has its name",
                               row=0)
        reason = (f"row is in merged cells: data rows {top} to {bottom}, columns {columns}; a merged area "
                  "keeps its value in its first cell only")
        for row in range(top, bottom + 1):
            reasons.setdefault(row, reason)
    return reasons


def _fill(spec: ExtractSpec, chunk: Chunk, pending: list[tuple[int, list, list]], positions: list[int],
          stats: ReadStats) -> Chunk:
    """Move the pending rows into the chunk, column by column."""
    # One comprehension per column costs less than appending each cell to its column row by row.
    chunk.source_rows.extend(row for row, _, _ in pending)
    numeric_by_column = []
    for column, values, position in zip(spec.columns, chunk.columns, positions):
        texts = [row_texts[position] for _, _, row_texts in pending]
        numeric = [cells[position].__class__ in _NUMBERS for _, cells, _ in pending]
        values.extend(texts)
        numeric_by_column.append(numeric)
        if column in stats.numeric_id_cells:
            filled = [flag for text, flag in zip(texts, numeric) if text is not None]
            stats.numeric_id_cells[column][0] += sum(filled)
            stats.numeric_id_cells[column][1] += len(filled)
    # Rows share a handful of patterns of number cells: join each pattern's names once.
    names: dict[tuple[bool, ...], str | None] = {}
    for flags in zip(*numeric_by_column):
        if flags not in names:
            names[flags] = ",".join(c for c, flag in zip(spec.columns, flags) if flag) or None
        chunk.numeric_cells.append(names[flags])
    return chunk


def read_workbook(spec: ExtractSpec, path: Path, stats: ReadStats) -> Iterator[Chunk]:
    """Yield the sheet's rows in chunks; fills `stats` as it goes. Raises LandingError on whole-file faults."""
    guard_workbook(path, spec.sheet)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own zip/xml errors for damaged workbooks
        raise LandingError(path, f"cannot be opened as an Excel workbook ({type(exc).__name__})") from None
    try:
        if spec.sheet not in workbook.sheet_names:
            raise LandingError(
                path, f"has no sheet '{spec.sheet}' (sheets: {', '.join(workbook.sheet_names) or 'none'})")
        try:
            sheet = workbook.get_sheet_by_name(spec.sheet)
        except Exception as exc:  # damaged sheet XML
            raise LandingError(path, f"sheet '{spec.sheet}' cannot be read ({type(exc).__name__})") from None
        rows = sheet.iter_rows()
        header = next(rows, None)
        if header is None or all(cell_text(c) is None for c in header):
            if sheet.start is None or sheet.height == 0:
                raise LandingError(path, f"sheet '{spec.sheet}' is empty (no header row)")
            raise LandingError(path, f"sheet '{spec.sheet}' has nothing in row 1: the header must be in row 1 "
                               f"(the first values are in row {sheet.start[0] + 1})", row=0)
        # calamine pads every row to the sheet's widest: empty cells after the last header name are that padding,
        # and a data row with values out there is quarantined below instead of failing the header.
        while header and cell_text(header[-1]) is None:
            header = header[:-1]
        merged = merged_rows(path, spec, sheet, header)
        positions, stats.reordered = match_header(spec, path, header)
        width = len(header)
        stats.numeric_id_cells = {c: [0, 0] for c in spec.id_columns}

        chunk = Chunk(columns=[[] for _ in spec.columns], numeric_cells=[])
        pending: list[tuple[int, list, list]] = []
        empty_run: list[int] = []
        source_row = 0
        for cells in rows:
            source_row += 1
            # Most cells are text: converting them inline, without a call, pays for the workbook guard.
            texts = [(c or None) if c.__class__ is str else cell_text(c) for c in cells]
            if not any(texts):
                empty_run.append(source_row)  # quarantined only if a real row follows
                continue
            for empty in empty_run:
                chunk.quarantined.append(Quarantined(empty, "empty row"))
            empty_run.clear()
            if merged and source_row in merged:
                chunk.quarantined.append(Quarantined(source_row, merged[source_row]))
                continue
            if len(texts) < width:
                cells = list(cells) + [""] * (width - len(cells))
                texts += [None] * (width - len(texts))
            elif any(texts[width:]):
                chunk.quarantined.append(Quarantined(
                    source_row, f"row has values beyond the header's {width} columns",
                    raw_record="\t".join(t or "" for t in texts)))
                continue
            pending.append((source_row, cells, texts))
            if len(pending) >= CHUNK_ROWS:
                yield _fill(spec, chunk, pending, positions, stats)
                chunk, pending = Chunk(columns=[[] for _ in spec.columns], numeric_cells=[]), []
        stats.trailing_blank_rows = len(empty_run)
        stats.rows_read = source_row - len(empty_run)
        if pending or chunk.quarantined:
            yield _fill(spec, chunk, pending, positions, stats)
    finally:
        workbook.close()
    if stats.rows_read == 0:
        raise LandingError(path, f"sheet '{spec.sheet}' has a header but no data rows")
