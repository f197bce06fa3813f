"""Loading one landing file into its raw DuckDB table, all or nothing."""

from __future__ import annotations

import contextlib
import gc
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.ingest.contract import REGISTRY_SOURCES, ExtractSpec
from orchestration.ingest.csv_reader import read_delimited
from orchestration.ingest.errors import LandingError
from orchestration.ingest.rows import ReadStats
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
def _no_cyclic_gc():
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


def load_extract(con: duckdb.DuckDBPyConnection, spec: ExtractSpec, path: Path) -> LoadResult:
    """Replace `raw.<source>` with the file's rows and its quarantined rows, in one transaction."""
    with _no_cyclic_gc():
        return _load(con, spec, path)


def _load(con: duckdb.DuckDBPyConnection, spec: ExtractSpec, path: Path) -> LoadResult:
    stats = ReadStats()
    # A missing registry is not an ingestion error: its table is created empty, the lists are still conformed
    # and linked, and the quarter gate blocks publication, naming the registry, since nobody can be checked.
    missing = not path.exists() and spec.source in REGISTRY_SOURCES
    if missing:
        sha, chunks = "", []
    elif not path.exists():
        raise LandingError(path, f"is missing from the landing folder {path.parent}")
    elif not path.is_file():
        # A device such as /dev/zero would never end.
        raise LandingError(path, "is not a regular file (a folder, a device or a pipe)")
    elif path.stat().st_size == 0:
        raise LandingError(path, "is empty (0 bytes)")
    else:
        sha = file_sha256(path)
        chunks = read_workbook(spec, path, stats) if spec.is_workbook else read_delimited(spec, path, stats)
    quarantined: dict[str, int] = {}

    con.execute("create schema if not exists raw")
    con.execute(QUARANTINE_DDL)
    con.execute(LOAD_LOG_DDL)
    con.execute("begin transaction")
    try:
        con.execute(_table_ddl(spec))
        con.execute("delete from raw.quarantine where source = ?", [spec.source])
        loaded = 0
        for chunk in chunks:
            if len(chunk):
                arrays = {c: pa.array(v, pa.string()) for c, v in zip(spec.columns, chunk.columns)}
                if spec.is_workbook:
                    arrays["numeric_cells"] = pa.array(chunk.numeric_cells, pa.string())
                arrays["source_row"] = pa.array(chunk.source_rows, pa.int64())
                batch = pa.table(arrays)  # noqa: F841 - read by the replacement scan below
                con.execute(f"insert into {spec.table} select {_select_list(spec)}, ?, ? from batch",
                            [path.name, sha])
                loaded += len(chunk)
            if chunk.quarantined:
                con.executemany(
                    "insert into raw.quarantine values (?, ?, ?, ?, ?, ?)",
                    [[spec.source, path.name, q.source_row, q.reason, q.column, q.raw_record]
                     for q in chunk.quarantined],
                )
                for q in chunk.quarantined:
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
                      stats.reordered, stats.trailing_blank_rows, missing=missing)


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
