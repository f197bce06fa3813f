"""Rates, counts and coverage of the synthetic quarter generator."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

# Order of the planted per-person statuses (the `status` column of the truth), besides `resident`.
STATUSES = ("deceased", "moved_out", "nik_deactivated", "moved_within_dki", "outside_dki")
# Planted flags (the `planted` column of the truth).
PLANTED = ("invalid_nik", "namesake_of_deceased")


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
    # Share of registry events dated inside the quarter; the rest fall in the look-back window before it.
    event_in_quarter_share: float = 0.35
    event_lookback_days: int = 730

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

    # --- row-level realism (fractions of rows per source) ---
    duplicate_rate: float = 0.02
    nik_error_rate: float = 0.012
    nik_typo_rate: float = 0.003
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

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            values = value if isinstance(value, tuple) else (value,)
            if f.name == "event_lookback_days":
                if not (isinstance(value, int) and value >= 1):
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

    def as_dict(self) -> dict:
        """JSON-ready view of the configuration."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}
