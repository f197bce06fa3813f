"""The committed linkage model: sha256 check on load, write/load round trip, agreement with the reviewed settings."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from orchestration.linkage.model import MODEL_DIR, MODEL_FILE, META_FILE, load_model, write_model
from orchestration.linkage.settings import settings_creator


def _copy_model(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(MODEL_DIR, target)
    return target


def test_committed_model_loads_with_meta_values():
    """The committed model loads; version, threshold and cluster bound come from the sidecar."""
    model = load_model()
    meta = json.loads((MODEL_DIR / META_FILE).read_text(encoding="utf-8"))
    assert model.version == meta["version"]
    assert model.threshold == float(meta["threshold_match_probability"])
    assert model.max_cluster_size == int(meta["max_cluster_size"])
    assert model.sha256 == hashlib.sha256((MODEL_DIR / MODEL_FILE).read_bytes()).hexdigest()
    assert 0 < model.threshold < 1
    assert model.max_cluster_size >= 2
    assert [c["output_column_name"] for c in model.settings["comparisons"]] == [
        "nik", "nama_match", "tanggal_lahir", "jenis_kelamin", "domicile"]


def test_one_byte_edit_of_the_model_is_refused(tmp_path):
    """Changing one digit of a parameter (still valid JSON) fails the sha256 check and asks for retraining."""
    model_dir = _copy_model(tmp_path)
    path = model_dir / MODEL_FILE
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
    path = model_dir / MODEL_FILE
    path.write_bytes(path.read_bytes() + b" ")
    with pytest.raises(ValueError, match="retrain"):
        load_model(model_dir)


def test_sidecar_without_checksum_is_refused(tmp_path):
    """A sidecar that lost its model_sha256 does not vouch for any model."""
    model_dir = _copy_model(tmp_path)
    meta_path = model_dir / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    del meta["model_sha256"]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ValueError, match="retrain"):
        load_model(model_dir)


def test_write_then_load_round_trip(tmp_path):
    """write_model's files load back to the same settings, meta and sha256."""
    settings = {"link_type": "dedupe_only", "comparisons": [], "probability_two_random_records_match": 0.25}
    meta = {"version": "test-1", "threshold_match_probability": 0.75, "max_cluster_size": 3}
    written = write_model(tmp_path / "m", settings, meta)
    loaded = load_model(tmp_path / "m")
    assert loaded == written
    assert loaded.settings == settings
    assert (loaded.version, loaded.threshold, loaded.max_cluster_size) == ("test-1", 0.75, 3)
    assert loaded.meta["model_file"] == MODEL_FILE
    assert loaded.sha256 == hashlib.sha256((tmp_path / "m" / MODEL_FILE).read_bytes()).hexdigest()


def test_rewriting_the_committed_model_gives_the_same_bytes(tmp_path):
    """The committed JSON is write_model's canonical form, so rewriting it keeps its sha256."""
    model = load_model()
    rewritten = write_model(tmp_path / "m", model.settings, model.meta)
    assert rewritten.sha256 == model.sha256
    assert (tmp_path / "m" / MODEL_FILE).read_bytes() == (MODEL_DIR / MODEL_FILE).read_bytes()


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
