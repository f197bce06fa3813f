"""The versioned linkage models: one sha256-checked file per version, never overwritten, selected by MODEL_VERSION."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from orchestration.linkage import model as model_module
from orchestration.linkage.model import (
    MODEL_DIR,
    MODEL_SHA256,
    MODEL_VERSION,
    load_model,
    model_path,
    version_name,
    write_model,
)
from orchestration.linkage.settings import settings_creator


def _copy_model(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(MODEL_DIR, target)
    return target


def _meta(version: str = "2026-12-01_test-1", **extra) -> dict:
    return {"version": version, "threshold_match_probability": 0.75, "max_cluster_size": 3, **extra}


def test_model_version_selects_a_dated_tagged_file_with_the_recorded_sha256():
    """MODEL_VERSION names a <date>_<tag>.json in the model folder, whose sha256 is MODEL_SHA256."""
    assert model_module.VERSION_PATTERN.fullmatch(MODEL_VERSION)
    path = model_path(MODEL_DIR, MODEL_VERSION)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == MODEL_SHA256
    model = load_model()
    assert (model.version, model.sha256) == (MODEL_VERSION, MODEL_SHA256)
    # No unhashed sidecar: every file in the folder is a whole model.
    assert sorted(p.name for p in MODEL_DIR.iterdir()) == sorted(f"{p.stem}.json" for p in MODEL_DIR.glob("*.json"))
    assert 0 < model.threshold < 1 and model.max_cluster_size >= 2
    assert [c["output_column_name"] for c in model.settings["comparisons"]] == [
        "nik", "nama_match", "tanggal_lahir", "jenis_kelamin", "domicile"]


def test_threshold_and_bound_are_inside_the_hashed_file(tmp_path):
    """Changing the threshold or the over-linking bound is an edit of the hashed file, and is refused."""
    for key, value in (("threshold_match_probability", 0.5), ("max_cluster_size", 100)):
        model_dir = _copy_model(tmp_path / key)
        path = model_path(model_dir, MODEL_VERSION)
        document = json.loads(path.read_bytes())
        assert key in document["satudata"]
        document["satudata"][key] = value
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
        with pytest.raises(ValueError, match="retrain"):
            load_model(model_dir)


# The model converted from the former layout (person_linkage.json + sidecar), kept whatever MODEL_VERSION says later.
CONVERTED = "2026-11-23_generated-100k"
CONVERTED_SHA256 = "c576fc8ef02b648ef8f29c9fa8c0826e567f59214c5165f5541bf4cea4680a1f"


def test_the_converted_model_has_the_settings_of_its_predecessor():
    """The layout changed without retraining: the Splink block is byte for byte the former person_linkage.json."""
    raw = model_path(MODEL_DIR, CONVERTED).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == CONVERTED_SHA256
    document = json.loads(raw)
    settings_bytes = (json.dumps(document["splink"], indent=2, sort_keys=True) + "\n").encode()
    assert hashlib.sha256(settings_bytes).hexdigest() == document["satudata"]["converted_from"]["sha256"]
    assert (document["satudata"]["threshold_match_probability"], document["satudata"]["max_cluster_size"]) == (0.9, 8)


def test_one_byte_edit_of_the_model_is_refused(tmp_path):
    """Changing one digit of a parameter (still valid JSON) fails the sha256 check and asks for retraining."""
    model_dir = _copy_model(tmp_path)
    path = model_path(model_dir, MODEL_VERSION)
    raw = bytearray(path.read_bytes())
    key = b'"probability_two_random_records_match": '
    # The first digit of the value: a hand-tuned prior is exactly the edit the check exists for.
    at = raw.index(key) + len(key)
    assert chr(raw[at]).isdigit()
    raw[at] = ord(str((int(chr(raw[at])) + 1) % 10))
    path.write_bytes(bytes(raw))
    json.loads(path.read_bytes())  # still parses: only the checksum can catch it
    with pytest.raises(ValueError, match="retrain"):
        load_model(model_dir)


def test_trailing_whitespace_edit_is_refused(tmp_path):
    """The sha256 is over the exact bytes, so even a formatting-only edit is refused."""
    model_dir = _copy_model(tmp_path)
    path = model_path(model_dir, MODEL_VERSION)
    path.write_bytes(path.read_bytes() + b" ")
    with pytest.raises(ValueError, match="retrain"):
        load_model(model_dir)


def test_a_model_dir_from_the_environment_is_used(tmp_path, monkeypatch):
    """$SATUDATA_LINKAGE_MODEL_DIR still points to another folder; MODEL_VERSION's sha256 still applies there."""
    model_dir = _copy_model(tmp_path)
    monkeypatch.setenv("SATUDATA_LINKAGE_MODEL_DIR", str(model_dir))
    assert load_model().sha256 == MODEL_SHA256
    model_path(model_dir, MODEL_VERSION).unlink()
    with pytest.raises(FileNotFoundError, match=MODEL_VERSION):
        load_model()


def test_write_then_load_a_candidate_needs_its_sha256(tmp_path, monkeypatch):
    """A version other than MODEL_VERSION loads only with its sha256 given, as it would be recorded in code."""
    settings = {"link_type": "dedupe_only", "comparisons": [], "probability_two_random_records_match": 0.25}
    written = write_model(tmp_path / "m", settings, _meta())
    assert (tmp_path / "m" / "2026-12-01_test-1.json").is_file()
    monkeypatch.setenv("SATUDATA_LINKAGE_MODEL_VERSION", "2026-12-01_test-1")
    with pytest.raises(ValueError, match="SATUDATA_LINKAGE_MODEL_SHA256"):
        load_model(tmp_path / "m")
    monkeypatch.setenv("SATUDATA_LINKAGE_MODEL_SHA256", "0" * 64)
    with pytest.raises(ValueError, match="retrain"):
        load_model(tmp_path / "m")
    monkeypatch.setenv("SATUDATA_LINKAGE_MODEL_SHA256", written.sha256)
    loaded = load_model(tmp_path / "m")
    assert loaded == written and loaded.settings == settings
    assert (loaded.version, loaded.threshold, loaded.max_cluster_size) == ("2026-12-01_test-1", 0.75, 3)


def test_an_existing_version_is_never_overwritten(tmp_path):
    settings = {"comparisons": []}
    first = write_model(tmp_path, settings, _meta())
    before = (tmp_path / "2026-12-01_test-1.json").read_bytes()
    with pytest.raises(FileExistsError, match="never overwritten"):
        write_model(tmp_path, {"comparisons": [1]}, _meta())
    assert (tmp_path / "2026-12-01_test-1.json").read_bytes() == before
    assert hashlib.sha256(before).hexdigest() == first.sha256
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-12-01_test-1.json"]  # no temp file left
    # Nor the committed one, whatever is written under its name.
    with pytest.raises(FileExistsError):
        write_model(_copy_model(tmp_path / "c"), settings, _meta(MODEL_VERSION))


def test_a_model_without_threshold_or_with_a_bad_name_is_not_written(tmp_path):
    with pytest.raises(ValueError, match="inside the hashed file"):
        write_model(tmp_path, {}, {"version": "2026-12-01_x", "max_cluster_size": 3})
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        write_model(tmp_path, {}, _meta("2026.11-3"))
    assert list(tmp_path.iterdir()) == []


def test_version_names_are_date_and_tag():
    import datetime as dt

    day = dt.date(2026, 12, 1)
    assert version_name("generated-100k", day) == "2026-12-01_generated-100k"
    assert version_name("2026-11-23_generated-100k", day) == "2026-11-23_generated-100k"
    assert version_name("2026.11-3", day) == "2026-12-01_2026.11-3"
    with pytest.raises(ValueError, match="model tag"):
        version_name("Bad Tag/..", day)


def test_the_committed_model_says_it_was_trained_on_generated_data():
    model = load_model()
    on = model.meta["trained_on"]
    assert model.trained_on_generated_data
    assert model.provenance == (f"model {MODEL_VERSION}, trained on GENERATED data (satudata synth, {on['quarter']}, "
                                f"{on['people']:,} people), not on a real quarter")
    entry = model.manifest_entry()
    assert entry["trained_on_generated_data"] is True and entry["provenance"] == model.provenance
    real = model_module.LinkageModel(settings={}, meta=_meta(trained_on={"quarter": "2026Q3"}), sha256="")
    assert not real.trained_on_generated_data
    assert "GENERATED" not in real.provenance and "2026Q3" in real.provenance


def test_committed_blocking_rules_are_the_reviewed_ones():
    """The quarterly run blocks with the model's rules; they must be the ones in settings.py."""
    reviewed = settings_creator().create_settings_dict("duckdb")
    assert [r["blocking_rule"] for r in load_model().settings["blocking_rules_to_generate_predictions"]] == [
        r["blocking_rule"] for r in reviewed["blocking_rules_to_generate_predictions"]]


def test_committed_comparison_levels_are_the_reviewed_ones():
    """The committed model was trained on the reviewed structure: settings.py edited without retraining fails here."""
    reviewed = settings_creator().create_settings_dict("duckdb")

    def levels(settings):
        return [(c["output_column_name"], [lv["sql_condition"] for lv in c["comparison_levels"]])
                for c in settings["comparisons"]]

    assert levels(load_model().settings) == levels(reviewed)
