"""Estimating the model's parameters on one quarter's rows; launched by hand, never by the quarterly run."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import splink

from orchestration.linkage.model import MODEL_DIR, LinkageModel, write_model
from orchestration.linkage.predict import SPLINK_LOG_LEVEL, splink_connection
from orchestration.linkage.settings import (
    DETERMINISTIC_RULES,
    M_BOUNDS,
    NEUTRAL_LEVELS,
    TRAINING_BLOCKS,
    settings_creator,
)

# Reviewed defaults, written into the sidecar with the model. A person is in at most three lists, each with a
# rare repeat; more rows than this in one cluster is chained false links.
THRESHOLD_MATCH_PROBABILITY = 0.9
MAX_CLUSTER_SIZE = 8
# Share of true pairs the deterministic rules (same NIK and birth date, or NIK and name) find: NIKs are missing or
# mistyped on a few percent of rows, so the rules find most but not all.
DETERMINISTIC_RECALL = 0.9
# m of a comparison level that no training match fell into: rare among matches, but not impossible.
UNSEEN_LEVEL_M = 0.001
# Pairs sampled to estimate u; a level no sampled pair fell into gets u = 1 / U_SAMPLE_PAIRS ("under one in the
# sample") instead of Splink's neutral default.
U_SAMPLE_PAIRS = 5e6
SEED = 20251


def records_sha256(records: pa.Table) -> str:
    """A fingerprint of the training rows (ids only, so the sidecar holds no personal data)."""
    digest = hashlib.sha256()
    for uid in sorted(records.column("unique_id").to_pylist()):
        digest.update(uid.encode() + b"\n")
    return digest.hexdigest()


def train(records: pa.Table, *, temp_dir: Path) -> dict[str, Any]:
    """Splink settings with m and u estimated on `records` (u by seeded random sampling, m by EM)."""
    from splink import DuckDBAPI, Linker

    con = splink_connection(records, temp_dir)
    try:
        linker = Linker(DuckDBAPI(connection=con).register("records"), settings_creator(), log_level=SPLINK_LOG_LEVEL)
        linker.training.estimate_probability_two_random_records_match(
            list(DETERMINISTIC_RULES), recall=DETERMINISTIC_RECALL)
        linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
        for rule in TRAINING_BLOCKS:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        return apply_neutral_levels(apply_m_bounds(fill_unseen_levels(linker.misc.save_model_to_json())))
    finally:
        con.close()


def fill_unseen_levels(settings: dict[str, Any]) -> dict[str, Any]:
    """Give levels never seen in training a small m (UNSEEN_LEVEL_M) or u (1 / U_SAMPLE_PAIRS).

    Without it Splink scores such a level with a neutral default, so a disagreement that the training quarter
    happened not to contain (two sexes for one person) would not count against a match at all.
    """
    for comparison in settings["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for lv in levels:
            if lv.get("u_probability") is None:
                lv["u_probability"] = 1 / U_SAMPLE_PAIRS
        unseen = [lv for lv in levels if lv.get("m_probability") is None]
        if not unseen:
            continue
        seen_total = sum(lv["m_probability"] for lv in levels if lv.get("m_probability") is not None)
        if not seen_total:
            # Nothing estimated at all: no evidence either way, so every level is equally likely among matches.
            for lv in levels:
                lv["m_probability"] = 1 / len(levels)
            continue
        scale = (1 - UNSEEN_LEVEL_M * len(unseen)) / seen_total
        for lv in levels:
            lv["m_probability"] = UNSEEN_LEVEL_M if lv in unseen else lv["m_probability"] * scale
    return settings


def _set_m(levels: list[dict[str, Any]], fixed: dict[int, float]) -> None:
    """Give the levels in `fixed` (by id) their m and rescale the others so that m sums to 1."""
    rest = sum(lv["m_probability"] for lv in levels if id(lv) not in fixed)
    scale = (1 - sum(fixed.values())) / rest
    for lv in levels:
        lv["m_probability"] = fixed.get(id(lv), lv["m_probability"] * scale)


def apply_m_bounds(settings: dict[str, Any]) -> dict[str, Any]:
    """Clamp the m of the levels named in settings.M_BOUNDS into their reviewed bounds; rescale the others.

    EM on a generated quarter learns "never" for disagreements it did not contain (two sexes for one person:
    m about 1e-46), which would make one typo in a real list split a person for good; and it learns a small "often"
    for two different NIKs, which would merge namesakes.
    """
    for comparison in settings["comparisons"]:
        bounds = M_BOUNDS.get(comparison["output_column_name"], {})
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        clamped = {}
        for lv in levels:
            if lv["label_for_charts"] in bounds:
                low, high = bounds[lv["label_for_charts"]]
                value = min(max(lv["m_probability"], low), high)
                if value != lv["m_probability"]:
                    clamped[id(lv)] = value
        if not clamped:
            continue
        _set_m(levels, clamped)
    return settings


def apply_neutral_levels(settings: dict[str, Any]) -> dict[str, Any]:
    """Set m to u for the levels named in settings.NEUTRAL_LEVELS (no evidence either way).

    The comparison's other levels are rescaled so that m sums to 1, except those with reviewed bounds (after
    apply_m_bounds: a bound stays as reviewed).
    """
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        neutral = NEUTRAL_LEVELS.get(name, ())
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        fixed = {id(lv): lv["u_probability"] for lv in levels if lv["label_for_charts"] in neutral}
        if len(fixed) != len(neutral):
            raise ValueError(f"{name}: no level named {neutral}")
        if not fixed:
            continue
        fixed |= {id(lv): lv["m_probability"] for lv in levels if lv["label_for_charts"] in M_BOUNDS.get(name, {})}
        _set_m(levels, fixed)
    return settings


def training_meta(records: pa.Table, *, version: str, trained_on: dict[str, Any]) -> dict[str, Any]:
    """The model file's "satudata" block: threshold, over-linking bound and what the model was trained on."""
    generated = bool(trained_on.get("generated"))
    return {
        "version": version,
        "trained_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "trained_on": {**trained_on, "generated": generated, "rows": records.num_rows,
                       "rows_sha256": records_sha256(records)},
        "splink_version": splink.__version__,
        "duckdb_version": duckdb.__version__,
        "threshold_match_probability": THRESHOLD_MATCH_PROBABILITY,
        "max_cluster_size": MAX_CLUSTER_SIZE,
        "u_sampling_seed": SEED,
        "m_bounds": {c: {level: list(b) for level, b in levels.items()} for c, levels in M_BOUNDS.items()},
        "neutral_levels": {c: list(levels) for c, levels in NEUTRAL_LEVELS.items()},
        "note": ("Trained on a generated quarter (synthetic people, see docs/synthetic_data.md); retrain on a real "
                 "quarter before production use and review the m/u values per comparison level."
                 if generated else "Trained on a real quarter; review the m/u values per comparison level."),
    }


def train_and_write(
    records: pa.Table,
    *,
    version: str,
    trained_on: dict[str, Any],
    temp_dir: Path,
    model_dir: Path = MODEL_DIR,
) -> LinkageModel:
    """Train on `records` and write the model file (a new version, never an existing one) for review and commit."""
    settings = train(records, temp_dir=temp_dir)
    return write_model(model_dir, settings, training_meta(records, version=version, trained_on=trained_on))
