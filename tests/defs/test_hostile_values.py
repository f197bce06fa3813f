"""Hostile values inside rows that parse, planted in a generated quarter run once through the real job.

A rejected cell never costs its row: the row keeps exactly one ledger row with its fate, and `cell_issues` names
the file's column and the reason, never the value. SQL and formula strings are text: verbatim in the warehouse,
neutralised in the published CSV. Assertion messages carry source rows, fates and counts only, never a NIK or a
name.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.quarters import Quarter
from orchestration.synth import generate_quarter
from tests.defs.landing_edits import LIST_SOURCES, ExcelDateSerial, read_list, write_list

QUARTER = "2025Q2"
REGISTRY_SOURCES = ("dukcapil_kematian", "dukcapil_pindah")
PEOPLE = 600
SEED = 5

SQL_NAME = "Robert'); DROP TABLE raw.dtks;--"
HYPERLINK = '=HYPERLINK("http://x","y")'
FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Plant:
    """A hostile value for one cell, and what must become of its row."""

    source: str
    column: str
    value: object  # text, or a callable of the row's own value (to make a NIK with letters out of a real one)
    fate: str
    issue: str | None  # the start of the cell issue, "column: reason..."; None when the value is taken as text
    single: bool  # planted in a person's only list row, so that the row alone decides the person's fate
    personal: bool = True  # the value is a person's data and must never reach the ledger
    note: str | None = None  # the start of the cell note when the value is taken after reformatting

    def value_for(self, current: object) -> object:
        return self.value(current) if callable(self.value) else self.value


def _spaced(nik: object) -> str:
    return " ".join(str(nik)[i:i + 4] for i in range(0, 16, 4))


def _dotted(nik: object) -> str:
    return ".".join(str(nik)[i:i + 4] for i in range(0, 16, 4))


def _dashed_6_6_4(nik: object) -> str:
    return f"{str(nik)[:6]}-{str(nik)[6:12]}-{str(nik)[12:]}"


def _text_marker(nik: object) -> str:
    # A spreadsheet's apostrophe, with a non-breaking space and a tab around it as pasted from a web page.
    return "\u00a0'" + str(nik) + "\t"


def _spaced_15(nik: object) -> str:
    return _spaced(nik)[:-1]


def _with_letter(nik: object) -> str:
    return str(nik)[:6] + "O" + str(nik)[7:]


def _excel_number(nik: object) -> float:
    # What Excel keeps of a 16-digit number: 15 significant digits.
    return float(int(str(nik)[:15]) * 10)


PLANTS = [
    # DTKS, pipe-delimited CSV
    Plant("dtks", "tanggal_lahir", "30-02-1987", "published",
          "tanggal_lahir: not a date (31-02-2020 style impossible day or month)", single=True),
    Plant("dtks", "tanggal_lahir", "1900-01-01", "published",
          "tanggal_lahir: placeholder 1900-01-01", single=True, personal=False),
    Plant("dtks", "tanggal_lahir", "2031-05-01", "published",
          "tanggal_lahir: after the quarter's last day, treated as unknown", single=True),
    Plant("dtks", "nomor_nik", "3.17101E+15", "excluded_invalid_nik",
          "nomor_nik: a spreadsheet number (3.17101E+15 style", single=True, personal=False),
    # Identifiers as written: taken, and noted apart from rejections.
    Plant("dtks", "nomor_kk", _spaced, "published", None, single=True, note="nomor_kk: taken as its 16 digits"),
    Plant("dtks", "nomor_nik", _dotted, "published", None, single=True, note="nomor_nik: taken as its 16 digits"),
    Plant("dtks", "nomor_nik", _text_marker, "published", None, single=True, note="nomor_nik: taken as its 16 digits"),
    Plant("dtks", "nama", SQL_NAME, "published", None, single=True),
    Plant("dtks", "nama", HYPERLINK, "published", None, single=True),
    Plant("dtks", "alamat", HYPERLINK, "published", None, single=True),
    # CARIK, semicolon CSV with a BOM
    Plant("carik", "nik", _with_letter, "excluded_invalid_nik", "nik: not 16 digits (contains letters)", single=True),
    Plant("carik", "nik", _spaced, "published", None, single=True, note="nik: taken as its 16 digits"),
    Plant("carik", "nik", _dashed_6_6_4, "published", None, single=True, note="nik: taken as its 16 digits"),
    Plant("carik", "nik", _spaced_15, "excluded_invalid_nik", "nik: not 16 digits (too few or too many digits)",
          single=True),
    Plant("carik", "no_kk", "3.17101E+15", "published", "no_kk: a spreadsheet number", single=True,
          personal=False),
    Plant("carik", "tanggal_lahir", "01-01-1900", "published", "tanggal_lahir: placeholder 1900-01-01",
          single=True, personal=False),
    Plant("carik", "tanggal_lahir", "31/04/1975", "published", "tanggal_lahir: not a date", single=True),
    # The person's only name is unreadable: BPS cannot take a record without a name (the submission suite's nama
    # check), so they are excluded with a reason of their own, not published nameless.
    Plant("carik", "nama_lengkap", "-2+3", "excluded_no_name", "nama_lengkap: no letters", single=True,
          personal=False),
    Plant("carik", "nama_lengkap", "@SUM(A1)", "published", None, single=True),
    Plant("carik", "alamat_domisili", "+1+1", "published", None, single=True, personal=False),
    Plant("carik", "alamat_domisili", "-2+3", "published", None, single=True, personal=False),
    Plant("carik", "alamat_domisili", "@SUM(A1)", "published", None, single=True),
    # P3KE, workbook: text cells, a date cell and a number cell
    Plant("p3ke", "nik", _excel_number, "excluded_invalid_nik", "nik: a spreadsheet number", single=True),
    Plant("p3ke", "nik", "3.17101E+15", "excluded_invalid_nik", "nik: a spreadsheet number", single=True,
          personal=False),
    # (Not single: a generated quarter of this size has only a handful of people listed in P3KE alone.)
    Plant("p3ke", "nik", _spaced, "published", None, single=False, note="nik: taken as its 16 digits"),
    Plant("p3ke", "nama_lengkap", SQL_NAME, "published", None, single=True),
    Plant("p3ke", "nama_lengkap", HYPERLINK, "published", None, single=True),
    # The Dukcapil registries, comma CSV: an identifier as written still excludes the listed person it names
    # (single: the person is listed); an unreadable one is a registry row without a NIK, with its cell issue.
    Plant("dukcapil_kematian", "NIK", _dotted, "registry_applied", None, single=True,
          note="NIK: taken as its 16 digits"),
    Plant("dukcapil_pindah", "NIK", _text_marker, "registry_applied", None, single=True,
          note="NIK: taken as its 16 digits"),
    Plant("dukcapil_kematian", "NIK", _with_letter, "registry_invalid_nik", "NIK: not 16 digits (contains letters)",
          single=False),
    Plant("p3ke", "tanggal_lahir", "31-02-2020", "published", "tanggal_lahir: not a date", single=False,
          personal=False),
    Plant("p3ke", "tanggal_lahir", ExcelDateSerial(1), "published", "tanggal_lahir: placeholder 1900-01-01",
          single=False, personal=False),
    # Serial 0, shown 00/01/1900: a spreadsheet's empty date, which the workbook reader gets as a time of day.
    Plant("p3ke", "tanggal_lahir", ExcelDateSerial(0), "published", "tanggal_lahir: placeholder 1900-01-01",
          single=False, personal=False),
]


def _candidate_rows(truth: Path) -> dict[tuple[str, bool], list[int]]:
    """Per (source, single): source rows of listed residents with a valid NIK, none of whose rows the generator
    corrupted in NIK, KK or address, in file order; single when the row is the person's only list row."""
    with duckdb.connect() as con:
        rows = con.execute(f"""
            with r as (
                select * from read_parquet('{truth}/source_rows.parquet') where source in ('dtks', 'p3ke', 'carik')
            ),
            p as (select * from read_parquet('{truth}/persons.parquet')),
            per_person as (
                select person_id, count(*) as n_rows,
                       bool_or(regexp_matches(corruptions, 'nik_|kk_|excel|address_')) as corrupted
                from r group by person_id
            )
            select r.source, per_person.n_rows = 1 as single, r.source_row
            from r join p using (person_id) join per_person using (person_id)
            where p.status = 'resident' and coalesce(p.planted, '') = '' and p.nik_valid and not per_person.corrupted
            union all
            -- Registry rows: the only registry row of a person who is listed (single) with every list row intact
            -- and whose event excludes them this quarter, or of a person in no list.
            select g.source, p.listed as single, g.source_row
            from read_parquet('{truth}/source_rows.parquet') as g
            join p using (person_id)
            left join per_person using (person_id)
            where g.source in ('dukcapil_kematian', 'dukcapil_pindah')
              and (select count(*) from read_parquet('{truth}/source_rows.parquet') as o
                   where o.person_id = g.person_id and o.source = g.source) = 1
              and coalesce(p.planted, '') = ''
              and (not p.listed or (p.status in ('deceased', 'moved_out', 'nik_deactivated')
                                    and p.status_date <= date '2025-06-30' and p.nik_valid
                                    and not per_person.corrupted))
            order by 1, 3""").fetchall()
    candidates: dict[tuple[str, bool], list[int]] = {}
    for source, single, source_row in rows:
        candidates.setdefault((source, single), []).append(source_row)
    return candidates


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """A generated quarter with PLANTS written into its landing files, run once through `quarterly_job`."""
    data_dir = tmp_path_factory.mktemp("hostile") / "data"
    generate_quarter(QUARTER, PEOPLE, seed=SEED, data_dir=data_dir)
    landing = data_dir / "landing" / QUARTER
    files = {source: read_list(landing, source) for source in (*LIST_SOURCES, *REGISTRY_SOURCES)}
    candidates = _candidate_rows(data_dir / "truth" / QUARTER)
    planted: dict[Plant, int] = {}
    originals: dict[Plant, object] = {}
    for plant in PLANTS:
        used = {planted[p] for p in planted if p.source == plant.source}
        pool = [r for r in candidates.get((plant.source, plant.single), []) if r not in used]
        assert pool, f"the generated quarter has too few {plant.source} rows for the plants (single={plant.single})"
        source_row = pool[0]
        file = files[plant.source]
        originals[plant] = file.value(source_row - 1, plant.column)
        file.plant(source_row - 1, plant.column, plant.value_for(originals[plant]))
        planted[plant] = source_row
    for file in files.values():
        write_list(landing, file)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SATUDATA_DATA_DIR", str(data_dir))
        # A dozen invalid NIKs planted in lists of a few hundred rows: the share bound is for real quarters.
        patch.setenv("SATUDATA_GATE_MAX_INVALID_NIK_SHARE", "0.2")
        patch.setenv("SATUDATA_GATE_MAX_REGISTRY_INVALID_NIK_SHARE", "0.2")
        from orchestration.run import run_quarter

        instance = dg.DagsterInstance.ephemeral()
        outcome = run_quarter(Quarter.parse(QUARTER), data_dir / "logs" / "run.log", instance=instance)
    return data_dir, outcome, planted, originals, instance


@pytest.fixture(scope="module")
def ledger(hostile_run) -> dict[tuple[str, int], dict[str, str]]:
    """The published record_ledger.csv by (source, source_row)."""
    data_dir, outcome, *_ = hostile_run
    assert outcome.success, outcome.render()
    with (data_dir / "reports" / QUARTER / "record_ledger.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_row = {(r["source"], int(r["source_row"])): r for r in rows}
    assert len(by_row) == len(rows), "a (source, source_row) appears twice in the ledger"
    return by_row


@pytest.fixture(scope="module")
def published(hostile_run) -> dict[str, dict[str, str]]:
    """The published bps_submission.csv by person_id, cells as written (formula quotes included)."""
    data_dir, *_ = hostile_run
    with (data_dir / "publish" / QUARTER / "bps_submission.csv").open(encoding="utf-8", newline="") as f:
        return {r["person_id"]: r for r in csv.DictReader(f)}


def _warehouse(data_dir: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(data_dir / "warehouse" / f"{QUARTER}.duckdb"), read_only=True)


def _label(plant: Plant, source_row: int) -> str:
    # Names the plant by file, column and row: never by its value.
    return f"{plant.source}:{source_row} {plant.column}"


def test_every_planted_row_has_its_fate_and_its_cell_issue(hostile_run, ledger):
    _, _, planted, *_ = hostile_run
    wrong = []
    for plant, source_row in planted.items():
        row = ledger.get((plant.source, source_row))
        if row is None:
            wrong.append(f"{_label(plant, source_row)}: no ledger row")
            continue
        issues = row["cell_issues"].split("; ") if row["cell_issues"] else []
        if row["fate"] != plant.fate:
            wrong.append(f"{_label(plant, source_row)}: fate {row['fate']} ({row['reason']}), expected {plant.fate}")
        if plant.issue is not None and not any(i.startswith(plant.issue) for i in issues):
            wrong.append(f"{_label(plant, source_row)}: cell issues {issues}, expected one starting {plant.issue!r}")
        if plant.issue is None and any(i.startswith(plant.column + ":") for i in issues):
            wrong.append(f"{_label(plant, source_row)}: taken as text, yet has cell issues {issues}")
        notes = row["cell_notes"].split("; ") if row["cell_notes"] else []
        if plant.note is not None and not any(n.startswith(plant.note) for n in notes):
            wrong.append(f"{_label(plant, source_row)}: cell notes {notes}, expected one starting {plant.note!r}")
        if plant.note is None and any(n.startswith(plant.column + ":") for n in notes):
            wrong.append(f"{_label(plant, source_row)}: not reformatted, yet has cell notes {notes}")
    assert not wrong, "\n".join(wrong)


def test_ledger_has_one_row_per_row_read_and_no_personal_values(hostile_run, ledger):
    data_dir, _, planted, originals, _ = hostile_run
    with _warehouse(data_dir) as con:
        rows_read = dict(con.execute(
            "select source, rows_read from raw.load_log").fetchall())
    for source in (*LIST_SOURCES, *REGISTRY_SOURCES):
        numbers = sorted(n for s, n in ledger if s == source)
        assert numbers == list(range(1, rows_read[source] + 1)), (
            f"{source}: {len(numbers)} ledger rows for {rows_read[source]} rows read")
    text = (data_dir / "reports" / QUARTER / "record_ledger.csv").read_text(encoding="utf-8")
    # The cells' own values (a NIK, a name, a birth date) and the personal values planted in their place; not the
    # sentinels (1900-01-01) and spreadsheet forms the reasons name as examples.
    personal = [(p, originals[p]) for p in planted] + [(p, p.value_for(originals[p])) for p in planted if p.personal]
    leaked = [_label(p, planted[p]) for p, v in personal if len(str(v)) >= 6 and str(v) in text]
    assert not leaked, f"planted or original values of these cells appear in the ledger: {leaked}"


def test_a_registry_nik_as_written_excludes_the_listed_person_it_names(hostile_run, ledger):
    _, _, planted, *_ = hostile_run
    applied = [p for p in planted if p.fate == "registry_applied"]
    assert len(applied) == 2
    for plant in applied:
        person_id = ledger[(plant.source, planted[plant])]["person_id"]
        assert person_id, f"{_label(plant, planted[plant])}: no person"
        fates = {r["fate"] for (source, _), r in ledger.items() if source in LIST_SOURCES and r["person_id"] == person_id}
        assert fates and all(f.startswith("excluded_") for f in fates), f"{_label(plant, planted[plant])}: {fates}"


def test_sql_strings_are_kept_verbatim_in_the_warehouse(hostile_run, ledger):
    data_dir, _, planted, *_ = hostile_run
    sql_plants = [p for p in planted if p.value == SQL_NAME]
    assert len(sql_plants) == 2
    with _warehouse(data_dir) as con:
        for plant in sql_plants:
            raw_rows = con.execute(f"select source_row from raw.{plant.source} where {plant.column} = ?",
                                   [SQL_NAME]).fetchall()
            assert raw_rows == [(planted[plant],)], _label(plant, planted[plant])
            conformed = con.execute(
                "select nama_raw = ?, nama from intermediate.int_persons__conformed "
                "where source = ? and source_row = ?", [SQL_NAME, plant.source, planted[plant]]).fetchall()
            assert conformed and conformed[0][0], f"{_label(plant, planted[plant])}: not verbatim after staging"
            assert "DROP TABLE" in conformed[0][1], f"{_label(plant, planted[plant])}: the cleaned name lost its words"
        # The statement in the name never ran: every table it names is whole.
        loaded, read = con.execute(
            "select rows_loaded, rows_read from raw.load_log where source = 'dtks'").fetchall()[0]
        assert con.execute("select count(*) from raw.dtks").fetchall()[0][0] == loaded == read


def test_formula_strings_are_neutralised_in_the_published_csv(hostile_run, ledger, published):
    data_dir, _, planted, *_ = hostile_run
    formula_plants = [p for p in planted if p.issue is None and isinstance(p.value, str)
                      and p.value.startswith(FORMULA_START)]
    assert len(formula_plants) == 7
    for plant in formula_plants:
        label = _label(plant, planted[plant])
        person = published.get(ledger[(plant.source, planted[plant])]["person_id"])
        assert person is not None, f"{label}: the person is not in the submission"
        if plant.column in ("alamat", "alamat_domisili"):
            # Addresses keep their characters: the export's quote is what stops the spreadsheet.
            assert person["alamat"].startswith("'") and person["alamat"][1:].startswith(plant.value[0]), label
        else:
            # Names are published cleaned (letters only): the formula is gone before the export's quote is needed.
            assert person["nama"] and not person["nama"].startswith(FORMULA_START), label
    # Every published cell, whatever its column, either starts as plain text or with the export's quote.
    unquoted = sum(1 for person in published.values() for cell in person.values()
                   if cell.startswith(FORMULA_START))
    assert unquoted == 0, f"{unquoted} published cells start like a formula"
    with _warehouse(data_dir) as con:
        for plant in formula_plants:
            stored = con.execute(f"select {plant.column} = ? from raw.{plant.source} where source_row = ?",
                                 [plant.value, planted[plant]]).fetchall()
            assert stored == [(True,)], f"{_label(plant, planted[plant])}: not verbatim in the raw table"


def _metadata(instance: dg.DagsterInstance, key: str) -> dict:
    return instance.get_latest_materialization_event(dg.AssetKey.from_user_string(key)).asset_materialization.metadata


def test_rejected_cells_are_counted_in_the_run_metadata(hostile_run, ledger):
    data_dir, *_, instance = hostile_run
    with _warehouse(data_dir) as con:
        cells = dict(con.execute("select source || ':' || column_name || ':' || issue, count(*) "
                                 "from intermediate.int_cells__rejected group by 1").fetchall())
    table = _metadata(instance, "intermediate/int_cells__rejected")["rejected_cells_by_column"]
    shown = {f"{r.data['source']}:{r.data['column_name']}:{r.data['issue']}": r.data["cells"] for r in table.records}
    assert shown == cells
    for expected in ("dtks:tanggal_lahir:date_impossible", "dtks:tanggal_lahir:date_placeholder",
                     "dtks:tanggal_lahir:date_future", "dtks:nomor_nik:id_spreadsheet_number",
                     "carik:nik:id_letters", "carik:nik:id_wrong_length",
                     "carik:nama_lengkap:name_no_letters", "p3ke:nik:id_spreadsheet_number",
                     "p3ke:tanggal_lahir:date_placeholder"):
        assert cells.get(expected, 0) >= 1, expected
    with_issues = sum(1 for row in ledger.values() if row["cell_issues"])
    assert _metadata(instance, "publish/bps_submission")["rows_with_cell_issues"].value == with_issues
