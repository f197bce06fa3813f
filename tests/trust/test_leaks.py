"""After real runs, no NIK, No. KK or full name outside the landing files, warehouse, publication and reports."""

from __future__ import annotations

from orchestration.audit import ALLOWED_FOLDERS as ALLOWED
from tests.leak_scan import find_in_bytes, personal_values, scan_tree
from tests.trust.conftest import QUARTERS


def test_the_scan_finds_personal_data_where_it_belongs(operated):
    """The search is not blind: the submission holds the NIKs and names the landing files gave it."""
    values = personal_values(*(operated.landing(q) for q in QUARTERS))
    assert len(values.ids) > 300 and len(values.names) > 300
    submission = operated.data_dir / "publish" / QUARTERS[0] / "bps_submission.csv"
    hits = find_in_bytes(submission.read_bytes(), values)
    assert hits["id"] > 250 and hits["name"] > 200


def test_no_personal_data_in_dagster_dbt_gx_logs_or_the_console(operated):
    """Dagster's run and event storage and compute logs, dbt's target and logs, GX's stores and Data Docs, run logs,
    leftovers in tmp/, and everything `satudata run` printed hold none of the quarters' NIKs, No. KKs or names."""
    values = personal_values(*(operated.landing(q) for q in QUARTERS))
    scanned = sorted(p.name for p in operated.data_dir.iterdir() if p.name not in ALLOWED)
    assert {"dagster_home", "dbt", "gx", "logs"} <= set(scanned)
    stores = operated.data_dir / "dagster_home"
    assert any((stores / "compute_logs").rglob("*.out")) and any((stores / "history").rglob("*.db"))
    assert any((operated.data_dir / "dbt").rglob("dbt.log")) and any((operated.data_dir / "dbt").rglob("*.json"))
    assert any((operated.data_dir / "gx").rglob("index.html"))

    leaks = scan_tree(operated.data_dir, values, skip=ALLOWED)
    assert leaks == {}, f"personal data outside the allowed files (counts per file): {leaks}"
    console = find_in_bytes("\n".join(operated.console).encode(), values)
    assert not console, f"personal data printed by satudata run: {dict(console)}"
