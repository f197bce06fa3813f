"""The quality gate on a small generated quarter: it passes, and it blocks a quarter with a missing death registry
or a P3KE whose NIKs were saved as numbers, leaving the published files as they were."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from python_calamine import CalamineWorkbook

from orchestration.quarters import Quarter
from orchestration.synth import generate_quarter
from tests.conftest import write_xlsx

QUARTER = "2025Q2"


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _run(data_dir: Path, instance: dg.DagsterInstance, name: str):
    from orchestration.run import run_quarter

    return run_quarter(Quarter.parse(QUARTER), data_dir / "logs" / f"{name}.log", instance=instance)


def _gate(data_dir: Path) -> dict:
    return json.loads((data_dir / "reports" / QUARTER / "gate_report.json").read_text())


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A small quarter that passed the gate and was published once."""
    data_dir = tmp_path_factory.mktemp("gates") / "data"
    generate_quarter(QUARTER, 1_500, seed=11, data_dir=data_dir)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SATUDATA_DATA_DIR", str(data_dir))
        instance = dg.DagsterInstance.ephemeral()
        outcome = _run(data_dir, instance, "first")
        assert outcome.success, outcome.render()
        yield data_dir, instance, outcome


def test_both_suites_pass_on_a_sound_quarter(published):
    data_dir, _, outcome = published
    gate = _gate(data_dir)
    assert gate["verdict"] == "PASSED" and gate["run_id"] == outcome.run_id
    assert {s["suite_name"] for s in gate["suites"]} == {"bps_submission", "quarter"}
    assert (data_dir / "publish" / QUARTER / "bps_submission.csv").is_file()


def test_the_frames_have_the_columns_the_suites_expect(published):
    # The quarter frame is built by our own code: its shape is pinned here, not by expectations that cannot fail.
    from expectations.quarter import COLUMNS as QUARTER_COLUMNS
    from expectations.submission import COLUMNS as SUBMISSION_COLUMNS
    from orchestration.defs.quality.frames import quarter_frame, submission_frame
    from orchestration.paths import QuarterPaths

    data_dir, _, _ = published
    paths = QuarterPaths(data_dir, Quarter.parse(QUARTER))
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        quarter = quarter_frame(con, paths)
        submission = submission_frame(con)
    assert len(quarter) == 1 and sorted(quarter.columns) == sorted(QUARTER_COLUMNS)
    assert sorted(submission.columns) == sorted(SUBMISSION_COLUMNS)
    assert quarter["death_registry_invalid_nik_share"][0] < 0.05
    # Every published row's BPS code is its kelurahan's in the seed.
    assert (submission["kode_kelurahan_bps"] == submission["kode_kelurahan_bps_of_kelurahan"]).all()


def _unreadable(nik: str, i: int) -> str:
    """A NIK nobody can read, in one of the ways exports and typists break them (not the generator's)."""
    return [nik[:6] + "O" + nik[7:], "3.17101E+15", nik[:15], "-", nik + "9", "'" + nik[:8] + "/" + nik[8:]][i % 6]


def test_a_death_file_with_a_third_of_its_niks_unreadable_blocks_naming_the_file(published):
    data_dir, instance, _ = published
    path = data_dir / "landing" / QUARTER / "dukcapil_kematian.csv"
    kept = path.parent.parent / "kematian_niks.keep"
    shutil.copy(path, kept)
    with path.open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    nik = [c.strip().upper() for c in header].index("NIK")
    for i, row in enumerate(rows):
        if i % 3 == 0:
            row[nik] = _unreadable(row[nik], i // 3)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header, *rows])
    try:
        outcome = _run(data_dir, instance, "deaths_unreadable")
    finally:
        shutil.move(kept, path)
    assert not outcome.success
    gate = _gate(data_dir)
    assert gate["verdict"] == "BLOCKED"
    registry = [f for f in gate["failures"] if "death_registry_invalid_nik_share" in f]
    assert len(registry) == 1 and "dukcapil_kematian.csv" in registry[0] and "33." in registry[0], gate["failures"]
    # Every row of the file is still in the ledger, a third of them without a NIK.
    with duckdb.connect(str(data_dir / "warehouse" / f"{QUARTER}.duckdb"), read_only=True) as con:
        fates = dict(con.execute("select fate, count(*) from marts.record_ledger "
                                 "where source = 'dukcapil_kematian' group by 1").fetchall())
    assert sum(fates.values()) == len(rows)
    assert fates.get("registry_invalid_nik", 0) >= len(range(0, len(rows), 3))


def test_a_missing_death_registry_blocks_and_keeps_the_published_files(published):
    data_dir, instance, _ = published
    landing = data_dir / "landing" / QUARTER
    before = _digests(data_dir / "publish" / QUARTER)
    kept = landing.parent / "kematian.keep"
    shutil.move(landing / "dukcapil_kematian.csv", kept)
    try:
        outcome = _run(data_dir, instance, "no_deaths")
    finally:
        shutil.move(kept, landing / "dukcapil_kematian.csv")
    assert not outcome.success
    assert any(c.startswith("gx_quarter_suite") and "death registry" in c for c in outcome.failed_checks)
    gate = _gate(data_dir)
    assert gate["verdict"] == "BLOCKED" and gate["run_id"] == outcome.run_id
    assert any("death registry" in f for f in gate["failures"])
    assert _digests(data_dir / "publish" / QUARTER) == before


def test_p3ke_niks_saved_as_numbers_block_the_quarter(published):
    data_dir, instance, _ = published
    landing = data_dir / "landing" / QUARTER
    original = landing / "p3ke.xlsx"
    kept = landing.parent / "p3ke.keep"
    shutil.copy(original, kept)
    rows = CalamineWorkbook.from_path(str(original)).get_sheet_by_name("Individu").to_python()
    header, body = [str(c) for c in rows[0]], rows[1:]
    # Two rows in five typed as numbers: under ingestion's whole-column refusal (half), far over the gate's 5 %.
    write_xlsx(original, header, body, number_columns=("nik",), number_rows={r for r in range(1, len(body) + 1)
                                                                           if r % 5 in (1, 3)})
    try:
        outcome = _run(data_dir, instance, "p3ke_numbers")
    finally:
        shutil.move(kept, original)
    assert not outcome.success
    assert any(c.startswith("gx_quarter_suite") and "p3ke" in c for c in outcome.failed_checks), outcome.render()
    gate = _gate(data_dir)
    assert gate["verdict"] == "BLOCKED"
    assert any("p3ke" in f and "NIK" in f for f in gate["failures"])
    assert not any("dtks" in f or "carik" in f for f in gate["failures"])


def _publish_as(data_dir: Path, quarter: str, row_count: int) -> Path:
    """A copy of the published QUARTER's folder as the published `quarter`, its manifest saying `row_count`."""
    folder = data_dir / "publish" / quarter
    shutil.copytree(data_dir / "publish" / QUARTER, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "quarter": quarter, "row_count": row_count}))
    return folder


def test_a_submission_far_from_the_last_published_quarters_size_blocks(published, tmp_path):
    """The size check compares with the latest *published* earlier quarter (its manifest verifies), so a skipped
    quarter in between does not switch it off, and a publish folder whose submission does not match its manifest
    is not a published quarter."""
    from expectations.bounds import GateBounds
    from expectations.quarter import build_quarter_suite
    from orchestration.defs.quality.frames import quarter_frame
    from orchestration.paths import QuarterPaths
    from orchestration.quality.gx_runner import validate

    data_dir, _, _ = published
    paths = QuarterPaths(data_dir, Quarter.parse(QUARTER))
    earlier = []
    try:
        with duckdb.connect(str(paths.warehouse), read_only=True) as con:
            rows = con.execute("select count(*) from marts.bps_submission").fetchall()[0][0]
            # 2025Q1 skipped (nothing published); 2024Q4 published with twice the rows.
            earlier.append(_publish_as(data_dir, "2024Q4", rows * 2))
            far = quarter_frame(con, paths)
            # A 2025Q1 folder whose submission was changed after its manifest: not published, so still 2024Q4.
            tampered = _publish_as(data_dir, "2025Q1", rows + 1)
            earlier.append(tampered)
            with (tampered / "bps_submission.csv").open("a") as f:
                f.write("\n")
            still_far = quarter_frame(con, paths)
            shutil.rmtree(tampered)
            earlier.append(_publish_as(data_dir, "2025Q1", rows + 1))
            near = quarter_frame(con, paths)
    finally:
        for folder in earlier:
            shutil.rmtree(folder, ignore_errors=True)
    assert far["previous_submission_rows"][0] == rows * 2
    assert still_far["previous_submission_rows"][0] == rows * 2
    assert near["previous_submission_rows"][0] == rows + 1

    def size_check(frame) -> bool:
        # Only this expectation: an earlier test left the warehouse with a mangled P3KE behind.
        result = validate(frame, build_quarter_suite(GateBounds()), gx_dir=tmp_path / "gx")
        return all(o.success for o in result.expectations if o.column == "submission_size_change")

    assert size_check(far) is False
    assert size_check(still_far) is False
    assert size_check(near) is True
