"""Value variants and errors applied to rows, and the tags that name them in the truth."""

from __future__ import annotations

import numpy as np

from . import names
from .population import from_ymd, ymd

# Every variant or error a row can carry, as written in source_rows.parquet `corruptions` (in this order).
# Letter case and kab/kota prefix of region names, and the layout of the address line, are not tagged.
TAGS = (
    # names (the truth is the upper-case Dukcapil name)
    "name_title",
    "name_abbrev",
    "name_spelling",
    "name_old_spelling",
    "name_typo",
    "name_titlecase",
    "name_lowercase",
    # birth date value errors
    "dob_swap_day_month",
    "dob_day_typo",
    "dob_year_typo",
    "dob_default_jan1",
    # date, sex and RT/RW written forms (the canonical forms are YYYY-MM-DD, L/P and unpadded numbers)
    "date_ddmmyyyy",
    "date_ddmmyyyy_slash",
    "date_excel_cell",
    "sex_word",
    "rt_rw_padded",
    # NIK: `nik_invalid` marks any structurally invalid NIK; one kind tag says which
    "nik_invalid",
    "nik_person_level",
    "nik_dash",
    "nik_zero",
    "nik_15_digits",
    "nik_month_13",
    "nik_serial_0000",
    "nik_letters",
    "nik_all_zeros",
    "nik_is_kk",
    "nik_digit_typo",
    "nik_transposition",
    "nik_scientific",
    "nik_ganda",
    "nik_formatted",
    "excel_number_nik",
    # No. KK
    "kk_invalid",
    "kk_dash",
    "kk_zero",
    "kk_15_digits",
    "kk_serial_0000",
    "kk_formatted",
    # region and address
    "provinsi_variant",
    "kabkota_variant",
    "region_bps_spelling",
    "provinsi_dkj",
    "kelurahan_prefix",
    "kecamatan_prefix",
    "kelurahan_no_space",
    "kecamatan_no_space",
    "region_old_spelling",
    "kelurahan_typo",
    "address_stale",
    "address_outside_dki",
    # rarer written forms and values out of range
    "sex_other_form",
    "date_other_form",
    "rt_rw_zero",
    "rt_rw_4_digits",
    "desil_text",
    "desil_out_of_range",
    "rt_rw_out_of_range",
    "sex_out_of_range",
    "dob_out_of_range",
)
assert len(TAGS) <= 64, "tags are kept as bits of a uint64"
_BIT = {t: np.uint64(1) << np.uint64(i) for i, t in enumerate(TAGS)}

# Invalid NIK kinds: the placeholder and structural errors of the contract, with their weights.
NIK_INVALID_KINDS = (
    "nik_dash",
    "nik_zero",
    "nik_15_digits",
    "nik_month_13",
    "nik_serial_0000",
    "nik_letters",
    "nik_all_zeros",
    "nik_is_kk",
)
ROW_NIK_WEIGHTS = np.array([0.2, 0.12, 0.2, 0.1, 0.1, 0.08, 0.05, 0.15])
# A person without a valid NIK never has the household's KK as one.
PERSON_NIK_WEIGHTS = np.array([0.25, 0.15, 0.2, 0.1, 0.1, 0.1, 0.1, 0.0])
KK_INVALID_KINDS = ("kk_dash", "kk_zero", "kk_15_digits", "kk_serial_0000")
KK_WEIGHTS = np.array([0.35, 0.2, 0.3, 0.15])

NAME_NONE, NAME_TITLE, NAME_ABBREV, NAME_SPELLING, NAME_OLD, NAME_TYPO = range(6)
_NAME_TAG = {
    NAME_TITLE: "name_title",
    NAME_ABBREV: "name_abbrev",
    NAME_SPELLING: "name_spelling",
    NAME_OLD: "name_old_spelling",
    NAME_TYPO: "name_typo",
}
DOB_NONE, DOB_SWAP, DOB_DAY, DOB_YEAR, DOB_JAN1 = range(5)
_LETTERS = "OISBZ"


class Tags:
    """Per-row set of tags, kept as bits until written."""

    def __init__(self, n: int) -> None:
        self.bits = np.zeros(n, dtype=np.uint64)

    def add(self, tag: str, mask: np.ndarray | slice) -> None:
        """Tag the rows selected by `mask`."""
        self.bits[mask] |= _BIT[tag]


def tag_text(bits: int) -> str:
    """The comma-separated tag names of one row's bits."""
    return ",".join(t for t in TAGS if int(bits) & int(_BIT[t]))


def has_tag(bits: np.ndarray, tag: str) -> np.ndarray:
    """Whether each row's bits carry `tag`."""
    return (bits & _BIT[tag]) != 0


def invalid_nik(nik: str, kind: str, u: float) -> str:
    """An invalid written form of a valid 16-digit NIK (kind from NIK_INVALID_KINDS, except nik_is_kk)."""
    if kind == "nik_dash":
        return "-"
    if kind == "nik_zero":
        return "0"
    if kind == "nik_all_zeros":
        return "0" * 16
    if kind == "nik_15_digits":
        i = int(u * 16) % 16
        return nik[:i] + nik[i + 1 :]
    if kind == "nik_month_13":
        return nik[:8] + "13" + nik[10:]
    if kind == "nik_serial_0000":
        return nik[:12] + "0000"
    if kind == "nik_letters":
        i = int(u * 16) % 16
        return nik[:i] + _LETTERS[int(u * 1000) % len(_LETTERS)] + nik[i + 1 :]
    raise ValueError(f"unknown NIK error kind {kind}")


def invalid_kk(kk: str, kind: str, u: float) -> str:
    """An invalid written form of a No. KK."""
    if kind == "kk_dash":
        return "-"
    if kind == "kk_zero":
        return "0"
    if kind == "kk_15_digits":
        i = int(u * 16) % 16
        return kk[:i] + kk[i + 1 :]
    if kind == "kk_serial_0000":
        return kk[:12] + "0000"
    raise ValueError(f"unknown KK error kind {kind}")


def nik_digit_typo(nik: str, u: float) -> str:
    """One mistyped digit at any of the 16 positions (uniform); the result may be well-formed or not."""
    i = int(u * 16) % 16
    digit = (int(nik[i]) + 1 + int(u * 16 * 9) % 9) % 10
    return nik[:i] + str(digit) + nik[i + 1 :]


def nik_transposition(nik: str, u: float) -> str:
    """Two adjacent digits swapped, at a uniform position among the pairs whose digits differ."""
    pairs = [i for i in range(15) if nik[i] != nik[i + 1]]
    if not pairs:
        return nik_digit_typo(nik, u)
    i = pairs[int(u * len(pairs)) % len(pairs)]
    return nik[:i] + nik[i + 1] + nik[i] + nik[i + 2 :]


# Written forms of a 16-digit identifier cell: grouping (none, 4-4-4-4 or 6-6-4 with a separator, the
# Kemendagri 2.2.2.6.4 dotted form), then what surrounds it (apostrophe, blanks, tab, no-break space).
_GROUPINGS = ((4, 4, 4, 4), (6, 6, 4), (2, 2, 2, 6, 4))
_SEPARATORS = (" ", ".", "-")
_WRAPS = (("'", ""), (" ", ""), ("", " "), (" ", " "), ("\t", ""), ("", "\t"), ("\u00a0", ""), ("", "\u00a0"))


def format_identifier(number: str, u: float) -> str:
    """A 16-digit NIK or No. KK as people write it; the digits, read in order, are still the number."""
    v = int(u * 10**6)
    kind = v % 3  # 0 grouped, 1 wrapped, 2 both
    out = number
    if kind != 1:
        groups = _GROUPINGS[v // 3 % len(_GROUPINGS)]
        sep = _SEPARATORS[v // 9 % len(_SEPARATORS)]
        parts, at = [], 0
        for g in groups:
            parts.append(number[at : at + g])
            at += g
        out = sep.join(parts)
    if kind != 0:
        left, right = _WRAPS[v // 27 % len(_WRAPS)]
        out = left + out + right
    return out


def scientific_nik(nik: str) -> str:
    """A NIK that went through a spreadsheet as a number and came out as text in E notation."""
    return f"{int(nik):.5E}"


def excel_number(nik: str) -> float:
    """What Excel stores for a 16-digit number: 15 significant digits, the last one lost to 0."""
    return float(int(nik[:15]) * 10)


def name_variant(name: str, kind: int, female: bool, age: float, u1: float, u2: float) -> str | None:
    """The name changed by one NAME_* variant, or None when that variant does not apply to it."""
    if kind == NAME_TITLE:
        return names.add_title(name, female, age, u1)
    if kind == NAME_ABBREV:
        return names.abbreviate(name, u1)
    if kind == NAME_SPELLING:
        return names.respell(name, u1)
    if kind == NAME_OLD:
        return names.old_spelling(name)
    if kind == NAME_TYPO:
        return names.typo(name, u1, u2)
    return None


def apply_names(
    base: np.ndarray,
    kind: np.ndarray,
    case: np.ndarray,
    female: np.ndarray,
    age: np.ndarray,
    u1: np.ndarray,
    u2: np.ndarray,
    tags: Tags,
) -> np.ndarray:
    """Written names per row: variant (where it applies), then letter case (0 upper, 1 title, 2 lower)."""
    out = base.copy()
    applied = np.zeros(len(base), dtype=bool)
    for i in np.flatnonzero(kind != NAME_NONE).tolist():
        v = name_variant(base[i], int(kind[i]), bool(female[i]), float(age[i]), float(u1[i]), float(u2[i]))
        if v is not None:
            out[i] = v
            applied[i] = True
    for k, tag in _NAME_TAG.items():
        tags.add(tag, applied & (kind == k))
    title = case == 1
    out[title] = np.array([s.title() for s in out[title]], dtype=object)
    lower = case == 2
    out[lower] = np.array([s.lower() for s in out[lower]], dtype=object)
    tags.add("name_titlecase", title)
    tags.add("name_lowercase", lower)
    return out


def apply_dob_errors(dob: np.ndarray, kind: np.ndarray, u: np.ndarray, latest: int, tags: Tags) -> np.ndarray:
    """Birth dates as mistyped per row (DOB_* kinds); a kind that would give an impossible date is skipped."""
    y, m, d = ymd(dob)
    ny, nm, nd = y.copy(), m.copy(), d.copy()
    swap = (kind == DOB_SWAP) & (d <= 12) & (d != m)
    nm[swap], nd[swap] = d[swap], m[swap]
    day = kind == DOB_DAY
    step = np.where(u < 0.5, -1, 1) * (1 + (u * 100).astype(np.int64) % 3)
    nd[day] = np.clip(d[day] + step[day], 1, 28)
    year = kind == DOB_YEAR
    ny[year] = y[year] + np.where(
        u[year] < 0.7, np.where(u[year] < 0.35, -1, 1), np.where(u[year] < 0.85, -10, 10)
    )
    jan1 = (kind == DOB_JAN1) & ~((m == 1) & (d == 1))
    nm[jan1], nd[jan1] = 1, 1
    out = from_ymd(ny, nm, nd)
    ok = (out <= latest) & (out != dob)
    out = np.where(ok, out, dob)
    for tag, sel in (
        ("dob_swap_day_month", swap),
        ("dob_day_typo", day),
        ("dob_year_typo", year),
        ("dob_default_jan1", jan1),
    ):
        tags.add(tag, sel & ok)
    return out
