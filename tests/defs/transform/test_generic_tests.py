"""The project's generic dbt tests, rendered from their files and run on DuckDB tables with good and bad values."""

from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2

GENERIC = Path(__file__).resolve().parents[3] / "dbt_project" / "tests" / "generic"


def _rendered(name: str, **arguments) -> str:
    # A generic test is a macro under another tag; plain Jinja renders its SQL the way dbt does.
    text = (GENERIC / f"{name}.sql").read_text(encoding="utf-8")
    text = text.replace(f"{{% test {name}(", f"{{% macro {name}(").replace("{% endtest %}", "{% endmacro %}")
    return str(getattr(jinja2.Environment().from_string(text).module, name)(**arguments))


def test_digits_of_width_fails_on_every_value_that_is_not_exactly_that_many_digits():
    con = duckdb.connect()
    good = ["3171011708450012", "0000000000000000", None]
    bad = ["317101170845001", "31710117084500123", "", "3171O11708450012", "3171 11708450012",
           "３１７１０１１７０８４５００１２"]  # 15, 17 digits, empty, letter O, blank, full-width
    con.execute("create table linkage_input (nik varchar)")
    con.executemany("insert into linkage_input values (?)", [(v,) for v in good + bad])
    failing = con.execute(_rendered("digits_of_width", model="linkage_input", column_name="nik", width=16)).fetchall()
    assert sorted(v for v, in failing) == sorted(bad)
