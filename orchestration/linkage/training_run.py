"""Training on a quarter already conformed in its warehouse, and scoring the new model on it when truth exists."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration import warehouse
from orchestration.linkage.evaluate import pairwise_scores
from orchestration.linkage.model import write_model
from orchestration.linkage.predict import link
from orchestration.linkage.train import train_and_write
from orchestration.paths import QuarterPaths
from orchestration.quarters import Quarter


def train_on_quarter(data_dir: Path, quarter: Quarter, *, version: str, model_dir: Path) -> str:
    """Train on the quarter's int_persons__for_linkage, write the model, and describe what was done."""
    paths = QuarterPaths(data_dir, quarter)
    with warehouse.connect(paths.warehouse, read_only=True) as con:
        records = con.sql("select * from intermediate.int_persons__for_linkage").to_arrow_table()
    temp = data_dir / "tmp" / "splink" / f"train-{quarter.key}"
    trained_on = {"quarter": quarter.key}
    summary = paths.truth / "summary.json"
    if summary.is_file():
        import json

        config = json.loads(summary.read_text(encoding="utf-8"))
        trained_on |= {"generated": True, "seed": config.get("seed"), "people": config.get("people")}
    model = train_and_write(records, version=version, trained_on=trained_on, temp_dir=temp, model_dir=model_dir)
    lines = [f"trained linkage model {model.version} on {quarter.key}: {records.num_rows:,} rows",
             f"  written to {model_dir} (sha256 {model.sha256[:16]}...)"]
    truth = paths.truth / "source_rows.parquet"
    if truth.is_file():
        result = link(records, model, temp_dir=temp)
        con = duckdb.connect()
        con.register("clusters", result.clusters)
        assignments = con.sql(
            f"select c.cluster_id as predicted, t.person_id as actual from clusters c "
            f"join read_parquet('{truth}') t on c.unique_id = t.source || ':' || t.source_row").to_arrow_table()
        scores = pairwise_scores(assignments)
        model = write_model(model_dir, model.settings, {**model.meta, "evaluation_on_training_quarter": {
            **scores.as_dict(), "comparisons": result.comparisons, "largest_cluster": result.largest_cluster}})
        lines.append(f"  on the ground truth: pairwise precision {scores.precision:.4f}, recall {scores.recall:.4f}")
    return "\n".join(lines)
