"""The numeric limits the quality gate holds a quarter to, overridable from the environment."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

_ENV = {
    "max_invalid_nik_share": "SATUDATA_GATE_MAX_INVALID_NIK_SHARE",
    "max_registry_invalid_nik_share": "SATUDATA_GATE_MAX_REGISTRY_INVALID_NIK_SHARE",
    "max_unresolved_kelurahan_share": "SATUDATA_GATE_MAX_UNRESOLVED_KELURAHAN_SHARE",
    "max_size_change": "SATUDATA_GATE_MAX_SIZE_CHANGE",
}
# Shares cannot pass 1; a size change can (a list that doubled changed by 1.0), so only its floor is fixed.
_CEILING = {"max_invalid_nik_share": 1.0, "max_registry_invalid_nik_share": 1.0, "max_unresolved_kelurahan_share": 1.0,
            "max_size_change": math.inf}


def _check(name: str, value: object, label: str) -> float:
    """The value as a float, or ValueError naming label when it is not a finite number in range."""
    ceiling = _CEILING[name]
    in_words = "a number between 0 and 1" if ceiling == 1 else "a number of 0 or more"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{label} must be {in_words}, got {value!r}")
    if not math.isfinite(value) or not 0 <= value <= ceiling:
        raise ValueError(f"{label} must be {in_words}, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class GateBounds:
    """Limits on source quality and on the quarter-to-quarter change of the submission's size."""

    # Per source: rows without a structurally valid NIK.
    max_invalid_nik_share: float = 0.05
    # Per source: rows whose kelurahan could not be resolved to a Kemendagri code.
    max_unresolved_kelurahan_share: float = 0.02
    # |new - old| / old of the submission's row count against the previous published quarter.
    max_size_change: float = 0.10
    # Per Dukcapil registry: rows without a 16-digit NIK, which can neither exclude nor clear anybody.
    max_registry_invalid_nik_share: float = 0.05

    def __post_init__(self) -> None:
        for f in fields(self):
            _check(f.name, getattr(self, f.name), f.name)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> GateBounds:
        """The defaults, overridden by any SATUDATA_GATE_* variable that is set and not blank."""
        environ = os.environ if environ is None else environ
        values = {}
        for name, var in _ENV.items():
            raw = environ.get(var, "").strip()
            if not raw:
                continue
            try:
                value = float(raw)
            except ValueError:
                value = raw
            values[name] = _check(name, value, var)
        return cls(**values)
