"""People, households, NIK and No. KK: structure and identity.

PYTEST_DONT_REWRITE: failures report counts only, never NIKs or names.
"""

from __future__ import annotations

import csv
import datetime as dt

import numpy as np

from orchestration.synth import SynthConfig, names, population
from orchestration.synth.regions import SEEDS_DIR

from .conftest import Generated

with open(SEEDS_DIR / "kemendagri_kecamatan.csv", newline="", encoding="utf-8") as f:
    NATIONAL_KECAMATAN = {r["kode_kecamatan"] for r in csv.DictReader(f)}
with open(SEEDS_DIR / "dki_kelurahan.csv", newline="", encoding="utf-8") as f:
    DKI_KECAMATAN = {r["kode_kecamatan"] for r in csv.DictReader(f)}


def nik_matches(nik: str, female: bool, born: dt.date) -> bool:
    """Whether a NIK is well-formed and encodes this sex and birth date."""
    if not (len(nik) == 16 and nik.isdigit() and nik[:6] in NATIONAL_KECAMATAN and nik[12:] != "0000"):
        return False
    day = int(nik[6:8]) - (40 if female else 0)
    try:
        encoded = dt.date(born.year, int(nik[8:10]), day)
    except ValueError:
        return False
    return encoded == born and nik[10:12] == f"{born.year % 100:02d}"


def test_true_niks_follow_the_structure(generated: Generated) -> None:
    p = generated.persons[generated.persons.nik_valid]
    ok = [
        nik_matches(n, s == "P", b) for n, s, b in zip(p.nik, p.jenis_kelamin, p.tanggal_lahir, strict=True)
    ]
    assert sum(not x for x in ok) == 0
    assert p.nik.is_unique
    outside = (~p.nik.str[:6].isin(DKI_KECAMATAN)).mean()
    assert 0.2 < outside < 0.6, "a large share of NIKs should be issued outside Jakarta"


def test_invalid_niks_are_only_the_planted_people(generated: Generated) -> None:
    p = generated.persons
    invalid = p[~p.nik_valid]
    assert (invalid.planted == "invalid_nik").all()
    ok = [
        nik_matches(n, s == "P", b)
        for n, s, b in zip(invalid.nik, invalid.jenis_kelamin, invalid.tanggal_lahir, strict=True)
    ]
    assert not any(ok)


def test_kk_structure(generated: Generated) -> None:
    kk = generated.persons.drop_duplicates("household_id")
    assert kk.no_kk.is_unique, "one KK number per household"
    digits = kk.no_kk.str.fullmatch(r"\d{16}")
    assert digits.all()
    assert kk.no_kk.str[:6].isin(DKI_KECAMATAN).all(), "KKs are issued by the household's DKI kecamatan"
    dates_ok = sum(_is_date(x[6:12]) for x in kk.no_kk)
    assert dates_ok == len(kk)
    assert (kk.no_kk.str[12:] != "0000").all()
    assert not set(kk.no_kk) & set(generated.persons.nik), "no number is both a KK and a NIK"
    per_household = generated.persons.groupby("household_id").no_kk.nunique()
    assert (per_household == 1).all()


def _is_date(ddmmyy: str) -> bool:
    try:
        dt.date(2000 + int(ddmmyy[4:]), int(ddmmyy[2:4]), int(ddmmyy[:2]))
    except ValueError:
        return False
    return True


def test_birth_dates_and_names_are_plausible(generated: Generated) -> None:
    p = generated.persons
    years = np.array([d.year for d in p.tanggal_lahir])
    assert years.min() >= 1930 and years.max() <= 2024
    ages = 2025 - years
    assert 0.15 < (ages < 15).mean() < 0.4
    assert 0.03 < (ages >= 60).mean() < 0.25
    words = p.nama.str.split().str.len()
    assert words.between(2, 3).all()
    assert p.nama.str.fullmatch(r"[A-Z' ]+").all()
    assert p.nama.str.startswith("MUHAMMAD ").sum() > 0 and p.nama.str.startswith("SITI ").sum() > 0


def test_accidental_namesakes_are_rare(generated: Generated) -> None:
    p = generated.persons[generated.persons.listed & (generated.persons.planted != "namesake_of_deceased")]
    pairs = p.groupby(["nama", "tanggal_lahir"]).size()
    assert (pairs > 1).sum() <= max(3, len(p) // 2000)


def _universe(listed: int) -> population.Universe:
    return population.build_universe(
        7, listed, 0, SynthConfig(), population.to_days(population.POPULATION_REFERENCE)
    )


def test_identity_depends_only_on_seed_and_index() -> None:
    small, large = _universe(3000), _universe(12000)
    n = len(small.p_hh)
    assert np.array_equal(small.p_nik, large.p_nik[:n])
    assert np.array_equal(small.p_dob, large.p_dob[:n])
    assert np.array_equal(small.p_name_u, large.p_name_u[:n])
    assert np.array_equal(small.hh_kk, large.hh_kk[: len(small.hh_kk)])
    assert int(small.listed.sum()) == 3000 and int(large.listed.sum()) == 12000


def test_households_have_realistic_composition() -> None:
    u = _universe(5000)
    assert u.hh_size.min() >= 1 and u.hh_size.max() <= 7
    heads = u.p_role[u.hh_start]
    assert (heads == population.HEAD).all()
    assert np.bincount(u.p_hh, minlength=len(u.hh_size)).tolist() == u.hh_size.tolist()
    spouses = np.isin(u.p_role, (population.ISTRI, population.SUAMI))
    assert np.bincount(u.p_hh[spouses], minlength=len(u.hh_size)).max() <= 1
    assert (u.p_female[u.p_role == population.ISTRI]).all()
    child_older = (u.p_role == population.ANAK) & (u.p_dob <= u.p_dob[u.hh_start[u.p_hh]])
    assert child_older.sum() == 0, "children are younger than the head"


def test_serials_are_unique_within_prefix() -> None:
    prefix = np.array([5, 5, 3, 5, 3, 9])
    serial = population.ranked_serials(prefix, np.array([1, 3, 1, 1, 2, 1]))
    assert serial.tolist() == [1, 4, 1, 5, 3, 1]
    more = population.appended_serials(prefix * 10**4 + serial, np.array([5, 7, 5]))
    assert more.tolist() == [6, 1, 7]
    assert population.appended_serials(prefix[:0], np.array([5, 7, 5])).tolist() == [1, 1, 2]


def test_name_pools_are_large_enough() -> None:
    for style in names.STYLES.values():
        assert len(style.male_first) >= 20 and len(style.female_first) >= 20
        assert len(set(style.male_first)) == len(style.male_first) or len(style.male_first) > 30
    assert all(" " not in w for s in names.STYLES.values() for w in s.male_first + s.female_first)


def _separated_round_by_round(kk: np.ndarray, nik: np.ndarray) -> np.ndarray:
    """The rule itself: rounds of +1 on every KK equal to a NIK or to a KK of a lower index, until none is."""
    kk = kk.copy()
    while True:
        order = np.argsort(kk, kind="stable")
        bump = np.isin(kk, nik)
        bump[order[1:]] |= kk[order[1:]] == kk[order[:-1]]
        if not bump.any():
            return kk
        kk[bump] += 1


def test_kk_numbers_are_moved_off_the_niks_and_each_other_as_round_by_round() -> None:
    # Crowded prefixes: runs of equal KKs, KK serials under NIKs of the same prefix, a serial at 9999.
    rng = np.random.default_rng(4)
    prefix = 317_101_010_190 + rng.integers(0, 40, 6000)
    kk = prefix * 10**4 + rng.integers(1, 25, 6000)
    nik = (317_101_010_190 + rng.integers(0, 40, 4000)) * 10**4 + rng.integers(1, 30, 4000)
    kk[:5] = 317_101_010_195 * 10**4 + 9999
    out = population.separate_kk_from_nik(kk, nik)
    assert np.array_equal(out, _separated_round_by_round(kk, nik))
    assert len(np.unique(out)) == len(out) and not np.isin(out, nik).any() and (out >= kk).all()

