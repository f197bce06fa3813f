"""`satudata audit` on the operated data dir: clean as left by the runs, and it notices a leak and an opened file."""

from __future__ import annotations

import csv
import os
import subprocess

from tests.trust import runs


def _audit(data_dir) -> subprocess.CompletedProcess:
    return subprocess.run(runs.command(data_dir, "audit"), capture_output=True, text=True,
                          env=runs.environment(data_dir), timeout=300)


def test_audit_is_clean_after_the_runs_and_reports_a_planted_leak(operated):
    done = _audit(operated.data_dir)
    assert done.returncode == 0, done.stdout
    assert done.stdout.startswith("satudata audit 2025Q1, 2025Q2: CLEAN")

    # A NIK and a name of the submission copied into a log, and a report opened to everyone.
    submission = operated.data_dir / "publish" / "2025Q1" / "bps_submission.csv"
    with submission.open(encoding="utf-8", newline="") as handle:
        person = next(row for row in csv.DictReader(handle) if " " in row["nama"])
    nik, name = person["nik"], person["nama"]
    planted = operated.data_dir / "logs" / "planted.log"
    ledger = operated.data_dir / "reports" / "2025Q1" / "record_ledger.csv"
    try:
        planted.write_text(f"debug: matched {nik} for {name}\n", encoding="utf-8")
        os.chmod(ledger, 0o644)
        found = _audit(operated.data_dir)
        assert found.returncode == 1
        assert "FINDINGS" in found.stdout
        assert "personal data outside the allowed folders: logs/planted.log (1 NIK/KK, " in found.stdout
        assert "readable by group or others: reports/2025Q1/record_ledger.csv" in found.stdout
        assert nik not in found.stdout + found.stderr and name not in found.stdout + found.stderr
    finally:
        planted.unlink(missing_ok=True)
        os.chmod(ledger, 0o600)


def test_the_leak_search_reads_every_sheet_of_a_split_workbook(tmp_path):
    # The same quarter with P3KE in one sheet and in four: the values searched for are the same.
    from orchestration.synth import generate_quarter
    from orchestration.synth.config import SynthConfig
    from tests.leak_scan import personal_values

    generate_quarter("2025Q1", 1500, seed=7, data_dir=tmp_path / "one")
    generate_quarter("2025Q1", 1500, seed=7, data_dir=tmp_path / "split", config=SynthConfig(p3ke_sheet_rows=100))
    one = personal_values(tmp_path / "one" / "landing" / "2025Q1")
    split = personal_values(tmp_path / "split" / "landing" / "2025Q1")
    # Counts only in the messages: a diff of the sets would print the NIKs and names.
    assert len(one.ids) > 1000
    assert one.ids == split.ids, f"{len(one.ids ^ split.ids)} NIKs/KKs differ"
    assert one.names == split.names, f"{len(one.names ^ split.names)} names differ"
