"""Which doubts hold a person back until a field visit settles them, and which publish them with the doubt recorded.

Default: what the rules already exclude stays excluded until a field result undoes it (a registry record under a
NIK one edit away: `nik_dekat_dukcapil`); every other doubt keeps the person in the submission until a field result
says otherwise. `$SATUDATA_VERIFICATION_POLICY` overrides kinds, e.g. `nik_tidak_cocok=hold,nik_dekat_dukcapil=publish`.
NIK ganda, no name and an unresolved kelurahan always hold: the submission takes each NIK once, a name, and a DKI
kelurahan, so publishing them would only move the failure to the gate.
"""

from __future__ import annotations

import os

from orchestration.verification.worksheet_format import DOUBTS

POLICY_ENV = "SATUDATA_VERIFICATION_POLICY"
POLICIES = ("hold", "publish")
DEFAULT_POLICY = {
    "nik_dekat_dukcapil": "hold",
    "nik_ganda": "hold",
    "tanpa_nama": "hold",
    "kelurahan_tidak_dikenal": "hold",
    "nik_tidak_cocok": "publish",
    "senama_meninggal": "publish",
}
ALWAYS_HOLD = ("nik_ganda", "tanpa_nama", "kelurahan_tidak_dikenal")


def verification_policy(value: str | None = None) -> dict[str, str]:
    """The policy per kind of doubt: the default, overridden by `value` (else the environment)."""
    value = os.environ.get(POLICY_ENV, "") if value is None else value
    policy = dict(DEFAULT_POLICY)
    for item in filter(None, (part.strip() for part in value.split(","))):
        kind, _, chosen = item.partition("=")
        kind, chosen = kind.strip(), chosen.strip()
        if kind not in DOUBTS:
            raise ValueError(f"${POLICY_ENV}: unknown kind of doubt {kind!r}; the kinds are {', '.join(DOUBTS)}")
        if chosen not in POLICIES:
            raise ValueError(f"${POLICY_ENV}: {kind} must be hold or publish")
        if kind in ALWAYS_HOLD and chosen != "hold":
            raise ValueError(f"${POLICY_ENV}: {kind} always holds (the submission could not take the person)")
        policy[kind] = chosen
    return policy
