"""Ground truth against the landing files, planted cases, registries and determinism.

PYTEST_DONT_REWRITE: assertion messages carry counts and source names only, never the NIKs or names
that pytest's introspection would print (personal-data rule, kept even for synthetic people).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from orchestration.synth import SynthConfig, generate_quarter
from orchestration.synth.contract import FILE_NAMES, LIST_SOURCES, SOURCES
from orchestration.synth.dates import parse_quarter

from .conftest import QUARTER, QUARTER_END, QUARTER_START, Generated

STATUSES = ("deceased", "moved_out", "nik_deactivated", "moved_within_dki", "outside_dki")
# File columns (prefixed f_ by Generated.joined) holding NIK, name and birth date in each list.
FIELDS = {
    "dtks": ("f_nomor_nik", "f_nama", "f_tanggal_lahir"),
    "p3ke": ("f_nik", "f_nama_lengkap", "f_tanggal_lahir"),
    "carik": ("f_nik", "f_nama_lengkap", "f_tanggal_lahir"),
}


def count(mask: pd.Series) -> int:
    """Number of True values, as a plain int for assertion messages."""
    return int(mask.sum())


def has_tag(j: pd.DataFrame, *prefixes: str) -> pd.Series:
    """Rows whose corruptions include a tag starting with one of the prefixes."""
    return j.corruptions.str.split(",").apply(lambda tags: any(t.startswith(prefixes) for t in tags if t))


def test_every_row_maps_to_one_person(generated: Generated) -> None:
    sr, persons = generated.source_rows, generated.persons
    assert persons.person_id.is_unique
    assert count(~sr.person_id.isin(persons.person_id)) == 0
    assert count(sr.duplicated(["source", "source_row"])) == 0
    for source in SOURCES:
        rows = sr[sr.source == source].source_row.sort_values().tolist()
        assert rows == list(range(1, len(generated.rows[source]) + 1)), source
        assert generated.summary["rows"][source] == len(rows)


def test_every_listed_person_has_a_row_and_only_they_do(generated: Generated) -> None:
    persons, sr = generated.persons, generated.source_rows
    in_lists = set(sr[sr.source.isin(LIST_SOURCES)].person_id)
    listed = set(persons[persons.listed].person_id)
    assert len(listed ^ in_lists) == 0
    assert len(listed) == generated.people
    in_registries = set(sr[~sr.source.isin(LIST_SOURCES)].person_id)
    assert len(set(persons.person_id) ^ (in_lists | in_registries)) == 0


def test_duplicates_are_marked_in_file_order(generated: Generated) -> None:
    for source in LIST_SOURCES:
        sr = generated.source_rows[generated.source_rows.source == source].sort_values("source_row")
        assert count(sr.is_duplicate != sr.person_id.duplicated()) == 0, source
        assert 0.01 < sr.is_duplicate.mean() < 0.03, source
        dup_people = set(sr[sr.is_duplicate].person_id)
        twice = sr[sr.person_id.isin(dup_people)]
        assert count(twice.corruptions.duplicated(keep=False)) < len(twice), "copies differ from originals"


def test_unchanged_cells_equal_the_truth(generated: Generated) -> None:
    """Where the truth names no NIK, name or date change, the file holds exactly the true value."""
    for source, (nik_col, name_col, date_col) in FIELDS.items():
        j = generated.joined(source)
        clean_nik = ~has_tag(j, "nik_", "excel_number_nik")
        assert count(j[nik_col][clean_nik] != j.nik[clean_nik]) == 0, source
        clean_name = ~has_tag(j, "name_")
        assert count(j[name_col][clean_name] != j.nama[clean_name]) == 0, source
        iso = ~has_tag(j, "dob_", "date_")
        assert count(j[date_col][iso] != j.tanggal_lahir[iso].astype(str)) == 0, source
        is_cell = j[date_col].apply(lambda v: isinstance(v, dt.date))
        true_cell = is_cell & ~has_tag(j, "dob_")
        assert count(j[date_col][true_cell] != j.tanggal_lahir[true_cell]) == 0, source
        assert count(is_cell != has_tag(j, "date_excel_cell")) == 0, source
        wrong_nik = has_tag(j, "nik_invalid", "nik_digit_typo") & ~has_tag(j, "nik_person_level")
        assert count(wrong_nik & (j[nik_col].map(str) == j.nik)) == 0, source


def test_planted_statuses_have_exactly_the_configured_counts(generated: Generated) -> None:
    listed = generated.persons[generated.persons.listed]
    expected = generated.config.planted_counts(generated.people)
    for status in STATUSES:
        assert expected[status] > 0
        assert count(listed.status == status) == expected[status], status
    for planted in ("invalid_nik", "namesake_of_deceased"):
        assert count(generated.persons.planted == planted) == expected[planted], planted
    assert count(listed.status == "resident") == generated.people - sum(expected[s] for s in STATUSES)
    assert generated.summary["planted"] == {p: expected[p] for p in ("invalid_nik", "namesake_of_deceased")}


def test_invalid_nik_people_carry_invalid_niks_everywhere(generated: Generated) -> None:
    valid_form = r"\d{6}[0-7]\d(0[1-9]|1[0-2])\d{2}(?!0000)\d{4}"
    for source, (nik_col, _, _) in FIELDS.items():
        j = generated.joined(source)
        rows = j[j.planted == "invalid_nik"]
        assert count(~rows.corruptions.str.contains("nik_invalid")) == 0, source
        assert count(rows.nik_valid) == 0, source
        assert count(rows[nik_col].astype(str).str.fullmatch(valid_form)) == 0, source
        assert has_tag(j, "nik_invalid").mean() < 0.05, source


def test_namesakes_share_name_and_birth_date_with_a_registered_death(generated: Generated) -> None:
    persons = generated.persons.set_index("person_id")
    deaths = {r[0]: r for r in generated.rows["dukcapil_kematian"]}
    namesakes = persons[persons.planted == "namesake_of_deceased"]
    good = 0
    for _, ns in namesakes.iterrows():
        dead = persons.loc[ns.namesake_of]
        record = deaths.get(dead.nik)
        good += bool(
            dead.status == "deceased"
            and dead.nama == ns.nama
            and dead.tanggal_lahir == ns.tanggal_lahir
            and dead.nik != ns.nik
            and record is not None
            and record[1] == ns.nama
            and record[2] == ns.tanggal_lahir.isoformat()
            and ns.listed
            and ns.status == "resident"
            and ns.nik_valid
        )
    assert len(namesakes) > 0
    assert good == len(namesakes)
    twin_listed = namesakes.namesake_of.map(persons.listed)
    assert count(twin_listed) > 0 and count(~twin_listed) > 0
    assert count(persons.namesake_of.notna() & (persons.planted != "namesake_of_deceased")) == 0


def _clean_registry_rows(generated: Generated, source: str) -> list[list[str]]:
    """Registry rows as first entered and with the true NIK (issue 11 adds copies and NIK errors, tagged)."""
    sr = generated.source_rows[generated.source_rows.source == source].sort_values("source_row")
    keep = (~sr.is_duplicate & ~sr.corruptions.str.contains("nik_")).tolist()
    return [r for r, k in zip(generated.rows[source], keep, strict=True) if k]


def test_statuses_match_the_registries(generated: Generated) -> None:
    persons = generated.persons[generated.persons.nik_valid].set_index("nik")
    kematian = _clean_registry_rows(generated, "dukcapil_kematian")
    pindah = _clean_registry_rows(generated, "dukcapil_pindah")
    deaths = {r[0]: r for r in kematian}
    moves = {r[0]: r for r in pindah}
    assert len(deaths) == len(kematian)
    assert len(moves) == len(pindah)
    # Rows left out above (a copy, a NIK error) still name their person in the truth.
    sr = generated.source_rows.merge(generated.persons, on="person_id")
    reg = sr[sr.source.isin(("dukcapil_kematian", "dukcapil_pindah"))]
    assert count(reg.source.eq("dukcapil_kematian") & reg.status.ne("deceased")) == 0
    assert count(reg.source.eq("dukcapil_pindah") & reg.status.isin(("deceased", "resident", "outside_dki"))) == 0
    expected = {"deceased": set(deaths)}
    for status, label in (
        ("moved_out", "PINDAH_KELUAR"),
        ("nik_deactivated", "NONAKTIF"),
        ("moved_within_dki", "PINDAH_DALAM_DKI"),
    ):
        expected[status] = {nik for nik, r in moves.items() if r[5] == label}
    for status, niks in expected.items():
        everyone = set(persons.index[persons.status == status])
        assert len(niks - everyone) == 0, status
        assert len(everyone - niks) <= 0.05 * len(everyone), status
        listed = persons.loc[list(niks)].listed
        assert count(~listed) >= 2 * count(listed), f"registry noise should outnumber listed {status}"
    bad = 0
    for nik, r in moves.items():
        p = persons.loc[nik]
        if r[5] == "PINDAH_KELUAR":
            ok = (
                r[3] in ("4", "5")
                and not r[4].startswith("31")
                and len(r[4]) in (4, 6, 10)
                and pd.isna(p.kode_kelurahan)
            )
        elif r[5] == "NONAKTIF":
            ok = r[3] == "" and r[4] == ""
        else:
            ok = r[3] in ("2", "3", "4") and r[4] == p.kode_kelurahan and r[4].startswith("31")
        bad += not (ok and r[2] == p.status_date.isoformat())
    for nik, r in deaths.items():
        bad += r[3] != persons.loc[nik].status_date.isoformat()
    assert bad == 0


def test_listed_dead_are_in_dtks_or_p3ke(generated: Generated) -> None:
    sr = generated.source_rows.merge(generated.persons, on="person_id")
    dead = sr[(sr.status == "deceased") & sr.listed]
    in_dtks_or_p3ke = dead.groupby("person_id").source.apply(lambda s: bool({"dtks", "p3ke"} & set(s)))
    assert count(~in_dtks_or_p3ke) == 0


def test_moves_within_jakarta_show_old_and_new_addresses(generated: Generated) -> None:
    carik = generated.joined("carik")
    movers = carik[carik.status == "moved_within_dki"]
    assert len(movers) > 0
    assert count(movers.corruptions.str.contains("address_stale")) == 0
    p3ke = generated.joined("p3ke")
    movers = p3ke[p3ke.status == "moved_within_dki"]
    assert len(movers) > 0
    assert count(movers.f_kode_kemendagri == movers.kode_kelurahan) == 0, "P3KE still shows the old kelurahan"
    assert count(~movers.corruptions.str.contains("address_stale")) == 0


def test_outside_dki_rows_carry_addresses_outside_jakarta(generated: Generated) -> None:
    outside = generated.persons[generated.persons.status == "outside_dki"]
    assert count(outside.kode_kelurahan.notna()) == 0
    for source, col in (("dtks", "f_provinsi"), ("p3ke", "f_kode_kemendagri"), ("carik", "f_kota")):
        j = generated.joined(source)
        rows = j[j.status == "outside_dki"]
        assert count(~rows.corruptions.str.contains("address_outside_dki")) == 0, source
        in_dki = rows[col].str.upper().str.contains("JAKARTA") | rows[col].str.startswith("31")
        assert count(in_dki) == 0, source
        others = j[j.status != "outside_dki"]
        assert count(others.corruptions.str.contains("address_outside_dki")) == 0, source
    p3ke = generated.joined("p3ke")
    codes = p3ke[p3ke.status == "outside_dki"].f_kode_kemendagri
    assert len(codes) > 0 and count(~codes.str.fullmatch(r"\d{6}[12]0\d\d")) == 0


def test_registry_dates_reach_into_the_quarter_and_up_to_the_extract(generated: Generated) -> None:
    # Issue 11: the registries are pulled after the quarter closes, so events after its last day occur,
    # but none after the extract date (the 10th-15th of the next month by default).
    extract = dt.date.fromisoformat(generated.summary["extract_date"])
    assert QUARTER_END + dt.timedelta(days=10) <= extract <= QUARTER_END + dt.timedelta(days=15)
    for source, col in (("dukcapil_kematian", 3), ("dukcapil_pindah", 2)):
        dates = [dt.date.fromisoformat(r[col]) for r in generated.rows[source]]
        assert max(dates) <= extract, source
        assert sum(d > QUARTER_END for d in dates) > 0, source
        assert sum(QUARTER_START <= d <= QUARTER_END for d in dates) > 0, source
        assert sum(d < QUARTER_START for d in dates) > 0, source
    deaths = generated.rows["dukcapil_kematian"]
    assert sum(dt.date.fromisoformat(r[2]) >= dt.date.fromisoformat(r[3]) for r in deaths) == 0
    akta = [r[4] for r in _clean_registry_rows(generated, "dukcapil_kematian")]
    assert len(set(akta)) == len(akta)
    assert sum(not a.startswith("31") or "-KM-" not in a for a in akta) == 0


def test_summary_reports_counts_and_ratio(generated: Generated) -> None:
    s = generated.summary
    written = json.loads((generated.data_dir / "truth" / QUARTER / "summary.json").read_text())
    assert written == s
    assert s["seed"] == 20250601 and s["people"] == generated.people
    assert s["config"] == generated.config.as_dict()
    assert 1.2 <= s["list_rows_per_listed_person"] <= 1.5
    assert s["status_listed"]["deceased"] == generated.config.planted_counts(generated.people)["deceased"]
    assert s["status_unlisted"]["deceased"] > s["status_listed"]["deceased"]


def _hashes(folder) -> dict[str, str]:
    return {s: hashlib.sha256((folder / FILE_NAMES[s]).read_bytes()).hexdigest() for s in SOURCES}


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path) -> None:
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        generate_quarter(QUARTER, 2000, seed=seed, data_dir=tmp_path / name)
    a, b, c = (_hashes(tmp_path / n / "landing" / QUARTER) for n in "abc")
    assert a == b
    mtimes = [
        {s: (tmp_path / n / "landing" / QUARTER / FILE_NAMES[s]).stat().st_mtime for s in SOURCES} for n in "ab"
    ]
    assert mtimes[0] == mtimes[1], "files carry the same pull time"
    assert all(a[s] != c[s] for s in SOURCES)
    truth = [(tmp_path / n / "truth" / QUARTER / "source_rows.parquet").read_bytes() for n in "ab"]
    assert truth[0] == truth[1]


def test_next_quarter_keeps_the_same_people(tmp_path) -> None:
    for quarter in ("2025Q2", "2025Q3"):
        generate_quarter(quarter, 2000, seed=5, data_dir=tmp_path)
    q2, q3 = (
        pq.read_table(tmp_path / "truth" / q / "persons.parquet").to_pandas() for q in ("2025Q2", "2025Q3")
    )
    twins = set(q2.namesake_of.dropna()) | set(q3.namesake_of.dropna())
    both = q2.merge(q3, on="person_id", suffixes=("_2", "_3"))
    both = both[both.nik_valid_2 & both.nik_valid_3 & ~both.person_id.isin(twins)]
    assert len(both) > 1500
    for col in ("nik", "nama", "tanggal_lahir", "household_id", "jenis_kelamin"):
        assert int((both[f"{col}_2"] != both[f"{col}_3"]).sum()) == 0, col
    assert int(q2.listed.sum()) == int(q3.listed.sum()) == 2000


def test_rerun_replaces_the_quarter(tmp_path) -> None:
    generate_quarter(QUARTER, 2000, seed=11, data_dir=tmp_path)
    first = _hashes(tmp_path / "landing" / QUARTER)
    generate_quarter(QUARTER, 2000, seed=11, data_dir=tmp_path)
    assert _hashes(tmp_path / "landing" / QUARTER) == first
    leftovers = [p.name for p in (tmp_path / "landing").iterdir() if p.name != QUARTER]
    assert leftovers == []


def test_quarter_and_arguments_are_validated(tmp_path) -> None:
    for bad in ("2025Q5", "2025-Q2", "25Q2", "2025q2", "Q2 2025", ""):
        with pytest.raises(ValueError, match="2025Q2"):
            generate_quarter(bad, 100, data_dir=tmp_path)
    with pytest.raises(ValueError, match="people"):
        generate_quarter(QUARTER, 0, data_dir=tmp_path)
    with pytest.raises(ValueError, match="no data rows"):
        generate_quarter(QUARTER, 20, data_dir=tmp_path)
    assert list((tmp_path / "landing").iterdir()) == [], "a failed run leaves no landing folder behind"
    q = parse_quarter("2024Q4")
    assert (dt.date(1970, 1, 1) + dt.timedelta(days=q.start)).isoformat() == "2024-10-01"
    assert (dt.date(1970, 1, 1) + dt.timedelta(days=q.end)).isoformat() == "2024-12-31"


def test_config_rejects_impossible_rates() -> None:
    with pytest.raises(ValueError):
        SynthConfig(deceased_rate=1.5)
    with pytest.raises(ValueError):
        SynthConfig(dtks_coverage=(0.5,) * 9)
    assert SynthConfig().planted_counts(750) == {
        "deceased": 8,
        "moved_out": 8,
        "nik_deactivated": 4,
        "moved_within_dki": 15,
        "outside_dki": 8,
        "invalid_nik": 4,
        "namesake_of_deceased": 2,
    }
