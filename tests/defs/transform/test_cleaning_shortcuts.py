"""The cleaning macros' shortcuts (a cell already clean skips the regular expressions) give the same value as the
regular expressions alone, on cells drawn to hit every step: titles, degrees, commas, dots, blanks of every kind,
RT/RW tails, apostrophes and letters outside A-Z."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import jinja2

MACROS = Path(__file__).resolve().parents[3] / "dbt_project" / "macros"


def _module(name: str):
    return jinja2.Environment().from_string((MACROS / name).read_text(encoding="utf-8")).module


# The steps without any shortcut: what each macro must keep giving.
PLAIN_NAME = """nullif(trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(upper(trim(v)), ',.*$', ''),
    '^((H|DR|IR)\\.\\s*|(HJ|HAJI|HAJJAH|DRS|DRA|PROF)\\.?\\s+)+', ''), '\\s(S|A|M)\\.[A-Z]{1,4}\\.?$', ''),
    '[^A-Z'']+', ' ', 'g')), '')"""
PLAIN_ADDRESS_SPACING = """regexp_replace(regexp_replace(upper(trim(v)),
    '\\bRT\\.?\\s*[0-9]+\\s*/?\\s*RW\\.?\\s*[0-9]+', '', 'g'), '[.,/\\s]+', ' ', 'g')"""

PIECES = ["SITI", "aminah", "H.", "HJ", "DR.", "PROF", "IR.", "S.PD", "M.KOM", "A.MD", "O'NEIL", "É", "JL.", "JALAN",
          "GG", "NO.", "NOMOR", "12A", "RT", "RT 003/RW 005", "RT.01 RW.02", "rt 1 / rw 2", "MARTADINATA", ",", ".",
          "/", "-", "'", "", "KOMPLEK", "RUSUNAWA"]
GLUE = [" ", " ", " ", "", "  ", ",", ".", "\t", "\u00a0", " / ", "\n"]


def _cells(seed: int, n: int = 4000) -> list[str | None]:
    rng = random.Random(seed)
    cells: list[str | None] = [None, "", " ", "BUDI", "BUDI SANTOSO", "BUDI  SANTOSO", " BUDI", "'"]
    for _ in range(n):
        parts = [rng.choice(PIECES) for _ in range(rng.randint(1, 5))]
        cells.append("".join(p + rng.choice(GLUE) for p in parts).rstrip(rng.choice(["", " ", "\t"])))
    return cells


def _compare(values: list[str | None], fast: str, plain: str, clean: str) -> tuple[int, int, int]:
    """(cells whose two answers differ, cells the shortcut takes, cells it does not)."""
    con = duckdb.connect()
    con.execute("create table t (v varchar)")
    con.executemany("insert into t values (?)", [(v,) for v in values])
    return con.execute(
        f"select count(*) filter (where ({fast}) is distinct from ({plain})), count(*) filter (where {clean}), "
        f"count(*) filter (where not coalesce({clean}, false)) from t").fetchall()[0]


def test_clean_name_with_its_shortcuts_is_the_regular_expressions_alone():
    fast = _module("conform.sql").clean_name("v")
    clean = "regexp_full_match(upper(trim(v)), '[A-Z'']+( [A-Z'']+)*')"
    differ, shortcut, full = _compare(_cells(20251207), fast, PLAIN_NAME, clean)
    assert differ == 0
    assert shortcut > 100 and full > 1000  # both ways through the macro are drawn


def test_standardise_address_with_its_shortcuts_is_the_regular_expressions_alone():
    conform = _module("conform.sql")
    fast = conform.standardise_address("v")
    # The same macro's word step on the spacing done by the regular expressions alone.
    plain = fast.replace(fast[fast.index("case\n"):fast.index("end,\n") + len("end")], PLAIN_ADDRESS_SPACING)
    assert plain != fast and "contains(" not in plain
    clean = "regexp_full_match(upper(trim(v)), '[^.,/\\s]+( [^.,/\\s]+)*') and not contains(upper(v), 'RT')"
    differ, shortcut, full = _compare(_cells(20251208), fast, plain, clean)
    assert differ == 0
    assert shortcut > 100 and full > 1000



NAME_WORDS = ["MOH", "M", "MUHAMMAD", "MOEHAMMAD", "ST", "SITTI", "SITI", "ABD", "ABDOEL", "AHM", "ACHMAT", "BUDI",
              "SOETANTO", "DJOKO", "TJIPTO", "SJAHRIR", "WAHJUNI", "YOGA", "MOHAN", "STEVEN", "AM", "MST", "OEI", "E",
              "HOE", "RAJ", "ABDI", ""]


def _names(seed: int, n: int = 4000) -> list[str | None]:
    rng = random.Random(seed)
    names: list[str | None] = [None, "", " ", "M", "MOH", "BUDI", "J", "OE"]
    for _ in range(n):
        words = [rng.choice(NAME_WORDS) for _ in range(rng.randint(1, 4))]
        names.append(rng.choice(["", " "]) + rng.choice([" ", " ", "  "]).join(words) + rng.choice(["", " "]))
    return names


def test_match_name_with_its_shortcut_is_the_word_by_word_key():
    fast = _module("conform.sql").match_name("v")
    # The branch that splits the name into words, on every name: the key without the shortcut.
    plain = fast[fast.index("array_to_string("):fast.rindex("else v end")]
    assert plain.count("string_split(") == 1 and "regexp_matches" not in plain
    guard = fast[len("case when "):fast.index("\n    then")]
    differ, shortcut, full = _compare(_names(20251209), fast, plain, f"not {guard}")
    assert differ == 0
    assert shortcut > 300 and full > 1000
