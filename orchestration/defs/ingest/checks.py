"""Schema checks on the raw tables: the contract's columns, all text, and no row unaccounted for."""

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from orchestration.ingest.contract import EXTRACTS, ExtractSpec


def schema_problems(con, spec: ExtractSpec) -> list[str]:
    """What is wrong with `raw.<source>` against the contract, as sentences without cell values."""
    found = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position",
        [spec.source],
    ).fetchall()
    if not found:
        return [f"table {spec.table} does not exist"]
    expected = [(c, "VARCHAR") for c in spec.raw_columns]
    expected[spec.raw_columns.index("source_row")] = ("source_row", "BIGINT")
    problems = []
    if [c for c, _ in found] != [c for c, _ in expected]:
        missing = [c for c, _ in expected if c not in dict(found)]
        extra = [c for c, _ in found if c not in dict(expected)]
        problems.append(f"columns differ from the contract (missing: {missing or 'none'}, extra: {extra or 'none'})")
    wrong_types = [f"{c} is {t}, expected {dict(expected)[c]}" for c, t in found if c in dict(expected)
                   and t != dict(expected)[c]]
    problems += wrong_types
    log = con.execute(
        "select rows_read, rows_loaded, rows_quarantined from raw.load_log where source = ?", [spec.source]
    ).fetchall()
    if not log:
        return [*problems, "no load_log entry for this source"]
    rows_read, rows_loaded, rows_quarantined = log[0]
    in_table = con.execute(f"select count(*) from {spec.table}").fetchall()[0][0]
    in_quarantine = con.execute(
        "select count(*) from raw.quarantine where source = ?", [spec.source]).fetchall()[0][0]
    if in_table != rows_loaded or in_quarantine != rows_quarantined or in_table + in_quarantine != rows_read:
        problems.append(
            f"row counts do not add up: {rows_read:,} read, {in_table:,} in the table, "
            f"{in_quarantine:,} quarantined")
    duplicates = con.execute(
        f"select count(*) - count(distinct source_row) from {spec.table}").fetchall()[0][0]
    if duplicates:
        problems.append(f"{duplicates:,} repeated source_row values")
    return problems


def build_schema_check(spec: ExtractSpec) -> dg.AssetChecksDefinition:
    """The blocking schema check of one raw table."""

    @dg.asset_check(
        asset=dg.AssetKey(["raw", spec.source]),
        name=f"raw_{spec.source}_schema",
        blocking=True,
        description=f"{spec.table} has exactly the contract's columns as text and accounts for every row read.",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        # Checks are not partitioned in this Dagster version (preview only); the run's partition tag says
        # which quarter's warehouse to read.
        with warehouse.connect(context.run.tags["dagster/partition"], read_only=True) as con:
            problems = schema_problems(con, spec)
        return dg.AssetCheckResult(
            passed=not problems,
            description="; ".join(problems) or "schema and row counts match the contract",
            metadata={"problems": dg.MetadataValue.int(len(problems))},
        )

    return _check


schema_checks = [build_schema_check(spec) for spec in EXTRACTS]
