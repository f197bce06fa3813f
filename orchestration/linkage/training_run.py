"""Training on a quarter already conformed in its warehouse, and scoring the new model on it when truth exists."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

from orchestration import warehouse
from orchestration.linkage.evaluate import pairwise_scores
from orchestration.linkage.model import LinkageModel, model_path, version_name, write_model
from orchestration.linkage.predict import link
from orchestration.linkage.train import train, training_meta
from orchestration.paths import QuarterPaths
from orchestration.quarters import Quarter


def new_version(version: str, model_dir: Path) -> str:
    """The full version a training run would write (`<today>_<tag>`), refused when it exists in `model_dir`."""
    version = version_name(version, dt.datetime.now(dt.UTC).date())
    if model_path(model_dir, version).exists():
        raise FileExistsError(f"linkage model {version} already exists in {model_dir}: models are never "
                              "overwritten, train under a new tag or date")
    return version


def train_on_quarter(data_dir: Path, quarter: Quarter, *, version: str, model_dir: Path) -> str:
    """Train on the quarter's int_persons__for_linkage, write the model as a new version, describe what was done.

    `version` is a tag (`generated-100k`, dated today) or a full `<YYYY-MM-DD>_<tag>`; an existing version is
    refused before any training, and the evaluation on the truth goes into the same (hashed) file.
    """
    version = new_version(version, model_dir)
    paths = QuarterPaths(data_dir, quarter)
    with warehouse.connect(paths.warehouse, read_only=True) as con:
        records = con.sql("select * from intermediate.int_persons__for_linkage").to_arrow_table()
    temp = data_dir / "tmp" / "splink" / f"train-{quarter.key}"
    trained_on: dict = {"quarter": quarter.key, "generated": False}
    summary = paths.truth / "summary.json"
    if summary.is_file():
        # Only `satudata synth` writes a truth folder: this quarter is generated, not a real extract.
        config = json.loads(summary.read_text(encoding="utf-8"))
        trained_on |= {"generated": True, "seed": config.get("seed"), "people": config.get("people")}
    settings = train(records, temp_dir=temp)
    meta = training_meta(records, version=version, trained_on=trained_on)
    lines = [f"trained linkage model {version} on {quarter.key}: {records.num_rows:,} rows"]
    truth = paths.truth / "source_rows.parquet"
    if truth.is_file():
        result = link(records, LinkageModel(settings=settings, meta=meta, sha256=""), temp_dir=temp)
        con = duckdb.connect()
        con.register("clusters", result.clusters)
        assignments = con.sql(
            f"select c.cluster_id as predicted, t.person_id as actual from clusters c "
            f"join read_parquet('{truth}') t on c.unique_id = t.source || ':' || t.source_row").to_arrow_table()
        scores = pairwise_scores(assignments)
        meta["evaluation_on_training_quarter"] = {
            **scores.as_dict(), "comparisons": result.comparisons, "largest_cluster": result.largest_cluster}
        lines.append(f"  on the ground truth: pairwise precision {scores.precision:.4f}, recall {scores.recall:.4f}")
    model = write_model(model_dir, settings, meta)
    lines += [f"  written to {model_path(model_dir, version)}",
              (f"  to use it, set in orchestration/linkage/model.py: MODEL_VERSION = \"{version}\" and "
               f"MODEL_SHA256 = \"{model.sha256}\""),
              f"  {model.provenance}"]
    return "\n".join(lines)
