"""Synthetic quarters of the five landing extracts, with the ground truth behind them.

How a quarter is made (one module per step):

- population: households and people of Jakarta, generated in blocks seeded by (seed, block), so that a
  person's identity (person_id, NIK, name, birth date) depends only on the seed and the person's index;
- planting: this quarter's deaths, moves, deactivated NIKs, people living outside Jakarta, invalid NIKs and
  namesakes of the dead, drawn from generators seeded by (seed, quarter);
- sources / registries: the rows of each file, with the value variants and errors of corruptions, each
  named per row in the truth; writers: the files of docs/landing_contract.md and the truth.

Same quarter, people, seed and config give byte-identical files. Memory stays bounded at 10M list rows
(docs/synthetic_data.md): strings of the world are Arrow columns (texts), a list is planned whole in small codes
and rendered and written a run of rows at a time, and freed memory is returned between steps (memory).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from .config import PLANTED, SynthConfig
from .contract import FILE_NAMES, LIST_SOURCES, REGISTRIES, SOURCES
from .dates import parse_quarter
from .memory import release_freed_memory
from .planting import NO_DATE, PLANTED_NAMES, STATUS_NAMES, World, plant
from .population import POPULATION_REFERENCE, to_days
from .registries import build_registries
from .sources import Rows, plan_source, render_rows
from .corruptions import TAGS, has_tag, tag_text
from .population import PAIR_KINDS
from .writers import TRUTH_ROWS, set_pulled_at, write_csv, write_p3ke, write_ready_marker, write_truth

__all__ = ["SynthConfig", "generate_quarter"]

DEFAULT_SEED = 20250601


def generate_quarter(
    quarter: str,
    people: int,
    seed: int = DEFAULT_SEED,
    data_dir: Path | str = "data",
    config: SynthConfig | None = None,
) -> dict:
    """Write <data_dir>/landing/<quarter>/ (5 files) and <data_dir>/truth/<quarter>/ (persons.parquet, source_rows.parquet, summary.json); return the summary dict."""  # noqa: E501
    q = parse_quarter(quarter)
    if isinstance(people, bool) or not isinstance(people, (int, np.integer)) or people < 1:
        raise ValueError(f"people must be a positive whole number, got {people!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    people, seed = int(people), int(seed)
    cfg = config if config is not None else SynthConfig()
    if not isinstance(cfg, SynthConfig):
        raise ValueError("config must be a SynthConfig")

    # Ages count back from 2025-01-01, or from an earlier quarter's start so nobody is born after it.
    reference = min(to_days(POPULATION_REFERENCE), q.start)
    world = plant(cfg, q, seed, people, reference)
    release_freed_memory()

    data_dir = Path(data_dir)
    landing = data_dir / "landing" / q.label
    staging = data_dir / "landing" / f".{q.label}.partial"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        files = _write_landing(world, cfg, seed, staging)
        pulled = pulled_at(world.extract)
        names = [FILE_NAMES[s] for s in SOURCES]
        set_pulled_at(staging, names, pulled)
        if cfg.write_ready_marker:
            write_ready_marker(staging, names, pulled)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # A generated quarter replaces the previous one; the folder only ever holds a complete set of files.
    if landing.exists():
        shutil.rmtree(landing)
    staging.rename(landing)

    summary = _summary(q.label, seed, people, cfg, world, files)
    release_freed_memory()
    readable = _registry_nik_readable(world, files)
    persons = (_persons_table(world, a, min(a + TRUTH_ROWS, len(world.hh)))
               .append_column("registry_nik_readable", readable.slice(a, TRUTH_ROWS))
               for a in range(0, len(world.hh), TRUTH_ROWS))
    write_truth(persons, files, world.person_id, summary, data_dir / "truth" / q.label)
    return summary


WIB = dt.timezone(dt.timedelta(hours=7))


def pulled_at(extract: int) -> dt.datetime:
    """When the extracts were pulled: 08:00 Jakarta time on the extract date."""
    return dt.datetime.combine(dt.date(1970, 1, 1) + dt.timedelta(days=extract), dt.time(8, 0), WIB)


def _write_landing(world: World, cfg: SynthConfig, seed: int, folder: Path) -> dict[str, Rows]:
    """Build and write the five files one at a time; return their rows without the written text."""
    q = world.quarter
    created = dt.datetime.combine(dt.date(1970, 1, 1) + dt.timedelta(days=q.end), dt.time())
    files: dict[str, Rows] = {}
    for source in LIST_SOURCES:
        planned = plan_source(world, cfg, seed, source)
        _require_rows(planned)
        # Rows are rendered and written a run at a time: only their identity and tags stay, to bound memory.
        tags: list[np.ndarray] = []
        holders: list[np.ndarray] = []
        chunks = _kept(render_rows(world, planned), tags, holders)
        if source == "p3ke":
            write_p3ke(chunks, folder, created, cfg.p3ke_sheet_rows)
        else:
            write_csv(source, chunks, folder)
        files[source] = Rows(source, planned.person, planned.is_duplicate, np.concatenate(tags), {},
                             nik_holder=np.concatenate(holders))
        del planned, chunks
        release_freed_memory()
    for source, rows in build_registries(world, seed, cfg):
        _require_rows(rows)
        write_csv(source, [rows], folder)
        rows.columns = {}
        files[source] = rows
        release_freed_memory()
    return files


def _kept(chunks: Iterator[Rows], tags: list[np.ndarray], holders: list[np.ndarray]) -> Iterator[Rows]:
    """The chunks, keeping each one's tags and NIK holders for the truth as they pass to the writer."""
    for rows in chunks:
        tags.append(rows.tags)
        holders.append(rows.nik_holder)
        yield rows


def _require_rows(rows) -> None:
    if len(rows.person) == 0:
        raise ValueError(f"{rows.source} would have no data rows; raise people or the rates that feed it")


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.date32(), mask=days == NO_DATE)


def _registry_nik_readable(W: World, files: dict[str, Rows]) -> pa.Array:
    """Whether any of a person's registry rows carries a readable NIK (theirs, or one mistyped); null if none."""
    n = len(W.person_id)
    seen = np.zeros(n, dtype=bool)
    readable = np.zeros(n, dtype=bool)
    for s in REGISTRIES:
        rows = files[s]
        ok = ~has_tag(rows.tags, "nik_invalid")
        seen[rows.person] = True
        readable[rows.person[ok]] = True
    return pa.array(readable, pa.bool_(), mask=~seen)


def _persons_table(W: World, a: int, b: int) -> pa.Table:
    """Rows a to b of persons.parquet: one row per person mentioned in any file."""
    person = np.arange(a, b)
    hh = W.hh[a:b]

    def named(table: tuple[str, ...], codes: np.ndarray) -> pa.Array:
        return pa.array(list(table), pa.string()).take(pa.array(codes.astype(np.int64)))

    return pa.table(
        {
            "person_id": W.person_id.array.slice(a, b - a),
            "household_id": W.hh_id.take(hh),
            "nik": W.nik.array.slice(a, b - a),
            "no_kk": W.hh_kk.take(hh),
            "nama": W.name.array.slice(a, b - a),
            "jenis_kelamin": named(("L", "P"), W.female[a:b]),
            "tanggal_lahir": _dates(W.dob[a:b]),
            "kode_kelurahan": pa.array(W.kode_kelurahan(person), pa.string()),
            "status": named(STATUS_NAMES, W.status[a:b]),
            "status_date": _dates(W.status_date[a:b]),
            "planted": named(PLANTED_NAMES, W.planted[a:b]),
            "namesake_of": W.namesake_of.array.slice(a, b - a),
            "hard_pair": named(PAIR_KINDS, W.pair_kind[a:b]),
            "pair_of": W.pair_of.array.slice(a, b - a),
            "nik_valid": pa.array(W.nik_valid[a:b], pa.bool_()),
            "desil": pa.array(W.hh_desil[hh], pa.int8()),
            "listed": pa.array(W.listed[a:b], pa.bool_()),
        }
    )


def _summary(
    quarter: str, seed: int, people: int, cfg: SynthConfig, W: World, files: dict[str, Rows]
) -> dict:
    rows = {s: len(files[s].person) for s in SOURCES}
    list_rows = sum(rows[s] for s in LIST_SOURCES)
    q = W.quarter

    def counts(mask: np.ndarray) -> dict[str, int]:
        return {s: int(((W.status == i) & mask).sum()) for i, s in enumerate(STATUS_NAMES)}

    def invalid_share(s: str) -> float:
        tags = files[s].tags
        return round(int(has_tag(tags, "nik_invalid").sum()) / max(len(tags), 1), 5)

    in_quarter = {
        s: int(
            ((W.status_date[files[s].person] >= q.start) & (W.status_date[files[s].person] <= q.end)).sum()
        )
        for s in REGISTRIES
    }
    return {
        "quarter": quarter,
        "seed": seed,
        "people": people,
        "config": cfg.as_dict(),
        "rows": rows,
        "list_rows_total": list_rows,
        "list_rows_per_listed_person": round(list_rows / people, 4),
        "duplicate_rows": {s: int(files[s].is_duplicate.sum()) for s in LIST_SOURCES},
        "invalid_nik_row_share": {s: invalid_share(s) for s in LIST_SOURCES},
        "persons_total": len(W.person_id),
        "persons_listed": int(W.listed.sum()),
        "status_listed": counts(W.listed),
        "status_unlisted": counts(~W.listed),
        "planted": {p: int((W.planted == PLANTED_NAMES.index(p)).sum()) for p in PLANTED},
        "namesakes_whose_dead_twin_is_listed": int(
            sum(
                1
                for t in W.namesake_of.array.drop_null().to_pylist()
                if t.startswith("P")
            )
        ),
        "registry_rows_dated_in_quarter": in_quarter,
        "extract_date": _iso(W.extract),
        "registry_rows_dated_after_quarter": {
            s: int((W.status_date[files[s].person] > q.end).sum()) for s in REGISTRIES
        },
        "status_listed_after_quarter": counts(W.listed & (W.status_date > q.end)),
        "hard_pairs": {
            kind: int(((W.pair_kind == i) & W.pair_of.present()).sum()) // 2
            for i, kind in enumerate(PAIR_KINDS) if kind
        },
        "registry_duplicate_rows": {s: int(files[s].is_duplicate.sum()) for s in REGISTRIES},
        "listed_with_only_unreadable_registry_niks": _only_unreadable(W, files),
        "tags": {s: _tag_counts(files[s].tags) for s in SOURCES},
    }


def _only_unreadable(W: World, files: dict[str, Rows]) -> dict[str, int]:
    """Listed people per status whose every registry row has an unreadable NIK (only name and birth date link them)."""
    readable = _registry_nik_readable(W, files).to_numpy(zero_copy_only=False)
    stuck = W.listed & (readable == False)  # noqa: E712 - null (no registry row) is neither
    return {s: int(((W.status == i) & stuck).sum()) for i, s in enumerate(STATUS_NAMES) if i}


def _iso(day: int) -> str:
    return (dt.date(1970, 1, 1) + dt.timedelta(days=int(day))).isoformat()


def _tag_counts(tags: np.ndarray) -> dict[str, int]:
    """Rows carrying each tag (every tag listed, zero when absent)."""
    uniq, n = np.unique(tags, return_counts=True)
    out = dict.fromkeys(TAGS, 0)
    for bits, c in zip(uniq.tolist(), n.tolist(), strict=True):
        for t in tag_text(bits).split(","):
            if t:
                out[t] += c
    return out
