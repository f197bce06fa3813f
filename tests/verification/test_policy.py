"""The verification policy: the default, overrides per kind of doubt, and the kinds that always hold."""

from __future__ import annotations

import pytest

from orchestration.verification.policy import DEFAULT_POLICY, POLICY_ENV, verification_policy


def test_the_default_holds_what_the_rules_exclude_and_publishes_the_rest():
    assert verification_policy("") == DEFAULT_POLICY
    assert DEFAULT_POLICY["nik_dekat_dukcapil"] == "hold"
    assert DEFAULT_POLICY["nik_tidak_cocok"] == DEFAULT_POLICY["senama_meninggal"] == "publish"


def test_kinds_are_overridden_from_the_environment(monkeypatch):
    monkeypatch.setenv(POLICY_ENV, " nik_tidak_cocok=hold , nik_dekat_dukcapil=publish")
    policy = verification_policy()
    assert policy["nik_tidak_cocok"] == "hold" and policy["nik_dekat_dukcapil"] == "publish"
    assert policy["senama_meninggal"] == "publish"


@pytest.mark.parametrize(("value", "message"), [
    ("nik_palsu=hold", "unknown kind of doubt"),
    ("nik_tidak_cocok=maybe", "must be hold or publish"),
    ("nik_ganda=publish", "always holds"),
    ("kelurahan_tidak_dikenal=publish", "always holds"),
])
def test_a_bad_policy_is_refused(value, message):
    with pytest.raises(ValueError, match=message):
        verification_policy(value)
