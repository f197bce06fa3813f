"""The Dukcapil registries (issue 11): pulled after the quarter closes, with their own errors, and their truth.

PYTEST_DONT_REWRITE: assertion messages carry counts and source names only, never NIKs or names.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pandas as pd

from orchestration.synth import generate_quarter
from orchestration.synth.contract import FILE_NAMES, REGISTRIES, SOURCES

from .conftest import QUARTER, QUARTER_END, Generated

EXCLUDING = ("deceased", "moved_out", "nik_deactivated")
WIB = dt.timezone(dt.timedelta(hours=7))


def tagged(j: pd.DataFrame, prefix: str) -> pd.Series:
    return j.corruptions.str.split(",").apply(lambda tags: any(t.startswith(prefix) for t in tags))


def test_events_after_the_quarter_are_known_at_extract_time(generated: Generated) -> None:
    extract = dt.date.fromisoformat(generated.summary["extract_date"])
    p = generated.persons
    after = p[p.status_date.notna() & (p.status_date > QUARTER_END)]
    assert len(after) > 0
    assert int((after.status_date > extract).sum()) == 0
    listed_after = after[after.listed]
    for status in ("deceased", "moved_out"):
        assert int((listed_after.status == status).sum()) > 0, status
    assert generated.summary["status_listed_after_quarter"] == {
        s: int((listed_after.status == s).sum()) for s in generated.summary["status_listed"]
    }
    # Who must be excluded is in the truth: dead, moved out or deactivated by the extract date, each with a
    # registry row naming them, whether the event fell inside the quarter or after it.
    must_go = p[p.listed & p.status.isin(EXCLUDING)]
    in_registry = set(generated.source_rows[generated.source_rows.source.isin(REGISTRIES)].person_id)
    assert int((~must_go.person_id.isin(in_registry)).sum()) == 0
    assert int((must_go.status_date > QUARTER_END).sum()) > 0
    # Deaths after the quarter: the death date in the file is after the quarter and on or before the extract.
    kem = generated.joined("dukcapil_kematian")
    dates = kem.f_TGL_KEMATIAN.map(dt.date.fromisoformat)
    late = dates > QUARTER_END
    assert int(late.sum()) > 0 and int((dates > extract).sum()) == 0
    assert int((dates != kem.status_date).sum()) == 0


def test_events_after_the_quarter_occur_at_about_their_share(stressed: Generated) -> None:
    p = stressed.persons
    evented = p[p.status_date.notna()]
    share = (evented.status_date > QUARTER_END).mean()
    expected = stressed.config.event_after_quarter_share
    assert 0.6 * expected <= share <= 1.4 * expected


def test_files_carry_the_extract_time_and_a_ready_marker_when_asked(tmp_path) -> None:
    from orchestration.synth import SynthConfig

    summary = generate_quarter(QUARTER, 1500, seed=3, data_dir=tmp_path, config=SynthConfig(write_ready_marker=True))
    extract = dt.date.fromisoformat(summary["extract_date"])
    landing = tmp_path / "landing" / QUARTER
    for source in SOURCES:
        when = dt.datetime.fromtimestamp(os.stat(landing / FILE_NAMES[source]).st_mtime, WIB)
        assert when.date() == extract, source
    marker = (landing / "_READY").read_text(encoding="utf-8").splitlines()
    listed = {line.split("\t")[0]: int(line.split("\t")[1]) for line in marker}
    assert listed == {FILE_NAMES[s]: (landing / FILE_NAMES[s]).stat().st_size for s in SOURCES}
    assert not (tmp_path / "other").exists()
    generate_quarter(QUARTER, 1500, seed=3, data_dir=tmp_path / "other")
    assert not (tmp_path / "other" / "landing" / QUARTER / "_READY").exists(), "off by default"


def test_extract_day_is_configurable(tmp_path) -> None:
    from orchestration.synth import SynthConfig

    cfg = SynthConfig(extract_day_min=20, extract_day_max=20)
    summary = generate_quarter(QUARTER, 1500, seed=3, data_dir=tmp_path, config=cfg)
    assert summary["extract_date"] == "2025-07-20"


def test_registry_nik_errors_duplicates_and_names(stressed: Generated) -> None:
    cfg = stressed.config
    persons = stressed.persons.set_index("person_id")
    scientific = 0
    for source in REGISTRIES:
        j = stressed.joined(source)
        n = len(j)
        cells = j.f_NIK.astype(str)
        invalid = tagged(j, "nik_invalid")
        expected = cfg.registry_invalid_nik_rate * n
        assert abs(invalid.sum() - expected) <= 4 * expected**0.5 + 2, source
        assert int(cells[invalid].str.replace(r"\D", "", regex=True).eq(j.nik[invalid]).sum()) == 0, source
        assert int(j.nik_holder[invalid].notna().sum()) == 0, source
        scientific += int(cells[invalid].str.contains("E+", regex=False).sum())
        typo = tagged(j, "nik_digit_typo") | tagged(j, "nik_transposition")
        expected = cfg.registry_nik_typo_rate * n
        assert abs(typo.sum() - expected) <= 4 * expected**0.5 + 2, source
        bare = cells[typo].str.replace(r"\D", "", regex=True)
        diffs = [sum(a != b for a, b in zip(c, t, strict=True)) for c, t in zip(bare, j.nik[typo], strict=True)]
        assert all(d in (1, 2) for d in diffs), source
        # The truth still knows the person; a mistyped NIK is somebody else's only by chance.
        assert int((j.nik_holder[typo] == j.person_id[typo]).sum()) == 0, source
        dup = j[j.is_duplicate]
        expected = cfg.registry_duplicate_rate * n
        assert abs(len(dup) - expected) <= 4 * expected**0.5 + 2, source
        first = j[~j.is_duplicate].set_index("person_id").source_row
        assert int((dup.source_row.to_numpy() <= first.loc[dup.person_id].to_numpy()).sum()) == 0, source
        named = tagged(j, "name_")
        assert named.sum() > 0, source
        assert int((j.f_NAMA_LGKP[named] == j.nama[named]).sum()) == 0, source
        assert int((j.f_NAMA_LGKP[~named] != j.nama[~named]).sum()) == 0, source
        assert int((j.person_id.map(persons.status) == "resident").sum()) == 0, source
    assert scientific > 0, "a NIK through a spreadsheet in E notation"
    assert stressed.summary["registry_duplicate_rows"] == {
        s: int(stressed.source_rows[stressed.source_rows.source == s].is_duplicate.sum()) for s in REGISTRIES
    }


def test_summary_counts_every_tag(generated: Generated) -> None:
    from orchestration.synth.corruptions import TAGS

    sr = generated.source_rows
    for source in SOURCES:
        tags = sr[sr.source == source].corruptions.str.split(",").explode()
        counted = tags[tags != ""].value_counts().to_dict()
        assert generated.summary["tags"][source] == {t: int(counted.get(t, 0)) for t in TAGS}, source


def test_every_tag_is_documented_with_its_rate() -> None:
    from pathlib import Path

    from orchestration.synth.corruptions import TAGS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "synthetic_data.md").read_text(encoding="utf-8")
    missing = [t for t in TAGS if not re.search(rf"`{t}`", doc)]
    assert missing == []


def test_truth_says_whose_registry_rows_are_unreadable(stressed: Generated) -> None:
    sr = stressed.source_rows[stressed.source_rows.source.isin(REGISTRIES)]
    readable_row = ~sr.corruptions.str.split(",").apply(lambda tags: "nik_invalid" in tags)
    per_person = readable_row.groupby(sr.person_id).any()
    p = stressed.persons.set_index("person_id")
    in_registry = p.registry_nik_readable.notna()
    assert set(p.index[in_registry]) == set(per_person.index)
    assert int((p.registry_nik_readable[in_registry].astype(bool) != per_person.loc[p.index[in_registry]]).sum()) == 0
    stuck = p[p.listed & (p.registry_nik_readable == False)]  # noqa: E712
    assert len(stuck) > 0
    counted = stressed.summary["listed_with_only_unreadable_registry_niks"]
    assert counted == {s: int((stuck.status == s).sum()) for s in counted}
