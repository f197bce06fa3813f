"""The two Dukcapil registries: death records and moves / deactivated NIKs."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from . import corruptions as C
from . import identifiers
from .config import SynthConfig
from .dates import format_dates
from .planting import DECEASED, MOVED_OUT, MOVED_WITHIN, NIK_DEACTIVATED, World
from .regions import geography
from .sources import Rows

_STREAM_REGISTRY = 0x53
PINDAH_STATUS = {MOVED_OUT: "PINDAH_KELUAR", MOVED_WITHIN: "PINDAH_DALAM_DKI", NIK_DEACTIVATED: "NONAKTIF"}
# Unreadable or invalid NIKs of registry rows (a scanned form, a spreadsheet's E notation, a placeholder).
REGISTRY_NIK_KINDS = ("nik_dash", "nik_zero", "nik_15_digits", "nik_letters", "nik_all_zeros", "nik_scientific")
_NAME_KINDS = np.array([C.NAME_SPELLING, C.NAME_OLD, C.NAME_TYPO, C.NAME_ABBREV])


def _with_duplicates(rng: np.random.Generator, people: np.ndarray, rate: float) -> np.ndarray:
    """The registry's people with a share of records entered twice."""
    k = int(np.floor(rate * len(people) + 0.5))
    return np.r_[people, np.sort(rng.choice(people, k, replace=False)) if k else people[:0]]


def _first_is_original(person: np.ndarray) -> np.ndarray:
    """In file order, the first row of each person is the original, later ones duplicates."""
    by_person = np.lexsort((np.arange(len(person)), person))
    is_dup = np.ones(len(person), dtype=bool)
    first = np.r_[True, person[by_person][1:] != person[by_person][:-1]] if len(person) else np.zeros(0, bool)
    is_dup[by_person[first]] = False
    return is_dup


def _written(
    rng: np.random.Generator, W: World, person: np.ndarray, cfg: SynthConfig, tags: C.Tags
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NIK cells, names and NIK holders of registry rows, with the registry's own errors (tagged)."""
    n = len(person)
    nik = W.nik[person].copy()
    u = rng.random(n)
    invalid = u < cfg.registry_invalid_nik_rate
    typo = ~invalid & (u < cfg.registry_invalid_nik_rate + cfg.registry_nik_typo_rate)
    kind = rng.integers(0, len(REGISTRY_NIK_KINDS), n)
    nik_u = rng.random(n)
    valid = W.nik_valid[person]
    invalid &= valid
    typo &= valid
    for i in np.flatnonzero(invalid).tolist():
        k = REGISTRY_NIK_KINDS[kind[i]]
        nik[i] = C.scientific_nik(nik[i]) if k == "nik_scientific" else C.invalid_nik(nik[i], k, nik_u[i])
    tags.add("nik_invalid", invalid)
    for j, k in enumerate(REGISTRY_NIK_KINDS):
        tags.add(k, invalid & (kind == j))
    transposed = typo & (rng.random(n) < 0.4)
    identifiers.mistype(nik, typo & ~transposed, transposed, nik_u, tags)
    holder = identifiers.holders(nik, person, invalid | typo, W.valid_niks, W.nik_valid)
    name_kind = np.where(
        rng.random(n) < cfg.registry_name_variant_rate,
        _NAME_KINDS[rng.integers(0, len(_NAME_KINDS), n)],
        C.NAME_NONE,
    )
    names = C.apply_names(
        W.name[person], name_kind, np.zeros(n, dtype=np.int64), W.female[person], W.age(person),
        rng.random(n), rng.random(n), tags,
    )
    fmt = rng.random(n) < cfg.nik_formatted_rate
    nik = identifiers.apply_formatting(nik, fmt, rng.random(n), tags, "nik_formatted")
    return nik, names, holder


def _registry_order(rng: np.random.Generator, dates: np.ndarray) -> np.ndarray:
    """Registry exports list records by date; same-day records in no particular order."""
    return np.lexsort((rng.random(len(dates)), dates))


def build_registries(W: World, seed: int, cfg: SynthConfig) -> Iterator[tuple[str, Rows]]:
    """Rows of dukcapil_kematian.csv, then of dukcapil_pindah.csv (one made after the other is written)."""
    geo = geography()
    q = W.quarter
    rng = np.random.default_rng([seed, _STREAM_REGISTRY, q.year, q.number])
    quality = np.random.default_rng([seed, _STREAM_REGISTRY, q.year, q.number, 1])

    dead = np.flatnonzero(W.status == DECEASED)
    dead = dead[_registry_order(rng, W.status_date[dead])]
    died = W.status_date[dead]
    # The akta is issued within weeks of the death, and never after the extract.
    issued = np.minimum(died + np.floor(rng.random(len(dead)) * 45).astype(np.int64), W.extract)
    kab = geo.kab_code[geo.kec_kab[geo.kel_kec[W.current(dead)[0]]]]
    key = kab * 100_000 + issued
    order = np.lexsort((np.arange(len(key)), key))
    ks = key[order]
    starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
    serial = np.empty(len(key), dtype=np.int64)
    serial[order] = np.arange(len(key)) - np.repeat(starts, np.diff(np.r_[starts, len(key)])) + 1
    issued_text = [d[8:10] + d[5:7] + d[0:4] for d in format_dates(issued)]
    akta = np.array(
        [f"{k}-KM-{d}-{s:04d}" for k, d, s in zip(kab.tolist(), issued_text, serial.tolist(), strict=True)],
        dtype=object,
    )
    # Records entered twice sit next to their original (same date), as a re-sent batch would.
    rec = _with_duplicates(quality, np.arange(len(dead)), cfg.registry_duplicate_rate)
    rec = rec[np.lexsort((quality.random(len(rec)), died[rec]))]
    person = dead[rec]
    tags = C.Tags(len(person))
    nik, names, holder = _written(quality, W, person, cfg, tags)
    kematian = Rows(
        "dukcapil_kematian",
        person,
        _first_is_original(person),
        tags.bits,
        {
            "NIK": nik,
            "NAMA_LGKP": names,
            "TGL_LHR": format_dates(W.dob[person]),
            "TGL_KEMATIAN": format_dates(died[rec]),
            "NO_AKTA_KEMATIAN": akta[rec],
        },
        nik_holder=holder,
    )

    yield "dukcapil_kematian", kematian
    del kematian, nik, names, holder, akta

    moved = np.flatnonzero(np.isin(W.status, list(PINDAH_STATUS)))
    moved = moved[_registry_order(rng, W.status_date[moved])]
    moved = _with_duplicates(quality, moved, cfg.registry_duplicate_rate)
    moved = moved[np.lexsort((quality.random(len(moved)), W.status_date[moved]))]
    tags = C.Tags(len(moved))
    nik, names, holder = _written(quality, W, moved, cfg, tags)
    pindah = Rows(
        "dukcapil_pindah",
        moved,
        _first_is_original(moved),
        tags.bits,
        {
            "NIK": nik,
            "NAMA_LGKP": names,
            "TGL_PINDAH": format_dates(W.status_date[moved]),
            "KLASIFIKASI_PINDAH": W.klasifikasi[moved],
            "KODE_WILAYAH_TUJUAN": W.dest_code[moved],
            "STATUS": np.array([PINDAH_STATUS[s] for s in W.status[moved].tolist()], dtype=object),
        },
        nik_holder=holder,
    )
    yield "dukcapil_pindah", pindah
