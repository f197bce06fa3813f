"""The status rule (int_dukcapil__nik_status) and the gate's own flags (frames.REGISTRY_FLAGS_SQL) give one answer.

Both are built by their real code (dbt build, DuckDB) from registries made here at random: per NIK up to four
events, deaths and moves of every kind, dated inside the quarter, after its end (the extract is pulled later),
before it, on the same day, without a date, unreadable, or in a year no extract can hold. A third reading, the
documented rule written out below in Python, must agree with both.
"""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pytest

from orchestration.defs.quality.frames import REGISTRY_FLAGS_SQL
from orchestration.quarters import Quarter
from tests.defs.transform.dbt_build import build_models

QUARTER = Quarter.parse("2025Q2")
STATUSES = ("PINDAH_KELUAR", "PINDAH_DALAM_DKI", "NONAKTIF")
HORIZON = QUARTER.last_day + dt.timedelta(days=92)


def _date(rng: random.Random) -> tuple[str, dt.date | None]:
    """A date cell as written, and the date the rule may use (None: no usable date)."""
    kind = rng.choice(["in", "in", "after", "after", "before", "same", "empty", "unreadable", "absurd"])
    day = {"in": QUARTER.first_day + dt.timedelta(days=rng.randrange(91)),
           "after": QUARTER.last_day + dt.timedelta(days=rng.randrange(1, 60)),
           "before": QUARTER.first_day - dt.timedelta(days=rng.randrange(1, 400)),
           "same": QUARTER.last_day,
           "absurd": dt.date(2052, 6, 10)}.get(kind)
    if kind in ("empty", "unreadable"):
        return ("" if kind == "empty" else "12 Maret 2025"), None
    text = day.isoformat() if rng.random() < 0.5 else day.strftime("%d-%m-%Y")
    return text, (day if day <= HORIZON else None)


def _cases(n: int, seed: int):
    rng = random.Random(seed)
    deaths, moves, expected = [], [], {}
    for i in range(n):
        nik = f"3175010101{70 + i // 1000:02d}{i % 1000 + 1:04d}"
        died, latest = False, None  # latest: (date or minimal, source_row, status)
        for _ in range(rng.randint(1, 4)):
            text, day = _date(rng)
            if rng.random() < 0.25:
                deaths.append([nik, "NAMA UJI", "01-01-1970", text, f"3175-KM-01012025-{len(deaths) + 1:04d}"])
                died = True
            else:
                status = rng.choice(STATUSES)
                moves.append([nik, "NAMA UJI", text, "4", "3273", status])
                latest = max(latest or (dt.date.min, 0, ""), (day or dt.date.min, len(moves), status))
        expected[nik] = died or (latest is not None and latest[2] in ("PINDAH_KELUAR", "NONAKTIF"))
    return deaths, moves, expected


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    deaths, moves, expected = _cases(400, seed=7)
    warehouse = build_models(tmp_path_factory.mktemp("registry_status") / "data", QUARTER.key,
                             "+int_dukcapil__nik_status",
                             {"dukcapil_kematian": deaths, "dukcapil_pindah": moves})
    with duckdb.connect(str(warehouse), read_only=True) as con:
        status = dict(con.execute(
            "select nik, registry_status in ('MENINGGAL', 'PINDAH_KELUAR', 'NONAKTIF') "
            "from intermediate.int_dukcapil__nik_status").fetchall())
        flags = dict(con.execute(
            f"select nik, in_death_registry or in_move_out_registry from ({REGISTRY_FLAGS_SQL})").fetchall())
        after = con.execute("select count(*) from intermediate.int_dukcapil__nik_status "
                            "where registry_event_after_quarter").fetchall()[0][0]
    return expected, status, flags, after


def test_the_status_rule_and_the_gate_flags_agree_on_every_nik(built):
    expected, status, flags, _ = built
    everyone = set(expected)
    excluded_by_status = {n for n in everyone if status.get(n, False)}
    excluded_by_gate = {n for n in everyone if flags.get(n, False)}
    disagreements = len(excluded_by_status ^ excluded_by_gate)
    assert disagreements == 0


def test_both_follow_the_documented_rule(built):
    expected, status, _, _ = built
    wrong = sum(status.get(n, False) != excluded for n, excluded in expected.items())
    assert wrong == 0
    # The case set does reach the cases the rule is about.
    assert 100 < sum(expected.values()) < 350


def test_events_after_the_quarter_decide_some_statuses(built):
    _, _, _, after = built
    assert after > 20
