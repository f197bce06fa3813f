"""Tables for the metadata the Dagster UI shows: counts by a category or a code, never a personal value."""

from collections.abc import Iterable, Sequence

import dagster as dg
import duckdb

_TYPES = {"BIGINT": "int", "INTEGER": "int", "HUGEINT": "int", "DOUBLE": "float", "BOOLEAN": "bool"}


def table(columns: Sequence[tuple[str, str]], rows: Iterable[Sequence]) -> dg.TableMetadataValue:
    """Rows as a metadata table whose schema names each column and its type."""
    names = [name for name, _ in columns]
    return dg.MetadataValue.table(
        records=[dg.TableRecord(dict(zip(names, map(_plain, row), strict=True))) for row in rows],
        schema=dg.TableSchema(columns=[dg.TableColumn(name, kind) for name, kind in columns]),
    )


def _plain(value):
    # A metadata record holds text, numbers and booleans only (a date or a decimal goes in as text).
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def query_table(con: duckdb.DuckDBPyConnection, sql: str) -> dg.TableMetadataValue:
    """A query's result as a metadata table; the caller selects counts and codes only."""
    cursor = con.execute(sql)
    columns = [(name, _TYPES.get(str(kind), "string")) for name, kind, *_ in cursor.description]
    return table(columns, cursor.fetchall())


def counts_by(con: duckdb.DuckDBPyConnection, relation: str, column: str, counted: str,
              where: str = "true") -> dg.TableMetadataValue:
    """How many rows of `relation` have each value of `column`, largest first, as a metadata table."""
    return query_table(con, f"select {column}, count(*) as {counted} from {relation} where {where} "
                            "group by 1 order by 2 desc, 1")
