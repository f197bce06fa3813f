"""Sex, dates, RT/RW and desil as written (issue 11): rarer forms and out-of-range values, each tagged.

PYTEST_DONT_REWRITE: assertion messages carry counts and source names only, never birth dates.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from orchestration.synth.contract import LIST_SOURCES

from .conftest import QUARTER_END, Generated

MONTHS = {m: i + 1 for i, m in enumerate(
    ("JANUARI", "FEBRUARI", "MARET", "APRIL", "MEI", "JUNI", "JULI", "AGUSTUS", "SEPTEMBER", "OKTOBER",
     "NOVEMBER", "DESEMBER"))}
SHORT = {m[:3] if m != "AGUSTUS" else "AGU": i for m, i in MONTHS.items()}
SHORT["MEI"], SHORT["OKT"], SHORT["DES"] = 5, 10, 12
MALE = {"LK", "L.", "PRIA", "1", "l", "Lk", "LAKI LAKI", "Laki-Laki"}
FEMALE = {"PR", "P.", "WANITA", "2", "p", "Pr", "PEREMPUAN ", "Wanita"}


def parse_any(text: str) -> dt.date | None:
    """A reader written for this test, independent of the generator: every date form it may use."""
    t = text.strip().upper()
    for pattern, order in ((r"(\d{4})-(\d{2})-(\d{2})", "ymd"), (r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", "dmy"),
                           (r"(\d{4})/(\d{2})/(\d{2})", "ymd"), (r"(\d{4})(\d{2})(\d{2})", "ymd")):
        m = re.fullmatch(pattern, t)
        if m:
            a, b, c = (int(x) for x in m.groups())
            y, mo, d = (a, b, c) if order == "ymd" else (c, b, a)
            try:
                return dt.date(y, mo, d)
            except ValueError:
                return None
    m = re.fullmatch(r"(\d{1,2})[ -]([A-Z]+)[ -](\d{4})", t)
    if m:
        month = MONTHS.get(m.group(2)) or SHORT.get(m.group(2))
        return dt.date(int(m.group(3)), month, int(m.group(1))) if month else None
    return None


def tagged(j: pd.DataFrame, tag: str) -> pd.Series:
    return j.corruptions.str.split(",").apply(lambda tags: tag in tags)


def test_rarer_date_forms_read_back_to_the_true_date(stressed: Generated) -> None:
    for source in LIST_SOURCES:
        j = stressed.joined(source)
        other = tagged(j, "date_other_form") & ~j.corruptions.str.contains("dob_")
        assert other.sum() > 0, source
        read = j.f_tanggal_lahir[other].map(parse_any)
        assert int((read != j.tanggal_lahir[other]).sum()) == 0, source
        assert int(j.f_tanggal_lahir[other].str.fullmatch(r"\d{4}-\d{2}-\d{2}").sum()) == 0, source


def test_out_of_range_birth_dates_are_impossible_or_after_the_quarter(stressed: Generated) -> None:
    for source in LIST_SOURCES:
        j = stressed.joined(source)
        bad = tagged(j, "dob_out_of_range")
        assert bad.sum() > 0, source
        read = j.f_tanggal_lahir[bad].map(parse_any)
        assert int(read.map(lambda d: d is not None and d <= QUARTER_END).sum()) == 0, source
        others = j.f_tanggal_lahir[~bad].map(lambda v: v if isinstance(v, dt.date) else parse_any(v))
        assert int(others.map(lambda d: d is None or d > QUARTER_END).sum()) == 0, source


def test_sex_forms_agree_with_the_truth(stressed: Generated) -> None:
    for source in LIST_SOURCES:
        j = stressed.joined(source)
        other = tagged(j, "sex_other_form")
        assert other.sum() > 0, source
        written = j.f_jenis_kelamin[other]
        wrong = (written.isin(MALE) & (j.jenis_kelamin[other] != "L")) | (
            written.isin(FEMALE) & (j.jenis_kelamin[other] != "P"))
        assert int(wrong.sum()) == 0 and int((~written.isin(MALE | FEMALE)).sum()) == 0, source
        bad = tagged(j, "sex_out_of_range")
        assert int(j.f_jenis_kelamin[bad].isin(MALE | FEMALE | {"L", "P"}).sum()) == 0, source


def test_rt_rw_zero_four_digits_and_out_of_range(stressed: Generated) -> None:
    for source in ("dtks", "carik"):
        j = stressed.joined(source)
        cells = pd.concat([j.f_rt, j.f_rw], axis=1)
        zero = tagged(j, "rt_rw_zero")
        assert zero.sum() > 0, source
        assert int((~cells[zero].isin(["0", "00", "000"]).any(axis=1)).sum()) == 0, source
        four = tagged(j, "rt_rw_4_digits")
        assert four.sum() > 0, source
        assert int((~cells[four].apply(lambda c: c.str.fullmatch(r"\d{4}")).all(axis=1)).sum()) == 0, source
        bad = tagged(j, "rt_rw_out_of_range")
        assert bad.sum() > 0, source
        plain = ~(zero | four | bad)
        ok = cells[plain].apply(lambda c: c.str.fullmatch(r"\d{1,3}") & (c.str.lstrip("0") != ""))
        assert int((~ok.all(axis=1)).sum()) == 0, source


def test_out_of_range_rate(stressed: Generated) -> None:
    rate = stressed.config.out_of_range_rate
    rows = pd.concat([stressed.joined(s) for s in LIST_SOURCES])
    n = len(rows)
    for tag in ("sex_out_of_range", "dob_out_of_range"):
        k = int(tagged(rows, tag).sum())
        assert abs(k - rate * n) <= 4 * (rate * n) ** 0.5 + 2, tag
