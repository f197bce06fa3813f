"""The rule "this NIK is somebody else's" is written twice, in SQL for Splink and as a dbt macro: one answer."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import duckdb
import jinja2

from orchestration.linkage.settings import nik_is_another_persons_sql

MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "conform.sql"


def _dbt_macro_sql(nik: str, dob: str) -> str:
    """The dbt macro rendered as dbt renders it (plain Jinja: the macro calls nothing of dbt's)."""
    return jinja2.Environment().from_string(MACROS.read_text(encoding="utf-8")).module.nik_is_another_persons(nik, dob)


def _cases(n: int, seed: int) -> list[tuple[str, str | None]]:
    """NIKs around birth dates: own, one part typed wrongly, day and month swapped, the 1 January filler, far."""
    rng = random.Random(seed)
    out: list[tuple[str, str | None]] = []
    for _ in range(n):
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(30_000))
        day, month, year = born.day + rng.choice((0, 40)), born.month, born.year % 100
        kind = rng.randrange(7)
        if kind == 1:
            day = (day + rng.randrange(1, 9)) % 72 or 1
        elif kind == 2:
            month = month % 12 + 1
        elif kind == 3:
            year = (year + rng.choice((1, 10, 30))) % 100
        elif kind == 4:
            day, month = month, day % 40
        elif kind == 5:
            born = dt.date(born.year, 1, 1)
        elif kind == 6:
            day, month, year = rng.randrange(1, 72), rng.randrange(1, 13), rng.randrange(100)
        nik = f"3175{rng.randrange(1, 10):02d}{day:02d}{month:02d}{year:02d}{rng.randrange(1, 50):04d}"
        out.append((nik, None if rng.random() < 0.05 else born.isoformat()))
    return out


def test_splink_and_dbt_say_the_same_of_every_nik():
    con = duckdb.connect()
    con.execute("create table t (nik varchar, dob varchar)")
    con.executemany("insert into t values (?, ?)", _cases(2000, 20251202))
    python_sql, dbt_sql = nik_is_another_persons_sql("nik", "dob"), _dbt_macro_sql("nik", "dob")
    differ, far, near, unknown = con.execute(f"""
        select count(*) filter (where ({python_sql}) is distinct from ({dbt_sql})),
               count(*) filter (where {python_sql}), count(*) filter (where not {python_sql}),
               count(*) filter (where ({python_sql}) is null)
        from t""").fetchall()[0]
    assert differ == 0
    # The draw reaches every answer, so agreement is not agreement on one value.
    assert far > 100 and near > 100 and unknown > 20
