"""Training on a quarter already conformed in its warehouse, and scoring the new model on it when truth exists."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import duckdb

from orchestration import warehouse
from orchestration.linkage.evaluate import pairwise_scores
from orchestration.linkage.model import LinkageModel, model_path, version_name, write_model
from orchestration.linkage.predict import link
from orchestration.linkage.settings import settings_creator
from orchestration.linkage.train import records_sha256, train, training_meta
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
    lines += _evaluate_on_truth(records, settings, meta, paths, temp)
    return "\n".join(lines + _written(model_dir, settings, meta))


def rewrite_on_quarter(data_dir: Path, quarter: Quarter, *, version: str, model_dir: Path, base: LinkageModel,
                       change: str) -> str:
    """Write `base` again as a new version with the SQL of the reviewed settings code and `base`'s trained m and u,
    evaluated on the quarter `base` was trained on; describe what was done.

    For a change that rewrites a blocking rule or a comparison level's SQL without changing what it means (the same
    pairs, the same levels): no EM runs, so the weights are the reviewed ones, and the evaluation shows the result.
    """
    version = new_version(version, model_dir)
    paths = QuarterPaths(data_dir, quarter)
    with warehouse.connect(paths.warehouse, read_only=True) as con:
        records = con.sql("select * from intermediate.int_persons__for_linkage").to_arrow_table()
    if records_sha256(records) != base.meta["trained_on"]["rows_sha256"]:
        raise ValueError(f"{quarter.key}'s linkage input is not the rows {base.version} was trained on: its "
                         "evaluation would not compare with the model's own")
    settings = reviewed_sql(base.settings)
    meta = copy.deepcopy(base.meta) | {
        "version": version, "derived_from": {"version": base.version, "sha256": base.sha256, "change": change}}
    meta.pop("evaluation_on_training_quarter", None)  # scores of the old SQL are not this model's
    lines = [f"wrote linkage model {base.version} as {version} with the reviewed SQL, m and u unchanged"]
    lines += _evaluate_on_truth(records, settings, meta, paths,
                                data_dir / "tmp" / "splink" / f"rewrite-{quarter.key}")
    before = base.meta.get("evaluation_on_training_quarter")
    if before:
        lines.append(f"  before: pairwise precision {before['precision']:.4f}, recall {before['recall']:.4f}, "
                     f"{before['comparisons']:,} comparisons")
    return "\n".join(lines + _written(model_dir, settings, meta))


def reviewed_sql(trained: dict) -> dict:
    """`trained` (Splink settings with m and u) with the blocking rules and comparison levels' SQL of
    orchestration.linkage.settings; refused unless the comparisons and their levels are the same, by name."""
    reviewed = settings_creator().create_settings_dict("duckdb")
    out = copy.deepcopy(trained)
    shape = [(c["output_column_name"], [lv.get("label_for_charts") for lv in c["comparison_levels"]])
             for c in out["comparisons"]]
    new_shape = [(c["output_column_name"], [lv.get("label_for_charts") for lv in c["comparison_levels"]])
                 for c in reviewed["comparisons"]]
    if shape != new_shape:
        raise ValueError("the reviewed comparisons or their levels are not the trained model's: train a new model")
    for comparison, new in zip(out["comparisons"], reviewed["comparisons"], strict=True):
        for level, new_level in zip(comparison["comparison_levels"], new["comparison_levels"], strict=True):
            level["sql_condition"] = new_level["sql_condition"]
    out["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": rule["blocking_rule"], "sql_dialect": "duckdb"}
        for rule in reviewed["blocking_rules_to_generate_predictions"]]
    return out


def _evaluate_on_truth(records, settings: dict, meta: dict, paths: QuarterPaths, temp: Path) -> list[str]:
    """Link `records` with `settings` and, where the quarter has a generated truth, put the pairwise scores into
    `meta` (the hashed file); the report's lines."""
    truth = paths.truth / "source_rows.parquet"
    if not truth.is_file():
        return []
    result = link(records, LinkageModel(settings=settings, meta=meta, sha256=""), temp_dir=temp)
    con = duckdb.connect()
    con.register("clusters", result.clusters)
    assignments = con.sql(
        f"select c.cluster_id as predicted, t.person_id as actual from clusters c "
        f"join read_parquet('{truth}') t on c.unique_id = t.source || ':' || t.source_row").to_arrow_table()
    scores = pairwise_scores(assignments)
    meta["evaluation_on_training_quarter"] = {
        **scores.as_dict(), "comparisons": result.comparisons, "largest_cluster": result.largest_cluster}
    return [f"  on the ground truth: pairwise precision {scores.precision:.4f}, recall {scores.recall:.4f}, "
            f"{result.comparisons:,} comparisons"]


def _written(model_dir: Path, settings: dict, meta: dict) -> list[str]:
    version = meta["version"]
    model = write_model(model_dir, settings, meta)
    return [f"  written to {model_path(model_dir, version)}",
            (f"  to use it, set in orchestration/linkage/model.py: MODEL_VERSION = \"{version}\" and "
             f"MODEL_SHA256 = \"{model.sha256}\""),
            f"  {model.provenance}"]
