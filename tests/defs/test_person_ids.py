"""Person ids across generated quarters, and the quarter-over-quarter report, against the truth.

Two consecutive published quarters (2025Q1, 2025Q2); then 2025Q3, other people, blocked by the gate (its death
registry is missing) after linkage exported its keys; then 2025Q4, the people of 2025Q1-Q2 again, which must take
its ids and its size check from 2025Q2, the latest published quarter, and never from 2025Q3.
"""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import pytest

from orchestration.quarters import Quarter
from orchestration.synth import generate_quarter

FIRST, SECOND = "2025Q1", "2025Q2"
BLOCKED, AFTER_BLOCKED = "2025Q3", "2025Q4"


@pytest.fixture(scope="module")
def two_quarters(tmp_path_factory):
    """The same people (one seed) in two consecutive quarters, each run through `quarterly_job` in order."""
    data_dir = tmp_path_factory.mktemp("ids") / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SATUDATA_DATA_DIR", str(data_dir))
        from orchestration.run import run_quarter

        instance = dg.DagsterInstance.ephemeral()
        for quarter in (FIRST, SECOND, BLOCKED, AFTER_BLOCKED):
            if quarter == BLOCKED:
                generate_quarter(quarter, 1_000, seed=7, data_dir=data_dir)  # other people
                (data_dir / "landing" / quarter / "dukcapil_kematian.csv").unlink()
            else:
                generate_quarter(quarter, 5_000, data_dir=data_dir)
            outcome = run_quarter(Quarter.parse(quarter), data_dir / "logs" / f"{quarter}.log", instance=instance)
            assert outcome.success == (quarter != BLOCKED), outcome.render()
        # After each quarter is run: the linkage metadata of the last one (2025Q4).
        latest = instance.get_latest_materialization_event(dg.AssetKey(["linkage", "person_clusters"]))
        assert latest.asset_materialization.partition == AFTER_BLOCKED
        data_dir.joinpath("person_clusters_metadata.json").write_text(json.dumps(
            {k: v.value for k, v in latest.asset_materialization.metadata.items() if isinstance(v.value, str | int)}))
    con = duckdb.connect()
    for quarter in (FIRST, SECOND, AFTER_BLOCKED):
        q = quarter.lower()
        con.execute(f"""create view rows_{q} as
            select l.person_id, t.person_id as true_person_id, l.fate
            from read_csv('{data_dir}/reports/{quarter}/record_ledger.csv', all_varchar = true) l
            join read_parquet('{data_dir}/truth/{quarter}/source_rows.parquet') t
              on t.source = l.source and t.source_row = cast(l.source_row as bigint)
            where l.source in ('dtks', 'p3ke', 'carik')""")
        con.execute(f"""create view people_{q} as
            select true_person_id, mode(person_id) as person_id, bool_or(fate = 'published') as published
            from rows_{q} where person_id is not null group by 1""")
        truth = data_dir / "truth" / quarter / "persons.parquet"
        con.execute(f"create view truth_{q} as select * from read_parquet('{truth}')")
    yield data_dir, con
    con.close()


def test_people_in_both_quarters_keep_their_id(two_quarters):
    _, con = two_quarters
    both, kept = con.execute("""
        select count(*), count(*) filter (where a.person_id = b.person_id)
        from people_2025q1 a join people_2025q2 b using (true_person_id)""").fetchall()[0]
    assert both > 3_000
    assert kept / both >= 0.99, (kept, both)


def test_ids_of_different_people_never_collide_across_quarters(two_quarters):
    _, con = two_quarters
    clashes = con.execute("""
        select count(*) from people_2025q1 a join people_2025q2 b using (person_id)
        where a.true_person_id <> b.true_person_id""").fetchall()[0][0]
    assert clashes <= 0.005 * con.execute("select count(*) from people_2025q2").fetchall()[0][0]


def test_the_quarter_over_quarter_report_matches_the_truth(two_quarters):
    data_dir, con = two_quarters
    report = data_dir / "reports" / SECOND / "quarter_over_quarter.csv"
    con.execute(f"create view changes as select * from read_csv('{report}', all_varchar = true)")
    assert [r[0] for r in con.execute("describe changes").fetchall()] == [
        "person_id", "change", "reason", "kode_kelurahan_before", "kode_kelurahan_after"]
    # Who left, and why, as the truth of the second quarter says.
    wrong_reason = con.execute("""
        select c.reason, t.status, count(*) from changes c
        join people_2025q2 p on p.person_id = c.person_id join truth_2025q2 t on t.person_id = p.true_person_id
        where c.change = 'left' and c.reason in ('deceased', 'moved_out', 'nik_deactivated', 'outside_dki')
          and c.reason <> t.status
        group by all""").fetchall()
    assert wrong_reason == []
    # Everyone published in the first quarter who died by the second is reported as having left, deceased. (The
    # generator gives a dead person paired with a namesake that namesake's name, birth date and so NIK afresh
    # each quarter: such a person is not the same identity in both quarters and is left out.)
    died = con.execute("""
        select count(*), count(*) filter (where c.reason = 'deceased')
        from people_2025q1 a join truth_2025q2 t on t.person_id = a.true_person_id
        join truth_2025q1 t1 on t1.person_id = a.true_person_id and t1.nik = t.nik
        left join changes c on c.person_id = a.person_id and c.change = 'left'
        where a.published and t.status = 'deceased' and t.nik_valid""").fetchall()[0]
    assert died[0] > 0 and died[1] == died[0], died
    # Kelurahan changes are people the truth moved within Jakarta (or whose stale address the second quarter
    # corrected): the after-kelurahan is where the truth says they live.
    moved = con.execute("""
        select count(*), count(*) filter (where c.kode_kelurahan_after = t.kode_kelurahan)
        from changes c join people_2025q2 p on p.person_id = c.person_id
        join truth_2025q2 t on t.person_id = p.true_person_id
        where c.change = 'moved_kelurahan'""").fetchall()[0]
    assert moved[0] > 0 and moved[1] >= 0.9 * moved[0], moved
    md = (data_dir / "reports" / SECOND / "quarter_over_quarter.md").read_text()
    assert md.startswith(f"# Perubahan daftar {FIRST} → {SECOND}")


def test_a_blocked_quarters_keys_are_never_used(two_quarters):
    """2025Q4 carries its ids from 2025Q2 (published), not from the keys 2025Q3's blocked run exported."""
    data_dir, con = two_quarters
    assert (data_dir / "warehouse" / f"{BLOCKED}.person_keys.parquet").is_file()  # exported, then blocked
    assert not (data_dir / "publish" / BLOCKED).exists()
    metadata = json.loads((data_dir / "person_clusters_metadata.json").read_text())
    assert metadata["person_ids_from"] == f"{SECOND} (published)"
    both, kept = con.execute("""
        select count(*), count(*) filter (where a.person_id = b.person_id)
        from people_2025q2 a join people_2025q4 b using (true_person_id)""").fetchall()[0]
    assert both > 3_000
    assert kept / both >= 0.99, (kept, both)


def test_a_skipped_quarter_still_gets_the_size_check(two_quarters):
    """2025Q3 published nothing: 2025Q4's size is compared with 2025Q2's, the latest published submission."""
    from orchestration.defs.quality.frames import quarter_frame
    from orchestration.paths import QuarterPaths

    data_dir, _ = two_quarters
    paths = QuarterPaths(data_dir, Quarter.parse(AFTER_BLOCKED))
    published_rows = json.loads((data_dir / "publish" / SECOND / "manifest.json").read_text())["row_count"]
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        frame = quarter_frame(con, paths)
        rows = con.execute("select count(*) from marts.bps_submission").fetchall()[0][0]
    assert frame["previous_submission_rows"][0] == published_rows
    assert frame["submission_size_change"][0] == abs(rows - published_rows) / published_rows


def test_the_keys_files_hold_no_nik_kk_or_name_of_the_truth(two_quarters):
    """Every keys file is HMAC hashes and ids only: none of the truth's NIKs, No. KKs or names occurs in it."""
    from orchestration.audit import PersonalValues, find_in_bytes

    data_dir, con = two_quarters
    for quarter in (FIRST, SECOND, BLOCKED, AFTER_BLOCKED):
        truth = PersonalValues()
        for nik, kk, nama in con.execute(
                f"select cast(nik as varchar), cast(no_kk as varchar), nama from read_parquet('{data_dir}/truth/{quarter}/persons.parquet')").fetchall():
            truth.add_id(nik)
            truth.add_id(kk)
            truth.add_name(nama)
        assert len(truth.ids) > 1_000 and len(truth.names) > 500
        keys = data_dir / "warehouse" / f"{quarter}.person_keys.parquet"
        # The values as text (the file's pages are compressed, so its bytes alone would prove little), then the bytes.
        text = "\n".join("\t".join(map(str, row)) for row in con.execute(
            f"select * from read_parquet('{keys}')").fetchall()).encode()
        # Counts only in the message: never the values.
        hits = {"values": dict(find_in_bytes(text, truth)), "bytes": dict(find_in_bytes(keys.read_bytes(), truth))}
        assert hits == {"values": {}, "bytes": {}}, (quarter, hits)
        assert [r[0] for r in con.execute(f"describe select * from read_parquet('{keys}')").fetchall()] == [
            "person_id", "key_hash", "key_id"]
        malformed = con.execute(
            f"select count(*) from read_parquet('{keys}') where not regexp_full_match(key_hash, '[0-9a-f]{{64}}') "
            "or not regexp_full_match(key_id, '[0-9a-f]{16}')").fetchall()[0][0]
        assert malformed == 0, quarter
