"""Kelurahan, kecamatan and province names as clerks write them: prefixes, run-together words, old spelling, slips."""

from __future__ import annotations

import re

import numpy as np

from . import corruptions as C

# Post-2024 names of the province (UU 2/2024, UU 151/2024; domain.md 2.4), as lists write them.
PROVINSI_DKJ_FORMS = (
    "DKJ",
    "DAERAH KHUSUS JAKARTA",
    "PROV. DAERAH KHUSUS JAKARTA",
    "PROVINSI DKJ",
    "PROVINSI DAERAH KHUSUS JAKARTA",
    "Prov. DKJ",
    "Daerah Khusus Jakarta",
)
KELURAHAN_PREFIXES = ("KEL. ", "KEL ", "KELURAHAN ", "DESA ", "KEL.")
KECAMATAN_PREFIXES = ("KEC. ", "KEC ", "KECAMATAN ", "KEC.")
# Pre-1972 spelling of place names (Tjilandak, Djatinegara, Kebon Djeroek).
_OLD = {"C": "TJ", "J": "DJ", "U": "OE", "Y": "J"}
_OLD_RE = re.compile("C|J|U|Y")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def old_spelling(name: str) -> str:
    """The name in pre-1972 spelling, in the name's own letter case."""
    out = _OLD_RE.sub(lambda m: _OLD[m.group(0)], name.upper())
    return out.title() if name != name.upper() else out


def letter_slip(name: str, u1: float, u2: float) -> str:
    """One letter off: substituted, deleted, inserted or two adjacent letters swapped, at a uniform position."""
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    if len(letters) < 3:
        return name
    i = letters[int(u1 * len(letters)) % len(letters)]
    kind = int(u2 * 4) % 4
    new = _LETTERS[int(u2 * 4 * 26) % 26]
    new = new if name[i].isupper() else new.lower()
    if kind == 0:
        out = name[:i] + (new if new.upper() != name[i].upper() else ("X" if name[i] != "X" else "Q")) + name[i + 1 :]
    elif kind == 1:
        out = name[:i] + name[i + 1 :]
    elif kind == 2:
        out = name[:i] + new + name[i:]
    else:
        j = i + 1 if i + 1 < len(name) and name[i + 1].isalpha() and name[i + 1] != name[i] else i - 1
        if j < 0 or name[j] == name[i]:
            out = name[:i] + name[i + 1 :]
        else:
            a, b = sorted((i, j))
            out = name[:a] + name[b] + name[a] + name[b + 1 :]
    return out if out != name else name[:i] + name[i + 1 :]


def _prefixed(name: str, prefix: str) -> str:
    return prefix if name == name.upper() else prefix.title()


def write_kelurahan(names: np.ndarray, plan: dict, dki: np.ndarray, tags: C.Tags) -> np.ndarray:
    """Kelurahan names with old spelling, a letter slip, spaces left out and a prefix, on the drawn rows."""
    out = names.copy()
    old = plan["old_spelling"] & dki
    for i in np.flatnonzero(old).tolist():
        out[i] = old_spelling(out[i])
    old &= out != names
    slip = plan["kel_slip"] & dki
    for i in np.flatnonzero(slip).tolist():
        out[i] = letter_slip(out[i], float(plan["kel_slip_u1"][i]), float(plan["kel_slip_u2"][i]))
    spaced = plan["kel_no_space"] & dki & np.array([" " in v for v in out], dtype=bool)
    out[spaced] = np.array([v.replace(" ", "") for v in out[spaced]], dtype=object)
    pre = plan["kel_prefix"] & dki
    for i in np.flatnonzero(pre).tolist():
        out[i] = _prefixed(out[i], KELURAHAN_PREFIXES[plan["kel_prefix_form"][i]]) + out[i]
    tags.add("region_old_spelling", old)
    tags.add("kelurahan_typo", slip)
    tags.add("kelurahan_no_space", spaced)
    tags.add("kelurahan_prefix", pre)
    return out


def write_kecamatan(names: np.ndarray, plan: dict, dki: np.ndarray, tags: C.Tags) -> np.ndarray:
    """Kecamatan names with spaces left out and a prefix, on the drawn rows."""
    out = names.copy()
    spaced = plan["kec_no_space"] & dki & np.array([" " in v for v in out], dtype=bool)
    out[spaced] = np.array([v.replace(" ", "") for v in out[spaced]], dtype=object)
    pre = plan["kec_prefix"] & dki
    for i in np.flatnonzero(pre).tolist():
        out[i] = _prefixed(out[i], KECAMATAN_PREFIXES[plan["kec_prefix_form"][i]]) + out[i]
    tags.add("kecamatan_no_space", spaced)
    tags.add("kecamatan_prefix", pre)
    return out
