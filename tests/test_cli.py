"""The `satudata` command line, run as a user runs it: a real subprocess on a real data dir."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import HEADERS, QUARTER, ROWS, write_csv
from tests.ui.dagster_ui import DagsterUI

SATUDATA = [str(Path(sys.executable).parent / "satudata")]


def _run(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DAGSTER_HOME": str(data_dir / "dagster_home")}
    return subprocess.run([*SATUDATA, *args, "--data-dir", str(data_dir)], capture_output=True, text=True,
                          env=env, timeout=300)


def test_run_publishes_a_quarter_and_prints_its_summary(data_dir, landing):
    done = _run("run", "--quarter", QUARTER, data_dir=data_dir)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert f"satudata run {QUARTER}: SUCCEEDED" in done.stdout
    assert "raw/dtks" in done.stdout and "raw/p3ke" in done.stdout
    # The hand-made landing set: 9 list rows, 9 people; one dead, one moved out, one NIK deactivated.
    assert "people after linkage: 9" in done.stdout
    for line in ("deceased", "moved_out", "nik_deactivated", "excluded_deceased", "published"):
        assert line in done.stdout
    assert "quality gate: PASSED" in done.stdout
    # The committed model was trained on generated data, and the summary says so plainly.
    from orchestration.linkage.model import MODEL_VERSION

    assert f"linkage: model {MODEL_VERSION}, trained on GENERATED data (satudata synth" in done.stdout
    submission = data_dir / "publish" / QUARTER / "bps_submission.csv"
    assert f"published: {submission}" in done.stdout
    assert len(submission.read_text().splitlines()) == 1 + 6
    assert (data_dir / "warehouse" / f"{QUARTER}.duckdb").is_file()
    everything = done.stdout + done.stderr
    for source in ("dtks", "carik"):
        for row in ROWS[source]:
            assert row[1 if source == "carik" else 9] not in everything  # no NIK on the console
    # The run is recorded in the persistent instance the UI reads.
    assert (data_dir / "dagster_home" / "history").is_dir()


def test_bad_extract_exits_non_zero_naming_file_and_column(data_dir, landing):
    header = [c for c in HEADERS["carik"] if c != "nik"]
    rows = [[v for c, v in zip(HEADERS["carik"], r) if c != "nik"] for r in ROWS["carik"]]
    write_csv(landing / "carik.csv", header, rows, ";", "utf-8-sig")
    done = _run("run", "--quarter", QUARTER, data_dir=data_dir)
    assert done.returncode == 1
    assert "FAILED" in done.stdout
    assert "carik.csv" in done.stdout and "missing column 'nik'" in done.stdout
    everything = done.stdout + done.stderr
    for row in ROWS["carik"] + ROWS["dtks"]:
        assert row[1] not in everything  # no NIK leaks into the console


def test_unknown_quarter_is_a_clear_error(data_dir):
    done = _run("run", "--quarter", "2025Q5", data_dir=data_dir)
    assert done.returncode == 2 and "2025Q2" in done.stderr


def test_synth_writes_a_landing_set_and_its_truth(data_dir):
    done = _run("synth", "--quarter", QUARTER, "--people", "300", "--seed", "11", data_dir=data_dir)
    assert done.returncode == 0, done.stderr[-2000:]
    landing = data_dir / "landing" / QUARTER
    assert sorted(p.name for p in landing.iterdir()) == [
        "carik.csv", "dtks.csv", "dukcapil_kematian.csv", "dukcapil_pindah.csv", "p3ke.xlsx"]
    assert {p.name for p in (data_dir / "truth" / QUARTER).iterdir()} >= {
        "persons.parquet", "source_rows.parquet", "summary.json"}
    assert "dtks.csv" in done.stdout and "rows" in done.stdout


def test_quarter_before_the_first_partition_is_refused_clearly(data_dir):
    done = _run("run", "--quarter", "2019Q1", data_dir=data_dir)
    assert done.returncode == 1
    assert "2019Q1 is not a partition" in done.stdout and "SATUDATA_FIRST_QUARTER" in done.stdout


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ui_stops_on_ctrl_c_and_sigterm_even_from_a_non_interactive_shell(data_dir, tmp_path, sig):
    ui = DagsterUI(data_dir, log_path=tmp_path / "ui.log")
    try:
        ui.wait_until_loaded()
        config = (data_dir / "dagster_home" / "dagster.yaml").read_text()
        assert "max_concurrent_runs: 1" in config and f"base_dir: {data_dir.resolve()}/dagster_home" in config
        assert ui.stop(sig, timeout=60) is not None
        # The webserver, the daemon and the code server went with it.
        assert ui.processes_left_after() == []
    finally:
        ui.kill()


def test_train_linkage_refuses_an_existing_model_version_before_running(data_dir):
    from orchestration.linkage.model import MODEL_DIR, MODEL_VERSION, model_path

    before = model_path(MODEL_DIR, MODEL_VERSION).read_bytes()
    done = _run("train-linkage", "--quarter", QUARTER, "--version", MODEL_VERSION, data_dir=data_dir)
    assert done.returncode == 1
    assert f"linkage model {MODEL_VERSION} already exists" in done.stderr and "never overwritten" in done.stderr
    assert model_path(MODEL_DIR, MODEL_VERSION).read_bytes() == before
    assert not (data_dir / "logs" / QUARTER / "train.log").exists()  # refused before the quarter was run
