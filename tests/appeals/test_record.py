"""Recording appeals (sanggahan) against an exclusion: what is refused, what is stored and logged, what is in force."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import stat
from pathlib import Path

import duckdb
import pytest

from orchestration.appeals import store
from orchestration.appeals.record import ALASAN, REINSTATABLE, AppealError, record_appeal
from orchestration.quarters import Quarter
from orchestration.review.audit_log import AUDIT_LOG, read_entries, verify

Q = Quarter.parse("2025Q2")
TODAY = dt.date(2025, 8, 20)
NIK = "3171012345678901"
# person_id -> (status, record keys); the keys stand for the HMAC hex of each list row.
PEOPLE = {
    "P00000000E001": ("eligible", ["e1" * 32]),
    "P00000000D001": ("deceased_near_nik", ["b2" * 32, "a1" * 32]),
    "P00000000F001": ("field_not_known", ["c3" * 32]),
    "P00000000D002": ("deceased", ["d4" * 32]),
    "P00000000D003": ("moved_out", ["d5" * 32]),
    "P00000000D004": ("nik_deactivated", ["d6" * 32]),
    "P00000000B001": ("nik_conflict", ["f1" * 32]),
    "P00000000B002": ("invalid_nik", ["f2" * 32]),
    "P00000000B003": ("outside_dki", ["f3" * 32]),
    "P00000000B004": ("no_name", ["f4" * 32]),
    "P00000000B005": ("unresolved_kelurahan", ["f5" * 32]),
    "P00000000C001": ("some_new_status", ["f6" * 32]),
}


def write_person_keys(data_dir: Path, quarter: str = "2025Q2", people: dict = PEOPLE) -> Path:
    """The quarter's person_keys export as the pipeline writes it: one row per record key."""
    path = data_dir / "warehouse" / f"{quarter}.person_status_keys.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute("create table person_keys (person_id varchar, status varchar, record_key varchar)")
        for person_id, (status, keys) in people.items():
            con.executemany("insert into person_keys values (?, ?, ?)", [[person_id, status, k] for k in keys])
        con.execute(f"copy person_keys to '{path}' (format parquet)")
    return path


@pytest.fixture
def data_dir(tmp_path):
    write_person_keys(tmp_path)
    return tmp_path


def _appeal(data_dir, **changes):
    arguments = {"quarter": Q, "person_id": "P00000000D001", "alasan": "masih_hidup", "bukti": "SRT/2025/0012",
                 "keputusan": "diterima", "diputus_oleh": "199001012015031001", "tanggal": dt.date(2025, 7, 3),
                 "today": TODAY, **changes}
    return record_appeal(data_dir, **arguments)


def _decisions(data_dir) -> dict[str, bytes]:
    folder = data_dir / "decisions"
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.is_dir() else {}


def test_an_upheld_appeal_is_stored_with_its_audit_entry(data_dir):
    appeal = _appeal(data_dir)
    assert appeal.appeal_id == "S0000001" and appeal.person_id == "P00000000D001"
    assert appeal.record_keys == ["a1" * 32, "b2" * 32]  # the person's keys, sorted
    assert (appeal.status_appealed, appeal.keputusan, appeal.tanggal, appeal.quarter) == \
        ("deceased_near_nik", "diterima", "2025-07-03", "2025Q2")
    assert store.read_all(data_dir) == [appeal] and store.in_force(data_dir) == [appeal]
    [entry] = read_entries(data_dir)
    assert entry["kind"] == "appeal" and entry["actor"] == "199001012015031001"
    assert entry["what"] == {"appeal_id": "S0000001", "person_id": "P00000000D001", "quarter": "2025Q2",
                             "alasan": "masih_hidup", "bukti": "SRT/2025/0012"}
    assert entry["before"] == {"status": "deceased_near_nik"}
    assert entry["after"] == {"keputusan": "diterima", "tanggal": "2025-07-03"}
    assert entry["run_id"] is None and entry["source_file_sha256"] is None
    assert verify(data_dir).ok


def test_a_rejected_appeal_is_recorded_for_any_exclusion(data_dir):
    for number, person_id in enumerate(["P00000000D002", "P00000000B001", "P00000000C001", "P00000000F001"], 1):
        appeal = _appeal(data_dir, person_id=person_id, keputusan="ditolak", alasan="lainnya")
        assert appeal.appeal_id == f"S{number:07d}" and appeal.keputusan == "ditolak"
    entries = read_entries(data_dir)
    assert [e["after"]["keputusan"] for e in entries] == ["ditolak"] * 4
    assert [e["before"]["status"] for e in entries] == ["deceased", "nik_conflict", "some_new_status",
                                                        "field_not_known"]
    assert verify(data_dir).ok and len(store.in_force(data_dir)) == 4


def test_every_reinstatable_status_can_be_upheld(tmp_path):
    write_person_keys(tmp_path, people={f"P000000001{i:03X}": (s, [f"{i:02x}" * 32])
                                        for i, s in enumerate(sorted(REINSTATABLE))})
    for i in range(len(REINSTATABLE)):
        assert _appeal(tmp_path, person_id=f"P000000001{i:03X}").keputusan == "diterima"
    assert [a.status_appealed for a in store.in_force(tmp_path)] == sorted(REINSTATABLE)


def test_a_later_appeal_replaces_the_earlier(data_dir):
    first = _appeal(data_dir, keputusan="ditolak")
    other = _appeal(data_dir, person_id="P00000000F001", alasan="masih_tinggal_di_dki")
    later = _appeal(data_dir, bukti="SRT/2025/0031", tanggal=dt.date(2025, 8, 1), alasan="bukan_orang_yang_sama")
    assert [a.appeal_id for a in store.read_all(data_dir)] == ["S0000001", "S0000002", "S0000003"]
    assert store.in_force(data_dir) == [other, later]
    assert first not in store.in_force(data_dir)
    entries = read_entries(data_dir)
    assert entries[1]["before"] == {"status": "field_not_known"}
    assert entries[2]["before"] == {"status": "deceased_near_nik", "appeal_id": "S0000001", "keputusan": "ditolak"}
    assert verify(data_dir).ok


def test_the_store_holds_no_personal_data_and_is_owner_only(data_dir):
    _appeal(data_dir)
    text = (data_dir / store.STORE).read_text()
    assert json.loads(text)["record_keys"] == ["a1" * 32, "b2" * 32] and NIK not in text
    assert stat.S_IMODE((data_dir / store.STORE).stat().st_mode) == 0o600
    assert stat.S_IMODE((data_dir / "decisions").stat().st_mode) == 0o700


@pytest.mark.parametrize(("changes", "message"), [
    ({"quarter": Quarter.parse("2025Q3"), "tanggal": dt.date(2025, 8, 1)}, "run the quarter first"),
    ({"person_id": "P00000000FFFF"}, "P00000000FFFF is not a person of 2025Q2"),
    ({"person_id": NIK}, "the person id given is not a person of 2025Q2"),
    ({"person_id": "P00000000E001"}, "status eligible): nothing to appeal"),
    ({"person_id": "P00000000E001", "keputusan": "ditolak"}, "nothing to appeal"),
    ({"alasan": "hidup"}, "alasan must be one of masih_hidup, masih_tinggal_di_dki"),
    ({"alasan": NIK}, "alasan must be one of"),
    ({"bukti": "SRT 2025"}, "bukti must be the reference of the evidence"),
    ({"bukti": "S1"}, "bukti must be the reference"),
    ({"bukti": "S" * 61}, "bukti must be the reference"),
    ({"bukti": "Surat Budi Santoso"}, "bukti must be the reference"),
    ({"bukti": f"KTP/{NIK}"}, "bukti holds a 16-digit number"),
    ({"bukti": "SRT/" + NIK + "99"}, "bukti holds a 16-digit number"),
    ({"keputusan": "terima"}, "keputusan must be diterima or ditolak"),
    ({"keputusan": NIK}, "keputusan must be diterima or ditolak"),
    ({"diputus_oleh": "x"}, "diputus_oleh must be the staff id"),
    ({"diputus_oleh": "Budi Santoso"}, "diputus_oleh must be the staff id"),
    ({"diputus_oleh": NIK}, "diputus_oleh holds a 16-digit number"),
    ({"tanggal": dt.date(2025, 8, 21)}, "tanggal 2025-08-21 is in the future"),
    ({"tanggal": dt.date(2025, 3, 31)}, "tanggal 2025-03-31 is before 2025Q2 began (2025-04-01)"),
    ({"person_id": "P00000000D002"}, "ask Dukcapil to correct the record; the next extract reinstates the person"),
    ({"person_id": "P00000000D003"}, "(moved_out): the Dukcapil record is under the person's own NIK"),
    ({"person_id": "P00000000D004"}, "ask Dukcapil to correct the record"),
    ({"person_id": "P00000000B001"}, "(nik_conflict): the submission needs the person's own valid NIK"),
    ({"person_id": "P00000000B002"}, "correct the list row instead"),
    ({"person_id": "P00000000B003"}, "correct the list row instead"),
    ({"person_id": "P00000000B004"}, "correct the list row instead"),
    ({"person_id": "P00000000B005"}, "correct the list row instead"),
    ({"person_id": "P00000000C001"}, "only deceased_near_nik, field_deceased"),
])
def test_a_refused_appeal_leaves_the_store_and_the_audit_log_as_they_were(data_dir, changes, message):
    _appeal(data_dir, person_id="P00000000F001")
    before = _decisions(data_dir)
    assert set(before) >= {"appeals.jsonl", "audit_log.jsonl", "audit_log.head"}
    with pytest.raises(AppealError) as refused:
        _appeal(data_dir, **changes)
    assert message in str(refused.value)
    assert NIK not in str(refused.value) and "Budi" not in str(refused.value)
    assert _decisions(data_dir) == before
    assert verify(data_dir).ok and len(store.read_all(data_dir)) == 1


def test_a_refusal_on_a_fresh_data_dir_writes_nothing(data_dir):
    with pytest.raises(AppealError, match="nothing to appeal"):
        _appeal(data_dir, person_id="P00000000E001")
    assert not (data_dir / "decisions").exists() and not (data_dir / AUDIT_LOG).exists()


def test_the_decision_may_be_dated_today_or_the_quarter_s_first_day(data_dir):
    assert _appeal(data_dir, tanggal=TODAY).tanggal == "2025-08-20"
    assert _appeal(data_dir, tanggal=Q.first_day).tanggal == "2025-04-01"


def test_an_export_without_the_status_column_is_refused(tmp_path):
    path = tmp_path / "warehouse" / "2025Q2.person_status_keys.parquet"
    path.parent.mkdir(parents=True)
    duckdb.sql(f"copy (select 'P00000000D001' as person_id, 'ab' as key) to '{path}' (format parquet)")
    with pytest.raises(AppealError, match="cannot be read as a person_keys export"):
        _appeal(tmp_path)


def test_every_alasan_has_an_indonesian_description():
    assert set(ALASAN) == {"masih_hidup", "masih_tinggal_di_dki", "bukan_orang_yang_sama", "data_sudah_diperbaiki",
                           "lainnya"}
    assert all(isinstance(text, str) and text and "\n" not in text for text in ALASAN.values())


def test_a_corrupt_store_line_is_reported_by_number(data_dir):
    _appeal(data_dir)
    with open(data_dir / store.STORE, "a") as f:
        f.write('{"appeal_id": "S0000002"}\n')
    with pytest.raises(ValueError, match="line 2 is not a stored appeal"):
        store.read_all(data_dir)


def _record_many(data_dir, person_id: str) -> None:
    for _ in range(10):
        _appeal(data_dir, person_id=person_id)


def test_two_processes_recording_at_once_number_every_appeal_once(data_dir):
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_record_many, args=(data_dir, p)) for p in ("P00000000D001", "P00000000F001")]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=120)
        assert process.exitcode == 0
    appeals = store.read_all(data_dir)
    assert [a.appeal_id for a in appeals] == [f"S{i:07d}" for i in range(1, 21)]
    assert [e["what"]["appeal_id"] for e in read_entries(data_dir)] == [a.appeal_id for a in appeals]
