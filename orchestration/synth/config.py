"""Rates, counts and coverage of the synthetic quarter generator."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

# Order of the planted per-person statuses (the `status` column of the truth), besides `resident`.
STATUSES = ("deceased", "moved_out", "nik_deactivated", "moved_within_dki", "outside_dki")
# Planted flags (the `planted` column of the truth).
PLANTED = ("invalid_nik", "namesake_of_deceased")


PROFILES = ("default", "stress", "baseline")
# The rates issue 11 added; the baseline profile sets them to 0 to tell which phenomenon a pipeline test trips on.
ISSUE11_RATES = (
    "event_after_quarter_share",
    "registry_invalid_nik_rate",
    "registry_nik_typo_rate",
    "registry_duplicate_rate",
    "registry_name_variant_rate",
    "twin_household_rate",
    "parent_child_birthday_rate",
    "nik_transposition_rate",
    "nik_ganda_rate",
    "nik_formatted_rate",
    "kk_formatted_rate",
    "provinsi_dkj_rate",
    "kelurahan_prefix_rate",
    "kecamatan_prefix_rate",
    "region_no_space_rate",
    "region_old_spelling_rate",
    "kelurahan_typo_rate",
    "sex_other_form_rate",
    "date_other_form_rate",
    "rt_rw_zero_rate",
    "rt_rw_4_digit_rate",
    "desil_text_rate",
    "out_of_range_rate",
)
# Fields the stress profile multiplies by 4 (capped, so that the planted cases still fit in the people).
_STRESS_SCALED = {
    "twin_household_rate": 0.2,
    "parent_child_birthday_rate": 0.05,
    "namesake_rate": 0.01,
    "nik_error_rate": 0.05,
    "nik_typo_rate": 0.02,
    "nik_transposition_rate": 0.01,
    "nik_ganda_rate": 0.03,
    "nik_formatted_rate": 0.2,
    "kk_formatted_rate": 0.2,
    "registry_invalid_nik_rate": 0.05,
    "registry_nik_typo_rate": 0.03,
    "registry_duplicate_rate": 0.05,
    "registry_name_variant_rate": 0.15,
    "kelurahan_prefix_rate": 0.15,
    "kecamatan_prefix_rate": 0.15,
    "region_no_space_rate": 0.08,
    "region_old_spelling_rate": 0.03,
    "kelurahan_typo_rate": 0.05,
    "sex_other_form_rate": 0.15,
    "date_other_form_rate": 0.15,
    "rt_rw_zero_rate": 0.02,
    "rt_rw_4_digit_rate": 0.05,
    "desil_text_rate": 0.1,
    "out_of_range_rate": 0.005,
    "dob_error_rate": 0.05,
    "name_typo_rate": 0.05,
}


@dataclass(frozen=True)
class SynthConfig:
    """All tunable rates of a synthetic quarter; counts are fractions of `people`, rounded half up."""

    # --- planted cases, as fractions of the listed people (exact after rounding) ---
    deceased_rate: float = 0.01
    moved_out_rate: float = 0.01
    nik_deactivated_rate: float = 0.005
    moved_within_dki_rate: float = 0.02
    outside_dki_rate: float = 0.01
    invalid_nik_rate: float = 0.005
    namesake_rate: float = 0.002
    # Share of namesakes whose dead twin is itself a listed deceased person (the rest are unlisted).
    namesake_listed_dead_share: float = 0.25

    # --- registries ---
    # Unlisted registry events per listed event of the same kind (deaths, each move status).
    registry_noise_multiplier: float = 3.0
    # Share of registry events dated inside the quarter; `event_after_quarter_share` more fall between the
    # quarter's last day and the extract date; the rest fall in the look-back window before the quarter.
    event_in_quarter_share: float = 0.35
    event_after_quarter_share: float = 0.05
    event_lookback_days: int = 730
    # The registries are pulled on a day between these (inclusive) of the month after the quarter.
    extract_day_min: int = 10
    extract_day_max: int = 15
    # Registry rows: an unreadable or invalid NIK; a NIK one digit off or with two adjacent digits swapped;
    # the row entered twice; the name in another spelling (old spelling, respelling, a typo).
    registry_invalid_nik_rate: float = 0.01
    registry_nik_typo_rate: float = 0.004
    registry_duplicate_rate: float = 0.01
    registry_name_variant_rate: float = 0.03
    # Write a ready marker beside the five files (format: docs/landing_contract.md).
    write_ready_marker: bool = False
    # Data rows per sheet of p3ke.xlsx: past it the list goes on in sheet "Individu (2)", and so on. Excel's
    # most (1,048,576 rows, less the header) unless a test wants the split on a small quarter.
    p3ke_sheet_rows: int = 1_048_575

    # --- population ---
    # Household size 1..7.
    household_size_weights: tuple[float, ...] = (0.12, 0.18, 0.22, 0.22, 0.14, 0.08, 0.04)
    # Households whose adults mostly were first registered outside Jakarta.
    migrant_household_rate: float = 0.5
    # Probability of a household being listed, per welfare desil 1..10.
    dtks_coverage: tuple[float, ...] = (0.8, 0.7, 0.6, 0.45, 0.06, 0.03, 0.01, 0.0, 0.0, 0.0)
    p3ke_coverage: tuple[float, ...] = (0.6, 0.45, 0.25, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    carik_coverage: tuple[float, ...] = (0.65, 0.65, 0.65, 0.65, 0.65, 0.65, 0.65, 0.65, 0.65, 0.65)
    # Members of a listed household that a source leaves out.
    member_dropout_rate: float = 0.05
    # Per household with two or more children: twins (same birth date, NIK area and often a similar name);
    # per child living with a parent: born on the parent's day and month.
    twin_household_rate: float = 0.03
    parent_child_birthday_rate: float = 0.004

    # --- row-level realism (fractions of rows per source) ---
    duplicate_rate: float = 0.02
    nik_error_rate: float = 0.012
    # One wrong digit at any of the 16 positions; two adjacent (different) digits swapped.
    nik_typo_rate: float = 0.003
    nik_transposition_rate: float = 0.001
    # A member row carrying the household head's or another member's NIK, per member row.
    nik_ganda_rate: float = 0.005
    # NIK and No. KK cells written with grouping spaces, dots, dashes, a leading apostrophe or blanks around.
    nik_formatted_rate: float = 0.03
    kk_formatted_rate: float = 0.03
    kk_error_rate: float = 0.01
    excel_number_nik_rate: float = 0.005
    name_title_rate: float = 0.03
    name_abbrev_rate: float = 0.04
    name_spelling_rate: float = 0.02
    # Applied only to people born before 1975, whose documents kept the pre-1972 spelling.
    name_old_spelling_rate: float = 0.15
    name_typo_rate: float = 0.02
    dob_error_rate: float = 0.02
    bps_spelling_rate: float = 0.3
    p3ke_text_date_rate: float = 0.15
    # Province written in its post-2024 (DKJ) form rather than a DKI form.
    provinsi_dkj_rate: float = 0.3
    # Kelurahan / kecamatan as written: a prefix (KEL., KELURAHAN, DESA / KEC., KECAMATAN), spaces left out,
    # the pre-1972 spelling (TJ, DJ, OE), one letter off.
    kelurahan_prefix_rate: float = 0.03
    kecamatan_prefix_rate: float = 0.03
    region_no_space_rate: float = 0.015
    region_old_spelling_rate: float = 0.005
    kelurahan_typo_rate: float = 0.01
    # Field values: rarer written forms of sex and dates; RT/RW as 0 or with 4 digits; values out of range.
    sex_other_form_rate: float = 0.03
    date_other_form_rate: float = 0.03
    rt_rw_zero_rate: float = 0.003
    rt_rw_4_digit_rate: float = 0.01
    desil_text_rate: float = 0.02
    out_of_range_rate: float = 0.001

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            values = value if isinstance(value, tuple) else (value,)
            if f.name == "write_ready_marker":
                if not isinstance(value, bool):
                    raise ValueError(f"SynthConfig.{f.name} must be True or False")
                continue
            if f.name == "p3ke_sheet_rows":
                if not (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 1_048_575):
                    raise ValueError(f"SynthConfig.{f.name} must be a whole number from 1 to 1,048,575 "
                                     "(Excel's rows a sheet, less the header)")
                continue
            if f.name in ("event_lookback_days", "extract_day_min", "extract_day_max"):
                if not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
                    raise ValueError(f"SynthConfig.{f.name} must be a positive integer")
                continue
            if f.name == "registry_noise_multiplier":
                if not (math.isfinite(value) and value >= 0):
                    raise ValueError(f"SynthConfig.{f.name} must be a non-negative number")
                continue
            if not all(isinstance(v, (int, float)) and 0.0 <= v <= 1.0 for v in values):
                raise ValueError(f"SynthConfig.{f.name} must hold fractions between 0 and 1")
        for name in ("dtks_coverage", "p3ke_coverage", "carik_coverage"):
            if len(getattr(self, name)) != 10:
                raise ValueError(f"SynthConfig.{name} needs one value per desil 1..10")
        if len(self.household_size_weights) != 7 or sum(self.household_size_weights) <= 0:
            raise ValueError("SynthConfig.household_size_weights needs 7 weights (sizes 1..7), not all zero")
        if not 1 <= self.extract_day_min <= self.extract_day_max <= 28:
            raise ValueError("SynthConfig needs 1 <= extract_day_min <= extract_day_max <= 28")
        if self.event_in_quarter_share + self.event_after_quarter_share > 1:
            raise ValueError("SynthConfig event_in_quarter_share + event_after_quarter_share must be <= 1")
        if self.nik_error_rate + self.nik_typo_rate + self.nik_transposition_rate + self.nik_ganda_rate > 1:
            raise ValueError("SynthConfig NIK row error rates together must stay at or below 1")
        if self.registry_invalid_nik_rate + self.registry_nik_typo_rate > 1:
            raise ValueError("SynthConfig registry NIK error rates together must stay at or below 1")
        if sum(self.status_rates().values()) + self.invalid_nik_rate + self.namesake_rate > 0.5:
            raise ValueError("SynthConfig planted rates together must stay at or below half of the people")

    def status_rates(self) -> dict[str, float]:
        """Rate per planted status, in STATUSES order."""
        return {s: getattr(self, f"{s}_rate") for s in STATUSES}

    def planted_counts(self, people: int) -> dict[str, int]:
        """Exact number of people per planted status and flag for a quarter of `people` listed people."""
        rates = self.status_rates() | {
            "invalid_nik": self.invalid_nik_rate,
            "namesake_of_deceased": self.namesake_rate,
        }
        return {name: math.floor(rate * people + 0.5) for name, rate in rates.items()}

    @classmethod
    def profile(cls, name: str) -> SynthConfig:
        """A named preset: "default"; "stress", every error and hard case at several times its rate; "baseline", issue 11's rates at 0."""  # noqa: E501
        if name == "default":
            return cls()
        if name == "baseline":
            return cls(**dict.fromkeys(ISSUE11_RATES, 0.0))
        if name != "stress":
            raise ValueError(f"unknown synth profile {name!r}; choose one of {PROFILES}")
        base = cls()
        scaled = {f: min(getattr(base, f) * 4, cap) for f, cap in _STRESS_SCALED.items()}
        return cls(**scaled, extract_day_min=12, extract_day_max=20, event_after_quarter_share=0.12)

    def as_dict(self) -> dict:
        """JSON-ready view of the configuration."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}
