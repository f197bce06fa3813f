"""After the UI's backfill (runs launched as Dagster launches them, compute logs captured): no personal data leaked."""

from __future__ import annotations

from orchestration.audit import ALLOWED_FOLDERS
from tests.leak_scan import find_in_bytes, personal_values, scan_tree
from tests.ui.conftest import FIRST, GATED, SECOND


def test_no_personal_data_in_dagster_storage_compute_logs_dbt_or_gx(backfilled):
    data_dir = backfilled.data_dir
    values = personal_values(*(data_dir / "landing" / q for q in (GATED, FIRST, SECOND)),
                             backfilled.held_back.parent)
    assert len(values.ids) > 1_000 and len(values.names) > 1_000
    compute_logs = [p for p in (data_dir / "dagster_home" / "compute_logs").rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in compute_logs) > 0  # the run workers' captured output is there to search
    assert find_in_bytes((data_dir / "publish" / FIRST / "bps_submission.csv").read_bytes(), values)["id"] > 500
    leaks = scan_tree(data_dir, values, skip=(*ALLOWED_FOLDERS, "held_back"))
    assert leaks == {}, f"personal data outside the allowed files (counts per file): {leaks}"
    log = backfilled.ui.log_path.read_bytes() if backfilled.ui.log_path.is_file() else b""
    assert not find_in_bytes(log, values), "personal data in the output of satudata ui"
