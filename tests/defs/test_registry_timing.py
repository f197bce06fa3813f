"""Registries pulled after the quarter closes: events dated later publish and exclude, a stale registry blocks.

A small generated quarter whose Dukcapil extracts are edited the way a real extract pulled on the 15th of the next
month looks: a death and a move out dated after the quarter's last day, a return into DKI after the quarter, and
one event with an impossible year. Each run goes through the whole Dagster job (real DuckDB, dbt, Splink, GX).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from orchestration.quarters import Quarter
from orchestration.synth import generate_quarter
from tests.defs.landing_edits import Row, read_list, write_list

QUARTER = Quarter.parse("2025Q2")
LAST_DAY = QUARTER.last_day


def _run(data_dir: Path, instance: dg.DagsterInstance, name: str):
    from orchestration.run import run_quarter

    return run_quarter(QUARTER, data_dir / "logs" / f"{name}.log", instance=instance)


def _clean_residents(data_dir: Path, n: int) -> list[str]:
    """NIKs of n listed residents whose list rows carry their NIK and name as issued (none is in a registry)."""
    truth = data_dir / "truth" / QUARTER.key
    persons = pd.read_parquet(truth / "persons.parquet")
    rows = pd.read_parquet(truth / "source_rows.parquet")
    rows = rows[rows.source.isin(["dtks", "p3ke", "carik"])]
    touched = set(rows[rows.corruptions.str.contains("nik|name|dob|address", regex=True)].person_id)
    chosen = persons[(persons.status == "resident") & persons.listed & persons.nik_valid & (persons.planted == "")
                     & persons.kode_kelurahan.notna() & ~persons.person_id.isin(touched)]
    return chosen.sort_values("person_id").nik.head(n).tolist()


def _add(landing: Path, source: str, rows: list[list[str]]) -> None:
    file = read_list(landing, source)
    for cells in rows:
        file.rows.append(Row(cells))
    write_list(landing, file)


def _day(days_after_quarter: int) -> str:
    return (LAST_DAY + dt.timedelta(days=days_after_quarter)).isoformat()


@pytest.fixture(scope="module")
def late_extract(tmp_path_factory):
    """A quarter whose registries were pulled 20 days after it closed, run once."""
    data_dir = tmp_path_factory.mktemp("registry_timing") / "data"
    generate_quarter(QUARTER.key, 1_500, seed=23, data_dir=data_dir)
    landing = data_dir / "landing" / QUARTER.key
    died, moved_out, came_back, typo_year = _clean_residents(data_dir, 4)
    _add(landing, "dukcapil_kematian", [
        [died, "NAMA DARI DUKCAPIL", "", _day(12), "3171-KM-12072025-9001"]])
    _add(landing, "dukcapil_pindah", [
        [moved_out, "NAMA DARI DUKCAPIL", _day(9), "5", "3273", "PINDAH_KELUAR"],
        # Moved out in the quarter and came back before the extract: a resident again.
        [came_back, "NAMA DARI DUKCAPIL", "2025-05-03", "4", "3273", "PINDAH_KELUAR"],
        [came_back, "NAMA DARI DUKCAPIL", _day(15), "2", "3171011001", "PINDAH_DALAM_DKI"],
        # A move within DKI with a year no extract of this quarter can hold: the date is a rejected cell.
        [typo_year, "NAMA DARI DUKCAPIL", "2052-06-10", "2", "3171011001", "PINDAH_DALAM_DKI"],
    ])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SATUDATA_DATA_DIR", str(data_dir))
        instance = dg.DagsterInstance.ephemeral()
        outcome = _run(data_dir, instance, "late_extract")
        yield data_dir, instance, outcome, {"died": died, "moved_out": moved_out, "came_back": came_back,
                                            "typo_year": typo_year}


def _published_niks(data_dir: Path) -> set[str]:
    with (data_dir / "publish" / QUARTER.key / "bps_submission.csv").open(encoding="utf-8", newline="") as f:
        return {row["nik"] for row in csv.DictReader(f)}


def test_a_quarter_whose_registries_hold_later_events_publishes(late_extract):
    data_dir, _, outcome, _ = late_extract
    assert outcome.success, outcome.render()
    gate = json.loads((data_dir / "reports" / QUARTER.key / "gate_report.json").read_text())
    assert gate["verdict"] == "PASSED"
    with duckdb.connect(str(data_dir / "warehouse" / f"{QUARTER.key}.duckdb"), read_only=True) as con:
        latest = con.execute("select (select max(tanggal_kematian) from staging.stg_dukcapil__deaths), "
                             "(select max(tanggal_pindah) from staging.stg_dukcapil__moves)").fetchall()[0]
    assert all(day > LAST_DAY for day in latest)


def test_people_known_dead_or_moved_out_at_extract_time_are_excluded_and_counted(late_extract):
    data_dir, _, _, people = late_extract
    published = _published_niks(data_dir)
    in_submission = {who: nik in published for who, nik in people.items()}
    assert in_submission == {"died": False, "moved_out": False, "came_back": True, "typo_year": True}
    with duckdb.connect(str(data_dir / "warehouse" / f"{QUARTER.key}.duckdb"), read_only=True) as con:
        status = dict(con.execute(
            "select case nik when ? then 'died' when ? then 'moved_out' end, status || ':' || "
            "registry_event_after_quarter from marts.persons where nik in (?, ?)",
            [people["died"], people["moved_out"], people["died"], people["moved_out"]]).fetchall())
        later = con.execute("select count(*) from marts.persons where registry_event_after_quarter "
                            "and status in ('deceased', 'moved_out', 'nik_deactivated')").fetchall()[0][0]
        rejected = con.execute("select count(*) from intermediate.int_cells__rejected where source = "
                               "'dukcapil_pindah' and issue = 'date_after_extract'").fetchall()[0][0]
    assert status == {"died": "deceased:true", "moved_out": "moved_out:true"}
    # The two planted people are among them (above); the generator's own quarter has post-quarter events too.
    assert later >= 2 and rejected == 1
    report = (data_dir / "reports" / QUARTER.key / "exclusions.md").read_text(encoding="utf-8")
    assert f"Jumlah: {later} dari" in report


def test_the_publish_metadata_counts_the_exclusions_on_later_events(late_extract):
    data_dir, instance, outcome, _ = late_extract
    event = instance.get_latest_materialization_event(dg.AssetKey(["publish", "bps_submission"]))
    assert event.run_id == outcome.run_id
    metadata = event.asset_materialization.metadata
    with duckdb.connect(str(data_dir / "warehouse" / f"{QUARTER.key}.duckdb"), read_only=True) as con:
        later = con.execute("select count(*) from marts.persons where registry_event_after_quarter "
                            "and status in ('deceased', 'moved_out', 'nik_deactivated')").fetchall()[0][0]
    assert metadata["exclusions_after_quarter_end"].value == later >= 2


def test_a_stale_registry_blocks_even_with_an_impossible_later_date(late_extract):
    """Every death dated before the quarter, plus one typo'd 2099: still stale, blocked, named as stale."""
    data_dir, instance, _, _ = late_extract
    landing = data_dir / "landing" / QUARTER.key
    kept = landing.parent / "kematian.keep"
    shutil.copy(landing / "dukcapil_kematian.csv", kept)
    deaths = read_list(landing, "dukcapil_kematian")
    column = deaths.index("TGL_KEMATIAN")
    for row in deaths.rows:
        row.cells[column] = (QUARTER.first_day - dt.timedelta(days=40)).isoformat()
    deaths.rows[0].cells[column] = "2099-04-01"
    write_list(landing, deaths)
    try:
        outcome = _run(data_dir, instance, "stale")
    finally:
        shutil.move(kept, landing / "dukcapil_kematian.csv")
    assert not outcome.success
    gate = json.loads((data_dir / "reports" / QUARTER.key / "gate_report.json").read_text())
    assert gate["verdict"] == "BLOCKED"
    assert gate["failures"] == [
        ("quarter: death_registry_latest_age_days — the Dukcapil death registry's latest event is older than the "
         "quarter's first day")]
