"""A hand-made landing set loaded by the real ingestion code and built by a real `dbt build` of chosen models."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.ingest.contract import EXTRACTS
from orchestration.ingest.load import load_extract
from orchestration.paths import REPO_ROOT
from tests.conftest import FORMATS, HEADERS, ROWS, write_csv, write_xlsx

DBT_PROJECT = REPO_ROOT / "dbt_project"


def build_models(data_dir: Path, quarter: str, select: str, rows: dict[str, list[list]] | None = None) -> Path:
    """Write the landing set (conftest's rows, replaced per file by `rows`), load it, dbt-build `select`.

    Returns the warehouse; raises with dbt's output (model names and test results, no cell values) on failure.
    """
    rows = {**ROWS, **(rows or {})}
    landing = data_dir / "landing" / quarter
    for source, (delimiter, encoding) in FORMATS.items():
        write_csv(landing / f"{source}.csv", HEADERS[source], rows[source], delimiter, encoding)
    write_xlsx(landing / "p3ke.xlsx", HEADERS["p3ke"], rows["p3ke"])
    warehouse = data_dir / "warehouse" / f"{quarter}.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        for spec in EXTRACTS:
            load_extract(con, spec, landing / spec.file_name)
    # cautious: a test of a model outside `select` (a relationship to a seed, say) is not run.
    run_dbt("build", "--select", select, "--indirect-selection", "cautious",
            warehouse=warehouse, quarter=quarter, target=data_dir / "dbt_target")
    return warehouse


def run_dbt(*args: str, warehouse: Path, quarter: str, target: Path) -> str:
    """Run the dbt CLI of this venv on the project against `warehouse`; returns its output, raises on failure with
    the lines that name what failed (model and test names, no cell values)."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), *args,
         "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
         "--target-path", str(target), "--log-path", str(target / "logs"),
         "--vars", json.dumps({"quarter": quarter, "warehouse": str(warehouse)})],
        check=False, capture_output=True, text=True, cwd=DBT_PROJECT)
    if done.returncode:
        failed = [line for line in done.stdout.splitlines() if "ERROR" in line or "FAIL" in line]
        raise AssertionError(f"dbt {args[0]} failed:\n" + "\n".join((failed or done.stdout.splitlines())[-30:]))
    return done.stdout
