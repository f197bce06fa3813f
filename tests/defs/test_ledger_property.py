"""Property: for any generated quarter, however its list files are mangled, the ledger accounts for every input row
exactly once, and published + excluded + quarantined equals the rows of the file.

Each example generates a small quarter, edits its landing files (duplicated rows, rows of the wrong width, blank
lines, hostile values, a registry file missing) and runs the real job up to `marts/record_ledger`: ingestion, dbt,
Splink, with their blocking checks; the gate and publication add nothing to the ledger. The expected counts come
from the edits, not from the pipeline. Failure messages carry sources, row numbers and counts, never a value.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field

import dagster as dg
import duckdb
import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from orchestration.synth import generate_quarter
from tests.defs.landing_edits import (COLUMNS, LIST_SOURCES, SPECS, insert_blank, insert_broken, insert_copy,
                                      read_list, write_list)

QUARTER = "2025Q2"
LEDGER_KEY = dg.AssetKey(["marts", "record_ledger"])
FATES = {"published", "excluded_deceased", "excluded_moved_out", "excluded_outside_dki", "excluded_invalid_nik",
         "excluded_unresolved_kelurahan", "excluded_nik_conflict", "excluded_deceased_near_nik",
         "excluded_moved_out_near_nik", "excluded_no_name", "quarantined"}
REGISTRY_FATES = {"registry_applied", "registry_moved_within_dki", "registry_superseded", "registry_no_listed_person",
                  "registry_invalid_nik", "registry_not_counted", "registry_applied_near_nik", "registry_outranked", "quarantined"}
REGISTRY_SOURCES = ("dukcapil_kematian", "dukcapil_pindah")
# The registries' columns a test plants into, by the file's own names.
FILE_COLUMNS = {**COLUMNS, "dukcapil_kematian": {"nik": "NIK", "date": "TGL_KEMATIAN"},
                "dukcapil_pindah": {"nik": "NIK", "date": "TGL_PINDAH"}}



def _grouped(nik: str) -> str:
    return " ".join(nik[i:i + 4] for i in range(0, len(nik), 4))


def _dashed(nik: str) -> str:
    return "-".join(nik[i:i + 4] for i in range(0, len(nik), 4))


def _text_marker(nik: str) -> str:
    return "'" + nik


# Values from issues 5 and 11, per kind of column. Every NIK, KK and date value here must be rejected with a cell
# issue, except the identifiers as written (functions of the cell's own value: grouped, dashed, with a text
# marker), which must be taken with a cell note when they come to 16 digits, and rejected otherwise.
HOSTILE = {
    "nik": ["3.17101E+15", _grouped, "31710117O8450012", "-", "0", "317101170845001",
            _dashed, "NULL", "3171011708450010.0", _text_marker, "3171/0117/0845/0012", "3171 0117 0845 001"],
    "date": ["31-02-2020", "30/02/1987", "2019-13-01", "1900-01-01", "01-01-1900", "0000-00-00", "2031-05-01",
             "12 Maret 1980", "3.17101E+15"],
    "name": ["Robert'); DROP TABLE raw.dtks;--", '=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3",
             "'; DELETE FROM marts.record_ledger; --", 'JL. "MAWAR"; NO. 5 | RT 1\nBLOK C'],
}
HOSTILE["kk"] = HOSTILE["nik"]
HOSTILE["address"] = HOSTILE["name"]
REJECTED_KINDS = ("nik", "kk", "date")


@dataclass
class Edits:
    """What to do to one list file; positions are fractions of the file, resolved once its length is known."""

    hostile: list[tuple[float, int, int]] = field(default_factory=list)  # (row, column kind, value), as indexes
    copies: list[tuple[float, float]] = field(default_factory=list)  # (row copied, where)
    broken: list[tuple[float, float, bool]] = field(default_factory=list)  # (row copied, where, extra field)
    blanks: list[float] = field(default_factory=list)  # where; 1.0 is after the last row
    trailing_blank_lines: int = 0


fraction = st.floats(0, 1, exclude_max=True)


@st.composite
def edits(draw, source: str) -> Edits:
    kinds = len(FILE_COLUMNS[source])
    # At least one edit of each kind and a hostile value per column kind, so that even the simplest example
    # (Hypothesis tries it first, and a run costs most of a minute) mangles every file.
    return Edits(
        hostile=draw(st.lists(st.tuples(fraction, st.integers(0, kinds - 1), st.integers(0, 11)),
                              min_size=kinds, max_size=8)),
        copies=draw(st.lists(st.tuples(fraction, fraction), min_size=1, max_size=3)),
        broken=draw(st.lists(st.tuples(fraction, fraction, st.booleans()), min_size=1,
                             max_size=3)),
        blanks=draw(st.lists(st.one_of(fraction, st.just(1.0)), min_size=1, max_size=3)),
        trailing_blank_lines=(draw(st.integers(0, 2)) + 1) % 3,
    )


quarters = st.fixed_dictionaries({
    "missing_registry": st.sampled_from(["dukcapil_kematian", "dukcapil_pindah", None, None]),
    "seed": st.integers(0, 100_000),
    "people": st.integers(150, 260),
    "edits": st.fixed_dictionaries({source: edits(source) for source in (*LIST_SOURCES, *REGISTRY_SOURCES)}),
})


def _at(fraction_: float, i: int, n: int) -> int:
    """Position of the i-th edit in n places: the drawn fraction moved on by i golden-ratio steps, so that the
    edits of the simplest example (all fractions 0) still land all over the file."""
    return min(int((fraction_ + 0.6180339887 * i) % 1.0 * n), max(n - 1, 0))


def apply(landing, source: str, e: Edits):
    """Edit one list file in place; return the edited file (its rows say what each line became)."""
    file = read_list(landing, source)
    kinds = sorted(FILE_COLUMNS[source])
    for i, (where, kind, value) in enumerate(e.hostile):
        position = file.data_rows()[_at(where, i, len(file.data_rows()))]
        kind = kinds[(kind + i) % len(kinds)]
        values = HOSTILE[kind]
        planted = values[(value + i) % len(values)]
        column = FILE_COLUMNS[source][kind]
        if callable(planted):
            planted = planted(str(file.value(position, column) or ""))
        file.plant(position, column, planted)
    for i, (copied, where) in enumerate(e.copies):
        insert_copy(file, file.data_rows()[_at(copied, 2 * i, len(file.data_rows()))],
                    _at(where, 2 * i + 1, len(file.rows) + 1))
    for i, (copied, where, extra) in enumerate(e.broken):
        insert_broken(file, file.data_rows()[_at(copied, 2 * i, len(file.data_rows()))],
                      _at(where, 2 * i + 1, len(file.rows) + 1), extra)
    for i, where in enumerate(e.blanks):
        insert_blank(file, len(file.rows) if where == 1.0 else _at(where, i, len(file.rows) + 1))
    file.trailing_blank_lines = 0 if SPECS[source].is_workbook else e.trailing_blank_lines
    write_list(landing, file)
    return file


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """One data dir for all examples, emptied between them but for dbt's target folders (partial parsing)."""
    return tmp_path_factory.mktemp("ledger_property") / "data"


def _run_to_the_ledger(data_dir) -> dg.ExecuteInProcessResult:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    # Everything the ledger is built from that the job can materialise (raw/quarantine is written by raw/*).
    selection = [key for key in dg.AssetSelection.assets(LEDGER_KEY).upstream().resolve(graph)
                 if graph.get(key).is_materializable]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SATUDATA_DATA_DIR", str(data_dir))
        return defs.resolve_job_def("quarterly_job").execute_in_process(
            partition_key=QUARTER, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False,
            asset_selection=selection, run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}})


# Each example is a real run of most of a minute on this 2-core machine: two keep the test near 2.5 minutes; a
# nightly job can ask for more.
EXAMPLES = int(os.environ.get("SATUDATA_LEDGER_PROPERTY_EXAMPLES", "2"))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=False,
          # Shrinking would re-run the pipeline dozens of times; the failing example is printed as drawn.
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(quarter=quarters)
def test_the_ledger_accounts_for_every_row_exactly_once(workdir, quarter):
    for child in workdir.iterdir() if workdir.exists() else ():
        if child.name != "dbt":
            shutil.rmtree(child)
    generate_quarter(QUARTER, quarter["people"], seed=quarter["seed"], data_dir=workdir)
    landing = workdir / "landing" / QUARTER
    files = {source: apply(landing, source, quarter["edits"][source]) for source in (*LIST_SOURCES, *REGISTRY_SOURCES)
             if source != quarter["missing_registry"]}
    if quarter["missing_registry"]:
        (landing / SPECS[quarter["missing_registry"]].file_name).unlink()
    expected = {s: f.expected_rows() for s, f in files.items()}
    note(f"expected rows {expected}, quarantined {({s: len(f.expected_quarantined()) for s, f in files.items()})}")

    result = _run_to_the_ledger(workdir)
    # Failure descriptions name files, columns, rows and counts, never a value.
    failed = [f"{e.step_key}: {e.step_failure_data.user_failure_data.description}"
              if e.step_failure_data.user_failure_data else e.step_key
              for e in result.all_events if e.is_step_failure]
    failed_checks = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    assert result.success and not failed_checks, f"failed steps {failed}, failed checks {failed_checks}"

    with duckdb.connect(str(workdir / "warehouse" / f"{QUARTER}.duckdb"), read_only=True) as con:
        rows_read = dict(con.execute("select source, rows_read from raw.load_log").fetchall())
        ledger = con.execute(
            "select source, source_row, fate, cell_issues, cell_notes from marts.record_ledger").fetchall()
    if quarter["missing_registry"]:
        assert rows_read[quarter["missing_registry"]] == 0
        assert not [r for r in ledger if r[0] == quarter["missing_registry"]]
    for source, file in files.items():
        rows = [r for r in ledger if r[0] == source]
        numbers = sorted(r[1] for r in rows)
        assert rows_read[source] == expected[source], (
            f"{source}: {rows_read[source]} rows read, {expected[source]} in the file")
        assert numbers == list(range(1, expected[source] + 1)), (
            f"{source}: {len(numbers)} ledger rows ({len(set(numbers))} distinct) for {expected[source]} rows")
        fates = {n: fate for _, n, fate, _, _ in rows}
        allowed = REGISTRY_FATES if source in REGISTRY_SOURCES else FATES
        assert all(fate in allowed for fate in fates.values()), f"{source}: fates {set(fates.values()) - allowed}"
        quarantined = {n for n, fate in fates.items() if fate == "quarantined"}
        assert quarantined == file.expected_quarantined(), (
            f"{source}: quarantined rows {sorted(quarantined)}, expected {sorted(file.expected_quarantined())}")
        published = sum(1 for fate in fates.values() if fate == "published")
        excluded = sum(1 for fate in fates.values() if fate.startswith(("excluded_", "registry_")))
        assert published + excluded + len(quarantined) == expected[source]
        # A rejected value leaves its row in the pipeline, with the file's column named in its cell issues; an
        # identifier as written is taken, with the column named in its cell notes.
        issues = {n: (cell_issues or "").split("; ") for _, n, _, cell_issues, _ in rows}
        notes = {n: (cell_notes or "").split("; ") for _, n, _, _, cell_notes in rows}
        for position, row in enumerate(file.rows):
            if row.kind != "data":
                continue
            for column, value in row.planted.items():
                kind = next(k for k, c in FILE_COLUMNS[source].items() if c == column)
                assert fates[position + 1] != "quarantined", f"{source}:{position + 1} quarantined for a value"
                if kind in REJECTED_KINDS and _written_as_16_digits(str(value)):
                    assert any(n.startswith(f"{column}: taken as its 16 digits") for n in notes[position + 1]), (
                        f"{source}:{position + 1} {column}: no cell note")
                    assert not any(i.startswith(f"{column}: not 16 digits") for i in issues[position + 1]), (
                        f"{source}:{position + 1} {column}: rejected although written as 16 digits")
                elif kind in REJECTED_KINDS and str(value).strip(" '"):
                    assert any(i.startswith(f"{column}: ") for i in issues[position + 1]), (
                        f"{source}:{position + 1} {column}: no cell issue")


def _written_as_16_digits(value: str) -> bool:
    """Whether the contract reads the cell as a 16-digit identifier written with separators or a text marker."""
    # The contract's words (docs/landing_contract.md): runs of spaces, or one dot or dash, between digits; an
    # apostrophe first; blanks around. Only a 16-digit result.
    text = value.strip().removeprefix("'").strip()
    return (bool(re.fullmatch(r"[0-9]+(?:(?: *[.-] *| +)[0-9]+)*", text)) and len(re.sub(r"[^0-9]", "", text)) == 16
            and value != re.sub(r"[^0-9]", "", text))


def test_a_workbook_row_wider_than_the_header_is_quarantined(tmp_path):
    # Found by the property above; ingestion only, so it costs a second. The contract: such a row is quarantined.
    from orchestration.ingest.load import load_extract

    generate_quarter(QUARTER, 150, seed=0, data_dir=tmp_path)
    landing = tmp_path / "landing" / QUARTER
    file = read_list(landing, "p3ke")
    insert_broken(file, 0, 3, extra=True)
    write_list(landing, file)
    with duckdb.connect() as con:
        result = load_extract(con, SPECS["p3ke"], landing / "p3ke.xlsx")
    assert result.rows_read == file.expected_rows() and result.rows_quarantined == 1
