"""The rule "this NIK is somebody else's" is written twice, in SQL for Splink and as a dbt macro: one answer."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import duckdb
import jinja2

from orchestration.linkage.settings import nik_is_another_persons_sql

MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "conform.sql"


def _macros():
    """The project's conform macros rendered as dbt renders them (plain Jinja: they call nothing of dbt's)."""
    return jinja2.Environment().from_string(MACROS.read_text(encoding="utf-8")).module


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


def _agreement(dob_type: str, seed: int, reference: str, other: str) -> tuple[int, int, int, int]:
    """Over drawn NIKs: rows where `other` differs from `reference`, and `reference`'s far, near and unknown counts."""
    con = duckdb.connect()
    con.execute(f"create table t (nik varchar, dob {dob_type})")
    con.executemany("insert into t values (?, ?)", _cases(2000, seed))
    return con.execute(f"""
        select count(*) filter (where ({reference}) is distinct from ({other})),
               count(*) filter (where {reference}), count(*) filter (where not {reference}),
               count(*) filter (where ({reference}) is null)
        from t""").fetchall()[0]


def test_splink_and_dbt_say_the_same_of_every_nik():
    differ, far, near, unknown = _agreement(
        "varchar", 20251202, nik_is_another_persons_sql("nik", "dob"), _macros().nik_is_another_persons("nik", "dob"))
    assert differ == 0
    # The draw reaches every answer, so agreement is not agreement on one value.
    assert far > 100 and near > 100 and unknown > 20


def test_the_macro_on_a_date_says_what_it_says_on_the_dates_text():
    """rule_status applies the rule to a golden birth date of type date; its text form is the reference."""
    module = _macros()
    differ, far, near, unknown = _agreement(
        "date", 20261207, module.nik_is_another_persons("nik", "strftime(dob, '%Y-%m-%d')"),
        module.nik_is_another_persons_on_date("nik", "dob"))
    assert differ == 0
    assert far > 100 and near > 100 and unknown > 20
