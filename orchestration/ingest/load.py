"""Loading one landing file into its raw DuckDB table, all or nothing."""

from __future__ import annotations

import contextlib
import gc
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.ingest.contract import REGISTRY_SOURCES, ExtractSpec
from orchestration.ingest.csv_reader import Header, read_delimited, read_header
from orchestration.ingest.duckdb_csv import NotExact, insert_rows
from orchestration.ingest.errors import LandingError
from orchestration.ingest.record_scan import RecordScan, scan_records
from orchestration.ingest.rows import Chunk, Quarantined, ReadStats
from orchestration.ingest.workbook_prefetch import Read, take as take_prefetched
from orchestration.ingest.xlsx_reader import read_workbook

# More than this share of filled NIK/KK cells written as numbers means the column was saved as a number
# column: every one of them lost its 16th digit, and the file must be re-exported.
NUMERIC_ID_COLUMN_SHARE = 0.5

QUARANTINE_DDL = """
create table if not exists raw.quarantine (
    source varchar, file_name varchar, source_row bigint, reason varchar, column_name varchar, raw_record varchar
)"""
LOAD_LOG_DDL = """
create table if not exists raw.load_log (
    source varchar, file_name varchar, file_sha256 varchar, rows_read bigint, rows_loaded bigint,
    rows_quarantined bigint, reordered_columns boolean, trailing_blank_rows bigint
)"""


@dataclass
class LoadResult:
    """What one load did, for asset metadata (counts only, no cell values)."""

    source: str
    file_name: str
    file_sha256: str
    rows_read: int
    rows_loaded: int
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    reordered_columns: bool = False
    trailing_blank_rows: int = 0
    missing: bool = False
    reader: str | None = None  # of a delimited file: "duckdb", or "python" (then fallback_reason says why)
    fallback_reason: str | None = None
    read_ahead: bool = False  # of a workbook: read by a child while the CSVs loaded (workbook_prefetch.py)

    @property
    def rows_quarantined(self) -> int:
        return sum(self.quarantined_by_reason.values())


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _table_ddl(spec: ExtractSpec) -> str:
    columns = [f'"{c}" {"bigint" if c == "source_row" else "varchar"}' for c in spec.raw_columns]
    return f"create or replace table {spec.table} ({', '.join(columns)})"


@contextlib.contextmanager
def no_cyclic_gc():
    # Millions of short strings and tuples, none in a cycle: the cyclic collector only rescans them,
    # which cost 40% of a 1M-row load.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _select_list(spec: ExtractSpec) -> str:
    # An empty field and an empty cell both mean "no value": NULL in the raw table.
    columns = [f'nullif("{c}", \'\')' for c in spec.columns]
    if spec.is_workbook:
        columns.append("numeric_cells")
    return ", ".join([*columns, "source_row"])


def load_extract(con: duckdb.DuckDBPyConnection, spec: ExtractSpec, path: Path, *,
                 csv_reader: str = "auto") -> LoadResult:
    """Replace `raw.<source>` with the file's rows and its quarantined rows, in one transaction.

    A delimited file is read by DuckDB when the record scan can vouch for its reading, else by the Python reader
    (`csv_reader="python"` forces the latter, for comparison).
    """
    with no_cyclic_gc():
        return _load(con, spec, path, csv_reader)


def _load(con: duckdb.DuckDBPyConnection, spec: ExtractSpec, path: Path, csv_reader: str) -> LoadResult:
    # A missing registry is not an ingestion error: its table is created empty, the lists are still conformed
    # and linked, and the quarter gate blocks publication, naming the registry, since nobody can be checked.
    missing = not path.exists() and spec.source in REGISTRY_SOURCES
    if missing:
        return _write(con, spec, path, "", _chunk_writer([]), missing=True)
    if not path.exists():
        raise LandingError(path, f"is missing from the landing folder {path.parent}")
    if not path.is_file():
        # A device such as /dev/zero would never end.
        raise LandingError(path, "is not a regular file (a folder, a device or a pipe)")
    if path.stat().st_size == 0:
        raise LandingError(path, "is empty (0 bytes)")
    sha = file_sha256(path)
    if spec.is_workbook:
        read = take_prefetched(path)
        if read is not None:
            return _write(con, spec, path, sha, _prefetched_writer(read), read_ahead=True)
        return _write(con, spec, path, sha, _chunk_writer(lambda stats: read_workbook(spec, path, stats)))
    python = _chunk_writer(lambda stats: read_delimited(spec, path, stats))
    if csv_reader == "python":
        return _write(con, spec, path, sha, python, reader="python", why="asked for")
    header = read_header(spec, path)
    scan = scan_records(path, spec.delimiter, header.width)
    why = scan.not_exact or ("no data rows" if scan.good_rows == 0 else None)
    if why is None:
        try:
            return _write(con, spec, path, sha, _duckdb_writer(header, scan), reader="duckdb")
        except NotExact as exc:
            why = str(exc)
    return _write(con, spec, path, sha, python, reader="python", why=why)


Writer = Callable[[duckdb.DuckDBPyConnection, ExtractSpec, Path, str, ReadStats], tuple[int, list[Quarantined]]]


def chunk_table(spec: ExtractSpec, chunk: Chunk) -> pa.Table:
    """A reader's chunk as an Arrow table: the contract's columns as text, numeric_cells (workbook), source_row."""
    arrays = {c: pa.array(v, pa.string()) for c, v in zip(spec.columns, chunk.columns)}
    if spec.is_workbook:
        arrays["numeric_cells"] = pa.array(chunk.numeric_cells, pa.string())
    arrays["source_row"] = pa.array(chunk.source_rows, pa.int64())
    return pa.table(arrays)


def _chunk_writer(chunks_of) -> Writer:
    """Insert what a Python reader yields, chunk by chunk."""
    def write(con, spec, path, sha, stats) -> tuple[int, list[Quarantined]]:
        chunks = chunks_of(stats) if callable(chunks_of) else chunks_of
        loaded, quarantined = 0, []
        for chunk in chunks:
            if len(chunk):
                batch = chunk_table(spec, chunk)  # noqa: F841 - read by the replacement scan below
                con.execute(f"insert into {spec.table} select {_select_list(spec)}, ?, ? from batch",
                            [path.name, sha])
                loaded += len(chunk)
            _insert_quarantined(con, spec, path, chunk.quarantined)
            quarantined += chunk.quarantined
        return loaded, quarantined
    return write


def _prefetched_writer(read: Read) -> Writer:
    """Insert what a child read of a workbook (orchestration/ingest/workbook_prefetch.py), in one statement."""
    def write(con, spec, path, sha, stats) -> tuple[int, list[Quarantined]]:
        for name in (f.name for f in fields(ReadStats)):
            setattr(stats, name, getattr(read.stats, name))
        rows = read.rows  # noqa: F841 - read by the replacement scan below
        if read.rows.num_rows:
            con.execute(f"insert into {spec.table} select {_select_list(spec)}, ?, ? from rows", [path.name, sha])
        _insert_quarantined(con, spec, path, read.quarantined)
        return read.rows.num_rows, read.quarantined
    return write


def _duckdb_writer(header: Header, scan: RecordScan) -> Writer:
    def write(con, spec, path, sha, stats) -> tuple[int, list[Quarantined]]:
        loaded, quarantined = insert_rows(con, spec, path, sha, header, scan, stats)
        _insert_quarantined(con, spec, path, quarantined)
        return loaded, quarantined
    return write


def _insert_quarantined(con, spec: ExtractSpec, path: Path, quarantined: list[Quarantined]) -> None:
    if quarantined:
        # One Arrow batch: executemany costs about a millisecond a row.
        rows = pa.table({  # noqa: F841 - read by the replacement scan below
            "source_row": pa.array([q.source_row for q in quarantined], pa.int64()),
            "reason": pa.array([q.reason for q in quarantined], pa.string()),
            "column_name": pa.array([q.column for q in quarantined], pa.string()),
            "raw_record": pa.array([q.raw_record for q in quarantined], pa.string()),
        })
        con.execute("insert into raw.quarantine select ?, ?, source_row, reason, column_name, raw_record from rows",
                    [spec.source, path.name])


def _write(con: duckdb.DuckDBPyConnection, spec: ExtractSpec, path: Path, sha: str, writer: Writer, *,
           missing: bool = False, reader: str | None = None, why: str | None = None,
           read_ahead: bool = False) -> LoadResult:
    stats = ReadStats()
    con.execute("create schema if not exists raw")
    con.execute(QUARANTINE_DDL)
    con.execute(LOAD_LOG_DDL)
    con.execute("begin transaction")
    try:
        con.execute(_table_ddl(spec))
        con.execute("delete from raw.quarantine where source = ?", [spec.source])
        loaded, rows = writer(con, spec, path, sha, stats)
        quarantined: dict[str, int] = {}
        for q in rows:
            key = q.reason.split(":")[0]
            quarantined[key] = quarantined.get(key, 0) + 1
        _refuse_numeric_id_columns(spec, path, stats)
        con.execute("delete from raw.load_log where source = ?", [spec.source])
        con.execute(
            "insert into raw.load_log values (?, ?, ?, ?, ?, ?, ?, ?)",
            [spec.source, path.name, sha, stats.rows_read, loaded, sum(quarantined.values()),
             stats.reordered, stats.trailing_blank_rows],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return LoadResult(spec.source, path.name, sha, stats.rows_read, loaded, quarantined,
                      stats.reordered, stats.trailing_blank_rows, missing=missing, reader=reader, fallback_reason=why,
                      read_ahead=read_ahead)


def _refuse_numeric_id_columns(spec: ExtractSpec, path: Path, stats: ReadStats) -> None:
    for column, (numeric, filled) in stats.numeric_id_cells.items():
        if filled and numeric / filled > NUMERIC_ID_COLUMN_SHARE:
            how = ("are Excel number cells" if spec.is_workbook
                   else "are written as numbers, in scientific notation such as 1.23E+15 or with a trailing .0")
            raise LandingError(
                path,
                f"column '{column}' is stored as numbers ({numeric:,} of {filled:,} filled cells {how}): "
                "a spreadsheet keeps only 15 significant digits, so every 16-digit NIK/KK lost its last digit; "
                "re-export the column as text",
                column=column,
            )
