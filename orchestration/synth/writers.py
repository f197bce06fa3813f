"""Writing the landing files (CSV, XLSX) and the ground truth (parquet, JSON)."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import math
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

from .contract import COLUMNS, CSV_DIALECT, FILE_NAMES, P3KE_SHEET, SOURCES
from .sources import Rows


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """Write to a temporary sibling and move it into place only when complete."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_csv(rows: Rows, folder: Path) -> Path:
    """Write one CSV file of the contract (delimiter, encoding and column order from the contract)."""
    delimiter, encoding = CSV_DIALECT[rows.source]
    path = folder / FILE_NAMES[rows.source]
    columns = COLUMNS[rows.source]
    with _replacing(path) as tmp:
        with open(tmp, "w", newline="", encoding=encoding) as f:
            writer = csv.writer(f, delimiter=delimiter, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(zip(*(rows.columns[c].tolist() for c in columns), strict=True))
    return path


def write_p3ke(rows: Rows, folder: Path, created: dt.datetime) -> Path:
    """Write p3ke.xlsx: sheet Individu, IDs as text cells, desil as numbers, dates mostly as date cells."""
    path = folder / FILE_NAMES["p3ke"]
    columns = COLUMNS["p3ke"]
    with _replacing(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
        # A fixed creation time keeps the file byte-identical from run to run.
        wb.set_properties({"created": created, "title": "P3KE Individu"})
        ws = wb.add_worksheet(P3KE_SHEET)
        date_format = wb.add_format({"num_format": "dd/mm/yyyy"})
        for c, name in enumerate(columns):
            ws.write_string(0, c, name)
        text = [rows.columns[c].tolist() for c in columns]
        numbers = [rows.numbers[c].tolist() if c in rows.numbers else None for c in columns]
        formats = [date_format if c == "tanggal_lahir" else None for c in columns]
        write_string, write_number = ws.write_string, ws.write_number
        isnan = math.isnan
        for r in range(len(rows.person)):
            row = r + 1
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


def _holder_ids(rows: Rows, person_id: np.ndarray) -> pa.Array:
    """person_id of whose true NIK each row's NIK cell holds (null when nobody's in the files)."""
    holder = rows.nik_holder if rows.nik_holder is not None else np.full(len(rows.person), -1)
    ids = person_id[np.maximum(holder, 0)] if len(holder) else np.zeros(0, dtype=object)
    return pa.array(ids, pa.string(), mask=holder < 0)


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
    persons: pa.Table, files: dict[str, Rows], person_id: np.ndarray, summary: dict, folder: Path
) -> None:
    """Write persons.parquet, source_rows.parquet and summary.json into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_parquet(persons, folder / "persons.parquet")
    parts = []
    for s in SOURCES:
        rows = files[s]
        n = len(rows.person)
        parts.append(
            pa.table(
                {
                    "source": pa.array(np.full(n, s, dtype=object), pa.string()),
                    "source_row": pa.array(np.arange(1, n + 1), pa.int64()),
                    "person_id": pa.array(person_id[rows.person], pa.string()),
                    "is_duplicate": pa.array(rows.is_duplicate, pa.bool_()),
                    "corruptions": pa.array(rows.tags, pa.string()),
                    "nik_holder": _holder_ids(rows, person_id),
                }
            )
        )
    _write_parquet(pa.concat_tables(parts), folder / "source_rows.parquet")
    with _replacing(folder / "summary.json") as tmp:
        tmp.write_text(
            json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
        )
