"""SynthConfig (issue 11): the new rates are validated, the stress profile raises them."""

from __future__ import annotations

import dataclasses

import pytest

from orchestration.synth import SynthConfig
from orchestration.synth.config import _STRESS_SCALED


def test_stress_profile_raises_every_scaled_rate() -> None:
    base, stress = SynthConfig(), SynthConfig.profile("stress")
    assert SynthConfig.profile("default") == base
    for name in _STRESS_SCALED:
        assert getattr(stress, name) > getattr(base, name) > 0, name
    assert stress.event_after_quarter_share > base.event_after_quarter_share
    assert stress.extract_day_max > base.extract_day_max
    with pytest.raises(ValueError, match="profile"):
        SynthConfig.profile("extreme")


def test_baseline_profile_switches_issue11_off(tmp_path) -> None:
    from orchestration.synth import generate_quarter
    from orchestration.synth.config import ISSUE11_RATES

    cfg = SynthConfig.profile("baseline")
    assert all(getattr(cfg, f) == 0 for f in ISSUE11_RATES)
    summary = generate_quarter("2025Q2", 2000, seed=4, data_dir=tmp_path, config=cfg)
    off = ("nik_transposition", "nik_ganda", "nik_formatted", "kk_formatted", "provinsi_dkj", "kelurahan_prefix",
           "kecamatan_prefix", "kelurahan_no_space", "kecamatan_no_space", "region_old_spelling", "kelurahan_typo",
           "sex_other_form", "date_other_form", "rt_rw_zero", "rt_rw_4_digits", "desil_text", "desil_out_of_range",
           "rt_rw_out_of_range", "sex_out_of_range", "dob_out_of_range", "nik_scientific")
    for source, counts in summary["tags"].items():
        assert all(counts[t] == 0 for t in off), source
    assert sum(summary["registry_rows_dated_after_quarter"].values()) == 0
    assert summary["hard_pairs"] == {"twin": 0, "parent_child_birthday": 0}


def test_every_issue11_phenomenon_is_on_by_default() -> None:
    cfg = SynthConfig()
    for f in dataclasses.fields(cfg):
        if f.name.endswith("_rate") or f.name.endswith("_share"):
            assert getattr(cfg, f.name) > 0, f.name


@pytest.mark.parametrize(
    "bad",
    [
        {"extract_day_min": 0},
        {"extract_day_min": 16, "extract_day_max": 12},
        {"extract_day_max": 31},
        {"extract_day_min": True},
        {"event_in_quarter_share": 0.9, "event_after_quarter_share": 0.2},
        {"nik_ganda_rate": -0.1},
        {"nik_formatted_rate": 1.5},
        {"registry_invalid_nik_rate": 0.6, "registry_nik_typo_rate": 0.6},
        {"nik_error_rate": 0.5, "nik_typo_rate": 0.3, "nik_transposition_rate": 0.2, "nik_ganda_rate": 0.2},
        {"write_ready_marker": 1},
        {"p3ke_sheet_rows": 0},
        {"p3ke_sheet_rows": 1_048_576},  # with the header, one row more than a sheet holds
        {"p3ke_sheet_rows": True},
    ],
)
def test_config_rejects_impossible_values(bad: dict) -> None:
    with pytest.raises(ValueError):
        SynthConfig(**bad)
