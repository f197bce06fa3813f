"""fill_unseen_levels: levels no training pair fell into get a small m or u, and m stays a distribution."""

from __future__ import annotations

import copy
import hashlib

import pytest

from orchestration.linkage.model import load_model
from orchestration.linkage.train import U_SAMPLE_PAIRS, UNSEEN_LEVEL_M, fill_unseen_levels


def level(label: str, m: float | None = None, u: float | None = None, null: bool = False) -> dict:
    out = {"sql_condition": label, "label_for_charts": label, "m_probability": m, "u_probability": u}
    return out | {"is_null_level": True} if null else out


def settings(*comparisons: list[dict]) -> dict:
    return {"comparisons": [{"output_column_name": f"c{i}", "comparison_levels": levels}
                            for i, levels in enumerate(comparisons)]}


def m_sum(comparison: dict) -> float:
    return sum(lv["m_probability"] for lv in comparison["comparison_levels"] if not lv.get("is_null_level"))


def test_unseen_m_and_u_are_filled_and_m_renormalised():
    """An unseen m becomes UNSEEN_LEVEL_M, the seen ones shrink in proportion, a missing u is 1 / U_SAMPLE_PAIRS."""
    filled = fill_unseen_levels(settings([
        level("null", null=True),
        level("exact", m=0.6, u=0.01),
        level("close", m=0.3, u=None),
        level("else", m=None, u=0.98),
    ]))
    null, exact, close, other = filled["comparisons"][0]["comparison_levels"]
    scale = (1 - UNSEEN_LEVEL_M) / 0.9
    assert other["m_probability"] == UNSEEN_LEVEL_M
    assert exact["m_probability"] == pytest.approx(0.6 * scale)
    assert close["m_probability"] == pytest.approx(0.3 * scale)
    # Relative weight of the seen levels is what EM learned; only their share of the whole shrinks.
    assert exact["m_probability"] / close["m_probability"] == pytest.approx(2.0)
    assert m_sum(filled["comparisons"][0]) == pytest.approx(1.0)
    assert close["u_probability"] == 1 / U_SAMPLE_PAIRS
    assert (exact["u_probability"], other["u_probability"]) == (0.01, 0.98)
    # A null level scores neither for nor against a match: it must keep no m or u.
    assert (null["m_probability"], null["u_probability"]) == (None, None)


def test_two_unseen_levels_each_get_the_small_m():
    """With k unseen levels the seen ones share 1 - k * UNSEEN_LEVEL_M."""
    filled = fill_unseen_levels(settings([
        level("exact", m=0.5, u=1e-5), level("close", m=None, u=1e-3), level("near", m=None, u=1e-2),
        level("else", m=0.5, u=0.9)]))
    ms = [lv["m_probability"] for lv in filled["comparisons"][0]["comparison_levels"]]
    assert ms == pytest.approx([(1 - 2 * UNSEEN_LEVEL_M) / 2, UNSEEN_LEVEL_M, UNSEEN_LEVEL_M,
                                (1 - 2 * UNSEEN_LEVEL_M) / 2])
    assert sum(ms) == pytest.approx(1.0)


def test_fully_seen_comparison_keeps_its_m_exactly():
    """A comparison whose levels were all seen is left as trained (no rescaling rounding)."""
    trained = settings([level("null", null=True), level("exact", m=0.7, u=0.2), level("else", m=0.3, u=0.8)])
    assert fill_unseen_levels(copy.deepcopy(trained)) == trained


def test_filling_is_idempotent():
    """Filling an already filled model changes nothing."""
    once = fill_unseen_levels(settings(
        [level("null", null=True), level("exact", m=0.9, u=None), level("else", m=None, u=0.99)],
        [level("exact", m=None, u=1e-4), level("close", m=0.2, u=0.1), level("else", m=0.8, u=None)]))
    assert fill_unseen_levels(copy.deepcopy(once)) == once


def test_comparisons_are_filled_independently():
    """Each comparison is renormalised on its own levels."""
    filled = fill_unseen_levels(settings(
        [level("exact", m=0.8, u=0.1), level("else", m=None, u=0.9)],
        [level("exact", m=0.25, u=0.1), level("else", m=0.75, u=0.9)]))
    first, second = filled["comparisons"]
    assert m_sum(first) == pytest.approx(1.0)
    assert [lv["m_probability"] for lv in second["comparison_levels"]] == [0.25, 0.75]


def test_committed_model_has_every_m_and_u_and_m_sums_to_one():
    """The committed model went through the filling: no non-null level is left to Splink's neutral default."""
    for comparison in load_model().settings["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        assert all(lv.get("m_probability") is not None and lv.get("u_probability") is not None for lv in levels)
        assert m_sum(comparison) == pytest.approx(1.0), comparison["output_column_name"]


def test_comparison_with_no_seen_level_still_sums_to_one():
    """A comparison EM never estimated (every m None) must still get m summing to 1."""
    filled = fill_unseen_levels(settings([level("null", null=True), level("exact", u=1e-5), level("close", u=1e-3),
                                          level("else", u=0.99)]))
    assert m_sum(filled["comparisons"][0]) == pytest.approx(1.0)


# --- The training path end to end: a small generated quarter through linkage_input_job, then train_on_quarter.

TRAIN_QUARTER = "2025Q2"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """3,000 generated people conformed by the real job, and a model trained on them into a scratch folder."""
    import dagster as dg

    from orchestration.linkage.training_run import train_on_quarter
    from orchestration.quarters import Quarter
    from orchestration.run import run_quarter
    from orchestration.synth import generate_quarter

    data_dir = tmp_path_factory.mktemp("train") / "data"
    model_dir = data_dir.parent / "models"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SATUDATA_DATA_DIR", str(data_dir))
        generate_quarter(TRAIN_QUARTER, 3_000, data_dir=data_dir)
        outcome = run_quarter(Quarter.parse(TRAIN_QUARTER), data_dir / "logs" / "train.log",
                              instance=dg.DagsterInstance.ephemeral(), job_name="linkage_input_job")
        assert outcome.success, outcome.render()
        report = train_on_quarter(data_dir, Quarter.parse(TRAIN_QUARTER), version="test-3k", model_dir=model_dir)
    return data_dir, model_dir, report


def _trained_model(model_dir, monkeypatch):
    import re

    from orchestration.linkage.model import load_model

    (path,) = model_dir.glob("*.json")
    monkeypatch.setenv("SATUDATA_LINKAGE_MODEL_VERSION", path.stem)
    monkeypatch.setenv("SATUDATA_LINKAGE_MODEL_SHA256", hashlib.sha256(path.read_bytes()).hexdigest())
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}_test-3k", path.stem)
    return load_model(model_dir)


def test_training_writes_a_dated_model_with_sane_m_and_u(trained, monkeypatch):
    _, model_dir, report = trained
    model = _trained_model(model_dir, monkeypatch)
    assert model.version in report and model.sha256 in report
    for comparison in model.settings["comparisons"]:
        for lv in comparison["comparison_levels"]:
            if lv.get("is_null_level"):
                continue
            assert 0 < lv["m_probability"] < 1 and 0 < lv["u_probability"] < 1, (
                comparison["output_column_name"], lv["label_for_charts"])
    nik = next(c for c in model.settings["comparisons"] if c["output_column_name"] == "nik")
    exact = next(lv for lv in nik["comparison_levels"] if lv["label_for_charts"] == "same NIK, and name or birth date")
    # Among true pairs the NIKs mostly agree; among random pairs almost never.
    assert exact["m_probability"] > 0.8 and exact["u_probability"] < 1e-3, (exact["m_probability"],
                                                                            exact["u_probability"])
    assert 0 < model.threshold < 1 and model.max_cluster_size >= 2
    assert model.meta["trained_on"]["quarter"] == TRAIN_QUARTER and model.meta["trained_on"]["people"] == 3_000


def test_training_scores_on_the_truth_are_written_into_the_hashed_file(trained, monkeypatch):
    _, model_dir, report = trained
    model = _trained_model(model_dir, monkeypatch)
    scores = model.meta["evaluation_on_training_quarter"]
    assert scores["true_pairs"] > 0 and scores["comparisons"] > 0
    assert scores["precision"] >= 0.99 and scores["recall"] >= 0.98, scores
    assert f"precision {scores['precision']:.4f}" in report
    assert model.trained_on_generated_data and "trained on GENERATED data" in model.provenance
    assert "trained on GENERATED data" in report


def test_training_again_under_the_same_version_is_refused(trained):
    from orchestration.linkage.training_run import train_on_quarter
    from orchestration.quarters import Quarter

    data_dir, model_dir, _ = trained
    (path,) = model_dir.glob("*.json")
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="never overwritten"):
        train_on_quarter(data_dir, Quarter.parse(TRAIN_QUARTER), version=path.stem, model_dir=model_dir)
    assert path.read_bytes() == before and [p.name for p in model_dir.iterdir()] == [path.name]


def test_the_committed_models_neutral_levels_weigh_nothing():
    from orchestration.linkage.settings import NEUTRAL_LEVELS

    model = load_model()
    for comparison in model.settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("label_for_charts") in NEUTRAL_LEVELS.get(comparison["output_column_name"], ()):
                assert level["m_probability"] == pytest.approx(level["u_probability"], rel=1e-12)
    assert model.meta["neutral_levels"] == {c: list(levels) for c, levels in NEUTRAL_LEVELS.items()}


# --- A model written again with the reviewed SQL and the same weights (satudata train-linkage --keep-weights-of).

def test_the_committed_models_sql_is_the_reviewed_settings_code():
    from orchestration.linkage.training_run import reviewed_sql

    model = load_model()
    assert reviewed_sql(model.settings) == model.settings


def test_the_reviewed_sql_is_refused_for_a_model_of_other_levels():
    from orchestration.linkage.training_run import reviewed_sql

    other = copy.deepcopy(load_model().settings)
    other["comparisons"][0]["comparison_levels"][3]["label_for_charts"] = "renamed"
    with pytest.raises(ValueError, match="train a new model"):
        reviewed_sql(other)
    fewer = copy.deepcopy(load_model().settings)
    fewer["comparisons"][2]["comparison_levels"].pop()
    with pytest.raises(ValueError, match="train a new model"):
        reviewed_sql(fewer)


def test_keeping_the_weights_writes_a_new_version_with_the_same_m_and_u_evaluated_again(trained, monkeypatch):
    from orchestration.linkage.training_run import rewrite_on_quarter
    from orchestration.quarters import Quarter

    data_dir, model_dir, _ = trained
    base = _trained_model(model_dir, monkeypatch)
    out = model_dir.parent / "rewritten"
    report = rewrite_on_quarter(data_dir, Quarter.parse(TRAIN_QUARTER), version="2026-12-03_test-3k-sql",
                                model_dir=out, base=base, change="a test")
    path = out / "2026-12-03_test-3k-sql.json"
    monkeypatch.setenv("SATUDATA_LINKAGE_MODEL_VERSION", path.stem)
    monkeypatch.setenv("SATUDATA_LINKAGE_MODEL_SHA256", hashlib.sha256(path.read_bytes()).hexdigest())
    model = load_model(out)
    assert model.meta["derived_from"] == {"version": base.version, "sha256": base.sha256, "change": "a test"}
    assert model.meta["trained_on"] == base.meta["trained_on"] and model.threshold == base.threshold

    def weights(settings):
        return [(lv.get("m_probability"), lv.get("u_probability")) for c in settings["comparisons"]
                for lv in c["comparison_levels"]]

    assert weights(model.settings) == weights(base.settings)
    # The base was trained with today's settings code, so its SQL and therefore its links are the same.
    assert model.meta["evaluation_on_training_quarter"] == base.meta["evaluation_on_training_quarter"]
    assert model.sha256 in report and "m and u unchanged" in report


def test_keeping_the_weights_is_refused_on_rows_the_model_was_not_trained_on(trained, monkeypatch):
    from orchestration.linkage.model import LinkageModel
    from orchestration.linkage.training_run import rewrite_on_quarter
    from orchestration.quarters import Quarter

    data_dir, model_dir, _ = trained
    base = _trained_model(model_dir, monkeypatch)
    meta = copy.deepcopy(base.meta)
    meta["trained_on"]["rows_sha256"] = "0" * 64
    out = model_dir.parent / "refused"
    with pytest.raises(ValueError, match="not the rows"):
        rewrite_on_quarter(data_dir, Quarter.parse(TRAIN_QUARTER), version="2026-12-03_test-3k-other",
                           model_dir=out, base=LinkageModel(settings=base.settings, meta=meta, sha256=base.sha256),
                           change="a test")
    assert not out.exists() or not list(out.iterdir())
