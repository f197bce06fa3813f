"""The dbt macro nik_date_is_real against Python's calendar, on every DDMMYY there is."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import jinja2

MACROS = Path(__file__).resolve().parents[3] / "dbt_project" / "macros" / "conform.sql"


def _real(ddmmyy: str) -> bool:
    day, month, yy = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    if not (1 <= day <= 31 or 41 <= day <= 71):
        return False
    for year in (1900 + yy, 2000 + yy):
        try:
            dt.date(year, month, day % 40)
            return True
        except ValueError:
            pass
    return False


def test_a_nik_date_is_real_exactly_when_the_calendar_has_it_in_19yy_or_20yy():
    sql = jinja2.Environment().from_string(MACROS.read_text(encoding="utf-8")).module.nik_date_is_real("nik")
    con = duckdb.connect()
    got = con.execute(
        f"select substr(nik, 7, 6), {sql} from (select '317101' || lpad(i::varchar, 6, '0') || '0001' as nik "
        "from range(1000000) t(i)) order by 1").fetchall()
    expected = {ddmmyy: _real(ddmmyy) for ddmmyy, _ in got}
    wrong = [ddmmyy for ddmmyy, real in got if real != expected[ddmmyy]]
    assert len(got) == 1_000_000 and wrong == []
    assert sum(expected.values()) > 2 * 36_500  # men's and women's (+40) days of a century each
