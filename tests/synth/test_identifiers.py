"""NIK and No. KK cells as written (issue 11): formatting, typos at any position, NIK ganda, and whose NIK a cell holds.

PYTEST_DONT_REWRITE: assertion messages carry counts and source names only, never NIKs.
"""

from __future__ import annotations

import re

import pandas as pd

from orchestration.synth.contract import LIST_SOURCES, SOURCES

from .conftest import Generated

NIK_COLUMN = {"dtks": "f_nomor_nik", "p3ke": "f_nik", "carik": "f_nik",
              "dukcapil_kematian": "f_NIK", "dukcapil_pindah": "f_NIK"}
KK_COLUMN = {"dtks": "f_nomor_kk", "carik": "f_no_kk"}
WELL_FORMED = r"\d{6}[0-7]\d(0[1-9]|1[0-2])\d{2}(?!0000)\d{4}"


def tagged(j: pd.DataFrame, tag: str) -> pd.Series:
    return j.corruptions.str.split(",").apply(lambda tags: tag in tags)


def nik_tags(j: pd.DataFrame) -> pd.Series:
    """Number of NIK-changing tags per row (besides the written form)."""
    return j.corruptions.str.split(",").apply(
        lambda tags: sum(t.startswith("nik_") and t != "nik_formatted" for t in tags)
        + ("excel_number_nik" in tags)
    )


def digits(cell: object) -> str:
    return re.sub(r"\D", "", str(cell))


def all_rows(g: Generated) -> dict[str, pd.DataFrame]:
    return {s: g.joined(s) for s in SOURCES}


def test_formatted_niks_and_kks_keep_their_digits(stressed: Generated) -> None:
    seen = set()
    for source, j in all_rows(stressed).items():
        col = NIK_COLUMN[source]
        fmt = tagged(j, "nik_formatted")
        assert fmt.sum() > 0, source
        only = fmt & (nik_tags(j) == 0)
        cells = j[col][only].astype(str)
        assert int((cells.map(digits) != j.nik[only]).sum()) == 0, source
        assert int((cells == j.nik[only]).sum()) == 0, source
        # Every formatted cell holds the NIK the truth's nik_holder names.
        holder_nik = j.nik_holder[fmt].map(stressed.persons.set_index("person_id").nik)
        known = j.nik_holder[fmt].notna()
        assert int((j[col][fmt][known].astype(str).map(digits) != holder_nik[known]).sum()) == 0, source
        for form, pattern in (("space", r"\d \d"), ("dot", r"\d\.\d"), ("dash", r"\d-\d"), ("apostrophe", r"^'"),
                              ("tab", "\t"), ("nbsp", "\u00a0"), ("blank", r"^ | $")):
            if cells.str.contains(pattern).any():
                seen.add(form)
        unformatted = ~fmt & (nik_tags(j) == 0)
        assert int((j[col][unformatted].astype(str) != j.nik[unformatted]).sum()) == 0, source
        if source in KK_COLUMN:
            kfmt = tagged(j, "kk_formatted") & ~j.corruptions.str.contains("kk_invalid")
            assert kfmt.sum() > 0, source
            kcells = j[KK_COLUMN[source]][kfmt]
            assert int((kcells.map(digits) != j.no_kk[kfmt]).sum()) == 0, source
            assert int((kcells == j.no_kk[kfmt]).sum()) == 0, source
    assert seen == {"space", "dot", "dash", "apostrophe", "tab", "nbsp", "blank"}


def test_formatting_occurs_at_about_its_rate(generated: Generated) -> None:
    rate = generated.config.nik_formatted_rate
    for source, j in all_rows(generated).items():
        share = tagged(j, "nik_formatted").mean()
        # Only 16-digit cells are formatted (not invalid ones, not P3KE number cells).
        assert 0.5 * rate <= share <= 1.5 * rate, source
        assert generated.summary["tags"][source]["nik_formatted"] == int(tagged(j, "nik_formatted").sum())


def _differences(a: str, b: str) -> list[int]:
    return [i for i in range(16) if a[i] != b[i]]


def test_nik_typos_hit_any_position_and_transpositions_swap_neighbours(stressed: Generated) -> None:
    positions: set[int] = set()
    formed = {True: 0, False: 0}
    for source, j in all_rows(stressed).items():
        col = NIK_COLUMN[source]
        cells = j[col].map(lambda v: digits(f"{int(v):d}" if isinstance(v, float) else v))
        typo = tagged(j, "nik_digit_typo") & ~tagged(j, "excel_number_nik")
        bad = 0
        for cell, nik in zip(cells[typo], j.nik[typo], strict=True):
            d = _differences(cell, nik)
            bad += len(d) != 1
            positions.update(d)
            formed[bool(re.fullmatch(WELL_FORMED, cell))] += 1
        assert bad == 0, source
        swap = tagged(j, "nik_transposition") & ~tagged(j, "excel_number_nik")
        bad = 0
        for cell, nik in zip(cells[swap], j.nik[swap], strict=True):
            d = _differences(cell, nik)
            bad += not (len(d) == 2 and d[1] == d[0] + 1 and cell[d[0]] == nik[d[1]] and cell[d[1]] == nik[d[0]])
        assert bad == 0, source
        assert swap.sum() > 0, source
    # Uniform positions: the area code, the birth date and the serial are all hit, not only the serial.
    assert all(positions & set(r) for r in (range(0, 6), range(6, 12), range(12, 16)))
    assert len(positions) >= 14
    assert formed[True] > 0 and formed[False] > 0


def test_nik_typo_rates(generated: Generated) -> None:
    cfg = generated.config
    rows = pd.concat([generated.joined(s) for s in LIST_SOURCES])
    clean = ~rows.corruptions.str.contains("nik_invalid")
    n = int(clean.sum())
    for tag, rate in (("nik_digit_typo", cfg.nik_typo_rate), ("nik_transposition", cfg.nik_transposition_rate)):
        k = int(tagged(rows, tag).sum())
        expected = rate * n
        assert abs(k - expected) <= 4 * expected**0.5 + 2, tag


def test_nik_ganda_rows_belong_to_the_member_and_carry_a_housemates_nik(stressed: Generated) -> None:
    persons = stressed.persons.set_index("person_id")
    own_rows = set()
    ganda_people = set()
    for source, j in all_rows(stressed).items():
        if source not in LIST_SOURCES:
            assert tagged(j, "nik_ganda").sum() == 0, source
            continue
        g = j[tagged(j, "nik_ganda")]
        assert len(g) > 0, source
        assert int(g.nik_holder.isna().sum()) == 0, source
        assert int((g.nik_holder == g.person_id).sum()) == 0, "the row's person is the member, not the holder"
        holder = persons.loc[g.nik_holder]
        assert int((holder.household_id.to_numpy() != g.household_id.to_numpy()).sum()) == 0, source
        cells = g[NIK_COLUMN[source]].map(lambda v: digits(f"{int(v):d}" if isinstance(v, float) else v))
        excel = tagged(g, "excel_number_nik")
        assert int((cells[~excel] != holder.nik.to_numpy()[~excel.to_numpy()]).sum()) == 0, source
        ganda_people |= set(g.person_id)
        own_rows |= set(j.person_id[j.nik_holder == j.person_id])
    # Some of these members have a row elsewhere under their own NIK, some do not.
    assert len(ganda_people & own_rows) > 0 and len(ganda_people - own_rows) > 0


def test_nik_ganda_rate_over_member_rows(generated: Generated) -> None:
    rate = generated.config.nik_ganda_rate
    sizes = generated.persons.household_id.value_counts()
    j = pd.concat([generated.joined(s) for s in LIST_SOURCES])
    shared = j.household_id.map(sizes) >= 2
    share = tagged(j, "nik_ganda")[shared].mean()
    # Heads never carry another's NIK, so the share over rows of shared households is below the rate.
    assert 0.3 * rate <= share <= 1.1 * rate
