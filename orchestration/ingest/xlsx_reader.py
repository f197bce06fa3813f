"""Streaming an Excel landing workbook into chunks with calamine (a Rust reader, fast on 1M rows).

A list longer than one sheet (Excel holds 1,048,576 rows) comes as the sheet `Individu` followed by
`Individu (2)`, `Individu (3)`, ...: the parts are read in that order and numbered as one list.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import python_calamine

from orchestration.ingest.contract import ExtractSpec
from orchestration.ingest.errors import LandingError
from orchestration.ingest.header import match_header, normalise
from orchestration.ingest.rows import Chunk, Quarantined, ReadStats
from orchestration.ingest.workbook_guard import guard_workbook

CHUNK_ROWS = 200_000
# Excel's own name for a second sheet of the same name; no leading zero, and the first part has no number.
_PART_NUMBER = r" \(([1-9][0-9]{0,3})\)"
# A sheet name shown in a message: Excel's characters for names, and no run of digits that could be an id.
_SHOWN_NAME = re.compile(r"^[A-Za-z0-9 ()_.,&'+-]{1,31}$")


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
# calamine gives an empty cell as "": a column of these classes only is text cells and empty ones.
_TEXT = frozenset({str})


def sheet_label(name: str, position: int) -> str:
    """A sheet as a message names it: quoted when its name is plain, else by its position in the workbook."""
    # A sender can name a sheet anything, a NIK or a line break included: such a name is not repeated.
    if _SHOWN_NAME.match(name) and not re.search(r"[0-9]{6}", name):
        return f"'{name}'"
    return f"sheet {position} (its name is not shown)"


def part_number(spec: ExtractSpec, name: str) -> int | None:
    """1 for the list's first sheet, n for `<sheet> (n)`, None for any other sheet."""
    if name == spec.sheet:
        return 1
    match = re.fullmatch(re.escape(spec.sheet) + _PART_NUMBER, name)
    return int(match.group(1)) if match and int(match.group(1)) >= 2 else None


def _looks_like_part(spec: ExtractSpec, name: str) -> bool:
    """A name that reads as one of the list's sheets: same word, other case, spacing or numbering."""
    return re.sub(r"[^a-z]", "", name.lower()).startswith(spec.sheet.lower())


def workbook_parts(spec: ExtractSpec, path: Path, names: list[str]) -> list[str]:
    """The list's sheets in reading order; raises LandingError when one is missing or misnamed."""
    if spec.sheet not in names:
        shown = ", ".join(sheet_label(n, i + 1).strip("'") for i, n in enumerate(names))
        raise LandingError(path, f"has no sheet '{spec.sheet}' (sheets: {shown or 'none'})")
    numbered = {}
    for position, name in enumerate(names, start=1):
        number = part_number(spec, name)
        if number is not None:
            numbered[number] = name
        elif _looks_like_part(spec, name):
            # Left unread, its rows would be lost without a word; a guess at its place could misnumber them.
            raise LandingError(
                path, f"sheet {sheet_label(name, position)} looks like a part of the '{spec.sheet}' list but is "
                f"not named as one: name the parts {spec.sheet}, {spec.sheet} (2), {spec.sheet} (3), ... in "
                "order, or remove the sheet")
    missing = [n for n in range(1, max(numbered) + 1) if n not in numbered]
    if missing:
        raise LandingError(
            path, f"has no sheet '{spec.sheet} ({missing[0]})' but has '{spec.sheet} ({max(numbered)})': a part "
            f"of the list is missing; the parts are {spec.sheet}, {spec.sheet} (2), {spec.sheet} (3), ... in order")
    return [numbered[n] for n in sorted(numbered)]


def merged_rows(path: Path, sheet_name: str, sheet, header: list) -> dict[int, tuple[int, int, str]]:
    """(top, bottom, columns) of the merged area covering each data row; raises if the header row has any."""
    # calamine gives a merged area's value to its first cell only and leaves the others empty, so a row in one
    # would load with NULLs where the person who merged the cells meant a value to be.
    ranges = sheet.merged_cell_ranges or []
    first_row, first_column = sheet.start or (0, 0)
    names = [normalise(cell) or f"#{i + 1}" for i, cell in enumerate(header)]
    areas: dict[int, tuple[int, int, str]] = {}
    for (top, left), (bottom, right) in sorted(ranges):
        # Positions are the sheet's; the rows calamine yields start at row 1 and at the first used column.
        left, right = left - first_column, right - first_column
        columns = ", ".join(names[c] if 0 <= c < len(names) else f"#{c + 1}" for c in range(left, right + 1))
        if top == 0:
            raise LandingError(path, f"sheet '{sheet_name}' has merged cells in its header row (columns "
                               f"{left + 1} to {right + 1}): unmerge them so that every column has its name",
                               row=0)
        for row in range(top, bottom + 1):
            areas.setdefault(row, (top, bottom, columns))
    return areas


def _merged_reason(area: tuple[int, int, str], offset: int, where: str) -> str:
    top, bottom, columns = area
    sheet_rows = f" ({where} rows {top + 1} to {bottom + 1})" if where else ""
    return (f"row is in merged cells: data rows {offset + top} to {offset + bottom}{sheet_rows}, columns {columns}; "
            "a merged area keeps its value in its first cell only")


def _fill(spec: ExtractSpec, chunk: Chunk, pending: list[tuple[int, list]], positions: list[int],
          stats: ReadStats) -> Chunk:
    """Move the pending rows into the chunk, column by column."""
    # Turned into columns once, in C; a column of text cells alone (most of them) then needs no per-cell test.
    chunk.source_rows.extend(row for row, _ in pending)
    by_column = list(zip(*(cells for _, cells in pending)))
    numeric_by_column: list[tuple[str, list[bool]]] = []
    for column, values, position in zip(spec.columns, chunk.columns, positions):
        cells = by_column[position]
        if set(map(type, cells)) <= _TEXT:
            texts = [c or None for c in cells]
            numeric = None
        else:
            texts = _texts(cells)
            numeric = [c.__class__ in _NUMBERS for c in cells]
            numeric_by_column.append((column, numeric))
        values.extend(texts)
        if column in stats.numeric_id_cells:
            filled = len(texts) - texts.count(None)
            stats.numeric_id_cells[column][1] += filled
            if numeric is not None:
                stats.numeric_id_cells[column][0] += sum(
                    flag for text, flag in zip(texts, numeric) if text is not None)
    if not numeric_by_column:
        chunk.numeric_cells.extend([None] * len(pending))
        return chunk
    # Rows share a handful of patterns of number cells: join each pattern's names once.
    columns = [column for column, _ in numeric_by_column]
    names: dict[tuple[bool, ...], str | None] = {}
    for flags in zip(*(numeric for _, numeric in numeric_by_column)):
        if flags not in names:
            names[flags] = ",".join(c for c, flag in zip(columns, flags) if flag) or None
        chunk.numeric_cells.append(names[flags])
    return chunk


def _texts(cells) -> list[str | None]:
    """A row's cells as text, None for an empty cell."""
    return [(c or None) if c.__class__ is str else cell_text(c) for c in cells]


def _header(path: Path, spec: ExtractSpec, name: str, first: bool, sheet) -> list | None:
    """The sheet's header row without its padding; None for a wholly empty part after the first."""
    rows = sheet.iter_rows()
    header = next(rows, None)
    if header is None or all(cell_text(c) is None for c in header):
        if sheet.start is None or sheet.height == 0:
            if not first:
                return None  # an empty sheet holds no row to lose
            raise LandingError(path, f"sheet '{name}' is empty (no header row)")
        raise LandingError(path, f"sheet '{name}' has nothing in row 1: the header must be in row 1 "
                           f"(the first values are in row {sheet.start[0] + 1})", row=0)
    # calamine pads every row to the sheet's widest: empty cells after the last header name are that padding,
    # and a data row with values out there is quarantined below instead of failing the header.
    while header and cell_text(header[-1]) is None:
        header = header[:-1]
    return header


def _same_header(path: Path, spec: ExtractSpec, name: str, header: list, first_names: list[str]) -> None:
    """Raise LandingError unless a later part's header is the first part's, name for name."""
    try:
        match_header(spec, path, header)
    except LandingError as exc:
        raise LandingError(path, f"sheet '{name}': {exc.problem}", column=exc.column) from None
    names = [normalise(cell) for cell in header]
    if names != first_names:
        at = next(i for i, (a, b) in enumerate(zip(names, first_names)) if a != b)
        raise LandingError(
            path, f"sheet '{name}' has its columns in another order than sheet '{spec.sheet}' (column {at + 1} is "
            f"'{names[at]}', in '{spec.sheet}' '{first_names[at]}'): every part of the list needs the first "
            "part's header", column=names[at])


def read_workbook(spec: ExtractSpec, path: Path, stats: ReadStats) -> Iterator[Chunk]:
    """Yield the list's rows in chunks, sheet after sheet; fills `stats`. Raises LandingError on whole-file faults."""
    guard_workbook(path, lambda name: part_number(spec, name) is not None)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own zip/xml errors for damaged workbooks
        raise LandingError(path, f"cannot be opened as an Excel workbook ({type(exc).__name__})") from None
    try:
        parts = workbook_parts(spec, path, workbook.sheet_names)
        stats.numeric_id_cells = {c: [0, 0] for c in spec.id_columns}
        chunk = Chunk(columns=[[] for _ in spec.columns], numeric_cells=[])
        pending: list[tuple[int, list]] = []
        first_names: list[str] = []
        positions: list[int] = []
        offset = 0  # data rows of the earlier parts: source_row runs on across sheets
        for index, name in enumerate(parts):
            try:
                sheet = workbook.get_sheet_by_name(name)
            except Exception as exc:  # damaged sheet XML
                raise LandingError(path, f"sheet '{name}' cannot be read ({type(exc).__name__})") from None
            header = _header(path, spec, name, index == 0, sheet)
            if header is None:
                continue
            if index == 0:
                positions, stats.reordered = match_header(spec, path, header)
                first_names = [normalise(cell) for cell in header]
            else:
                _same_header(path, spec, name, header, first_names)
            merged = merged_rows(path, name, sheet, header)
            # Rows of a later part say where they are: their source_row alone does not show the sheet.
            where = f"sheet '{name}'," if index else ""
            width = len(header)
            empty_run: list[int] = []
            local = 0
            rows = sheet.iter_rows()
            next(rows)
            for cells in rows:
                local += 1
                source_row = offset + local
                # A truthy cell always has a text; only a row of falsy cells (0, FALSE, "") needs converting.
                if not any(cells) and not any(_texts(cells)):
                    empty_run.append(local)  # quarantined only if a real row follows in this sheet
                    continue
                for empty in empty_run:
                    chunk.quarantined.append(Quarantined(
                        offset + empty, f"empty row: {where} row {empty + 1}" if where else "empty row"))
                empty_run.clear()
                if merged and local in merged:
                    chunk.quarantined.append(Quarantined(source_row, _merged_reason(merged[local], offset, where)))
                    continue
                if len(cells) < width:
                    cells = list(cells) + [""] * (width - len(cells))
                elif len(cells) > width and (any(cells[width:]) or any(_texts(cells[width:]))):
                    reason = f"row has values beyond the header's {width} columns"
                    chunk.quarantined.append(Quarantined(
                        source_row, f"{reason}: {where} row {local + 1}" if where else reason,
                        raw_record="\t".join(t or "" for t in _texts(cells))))
                    continue
                pending.append((source_row, cells))
                if len(pending) >= CHUNK_ROWS:
                    yield _fill(spec, chunk, pending, positions, stats)
                    chunk, pending = Chunk(columns=[[] for _ in spec.columns], numeric_cells=[]), []
            # Blank rows closing a sheet are padding, not rows: they are counted and take no number.
            stats.trailing_blank_rows += len(empty_run)
            offset += local - len(empty_run)
            del sheet, rows  # calamine holds a sheet's whole grid: one at a time
        stats.rows_read = offset
        if pending or chunk.quarantined:
            yield _fill(spec, chunk, pending, positions, stats)
    finally:
        workbook.close()
    if stats.rows_read == 0:
        raise LandingError(path, f"sheet '{spec.sheet}' has a header but no data rows")
