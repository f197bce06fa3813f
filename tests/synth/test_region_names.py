"""Kelurahan, kecamatan and province names as written (issue 11): each variant tagged, the truth recoverable.

PYTEST_DONT_REWRITE: assertion messages carry counts and source names only.
"""

from __future__ import annotations

import csv

import pandas as pd

from orchestration.synth.contract import LIST_SOURCES
from orchestration.synth.region_names import PROVINSI_DKJ_FORMS
from orchestration.synth.regions import PROVINSI_DKI_FORMS, SEEDS_DIR

from .conftest import Generated

KEL = {"dtks": "f_desa_kelurahan", "p3ke": "f_desa_kelurahan", "carik": "f_kelurahan"}
KEL_VARIANTS = ("kelurahan_prefix", "kelurahan_no_space", "region_old_spelling", "kelurahan_typo")
PREFIXES = ("KEL. ", "KEL ", "KELURAHAN ", "DESA ", "KEL.")


def _seed() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Upper-case Kemendagri and BPS names per kelurahan code, and per kelurahan code its kecamatan's names."""
    with open(SEEDS_DIR / "dki_kelurahan.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    bps_kec = {"SETIABUDI": "SETIA BUDI", "PULOGADUNG": "PULO GADUNG", "PAL MERAH": "PALMERAH",
               "KALIDERES": "KALI DERES", "TANJUNG PRIOK": "TANJUNG PRIUK", "KRAMATJATI": "KRAMAT JATI"}
    kel = {r["kode"]: {r["kelurahan"].upper(), r["nama_bps_kelurahan"].upper()} for r in rows}
    kec = {r["kode"]: {r["kecamatan"].upper(), bps_kec.get(r["kecamatan"].upper(), r["kecamatan"].upper())}
           for r in rows}
    return kel, kec


def tags_of(j: pd.DataFrame) -> pd.Series:
    return j.corruptions.str.split(",").map(set)


def damerau_one(a: str, b: str) -> bool:
    """Whether a and b are one substitution, deletion, insertion or adjacent swap apart."""
    if a == b:
        return False
    if len(a) == len(b):
        d = [i for i in range(len(a)) if a[i] != b[i]]
        return len(d) == 1 or (len(d) == 2 and d[1] == d[0] + 1 and a[d[0]] == b[d[1]] and a[d[1]] == b[d[0]])
    if abs(len(a) - len(b)) != 1:
        return False
    s, t = (a, b) if len(a) < len(b) else (b, a)
    return any(t[:i] + t[i + 1 :] == s for i in range(len(t)))


def _rows(g: Generated, source: str) -> pd.DataFrame:
    """Rows written at the person's current kelurahan, with the kelurahan code the row was written for."""
    j = g.joined(source)
    j["tagset"] = tags_of(j)
    here = j.tagset.map(lambda t: not t & {"address_stale", "address_outside_dki"})
    j = j[here].copy()
    j["kode"] = j.f_kode_kemendagri if source == "p3ke" else j.kode_kelurahan
    return j


def test_kelurahan_variants_keep_the_name_recoverable(stressed: Generated) -> None:
    kel, _ = _seed()
    for source in LIST_SOURCES:
        j = _rows(stressed, source)
        cell = j[KEL[source]].str.upper()
        truth = j.kode.map(kel)
        has = {t: j.tagset.map(lambda s, t=t: t in s) for t in KEL_VARIANTS}
        none = ~pd.concat(has.values(), axis=1).any(axis=1)
        assert int(sum(c not in t for c, t in zip(cell[none], truth[none], strict=True))) == 0, source
        for tag in KEL_VARIANTS:
            only = has[tag] & (pd.concat([has[o] for o in KEL_VARIANTS if o != tag], axis=1).sum(axis=1) == 0)
            assert only.sum() > 0, f"{source} {tag}"
            pairs = list(zip(cell[only], truth[only], strict=True))
            if tag == "kelurahan_prefix":
                ok = [c.startswith(PREFIXES) and any(c[len(p):] in t for p in PREFIXES if c.startswith(p))
                      for c, t in pairs]
            elif tag == "kelurahan_no_space":
                ok = [" " not in c and c in {n.replace(" ", "") for n in t} for c, t in pairs]
            elif tag == "kelurahan_typo":
                ok = [any(damerau_one(c, n) for n in t) for c, t in pairs]
            else:
                ok = [c not in t and any(x in c for x in ("TJ", "DJ", "OE", "J")) for c, t in pairs]
            assert all(ok), f"{source} {tag}"


def test_kecamatan_variants(stressed: Generated) -> None:
    _, kec = _seed()
    for source in LIST_SOURCES:
        j = _rows(stressed, source)
        cell = j.f_kecamatan.str.upper()
        truth = j.kode.map(kec)
        pre = j.tagset.map(lambda s: "kecamatan_prefix" in s and "kecamatan_no_space" not in s)
        assert pre.sum() > 0, source
        ok = [c.startswith(("KEC. ", "KEC ", "KECAMATAN ", "KEC.")) and any(
            c[len(p):] in t for p in ("KEC. ", "KEC ", "KECAMATAN ", "KEC.") if c.startswith(p))
            for c, t in zip(cell[pre], truth[pre], strict=True)]
        assert all(ok), source
        plain = j.tagset.map(lambda s: not s & {"kecamatan_prefix", "kecamatan_no_space"})
        assert int(sum(c not in t for c, t in zip(cell[plain], truth[plain], strict=True))) == 0, source


def test_region_variant_rates(generated: Generated) -> None:
    cfg = generated.config
    rows = pd.concat([_rows(generated, s) for s in LIST_SOURCES])
    n = len(rows)
    for tag, rate in (("kelurahan_prefix", cfg.kelurahan_prefix_rate), ("kecamatan_prefix", cfg.kecamatan_prefix_rate),
                      ("kelurahan_typo", cfg.kelurahan_typo_rate)):
        k = int(rows.tagset.map(lambda s, t=tag: t in s).sum())
        assert abs(k - rate * n) <= 4 * (rate * n) ** 0.5 + 2, tag


def test_province_in_both_eras(generated: Generated) -> None:
    rate = generated.config.provinsi_dkj_rate
    for source in ("dtks", "p3ke"):
        j = generated.joined(source)
        j = j[~j.corruptions.str.contains("address_outside_dki")]
        dkj = j.corruptions.str.contains("provinsi_dkj")
        assert set(j.f_provinsi[dkj]) <= set(PROVINSI_DKJ_FORMS) and len(set(j.f_provinsi[dkj])) >= 4, source
        assert set(j.f_provinsi[~dkj]) <= set(PROVINSI_DKI_FORMS), source
        assert abs(dkj.mean() - rate) < 0.05, source
        canonical = j.f_provinsi == "DKI JAKARTA"
        assert int((canonical == j.corruptions.str.contains("provinsi_variant")).sum()) == 0, source
    assert "carik" not in {s for s in LIST_SOURCES if generated.summary["tags"][s]["provinsi_dkj"] and s == "carik"}
