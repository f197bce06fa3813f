"""Writing the worksheets: on several cores from a size on, the same cells as in one process, and a worker's
failure fails the step without quoting a cell."""

from __future__ import annotations

import pytest
from python_calamine import CalamineWorkbook

from orchestration.verification import worksheet_format as fmt
from orchestration.verification.worksheets import write_workbooks

KIND = sorted(fmt.DOUBTS)[0]
NIK = "3171234567890001"


def _row(f: int, r: int) -> tuple:
    """A worksheet row: id, kind, person_id, then the person's columns (PERSON_COLUMNS[1:]), a NIK and no KK."""
    person = {"nik": NIK, "nama": f"NAMA {f} {r}", "no_kk": None}
    return (f"VF{f:04d}{r:012d}", KIND, f"P{f:06d}{r:06d}",
            *(person[c] if c in person else f"{c} {r}" for c in fmt.PERSON_COLUMNS[1:]))


def _workbooks(folder, files: int = 5, rows_each: int = 40) -> list:
    workbooks = []
    for f in range(files):
        rows = [_row(f, r) for r in range(rows_each * (f + 1))]  # unequal sizes: shares are balanced by rows
        about = {"kuartal": "2025Q2", "kode_kelurahan": f"31710{f:05d}", "id_lembar": f"ID{f}",
                 "jumlah_baris": len(rows), "ditulis_pada": "2025-07-01T00:00:00Z"}
        workbooks.append((folder / f"31710{f:05d}.xlsx", "run1", rows, about))
    return workbooks


def _cells(path) -> tuple[list, list]:
    book = CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(fmt.SHEET_ROWS).to_python(), book.get_sheet_by_name(fmt.SHEET_ABOUT).to_python()


def test_two_workers_write_the_cells_one_process_writes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the workers import this checkout's code from any working directory
    alone, shared = _workbooks(tmp_path / "alone"), _workbooks(tmp_path / "shared")
    write_workbooks(alone, shared_from_rows=10**9)
    write_workbooks(shared, shared_from_rows=0, workers=2)
    for (one, *_), (two, *_) in zip(alone, shared, strict=True):
        assert two.stat().st_mode & 0o777 == 0o600
        assert _cells(two) == _cells(one)
        assert len(_cells(two)[0]) > 1
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == sorted(p.name for p, *_ in shared)


def test_a_worker_that_fails_fails_the_step_without_quoting_a_cell(tmp_path):
    workbooks = _workbooks(tmp_path / "out")
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    target, run_id, rows, about = workbooks[-1]
    workbooks[-1] = (blocker / target.name, run_id, rows, about)  # its folder is a file: cannot be written
    with pytest.raises(RuntimeError, match="in a worker") as failed:
        write_workbooks(workbooks, shared_from_rows=0, workers=2)
    assert NIK not in str(failed.value) and "NAMA" not in str(failed.value)
    assert "Error" in str(failed.value)  # the error's type, e.g. NotADirectoryError
