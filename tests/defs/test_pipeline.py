"""The whole quarterly job on a realistic generated quarter (20,000 people), judged against its ground truth."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.truth_scores import score_quarter
from orchestration.quarters import Quarter
from orchestration.synth import generate_quarter

QUARTER = "2025Q2"
PEOPLE = 20_000


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def quarter_run(tmp_path_factory):
    """A generated quarter run once through `quarterly_job`, as `satudata run` does."""
    data_dir = tmp_path_factory.mktemp("pipeline") / "data"
    generate_quarter(QUARTER, PEOPLE, data_dir=data_dir)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SATUDATA_DATA_DIR", str(data_dir))
        from orchestration.run import run_quarter

        instance = dg.DagsterInstance.ephemeral()
        outcome = run_quarter(Quarter.parse(QUARTER), data_dir / "logs" / "run.log", instance=instance)
        yield data_dir, outcome, instance


@pytest.fixture
def truth(quarter_run):
    """The warehouse opened read-only with the truth tables and the published CSV as views.

    Function-scoped: a DuckDB connection left open in this process would stop the next run from writing.
    """
    data_dir, _, _ = quarter_run
    con = duckdb.connect(str(data_dir / "warehouse" / f"{QUARTER}.duckdb"), read_only=True)
    t = data_dir / "truth" / QUARTER
    con.execute(f"create temp view truth_persons as select * from read_parquet('{t}/persons.parquet')")
    con.execute(f"create temp view truth_rows as select * from read_parquet('{t}/source_rows.parquet')")
    con.execute(f"create temp view published as select * from read_csv("
                f"'{data_dir}/publish/{QUARTER}/bps_submission.csv', all_varchar = true)")
    con.execute(f"create temp view ledger as select * from read_csv("
                f"'{data_dir}/reports/{QUARTER}/record_ledger.csv', all_varchar = true)")
    # The true person behind each published person: the one most of its rows belong to.
    con.execute("""
        create temp table published_truth as
        select l.person_id, mode(t.person_id) as true_person_id
        from ledger l
        join truth_rows t on t.source = l.source and t.source_row = cast(l.source_row as bigint)
        where l.fate = 'published'
        group by l.person_id""")
    yield con
    con.close()


def test_the_quarter_publishes(quarter_run):
    data_dir, outcome, _ = quarter_run
    assert outcome.success, outcome.render()
    publish = data_dir / "publish" / QUARTER
    manifest = json.loads((publish / "manifest.json").read_text())
    assert manifest["sha256"] == _sha(publish / "bps_submission.csv")
    assert manifest["gate"]["verdict"] == "PASSED"
    assert manifest["linkage_model"]["version"]
    # The committed model was trained on a generated quarter: the manifest says so in plain words.
    assert manifest["linkage_model"]["trained_on_generated_data"] is True
    assert "trained on GENERATED data (satudata synth" in manifest["notice"]
    assert {i["file_name"] for i in manifest["inputs"]} == {
        "dtks.csv", "p3ke.xlsx", "carik.csv", "dukcapil_kematian.csv", "dukcapil_pindah.csv"}
    report = json.loads((data_dir / "reports" / QUARTER / "gate_report.json").read_text())
    assert report["verdict"] == "PASSED" and report["run_id"] == outcome.run_id
    assert (data_dir / "reports" / QUARTER / "exclusions.md").read_text().startswith("# Laporan pengecualian")


def _metadata(instance: dg.DagsterInstance, key: str) -> dict:
    """The metadata of the latest materialization of asset `key` ("schema/name")."""
    return instance.get_latest_materialization_event(dg.AssetKey.from_user_string(key)).asset_materialization.metadata


def _counts(table, column: str, counted: str) -> dict:
    return {record.data[column]: record.data[counted] for record in table.records}


def test_materializations_show_row_counts_and_breakdowns(quarter_run, truth):
    # Runs before the tests below that re-run the quarter or change its tables.
    _, _, instance = quarter_run
    for key in ("marts/bps_submission", "marts/persons", "marts/record_ledger", "staging/stg_dtks__persons",
                "reference/dki_kelurahan"):
        rows = truth.execute(f"select count(*) from {key.replace('/', '.')}").fetchall()[0][0]
        assert _metadata(instance, key)["dagster/row_count"].value == rows, key
    statuses = dict(truth.execute("select status, count(*) from marts.persons group by 1").fetchall())
    assert _counts(_metadata(instance, "marts/persons")["people_by_status"], "status", "people") == statuses
    fates = dict(truth.execute("select fate, count(*) from marts.record_ledger group by 1").fetchall())
    assert _counts(_metadata(instance, "marts/record_ledger")["rows_by_fate"], "fate", "rows") == fates
    published = _metadata(instance, "publish/bps_submission")
    del statuses["eligible"]
    assert _counts(published["exclusions_by_reason"], "reason", "people") == statuses
    assert _counts(published["fates"], "fate", "rows") == fates
    assert published["gate_verdict"].value == "PASSED"
    assert _counts(published["gate_suites"], "suite", "verdict") == {"bps_submission": "PASSED", "quarter": "PASSED"}
    clusters = _metadata(instance, "linkage/person_clusters")
    assert sum(_counts(clusters["cluster_sizes"], "rows_per_person", "people").values()) == clusters["people"].value
    assert clusters["prior_shift_bits"].value == 0.0  # 20,000 people: fewer rows than the training quarter
    assert clusters["model_trained_on"].value.startswith(f"model {clusters['model_version'].value}, trained on "
                                                         "GENERATED data (satudata synth")
    parts = _counts(clusters["seconds_by_part"], "part", "seconds")
    assert list(parts) == ["copy_input", "predict", "cluster", "split_two_niks", "split_twins", "review_decisions",
                           "review_candidates", "niks_in_several", "person_ids", "keys_export", "write_tables"]
    assert parts["predict"] > 0 and min(parts.values()) >= 0
    run_id = instance.get_latest_materialization_event(dg.AssetKey(["linkage", "person_clusters"])).run_id
    step, = [s for s in instance.get_run_step_stats(run_id) if s.step_key == "linkage__person_clusters"]
    assert sum(parts.values()) <= step.end_time - step.start_time


def test_the_workbook_is_read_ahead_while_the_csvs_load(quarter_run):
    data_dir, _, instance = quarter_run
    assert _metadata(instance, "raw/p3ke")["workbook_read"].value.startswith("ahead, by a child process")
    assert _metadata(instance, "raw/dtks")["csv_reader"].value == "duckdb"
    assert list((data_dir / "tmp" / "ingest").iterdir()) == []  # the child's rows are removed once loaded


def test_submission_columns_and_rows(truth):
    columns = [r[0] for r in truth.execute("describe published").fetchall()]
    assert columns == ["person_id", "nik", "no_kk", "nama", "jenis_kelamin", "tanggal_lahir", "alamat", "rt", "rw",
                       "kode_kelurahan", "kode_kelurahan_bps", "kelurahan", "kecamatan", "kabkota", "sumber", "desil",
                       "program_bansos"]
    rows, people, niks, bad_codes = truth.execute("""
        select count(*), count(distinct person_id), count(distinct nik),
               count(*) filter (where kode_kelurahan not in (select kode from reference.dki_kelurahan))
        from published""").fetchall()[0]
    assert rows == people == niks and bad_codes == 0 and rows > 0.9 * PEOPLE


@pytest.fixture(scope="module")
def scores(quarter_run):
    """The quarter judged against its truth once, from its published files (orchestration/truth_scores.py)."""
    data_dir, _, _ = quarter_run
    return score_quarter(data_dir, QUARTER)


def test_the_issue_11_acceptance_figures_hold(scores):
    # Judged from the published CSV, the ledger and the truth only (orchestration/truth_scores.py): nobody dead,
    # moved out or deactivated (by events before or after the quarter's end) or living outside DKI is published;
    # nobody who moved within DKI is missing; pairwise precision >= 0.999 and recall >= 0.995; people published
    # twice <= 0.1 % of the submission (no person_id holding two true people: the test below).
    figures = scores.as_dict()
    assert scores.published, figures
    assert scores.leaked_by_status == {}, figures
    assert scores.moved_within_dki_missing == 0, figures
    assert scores.precision >= 0.999 and scores.recall >= 0.995, figures
    assert scores.published_twice_share <= 0.001, figures
    assert scores.true_pairs > 1000


def test_no_person_id_holds_two_true_people(scores):
    """Twins, a member under the head's NIK, a mother and daughter of near names: never one person_id."""
    assert scores.person_ids_with_two_people == 0


def test_people_who_moved_within_dki_and_namesakes_of_the_dead_are_published(truth):
    # A namesake of the dead whose NIK is one digit from the dead's (registered next in the same kecamatan) cannot
    # be told from a mistyped NIK of the dead: excluded as *_near_nik and listed for field verification (issue 11).
    missing = truth.execute("""
        select p.planted, p.status, count(*) from truth_persons p
        where p.listed and (p.status = 'moved_within_dki' or p.planted = 'namesake_of_deceased')
          and exists (select 1 from truth_rows t join intermediate.int_persons__conformed c
                      on c.source = t.source and c.source_row = t.source_row
                      where t.person_id = p.person_id and c.nik_valid)
          and p.person_id not in (select true_person_id from published_truth)
          and not exists (select 1 from truth_rows t join ledger l
                          on l.source = t.source and cast(l.source_row as bigint) = t.source_row
                          where t.person_id = p.person_id and l.fate like '%near_nik')
        group by all""").fetchall()
    assert missing == []
    namesakes = truth.execute(
        "select count(*) from truth_persons where planted = 'namesake_of_deceased'").fetchall()[0][0]
    assert namesakes > 0


LIST_FATES = {"published", "excluded_deceased", "excluded_moved_out", "excluded_outside_dki", "excluded_invalid_nik",
              "excluded_unresolved_kelurahan", "excluded_nik_conflict", "excluded_deceased_near_nik",
              "excluded_moved_out_near_nik", "excluded_no_name", "quarantined"}
REGISTRY_FATES = {"registry_applied", "registry_moved_within_dki", "registry_superseded",
                  "registry_no_listed_person", "registry_invalid_nik", "registry_not_counted",
                  "registry_applied_near_nik", "registry_outranked", "quarantined"}


def test_the_ledger_accounts_for_every_input_row(truth):
    # All five files: every row of the lists and of the two Dukcapil registries has exactly one fate.
    by_source = dict(truth.execute("select source, count(*) from ledger group by 1").fetchall())
    files = dict(truth.execute("select source, rows_read from raw.load_log").fetchall())
    assert set(files) == {"dtks", "p3ke", "carik", "dukcapil_kematian", "dukcapil_pindah"}
    assert by_source == files
    assert truth.execute("select count(*) - count(distinct (source, source_row)) from ledger").fetchall()[0][0] == 0
    fates = dict(truth.execute("select fate, count(*) from ledger group by 1").fetchall())
    assert sum(fates.values()) == sum(files.values())
    for kind, allowed in (("list", LIST_FATES), ("registry", REGISTRY_FATES)):
        found = {r[0] for r in truth.execute(
            f"select distinct fate from ledger where (source like 'dukcapil%') = {kind == 'registry'}").fetchall()}
        assert found <= allowed, f"{kind} fates {found - allowed}"
    published_people = truth.execute(
        "select count(distinct person_id) from ledger where fate = 'published'").fetchall()[0][0]
    assert published_people == truth.execute("select count(*) from published").fetchall()[0][0]
    # No names or NIKs in the ledger: rejected and reformatted cells are named by column and reason, never by value.
    assert [r[0] for r in truth.execute("describe ledger").fetchall()] == [
        "source", "source_row", "person_id", "fate", "reason", "cell_issues", "cell_notes", "review_decisions",
        "field_result_id", "appeal_id"]
    assert truth.execute(
        "select count(*) from ledger where regexp_matches(coalesce(cell_issues, '') || coalesce(cell_notes, ''), "
        "'[0-9]{6}')").fetchall()[0][0] == 0


def test_registry_rows_have_the_fate_the_ground_truth_implies(truth):
    # Checked against the generator's truth, not against the models' rules: a death or exclusion of a listed
    # person, dated in the quarter, under their true NIK, applies to that person; a registry row of somebody in no
    # list matches nobody listed.
    rows = truth.execute("""
        select l.source, p.listed, p.status, l.fate, l.person_id is not null as has_person, t.corruptions,
               (select count(*) from truth_rows o where o.person_id = t.person_id and o.source = t.source) as n_rows
        from ledger l
        join truth_rows t on t.source = l.source and t.source_row = cast(l.source_row as bigint)
        join truth_persons p on p.person_id = t.person_id
        where l.source like 'dukcapil%' and p.nik_valid""").fetchall()
    assert rows
    wrong = []
    for source, listed, status, fate, has_person, corruptions, n_rows in rows:
        if "nik_" in corruptions:
            continue  # a mistyped registry NIK may hit another listed person's NIK: not this person's fate to judge
        # An unlisted person's record under a NIK one edit from a listed namesake's excludes that namesake until the
        # field visit (registry_applied_near_nik, issue 11): the rule's known cost, listed in field_verification.csv.
        if not listed and fate not in ("registry_no_listed_person", "registry_invalid_nik",
                                       "registry_applied_near_nik"):
            wrong.append((source, "unlisted", status, fate))
        # A listed person's record may carry an unreadable NIK, a mistyped one, or be a repeated row (the generator's
        # registry errors): invalid, applied through the near NIK, or superseded by its twin row.
        if listed and n_rows == 1 and status in ("deceased", "moved_out", "nik_deactivated") and fate not in (
                "registry_applied", "registry_not_counted", "registry_no_listed_person", "registry_invalid_nik",
                "registry_applied_near_nik", "registry_superseded", "registry_outranked"):
            wrong.append((source, "listed", status, fate))
        if fate.startswith("registry_") and fate not in ("registry_no_listed_person", "registry_invalid_nik") \
                and not has_person:
            wrong.append((source, "no person", status, fate))
    assert not wrong, f"{len(wrong)} registry rows with an unexpected fate, e.g. {wrong[:5]}"
    applied = dict(truth.execute("select source, count(*) from ledger where fate = 'registry_applied' "
                                 "group by 1").fetchall())
    assert applied.get("dukcapil_kematian", 0) > 10 and applied.get("dukcapil_pindah", 0) > 10


def test_every_nik_the_generator_broke_is_a_rejected_cell_of_its_row(truth):
    # The household's KK typed as NIK is left out: it is recognised only when that KK is listed this quarter.
    unflagged = truth.execute("""
        select t.source, count(*) as rows_, count(*) filter (where l.cell_issues is not null) as with_other_issues
        from truth_rows t
        join ledger l on l.source = t.source and cast(l.source_row as bigint) = t.source_row
        where regexp_matches(t.corruptions,
                             'nik_(dash|zero|15_digits|month_13|serial_0000|letters|all_zeros)|excel_number_nik')
          and not regexp_matches(coalesce(l.cell_issues, ''), '(^|; )(nomor_nik|nik|NIK): ')
        group by 1""").fetchall()
    assert unflagged == []
    flagged = truth.execute(
        "select count(*) from ledger where regexp_matches(cell_issues, '(^|; )(nomor_nik|nik|NIK): ')").fetchall()[0][0]
    assert flagged > 100


def test_rerunning_a_published_quarter_gives_a_byte_identical_submission(quarter_run):
    data_dir, _, instance = quarter_run
    submission = data_dir / "publish" / QUARTER / "bps_submission.csv"
    ledger = data_dir / "reports" / QUARTER / "record_ledger.csv"
    before = _sha(submission), _sha(ledger)
    from orchestration.run import run_quarter

    again = run_quarter(Quarter.parse(QUARTER), data_dir / "logs" / "rerun.log", instance=instance)
    assert again.success, again.render()
    assert (_sha(submission), _sha(ledger)) == before
    manifest = json.loads((submission.parent / "manifest.json").read_text())
    assert manifest["run_id"] == again.run_id and manifest["sha256"] == before[0]


def test_a_deceased_person_forced_into_the_submission_table_blocks_publication(quarter_run):
    data_dir, _, instance = quarter_run
    publish = data_dir / "publish" / QUARTER
    before = {p.name: _sha(p) for p in publish.iterdir()}
    with duckdb.connect(str(data_dir / "warehouse" / f"{QUARTER}.duckdb")) as con:
        con.execute("""
            insert into marts.bps_submission
            select 'PFORCED0000001', p.nik, p.no_kk, p.nama, p.jenis_kelamin, strftime(p.tanggal_lahir, '%Y-%m-%d'),
                   p.alamat, p.rt, p.rw, p.kode_kelurahan, p.kode_kelurahan_bps, p.kelurahan, p.kecamatan,
                   p.kabkota, p.sumber, cast(p.desil as varchar), p.program_bansos
            from marts.persons p where p.status = 'deceased' and p.kode_kelurahan is not null limit 1""")
    from orchestration.definitions import defs

    result = defs.resolve_job_def("gate_and_publish_job").execute_in_process(
        partition_key=QUARTER, instance=instance, raise_on_error=False)
    assert not result.success
    failed = {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}
    assert failed == {"gx_submission_suite"}
    description = next(e.description for e in result.get_asset_check_evaluations() if not e.passed)
    assert "death registry" in description
    assert not any(e.is_step_success and e.step_key.startswith("publish") for e in result.all_events)
    assert {p.name: _sha(p) for p in publish.iterdir()} == before
    report = json.loads((data_dir / "reports" / QUARTER / "gate_report.json").read_text())
    assert report["verdict"] == "BLOCKED" and report["run_id"] == result.run_id
    assert any("death registry" in f for f in report["failures"])


def test_an_overlinked_cluster_fails_the_blocking_linkage_check(quarter_run, tmp_path, monkeypatch):
    data_dir, _, instance = quarter_run
    # A candidate model whose bound no real person can meet: every person with two rows is "over-linked".
    from orchestration.linkage.model import MODEL_DIR_ENV, MODEL_SHA256_ENV, MODEL_VERSION_ENV, load_model, write_model

    committed = load_model()
    candidate = write_model(tmp_path / "model", committed.settings,
                            {**committed.meta, "version": "2026-12-01_bound-1", "max_cluster_size": 1})
    monkeypatch.setenv(MODEL_DIR_ENV, str(tmp_path / "model"))
    monkeypatch.setenv(MODEL_VERSION_ENV, candidate.version)
    monkeypatch.setenv(MODEL_SHA256_ENV, candidate.sha256)
    from orchestration.definitions import defs
    from orchestration.defs.linkage.assets import CLUSTERS_KEY

    result = defs.resolve_job_def("quarterly_job").execute_in_process(
        partition_key=QUARTER, instance=instance, raise_on_error=False, asset_selection=[CLUSTERS_KEY])
    assert not result.success
    evaluations = result.get_asset_check_evaluations()
    assert [(e.check_name, e.passed) for e in evaluations] == [("person_clusters_not_overlinked", False)]
    assert "people have more than 1 rows" in evaluations[0].description
