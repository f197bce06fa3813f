"""Streaming an Excel landing workbook into chunks with calamine (a Rust reader, fast on 1M rows)."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path

import python_calamine

from orchestration.ingest.contract import ExtractSpec
from orchestration.ingest.errors import LandingError
from orchestration.ingest.header import match_header
from orchestration.ingest.rows import Chunk, Quarantined, ReadStats

CHUNK_ROWS = 200_000
# A real 1M-row P3KE sheet unpacks to well under 1 GiB of XML at a ratio near 10; a zip bomb does neither.
MAX_UNPACKED_BYTES = 4 << 30
MAX_PACK_RATIO = 200


def _guard_archive(path: Path) -> None:
    if not zipfile.is_zipfile(path):
        with path.open("rb") as f:
            head = f.read(2048)
        hint = " (it looks like delimited text: a CSV renamed .xlsx?)" if head and b"\x00" not in head else ""
        raise LandingError(path, f"is not an Excel workbook{hint}")
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_PACK_RATIO:
        raise LandingError(
            path,
            f"refused: it would unpack to {unpacked:,} bytes from {packed:,} "
            f"(limits {MAX_UNPACKED_BYTES:,} bytes, ratio {MAX_PACK_RATIO}); a zip bomb or a damaged file",
        )


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


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def read_workbook(spec: ExtractSpec, path: Path, stats: ReadStats) -> Iterator[Chunk]:
    """Yield the sheet's rows in chunks; fills `stats` as it goes. Raises LandingError on whole-file faults."""
    _guard_archive(path)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own zip/xml errors for damaged workbooks
        raise LandingError(path, f"cannot be opened as an Excel workbook ({type(exc).__name__})") from None
    try:
        if spec.sheet not in workbook.sheet_names:
            raise LandingError(
                path, f"has no sheet '{spec.sheet}' (sheets: {', '.join(workbook.sheet_names) or 'none'})")
        rows = workbook.get_sheet_by_name(spec.sheet).iter_rows()
        header = next(rows, None)
        if header is None or all(cell_text(c) is None for c in header):
            raise LandingError(path, f"sheet '{spec.sheet}' is empty (no header row)")
        positions, stats.reordered = match_header(spec, path, header)
        width = len(header)
        stats.numeric_id_cells = {c: [0, 0] for c in spec.id_columns}
        id_positions = [(c, positions[spec.columns.index(c)]) for c in spec.id_columns]

        chunk = Chunk(columns=[[] for _ in spec.columns], numeric_cells=[])
        empty_run: list[int] = []
        source_row = 0
        for cells in rows:
            source_row += 1
            texts = [cell_text(c) for c in cells]
            if not any(texts):
                empty_run.append(source_row)  # quarantined only if a real row follows
                continue
            for empty in empty_run:
                chunk.quarantined.append(Quarantined(empty, "empty row"))
            empty_run.clear()
            if len(texts) < width:
                cells = list(cells) + [""] * (width - len(cells))
                texts += [None] * (width - len(texts))
            elif any(texts[width:]):
                chunk.quarantined.append(Quarantined(
                    source_row, f"row has values beyond the header's {width} columns",
                    raw_record="\t".join(t or "" for t in texts)))
                continue
            for values, position in zip(chunk.columns, positions):
                values.append(texts[position])
            numeric = [name for name, p in zip(spec.columns, positions) if _is_number(cells[p])]
            chunk.numeric_cells.append(",".join(numeric) or None)
            chunk.source_rows.append(source_row)
            for column, position in id_positions:
                if texts[position] is not None:
                    stats.numeric_id_cells[column][1] += 1
                    stats.numeric_id_cells[column][0] += _is_number(cells[position])
            if len(chunk) >= CHUNK_ROWS:
                yield chunk
                chunk = Chunk(columns=[[] for _ in spec.columns], numeric_cells=[])
        stats.trailing_blank_rows = len(empty_run)
        stats.rows_read = source_row - len(empty_run)
        if len(chunk) or chunk.quarantined:
            yield chunk
    finally:
        workbook.close()
    if stats.rows_read == 0:
        raise LandingError(path, f"sheet '{spec.sheet}' has a header but no data rows")
