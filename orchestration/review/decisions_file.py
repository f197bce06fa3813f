"""The strict reader of a returned review worklist: the whole file is checked before any decision is taken from it.

A message names the sheet, cell and column of each problem and never repeats a value that could be a recipient's
data (the sheets hold NIKs and names; UU PDP 27/2022).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import python_calamine

from orchestration.ingest.errors import LandingError
from orchestration.ingest.workbook_guard import _sheet_entries, guard_workbook
from orchestration.ingest.xlsx_reader import cell_text
from orchestration.review import worklist_format as fmt

MAX_PROBLEMS = 20  # listed in a message; the rest are counted
# A value is repeated only if it fits here, has a letter, and no space (names, addresses) or six digits in a row
# (NIKs, No. KK, dates): tighter than the characters alone, since a one-word code and a name look alike.
_SHOWN = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
_DIGIT_RUN = re.compile(r"[0-9]{6}")
# Excel keeps 15 significant digits of a number: an 18-digit NIP typed as a number is already rounded.
_EXACT_DIGITS = 15
_CELL_REF = re.compile(r"^([A-Z]+)([0-9]+)$")
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, ElementTree.ParseError, KeyError, RuntimeError,
            NotImplementedError, OSError, ValueError)
# Ids the pipeline wrote (a worklist's, a pair's) are no one's data: shown unless sixteen digits could be a NIK.
_WORKLIST_ID = re.compile(r"^[0-9A-F]{16}$")
_NIK_RUN = re.compile(r"[0-9]{16}")
_AT = {name: i for i, name in enumerate(fmt.PAIR_COLUMNS)}


@dataclass(frozen=True)
class Decision:
    """One decided row of a returned worklist; `row` is the sheet's 1-based row number."""

    pair_id: str
    decision: str
    reason: str
    reviewer: str
    row: int


class DecisionFileError(ValueError):
    """A returned worklist that cannot be applied; the message starts with the file name and lists the problems."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


def read_decisions(path: Path, *, quarter: str, worklist_id: str, known_pairs: Collection[str],
                   pair_ends: Mapping[str, tuple[str, str]] | None = None) -> list[Decision]:
    """The decided rows of the returned worklist `path`; raises DecisionFileError if anything in it is wrong."""
    rows_by_sheet, formulas = _open(path)
    problems = formulas
    for sheet in (fmt.SHEET_PAIRS, fmt.SHEET_ABOUT):
        if sheet not in rows_by_sheet:
            problems.append(f"sheet {sheet} is missing: return the worklist as it was written, with both sheets")
    pairs_said = None
    if fmt.SHEET_ABOUT in rows_by_sheet:
        pairs_said = _check_about(rows_by_sheet[fmt.SHEET_ABOUT], quarter, worklist_id, problems)
    decided: list[Decision] = []
    if fmt.SHEET_PAIRS in rows_by_sheet:
        rows = rows_by_sheet[fmt.SHEET_PAIRS]
        if _check_header(rows[0] if rows else [], problems):
            counted = _check_pairs(rows, known_pairs, decided, problems)
            if pairs_said is not None and pairs_said != counted:
                problems.append(f"{_where(fmt.SHEET_ABOUT, 3, 1)}: says {pairs_said} pairs, sheet {fmt.SHEET_PAIRS} "
                                f"has {counted} pair rows: a cut-down or truncated sheet")
            if pair_ends is not None:
                _check_contradictions(decided, pair_ends, problems)
    if problems:
        shown = "\n".join(f"  - {p}" for p in problems[:MAX_PROBLEMS])
        more = f"\n  and {len(problems) - MAX_PROBLEMS} more" if len(problems) > MAX_PROBLEMS else ""
        raise DecisionFileError(f"{path.name}: {len(problems)} problem{'s' * (len(problems) > 1)}, nothing read:\n"
                                f"{shown}{more}", problems)
    return decided


def _open(path: Path) -> tuple[dict[str, list[list]], list[str]]:
    """Each worklist sheet's cells from A1, and a problem for every formula in them; raises on a damaged file."""
    if not path.is_file():
        raise DecisionFileError(f"{path.name}: {'is not a file' if path.exists() else 'does not exist'}")
    wanted = (fmt.SHEET_PAIRS, fmt.SHEET_ABOUT)
    try:
        guard_workbook(path, lambda name: name in wanted)
    except LandingError as exc:
        raise DecisionFileError(f"{path.name}: {exc.problem}") from None
    try:
        formulas = _formulas(path, wanted)
    except _DAMAGED as exc:
        raise DecisionFileError(f"{path.name}: is a damaged Excel workbook ({type(exc).__name__})") from None
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own zip and XML errors on a damaged workbook
        raise DecisionFileError(f"{path.name}: cannot be opened as an Excel workbook ({type(exc).__name__})") from None
    try:
        sheets = {}
        for name in wanted:
            if name in book.sheet_names:
                try:
                    sheets[name] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                except Exception as exc:  # damaged sheet XML
                    raise DecisionFileError(
                        f"{path.name}: sheet {name} cannot be read ({type(exc).__name__})") from None
    finally:
        book.close()
    return sheets, formulas


def _formulas(path: Path, wanted: tuple[str, ...]) -> list[str]:
    """A problem for each formula cell of the wanted sheets, found in their XML (calamine gives only its result)."""
    problems = []
    with zipfile.ZipFile(path) as archive:
        for sheet, entry in _sheet_entries(archive, lambda name: name in wanted):
            for row, column in _formula_cells(archive, entry):
                where = _where(sheet, row, column) if sheet else f"{entry} cell {_letters(column)}{row}"
                problems.append(f"{where}: a formula; a returned worklist holds typed values only (its result is "
                                "not trusted): paste the cell as a value")
    return problems


def _formula_cells(archive: zipfile.ZipFile, entry: str) -> list[tuple[int, int]]:
    """(1-based row, 0-based column) of each cell with an <f> element; positions left out count on from the last."""
    found = []
    row, column = 0, -1
    with archive.open(entry) as xml:
        for event, element in ElementTree.iterparse(xml, events=("start", "end")):
            tag = element.tag.rpartition("}")[2]
            if event == "start" and tag == "row":
                row = int(element.get("r") or row + 1)
                column = -1
            elif event == "start" and tag == "c":
                match = _CELL_REF.match(element.get("r") or "")
                column = _column_index(match.group(1)) if match else column + 1
                row = int(match.group(2)) if match else row
            elif event == "end" and tag == "c":
                if any(child.tag.rpartition("}")[2] == "f" for child in element):
                    found.append((row, column))
                element.clear()
    return found


_MAX_ROWS = 1_048_576


def _check_about(rows: list[list], quarter: str, worklist_id: str, problems: list[str]) -> int | None:
    """Check the Tentang sheet; return the number of pairs it states, if readable."""
    values = {}
    for r, key in enumerate(fmt.ABOUT_KEYS):
        cells = rows[r] if r < len(rows) else []
        got = _text(cells[0]) if cells else None
        if got != key:
            problems.append(f"{_where(fmt.SHEET_ABOUT, r + 1, 0)}: {_said(got)} where the worklist has {key}")
        else:
            values[key] = cells[1] if len(cells) > 1 else None
    for r, cells in enumerate(rows):
        for c, cell in enumerate(cells):
            if (r >= len(fmt.ABOUT_KEYS) or c > 1) and _text(cell) is not None:
                problems.append(f"{_where(fmt.SHEET_ABOUT, r + 1, c)}: a value outside the worklist's A1:B"
                                f"{len(fmt.ABOUT_KEYS)}")
    got = _text(values.get("quarter"))
    if "quarter" in values and got != quarter:
        problems.append(f"{_where(fmt.SHEET_ABOUT, 1, 1)}: the file is a worklist of {_said(got)}, this import is of "
                        f"{quarter}")
    got = _text(values.get("worklist_id"))
    if "worklist_id" in values and got != worklist_id:
        problems.append(f"{_where(fmt.SHEET_ABOUT, 2, 1)}: the file is worklist {_said(got, _WORKLIST_ID)}, the "
                        f"latest of {quarter} is {worklist_id or 'none'}: the file comes from an earlier run whose "
                        "pairs differ; fill in the latest worklist")
    if "pairs" in values:
        pairs, text = values["pairs"], _text(values["pairs"])
        # A sheet holds at most 1,048,576 rows: a larger number is no count (a NIK typed here), never echoed.
        if type(pairs) in (int, float) and float(pairs).is_integer() and 0 <= pairs <= _MAX_ROWS:
            return int(pairs)
        if isinstance(pairs, str) and text is not None and text.isdigit() and int(text) <= _MAX_ROWS:
            return int(text)
        problems.append(f"{_where(fmt.SHEET_ABOUT, 3, 1)}: {_said(text)} is not a number of pairs")
    return None


def _check_header(header: list, problems: list[str]) -> bool:
    """Whether row 1 of Pasangan is PAIR_COLUMNS exactly; else a problem at its first differing column."""
    names = [_text(c) for c in header]
    while names and names[-1] is None:
        names.pop()
    if tuple(names) == fmt.PAIR_COLUMNS:
        return True
    at = next((i for i, (a, b) in enumerate(zip(names, fmt.PAIR_COLUMNS)) if a != b),
              min(len(names), len(fmt.PAIR_COLUMNS)))
    where = f"{fmt.SHEET_PAIRS}!{_letters(at)}1"
    if at >= len(fmt.PAIR_COLUMNS):
        problems.append(f"{where}: a column the worklist does not have; its header ends at "
                        f"{_letters(len(fmt.PAIR_COLUMNS) - 1)} ({fmt.PAIR_COLUMNS[-1]})")
    else:
        got = names[at] if at < len(names) else None
        problems.append(f"{where}: the header has {_said(got)} where the worklist has {fmt.PAIR_COLUMNS[at]}: keep "
                        "the columns as written (no column renamed, moved, inserted or deleted)")
    return False


def _check_pairs(rows: list[list], known_pairs: Collection[str], decided: list[Decision],
                 problems: list[str]) -> int:
    """Check each pair row, collecting the decided ones into `decided`; return how many pair rows there are."""
    known = set(known_pairs)
    first_row: dict[str, int] = {}
    counted = 0
    width = len(fmt.PAIR_COLUMNS)
    for r, cells in enumerate(rows[1:], start=2):
        texts = [_text(c) for c in cells]
        if not any(texts):
            continue  # an empty row is no pair
        counted += 1
        beyond = next((c for c in range(width, len(texts)) if texts[c] is not None), None)
        if beyond is not None:
            problems.append(f"{fmt.SHEET_PAIRS}!{_letters(beyond)}{r}: a value beyond the worklist's {width} columns "
                            "(a shifted row?)")
        texts += [None] * (width - len(texts))
        cells = list(cells) + [""] * (width - len(cells))

        def bad(column: str, problem: str) -> None:
            problems.append(f"{_where(fmt.SHEET_PAIRS, r, _AT[column])}: {problem}")

        pair_id, decision, reason, reviewer = (texts[_AT[c]] for c in ("pair_id", *fmt.DECISION_COLUMNS))
        ok = beyond is None
        if pair_id is None:
            ok = False
            bad("pair_id", "empty; every row keeps its pair id")
        elif not fmt.PAIR_ID.match(pair_id):
            ok = False
            bad("pair_id", f"{_said(pair_id)} is not a pair id (RV and 16 hex digits)")
        elif pair_id not in known:
            ok = False
            bad("pair_id", f"{_said(pair_id, fmt.PAIR_ID)} is not a pair of this worklist")
        elif pair_id in first_row:
            ok = False
            bad("pair_id", f"the same pair as row {first_row[pair_id]}: each pair is on one row only")
        else:
            first_row[pair_id] = r
        if decision is None:
            for column, value in (("reason", reason), ("reviewer", reviewer)):
                if value is not None:
                    bad(column, "filled but the row has no decision: fill in the decision or clear the cell")
            continue
        if decision not in fmt.DECISIONS:
            bad("decision", f"{_said(decision)} is not a decision (match, not_match, or empty for not decided)")
            continue
        if reason is None:
            ok = False
            bad("reason", f"empty; a {decision} needs a reason: {', '.join(fmt.REASONS[decision])}")
        elif reason not in fmt.REASONS[decision]:
            ok = False
            other = next((d for d in fmt.DECISIONS if reason in fmt.REASONS[d]), None)
            said = f"'{reason}' is a reason for {other}, not" if other else f"{_said(reason)} is not a reason"
            bad("reason", f"{said} for {decision} ({', '.join(fmt.REASONS[decision])})")
        raw_reviewer = cells[_AT["reviewer"]]
        if reviewer is None:
            ok = False
            bad("reviewer", "empty; a decision needs its reviewer's staff id (NIP or login)")
        elif isinstance(raw_reviewer, float) and abs(raw_reviewer) >= 10 ** _EXACT_DIGITS:
            ok = False
            bad("reviewer", f"a number of more than {_EXACT_DIGITS} digits, which Excel has already rounded: type "
                "the staff id as text")
        elif not fmt.REVIEWER.match(reviewer):
            ok = False
            bad("reviewer", f"{_said(reviewer)} is not a staff id (2 to 40 letters, digits, '.', '_' or '-')")
        if ok:
            decided.append(Decision(pair_id, decision, reason, reviewer, r))
    return counted


def _check_contradictions(decided: list[Decision], pair_ends: Mapping[str, tuple[str, str]],
                          problems: list[str]) -> None:
    """A problem for each not_match whose two records the match decisions join, naming the rows that join them."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    links: dict[str, list[tuple[str, int]]] = {}
    for d in decided:
        if d.decision == "match" and d.pair_id in pair_ends:
            left, right = pair_ends[d.pair_id]
            parent[root(left)] = root(right)
            links.setdefault(left, []).append((right, d.row))
            links.setdefault(right, []).append((left, d.row))
    for d in decided:
        if d.decision == "not_match" and d.pair_id in pair_ends:
            left, right = pair_ends[d.pair_id]
            if root(left) == root(right):
                rows = ", ".join(str(r) for r in _path_rows(links, left, right))
                problems.append(f"{_where(fmt.SHEET_PAIRS, d.row, _AT['decision'])}: not_match contradicts the match "
                                f"decisions on rows {rows}, which join its two records into one person")


def _path_rows(links: dict[str, list[tuple[str, int]]], start: str, goal: str) -> list[int]:
    """The rows of the match decisions on a shortest path from record `start` to record `goal`."""
    came: dict[str, tuple[str, int] | None] = {start: None}
    queue = [start]
    for key in queue:
        if key == goal:
            break
        for other, row in links.get(key, []):
            if other not in came:
                came[other] = (key, row)
                queue.append(other)
    rows = []
    while (step := came[goal]) is not None:
        goal, row = step
        rows.append(row)
    return sorted(rows)


def _text(value: object) -> str | None:
    text = cell_text(value)
    text = text.strip() if text is not None else None
    return text or None


def _said(text: str | None, code: re.Pattern | None = None) -> str:
    """A cell's value quoted if it can be no one's personal data (or is a `code` id); else a phrase without it."""
    if text is None:
        return "an empty cell"
    if code is not None and code.match(text) and not _NIK_RUN.search(text):
        return f"'{text}'"
    if _SHOWN.match(text) and re.search(r"[A-Za-z]", text) and not _DIGIT_RUN.search(text):
        return f"'{text}'"
    return "a value outside the list"


def _where(sheet: str, row: int, column: int) -> str:
    """A cell as messages name it: Pasangan!AD7 (decision)."""
    if sheet == fmt.SHEET_PAIRS:
        name = fmt.PAIR_COLUMNS[column] if column < len(fmt.PAIR_COLUMNS) else None
    elif sheet == fmt.SHEET_ABOUT:
        name = "key" if column == 0 else fmt.ABOUT_KEYS[row - 1] if column == 1 and row <= len(fmt.ABOUT_KEYS) else None
    else:
        name = None
    return f"{sheet}!{_letters(column)}{row}" + (f" ({name})" if name else "")


def _letters(column: int) -> str:
    letters, n = "", column + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1
