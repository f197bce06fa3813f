"""Rarer written forms of sex, dates, RT/RW and desil, and values out of range, each tagged per row."""

from __future__ import annotations

import datetime as dt

import numpy as np

from . import corruptions as C
from .population import EPOCH

# (male, female) forms besides L/P, LAKI-LAKI/PEREMPUAN and Laki-laki/Perempuan.
SEX_OTHER_FORMS = (
    ("LK", "PR"),
    ("L.", "P."),
    ("PRIA", "WANITA"),
    ("1", "2"),
    ("l", "p"),
    ("Lk", "Pr"),
    ("LAKI LAKI", "PEREMPUAN "),
    ("Laki-Laki", "Wanita"),
)
SEX_OUT_OF_RANGE = ("-", "X", "0", "9")
_MONTHS = ("JANUARI", "FEBRUARI", "MARET", "APRIL", "MEI", "JUNI", "JULI", "AGUSTUS", "SEPTEMBER", "OKTOBER",
           "NOVEMBER", "DESEMBER")
_MONTHS_SHORT = ("JAN", "FEB", "MAR", "APR", "MEI", "JUN", "JUL", "AGU", "SEP", "OKT", "NOV", "DES")
DATE_OTHER_FORMS = ("d-m-yyyy", "d/m/yyyy", "D MONTH YYYY", "D Month YYYY", "DD-MON-YYYY", "YYYY/MM/DD",
                    "DD.MM.YYYY", "YYYYMMDD")


def _date_text(d: dt.date, form: int) -> str:
    if form == 0:
        return f"{d.day}-{d.month}-{d.year}"
    if form == 1:
        return f"{d.day}/{d.month}/{d.year}"
    if form == 2:
        return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"
    if form == 3:
        return f"{d.day} {_MONTHS[d.month - 1].title()} {d.year}"
    if form == 4:
        return f"{d.day:02d}-{_MONTHS_SHORT[d.month - 1].title()}-{d.year}"
    if form == 5:
        return f"{d.year:04d}/{d.month:02d}/{d.day:02d}"
    if form == 6:
        return f"{d.day:02d}.{d.month:02d}.{d.year:04d}"
    return f"{d.year:04d}{d.month:02d}{d.day:02d}"


def write_sex(sex: np.ndarray, female: np.ndarray, plan: dict, tags: C.Tags) -> np.ndarray:
    """Sex cells in one of the rarer forms, or out of range (a dash, X, 0, 9), on the drawn rows."""
    out = sex.copy()
    other = plan["sex_other"]
    forms = np.array([f for pair in SEX_OTHER_FORMS for f in pair], dtype=object)
    out[other] = forms[plan["sex_other_form"][other] * 2 + female[other]]
    bad = plan["sex_oor"]
    out[bad] = np.array(SEX_OUT_OF_RANGE, dtype=object)[plan["oor_form"][bad] % len(SEX_OUT_OF_RANGE)]
    tags.add("sex_other_form", other & ~bad)
    tags.add("sex_out_of_range", bad)
    return out


def write_dates(text: np.ndarray, dob: np.ndarray, other: np.ndarray, forms: np.ndarray,
                bad: np.ndarray, bad_form: np.ndarray, latest: int, tags: C.Tags) -> np.ndarray:
    """Dates in a rarer text form, or out of range (after the quarter, impossible, all zeros), on given rows."""
    out = text.copy()
    for i in np.flatnonzero(other & ~bad).tolist():
        out[i] = _date_text(EPOCH + dt.timedelta(days=int(dob[i])), int(forms[i]))
    for i in np.flatnonzero(bad).tolist():
        d = EPOCH + dt.timedelta(days=int(dob[i]))
        kind = int(bad_form[i]) % 3
        if kind == 0:  # a birth date after the data was collected
            later = EPOCH + dt.timedelta(days=latest + 30 + int(bad_form[i]) % 300)
            out[i] = f"{later.day:02d}-{later.month:02d}-{later.year:04d}"
        elif kind == 1:  # a day the month does not have
            out[i] = f"{31 if d.month in (2, 4, 6, 9, 11) else 32}-{d.month:02d}-{d.year:04d}"
        else:
            out[i] = "00-00-0000"
    tags.add("date_other_form", other & ~bad)
    tags.add("dob_out_of_range", bad)
    return out


def write_rt_rw(rt_text: np.ndarray, rw_text: np.ndarray, rt: np.ndarray, rw: np.ndarray, plan: dict,
                tags: C.Tags) -> tuple[np.ndarray, np.ndarray]:
    """RT/RW cells: 0 / 000 when the clerk did not know it, 4 digits (0003), or out of range (999, -)."""
    rt_out, rw_out = rt_text.copy(), rw_text.copy()
    four = plan["rt_4"]
    rt_out[four] = np.array([f"{v:04d}" for v in rt[four]], dtype=object)
    rw_out[four] = np.array([f"{v:04d}" for v in rw[four]], dtype=object)
    zero = plan["rt_zero"]
    zero_forms = np.array(["0", "00", "000"], dtype=object)[plan["rt_zero_form"] % 3]
    on_rt = plan["rt_zero_form"] % 2 == 0
    rt_out[zero & on_rt] = zero_forms[zero & on_rt]
    rw_out[zero & ~on_rt] = zero_forms[zero & ~on_rt]
    bad = plan["rt_oor"]
    bad_forms = np.array(["999", "-", "1000", "XX"], dtype=object)[plan["oor_form"] % 4]
    rt_out[bad] = bad_forms[bad]
    tags.add("rt_rw_4_digits", four & ~zero & ~bad)
    tags.add("rt_rw_zero", zero & ~bad)
    tags.add("rt_rw_out_of_range", bad)
    return rt_out, rw_out


def write_desil(desil: np.ndarray, plan: dict, tags: C.Tags) -> tuple[np.ndarray, np.ndarray]:
    """P3KE desil: a number cell, sometimes text ("2"), sometimes out of range (0, 5, 11); (numbers, texts)."""
    numbers = desil.astype(float)
    text = np.full(len(desil), "", dtype=object)
    bad = plan["desil_oor"]
    numbers[bad] = np.array([0.0, 5.0, 11.0, 99.0])[plan["oor_form"][bad] % 4]
    as_text = plan["desil_text"]
    text[as_text] = np.array([f"{int(v)}" for v in numbers[as_text]], dtype=object)
    numbers[as_text] = np.nan
    tags.add("desil_text", as_text)
    tags.add("desil_out_of_range", bad)
    return numbers, text
