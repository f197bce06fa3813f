"""The strict reader of returned worklists: each test breaks one thing in an otherwise valid file."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from orchestration.review import worklist_format as fmt
from orchestration.review.decisions_file import MAX_PROBLEMS, Decision, DecisionFileError, read_decisions

QUARTER = "2025Q2"
WORKLIST = "C0FFEE00BADA55E5"
PAIRS = [f"RVA1B2C3D4E5F6A7B{n}" for n in range(1, 6)]
NIKS = [f"31710000000000{n:02d}" for n in range(1, 11)]
NAMES = ["NAMA SATU", "NAMA DUA", "NAMA TIGA", "NAMA EMPAT", "NAMA LIMA", "NAMA ENAM", "NAMA TUJUH",
         "NAMA DELAPAN", "NAMA SEMBILAN", "NAMA SEPULUH"]
PERSONAL = NIKS + NAMES + ["1980-01-01", "JL. CONTOH NO. 1"]
# Records behind the pairs: A-B, B-C, A-C, D-E, F-G.
ENDS = dict(zip(PAIRS, [("kA", "kB"), ("kB", "kC"), ("kA", "kC"), ("kD", "kE"), ("kF", "kG")]))
REVIEWER = "198001012006041001"
COL = {name: i for i, name in enumerate(fmt.PAIR_COLUMNS)}


def grids() -> tuple[list[list], list[list]]:
    """A valid worklist's two sheets: pairs 1 and 2 decided, the rest not."""
    rows = [list(fmt.PAIR_COLUMNS)]
    for i, pair_id in enumerate(PAIRS):
        row = {"pair_id": pair_id, "kind": "grey_band", "match_probability": 0.5, "match_weight": 0.1}
        for side, n in (("l", 2 * i), ("r", 2 * i + 1)):
            row |= {f"sumber_{side}": "dtks", f"baris_{side}": f"dtks:{n + 2}", f"nik_{side}": NIKS[n],
                    f"nama_{side}": NAMES[n], f"tanggal_lahir_{side}": "1980-01-01", f"jenis_kelamin_{side}": "L",
                    f"no_kk_{side}": NIKS[n], f"alamat_{side}": "JL. CONTOH NO. 1",
                    f"kode_kelurahan_{side}": "3171010001", f"kelurahan_{side}": "GAMBIR"}
        row |= {c: "exact match" for c in fmt.LEVEL_COLUMNS}
        rows.append([row.get(c) for c in fmt.PAIR_COLUMNS])
    rows[1][COL["decision"]:] = ["match", "nik_typo", REVIEWER]
    rows[2][COL["decision"]:] = ["not_match", "twins", "ani.s"]
    about = [["quarter", QUARTER], ["worklist_id", WORKLIST], ["pairs", len(PAIRS)], ["model_version", "v1"],
             ["written_at", "2025-07-01T00:00:00Z"]]
    return rows, about


def write(path: Path, pairs: list[list], about: list[list], formulas=(), sheets=(fmt.SHEET_PAIRS, fmt.SHEET_ABOUT)):
    """Write the sheets as values; `formulas` are (sheet, row, column, formula, cached result)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    for name, rows in ((fmt.SHEET_PAIRS, pairs), (fmt.SHEET_ABOUT, about)):
        if name not in sheets:
            continue
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str) and value:
                    sheet.write_string(r, c, value)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value)
        for target, r, c, formula, result in formulas:
            if target == name:
                sheet.write_formula(r, c, formula, None, result)
    book.close()
    return path


def read(path: Path, **kwargs) -> list[Decision]:
    args = {"quarter": QUARTER, "worklist_id": WORKLIST, "known_pairs": PAIRS, "pair_ends": ENDS} | kwargs
    return read_decisions(path, **args)


def refused(path: Path, *fragments: str, **kwargs) -> str:
    """The refusal's message, checked to name the file and `fragments` and to hold no personal value."""
    with pytest.raises(DecisionFileError) as caught:
        read(path, **kwargs)
    message = str(caught.value)
    assert message.startswith(path.name), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    for value in PERSONAL:
        assert value not in message, (value, message)
    assert "Traceback" not in message
    return message


def broken(tmp_path: Path, change=None, formulas=(), **kw) -> Path:
    pairs, about = grids()
    if change:
        change(pairs, about)
    return write(tmp_path / fmt.WORKLIST_FILE, pairs, about, formulas, **kw)


def set_cell(row: int, column: str, value):
    """A change putting `value` in the Pasangan cell of sheet row `row` (1-based), column `column`."""
    def change(pairs, about):
        pairs[row - 1][COL[column]] = value
    return change


def test_a_valid_file_gives_its_decided_rows(tmp_path):
    assert read(broken(tmp_path)) == [
        Decision(PAIRS[0], "match", "nik_typo", REVIEWER, 2),
        Decision(PAIRS[1], "not_match", "twins", "ani.s", 3),
    ]


def test_empty_rows_in_the_middle_are_no_pairs(tmp_path):
    def change(pairs, about):
        pairs.insert(3, [None] * len(fmt.PAIR_COLUMNS))
    assert [d.row for d in read(broken(tmp_path, change))] == [2, 3]


def test_no_decision_gives_nothing(tmp_path):
    def change(pairs, about):
        for row in pairs[1:]:
            row[COL["decision"]:] = [None, None, None]
    assert read(broken(tmp_path, change)) == []


def test_a_truncated_file(tmp_path):
    path = broken(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    refused(path, "damaged or truncated")


def test_a_csv_renamed_xlsx(tmp_path):
    path = tmp_path / fmt.WORKLIST_FILE
    path.write_text(f"pair_id,nik_l,nama_l\n{PAIRS[0]},{NIKS[0]},{NAMES[0]}\n")
    refused(path, "is not an Excel workbook")


def test_a_folder_or_missing_file(tmp_path):
    (tmp_path / "folder.xlsx").mkdir()
    refused(tmp_path / "folder.xlsx", "is not a file")
    refused(tmp_path / "gone.xlsx", "does not exist")


def test_a_formula_in_the_decision_column(tmp_path):
    path = broken(tmp_path, formulas=[(fmt.SHEET_PAIRS, 3, COL["decision"], '="match"', "match")])
    refused(path, "Pasangan!AD4 (decision): a formula")


def test_a_formula_in_a_column_not_read(tmp_path):
    path = broken(tmp_path, formulas=[(fmt.SHEET_PAIRS, 1, COL["nama_l"], '=UPPER("nama satu")', NAMES[0])])
    refused(path, "Pasangan!H2 (nama_l): a formula")


def test_a_formula_in_the_about_sheet(tmp_path):
    path = broken(tmp_path, formulas=[(fmt.SHEET_ABOUT, 2, 1, "=2+3", 5)])
    refused(path, "Tentang!B3 (pairs): a formula")


def test_a_worklist_of_another_quarter(tmp_path):
    path = broken(tmp_path, lambda p, a: a[0].__setitem__(1, "2025Q1"))
    refused(path, "Tentang!B1 (quarter): the file is a worklist of '2025Q1', this import is of 2025Q2")


def test_a_worklist_of_an_earlier_run(tmp_path):
    path = broken(tmp_path, lambda p, a: a[1].__setitem__(1, "ABCDEF0123ABCDEF"))
    refused(path, "Tentang!B2 (worklist_id): the file is worklist 'ABCDEF0123ABCDEF'", WORKLIST, "earlier run")


def test_about_keys_out_of_order(tmp_path):
    path = broken(tmp_path, lambda p, a: a.__setitem__(slice(0, 2), [a[1], a[0]]))
    refused(path, "Tentang!A1 (key): 'worklist_id' where the worklist has quarter",
            "Tentang!A2 (key): 'quarter' where the worklist has worklist_id")


def test_an_unknown_pair(tmp_path):
    path = broken(tmp_path, set_cell(2, "pair_id", "RVFFFFFFFFFFFFFFFF"))
    refused(path, "Pasangan!A2 (pair_id): 'RVFFFFFFFFFFFFFFFF' is not a pair of this worklist")


def test_a_pair_id_typed_over_with_a_nik(tmp_path):
    path = broken(tmp_path, set_cell(2, "pair_id", NIKS[0]))
    refused(path, "Pasangan!A2 (pair_id): a value outside the list is not a pair id")


def test_the_same_pair_twice_even_when_the_rows_agree(tmp_path):
    def change(pairs, about):
        pairs[3] = list(pairs[1])
        about[2][1] = len(pairs) - 1
    refused(broken(tmp_path, change), "Pasangan!A4 (pair_id): the same pair as row 2")


@pytest.mark.parametrize("value", ["Match", NIKS[3], float(NIKS[3]), NAMES[0], "1980-01-01"])
def test_a_value_not_a_decision(tmp_path, value):
    message = refused(broken(tmp_path, set_cell(2, "decision", value)), "Pasangan!AD2 (decision):")
    if value == "Match":
        assert "'Match' is not a decision" in message
    else:
        assert "a value outside the list is not a decision" in message


def test_a_reason_of_the_other_decision(tmp_path):
    refused(broken(tmp_path, set_cell(2, "reason", "twins")),
            "Pasangan!AE2 (reason): 'twins' is a reason for not_match, not for match")


def test_a_reason_missing(tmp_path):
    refused(broken(tmp_path, set_cell(3, "reason", None)), "Pasangan!AE3 (reason): empty")


def test_a_reason_not_in_any_list(tmp_path):
    refused(broken(tmp_path, set_cell(3, "reason", NAMES[2])), "Pasangan!AE3 (reason): a value outside the list")


def test_a_reviewer_missing(tmp_path):
    refused(broken(tmp_path, set_cell(2, "reviewer", None)), "Pasangan!AF2 (reviewer): empty")


def test_a_reviewer_not_a_staff_id(tmp_path):
    refused(broken(tmp_path, set_cell(2, "reviewer", NAMES[0])),
            "Pasangan!AF2 (reviewer): a value outside the list is not a staff id")


def test_a_reviewer_nip_typed_as_a_number(tmp_path):
    refused(broken(tmp_path, set_cell(2, "reviewer", float(REVIEWER))), "Pasangan!AF2 (reviewer): a number of more")


def test_a_reason_or_reviewer_without_a_decision(tmp_path):
    def change(pairs, about):
        pairs[3][COL["reason"]] = "namesake"
        pairs[4][COL["reviewer"]] = "ani.s"
    refused(broken(tmp_path, change), "Pasangan!AE4 (reason): filled but the row has no decision",
            "Pasangan!AF5 (reviewer): filled but the row has no decision")


def test_fewer_rows_than_the_about_sheet_says(tmp_path):
    refused(broken(tmp_path, lambda p, a: p.pop()), "Tentang!B3 (pairs): says 5 pairs, sheet Pasangan has 4")


def test_a_renamed_header(tmp_path):
    refused(broken(tmp_path, set_cell(1, "match_probability", "probabilitas")),
            "Pasangan!C1: the header has 'probabilitas' where the worklist has match_probability")


def test_a_deleted_column(tmp_path):
    def change(pairs, about):
        for row in pairs:
            del row[COL["nama_l"]]
    refused(broken(tmp_path, change), "Pasangan!H1: the header has 'tanggal_lahir_l' where the worklist has nama_l")


def test_a_value_beyond_the_columns(tmp_path):
    refused(broken(tmp_path, lambda p, a: p[2].append(NAMES[0])), "Pasangan!AG3: a value beyond")


@pytest.mark.parametrize("missing", [fmt.SHEET_PAIRS, fmt.SHEET_ABOUT])
def test_a_missing_sheet(tmp_path, missing):
    kept = tuple(s for s in (fmt.SHEET_PAIRS, fmt.SHEET_ABOUT) if s != missing)
    refused(broken(tmp_path, sheets=kept), f"sheet {missing} is missing")


def test_a_not_match_between_records_joined_by_matches(tmp_path):
    def change(pairs, about):
        pairs[2][COL["decision"]:] = ["match", "name_variant", "ani.s"]  # B-C
        pairs[3][COL["decision"]:] = ["not_match", "namesake", "ani.s"]  # A-C
    path = broken(tmp_path, change)
    refused(path, "Pasangan!AD4 (decision): not_match contradicts the match decisions on rows 2, 3")
    # Without the records' keys the reader cannot see it.
    assert len(read(path, pair_ends=None)) == 3


def test_every_problem_is_listed_up_to_a_limit(tmp_path):
    def change(pairs, about):
        for _ in range(30):
            pairs.append([PAIRS[0]] + [None] * (COL["decision"] - 1) + ["match", "nik_typo", "ani.s"])
    message = refused(broken(tmp_path, change), "the same pair as row 2", "more")
    assert message.count("\n  - ") == MAX_PROBLEMS


def rewrite_member(path: Path, member: str, change) -> None:
    """Replace one part of the workbook's zip by `change(its bytes)`."""
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_a_formula_written_with_a_namespace_prefix(tmp_path):
    # Some writers spell the sheet's elements <x:c>, <x:f>: the element, not its spelling, is what counts.
    path = broken(tmp_path, formulas=[(fmt.SHEET_PAIRS, 1, COL["reviewer"], '="ani.s"', "ani.s")])

    def prefixed(xml: bytes) -> bytes:
        xml = re.sub(rb"<(/?)([A-Za-z]+)([ >/])", rb"<\1x:\2\3", xml)
        return xml.replace(b'xmlns="', b'xmlns:x="', 1)
    rewrite_member(path, "xl/worksheets/sheet1.xml", prefixed)
    refused(path, "Pasangan!AF2 (reviewer): a formula")


def test_a_damaged_sheet(tmp_path):
    path = broken(tmp_path)
    rewrite_member(path, "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2])
    refused(path, "damaged")


def test_the_worklist_as_the_pipeline_writes_it_and_a_reviewer_saves_it(tmp_path):
    from orchestration.review.worklist import _write_workbook, worklist_id
    from tests.review.reviewer import read_sheets, write_sheets

    pairs, _ = grids()
    for row in pairs[1:]:
        row[COL["decision"]:] = [None, None, None]
    wid = worklist_id(QUARTER, PAIRS)
    written = tmp_path / "out" / fmt.WORKLIST_FILE
    _write_workbook(written, "run1", [tuple(r) for r in pairs[1:]],
                    {"quarter": QUARTER, "worklist_id": wid, "pairs": len(PAIRS), "model_version": "v1",
                     "written_at": "2025-07-01T00:00:00Z"})
    assert read(written, worklist_id=wid) == []
    sheet, about = read_sheets(written)
    sheet[5][COL["decision"]:] = ["not_match", "parent_child", REVIEWER]
    saved = write_sheets(tmp_path / "returned.xlsx", sheet, about)
    assert read(saved, worklist_id=wid) == [Decision(PAIRS[4], "not_match", "parent_child", REVIEWER, 6)]


@pytest.mark.parametrize("value", [3171000000000001, "3171000000000001"])
def test_a_nik_typed_as_the_number_of_pairs_is_refused_and_not_echoed(tmp_path, value):
    def change(pairs, about):
        about[2][1] = value
    message = refused(broken(tmp_path, change), "Tentang!B3 (", "is not a number of pairs")
    assert "3171000000000001" not in message
