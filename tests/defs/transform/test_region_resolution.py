"""Kelurahan as people write them, resolved by the real dbt models, measured on variants made here.

The variant maker below is this test's own, not the generator's (orchestration/synth) and not shaped after the
rule: every one of the 267 kelurahan is written with a prefix, without its spaces, in its BPS spelling, in the
pre-1972 spelling, and with one letter wrong, missing, extra or swapped at a random position; the kecamatan and
kab/kota beside it are written in their own random forms (a KEC. prefix, no spaces, a typo, with or without
"KOTA ADM."). Controls: names of kecamatan elsewhere in Indonesia written as the kelurahan of a Jakarta
kecamatan, which must not resolve. Figures go to test-artifacts/regions/resolution.json.
"""

from __future__ import annotations

import csv
import json
import random
import re
import string
from collections import Counter

import duckdb
import pytest

from orchestration.paths import REPO_ROOT, SEEDS_DIR
from tests.conftest import ROWS
from tests.defs.transform.dbt_build import build_models

QUARTER = "2025Q2"
HEADER = ["id_art_dtks", "provinsi", "kabupaten_kota", "kecamatan", "desa_kelurahan"]
PROVINSI = ["DKI JAKARTA", "DKJ", "DAERAH KHUSUS JAKARTA", "PROV. DKI JAKARTA", "D.K.I. JAKARTA", "DKI", "",
            "Provinsi Daerah Khusus Jakarta"]

with (SEEDS_DIR / "dki_kelurahan.csv").open(encoding="utf-8", newline="") as _f:
    KELURAHAN = list(csv.DictReader(_f))
with (SEEDS_DIR / "kemendagri_kecamatan.csv").open(encoding="utf-8", newline="") as _f:
    NATIONAL = [r for r in csv.DictReader(_f) if r["kode_provinsi"] != "31"]


def _letters(text: str) -> str:
    return re.sub("[^A-Z]", "", text.upper())


def _typo(rng: random.Random, text: str, kind: str) -> str:
    """One letter substituted, deleted, inserted or two adjacent letters swapped, at a random letter position."""
    positions = [i for i, c in enumerate(text) if c.isalpha()]
    i = rng.choice(positions)
    if kind == "substitution":
        return text[:i] + rng.choice([c for c in string.ascii_uppercase if c != text[i].upper()]) + text[i + 1:]
    if kind == "deletion":
        return text[:i] + text[i + 1:]
    if kind == "insertion":
        return text[:i] + rng.choice(string.ascii_uppercase) + text[i:]
    pairs = [j for j in positions if j + 1 < len(text) and text[j + 1].isalpha() and text[j] != text[j + 1]]
    j = rng.choice(pairs)
    return text[:j] + text[j + 1] + text[j] + text[j + 2:]


def _old_spelling(text: str) -> str:
    """Modern to pre-1972 spelling: j was dj, y was j, c was tj, u was oe, sy was sj (EYD 1972, Soewandi 1947)."""
    out = text.upper().replace("J", "DJ").replace("Y", "J").replace("C", "TJ").replace("SY", "SJ")
    return out.replace("U", "OE")


def _case(rng: random.Random, text: str) -> str:
    return rng.choice([text.upper(), text.title(), text])


def _kecamatan(rng: random.Random, name: str) -> str:
    form = rng.choice(["plain", "plain", "prefix", "nospace", "typo"])
    if form == "prefix":
        return rng.choice(["KEC. ", "Kec.", "KECAMATAN ", "Kecamatan "]) + _case(rng, name)
    if form == "nospace":
        return name.replace(" ", "").upper()
    if form == "typo" and len(_letters(name)) >= 6:
        return _typo(rng, name.upper(), rng.choice(["substitution", "deletion", "insertion", "transposition"]))
    return _case(rng, name)


def _kabkota(rng: random.Random, name: str) -> str:
    short = re.sub(r"^(Kota|Kabupaten) Administrasi ", "", name)
    return rng.choice([name, name.upper(), short.upper(), "KOTA ADM. " + short.upper(), short])


def _variants(seed: int) -> list[tuple[str, str | None, list[str]]]:
    """(kind, true kode or None for a control, the DTKS region cells as written)."""
    rng = random.Random(seed)
    out = []
    for kel in KELURAHAN:
        name = kel["kelurahan"]
        written = {
            "prefix": rng.choice(["KEL. ", "Kel.", "KELURAHAN ", "Kelurahan ", "DESA ", "Ds. ", "KEL "])
            + _case(rng, name),
            "no_spaces": name.replace(" ", "").upper() if " " in name else None,
            "bps_spelling": kel["nama_bps_kelurahan"] if _letters(kel["nama_bps_kelurahan"]) != _letters(name)
            else None,
            "old_spelling": _old_spelling(name) if _old_spelling(name) != name.upper() else None,
            **{f"typo_{kind}": _typo(rng, name.upper(), kind)
               for kind in ("substitution", "deletion", "insertion", "transposition")},
        }
        for kind, text in written.items():
            if text is not None:
                out.append((kind, kel["kode"], [rng.choice(PROVINSI), _kabkota(rng, kel["kabkota"]),
                                                _kecamatan(rng, kel["kecamatan"]), text]))
    dki_keys = {_letters(k["kelurahan"]) for k in KELURAHAN} | {_letters(k["nama_bps_kelurahan"]) for k in KELURAHAN}
    names = sorted({r["kecamatan"] for r in NATIONAL if _letters(r["kecamatan"]) not in dki_keys})
    for name in rng.sample(names, 600):
        kel = rng.choice(KELURAHAN)
        out.append(("control", None, [rng.choice(PROVINSI), _kabkota(rng, kel["kabkota"]),
                                      _kecamatan(rng, kel["kecamatan"]), _case(rng, name)]))
    return out


@pytest.fixture(scope="module")
def resolved(tmp_path_factory):
    variants = _variants(seed=2024)
    template = ROWS["dtks"][0]
    rows = []
    for i, (_, _, cells) in enumerate(variants, start=1):
        row = list(template)
        row[0] = f"ART{i:012d}"
        row[1:5] = cells
        rows.append(row)
    warehouse = build_models(tmp_path_factory.mktemp("regions") / "data", QUARTER,
                             "+int_regions__unresolved_values", {"dtks": rows})
    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = dict(con.execute("select source_row, kode_kelurahan from intermediate.int_persons__conformed "
                               "where source = 'dtks'").fetchall())
        unresolved_values = con.execute(
            "select coalesce(sum(n_rows), 0) from intermediate.int_regions__unresolved_values").fetchall()[0][0]
    figures: dict[str, Counter] = {}
    for row, (kind, truth, _) in enumerate(variants, start=1):
        outcome = ("unresolved" if got[row] is None else "right" if got[row] == truth else "wrong")
        figures.setdefault(kind, Counter())[outcome] += 1
    artifacts = REPO_ROOT / "test-artifacts" / "regions"
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / "resolution.json").write_text(json.dumps(
        {kind: dict(c) for kind, c in sorted(figures.items())}, indent=2) + "\n")
    return figures, unresolved_values


def _share(counter: Counter, outcome: str) -> float:
    return counter[outcome] / sum(counter.values())


def test_no_variant_resolves_to_another_kelurahan(resolved):
    figures, _ = resolved
    wrong = {kind: c["wrong"] for kind, c in figures.items() if kind != "control"}
    assert sum(wrong.values()) == 0, wrong


def test_a_foreign_name_does_not_resolve_in_the_kecamatan_written_beside_it(resolved):
    figures, _ = resolved
    assert _share(figures["control"], "unresolved") >= 0.99, dict(figures["control"])


@pytest.mark.parametrize(("kind", "at_least"), [
    ("prefix", 1.0), ("no_spaces", 1.0), ("bps_spelling", 1.0), ("old_spelling", 0.7),
    ("typo_substitution", 0.9), ("typo_deletion", 0.9), ("typo_insertion", 0.9), ("typo_transposition", 0.9),
])
def test_written_variants_resolve_to_their_kelurahan(resolved, kind, at_least):
    figures, _ = resolved
    assert _share(figures[kind], "right") >= at_least, dict(figures[kind])


def test_the_gate_reports_every_unresolved_row(resolved):
    figures, unresolved_values = resolved
    assert unresolved_values == sum(c["unresolved"] for c in figures.values())
