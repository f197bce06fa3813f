"""Record an appeal (sanggahan) against a person's exclusion from a quarter's list, and its decision.

A resident excluded from the quarter's list contests it at the Dinas Sosial; staff record the appeal with the
evidence's reference and their decision. The appeal is checked whole against the quarter's person_keys export
before anything is written; then, under the store's lock, its audit log entry and the appeal itself are appended.
The runs of the quarter that follow apply the appeals in force (store.in_force). No message names a NIK or a name.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb

from orchestration.appeals import store
from orchestration.appeals.store import StoredAppeal
from orchestration.paths import QuarterPaths
from orchestration.quarters import Quarter
from orchestration.review import audit_log
from orchestration.verification.worksheet_format import PERSON_STATUS_KEYS

ALASAN = {
    "masih_hidup": "orang yang dinyatakan meninggal masih hidup",
    "masih_tinggal_di_dki": "orang yang dinyatakan pindah masih tinggal di DKI Jakarta",
    "bukan_orang_yang_sama": "data yang mengecualikan milik orang lain yang keliru dicocokkan dengan orang ini",
    "data_sudah_diperbaiki": "data penyebab pengecualian sudah diperbaiki",
    "lainnya": "alasan lain, diuraikan dalam bukti",
}
KEPUTUSAN = ("diterima", "ditolak")
ELIGIBLE = "eligible"
# Exclusions the province cannot overrule: Dukcapil's own record under the person's own NIK says so.
DUKCAPIL_OWN_RECORD = frozenset({"deceased", "moved_out", "nik_deactivated"})
# Exclusions an appeal cannot lift: the submission needs the person's own valid NIK, a name and a DKI kelurahan.
LIST_ROW_NEEDED = frozenset({"nik_conflict", "invalid_nik", "no_name", "unresolved_kelurahan", "outside_dki"})
# The exclusions an upheld appeal lifts: a near-NIK Dukcapil match, a field report, a hold for verification.
REINSTATABLE = frozenset({"deceased_near_nik", "moved_out_near_nik", "nik_deactivated_near_nik", "field_deceased",
                          "field_moved_out", "field_not_known", "held_for_verification"})

_BUKTI = re.compile(r"^[A-Za-z0-9./_-]{3,60}$")
_STAFF_ID = re.compile(r"^[A-Za-z0-9._-]{2,40}$")
_SIXTEEN_DIGITS = re.compile(r"\d{16}")
_LONE_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")  # a NIK; an 18-digit NIP holds a run of 16 and is fine
_PERSON_ID = re.compile(r"^P[0-9A-F]{12}$")


class AppealError(ValueError):
    """The appeal cannot be recorded; the message says why, and never holds a NIK or a name."""


def _check_arguments(quarter: Quarter, alasan: str, bukti: str, keputusan: str, diputus_oleh: str,
                     tanggal: dt.date, today: dt.date) -> None:
    if alasan not in ALASAN:
        raise AppealError(f"alasan must be one of {', '.join(ALASAN)}")
    if isinstance(bukti, str) and _SIXTEEN_DIGITS.search(bukti):
        raise AppealError("bukti holds a 16-digit number (a NIK or No. KK?): give the reference of the evidence, "
                          "e.g. the letter number SRT/2025/0012, never the person's number")
    if not isinstance(bukti, str) or not _BUKTI.fullmatch(bukti):
        raise AppealError("bukti must be the reference of the evidence, e.g. the letter number SRT/2025/0012: "
                          "3 to 60 letters, digits and . / _ -")
    if keputusan not in KEPUTUSAN:
        raise AppealError(f"keputusan must be {' or '.join(KEPUTUSAN)}")
    if isinstance(diputus_oleh, str) and _LONE_SIXTEEN_DIGITS.search(diputus_oleh):
        raise AppealError("diputus_oleh holds a 16-digit number (a NIK?): give the staff id (NIP) of who decided")
    if not isinstance(diputus_oleh, str) or not _STAFF_ID.fullmatch(diputus_oleh):
        raise AppealError("diputus_oleh must be the staff id (NIP) of who decided: 2 to 40 letters, digits and . _ -")
    if not isinstance(tanggal, dt.date) or isinstance(tanggal, dt.datetime):
        raise AppealError("tanggal must be a date")
    if tanggal > today:
        raise AppealError(f"tanggal {tanggal.isoformat()} is in the future (today is {today.isoformat()})")
    if tanggal < quarter.first_day:
        raise AppealError(f"tanggal {tanggal.isoformat()} is before {quarter} began ({quarter.first_day.isoformat()}):"
                          f" an exclusion from {quarter}'s list is decided on after it")


def _named(person_id: str) -> str:
    """The person id for a message, when it is one (what was typed instead may be a NIK or a name)."""
    return person_id if isinstance(person_id, str) and _PERSON_ID.fullmatch(person_id) else "the person id given"


def _person(data_dir: Path, quarter: Quarter, person_id: str) -> tuple[str, list[str]]:
    """The person's status in the quarter and their record keys, sorted, from the quarter's person_keys export."""
    export = QuarterPaths(data_dir, quarter).export(PERSON_STATUS_KEYS)
    if not export.is_file():
        raise AppealError(f"no person_keys export of {quarter} was written here; run the quarter first (or pass "
                          "the quarter the person was excluded from)")
    try:
        with duckdb.connect() as con:
            rows = con.execute("select status, record_key from read_parquet(?) where person_id = ?",
                               [str(export), person_id]).fetchall()
    except duckdb.Error as exc:
        raise AppealError(f"{export.name} cannot be read as a person_keys export (person_id, status, record_key: "
                          f"{type(exc).__name__}); run the quarter again") from None
    if not rows:
        raise AppealError(f"{_named(person_id)} is not a person of {quarter}: check the id against the quarter's "
                          "list (ids look like P3584017223AB)")
    statuses = {status for status, _ in rows}
    keys = sorted({key for _, key in rows if key})
    if len(statuses) != 1 or None in statuses or not keys:
        raise AppealError(f"{export.name} does not give {_named(person_id)} one status and its record keys; run the "
                          "quarter again")
    return statuses.pop(), keys


def _check_decision(quarter: Quarter, person_id: str, status: str, keputusan: str) -> None:
    if status == ELIGIBLE:
        raise AppealError(f"{person_id} was not excluded from {quarter} (status eligible): nothing to appeal")
    if keputusan != "diterima" or status in REINSTATABLE:
        return  # a rejected appeal is recorded against any exclusion
    refused = f"an upheld appeal cannot lift {person_id}'s exclusion from {quarter} ({status}): "
    if status in DUKCAPIL_OWN_RECORD:
        raise AppealError(refused + "the Dukcapil record is under the person's own NIK, which the province cannot "
                          "overrule; ask Dukcapil to correct the record; the next extract reinstates the person")
    if status in LIST_ROW_NEEDED:
        raise AppealError(refused + "the submission needs the person's own valid NIK, a name and a DKI kelurahan; "
                          "correct the list row instead")
    raise AppealError(refused + f"only {', '.join(sorted(REINSTATABLE))} can be reinstated by an appeal")


def record_appeal(data_dir: Path, quarter: Quarter, person_id: str, alasan: str, bukti: str, keputusan: str,
                  diputus_oleh: str, tanggal: dt.date, today: dt.date | None = None) -> StoredAppeal:
    """Check an appeal against `quarter`'s exclusion of `person_id` and record it with its audit entry."""
    _check_arguments(quarter, alasan, bukti, keputusan, diputus_oleh, tanggal, today or dt.date.today())
    status, record_keys = _person(data_dir, quarter, person_id)
    _check_decision(quarter, person_id, status, keputusan)
    recorded_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with store.locked(data_dir):
        previous = next((a for a in store.in_force(data_dir) if a.person_id == person_id), None)
        [appeal_id] = store.next_ids(data_dir, 1)
        appeal = StoredAppeal(appeal_id=appeal_id, person_id=person_id, record_keys=record_keys,
                              status_appealed=status, alasan=alasan, bukti=bukti, keputusan=keputusan,
                              diputus_oleh=diputus_oleh, tanggal=tanggal.isoformat(), quarter=quarter.key,
                              recorded_at=recorded_at)
        before = {"status": status}
        if previous is not None:
            before |= {"appeal_id": previous.appeal_id, "keputusan": previous.keputusan}
        # The log first: an appeal in force always has its entry (a crash in between leaves an entry without an
        # appeal, never an appeal without its entry).
        audit_log.append_entries(data_dir, [{
            "kind": "appeal", "actor": diputus_oleh, "run_id": None, "source_file_sha256": None,
            "what": {"appeal_id": appeal_id, "person_id": person_id, "quarter": quarter.key, "alasan": alasan,
                     "bukti": bukti},
            "before": before, "after": {"keputusan": keputusan, "tanggal": appeal.tanggal}}])
        store.append(data_dir, [appeal])
    return appeal
