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
    # The frames are built by our own code: their shape is pinned here, not by expectations that cannot fail.
    from expectations.quarter import COLUMNS as QUARTER_COLUMNS
    from expectations.submission import columns as submission_columns
    from orchestration.defs.quality.frames import dki_kelurahan_codes, quarter_frame, submission_counts
    from orchestration.paths import QuarterPaths

    data_dir, _, _ = published
    paths = QuarterPaths(data_dir, Quarter.parse(QUARTER))
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        quarter = quarter_frame(con, paths)
        counts = submission_counts(con, dki_kelurahan_codes(con))
        rows = con.execute("select count(*) from marts.bps_submission").fetchall()[0][0]
    assert len(quarter) == 1 and sorted(quarter.columns) == sorted(QUARTER_COLUMNS)
    assert len(counts) == 1 and list(counts.columns) == list(submission_columns())
    assert quarter["death_registry_invalid_nik_share"][0] < 0.05
    figures = counts.iloc[0].to_dict()
    assert figures["submission_rows"] == rows > 0
    # Every published row's BPS code is its kelurahan's in the seed; no rule is broken on a quarter that passed.
    assert {k: v for k, v in figures.items() if k.endswith("_rows") and k != "submission_rows"} == dict.fromkeys(
        (k for k in figures if k.endswith("_rows") and k != "submission_rows"), 0)


# Defects planted in a copy of the generated quarter's warehouse, as SQL on the submission or on the registries'
# raw rows (the staging views clean them as they would a file's). The n-th person by person_id is picked, so that
# every defect falls on a different, real published person.
_NTH = "(select person_id from marts.bps_submission order by person_id limit 1 offset {n})"
PLANTED = {
    "deceased": [f"insert into raw.dukcapil_kematian (nik, tgl_kematian, source_row, file_name) "
                 f"select nik, '2025-05-20', 1000000, 'dukcapil_kematian.csv' from marts.bps_submission "
                 f"where person_id = {_NTH.format(n=10)}"],
    "moved_out": [f"insert into raw.dukcapil_pindah (nik, tgl_pindah, klasifikasi_pindah, kode_wilayah_tujuan, "
                  f"status, source_row, file_name) "
                  f"select nik, '2025-07-14', '4', '3216202003', 'PINDAH_KELUAR', 1000000, 'dukcapil_pindah.csv' "
                  f"from marts.bps_submission where person_id = {_NTH.format(n=15)}"],
    "invalid_nik": [f"update marts.bps_submission set nik = substr(nik, 1, 15) where person_id = {_NTH.format(n=20)}"],
    "non_dki_kelurahan": [f"update marts.bps_submission set kode_kelurahan = '3201011001' "
                          f"where person_id = {_NTH.format(n=30)}"],
    "wrong_bps_code": [f"update marts.bps_submission s set kode_kelurahan_bps = (select min(kode_bps_kelurahan) "
                       f"from reference.dki_kelurahan k where k.kode <> s.kode_kelurahan) "
                       f"where person_id = {_NTH.format(n=40)}"],
    "duplicate_person_id": [f"update marts.bps_submission set person_id = {_NTH.format(n=51)} "
                            f"where person_id = {_NTH.format(n=50)}"],
    "duplicate_nik": [f"update marts.bps_submission set nik = (select nik from marts.bps_submission "
                      f"where person_id = {_NTH.format(n=61)}) where person_id = {_NTH.format(n=60)}"],
    "unclean_name": [f"update marts.bps_submission set nama = nama || ' 2' where person_id = {_NTH.format(n=70)}"],
}
PLANTED["all_at_once"] = [sql for statements in PLANTED.values() for sql in statements]


@pytest.mark.parametrize("defect", [None, *PLANTED])
def test_the_counted_suite_blocks_exactly_as_the_row_level_one(published, tmp_path, defect):
    """On the generated quarter, clean or with a planted defect, the gate's count-based suite and the row-level
    suite it replaced (tests/quality/row_level_suite.py) give the same verdicts and unexpected counts."""
    from expectations.submission import build_submission_suite
    from orchestration.defs.quality.frames import dki_kelurahan_codes, submission_counts
    from orchestration.quality.gx_runner import failed, validate
    from tests.quality.row_level_suite import build_row_level_suite, differences, row_level_frame

    data_dir, _, _ = published
    warehouse = tmp_path / f"{QUARTER}.duckdb"
    shutil.copy(data_dir / "warehouse" / f"{QUARTER}.duckdb", warehouse)
    with duckdb.connect(str(warehouse)) as con:
        for sql in PLANTED.get(defect, []):
            con.execute(sql)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        codes = dki_kelurahan_codes(con)
        counts, frame = submission_counts(con, codes), row_level_frame(con)
    counted = validate(counts, build_submission_suite(codes), gx_dir=tmp_path / "gx")
    rows = validate(frame, build_row_level_suite(codes), gx_dir=tmp_path / "gx")
    assert differences(counted, rows) == []
    assert counted.success is (defect is None), failed(counted)
    if defect == "all_at_once":
        # One sentence per planted defect (a 15-digit NIK breaks its pattern and its structure; the two people of
        # a shared NIK or person_id are counted both).
        assert sorted(failed(counted)) == sorted([
            f"bps_submission: in_death_registry — 1 of {len(frame):,} rows are in the Dukcapil death registry",
            f"bps_submission: in_move_out_registry — 1 of {len(frame):,} rows moved out of DKI or were deactivated "
            "in the Dukcapil move registry",
            f"bps_submission: nik — 1 of {len(frame):,} rows have a NIK without the 16-digit NIK structure",
            f"bps_submission: nik_structurally_valid — 1 of {len(frame):,} rows have a NIK with an unknown area "
            "code, an impossible birth date or serial 0000",
            f"bps_submission: kode_kelurahan — 1 of {len(frame):,} rows have a kelurahan code outside DKI "
            "Jakarta's 267 kelurahan",
            f"bps_submission: kode_kelurahan_bps — 1 of {len(frame):,} rows have a BPS kelurahan code that is not "
            "their kelurahan's",
            f"bps_submission: person_id — 2 of {len(frame):,} rows share their person_id with another row",
            f"bps_submission: nik — 2 of {len(frame):,} rows share their NIK with another row",
            f"bps_submission: nama — 1 of {len(frame):,} rows have a name with characters other than letters, an "
            "apostrophe and single spaces",
        ])


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
