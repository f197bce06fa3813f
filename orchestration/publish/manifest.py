"""manifest.json beside the submission: what was published, from which inputs, with which model and gate."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from orchestration.ingest.load import file_sha256
from orchestration.quality.results import PASSED, SuiteResult, verdict
from orchestration.quarters import Quarter


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
    person_keys: dict[str, str] | None = None,
) -> str:
    """The manifest's JSON text (sorted keys, so equal content gives equal text).

    `model` is LinkageModel.manifest_entry(); a model trained on generated data is also said at the top level, so
    that nobody reading the manifest takes the linkage for one trained on a real quarter. `person_keys`
    (person_keys_entry) names the keys export the submission's ids were assigned with, for the next quarter.
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
    if person_keys is not None:
        document["person_keys"] = person_keys
    if model.get("trained_on_generated_data"):
        document["notice"] = model["provenance"]
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def person_keys_entry(path: Path) -> dict[str, str] | None:
    """The person-keys export beside the warehouse, as the manifest records it (None when there is none)."""
    return {"file": path.name, "sha256": file_sha256(path)} if path.is_file() else None


@dataclass(frozen=True)
class Published:
    """A quarter whose publish folder holds a manifest that verifies."""

    quarter: Quarter
    manifest: dict[str, Any]


def verified_manifest(publish_dir: Path, quarter: Quarter) -> dict[str, Any] | None:
    """The quarter's manifest when it verifies: it parses, names this quarter, records a PASSED gate, and its
    submission file exists with the sha256 it records; else None (not published, or not intact)."""
    try:
        manifest = json.loads((publish_dir / "manifest.json").read_text(encoding="utf-8"))
        submission = publish_dir / manifest["file"]
        intact = (manifest["quarter"] == quarter.key and manifest["gate"]["verdict"] == PASSED
                  and submission.is_file() and file_sha256(submission) == manifest["sha256"]
                  and isinstance(manifest["row_count"], int))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return manifest if intact else None


def published_before(data_dir: Path, quarter: Quarter) -> list[Published]:
    """The quarters before `quarter` that are published (their manifest verifies), the latest first."""
    found = []
    for folder in (data_dir / "publish").glob("*"):
        try:
            earlier = Quarter.parse(folder.name)
        except ValueError:
            continue
        if earlier.key == folder.name and earlier.key < quarter.key and (manifest := verified_manifest(folder, earlier)) is not None:
            found.append(Published(earlier, manifest))
    return sorted(found, key=lambda p: p.quarter.key, reverse=True)
