"""`satudata sanggah`: what it prints, its exit codes, and its refusals of bad arguments."""

from __future__ import annotations

import argparse
import datetime as dt

import pytest

from orchestration.appeals import store
from orchestration.appeals.cli import add_parser
from orchestration.review.audit_log import AUDIT_LOG, read_entries, verify
from tests.appeals.test_record import write_person_keys

NIK = "3171012345678901"
TODAY = dt.date.today().isoformat()


def _satudata(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="satudata")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


def _sanggah(data_dir, **changes) -> list[str]:
    options = {"quarter": "2025Q2", "person-id": "P00000000D001", "alasan": "masih_hidup", "bukti": "SRT/2025/0012",
               "keputusan": "diterima", "diputus-oleh": "199001012015031001", "tanggal": "2025-07-03",
               "data-dir": str(data_dir), **changes}
    return ["sanggah", *(part for name, value in options.items() if value is not None
                         for part in (f"--{name}", value))]


@pytest.fixture
def data_dir(tmp_path):
    write_person_keys(tmp_path)
    return tmp_path


def test_an_upheld_appeal_is_recorded_and_reported(data_dir, capsys):
    assert _satudata(_sanggah(data_dir)) == 0
    out, err = capsys.readouterr()
    assert out == ("satudata sanggah 2025Q2: S0000001 recorded (diterima): P00000000D001 is reinstated from the "
                   "next run of the quarter on\n")
    assert err == ""
    [appeal] = store.in_force(data_dir)
    assert (appeal.appeal_id, appeal.keputusan, appeal.tanggal) == ("S0000001", "diterima", "2025-07-03")
    assert [e["kind"] for e in read_entries(data_dir)] == ["appeal"] and verify(data_dir).ok


def test_a_rejected_appeal_keeps_the_person_excluded(data_dir, capsys):
    assert _satudata(_sanggah(data_dir, keputusan="ditolak", **{"person-id": "P00000000D002"})) == 0
    assert capsys.readouterr().out == ("satudata sanggah 2025Q2: S0000001 recorded (ditolak): P00000000D002 is "
                                       "kept excluded\n")
    assert store.in_force(data_dir)[0].status_appealed == "deceased"


def test_the_data_dir_comes_from_the_environment(data_dir, capsys, monkeypatch):
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(data_dir))
    assert _satudata(_sanggah(data_dir, **{"data-dir": None})) == 0
    assert "S0000001 recorded" in capsys.readouterr().out and len(store.read_all(data_dir)) == 1


@pytest.mark.parametrize(("changes", "message"), [
    ({"quarter": "2025Q3", "tanggal": TODAY}, "run the quarter first"),
    ({"person-id": NIK}, "the person id given is not a person of 2025Q2"),
    ({"person-id": "P00000000E001"}, "nothing to appeal"),
    ({"person-id": "P00000000D002"}, "ask Dukcapil to correct the record"),
    ({"person-id": "P00000000B003"}, "correct the list row instead"),
    ({"alasan": "hidup"}, "alasan must be one of"),
    ({"bukti": f"KTP-{NIK}"}, "bukti holds a 16-digit number"),
    ({"keputusan": "ya"}, "keputusan must be diterima or ditolak"),
    ({"diputus-oleh": NIK}, "diputus_oleh holds a 16-digit number"),
    ({"tanggal": "2999-01-01"}, "is in the future"),
    ({"tanggal": "2025-03-31"}, "is before 2025Q2 began"),
])
def test_a_refusal_prints_why_exits_2_and_records_nothing(data_dir, capsys, changes, message):
    assert _satudata(_sanggah(data_dir, **{"person-id": "P00000000F001"})) == 0
    capsys.readouterr()
    before = {p.name: p.read_bytes() for p in (data_dir / "decisions").iterdir()}
    assert _satudata(_sanggah(data_dir, **changes)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("satudata sanggah: REFUSED, nothing recorded: ") and message in err
    assert NIK not in err
    assert {p.name: p.read_bytes() for p in (data_dir / "decisions").iterdir()} == before


@pytest.mark.parametrize("tanggal", ["2025-13-01", "03-07-2025", "20250703", NIK, ""])
def test_a_bad_date_is_a_clean_argument_error(data_dir, capsys, tanggal):
    with pytest.raises(SystemExit) as exited:
        _satudata(_sanggah(data_dir, tanggal=tanggal))
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "argument --tanggal: must be a date written YYYY-MM-DD" in err and "Traceback" not in err
    assert NIK not in err
    assert not (data_dir / "decisions").exists()


def test_a_broken_audit_log_fails_the_command_and_records_nothing(data_dir, capsys):
    assert _satudata(_sanggah(data_dir)) == 0
    log = data_dir / AUDIT_LOG
    log.write_bytes(log.read_bytes().replace(b'"diterima"', b'"ditolak"'))
    capsys.readouterr()
    assert _satudata(_sanggah(data_dir, **{"person-id": "P00000000F001"})) == 1
    assert "satudata sanggah: FAILED, nothing recorded: the audit log does not verify" in capsys.readouterr().err
    assert len(store.read_all(data_dir)) == 1


def test_the_help_lists_every_alasan(capsys):
    with pytest.raises(SystemExit):
        _satudata(["sanggah", "--help"])
    out = capsys.readouterr().out
    for code in ("masih_hidup", "masih_tinggal_di_dki", "bukan_orang_yang_sama", "data_sudah_diperbaiki", "lainnya"):
        assert code in out
