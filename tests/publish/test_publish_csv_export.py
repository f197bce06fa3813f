"""export_csv on a real DuckDB: numeric order, formula neutralising, NULLs, the returned figures, determinism."""

from __future__ import annotations

import csv
import hashlib
import random
import stat

import duckdb
import pytest

from orchestration.publish.csv_export import ExportError, export_csv, neutralised

# Synthetic cells only; the formula is the classic spreadsheet injection.
ROWS = [
    (10, '=HYPERLINK("http://x")', "sepuluh"),
    (2, "biasa", None),
    (1, "+62812", "-5"),
    (3, "@SUM(A1)", ""),
    (20, "JL. MAWAR NO. 12, RT 001", "a-b=c"),
]
COLUMNS = ["row_no", "isi", "catatan"]


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("create table t (row_no integer, isi varchar, catatan varchar)")
    con.executemany("insert into t values (?, ?, ?)", ROWS)
    yield con
    con.close()


def read(path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_export_content_order_and_return_values(con, tmp_path):
    """Rows in numeric order, formulas quoted as text, ordinary values untouched, NULL empty, (rows, sha256) right."""
    target = tmp_path / "publish" / "ledger.csv"
    rows, digest = export_csv(con, "select * from t", COLUMNS, target, "run1", order_by="q.row_no")
    assert read(target) == [
        COLUMNS,
        ["1", "'+62812", "'-5"],
        ["2", "biasa", ""],
        ["3", "'@SUM(A1)", ""],
        ["10", '\'=HYPERLINK("http://x")', "sepuluh"],
        ["20", "JL. MAWAR NO. 12, RT 001", "a-b=c"],
    ]
    assert rows == len(ROWS)
    assert digest == hashlib.sha256(target.read_bytes()).hexdigest()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_null_and_empty_string_stay_distinguishable(con, tmp_path):
    """NULL is written as an empty field, an empty string as a quoted empty field."""
    target = tmp_path / "ledger.csv"
    export_csv(con, "select * from t", COLUMNS, target, "run1", order_by="q.row_no")
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[2] == "2,biasa,"
    assert lines[3] == "3,'@SUM(A1),\"\""


def test_export_twice_is_byte_identical(con, tmp_path):
    """Two exports of one query (different runs) give identical bytes and sha256."""
    first = export_csv(con, "select * from t", COLUMNS, tmp_path / "a.csv", "run1", order_by="q.row_no")
    second = export_csv(con, "select * from t", COLUMNS, tmp_path / "b.csv", "run2", order_by="q.row_no")
    assert first == second
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_empty_result_writes_the_header(con, tmp_path):
    """No rows: a header-only file and a count of 0."""
    target = tmp_path / "empty.csv"
    rows, digest = export_csv(con, "select * from t where false", COLUMNS, target, "run1", order_by="q.row_no")
    assert rows == 0
    assert read(target) == [COLUMNS]
    assert digest == hashlib.sha256(target.read_bytes()).hexdigest()


def test_multiline_cell_is_counted_once(con, tmp_path):
    """A cell with a line break is quoted, so the read-back count still verifies."""
    con.execute("insert into t values (4, 'baris satu' || chr(10) || 'baris dua', 'x')")
    rows, _ = export_csv(con, "select * from t", COLUMNS, tmp_path / "ml.csv", "run1", order_by="q.row_no")
    assert rows == len(ROWS) + 1
    assert read(tmp_path / "ml.csv")[4] == ["4", "baris satu\nbaris dua", "x"]


def test_unverifiable_export_keeps_the_earlier_file(con, tmp_path):
    """When the rows read back differ from the rows counted, ExportError and the earlier file stays."""
    target = tmp_path / "ledger.csv"
    export_csv(con, "select * from t", COLUMNS, target, "run1", order_by="q.row_no")
    before = target.read_bytes()
    # A volatile query (real DuckDB, no mock): the count consumes the sequence's first five values, so the COPY,
    # evaluated again, sees none of its rows pass the filter.
    con.execute("create sequence s")
    query = "select * from t where nextval('s') <= 5"
    with pytest.raises(ExportError, match="ledger.csv"):
        export_csv(con, query, COLUMNS, target, "run2", order_by="q.row_no")
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.csv"]


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"),
    ("+1", "'+1"),
    ("-1", "'-1"),
    ("@A1", "'@A1"),
    ("\tX", "'\tX"),
    ("\rX", "'\rX"),
    ("A=1", "A=1"),
    (" =1", " =1"),
    ("'=1", "'=1"),
    ("\n=1", "\n=1"),
    ("\uff1d1", "\uff1d1"),
    ("\u00c9=1", "\u00c9=1"),
    ("", ""),
    (None, None),
])
def test_neutralised_sql(value, expected):
    """Only the first character decides; NULL stays NULL."""
    with duckdb.connect() as con:
        assert con.execute(f"select {neutralised('v')} from (select ?::varchar as v)", [value]).fetchall() == [
            (expected,)]


def test_neutralised_casts_non_text():
    """A negative number is text starting with '-', so it is quoted too (CSV output is text)."""
    with duckdb.connect() as con:
        assert con.execute(f"select {neutralised('n')} from (select -7 as n)").fetchall() == [("'-7",)]


def test_neutralised_sql_agrees_with_the_first_character_on_drawn_text():
    """On 5,000 drawn cells (ASCII, controls, accents, full-width signs, empty) only the first character decides."""
    rng = random.Random(20261207)
    alphabet = "=+-@\t\r\n '\"aZ09,.;\u00c9\u00e9\uff1d\uff0b\u2212\U0001f600"
    cells = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4))) for _ in range(5000)]
    with duckdb.connect() as con:
        con.execute("create table d (i integer, v varchar)")
        con.executemany("insert into d values (?, ?)", list(enumerate(cells)))
        got = [v for _, v in con.execute(f"select i, {neutralised('v')} from d order by i").fetchall()]
    expected = ["'" + c if c and c[0] in "=+-@\t\r" else c for c in cells]
    assert got == expected
    assert sum(g != c for g, c in zip(got, cells, strict=True)) > 1000
