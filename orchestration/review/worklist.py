"""reports/<Q>/review/: the quarter's worklist of doubtful pairs, Splink's dashboards of them, and the model's
accuracy on the pairs people have labelled.

The pairs are scored again with the committed model, with Splink's intermediate columns kept, on exactly the
pairs listed (a registered blocked-pairs table): the same weights as in the run, and the comparison levels in
words for the reviewer. Everything here is an internal report: personal data, files 0600.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import xlsxwriter

from orchestration.linkage.list_size import weights_for_rows
from orchestration.linkage.model import LinkageModel
from orchestration.linkage.predict import SPLINK_LOG_LEVEL
from orchestration.paths import QuarterPaths
from orchestration.publish.csv_export import export_parquet
from orchestration.publish.files import atomic_path, write_text_atomic
from orchestration.review import worklist_format as fmt

COMPARISON_VIEWER = "comparison_viewer.html"
CLUSTER_STUDIO = "cluster_studio.html"
THRESHOLD_CHART = "threshold_selection.html"
LABELS_ACCURACY = "labels_accuracy.csv"
STUDIO_CLUSTERS = 30  # clusters shown in the cluster studio: those of listed pairs first, then the largest
# Splink's dashboards ask Google for a font; nothing here may load from the internet (and the page works without).
_REMOTE_LINK = re.compile(r'<link[^>]+href="https?://[^"]*"[^>]*>\s*')
SIDES = {"nik": "d.nik", "nama": "d.nama", "tanggal_lahir": "strftime(d.tanggal_lahir, '%Y-%m-%d')",
         "jenis_kelamin": "d.jenis_kelamin", "no_kk": "d.no_kk", "alamat": "d.alamat",
         "kode_kelurahan": "d.kode_kelurahan", "kelurahan": "d.kelurahan"}
LEVEL_OF = dict(zip(("nik", "nama_match", "tanggal_lahir", "jenis_kelamin", "domicile"), fmt.LEVEL_COLUMNS))


@dataclass
class ReviewOutputs:
    """What the review step wrote, for the asset's metadata."""

    worklist_id: str
    pairs_by_kind: dict[str, int]
    files: dict[str, Path] = field(default_factory=dict)
    labels: dict[str, float | int | None] = field(default_factory=dict)


def worklist_id(quarter: str, pair_ids: list[str]) -> str:
    """Which worklist a returned file belongs to: its quarter and its pairs (another run's pairs differ)."""
    return hashlib.sha256("|".join([quarter, *sorted(pair_ids)]).encode()).hexdigest()[:16].upper()


def _offline(html: str) -> str:
    return _REMOTE_LINK.sub("", html)


def _scoring_linker(con: duckdb.DuckDBPyConnection, model: LinkageModel, quarter_rows: int):
    """A linker on table `records` with the committed model's weights for a quarter of `quarter_rows` rows (as the
    linkage step scored them), keeping the columns Splink's dashboards show."""
    from splink import DuckDBAPI, Linker

    # A top-level copy: the committed model's settings themselves come back for a quarter of its training size.
    settings = dict(weights_for_rows(model, quarter_rows).settings, retain_matching_columns=True,
                    retain_intermediate_calculation_columns=True)
    db_api = DuckDBAPI(connection=con)
    return Linker(db_api.register("records"), settings, log_level=SPLINK_LOG_LEVEL), db_api


def _score_pairs(linker, db_api, con: duckdb.DuckDBPyConnection, table: str):
    """Splink's predictions for exactly the pairs (unique_id_l, unique_id_r) of `table`."""
    con.execute(f"create or replace table review_blocked as select distinct '0' as match_key, "
                f"least(unique_id_l, unique_id_r) as join_key_l, greatest(unique_id_l, unique_id_r) as join_key_r "
                f"from {table}")
    linker.table_management.register_blocked_pairs_for_predict(db_api.register("review_blocked"))
    return linker.inference.predict()


def _level_words(linker) -> dict[str, dict[int, str]]:
    # Splink numbers a comparison's levels itself (null -1, then from the top down to 0); read its own numbering.
    return {c.output_column_name: {lvl.comparison_vector_value: lvl.label_for_charts for lvl in c.comparison_levels}
            for c in linker._settings_obj.comparisons}


def _write_workbook(target: Path, run_id: str, rows: list[tuple], about: dict[str, object]) -> None:
    with atomic_path(target, run_id) as temp:
        book = xlsxwriter.Workbook(str(temp), {"strings_to_formulas": False, "strings_to_urls": False})
        sheet = book.add_worksheet(fmt.SHEET_PAIRS)
        bold = book.add_format({"bold": True})
        sheet.write_row(0, 0, fmt.PAIR_COLUMNS, bold)
        for r, row in enumerate(rows, start=1):
            sheet.write_row(r, 0, row)
        first_decision = fmt.PAIR_COLUMNS.index("decision")
        last = max(len(rows), 1)
        sheet.data_validation(1, first_decision, last, first_decision,
                              {"validate": "list", "source": list(fmt.DECISIONS)})
        sheet.data_validation(1, first_decision + 1, last, first_decision + 1,
                              {"validate": "list", "source": sorted({r for rs in fmt.REASONS.values() for r in rs})})
        sheet.freeze_panes(1, 1)
        sheet.autofilter(0, 0, last, len(fmt.PAIR_COLUMNS) - 1)
        about_sheet = book.add_worksheet(fmt.SHEET_ABOUT)
        for r, key in enumerate(fmt.ABOUT_KEYS):
            about_sheet.write_string(r, 0, key)
            about_sheet.write(r, 1, about[key])
        book.close()


def _labels(con: duckdb.DuckDBPyConnection, home: str) -> int:
    """Table review_labels (unique_id_l, unique_id_r, clerical_match_score, same_person): the decisions in force
    whose two records are in this quarter, as the linkage step found them; return how many pairs of rows."""
    con.execute(f"""create or replace table review_labels as
        select distinct least(a.unique_id_l, a.unique_id_r) as unique_id_l,
               greatest(a.unique_id_l, a.unique_id_r) as unique_id_r,
               case a.decision when 'match' then 1.0 else 0.0 end as clerical_match_score,
               a.person_id_l = a.person_id_r as same_person
        from {home}.linkage.review_applied a""")
    return con.execute("select count(*) from review_labels").fetchall()[0][0]


def _precision_recall(tp: int, fp: int, fn: int) -> tuple[float | None, float | None]:
    return (tp / (tp + fp) if tp + fp else None, tp / (tp + fn) if tp + fn else None)


def rows_to_score(home: str) -> str:
    """SQL: the unique_ids the review step scores: the listed pairs', the studio's clusters' and the labelled."""
    return f"""
        select unique_id_l from {home}.linkage.review_candidates union select unique_id_r from {home}.linkage.review_candidates
        union select unique_id_l from {home}.linkage.review_applied union select unique_id_r from {home}.linkage.review_applied
        union select unique_id from {home}.linkage.person_clusters where cluster_id in ({_studio_clusters_sql(home)})"""


def _studio_clusters_sql(home: str) -> str:
    """SQL: the clusters the studio shows: those of the listed pairs (in pair order), then the largest."""
    return f"""
        select cluster_id from (
            select c.cluster_id, min(k.rank) as rank, max(c.cluster_size) as size from {home}.linkage.person_clusters c
            left join (select unique_id_l as unique_id, row_number() over (order by pair_id) as rank
                       from {home}.linkage.review_candidates) k using (unique_id)
            where k.rank is not null or c.cluster_size > 1
            group by 1)
        order by rank nulls last, size desc, cluster_id limit {STUDIO_CLUSTERS}"""


def write_review(con: duckdb.DuckDBPyConnection, paths: QuarterPaths, model: LinkageModel,
                 run_id: str, written_at: str) -> ReviewOutputs:
    """Write the worklist, its pairs export, the dashboards and the labels' accuracy; `con` is in a scratch
    catalog beside the warehouse, holding table `records`: the rows of int_persons__for_linkage in rows_to_score."""
    home = f'"{paths.quarter.key}"'
    folder = paths.reports / "review"
    con.execute(f"create or replace table candidates as select * from {home}.linkage.review_candidates")
    con.execute(f"create or replace table clusters as select * from {home}.linkage.person_clusters "
                "where unique_id in (select unique_id from records)")
    pair_ids = [p for p, in con.execute("select pair_id from candidates order by pair_id").fetchall()]
    wid = worklist_id(paths.quarter.key, pair_ids)
    kinds = dict(con.execute("select kind, count(*) from candidates group by 1").fetchall())
    out = ReviewOutputs(wid, {kind: int(kinds.get(kind, 0)) for kind in fmt.KINDS})

    # The clusters the studio shows: those of the listed pairs, then the largest; every pair inside them is scored.
    con.execute(f"create or replace table studio_clusters as {_studio_clusters_sql(home)}")
    con.execute("""create or replace table to_score as
        select unique_id_l, unique_id_r from candidates
        union
        select a.unique_id, b.unique_id from clusters a join clusters b
          on a.cluster_id = b.cluster_id and a.unique_id < b.unique_id
        where a.cluster_id in (select cluster_id from studio_clusters)""")
    quarter_rows = con.execute(f"select count(*) from {home}.intermediate.int_persons__for_linkage").fetchall()[0][0]
    linker, db_api = _scoring_linker(con, model, int(quarter_rows))
    predictions = _score_pairs(linker, db_api, con, "to_score")
    scored = predictions.physical_name
    words = _level_words(linker)
    level_sql = ", ".join(
        f"case gamma_{name} " + " ".join(f"when {v} then '{w.replace(chr(39), chr(39) * 2)}'"
                                         for v, w in sorted(words[name].items())) + f" end as {column}"
        for name, column in LEVEL_OF.items())
    side = {s: ", ".join(expr.replace("d.", f"{s}.") for expr in SIDES.values()) for s in ("dl", "dr")}
    rows = con.execute(f"""
        select k.pair_id, k.kind, round(p.match_probability, 4), round(p.match_weight, 2),
               dl.source, dl.source || ':' || dl.source_row, {side['dl']},
               dr.source, dr.source || ':' || dr.source_row, {side['dr']},
               {level_sql}, null, null, null
        from candidates k
        join {scored} p on p.unique_id_l = least(k.unique_id_l, k.unique_id_r)
                       and p.unique_id_r = greatest(k.unique_id_l, k.unique_id_r)
        join {home}.intermediate.int_persons__conformed dl on dl.record_id = p.unique_id_l
        join {home}.intermediate.int_persons__conformed dr on dr.record_id = p.unique_id_r
        order by k.pair_id""").fetchall()
    target = folder / fmt.WORKLIST_FILE
    _write_workbook(target, run_id, rows, {"quarter": paths.quarter.key, "worklist_id": wid, "pairs": len(rows),
                                           "model_version": model.version, "written_at": written_at})
    out.files["worklist"] = target
    # What an import checks a returned file against: no personal data (keyed hashes), beside the warehouse.
    export_parquet(con, f"select pair_id, kind, key_l, key_r, match_probability, '{wid}' as worklist_id "
                        "from candidates order by pair_id", paths.export("review_pairs"), run_id)

    con.execute(f"create or replace table candidate_predictions as select p.* from {scored} p "
                "join candidates k on p.unique_id_l = least(k.unique_id_l, k.unique_id_r) "
                "and p.unique_id_r = greatest(k.unique_id_l, k.unique_id_r)")
    if rows:
        html = linker.visualisations.comparison_viewer_dashboard(
            # Splink's viewer SQL names its input __splink__df_predict whatever the table is called.
            db_api.table_to_splink_dataframe("__splink__df_predict", "candidate_predictions"),
            str(folder / COMPARISON_VIEWER), overwrite=True,
            num_example_rows=3, return_html_as_string=True)
        out.files["comparison_viewer"] = folder / COMPARISON_VIEWER
        write_text_atomic(folder / COMPARISON_VIEWER, _offline(html), run_id)
    studio_ids = [c for c, in con.execute("select cluster_id from studio_clusters").fetchall()]
    if studio_ids:
        con.execute("create or replace table studio_rows as select r.*, c.cluster_id from records r "
                    "join clusters c using (unique_id) where c.cluster_id in (select cluster_id from studio_clusters)")
        html = linker.visualisations.cluster_studio_dashboard(
            predictions, db_api.register("studio_rows"), str(folder / CLUSTER_STUDIO), cluster_ids=studio_ids,
            overwrite=True, return_html_as_string=True)
        write_text_atomic(folder / CLUSTER_STUDIO, _offline(html), run_id)
        out.files["cluster_studio"] = folder / CLUSTER_STUDIO

    labelled = _labels(con, home)
    out.labels = {"labelled_pairs": int(labelled)}
    if labelled:
        out.labels.update(_accuracy(con, linker, db_api, model, folder, run_id))
    return out


def _accuracy(con, linker, db_api, model: LinkageModel, folder: Path, run_id: str) -> dict:
    """Precision and recall on the labelled pairs: of the model at its threshold (Splink's accuracy analysis from
    a labels table), and of the published clusters (after the rules and the decisions)."""
    labels = db_api.register("review_labels")
    truth_space = linker.evaluation.accuracy_analysis_from_labels_table(
        labels, threshold_match_probability=0.5, output_type="table")
    con.execute(f"create or replace table truth_space as select * from {truth_space.physical_name}")
    columns = [c for c, in con.execute("select column_name from (describe truth_space)").fetchall()]
    keep = [c for c in ("truth_threshold", "match_probability", "total_clerical_labels", "p", "n", "tp", "tn", "fp",
                        "fn", "precision", "recall", "f1") if c in columns]
    csv_path = folder / LABELS_ACCURACY
    with atomic_path(csv_path, run_id) as temp:
        con.execute(f"copy (select {', '.join(keep)} from truth_space order by truth_threshold) to '{temp}' "
                    "(format csv, header true)")
    # The model's call on each labelled pair at the run's threshold: the truth space row at the threshold's weight.
    tp, fp, fn = con.execute(
        f"""select count(*) filter (where p.match_probability >= {model.threshold} and l.clerical_match_score = 1),
                  count(*) filter (where p.match_probability >= {model.threshold} and l.clerical_match_score = 0),
                  count(*) filter (where p.match_probability < {model.threshold} and l.clerical_match_score = 1)
           from review_labels l join {_labelled_scores(linker, db_api, con)} p
             on p.unique_id_l = l.unique_id_l and p.unique_id_r = l.unique_id_r""").fetchall()[0]
    model_p, model_r = _precision_recall(tp, fp, fn)
    ctp, cfp, cfn = con.execute(
        "select count(*) filter (where same_person and clerical_match_score = 1), "
        "count(*) filter (where same_person and clerical_match_score = 0), "
        "count(*) filter (where not same_person and clerical_match_score = 1) from review_labels").fetchall()[0]
    final_p, final_r = _precision_recall(ctp, cfp, cfn)
    chart = linker.evaluation.accuracy_analysis_from_labels_table(labels, output_type="threshold_selection")
    write_text_atomic(folder / THRESHOLD_CHART, _offline(chart.to_html(inline=True)), run_id)
    return {"model_precision": model_p, "model_recall": model_r, "final_precision": final_p,
            "final_recall": final_r}


def _labelled_scores(linker, db_api, con) -> str:
    """The model's match probability of each labelled pair (scored as the worklist's pairs are)."""
    return _score_pairs(linker, db_api, con, "review_labels").physical_name
