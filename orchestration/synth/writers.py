"""Writing the landing files (CSV, XLSX) and the ground truth (parquet, JSON)."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute  # noqa: F401 - pa.compute
import pyarrow.parquet as pq
import xlsxwriter

from .contract import COLUMNS, CSV_DIALECT, FILE_NAMES, P3KE_SHEET, SOURCES
from .corruptions import tag_text
from .sources import Rows
from .texts import Texts

# Excel's 1,048,576 rows a sheet, less the header row.
MAX_SHEET_ROWS = 1_048_575
# Rows of persons.parquet and source_rows.parquet built at a time.
TRUTH_ROWS = 1_000_000


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """Write to a temporary sibling and move it into place only when complete."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_csv(source: str, chunks: Iterable[Rows], folder: Path) -> Path:
    """Write one CSV file of the contract from its rows, run after run (delimiter, encoding, columns: contract)."""
    delimiter, encoding = CSV_DIALECT[source]
    path = folder / FILE_NAMES[source]
    columns = COLUMNS[source]
    with _replacing(path) as tmp:
        with open(tmp, "w", newline="", encoding=encoding) as f:
            writer = csv.writer(f, delimiter=delimiter, lineterminator="\n")
            writer.writerow(columns)
            for rows in chunks:
                writer.writerows(zip(*(rows.columns[c].tolist() for c in columns), strict=True))
    return path


def p3ke_sheet_names(count: int) -> list[str]:
    """The sheets of a P3KE workbook of `count` parts: Individu, Individu (2), ... (docs/landing_contract.md)."""
    return [P3KE_SHEET] + [f"{P3KE_SHEET} ({i})" for i in range(2, count + 1)]


def write_p3ke(chunks: Iterable[Rows], folder: Path, created: dt.datetime, sheet_rows: int = MAX_SHEET_ROWS) -> Path:
    """Write p3ke.xlsx: sheet Individu (then Individu (2), ... past `sheet_rows` data rows), each with the header;
    IDs as text cells, desil as numbers, dates mostly as date cells."""
    path = folder / FILE_NAMES["p3ke"]
    columns = COLUMNS["p3ke"]
    with _replacing(path) as tmp:
        # constant_memory streams each sheet through a temporary file: kept beside the output, not in /tmp.
        wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "tmpdir": str(folder)})
        # A fixed creation time keeps the file byte-identical from run to run.
        wb.set_properties({"created": created, "title": "P3KE Individu"})
        sheets = 0

        def new_sheet():
            nonlocal sheets
            sheets += 1
            ws = wb.add_worksheet(p3ke_sheet_names(sheets)[-1])
            for c, name in enumerate(columns):
                ws.write_string(0, c, name)
            return ws.write_string, ws.write_number

        write_string, write_number = new_sheet()
        date_format = wb.add_format({"num_format": "dd/mm/yyyy"})
        formats = [date_format if c == "tanggal_lahir" else None for c in columns]
        isnan = math.isnan
        row = 0
        for rows in chunks:
            text = [rows.columns[c].tolist() for c in columns]
            numbers = [rows.numbers[c].tolist() if c in rows.numbers else None for c in columns]
            for r in range(len(rows.person)):
                if row == sheet_rows:
                    write_string, write_number = new_sheet()
                    row = 0
                row += 1
                for c in range(len(columns)):
                    nums = numbers[c]
                    if nums is not None and not isnan(nums[r]):
                        write_number(row, c, nums[r], formats[c])
                    else:
                        value = text[c][r]
                        if value:
                            write_string(row, c, value)
        wb.close()
    return path


def _write_parquet(table: pa.Table, path: Path) -> None:
    with _replacing(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def _holder_ids(rows: Rows, person_id: Texts, a: int, b: int) -> pa.Array:
    """person_id of whose true NIK rows a to b's NIK cells hold (null when nobody's in the files)."""
    holder = rows.nik_holder[a:b] if rows.nik_holder is not None else np.full(b - a, -1)
    ids = person_id.take(np.maximum(holder, 0))
    return pa.compute.if_else(pa.array(holder < 0), pa.scalar(None, pa.string()), ids)


def _tag_texts(bits: np.ndarray) -> pa.Array:
    """The corruptions column: comma-separated tag names per row, each distinct text made once."""
    uniq, inverse = np.unique(bits, return_inverse=True)
    return pa.array([tag_text(b) for b in uniq.tolist()], pa.string()).take(pa.array(inverse.reshape(-1)))


def set_pulled_at(folder: Path, names: list[str], when: dt.datetime) -> None:
    """Give the landing files the modification time of the moment they were pulled."""
    for i, name in enumerate(names):
        t = (when + dt.timedelta(minutes=3 * i)).timestamp()
        os.utime(folder / name, (t, t))


READY_MARKER = "_READY"


def write_ready_marker(folder: Path, names: list[str], when: dt.datetime) -> Path:
    """Write the sender's ready marker: one line per file, "name<TAB>bytes<TAB>sha256" (docs/landing_contract.md)."""  # noqa: E501
    lines = []
    for name in sorted(names):
        data = (folder / name).read_bytes()
        lines.append(f"{name}\t{len(data)}\t{hashlib.sha256(data).hexdigest()}")
    path = folder / READY_MARKER
    with _replacing(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    t = (when + dt.timedelta(minutes=3 * len(names))).timestamp()
    os.utime(path, (t, t))
    return path


def write_truth(
    persons: Iterable[pa.Table], files: dict[str, Rows], person_id: Texts, summary: dict, folder: Path
) -> None:
    """Write persons.parquet (from its slices), source_rows.parquet and summary.json into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    # Slice after slice: a large quarter's truth is never all in memory as Arrow columns.
    with _replacing(folder / "persons.parquet") as tmp:
        writer = None
        for table in persons:
            writer = writer or pq.ParquetWriter(tmp, table.schema, compression="zstd")
            writer.write_table(table)
        writer.close()
    schema = pa.schema([("source", pa.string()), ("source_row", pa.int64()), ("person_id", pa.string()),
                        ("is_duplicate", pa.bool_()), ("corruptions", pa.string()), ("nik_holder", pa.string())])
    with _replacing(folder / "source_rows.parquet") as tmp:
        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
            for s in SOURCES:
                rows = files[s]
                for a in range(0, len(rows.person), TRUTH_ROWS):
                    b = min(a + TRUTH_ROWS, len(rows.person))
                    writer.write_table(pa.table(
                        {
                            "source": pa.array([s], pa.string()).take(pa.array(np.zeros(b - a, dtype=np.int64))),
                            "source_row": pa.array(np.arange(a + 1, b + 1), pa.int64()),
                            "person_id": person_id.take(rows.person[a:b]),
                            "is_duplicate": pa.array(rows.is_duplicate[a:b], pa.bool_()),
                            "corruptions": _tag_texts(rows.tags[a:b]),
                            "nik_holder": _holder_ids(rows, person_id, a, b),
                        },
                        schema=schema,
                    ))
    with _replacing(folder / "summary.json") as tmp:
        tmp.write_text(
            json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
        )
