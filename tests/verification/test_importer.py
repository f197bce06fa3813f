"""`satudata verifikasi import DIR`: a folder of returned worksheets is stored whole and logged, or refused."""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import re
import shutil
import stat
from pathlib import Path

import duckdb
import pytest

from orchestration.publish.files import sha256_of
from orchestration.quarters import Quarter
from orchestration.review import audit_log
from orchestration.review.audit_log import AUDIT_LOG, AuditLogError
from orchestration.verification import results_store
from orchestration.verification import worksheet_format as fmt
from orchestration.verification.cli import add_parser
from orchestration.verification.importer import import_field_results
from orchestration.verification.results_file import FieldFileError
from orchestration.verification.worksheets import sheet_id
from tests.verification.test_results_file import (
    COL,
    FILE,
    KINDS,
    KNOWN,
    KODE,
    MOVED_TO,
    NIKS,
    PERSONAL,
    PETUGAS,
    QUARTER,
    ROWS,
    TODAY,
    grids,
    write,
)

Q = Quarter.parse(QUARTER)
UNRESOLVED_ROWS = ["VFB1B2C3D4E5F6A7B1"]
PERSON = {row_id: f"P3584017223A{i:X}" for i, row_id in enumerate(ROWS + UNRESOLVED_ROWS)}
SHEET_IDS = {FILE: sheet_id(QUARTER, FILE, ROWS), fmt.UNRESOLVED_FILE: sheet_id(QUARTER, fmt.UNRESOLVED_FILE,
                                                                                  UNRESOLVED_ROWS)}
STATE = ("field_results.jsonl", "audit_log.jsonl", "audit_log.head")


def keys(row_id: str) -> list[str]:
    return sorted(hashlib.sha256(f"{row_id}|{n}".encode()).hexdigest() for n in range(2))


def write_export(data_dir: Path, rows: list[tuple] | None = None) -> Path:
    """The quarter's verification_rows export: ROWS on the Gambir worksheet, one row on the unresolved one."""
    if rows is None:
        rows = [(row_id, info.jenis_keraguan, PERSON[row_id], info.kode_kelurahan, FILE, SHEET_IDS[FILE],
                 keys(row_id)) for row_id, info in KNOWN.items()]
        rows += [(UNRESOLVED_ROWS[0], "kelurahan_tidak_dikenal", PERSON[UNRESOLVED_ROWS[0]], None,
                  fmt.UNRESOLVED_FILE, SHEET_IDS[fmt.UNRESOLVED_FILE], keys(UNRESOLVED_ROWS[0]))]
    path = data_dir / "warehouse" / f"{QUARTER}.verification_rows.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute("create table t (id_verifikasi varchar, jenis_keraguan varchar, person_id varchar, "
                    "kode_kelurahan varchar, file_name varchar, sheet_id varchar, record_keys varchar[])")
        con.executemany("insert into t values (?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute(f"copy t to '{path}' (format parquet)")
    return path


def gambir(folder: Path, change=None, name: str = FILE) -> Path:
    """The Gambir worksheet filled in (rows 2 to 4 visited), changed by `change(rows, about)`."""
    rows, about = grids(sheet_id=SHEET_IDS[FILE])
    if change:
        change(rows, about)
    folder.mkdir(parents=True, exist_ok=True)
    return write(folder / name, rows, about)


def unresolved(folder: Path, change=None, name: str = fmt.UNRESOLVED_FILE) -> Path:
    """The unresolved worksheet, its one row visited: still at the address, in Cideng."""
    rows, about = grids(UNRESOLVED_ROWS, ["kelurahan_tidak_dikenal"], kode="belum_terpetakan",
                        sheet_id=SHEET_IDS[fmt.UNRESOLVED_FILE])
    rows[1][COL["hasil"]:] = ["masih tinggal di alamat", MOVED_TO, "2025-06-01", "ani.s"]
    if change:
        change(rows, about)
    folder.mkdir(parents=True, exist_ok=True)
    return write(folder / name, rows, about)


def run(data_dir: Path, folder: Path, **kwargs):
    return import_field_results(data_dir, Q, folder, **{"today": TODAY} | kwargs)


def state(data_dir: Path) -> dict[str, bytes | None]:
    files = {name: data_dir / "decisions" / name for name in STATE}
    return {name: path.read_bytes() if path.is_file() else None for name, path in files.items()}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data dir with the quarter's export and one worksheet (the unresolved one) already imported."""
    data = tmp_path / "data"
    write_export(data)
    run(data, unresolved(tmp_path / "pertama").parent)
    return data


def test_a_folder_of_returned_worksheets_is_stored_and_logged(tmp_path):
    data = tmp_path / "data"
    write_export(data)
    folder = tmp_path / "kembali"
    paths = [gambir(folder), unresolved(folder)]
    (folder / "~$3171011001.xlsx").write_bytes(b"Excel's lock file")
    (folder / ".hidden.xlsx").write_bytes(b"")
    (folder / "catatan.txt").write_text("not a workbook, not read")
    outcome = run(data, folder)
    assert outcome.files == [FILE, fmt.UNRESOLVED_FILE] and outcome.visited == 4
    assert outcome.stored == ["F0000001", "F0000002", "F0000003", "F0000004"]
    assert outcome.render() == "4 results stored (F0000001-F0000004); the next run of the quarter applies them"
    stored = results_store.read_all(data)
    digests = [sha256_of(p) for p in paths]
    assert stored[0] == results_store.StoredFieldResult(
        result_id="F0000001", id_verifikasi=ROWS[0], jenis_keraguan="nik_ganda", person_id=PERSON[ROWS[0]],
        record_keys=keys(ROWS[0]), hasil="meninggal", kode_kelurahan_baru=None, tanggal_kunjungan="2025-05-02",
        petugas=PETUGAS, quarter=QUARTER, imported_at=stored[0].imported_at, file_sha256=digests[0])
    assert [(s.id_verifikasi, s.hasil, s.kode_kelurahan_baru, s.tanggal_kunjungan, s.petugas, s.file_sha256)
            for s in stored[1:]] == [
        (ROWS[1], "pindah_dalam_dki", MOVED_TO, "2025-05-03", "ani.s", digests[0]),
        (ROWS[2], "masih_tinggal", KODE, "2025-05-04", "budi.p", digests[0]),
        (UNRESOLVED_ROWS[0], "masih_tinggal", MOVED_TO, "2025-06-01", "ani.s", digests[1])]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stored[0].imported_at)
    assert results_store.in_force(data) == stored
    report = audit_log.verify(data)
    assert report.ok and report.entries == 4
    entries = audit_log.read_entries(data)
    assert {k: entries[1][k] for k in audit_log.INPUT_FIELDS} == {
        "kind": "field", "actor": "ani.s", "run_id": None, "source_file_sha256": digests[0],
        "what": {"result_id": "F0000002", "id_verifikasi": ROWS[1], "jenis_keraguan": "senama_meninggal",
                 "person_id": PERSON[ROWS[1]], "quarter": QUARTER, "file": FILE, "row": 3},
        "before": {"status": "belum_diverifikasi"},
        "after": {"hasil": "pindah_dalam_dki", "kode_kelurahan_baru": MOVED_TO, "tanggal_kunjungan": "2025-05-03"}}
    assert [e["actor"] for e in entries] == [PETUGAS, "ani.s", "budi.p", "ani.s"]
    assert [e["what"]["file"] for e in entries] == [FILE] * 3 + [fmt.UNRESOLVED_FILE]
    written = (data / "decisions" / "field_results.jsonl").read_text() + (data / AUDIT_LOG).read_text()
    for value in PERSONAL:
        assert value not in written
    assert stat.S_IMODE((data / "decisions" / "field_results.jsonl").stat().st_mode) == 0o600


def test_a_later_result_for_the_same_row_is_in_force(data_dir, tmp_path):
    run(data_dir, gambir(tmp_path / "mei").parent)
    later = gambir(tmp_path / "juni", lambda rows, about: rows[1].__setitem__(
        slice(COL["hasil"], None), ["tidak dikenal", None, "2025-06-10", "budi.p"]))
    outcome = run(data_dir, later.parent)
    assert outcome.stored == ["F0000005", "F0000006", "F0000007"]
    in_force = {r.id_verifikasi: r for r in results_store.in_force(data_dir)}
    assert len(results_store.read_all(data_dir)) == 7 and len(in_force) == 4
    assert (in_force[ROWS[0]].result_id, in_force[ROWS[0]].hasil, in_force[ROWS[0]].tanggal_kunjungan) == \
        ("F0000005", "tidak_dikenal", "2025-06-10")
    entries = audit_log.read_entries(data_dir)
    assert entries[4]["before"] == {"hasil": "meninggal"} and entries[4]["after"]["hasil"] == "tidak_dikenal"
    assert entries[5]["before"] == {"hasil": "pindah_dalam_dki"}
    assert audit_log.verify(data_dir).ok and audit_log.verify(data_dir).entries == 7


def test_a_folder_with_nothing_filled_in_stores_nothing(data_dir, tmp_path):
    def clear(rows, about):
        for row in rows[1:]:
            row[COL["hasil"]:] = [None] * 4
    before = state(data_dir)
    outcome = run(data_dir, gambir(tmp_path / "kosong", clear).parent)
    assert outcome.stored == [] and outcome.render() == "no hasil filled in (1 worksheets checked); nothing to apply"
    assert state(data_dir) == before


def refused(data_dir: Path, folder: Path, *fragments: str, planted=(), **kwargs) -> str:
    """The refusal's message, checked to hold `fragments` and no NIK; the store and the log are unchanged."""
    before = state(data_dir)
    with pytest.raises(FieldFileError) as caught:
        run(data_dir, folder, **kwargs)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    for value in [*PERSONAL, *planted]:
        assert value not in message, (value, message)
    assert not re.search(r"(?<!\d)\d{16}(?!\d)", message), message
    assert caught.value.problems
    assert state(data_dir) == before
    assert len(results_store.read_all(data_dir)) == 1 and audit_log.verify(data_dir).entries == 1
    return message


def test_an_empty_folder(data_dir, tmp_path):
    folder = tmp_path / "kosong"
    folder.mkdir()
    refused(data_dir, folder, f"{folder}: holds no worksheet (.xlsx)")
    (folder / "~$3171011001.xlsx").write_bytes(b"lock")
    (folder / ".3171011001.xlsx").write_bytes(b"hidden")
    shutil.copy(gambir(tmp_path / "elsewhere"), folder / "sub.xlsx.d")
    refused(data_dir, folder, f"{folder}: holds no worksheet (.xlsx)")


def test_not_a_folder(data_dir, tmp_path):
    refused(data_dir, tmp_path / "gone", f"{tmp_path / 'gone'}: does not exist")
    refused(data_dir, gambir(tmp_path / "kembali"), "is not a folder")


def test_no_worksheets_written_for_the_quarter(data_dir, tmp_path):
    (data_dir / "warehouse" / f"{QUARTER}.verification_rows.parquet").unlink()
    folder = gambir(tmp_path / "kembali").parent
    refused(data_dir, folder, f"{folder}: no field-verification worksheets of 2025Q2 were written here; run the "
                              "quarter first")


@pytest.mark.parametrize(("name", "said"), [
    ("3171011009.xlsx", "3171011009.xlsx: is not a worksheet the latest run of 2025Q2 wrote"),
    ("3171011001 (1).xlsx", "3171011001 (1).xlsx: is not a worksheet"),
    ("3171011001.XLSX", "3171011001.XLSX: is not a worksheet"),
    (f"{NIKS[0]}.xlsx", "a file whose name holds a 16-digit number (not shown): is not a worksheet"),
])
def test_a_file_not_named_as_a_worksheet(data_dir, tmp_path, name, said):
    folder = tmp_path / "kembali"
    gambir(folder)
    gambir(folder, name=name)
    message = refused(data_dir, folder, said, "1 of 2 files cannot be applied, nothing stored")
    assert f"{FILE}:" not in message  # the worksheet that is right is not listed


def test_a_bad_cell_refuses_the_whole_folder(data_dir, tmp_path):
    folder = tmp_path / "kembali"
    gambir(folder, lambda rows, about: rows[2].__setitem__(COL["hasil"], NIKS[2]))
    unresolved(folder, lambda rows, about: rows[1].__setitem__(COL["petugas"], "budi.p"))  # new, and good
    refused(data_dir, folder, f"{folder}: 1 of 2 files cannot be applied, nothing stored",
            f"{FILE}: 1 problem, nothing read", "Verifikasi!R3 (hasil): a value outside the list is not a hasil")


def test_the_problems_of_every_file_are_listed(data_dir, tmp_path):
    folder = tmp_path / "kembali"
    gambir(folder, lambda rows, about: rows[1].__setitem__(COL["petugas"], NIKS[0]))
    unresolved(folder, lambda rows, about: rows[1].__setitem__(COL["kode_kelurahan_baru"], NIKS[1]))
    message = refused(data_dir, folder, "2 of 2 files cannot be applied",
                      f"{FILE}: 1 problem", "Verifikasi!U2 (petugas): a 16-digit number",
                      f"{fmt.UNRESOLVED_FILE}: 1 problem", "Verifikasi!S2 (kode_kelurahan_baru): a value outside")
    assert message.index(FILE) < message.index(fmt.UNRESOLVED_FILE)


def test_a_row_of_another_kelurahans_worksheet(data_dir, tmp_path):
    folder = tmp_path / "kembali"
    gambir(folder, lambda rows, about: rows[5].__setitem__(COL["id_verifikasi"], UNRESOLVED_ROWS[0]))
    refused(data_dir, folder, f"{FILE}: 1 problem",
            f"Verifikasi!A6 (id_verifikasi): '{UNRESOLVED_ROWS[0]}' is not a row of this worksheet")


def test_a_worksheet_under_another_worksheets_name(data_dir, tmp_path):
    folder = tmp_path / "kembali"
    unresolved(folder, lambda rows, about: rows[1].__setitem__(COL["petugas"], "budi.p"), name=FILE)
    refused(data_dir, folder, f"{FILE}: 3 problems",
            "Tentang!B2 (kode_kelurahan): the file is the worksheet of 'belum_terpetakan', its name 3171011001.xlsx",
            "Tentang!B3 (id_lembar):", f"Verifikasi!A2 (id_verifikasi): '{UNRESOLVED_ROWS[0]}' is not a row")


@pytest.mark.parametrize(("change", "said"), [
    (lambda rows, about: about[2].__setitem__(1, "0123456789ABCDEF"),
     f"Tentang!B3 (id_lembar): the file is worksheet '0123456789ABCDEF', the latest of 2025Q2 for {KODE} is "
     f"{SHEET_IDS[FILE]}"),
    (lambda rows, about: about[0].__setitem__(1, "2025Q1"), "Tentang!B1 (kuartal): the file is a worksheet of "
                                                             "'2025Q1'"),
    (lambda rows, about: rows.pop(), "Tentang!B4 (jumlah_baris): says 5 rows, sheet Verifikasi has 4 data rows"),
    (lambda rows, about: rows.__setitem__(5, list(rows[1])), "Verifikasi!A6 (id_verifikasi): the same row as row 2"),
    (lambda rows, about: rows[0].__setitem__(COL["hasil"], "Hasil"),
     "Verifikasi!R1: the header has 'Hasil' where the worksheet has hasil"),
    (lambda rows, about: rows[3].__setitem__(COL["tanggal_kunjungan"], "2025-06-21"),
     "Verifikasi!T4 (tanggal_kunjungan): after today (2025-06-20)"),
    (lambda rows, about: rows[3].__setitem__(COL["kode_kelurahan_baru"], None),
     "Verifikasi!S4 (kode_kelurahan_baru): empty; the row's doubt is kelurahan_tidak_dikenal"),
    (lambda rows, about: rows[2].__setitem__(COL["kode_kelurahan_baru"], KODE),
     f"Verifikasi!S3 (kode_kelurahan_baru): '{KODE}' is the kelurahan the person is listed in"),
    (lambda rows, about: rows[5].__setitem__(COL["petugas"], NIKS[4]),
     "Verifikasi!U6 (petugas): filled but the row has no hasil"),
])
def test_a_broken_worksheet(data_dir, tmp_path, change, said):
    folder = tmp_path / "kembali"
    gambir(folder, change)
    refused(data_dir, folder, f"{folder}: 1 of 1 file cannot be applied, nothing stored", f"{FILE}: 1 problem", said)


def test_a_formula_and_a_damaged_file(data_dir, tmp_path):
    folder = tmp_path / "kembali"
    path = gambir(folder)
    rows, about = grids(sheet_id=SHEET_IDS[FILE])
    write(path, rows, about, formulas=[(fmt.SHEET_ROWS, 1, COL["hasil"], '="meninggal"', "meninggal")])
    refused(data_dir, folder, f"{FILE}: 1 problem", "Verifikasi!R2 (hasil): a formula")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    refused(data_dir, folder, f"{FILE}: is a damaged or truncated Excel workbook")


def test_a_folder_already_imported(data_dir, tmp_path):
    message = refused(data_dir, tmp_path / "pertama",
                      f"{tmp_path / 'pertama'}: every worksheet in it was already imported; nothing applied again",
                      f"{fmt.UNRESOLVED_FILE}: already imported on", "(results from F0000001 on)")
    assert "cannot be applied" not in message


def test_new_and_already_imported_worksheets_together(data_dir, tmp_path):
    folder = tmp_path / "kembali"
    gambir(folder)
    shutil.copy(tmp_path / "pertama" / fmt.UNRESOLVED_FILE, folder)
    message = refused(data_dir, folder, f"{folder}: 1 of 2 files cannot be applied, nothing stored",
                      f"{fmt.UNRESOLVED_FILE}: already imported on",
                      "take it out of the folder to import the others")
    assert f"{FILE}:" not in message
    (folder / fmt.UNRESOLVED_FILE).unlink()
    assert run(data_dir, folder).stored == ["F0000002", "F0000003", "F0000004"]


def test_a_broken_audit_log_refuses_and_stores_nothing(data_dir, tmp_path):
    log = data_dir / AUDIT_LOG
    log.write_bytes(log.read_bytes().replace(b'"masih_tinggal"', b'"meninggal"'))
    before = state(data_dir)
    with pytest.raises(AuditLogError, match="does not verify, nothing appended"):
        run(data_dir, gambir(tmp_path / "kembali").parent)
    assert state(data_dir) == before


def test_an_id_verifikasi_of_sixteen_decimal_digits(tmp_path):
    data = tmp_path / "data"
    row_id = "VF1234567890123456"
    write_export(data, [(row_id, "nik_ganda", "P3584017223A0", KODE, FILE, sheet_id(QUARTER, FILE, [row_id]),
                         keys(row_id))])
    rows, about = grids([row_id], ["nik_ganda"], sheet_id=sheet_id(QUARTER, FILE, [row_id]))
    folder = tmp_path / "kembali"
    folder.mkdir()
    write(folder / FILE, rows, about)
    assert run(data, folder).stored == ["F0000001"]


def _import_in_child(data_dir: Path, folder: Path, results: multiprocessing.Queue) -> None:
    try:
        results.put(run(data_dir, folder).stored)
    except FieldFileError as exc:
        results.put(str(exc).splitlines()[0])


def test_two_imports_of_one_folder_at_once_store_it_once(data_dir, tmp_path):
    folder = gambir(tmp_path / "kembali").parent
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    children = [context.Process(target=_import_in_child, args=(data_dir, folder, results)) for _ in range(2)]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=120)
        assert child.exitcode == 0
    said = sorted((results.get(timeout=5) for _ in children), key=str)
    assert ["F0000002", "F0000003", "F0000004"] in said
    assert any(isinstance(s, str) and ("already imported" in s or "another import meanwhile" in s) for s in said)
    assert [r.result_id for r in results_store.read_all(data_dir)] == ["F0000001", "F0000002", "F0000003",
                                                                        "F0000004"]
    assert audit_log.verify(data_dir).entries == 4


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="satudata")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_the_command(data_dir, tmp_path, capsys):
    folder = tmp_path / "kembali"
    gambir(folder, lambda rows, about: rows[1].__setitem__(COL["petugas"], NIKS[0]))
    argv = ["verifikasi", "import", str(folder), "--quarter", QUARTER, "--data-dir", str(data_dir)]
    assert _cli(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"satudata verifikasi import: REFUSED, nothing applied: {folder}: 1 of 1 file")
    assert "Verifikasi!U2 (petugas)" in captured.err and NIKS[0] not in captured.err
    gambir(folder)
    assert _cli(argv) == 0
    assert capsys.readouterr().out == ("satudata verifikasi import 2025Q2: 3 results stored (F0000002-F0000004); "
                                       "the next run of the quarter applies them\n")
    assert _cli(argv) == 2
    assert "already imported" in capsys.readouterr().err


def test_the_command_wants_a_quarter(capsys):
    with pytest.raises(SystemExit):
        _cli(["verifikasi", "import", "x", "--quarter", "2025-2"])
    assert "quarter must be written like 2025Q2" in capsys.readouterr().err


def test_a_damaged_store_line_is_reported(data_dir):
    path = data_dir / "decisions" / "field_results.jsonl"
    path.write_text(path.read_text() + json.dumps({"result_id": "F0000002"}) + "\n")
    with pytest.raises(ValueError, match="line 2 is not a stored field result"):
        results_store.read_all(data_dir)


def test_the_kinds_used_here_are_the_pipelines():
    assert set(KINDS) <= set(fmt.DOUBTS)
