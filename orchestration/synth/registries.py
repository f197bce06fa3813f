"""The two Dukcapil registries: death records and moves / deactivated NIKs."""

from __future__ import annotations

import numpy as np

from .dates import format_dates
from .planting import DECEASED, MOVED_OUT, MOVED_WITHIN, NIK_DEACTIVATED, World
from .regions import geography
from .sources import Rows

_STREAM_REGISTRY = 0x53
PINDAH_STATUS = {MOVED_OUT: "PINDAH_KELUAR", MOVED_WITHIN: "PINDAH_DALAM_DKI", NIK_DEACTIVATED: "NONAKTIF"}


def _registry_order(rng: np.random.Generator, dates: np.ndarray) -> np.ndarray:
    """Registry exports list records by date; same-day records in no particular order."""
    return np.lexsort((rng.random(len(dates)), dates))


def build_registries(W: World, seed: int) -> dict[str, Rows]:
    """Rows of dukcapil_kematian.csv and dukcapil_pindah.csv."""
    geo = geography()
    q = W.quarter
    rng = np.random.default_rng([seed, _STREAM_REGISTRY, q.year, q.number])

    dead = np.flatnonzero(W.status == DECEASED)
    dead = dead[_registry_order(rng, W.status_date[dead])]
    died = W.status_date[dead]
    # The akta is issued within weeks of the death, and never after the extract.
    issued = np.minimum(died + np.floor(rng.random(len(dead)) * 45).astype(np.int64), q.end)
    kab = geo.kab_code[geo.kec_kab[geo.kel_kec[W.cur_kel[dead]]]]
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
    kematian = Rows(
        "dukcapil_kematian",
        dead,
        np.zeros(len(dead), dtype=bool),
        np.full(len(dead), "", dtype=object),
        {
            "NIK": W.nik[dead],
            "NAMA_LGKP": W.name[dead],
            "TGL_LHR": format_dates(W.dob[dead]),
            "TGL_KEMATIAN": format_dates(died),
            "NO_AKTA_KEMATIAN": akta,
        },
    )

    moved = np.flatnonzero(np.isin(W.status, list(PINDAH_STATUS)))
    moved = moved[_registry_order(rng, W.status_date[moved])]
    pindah = Rows(
        "dukcapil_pindah",
        moved,
        np.zeros(len(moved), dtype=bool),
        np.full(len(moved), "", dtype=object),
        {
            "NIK": W.nik[moved],
            "NAMA_LGKP": W.name[moved],
            "TGL_PINDAH": format_dates(W.status_date[moved]),
            "KLASIFIKASI_PINDAH": W.klasifikasi[moved],
            "KODE_WILAYAH_TUJUAN": W.dest_code[moved],
            "STATUS": np.array([PINDAH_STATUS[s] for s in W.status[moved].tolist()], dtype=object),
        },
    )
    return {"dukcapil_kematian": kematian, "dukcapil_pindah": pindah}
