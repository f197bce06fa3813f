"""A generated quarter's list files as rows in memory, edited the way people and exports break them, written back.

The edits keep their own count of the data rows and of the rows ingestion must quarantine, so that a test can
compare the pipeline's ledger with a count made without the pipeline.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine
import xlsxwriter

from orchestration.ingest.contract import EXTRACTS

SPECS = {spec.source: spec for spec in EXTRACTS}
LIST_SOURCES = ("dtks", "p3ke", "carik")

# The file's own name of each column a test plants into, per list.
COLUMNS = {
    "dtks": {"nik": "nomor_nik", "kk": "nomor_kk", "date": "tanggal_lahir", "name": "nama", "address": "alamat"},
    "p3ke": {"nik": "nik", "date": "tanggal_lahir", "name": "nama_lengkap", "address": "alamat"},
    "carik": {"nik": "nik", "kk": "no_kk", "date": "tanggal_lahir", "name": "nama_lengkap",
              "address": "alamat_domisili"},
}


class ExcelDateSerial(float):
    """A number cell shown as a date: Excel's serial day (1 is 1900-01-01; 0, shown 00/01/1900, means no date)."""


@dataclass
class Row:
    """One line of a CSV (one row of the sheet): a data row, a blank line, or a row of the wrong width."""

    cells: list
    kind: str = "data"  # data | blank | broken
    planted: dict[str, object] = field(default_factory=dict)  # column -> value planted into it

    def copy(self) -> Row:
        return Row(list(self.cells), self.kind, dict(self.planted))


@dataclass
class ListFile:
    """A list file's header and rows, in file order."""

    source: str
    header: list[str]
    rows: list[Row]
    trailing_blank_lines: int = 0

    def index(self, column: str) -> int:
        return self.header.index(column)

    def data_rows(self) -> list[int]:
        """Positions (0-based) of the rows that parse."""
        return [i for i, row in enumerate(self.rows) if row.kind == "data"]

    def plant(self, position: int, column: str, value: object) -> None:
        row = self.rows[position]
        row.cells[self.index(column)] = value
        row.planted[column] = value

    def value(self, position: int, column: str) -> object:
        return self.rows[position].cells[self.index(column)]

    # What ingestion must make of the file, counted from the edits alone.
    def expected_rows(self) -> int:
        """Data rows of the file: every row and blank line but the blank lines after the last row."""
        return max((i + 1 for i, row in enumerate(self.rows) if row.kind != "blank"), default=0)

    def expected_quarantined(self) -> set[int]:
        """source_row of every blank line before the last row, and of every row of the wrong width."""
        return {i + 1 for i, row in enumerate(self.rows[:self.expected_rows()]) if row.kind != "data"}


def read_list(landing: Path, source: str) -> ListFile:
    spec = SPECS[source]
    path = landing / spec.file_name
    if spec.is_workbook:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        try:
            header, *rows = workbook.get_sheet_by_name(spec.sheet).to_python(skip_empty_area=False)
        finally:
            workbook.close()
        width = len(header)
        return ListFile(source, [str(c) for c in header], [Row(list(r) + [""] * (width - len(r))) for r in rows])
    with path.open(encoding=spec.encoding, newline="") as f:
        header, *rows = list(csv.reader(f, delimiter=spec.delimiter))
    return ListFile(source, header, [Row(r) for r in rows])


def write_list(landing: Path, file: ListFile) -> None:
    spec = SPECS[file.source]
    path = landing / spec.file_name
    if spec.is_workbook:
        _write_workbook(path, spec.sheet, file)
        return
    with path.open("w", encoding=spec.encoding, newline="") as f:
        writer = csv.writer(f, delimiter=spec.delimiter, lineterminator="\n")
        writer.writerow(file.header)
        for row in file.rows:
            writer.writerow([] if row.kind == "blank" else row.cells)
        for _ in range(file.trailing_blank_lines):
            writer.writerow([])


def _write_workbook(path: Path, sheet: str, file: ListFile) -> None:
    """The sheet again with the types calamine read: text cells, number cells, date cells."""
    workbook = xlsxwriter.Workbook(str(path))
    worksheet = workbook.add_worksheet(sheet)
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    worksheet.write_row(0, 0, file.header)
    for r, row in enumerate(file.rows, start=1):
        if row.kind == "blank":
            continue  # nothing written: an empty row between rows
        for c, value in enumerate(row.cells):
            if isinstance(value, ExcelDateSerial):
                worksheet.write_number(r, c, float(value), date_format)
            elif isinstance(value, dt.datetime):
                worksheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, dt.date):
                worksheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, bool):
                worksheet.write_boolean(r, c, value)
            elif isinstance(value, (int, float)):
                worksheet.write_number(r, c, value)
            elif value not in ("", None):
                worksheet.write_string(r, c, str(value))
    workbook.close()


def insert_blank(file: ListFile, position: int) -> None:
    """A blank line (an empty sheet row) before `position`; ingestion quarantines it when a row follows."""
    file.rows.insert(position, Row([], kind="blank"))


def insert_copy(file: ListFile, source_position: int, position: int) -> None:
    """The same person listed twice: a copy of a row, placed elsewhere."""
    file.rows.insert(position, file.rows[source_position].copy())


def insert_broken(file: ListFile, source_position: int, position: int, extra: bool) -> None:
    """A copy of a row with one field too many, or (CSV only: a sheet row is padded) one too few."""
    broken = file.rows[source_position].copy()
    broken.kind, broken.planted = "broken", {}
    if extra or SPECS[file.source].is_workbook:
        broken.cells.append("x")
    else:
        broken.cells.pop()
    file.rows.insert(position, broken)
