"""NIK typos and NIK ganda end to end: hand-made rows through the real quarterly job (ingest, Splink, dbt, GX, publish).

Rows are added to the shared three-row landing set. Assertions name rows by source and row number only.
"""

from __future__ import annotations

import csv
import stat

import dagster as dg
import duckdb
import pytest

from tests.conftest import FORMATS, HEADERS, QUARTER, ROWS, write_csv, write_landing, write_xlsx


def _dtks(i: int, kk: str, nik: str, nama: str, dob: str, sex: str, hubungan: str) -> list:
    return [f"ART9{i:011d}", "DKI JAKARTA", "KOTA ADM. JAKARTA TIMUR", "MATRAMAN", "PAL MERIAM", "JL. DAHLIA NO. 7",
            "004", "005", kk, nik, nama, dob, "JAKARTA", sex, "IBU", hubungan, "PKH"]


def _carik(kk: str, nik: str, nama: str, sex: str, dob: str, hubungan: str) -> list:
    return [kk, nik, nama, sex, "JAKARTA", dob, hubungan, "Jl. Dahlia No. 7", "4", "5", "Pal Meriam", "Matraman",
            "Jakarta Timur", "Melati 2"]


KK_G, KK_T, KK_N, KK_V = "3175011506100011", "3175011506100012", "3175011506100013", "3175011506100014"
# (g) NIK ganda: the head in DTKS, a daughter in CARIK under the head's NIK and nowhere else.
HEAD_NIK = "3175011004750001"
# (t) one person, NIK mistyped in a birth-date digit in CARIK (the 23rd instead of the 22nd); death under the true one.
TRUE_NIK, TYPO_NIK = "3175012203600004", "3175012303600004"
# (v) one person in DTKS under the true NIK, in CARIK and P3KE-like repeats under a serial typo: the vote takes the
# typo (two rows), the death is recorded under the true NIK of the one DTKS row.
V_TRUE, V_TYPO = "3175011111700021", "3175011111700012"
# (n) one person listed only under a mistyped NIK; Dukcapil records the death under the true NIK.
N_TRUE, N_TYPO = "3175010808550031", "3175010808550037"
# (r) a living person whose namesake (same name and birth date) died registered in the neighbouring kecamatan:
# the NIKs differ in a region digit, so the person stays, flagged for verification.
R_LISTED, R_DEAD = "3175011909800051", "3175021909800051"
KK_R = "3175011506100015"

EXTRA = {
    "dtks": [
        _dtks(1, KK_G, HEAD_NIK, "HENDRA WIJAYA", "1975-04-10", "LAKI-LAKI", "KEPALA KELUARGA"),
        _dtks(2, KK_T, TRUE_NIK, "SLAMET RIYADI", "1960-03-22", "LAKI-LAKI", "KEPALA KELUARGA"),
        _dtks(3, KK_V, V_TRUE, "BAMBANG SUTRISNO", "1970-11-11", "LAKI-LAKI", "KEPALA KELUARGA"),
    ],
    "carik": [
        _carik(KK_G, HEAD_NIK, "PUTRI WIJAYA", "Perempuan", "15-09-2012", "ANAK"),
        _carik(KK_T, TYPO_NIK, "SLAMET RIYADI", "Laki-laki", "22-03-1960", "KEPALA KELUARGA"),
        _carik(KK_V, V_TYPO, "BAMBANG SUTRISNO", "Laki-laki", "11-11-1970", "KEPALA KELUARGA"),
        _carik(KK_V, V_TYPO, "BAMBANG SUTRISNO", "Laki-laki", "11-11-1970", "KEPALA KELUARGA"),
        _carik(KK_N, N_TYPO, "WAHYU HIDAYAT", "Laki-laki", "08-08-1955", "KEPALA KELUARGA"),
        _carik(KK_R, R_LISTED, "JOKO SUSANTO", "Laki-laki", "19-09-1980", "KEPALA KELUARGA"),
    ],
    "dukcapil_kematian": [
        [TRUE_NIK, "SLAMET RIYADI", "22-03-1960", "2025-05-10", "3175-KM-10052025-0101"],
        [V_TRUE, "BAMBANG SUTRISNO", "11-11-1970", "2025-05-11", "3175-KM-11052025-0102"],
        [N_TRUE, "WAHYU HIDAYAT", "08-08-1955", "2025-05-12", "3175-KM-12052025-0103"],
        [R_DEAD, "JOKO SUSANTO", "19-09-1980", "2025-05-13", "3175-KM-13052025-0104"],
    ],
}
# Data rows are numbered from 1 after the header, in file order.
G_HEAD, G_CHILD = ("dtks", len(ROWS["dtks"]) + 1), ("carik", len(ROWS["carik"]) + 1)
T_ROWS = [("dtks", len(ROWS["dtks"]) + 2), ("carik", len(ROWS["carik"]) + 2)]
V_ROWS = [("dtks", len(ROWS["dtks"]) + 3), ("carik", len(ROWS["carik"]) + 3), ("carik", len(ROWS["carik"]) + 4)]
N_ROW = ("carik", len(ROWS["carik"]) + 5)
R_ROW = ("carik", len(ROWS["carik"]) + 6)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("nik") / "data"
    landing = write_landing(data_dir)
    for source, extra in EXTRA.items():
        delimiter, encoding = FORMATS[source]
        write_csv(landing / f"{source}.csv", HEADERS[source], ROWS[source] + extra, delimiter, encoding)
    write_xlsx(landing / "p3ke.xlsx", HEADERS["p3ke"], ROWS["p3ke"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SATUDATA_DATA_DIR", str(data_dir))
        from orchestration.definitions import defs

        result = defs.resolve_job_def("quarterly_job").execute_in_process(
            partition_key=QUARTER, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    con = duckdb.connect(str(data_dir / "warehouse" / f"{QUARTER}.duckdb"), read_only=True)
    yield data_dir, result, con
    con.close()


def _fates(con, rows) -> list[tuple[str, str]]:
    return [con.execute("select fate, person_id from marts.record_ledger where source = ? and source_row = ?",
                        [s, r]).fetchall()[0] for s, r in rows]


def test_the_quarter_publishes(run):
    _, result, _ = run
    assert result.success


def test_a_member_under_the_heads_nik_is_excluded_as_a_nik_conflict_and_the_head_keeps_it(run):
    _, _, con = run
    (head_fate, head_id), (child_fate, child_id) = _fates(con, [G_HEAD, G_CHILD])
    assert head_id != child_id
    assert (head_fate, child_fate) == ("published", "excluded_nik_conflict")
    held_by = con.execute("select nik_held_by from marts.persons where person_id = ?", [child_id]).fetchall()[0][0]
    assert held_by == head_id


def test_a_nik_typo_in_a_birth_date_digit_is_one_person_excluded_by_the_death_under_the_true_nik(run):
    _, _, con = run
    fates = _fates(con, T_ROWS)
    assert len({p for _, p in fates}) == 1
    assert {f for f, _ in fates} == {"excluded_deceased"}
    golden = con.execute("select nik = ? from marts.persons where person_id = ?", [TRUE_NIK, fates[0][1]]).fetchall()
    assert golden == [(True,)]  # the NIK that fits the birth date wins the vote


def test_a_death_under_a_typo_variant_of_the_golden_nik_excludes(run):
    _, _, con = run
    fates = _fates(con, V_ROWS)
    assert len({p for _, p in fates}) == 1
    assert {f for f, _ in fates} == {"excluded_deceased"}


def test_a_death_under_a_nik_one_digit_from_an_only_row_excludes_with_its_own_reason(run):
    _, _, con = run
    [(fate, _)] = _fates(con, [N_ROW])
    assert fate == "excluded_deceased_near_nik"


def test_a_death_under_a_nik_one_region_digit_away_excludes_too(run):
    # The rule: paying the dead is the costlier error; the field visit undoes a namesake's exclusion.
    _, _, con = run
    [(fate, _)] = _fates(con, [R_ROW])
    assert fate == "excluded_deceased_near_nik"


def test_field_verification_lists_the_inferred_exclusions_owner_only(run):
    data_dir, _, con = run
    path = data_dir / "reports" / QUARTER / "field_verification.csv"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with path.open(encoding="utf-8", newline="") as f:
        listed = {r["person_id"]: r for r in csv.DictReader(f)}
    [(_, child_id)] = _fates(con, [G_CHILD])
    [(_, near_id)] = _fates(con, [N_ROW])
    [(_, kept_id)] = _fates(con, [R_ROW])
    assert {p: r["reason"] for p, r in listed.items()} == {
        child_id: "nik_conflict", near_id: "deceased_near_nik", kept_id: "deceased_near_nik"}
    assert (listed[near_id]["registry_other_region"], listed[kept_id]["registry_other_region"]) == ("false", "true")
    assert listed[near_id]["registry_file"] == "dukcapil_kematian"
    assert listed[near_id]["registry_row"] == str(len(ROWS["dukcapil_kematian"]) + 3)
    assert listed[child_id]["list_rows"] == f"{G_CHILD[0]}:{G_CHILD[1]}"


def test_the_submission_lists_each_nik_once(run):
    data_dir, _, con = run
    rows, niks = con.execute(
        f"select count(*), count(distinct nik) from read_csv('{data_dir}/publish/{QUARTER}/bps_submission.csv', "
        "all_varchar = true)").fetchall()[0]
    assert rows == niks > 0
