"""reports/<Q>/verifikasi/: one worksheet per kelurahan of the people whose status a field visit should settle.

In Indonesian, for petugas kelurahan, PKK and Dasawisma cadres: each row is one doubt about one person (why, in a
sentence), the person as the lists have them, and four cells to fill in (hasil, kode_kelurahan_baru,
tanggal_kunjungan, petugas). A doubt with a field result in force is not listed again. Internal reports: personal
data, files 0600. Beside them, in the warehouse folder, the exports `satudata verifikasi import` and
`satudata sanggah` check against: the rows listed, and every person's status and record keys.
"""

from __future__ import annotations

import hashlib
import pickle
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import xlsxwriter

from orchestration import machine
from orchestration.paths import QuarterPaths
from orchestration.publish.csv_export import export_parquet
from orchestration.publish.files import atomic_path, private_dir
from orchestration.review.record_keys import create_record_keys
from orchestration.verification import worksheet_format as fmt

VERIFICATION_ROWS = fmt.VERIFICATION_ROWS
# From this many rows the worksheets are written on all the cores: starting the workers (a Python each, about half a
# second) costs more than it saves on a small quarter. At 10M list rows, 130,000 rows in 268 worksheets.
SHARED_FROM_ROWS = 20_000
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder holding `orchestration`, for the workers
PERSON_SQL = {"nik": "p.nik", "nama": "p.nama", "tanggal_lahir": "strftime(p.tanggal_lahir, '%Y-%m-%d')",
              "jenis_kelamin": "p.jenis_kelamin", "no_kk": "p.no_kk", "alamat": "p.alamat", "rt": "p.rt",
              "rw": "p.rw", "kode_kelurahan": "p.kode_kelurahan", "kelurahan": "p.kelurahan",
              "kecamatan": "p.kecamatan", "kabkota": "p.kabkota"}


@dataclass
class WorksheetOutputs:
    """What the step wrote, for the asset's metadata."""

    doubts_by_kind: dict[str, int]
    files: int
    people: int
    folder: Path
    by_kabkota: list[tuple[str, int]] = field(default_factory=list)


def sheet_id(quarter: str, file_name: str, row_ids: list[str]) -> str:
    """Which worksheet a returned file is: its quarter, kelurahan and rows (another run's rows differ)."""
    return hashlib.sha256("|".join([quarter, file_name, *sorted(row_ids)]).encode()).hexdigest()[:16].upper()


def _doubt_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Table verification_rows_all: one row per open doubt of a person with no field result on it yet."""
    person = ", ".join(f"{sql} as {name}" for name, sql in PERSON_SQL.items())
    con.execute(f"""create or replace temp table verification_rows_all as
        with doubts as (
            select person_id, unnest(string_split(open_doubts, ' ')) as jenis_keraguan
            from marts.persons where open_doubts is not null
        ),
        -- Only the doubted people's rows: over the whole ledger this took 7.0 s of 40 at 10M list rows.
        listed as (
            select person_id, string_agg(source || ':' || source_row, ' ' order by source, source_row) as baris_daftar
            from marts.record_ledger
            where source in ('dtks', 'p3ke', 'carik') and person_id in (select person_id from doubts)
            group by person_id
        )
        select 'VF' || upper(left(sha256(d.person_id || '|' || d.jenis_keraguan), 16)) as id_verifikasi,
               d.jenis_keraguan, d.person_id, {person}, listed.baris_daftar,
               coalesce(p.kode_kelurahan || '.xlsx', '{fmt.UNRESOLVED_FILE}') as file_name
        from doubts d
        join marts.persons p using (person_id)
        left join listed using (person_id)
        anti join review.field_results r on r.person_id = d.person_id and r.jenis_keraguan = d.jenis_keraguan""")


def write_worksheets(con: duckdb.DuckDBPyConnection, paths: QuarterPaths, secret: bytes, run_id: str,
                     written_at: str) -> WorksheetOutputs:
    """Write the quarter's worksheets and the two exports; `con` is on the quarter's warehouse."""
    quarter = paths.quarter.key
    folder = paths.reports / fmt.FOLDER
    _doubt_rows(con)
    files = [f for f, in con.execute("select distinct file_name from verification_rows_all order by 1").fetchall()]
    ids, workbooks = {}, []
    for file_name in files:
        rows = con.execute(f"""select id_verifikasi, jenis_keraguan, person_id,
                {", ".join(fmt.PERSON_COLUMNS[1:])} from verification_rows_all where file_name = ?
                order by kode_kelurahan, alamat, person_id, jenis_keraguan""", [file_name]).fetchall()
        ids[file_name] = sheet_id(quarter, file_name, [r[0] for r in rows])
        about = {"kuartal": quarter, "kode_kelurahan": file_name.removesuffix(".xlsx"), "id_lembar": ids[file_name],
                 "jumlah_baris": len(rows), "ditulis_pada": written_at}
        workbooks.append((folder / file_name, run_id, rows, about))
    write_workbooks(workbooks)
    private_dir(folder)
    # A worksheet of an earlier run whose kelurahan has no open doubt now would be filled in for nothing.
    for old in folder.glob("*.xlsx"):
        if old.name not in files:
            old.unlink()
    con.register("sheet_ids", pa.table({"file_name": list(ids), "sheet_id": list(ids.values())}))
    con.execute("create or replace temp view records as select * from intermediate.int_persons__for_linkage")
    create_record_keys(con, secret)
    con.execute("""create or replace temp table person_record_keys as
        select c.person_id, k.record_key from record_keys k join linkage.person_clusters c using (unique_id)""")
    export_parquet(con, """select v.id_verifikasi, v.jenis_keraguan, v.person_id, v.kode_kelurahan, v.file_name,
                                  s.sheet_id, list_sort(list_distinct(list(k.record_key))) as record_keys
                           from verification_rows_all v join sheet_ids s using (file_name)
                           left join person_record_keys k using (person_id)
                           group by all order by v.id_verifikasi""", paths.export(VERIFICATION_ROWS), run_id)
    export_parquet(con, """select distinct p.person_id, p.status, k.record_key from marts.persons p
                           join person_record_keys k using (person_id) order by 1, 3""",
                   paths.export(fmt.PERSON_STATUS_KEYS), run_id)
    con.unregister("sheet_ids")
    by_kind = dict(con.execute("select jenis_keraguan, count(*) from verification_rows_all group by 1").fetchall())
    people = con.execute("select count(distinct person_id) from verification_rows_all").fetchone()[0]
    by_kabkota = con.execute("select coalesce(kabkota, '(belum terpetakan)'), count(*) from verification_rows_all "
                             "group by 1 order by 1").fetchall()
    return WorksheetOutputs({kind: int(by_kind.get(kind, 0)) for kind in fmt.DOUBTS}, len(files), people, folder,
                            by_kabkota)


def write_workbooks(workbooks: list[tuple[Path, str, list[tuple], dict]], shared_from_rows: int = SHARED_FROM_ROWS,
                    workers: int | None = None) -> None:
    """Write each (target, run_id, rows, about) worksheet; in `workers` processes (the machine's cores) from
    `shared_from_rows` rows on. Each file is written whole or not at all (atomic_path), whichever process writes it.

    xlsxwriter is pure Python, one core: at 10M list rows the 268 worksheets took 16 s of the step's 40.
    """
    workers = min(workers or machine.duckdb_threads(), len(workbooks))
    if workers < 2 or sum(len(rows) for _, _, rows, _ in workbooks) < shared_from_rows:
        for workbook in workbooks:
            _write_workbook(*workbook)
        return
    # Largest first, each to the lightest share: the shares end about together.
    shares: list[list] = [[] for _ in range(workers)]
    loads = [0] * workers
    for workbook in sorted(workbooks, key=lambda w: -len(w[2])):
        lightest = loads.index(min(loads))
        shares[lightest].append(workbook)
        loads[lightest] += len(workbook[2])
    # Child interpreters of their own, not multiprocessing's spawn: that re-imports the parent's main module
    # (Dagster's or pytest's entry point), and fork would copy the step's DuckDB threads mid-query. They import
    # this very file's package, whatever their working directory and whatever else is installed.
    code = (f"import sys; sys.path.insert(0, {str(_PACKAGE_ROOT)!r}); "
            f"from {__name__} import _write_share; raise SystemExit(_write_share())")
    children = [subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL) for _ in shares]
    for child, share in zip(children, shares):
        try:
            child.stdin.write(pickle.dumps(share, protocol=pickle.HIGHEST_PROTOCOL))
            child.stdin.close()
        except BrokenPipeError:
            pass  # the worker died before reading: its exit status says so below
    # Only the error's type comes back: a message or a traceback could quote a cell (names, NIKs).
    failed = []
    for child in children:
        reported = child.stdout.read().decode().strip()
        if child.wait() != 0:
            failed.append(f"{reported or 'no error reported'} (exit status {child.returncode})")
    if failed:
        raise RuntimeError(f"writing the verification worksheets failed in a worker: {'; '.join(failed)}")
    missing = sum(not target.is_file() for target, _, _, _ in workbooks)
    if missing:
        raise RuntimeError(f"the workers reported success but {missing} verification worksheet(s) are missing")


def _write_share() -> int:
    """A worker: write the worksheets pickled on stdin by write_workbooks; print only an error's type."""
    try:
        for workbook in pickle.load(sys.stdin.buffer):
            _write_workbook(*workbook)
    except Exception as exc:  # noqa: BLE001 - the parent reports it; the message could hold personal data
        print(type(exc).__name__)
        return 1
    return 0


def _write_workbook(target: Path, run_id: str, rows: list[tuple], about: dict[str, object]) -> None:
    with atomic_path(target, run_id) as temp:
        book = xlsxwriter.Workbook(str(temp), {"strings_to_formulas": False, "strings_to_urls": False,
                                               "strings_to_numbers": False})
        sheet = book.add_worksheet(fmt.SHEET_ROWS)
        bold = book.add_format({"bold": True})
        text = book.add_format({"num_format": "@"})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        sheet.write_row(0, 0, fmt.ROW_COLUMNS, bold)
        for r, (row_id, kind, person_id, *person) in enumerate(rows, start=1):
            sheet.write_string(r, 0, row_id)
            sheet.write_string(r, 1, kind)
            sheet.write_string(r, 2, fmt.DOUBTS[kind], wrap)
            sheet.write_string(r, 3, person_id)
            for c, value in enumerate(person, start=4):
                if value is not None:
                    sheet.write_string(r, c, str(value))  # a NIK as text: Excel would round a 16-digit number
        first_result = fmt.ROW_COLUMNS.index("hasil")
        last = max(len(rows), 1)
        sheet.data_validation(1, first_result, last, first_result, {"validate": "list", "source": list(fmt.RESULTS)})
        for name in ("kode_kelurahan_baru", "petugas"):
            column = fmt.ROW_COLUMNS.index(name)
            sheet.set_column(column, column, 20, text)
        sheet.set_column(2, 2, 60)
        sheet.freeze_panes(1, 1)
        sheet.autofilter(0, 0, last, len(fmt.ROW_COLUMNS) - 1)
        about_sheet = book.add_worksheet(fmt.SHEET_ABOUT)
        for r, key in enumerate(fmt.ABOUT_KEYS):
            about_sheet.write_string(r, 0, key)
            about_sheet.write(r, 1, about[key])
        book.close()
