"""Refusing a workbook before calamine opens it when reading it would need unbounded memory."""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

from orchestration.ingest.errors import LandingError
from orchestration.ingest.sniff import describe, read_head

# A 1,048,576-row P3KE sheet (Excel's most) unpacks to about 1 GiB of XML at a ratio near 10; a zip bomb does neither.
# A list longer than one sheet comes in several sheets: each member is bounded, and the whole at 8 full sheets.
MAX_UNPACKED_BYTES = 2 << 30
MAX_TOTAL_UNPACKED_BYTES = 8 << 30
MAX_PACK_RATIO = 200
# calamine holds a sheet as a dense grid of 32-byte cells spanning its first to its last value, so one value
# at XFD1048576 asks for 512 GiB and aborts the process. A full sheet of the contract's 15 columns is 16M cells.
MAX_SHEET_CELLS = 64_000_000
_CELL_BYTES = 32

# Positions far enough out to matter: a column of two or more letters, or a row of seven or more digits. The
# space keeps out attributes that merely end in r, such as a filter's operator="greaterThan".
_FAR_REFERENCE = re.compile(rb' r="([A-Za-z]{2,}[0-9]*|[A-Za-z]*[0-9]{7,})"')
# XML may separate attributes by any white space: make it all a space so that the patterns above hold.
_WHITE_SPACE = bytes.maketrans(b"\t\n\r", b"   ")
_ELEMENT_PREFIX = re.compile(rb"<(\w+:)?worksheet\b")
# Below the far-reference threshold a position is at most column Z and row 999,999.
_NEAR_COLUMNS, _NEAR_ROWS = 26, 999_999
# workbook.xml and its relationships list sheets: kilobytes; anything big there is not worth parsing.
_SMALL_XML_BYTES = 16 << 20
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def guard_workbook(path: Path, wanted: Callable[[str], bool]) -> None:
    """Raise LandingError unless `path` is a zip of sane size whose sheets named as `wanted` each span a bounded grid."""
    if not zipfile.is_zipfile(path):
        head = read_head(path)
        if head.startswith(b"PK\x03\x04"):
            raise LandingError(path, "is a damaged or truncated Excel workbook: its zip directory is missing")
        kind = describe(head)
        if kind is not None:
            raise LandingError(path, f"is not an Excel workbook: it is {kind}")
        hint = " (it looks like delimited text: a CSV renamed .xlsx?)" if head else ""
        raise LandingError(path, f"is not an Excel workbook{hint}")
    try:
        with zipfile.ZipFile(path) as archive:
            _guard_sizes(path, archive.infolist())
            for sheet, entry in _sheet_entries(archive, wanted):
                _guard_extent(path, sheet, archive, entry)
    except (zipfile.BadZipFile, zlib.error, EOFError, ElementTree.ParseError, KeyError, RuntimeError,
            NotImplementedError) as exc:  # RuntimeError: an encrypted member; NotImplementedError: its compression
        raise LandingError(path, f"is a damaged Excel workbook: its contents cannot be unpacked "
                           f"({type(exc).__name__})") from None


def _guard_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    unpacked = sum(i.file_size for i in infos)
    largest = max((i.file_size for i in infos), default=0)
    packed = max(1, sum(i.compress_size for i in infos))
    if largest > MAX_UNPACKED_BYTES or unpacked > MAX_TOTAL_UNPACKED_BYTES or unpacked / packed > MAX_PACK_RATIO:
        raise LandingError(
            path,
            f"refused: it would unpack to {unpacked:,} bytes from {packed:,}, {largest:,} in its largest part "
            f"(limits {MAX_UNPACKED_BYTES:,} bytes a part, {MAX_TOTAL_UNPACKED_BYTES:,} in all, ratio "
            f"{MAX_PACK_RATIO}); a zip bomb or a damaged file",
        )


def _sheet_entries(archive: zipfile.ZipFile, wanted: Callable[[str], bool]) -> list[tuple[str | None, str]]:
    """(sheet name, archive member) of each wanted sheet; every worksheet when the workbook does not say which."""
    sizes = {i.filename: i.file_size for i in archive.infolist()}
    every = [(None, n) for n in sorted(n for n in sizes if "worksheets/" in n and n.endswith(".xml"))]
    small = _SMALL_XML_BYTES
    if sizes.get("xl/workbook.xml", small) >= small or sizes.get("xl/_rels/workbook.xml.rels", small) >= small:
        return every
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheets = [(s.get("name") or "", s.get(f"{_RELATIONSHIP}id")) for s in book.iter(f"{_MAIN}sheet")]
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    entries = []
    for name, rid in sheets:
        if not wanted(name):
            continue
        target = targets.get(rid) if rid else None
        if not target:
            return every
        entry = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        if entry not in sizes:
            return every
        entries.append((name, entry))
    return entries


def _guard_extent(path: Path, sheet: str | None, archive: zipfile.ZipFile, entry: str) -> None:
    """Refuse a sheet whose grid, as calamine would allocate it, exceeds MAX_SHEET_CELLS; reads its XML once."""
    # Writers put an `r` position on rows and cells; a cell without one sits after the previous cell of its row
    # and a row without one after the previous row, so those widen the bound by how many there are.
    rows = columns = widest = open_row = unplaced_rows = 0
    cell = row = row_end = tail = b""
    with archive.open(entry) as xml:
        while block := xml.read(1 << 22):
            data = tail + block.translate(_WHITE_SPACE)
            # Blocks overlap so that no position is cut in two; what is counted twice only widens the bound.
            tail = data[-256:]
            if not cell:
                match = _ELEMENT_PREFIX.search(data)
                prefix = (match.group(1) or b"") if match else b""
                cell, row, row_end = b"<" + prefix + b"c", b"<" + prefix + b"row", b"</" + prefix + b"row>"
            for reference in _FAR_REFERENCE.findall(data):
                letters = reference.rstrip(b"0123456789")
                columns = max(columns, _column_number(letters))
                rows = max(rows, int(reference[len(letters):] or 0))
            unplaced = _unplaced(data, cell)
            if unplaced <= _NEAR_COLUMNS:
                # Few: however they fall into rows, no row holds more; the row left open carries on.
                widest = max(widest, open_row + unplaced)
                last_end = data.rfind(row_end)
                open_row = open_row + unplaced if last_end < 0 else _unplaced(data[last_end:], cell)
            else:
                counts = [_unplaced(piece, cell) for piece in data.split(row_end)]
                counts[0] += open_row
                widest, open_row = max(widest, *counts), counts[-1]
            unplaced_rows += data.count(row) - data.count(row + b' r="')
    height = max(rows, _NEAR_ROWS) + unplaced_rows
    width = max(columns, _NEAR_COLUMNS) + widest
    if height * width > MAX_SHEET_CELLS:
        far = [f"row {rows:,}"] if rows > _NEAR_ROWS else []
        far += [f"column {columns:,}"] if columns > _NEAR_COLUMNS else []
        what = f"sheet '{sheet}'" if sheet is not None else f"worksheet {entry}"
        raise LandingError(
            path,
            f"refused: {what} would span up to {height:,} rows by {width:,} columns, more than "
            f"{MAX_SHEET_CELLS:,} cells (about {MAX_SHEET_CELLS * _CELL_BYTES / 1e9:.0f} GB) to read; it has a "
            f"value as far as {' and '.join(far) or 'its positions allow'}: delete what lies outside the data",
        )


def _unplaced(data: bytes, cell: bytes) -> int:
    return data.count(cell) - data.count(cell + b' r="')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number
