"""`satudata verifikasi import DIR`: check every returned worksheet in a folder whole, then store and log each result.

The folder holds the worksheets petugas kelurahan returned (reports/<Q>/verifikasi/<kode_kelurahan>.xlsx as the
quarter's latest run wrote them, filled in). Every file is checked against the run's export of the rows it listed
before anything is written; one bad file refuses the whole folder. Then, under the store's lock, the audit log
entries are appended and then the results. The next run of the quarter applies the results in force.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from orchestration.paths import REPO_ROOT, QuarterPaths
from orchestration.publish.files import sha256_of
from orchestration.quarters import Quarter
from orchestration.review import audit_log
from orchestration.verification import results_store
from orchestration.verification import worksheet_format as fmt
from orchestration.verification.results_file import FieldFileError, FieldResult, RowInfo, read_field_results
from orchestration.verification.results_store import StoredFieldResult
from orchestration.verification.worksheets import VERIFICATION_ROWS

KELURAHAN_SEED = REPO_ROOT / "dbt_project" / "seeds" / "dki_kelurahan.csv"
JAKARTA = ZoneInfo("Asia/Jakarta")  # a visit "today" is today in Jakarta, whatever the server's clock zone
NOT_VERIFIED = "belum_diverifikasi"
# A file's name is repeated unless it holds a run of 16 digits (a petugas may name a copy by a NIK).
_NIK_RUN = re.compile(r"[0-9]{16}")


@dataclass(frozen=True)
class _Listed:
    """A row the quarter's run listed on a worksheet."""

    person_id: str
    jenis_keraguan: str
    kode_kelurahan: str | None
    record_keys: list[str]


@dataclass(frozen=True)
class _Worksheet:
    """A worksheet the quarter's run wrote: its id and its rows."""

    sheet_id: str
    rows: dict[str, _Listed]


@dataclass(frozen=True)
class FieldImportOutcome:
    """What an import did."""

    quarter: str
    files: list[str]  # the worksheets read, by name
    visited: int  # rows with a hasil
    stored: list[str] = field(default_factory=list)  # result ids

    def render(self) -> str:
        if not self.stored:
            return f"no hasil filled in ({len(self.files)} worksheets checked); nothing to apply"
        return (f"{len(self.stored)} result{'s' * (len(self.stored) != 1)} stored ({self.stored[0]}-"
                f"{self.stored[-1]}); the next run of the quarter applies them")


def kelurahan_codes() -> frozenset[str]:
    """Every DKI Jakarta kelurahan code (10 digits of Kemendagri), from the dbt seed."""
    with KELURAHAN_SEED.open(encoding="utf-8", newline="") as f:
        return frozenset(row["kode"].strip() for row in csv.DictReader(f))


def _worksheets(paths: QuarterPaths, folder: Path) -> dict[str, _Worksheet]:
    """The quarter's worksheets by file name, from the export the run wrote beside its warehouse."""
    export = paths.export(VERIFICATION_ROWS)
    if not export.is_file():
        raise _refused(folder, f"no field-verification worksheets of {paths.quarter} were written here; run the "
                       "quarter first (or pass the quarter the worksheets are of)")
    with duckdb.connect() as con:
        rows = con.execute("select file_name, sheet_id, id_verifikasi, person_id, jenis_keraguan, kode_kelurahan, "
                           "record_keys from read_parquet(?) order by file_name, id_verifikasi",
                           [str(export)]).fetchall()
    sheets: dict[str, _Worksheet] = {}
    for file_name, sheet_id, row_id, person_id, kind, kode, keys in rows:
        sheet = sheets.setdefault(file_name, _Worksheet(sheet_id, {}))
        sheet.rows[row_id] = _Listed(person_id, kind, kode, sorted(k for k in keys or [] if k is not None))
    return sheets


def _refused(where: Path | str, problem: str) -> FieldFileError:
    """A refusal of the whole import, before (or instead of) any file's own problems."""
    return FieldFileError(f"{where}: {problem}", [f"{where}: {problem}"])


def _label(path: Path) -> str:
    return path.name if not _NIK_RUN.search(path.name) else "a file whose name holds a 16-digit number (not shown)"


def _returned(folder: Path) -> list[Path]:
    """The workbooks directly in `folder`, by name; not Excel's lock files (~$...) nor hidden ones."""
    if not folder.is_dir():
        raise _refused(folder, f"{'is not a folder' if folder.exists() else 'does not exist'}: pass the folder "
                       "holding the returned worksheets")
    files = sorted(p for p in folder.iterdir() if p.name.lower().endswith(".xlsx")
                   and not p.name.startswith(("~$", ".")))
    if not files:
        raise _refused(folder, "holds no worksheet (.xlsx): put the returned worksheets directly in the folder")
    return files


def import_field_results(data_dir: Path, quarter: Quarter, folder: Path,
                         today: dt.date | None = None) -> FieldImportOutcome:
    """Validate every worksheet in `folder` against the quarter's latest run and store their results (all or none)."""
    today = today or dt.datetime.now(JAKARTA).date()
    files = _returned(folder)
    sheets = _worksheets(QuarterPaths(data_dir, quarter), folder)
    codes = kelurahan_codes()
    imported: dict[str, StoredFieldResult] = {}
    for stored in results_store.read_all(data_dir):
        imported.setdefault(stored.file_sha256, stored)  # the file's first result
    blocks: list[str] = []
    problems: list[str] = []
    again: list[tuple[str, str]] = []
    read: list[tuple[Path, str, list[FieldResult]]] = []
    for path in files:
        sheet = sheets.get(path.name)
        if sheet is None:
            problem = (f"is not a worksheet the latest run of {quarter} wrote (they are named <kode_kelurahan>.xlsx "
                       f"or {fmt.UNRESOLVED_FILE}, as in reports/{quarter}/{fmt.FOLDER}/): return each worksheet "
                       "under its own name")
            blocks.append(f"{_label(path)}: {problem}")
            problems.append(f"{_label(path)}: {problem}")
            continue
        digest = sha256_of(path)
        if digest in imported:
            earlier = imported[digest]
            again.append((path.name, f"already imported on {earlier.imported_at} (results from {earlier.result_id} "
                                     "on)"))
            continue
        known = {row_id: RowInfo(r.jenis_keraguan, r.kode_kelurahan) for row_id, r in sheet.rows.items()}
        try:
            results = read_field_results(path, quarter=quarter.key, sheet_id=sheet.sheet_id,
                                         kode_kelurahan=path.name.removesuffix(".xlsx"), known_rows=known,
                                         kelurahan_codes=codes, quarter_start=quarter.first_day, today=today)
        except FieldFileError as exc:
            blocks.append(str(exc))
            problems += [f"{path.name}: {p}" for p in exc.problems] or [str(exc)]
            continue
        read.append((path, digest, results))
    if again and not blocks and not read:
        raise FieldFileError(f"{folder}: every worksheet in it was already imported; nothing applied again:\n"
                             + "\n".join(f"  - {name}: {said}" for name, said in again),
                             [f"{name}: {said}" for name, said in again])
    for name, said in again:
        blocks.append(f"{name}: {said}: take it out of the folder to import the others")
        problems.append(f"{name}: {said}")
    if blocks:
        bad = len(blocks)
        raise FieldFileError(f"{folder}: {bad} of {len(files)} file{'s' * (len(files) > 1)} cannot be applied, "
                             "nothing stored:\n" + "\n".join(blocks), problems)
    outcome = FieldImportOutcome(quarter.key, [p.name for p in files], sum(len(r) for _, _, r in read))
    if not outcome.visited:
        return outcome
    return _store(data_dir, quarter, sheets, read, outcome)


def _store(data_dir: Path, quarter: Quarter, sheets: dict[str, _Worksheet],
           read: list[tuple[Path, str, list[FieldResult]]], outcome: FieldImportOutcome) -> FieldImportOutcome:
    """Under the store's lock, log and then store every result read."""
    imported_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with results_store.locked(data_dir):
        earlier = results_store.read_all(data_dir)
        digests = {r.file_sha256 for r in earlier}
        raced = [path.name for path, digest, _ in read if digest in digests]
        if raced:  # another import stored the same file since the check above
            raise _refused(", ".join(raced), "imported by another import meanwhile; nothing applied again")
        in_force = {r.id_verifikasi: r for r in results_store.in_force(data_dir)}
        ids = iter(results_store.next_ids(data_dir, outcome.visited))
        entries, stored = [], []
        for path, digest, results in read:
            for result in results:
                listed = sheets[path.name].rows[result.id_verifikasi]
                result_id = next(ids)
                visited = result.tanggal_kunjungan.isoformat()
                previous = in_force.get(result.id_verifikasi)
                stored.append(StoredFieldResult(
                    result_id=result_id, id_verifikasi=result.id_verifikasi, jenis_keraguan=listed.jenis_keraguan,
                    person_id=listed.person_id, record_keys=listed.record_keys, hasil=result.hasil,
                    kode_kelurahan_baru=result.kode_kelurahan_baru, tanggal_kunjungan=visited,
                    petugas=result.petugas, quarter=quarter.key, imported_at=imported_at, file_sha256=digest))
                entries.append({
                    "kind": "field", "actor": result.petugas, "run_id": None, "source_file_sha256": digest,
                    "what": {"result_id": result_id, "id_verifikasi": result.id_verifikasi,
                             "jenis_keraguan": listed.jenis_keraguan, "person_id": listed.person_id,
                             "quarter": quarter.key, "file": path.name, "row": result.row},
                    "before": {"hasil": previous.hasil} if previous else {"status": NOT_VERIFIED},
                    "after": {"hasil": result.hasil, "kode_kelurahan_baru": result.kode_kelurahan_baru,
                              "tanggal_kunjungan": visited}})
        # The log first: a result in force always has its entry (a crash in between leaves an entry without a
        # result, which `satudata audit` reports).
        audit_log.append_entries(data_dir, entries)
        results_store.append(data_dir, stored)
    return FieldImportOutcome(outcome.quarter, outcome.files, outcome.visited, [s.result_id for s in stored])
