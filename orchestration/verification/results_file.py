"""The strict reader of a returned field-verification worksheet: the whole file is checked before a result is taken.

A message names the sheet, cell and column of each problem and never repeats a value that could be a resident's
data (the sheets hold NIKs, names and addresses; UU PDP 27/2022): only codes, ids the pipeline wrote and one-word
values with no run of six digits are quoted.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from orchestration.ingest.errors import LandingError
from orchestration.ingest.workbook_guard import _sheet_entries, guard_workbook
from orchestration.review.decisions_file import (
    _DAMAGED,
    _EXACT_DIGITS,
    _formula_cells,
    _letters,
    _said,
    _text,
)
from orchestration.verification import worksheet_format as fmt

MAX_PROBLEMS = 20  # listed in a message; the rest are counted
_AT = {name: i for i, name in enumerate(fmt.ROW_COLUMNS)}
_WIDTH = len(fmt.ROW_COLUMNS)
# hasil as typed (any case, blanks around it) or as its code -> the code.
_RESULT_CODES = {**{code: code for code in fmt.RESULTS.values()},
                 **{label.casefold(): code for label, code in fmt.RESULTS.items()}}
_MOVED_WITHIN = fmt.RESULTS["pindah dalam DKI"]
_STILL_THERE = fmt.RESULTS["masih tinggal di alamat"]
_UNKNOWN_KELURAHAN = "kelurahan_tidak_dikenal"
# A visit date typed as text: the ISO form, or day first as in Indonesia (one or two digits for day and month).
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})([-/])(\d{1,2})\2(\d{4})$")
# A NIK or No. KK typed as a staff id: the audit log takes no 16-digit number (an 18-digit NIP holds a run of 16).
_LONE_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")
# What the about sheet's kode_kelurahan may be quoted as: a Kemendagri code or the unresolved worksheet's name.
_SHEET_KELURAHAN = re.compile(rf"^(?:{fmt.KODE_KELURAHAN.pattern[1:-1]}|{fmt.UNRESOLVED_FILE.removesuffix('.xlsx')})$")
_MAX_SHEET_ROWS = 1_048_576  # Excel's most
_DATE_FORMS = "an Excel date, or text YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY"


@dataclass(frozen=True)
class RowInfo:
    """What the pipeline listed a row for: the kind of doubt and the person's kelurahan code then (None if none)."""

    jenis_keraguan: str
    kode_kelurahan: str | None


@dataclass(frozen=True)
class FieldResult:
    """One visited row of a returned worksheet; `row` is the sheet's 1-based row number, `hasil` a RESULTS code."""

    row: int
    id_verifikasi: str
    hasil: str
    kode_kelurahan_baru: str | None
    tanggal_kunjungan: dt.date
    petugas: str


class FieldFileError(ValueError):
    """Returned worksheets that cannot be applied; the message starts with the file (or folder) and lists problems."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


def read_field_results(path: Path, *, quarter: str, sheet_id: str, kode_kelurahan: str,
                       known_rows: Mapping[str, RowInfo], kelurahan_codes: Collection[str], quarter_start: dt.date,
                       today: dt.date) -> list[FieldResult]:
    """The visited rows of the returned worksheet `path`; raises FieldFileError if anything in it is wrong.

    `kode_kelurahan` is the worksheet's kelurahan ("belum_terpetakan" for the unresolved one), `known_rows` the rows
    the pipeline listed on it, `kelurahan_codes` every DKI code; a visit falls between `quarter_start` and `today`.
    """
    rows_by_sheet, formulas = _open(path)
    problems = formulas
    for sheet in (fmt.SHEET_ROWS, fmt.SHEET_ABOUT):
        if sheet not in rows_by_sheet:
            problems.append(f"sheet {sheet} is missing: return the worksheet as it was written, with both sheets")
    rows_said = None
    if fmt.SHEET_ABOUT in rows_by_sheet:
        rows_said = _check_about(rows_by_sheet[fmt.SHEET_ABOUT], quarter, sheet_id, kode_kelurahan, path.name,
                                 problems)
    results: list[FieldResult] = []
    if fmt.SHEET_ROWS in rows_by_sheet:
        rows = rows_by_sheet[fmt.SHEET_ROWS]
        if _check_header(rows[0] if rows else [], problems):
            checker = _RowChecker(known_rows, set(kelurahan_codes), quarter_start, today, problems)
            counted = checker.check(rows, results)
            if rows_said is not None and rows_said != counted:
                problems.append(f"{_where(fmt.SHEET_ABOUT, 4, 1)}: says {rows_said} rows, sheet {fmt.SHEET_ROWS} "
                                f"has {counted} data rows: a cut-down or truncated sheet")
    if problems:
        shown = "\n".join(f"  - {p}" for p in problems[:MAX_PROBLEMS])
        more = f"\n  and {len(problems) - MAX_PROBLEMS} more" if len(problems) > MAX_PROBLEMS else ""
        raise FieldFileError(f"{path.name}: {len(problems)} problem{'s' * (len(problems) > 1)}, nothing read:\n"
                             f"{shown}{more}", problems)
    return results


def _open(path: Path) -> tuple[dict[str, list[list]], list[str]]:
    """Each worksheet sheet's cells from A1, and a problem for every formula in them; raises on a damaged file."""
    if not path.is_file():
        raise _whole(path, "is not a file" if path.exists() else "does not exist")
    wanted = (fmt.SHEET_ROWS, fmt.SHEET_ABOUT)
    try:
        guard_workbook(path, lambda name: name in wanted)
    except LandingError as exc:
        raise _whole(path, exc.problem) from None
    try:
        formulas = _formulas(path, wanted)
    except _DAMAGED as exc:
        raise _whole(path, f"is a damaged Excel workbook ({type(exc).__name__})") from None
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own zip and XML errors on a damaged workbook
        raise _whole(path, f"cannot be opened as an Excel workbook ({type(exc).__name__})") from None
    try:
        sheets = {}
        for name in wanted:
            if name in book.sheet_names:
                try:
                    sheets[name] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                except Exception as exc:  # damaged sheet XML
                    raise _whole(path, f"sheet {name} cannot be read ({type(exc).__name__})") from None
    finally:
        book.close()
    return sheets, formulas


def _whole(path: Path, problem: str) -> FieldFileError:
    """A refusal of the whole file, before any cell is checked."""
    return FieldFileError(f"{path.name}: {problem}", [problem])


def _formulas(path: Path, wanted: tuple[str, ...]) -> list[str]:
    """A problem for each formula cell of the wanted sheets, found in their XML (calamine gives only its result)."""
    problems = []
    with zipfile.ZipFile(path) as archive:
        for sheet, entry in _sheet_entries(archive, lambda name: name in wanted):
            for row, column in _formula_cells(archive, entry):
                where = _where(sheet, row, column) if sheet else f"{entry} cell {_letters(column)}{row}"
                problems.append(f"{where}: a formula; a returned worksheet holds typed values only (its result is "
                                "not trusted): paste the cell as a value")
    return problems


def _check_about(rows: list[list], quarter: str, sheet_id: str, kode_kelurahan: str, file_name: str,
                 problems: list[str]) -> int | None:
    """Check the Tentang sheet; return the number of rows it states, if readable."""
    values = {}
    for r, key in enumerate(fmt.ABOUT_KEYS):
        cells = rows[r] if r < len(rows) else []
        got = _text(cells[0]) if cells else None
        if got != key:
            problems.append(f"{_where(fmt.SHEET_ABOUT, r + 1, 0)}: {_said(got)} where the worksheet has {key}")
        else:
            values[key] = cells[1] if len(cells) > 1 else None
    for r, cells in enumerate(rows):
        for c, cell in enumerate(cells):
            if (r >= len(fmt.ABOUT_KEYS) or c > 1) and _text(cell) is not None:
                problems.append(f"{_where(fmt.SHEET_ABOUT, r + 1, c)}: a value outside the worksheet's A1:B"
                                f"{len(fmt.ABOUT_KEYS)}")
    row_of = {key: r + 1 for r, key in enumerate(fmt.ABOUT_KEYS)}
    got = _text(values.get("kuartal"))
    if "kuartal" in values and got != quarter:
        problems.append(f"{_where(fmt.SHEET_ABOUT, row_of['kuartal'], 1)}: the file is a worksheet of {_said(got)}, "
                        f"this import is of {quarter}")
    got = _text(values.get("kode_kelurahan"))
    if "kode_kelurahan" in values and got != kode_kelurahan:
        problems.append(f"{_where(fmt.SHEET_ABOUT, row_of['kode_kelurahan'], 1)}: the file is the worksheet of "
                        f"{_said(got, _SHEET_KELURAHAN)}, its name {file_name} is that of {kode_kelurahan}: return "
                        "each worksheet under the name it was written with")
    got = _text(values.get("id_lembar"))
    if "id_lembar" in values and got != sheet_id:
        problems.append(f"{_where(fmt.SHEET_ABOUT, row_of['id_lembar'], 1)}: the file is worksheet "
                        f"{_said(got, fmt.SHEET_ID)}, the latest of {quarter} for {kode_kelurahan} is {sheet_id}: the "
                        "file comes from an earlier run whose rows differ; fill in the latest worksheet")
    if "jumlah_baris" in values:
        count, text = values["jumlah_baris"], _text(values["jumlah_baris"])
        # No more than a sheet holds: a larger number is no count (and a NIK typed here is not repeated).
        if type(count) in (int, float) and float(count).is_integer() and 0 <= count <= _MAX_SHEET_ROWS:
            return int(count)
        if isinstance(count, str) and text is not None and text.isdigit() and int(text) <= _MAX_SHEET_ROWS:
            return int(text)
        problems.append(f"{_where(fmt.SHEET_ABOUT, row_of['jumlah_baris'], 1)}: {_said(text)} is not a number of "
                        "rows")
    return None


def _check_header(header: list, problems: list[str]) -> bool:
    """Whether row 1 of Verifikasi is ROW_COLUMNS exactly; else a problem at its first differing column."""
    names = [_text(c) for c in header]
    while names and names[-1] is None:
        names.pop()
    if tuple(names) == fmt.ROW_COLUMNS:
        return True
    at = next((i for i, (a, b) in enumerate(zip(names, fmt.ROW_COLUMNS)) if a != b),
              min(len(names), _WIDTH))
    where = f"{fmt.SHEET_ROWS}!{_letters(at)}1"
    if at >= _WIDTH:
        problems.append(f"{where}: a column the worksheet does not have; its header ends at "
                        f"{_letters(_WIDTH - 1)} ({fmt.ROW_COLUMNS[-1]})")
    else:
        got = names[at] if at < len(names) else None
        problems.append(f"{where}: the header has {_said(got)} where the worksheet has {fmt.ROW_COLUMNS[at]}: keep "
                        "the columns as written (no column renamed, moved, inserted or deleted)")
    return False


class _RowChecker:
    """Checks the data rows of Verifikasi, collecting problems and the visited rows."""

    def __init__(self, known_rows: Mapping[str, RowInfo], kelurahan_codes: set[str], quarter_start: dt.date,
                 today: dt.date, problems: list[str]):
        self.known = known_rows
        self.codes = kelurahan_codes
        self.start, self.today = quarter_start, today
        self.problems = problems

    def bad(self, row: int, column: str, problem: str) -> None:
        self.problems.append(f"{_where(fmt.SHEET_ROWS, row, _AT[column])}: {problem}")

    def check(self, rows: list[list], results: list[FieldResult]) -> int:
        """Check each data row, collecting the visited ones into `results`; return how many data rows there are."""
        first_row: dict[str, int] = {}
        counted = 0
        for r, cells in enumerate(rows[1:], start=2):
            texts = [_text(c) for c in cells]
            if not any(texts):
                continue  # an empty row is no row
            counted += 1
            beyond = next((c for c in range(_WIDTH, len(texts)) if texts[c] is not None), None)
            if beyond is not None:
                self.problems.append(f"{fmt.SHEET_ROWS}!{_letters(beyond)}{r}: a value beyond the worksheet's "
                                     f"{_WIDTH} columns (a shifted row?)")
            texts += [None] * (_WIDTH - len(texts))
            cells = list(cells) + [""] * (_WIDTH - len(cells))
            row_id, info = self._row_id(r, texts[_AT["id_verifikasi"]], first_row)
            result = self._result(r, cells, texts, info)
            if result is not None and row_id is not None and beyond is None:
                results.append(FieldResult(r, row_id, *result))
        return counted

    def _row_id(self, r: int, row_id: str | None, first_row: dict[str, int]) -> tuple[str | None, RowInfo | None]:
        """The row's id and what it was listed for, or (None, None) after a problem."""
        if row_id is None:
            self.bad(r, "id_verifikasi", "empty; every row keeps its id_verifikasi")
        elif not fmt.ROW_ID.match(row_id):
            self.bad(r, "id_verifikasi", f"{_said(row_id)} is not an id_verifikasi (VF and 16 hex digits)")
        elif row_id not in self.known:
            self.bad(r, "id_verifikasi", f"{_said(row_id, fmt.ROW_ID)} is not a row of this worksheet (a row copied "
                     "from another kelurahan's worksheet or an earlier run?)")
        elif row_id in first_row:
            self.bad(r, "id_verifikasi", f"the same row as row {first_row[row_id]}: each row is on the worksheet "
                     "once")
        else:
            first_row[row_id] = r
            return row_id, self.known[row_id]
        return None, None

    def _result(self, r: int, cells: list, texts: list, info: RowInfo | None) -> tuple | None:
        """(hasil, kode_kelurahan_baru, tanggal_kunjungan, petugas) of a visited row; None if not visited or bad."""
        typed, kode, tanggal, petugas = (texts[_AT[c]] for c in fmt.RESULT_COLUMNS)
        if typed is None:
            for column in fmt.RESULT_COLUMNS[1:]:
                if texts[_AT[column]] is not None:
                    self.bad(r, column, "filled but the row has no hasil: fill in the hasil or clear the cell")
            return None
        hasil = _RESULT_CODES.get(typed.casefold())
        if hasil is None:
            self.bad(r, "hasil", f"{_said(typed)} is not a hasil ({', '.join(fmt.RESULTS)}; or empty when the "
                     "person was not visited)")
            return None
        checked = (self._kode(r, hasil, kode, info), self._date(r, cells[_AT["tanggal_kunjungan"]], tanggal),
                   self._petugas(r, cells[_AT["petugas"]], petugas))
        ok = all(value is not False for value in checked)
        return (hasil, *checked) if ok and info is not None else None

    def _kode(self, r: int, hasil: str, kode: str | None, info: RowInfo | None) -> str | None | bool:
        """The new kelurahan code (None when the hasil takes none); False after a problem."""
        label = next(label for label, code in fmt.RESULTS.items() if code == hasil)
        if hasil == _MOVED_WITHIN:
            needed = "pindah dalam DKI needs the code of the kelurahan the person moved to"
        elif hasil == _STILL_THERE and info is not None and info.jenis_keraguan == _UNKNOWN_KELURAHAN:
            needed = (f"the row's doubt is {_UNKNOWN_KELURAHAN}: masih tinggal di alamat needs the code of the "
                      "kelurahan of the address")
        elif hasil == _STILL_THERE and info is None:
            return False  # whether a code is needed depends on the row, which is not known
        else:
            if kode is not None:
                self.bad(r, "kode_kelurahan_baru", f"filled but {label} takes no kode_kelurahan_baru: clear the cell")
                return False
            return None
        if kode is None:
            self.bad(r, "kode_kelurahan_baru", f"empty; {needed} (10 digits, e.g. 3171011001)")
            return False
        if kode not in self.codes:
            self.bad(r, "kode_kelurahan_baru", f"{_said(kode, fmt.KODE_KELURAHAN)} is not the code of a DKI Jakarta "
                     "kelurahan (10 digits of Kemendagri, e.g. 3171011001; type it as text)")
            return False
        if hasil == _MOVED_WITHIN and info is not None and kode == info.kode_kelurahan:
            self.bad(r, "kode_kelurahan_baru", f"'{kode}' is the kelurahan the person is listed in: a move within "
                     "DKI names the kelurahan moved to (or the hasil is masih tinggal di alamat)")
            return False
        return kode

    def _date(self, r: int, raw: object, text: str | None) -> dt.date | bool:
        """The visit date; False after a problem (the value is never repeated: it may be a birth date)."""
        if text is None:
            self.bad(r, "tanggal_kunjungan", f"empty; a hasil needs the date of the visit ({_DATE_FORMS})")
            return False
        day = _as_date(raw)
        if day is None:
            self.bad(r, "tanggal_kunjungan", f"not a date: give the date of the visit as {_DATE_FORMS}")
            return False
        if day is False:
            self.bad(r, "tanggal_kunjungan", "not a real date (a day or month out of range)")
            return False
        if day < self.start:
            self.bad(r, "tanggal_kunjungan", f"before the quarter began ({self.start.isoformat()}): a visit of this "
                     "quarter's worksheet")
            return False
        if day > self.today:
            self.bad(r, "tanggal_kunjungan", f"after today ({self.today.isoformat()}): a visit that took place")
            return False
        return day

    def _petugas(self, r: int, raw: object, text: str | None) -> str | bool:
        """The petugas's staff id; False after a problem."""
        if text is None:
            self.bad(r, "petugas", "empty; a hasil needs the staff id of the petugas who visited (NIP or login)")
        elif isinstance(raw, float) and abs(raw) >= 10 ** _EXACT_DIGITS:
            self.bad(r, "petugas", f"a number of more than {_EXACT_DIGITS} digits, which Excel has already rounded: "
                     "type the staff id as text")
        elif isinstance(raw, float) and not raw.is_integer():
            self.bad(r, "petugas", "a number with a fraction is not a staff id")
        elif _LONE_SIXTEEN_DIGITS.search(text):
            self.bad(r, "petugas", "a 16-digit number (a NIK or No. KK?) is not a staff id: give the petugas's NIP "
                     "or login")
        elif not fmt.PETUGAS.match(text):
            self.bad(r, "petugas", f"{_said(text)} is not a staff id (2 to 40 letters, digits, '.', '_' or '-')")
        else:
            return text
        return False


def _as_date(value: object) -> dt.date | bool | None:
    """A cell as a date: None if it is not written as one, False if written as one that does not exist."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None  # a number, a time or a truth value: an Excel date cell arrives as a date
    text = value.strip()
    if match := _ISO_DATE.match(text):
        year, month, day = match.groups()
    elif match := _DAY_FIRST.match(text):
        day, _, month, year = match.groups()
    else:
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return False


def _where(sheet: str, row: int, column: int) -> str:
    """A cell as messages name it: Verifikasi!R7 (hasil)."""
    if sheet == fmt.SHEET_ROWS:
        name = fmt.ROW_COLUMNS[column] if column < _WIDTH else None
    elif sheet == fmt.SHEET_ABOUT:
        name = "key" if column == 0 else fmt.ABOUT_KEYS[row - 1] if column == 1 and row <= len(fmt.ABOUT_KEYS) else None
    else:
        name = None
    return f"{sheet}!{_letters(column)}{row}" + (f" ({name})" if name else "")
