"""NIK and No. KK cells as people write and mistype them, and whose NIK a cell really holds."""

from __future__ import annotations

import numpy as np

from . import corruptions as C
from .population import HEAD


def mistype(nik: np.ndarray, typo: np.ndarray, transposed: np.ndarray, u: np.ndarray, tags: C.Tags) -> None:
    """One wrong digit at any position, or two adjacent digits swapped, on the selected rows (in place)."""
    for i in np.flatnonzero(typo).tolist():
        nik[i] = C.nik_digit_typo(nik[i], float(u[i]))
    for i in np.flatnonzero(transposed).tolist():
        nik[i] = C.nik_transposition(nik[i], float(u[i]))
    tags.add("nik_digit_typo", typo)
    tags.add("nik_transposition", transposed)


def ganda_donors(
    members: tuple[np.ndarray | None, np.ndarray], hh: np.ndarray, role: np.ndarray, valid: np.ndarray, rows: np.ndarray,
    u: np.ndarray,
) -> np.ndarray:
    """For rows of household members, the person whose NIK the row carries instead: mostly the head's.

    hh, role, valid are per person of the world, and `members` its people ordered by household (stable; None
    when they already are) with their households (World.members); rows are the people of the selected rows.
    Returns a person index per row, or -1 where the household has nobody else with a valid NIK in the files.
    """
    order, hs = members
    lo = np.searchsorted(hs, hh[rows], side="left")
    hi = np.searchsorted(hs, hh[rows], side="right")
    out = np.full(len(rows), -1, dtype=np.int64)
    for j, (p, a, b) in enumerate(zip(rows.tolist(), lo.tolist(), hi.tolist(), strict=True)):
        members_of = range(a, b) if order is None else order[a:b].tolist()
        others = [m for m in members_of if m != p and valid[m]]
        if not others:
            continue
        heads = [m for m in others if role[m] == HEAD]
        # KPK's duplicated NIKs are mostly the head's number copied onto the family (domain.md 4.2).
        if heads and u[j] < 0.7:
            out[j] = heads[0]
        else:
            out[j] = others[int(u[j] * 1000) % len(others)]
    return out


def apply_formatting(
    values: np.ndarray, chosen: np.ndarray, u: np.ndarray, tags: C.Tags, tag: str
) -> np.ndarray:
    """Write the chosen 16-digit cells with grouping, an apostrophe or blanks; other cells stay as they are."""
    out = values.copy()
    # Only 16-digit cells: a placeholder or a short number stays as it was written.
    ok = chosen.copy()
    pick = np.flatnonzero(chosen)
    ok[pick] = [len(v) == 16 and v.isdigit() for v in values[pick]]
    for i in np.flatnonzero(ok).tolist():
        out[i] = C.format_identifier(values[i], float(u[i]))
    tags.add(tag, ok)
    return out


def holders(
    cells: np.ndarray, own: np.ndarray, touched: np.ndarray, niks: tuple[np.ndarray, np.ndarray],
    world_valid: np.ndarray,
) -> np.ndarray:
    """Person index whose true NIK equals each cell (own where untouched), -1 when it is nobody's in the files.

    `niks` is the world's people with a valid NIK ordered by it, and those NIKs as integers (World.valid_niks).
    """
    out = np.where(world_valid[own], own, -1)
    idx = np.flatnonzero(touched)
    if not len(idx):
        return out
    holder, sorted_keys = niks
    probe = np.array([int(c) if len(c) == 16 and c.isdigit() else -1 for c in cells[idx]], dtype=np.int64)
    pos = np.searchsorted(sorted_keys, probe).clip(0, max(len(sorted_keys) - 1, 0))
    hit = (sorted_keys[pos] == probe) if len(sorted_keys) else np.zeros(len(idx), dtype=bool)
    out[idx] = np.where(hit, holder[pos], -1)
    return out
