"""Loading a delimited landing file with DuckDB's CSV reader, held row for row to an independent record scan."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from orchestration.ingest.contract import ExtractSpec
from orchestration.ingest.csv_reader import Header, truncated
from orchestration.ingest.record_scan import RecordScan
from orchestration.ingest.rows import Quarantined, ReadStats

# csv_reader._SPREADSHEET_NUMBER in RE2: Python's \d is any Unicode digit, and its $ also matches before a final "\n".
SPREADSHEET_NUMBER_RE2 = r"(\p{Nd}(\.\p{Nd}+)?[eE]\+?\p{Nd}+|\p{Nd}+\.0+)\n?"
# Rejects of these kinds are rows of the wrong width; any other kind means DuckDB read the file its own way.
_WIDTH_ERRORS = ("MISSING COLUMNS", "TOO MANY COLUMNS")


class NotExact(Exception):
    """DuckDB's reading of the file differs from the record scan; the Python reader must read it instead."""


def _shift(boundaries: list[tuple[int, int]], below: int = 0) -> str:
    """SQL for how many rows before DuckDB's row `ordinality` are not in its output: a balanced search."""
    if not boundaries:
        return str(below)
    middle = len(boundaries) // 2
    first, shift = boundaries[middle]
    return (f"(case when ordinality < {first} then {_shift(boundaries[:middle], below)} "
            f"else {_shift(boundaries[middle + 1:], shift)} end)")


def source_row_sql(gaps: list[int]) -> str:
    """SQL for the source row of DuckDB's row `ordinality`, given the sorted source rows that are not loaded."""
    # The i-th gap (1-based) at source row s leaves s - i rows before it, so rows from ordinality s - i + 1 on
    # come after at least i gaps; the last gap of a run of gaps decides.
    boundaries: dict[int, int] = {}
    for i, row in enumerate(gaps, start=1):
        boundaries[row - i + 1] = i
    return f"ordinality + {_shift(sorted(boundaries.items()))}"


def _read_csv(spec: ExtractSpec, header: Header, rejects: str) -> str:
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(header.width))
    # No type sniffing and no lenience: every field is text, and a row DuckDB would pad or cut is rejected.
    return (f"read_csv(?, columns = {{{columns}}}, header = true, delim = ?, quote = '\"', escape = '\"', "
            "encoding = 'utf-8', auto_detect = false, strict_mode = true, null_padding = false, "
            f"store_rejects = true, rejects_table = '{rejects}', rejects_scan = '{rejects}_scans', "
            "rejects_limit = ?) with ordinality")


def insert_rows(con: duckdb.DuckDBPyConnection, spec: ExtractSpec, path: Path, sha: str, header: Header,
                scan: RecordScan, stats: ReadStats) -> tuple[int, list[Quarantined]]:
    """Insert the file's rows into the (empty) raw table; return the count and the quarantined rows.

    Raises NotExact when DuckDB's rows differ from the scan in count, in which rows it rejected, or in the values
    of the sampled rows; the caller rolls back and reads the file with the Python reader.
    """
    last_row = scan.last_row
    gaps = sorted([*[r for r in scan.blank_rows if r <= last_row], *scan.ragged_rows])
    select = ", ".join(f"nullif(c{p}, '')" for p in header.positions)
    # Rejects hold whole lines (personal data): a temporary table of this connection, dropped before returning,
    # from which only line numbers and kinds are read.
    rejects = f"_csv_rejects_{spec.source}"
    # DuckDB may record a row more than once (once per missing or extra field); the limit bounds the table when it
    # rejects far more than the scan expects, and reaching it means exactly that.
    limit = 64 * (len(scan.ragged_rows) + 16)
    drop = f"drop table if exists temp.{rejects}; drop table if exists temp.{rejects}_scans"
    con.execute(drop)
    # A read of over 2 s would draw DuckDB's progress bar on the process's own stdout (the terminal of `satudata
    # run`, past Python's redirection of sys.stdout).
    con.execute("set enable_progress_bar = false")
    try:
        loaded = con.execute(
            f"insert into {spec.table} select {select}, {source_row_sql(gaps)}, ?, ? "
            f"from {_read_csv(spec, header, rejects)}",
            [path.name, sha, str(path), spec.delimiter, limit],
        ).fetchall()[0][0]
        entries = con.execute(f"select count(*) from temp.{rejects}").fetchall()[0][0]
        rejected = con.execute(f"select distinct line, error_type::varchar from temp.{rejects}").fetchall()
    except duckdb.Error as exc:
        # Its message may quote a line of the file. The transaction is aborted: the caller's rollback drops the
        # rejects tables with the rest.
        raise NotExact(f"DuckDB could not read it ({type(exc).__name__})") from None
    con.execute(drop)
    if entries >= limit:
        raise NotExact(f"DuckDB rejected more rows than the {len(scan.ragged_rows):,} the record scan found ragged")
    kinds = sorted({kind for _, kind in rejected if kind not in _WIDTH_ERRORS})
    if kinds:
        raise NotExact(f"DuckDB rejected rows as {', '.join(kinds)}")
    # DuckDB numbers lines as records, the header being line 1.
    if sorted({line - 1 for line, _ in rejected}) != sorted(scan.ragged_rows):
        raise NotExact("DuckDB rejected other rows than the record scan found ragged")
    if loaded != scan.good_rows:
        raise NotExact(f"DuckDB loaded {loaded:,} rows where the record scan counted {scan.good_rows:,}")
    stats.numeric_id_cells, sampled = _loaded_facts(con, spec, scan)
    _check_samples(spec, path, header, scan, sampled)
    stats.rows_read = last_row
    stats.trailing_blank_rows = scan.rows - last_row
    stats.reordered = header.reordered
    return loaded, _quarantined(spec, path, header, scan)


def _record(f, span: tuple[int, int]) -> bytes:
    f.seek(span[0])
    return f.read(span[1] - span[0])


def _parse(spec: ExtractSpec, record: bytes) -> list[str]:
    """The record's fields as the Python reader's csv module gives them."""
    return next(csv.reader([record.decode("utf-8")], delimiter=spec.delimiter, strict=True), [])


def _loaded_facts(con, spec: ExtractSpec, scan: RecordScan) -> tuple[dict[str, list[int]], dict[int, tuple]]:
    """The spreadsheet-number counts of the id columns in the loaded rows, and the sampled rows."""
    # Every such number has a '.' or an 'e': the cheap test spares the regular expression nearly every cell.
    counts = [f"""count(*) filter (where (contains("{c}", '.') or contains("{c}", 'e') or contains("{c}", 'E')) """
              f"""and regexp_full_match("{c}", '{SPREADSHEET_NUMBER_RE2}')), count("{c}")""" for c in spec.id_columns]
    numeric = con.execute(f"select {', '.join(counts)} from {spec.table}").fetchall()[0]
    columns = ", ".join(f'"{c}"' for c in spec.columns)
    sampled = con.execute(f"select source_row, {columns} from {spec.table} semi join (select unnest(?) as row) "
                          "on source_row = row", [sorted(scan.samples)]).fetchall()
    return ({c: [numeric[2 * i], numeric[2 * i + 1]] for i, c in enumerate(spec.id_columns)},
            {row[0]: row[1:] for row in sampled})


def _check_samples(spec: ExtractSpec, path: Path, header: Header, scan: RecordScan, loaded: dict[int, tuple]) -> None:
    """Compare every sampled row of the file, parsed by the csv module, with the row loaded under its number."""
    with path.open("rb") as f:
        for row in sorted(scan.samples):
            fields = _parse(spec, _record(f, scan.samples[row]).rstrip(b"\r"))
            if len(fields) != header.width:
                raise NotExact(f"the csv module splits row {row:,} otherwise than the record scan")
            expected = tuple(fields[p] or None for p in header.positions)
            if loaded.get(row) != expected:
                # Never the values: they are a person's.
                raise NotExact(f"DuckDB's row {row:,} differs from the file's")


def _quarantined(spec: ExtractSpec, path: Path, header: Header, scan: RecordScan) -> list[Quarantined]:
    """The blank lines before the last row and the ragged rows, with the Python reader's reasons and records."""
    last_row = scan.last_row
    rows = [Quarantined(r, "blank line") for r in scan.blank_rows if r <= last_row]
    with path.open("rb") as f:
        for row, (count, start, end) in scan.ragged_rows.items():
            record = _record(f, (start, end)).rstrip(b"\r")
            if b"\n" in record:
                # The Python reader names the lines such a row spans; the scan does not count them.
                raise NotExact("a ragged row with a line break inside quotes")
            fields = _parse(spec, record)
            if len(fields) != count:
                raise NotExact(f"the csv module splits row {row:,} otherwise than the record scan")
            rows.append(Quarantined(row, f"row has {count} fields, the header has {header.width}",
                                    raw_record=spec.delimiter.join(fields)))
    rows.sort(key=lambda q: q.source_row)
    if rows and rows[-1].source_row == last_row and not scan.ends_with_line_break:
        rows[-1] = truncated(rows[-1])
    return rows
