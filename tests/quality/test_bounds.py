"""GateBounds defaults and their environment overrides."""

from __future__ import annotations

import pytest

from expectations.bounds import GateBounds

VARS = {
    "max_invalid_nik_share": "SATUDATA_GATE_MAX_INVALID_NIK_SHARE",
    "max_unresolved_kelurahan_share": "SATUDATA_GATE_MAX_UNRESOLVED_KELURAHAN_SHARE",
    "max_size_change": "SATUDATA_GATE_MAX_SIZE_CHANGE",
    "max_registry_invalid_nik_share": "SATUDATA_GATE_MAX_REGISTRY_INVALID_NIK_SHARE",
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for var in VARS.values():
        monkeypatch.delenv(var, raising=False)


def test_defaults_without_env():
    assert GateBounds.from_env() == GateBounds(0.05, 0.02, 0.10, 0.05)


def test_env_overrides_each_bound(monkeypatch):
    monkeypatch.setenv(VARS["max_invalid_nik_share"], "0.08")
    monkeypatch.setenv(VARS["max_unresolved_kelurahan_share"], " 0.01 ")
    monkeypatch.setenv(VARS["max_size_change"], "1.5")
    monkeypatch.setenv(VARS["max_registry_invalid_nik_share"], "0.2")
    assert GateBounds.from_env() == GateBounds(0.08, 0.01, 1.5, 0.2)


def test_blank_env_keeps_the_default(monkeypatch):
    monkeypatch.setenv(VARS["max_size_change"], "  ")
    assert GateBounds.from_env().max_size_change == 0.10


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("max_invalid_nik_share", "five percent"),
        ("max_invalid_nik_share", "1.2"),
        ("max_unresolved_kelurahan_share", "-0.01"),
        ("max_unresolved_kelurahan_share", "nan"),
        ("max_size_change", "inf"),
        ("max_size_change", "-1"),
        ("max_registry_invalid_nik_share", "1.01"),
        ("max_registry_invalid_nik_share", "a third"),
    ],
)
def test_invalid_env_value_names_the_variable(monkeypatch, field, raw):
    monkeypatch.setenv(VARS[field], raw)
    with pytest.raises(ValueError, match=VARS[field]):
        GateBounds.from_env()


def test_direct_construction_is_checked_too():
    with pytest.raises(ValueError, match="max_invalid_nik_share"):
        GateBounds(max_invalid_nik_share=5)
    with pytest.raises(ValueError, match="max_size_change"):
        GateBounds(max_size_change=True)
