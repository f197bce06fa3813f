"""manifest.json beside the submission: what was published, from which inputs, with which model and gate."""

from __future__ import annotations

import json
from typing import Any

import duckdb

from orchestration.quality.results import SuiteResult, verdict


def inputs(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Each landing file of the quarter: name, sha256 and rows read (from raw.load_log)."""
    rows = con.execute(
        "select source, file_name, file_sha256, rows_read, rows_loaded, rows_quarantined "
        "from raw.load_log order by source").fetchall()
    return [{"source": s, "file_name": f, "sha256": h, "rows": int(r), "rows_loaded": int(lo),
             "rows_quarantined": int(q)} for s, f, h, r, lo, q in rows]


def build_manifest(
    *, quarter: str, run_id: str, generated_at: str, row_count: int, sha256: str,
    input_files: list[dict[str, Any]], model: dict[str, Any], gate: list[SuiteResult],
) -> str:
    """The manifest's JSON text (sorted keys, so equal content gives equal text).

    `model` is LinkageModel.manifest_entry(); a model trained on generated data is also said at the top level, so
    that nobody reading the manifest takes the linkage for one trained on a real quarter.
    """
    document: dict[str, Any] = {
        "quarter": quarter,
        "run_id": run_id,
        "generated_at": generated_at,
        "file": "bps_submission.csv",
        "row_count": row_count,
        "sha256": sha256,
        "inputs": input_files,
        "linkage_model": model,
        "gate": {
            "verdict": verdict(gate),
            "suites": [{"suite": r.suite_name, "success": r.success,
                        "expectations_evaluated": r.evaluated_expectations,
                        "expectations_met": r.successful_expectations} for r in gate],
        },
    }
    if model.get("trained_on_generated_data"):
        document["notice"] = model["provenance"]
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
