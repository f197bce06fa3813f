"""Where the data dir is: --data-dir, else $SATUDATA_DATA_DIR, else ./data."""

from pathlib import Path

from orchestration.paths import QuarterPaths, resolve_data_dir
from orchestration.quarters import Quarter


def test_argument_beats_environment_beats_default(tmp_path, monkeypatch):
    monkeypatch.setenv("SATUDATA_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "arg") == tmp_path / "arg"
    assert resolve_data_dir() == tmp_path / "env"
    monkeypatch.delenv("SATUDATA_DATA_DIR")
    monkeypatch.chdir(tmp_path)
    assert resolve_data_dir() == tmp_path / "data"


def test_quarter_layout():
    paths = QuarterPaths(Path("/d"), Quarter.parse("2025Q2"))
    assert paths.landing == Path("/d/landing/2025Q2")
    assert paths.truth == Path("/d/truth/2025Q2")
    assert paths.warehouse == Path("/d/warehouse/2025Q2.duckdb")
