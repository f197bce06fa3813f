"""Field verification and appeals end to end: worksheets per kelurahan, results filled in and imported, appeals
recorded, the quarter run again, and the next quarter. Real components: generated quarters through the Dagster job
(dbt, Splink, GX), the worksheets read and written as xlsx, the CLI."""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from orchestration.audit import audit
from orchestration.cli import main
from orchestration.quarters import Quarter
from orchestration.review import audit_log
from orchestration.synth import generate_quarter
from orchestration.verification import worksheet_format as fmt
from tests.review.reviewer import doubtful_config

QUARTER, NEXT = "2025Q2", "2025Q3"
PEOPLE = 5_000
PETUGAS = "197902152008011002"  # an NIP-shaped staff id
WORKSHEETS_KEY = dg.AssetKey(["review", "verification_worksheets"])


def _run(data_dir, quarter, instance):
    from orchestration.run import run_quarter

    outcome = run_quarter(Quarter.parse(quarter), data_dir / "logs" / f"{quarter}.log", instance=instance)
    assert outcome.success, outcome.render()


def _metadata(instance, quarter: str) -> dict:
    event = instance.get_latest_materialization_event(WORKSHEETS_KEY)
    assert event.asset_materialization.partition == quarter
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


def _persons(data_dir, quarter: str, sql: str) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "warehouse" / f"{quarter}.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _fill(folder, target, results: dict[str, tuple[str, str | None]]) -> None:
    """Copy the worksheets of `folder` to `target`, with hasil (and kode_kelurahan_baru) set on the rows of
    `results` (id_verifikasi -> (hasil, kode)); only the files that got a result are returned."""
    target.mkdir()
    for path in sorted(folder.glob("*.xlsx")):
        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_name(fmt.SHEET_ROWS).to_python()
        about = book.get_sheet_by_name(fmt.SHEET_ABOUT).to_python()
        at = {name: rows[0].index(name) for name in fmt.ROW_COLUMNS}
        touched = False
        for row in rows[1:]:
            if row[at["id_verifikasi"]] in results:
                hasil, kode = results[row[at["id_verifikasi"]]]
                row[at["hasil"]], row[at["kode_kelurahan_baru"]] = hasil, kode or ""
                row[at["tanggal_kunjungan"]], row[at["petugas"]] = "2025-07-05", PETUGAS
                touched = True
        if not touched:
            continue
        out = xlsxwriter.Workbook(str(target / path.name), {"strings_to_numbers": False})
        for name, sheet_rows in ((fmt.SHEET_ROWS, rows), (fmt.SHEET_ABOUT, about)):
            sheet = out.add_worksheet(name)
            for r, row in enumerate(sheet_rows):
                for c, value in enumerate(row):
                    if value not in ("", None):
                        sheet.write_string(r, c, str(value)) if isinstance(value, str) else sheet.write(r, c, value)
        out.close()


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("field") / "data"
    config = doubtful_config()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SATUDATA_DATA_DIR", str(data_dir))
        instance = dg.DagsterInstance.ephemeral()
        generate_quarter(QUARTER, PEOPLE, data_dir=data_dir, config=config)
        _run(data_dir, QUARTER, instance)
        first = _metadata(instance, QUARTER)
        rows = duckdb.sql(f"select id_verifikasi, jenis_keraguan, person_id, kode_kelurahan from read_parquet("
                          f"'{data_dir}/warehouse/{QUARTER}.verification_rows.parquet') order by 1").fetchall()
        by_kind = {}
        for row in rows:
            by_kind.setdefault(row[1], []).append(row)
        other_code = _persons(data_dir, QUARTER, "select kode from reference.dki_kelurahan order by kode limit 2")
        chosen = {
            "near_nik_lives": by_kind["nik_dekat_dukcapil"][0],
            "dead": by_kind["nik_tidak_cocok"][0],
            "moved_within": by_kind["nik_tidak_cocok"][1],
            "moved_out": by_kind["nik_tidak_cocok"][2],
            "not_known": by_kind["nik_tidak_cocok"][3],
        }
        moved_to = next(code for code, in other_code if code != chosen["moved_within"][3])
        results = {
            chosen["near_nik_lives"][0]: ("masih tinggal di alamat", None),
            chosen["dead"][0]: ("meninggal", None),
            chosen["moved_within"][0]: ("pindah dalam DKI", moved_to),
            chosen["moved_out"][0]: ("pindah keluar DKI", None),
            chosen["not_known"][0]: ("tidak dikenal", None),
        }
        returned = data_dir.parent / "kembali"
        _fill(data_dir / "reports" / QUARTER / fmt.FOLDER, returned, results)
        assert main(["verifikasi", "import", str(returned), "--quarter", QUARTER, "--data-dir", str(data_dir)]) == 0
        _run(data_dir, QUARTER, instance)
        after_field = _metadata(instance, QUARTER)
        # Appeals on this run's exclusions: the one found gone from DKI wins hers; the one unknown at the address loses.
        for key, keputusan in (("moved_out", "diterima"), ("not_known", "ditolak")):
            assert main(["sanggah", "--quarter", QUARTER, "--person-id", chosen[key][2], "--alasan",
                         "masih_tinggal_di_dki", "--bukti", "SRT/2025/0012", "--keputusan", keputusan,
                         "--diputus-oleh", PETUGAS, "--tanggal", "2025-08-01", "--data-dir", str(data_dir)]) == 0
        _run(data_dir, QUARTER, instance)
        generate_quarter(NEXT, PEOPLE, data_dir=data_dir, config=config)
        _run(data_dir, NEXT, instance)
    yield {"data_dir": data_dir, "first": first, "after_field": after_field, "chosen": chosen, "moved_to": moved_to}


def _status(loop, quarter, key) -> tuple:
    person_id = loop["chosen"][key][2]
    return _persons(loop["data_dir"], quarter, "select status, rule_status, changed_by, field_result, appeal_decision, "
                    f"kode_kelurahan from marts.persons where person_id = '{person_id}'")[0]


def _ledger(loop, quarter, key) -> set[tuple]:
    person_id = loop["chosen"][key][2]
    path = loop["data_dir"] / "reports" / quarter / "record_ledger.csv"
    return set(duckdb.sql(f"select fate, reason, field_result_id is not null, appeal_id is not null from read_csv("
                          f"'{path}', all_varchar = true) where person_id = '{person_id}'").fetchall())


def test_worksheets_per_kelurahan_list_the_doubts(loop):
    first = loop["first"]
    assert first["open_doubts"] > 0 and first["worksheets"] > 1
    assert first["open_nik_dekat_dukcapil"] > 0 and first["open_nik_tidak_cocok"] >= 4
    folder = loop["data_dir"] / "reports" / QUARTER / fmt.FOLDER
    for path in folder.glob("*.xlsx"):
        assert path.stat().st_mode & 0o777 == 0o600
        assert path.name == fmt.UNRESOLVED_FILE or fmt.KODE_KELURAHAN.match(path.stem), path.name


def test_meninggal_excludes_with_a_reason_of_its_own(loop):
    assert _status(loop, QUARTER, "dead")[:4] == ("field_deceased", "eligible", "verifikasi", "meninggal")
    assert _ledger(loop, QUARTER, "dead") <= {("excluded_field_deceased", "field_deceased", True, False)}
    assert _status(loop, NEXT, "dead")[0] == "field_deceased"


def test_masih_tinggal_undoes_the_near_nik_exclusion_and_the_doubt_is_not_raised_again(loop):
    status, rule_status, changed_by, field_result, *_ = _status(loop, QUARTER, "near_nik_lives")
    assert rule_status.endswith("_near_nik") and (status, changed_by, field_result) == (
        "eligible", "verifikasi", "masih_tinggal")
    assert _ledger(loop, QUARTER, "near_nik_lives") == {("published", "verified_in_field", True, False)}
    row_id = loop["chosen"]["near_nik_lives"][0]
    for quarter in (QUARTER, NEXT):
        ids = {i for i, in duckdb.sql(f"select id_verifikasi from read_parquet('{loop['data_dir']}/warehouse/"
                                      f"{quarter}.verification_rows.parquet')").fetchall()}
        assert row_id not in ids, quarter
    assert loop["after_field"]["open_doubts"] < loop["first"]["open_doubts"]


def test_pindah_dalam_dki_updates_the_kelurahan(loop):
    status, *_, kode = _status(loop, QUARTER, "moved_within")
    assert (status, kode) == ("eligible", loop["moved_to"])
    submission = loop["data_dir"] / "publish" / QUARTER / "bps_submission.csv"
    person_id = loop["chosen"]["moved_within"][2]
    published = duckdb.sql(f"select kode_kelurahan from read_csv('{submission}', all_varchar = true) "
                           f"where person_id = '{person_id}'").fetchall()
    assert published == [(loop["moved_to"],)]


def test_an_upheld_appeal_reinstates_and_a_rejected_one_is_kept(loop):
    status, rule_status, changed_by, field_result, appeal_decision, _ = _status(loop, QUARTER, "moved_out")
    assert (status, changed_by, field_result, appeal_decision) == ("eligible", "sanggahan", "pindah_keluar_dki",
                                                                    "diterima")
    assert _ledger(loop, QUARTER, "moved_out") == {("published", "reinstated_by_appeal", True, True)}
    assert _status(loop, QUARTER, "not_known")[0] == "field_not_known"
    assert _status(loop, QUARTER, "not_known")[4] == "ditolak"
    assert _status(loop, NEXT, "moved_out")[0] == "eligible"
    report = (loop["data_dir"] / "reports" / QUARTER / "exclusions.md").read_text()
    assert "## Keputusan petugas: verifikasi lapangan dan sanggahan" in report
    assert "diterima (dikembalikan ke daftar)" in report and "ditolak (tetap dikecualikan)" in report


def test_every_decision_is_in_the_audit_log_and_tampering_is_found(loop, capsys):
    data_dir = loop["data_dir"]
    entries = audit_log.read_entries(data_dir)
    kinds = [e["kind"] for e in entries]
    assert kinds.count("field") == 5 and kinds.count("appeal") == 2
    # The run that applied them: each result and appeal is named by a run's "applied" entry.
    applied = {i for e in entries if e["kind"] == "applied" and e["run_id"] for i in e["after"].get("applied", [])}
    decided = {e["what"].get("result_id") or e["what"].get("appeal_id") for e in entries
               if e["kind"] in ("field", "appeal")}
    assert decided and decided <= applied
    assert audit_log.verify(data_dir).ok
    # The leak search of `satudata audit` covers decisions/, logs/ and tmp/: no NIK or name there.
    report = audit(data_dir)
    assert report.leaks == {} and report.audit_log.ok
    log = data_dir / audit_log.AUDIT_LOG
    original = log.read_bytes()
    lines = original.decode().splitlines(keepends=True)
    edited = json.loads(lines[0])
    edited["after"] = {**edited["after"], "hasil": "masih_tinggal"}
    try:
        log.write_text(json.dumps(edited, sort_keys=True, separators=(",", ":")) + "\n" + "".join(lines[1:]))
        assert main(["audit", "--data-dir", str(data_dir)]) == 1
        assert "hash does not match the content" in capsys.readouterr().out
    finally:
        log.write_bytes(original)
    assert audit_log.verify(data_dir).ok
