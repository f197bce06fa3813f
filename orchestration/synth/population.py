"""Households and people of Jakarta, with NIK and No. KK built by the Dukcapil structure.

The population is generated in blocks of households, each from its own generator seeded by (seed, block),
so a person's identity (person_id, NIK, name, birth date, household) depends only on the seed and the
person's index, not on the size of the quarter: a larger quarter, or a later quarter with the same seed,
holds the same first people.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from . import names
from .config import SynthConfig
from .regions import Geography, geography

BLOCK_HOUSEHOLDS = 4096
_STREAM_BLOCK = 0xB10C

ROLES = (
    "KEPALA KELUARGA",
    "ISTRI",
    "SUAMI",
    "ANAK",
    "MENANTU",
    "CUCU",
    "ORANG TUA",
    "MERTUA",
    "FAMILI LAIN",
    "LAINNYA",
)
HEAD, ISTRI, SUAMI, ANAK, MENANTU, CUCU, ORANG_TUA, MERTUA, FAMILI, LAINNYA = range(len(ROLES))
# Roles of members beyond head and spouse: households with a head under 50 mostly hold children and
# sometimes a parent; older heads more often hold grandchildren and a child's spouse.
_YOUNG_HEAD_ROLES = (
    np.array([ANAK, ORANG_TUA, MERTUA, FAMILI, LAINNYA]),
    np.array([0.86, 0.05, 0.04, 0.04, 0.01]),
)
_OLD_HEAD_ROLES = (np.array([ANAK, CUCU, MENANTU, FAMILI, LAINNYA]), np.array([0.6, 0.22, 0.1, 0.05, 0.03]))

EPOCH = dt.date(1970, 1, 1)
# Ages are counted back from this date (or from an earlier quarter's first day) so that people keep their
# birth dates from quarter to quarter.
POPULATION_REFERENCE = dt.date(2025, 1, 1)
OLDEST_BIRTH = dt.date(1930, 1, 1)
KK_FIRST_ISSUE = dt.date(2005, 1, 1)

# Address kinds: street (JL), alley (GG), kampung (KP), housing complex (KOMP), public flats (RUSUN).
# Hard non-matches made in the population (so that they hold from quarter to quarter).
PAIR_KINDS = ("", "twin", "parent_child_birthday")
PAIR_NONE, PAIR_TWIN, PAIR_PARENT_CHILD = range(len(PAIR_KINDS))
_STREAM_PAIRS = 0x7A1

ADDRESS_KINDS = ("JL", "GG", "KP", "KOMP", "RUSUN")
_ADDRESS_KIND_P = np.array([0.45, 0.33, 0.1, 0.05, 0.07])


def to_days(d: dt.date) -> int:
    """Days since 1970-01-01."""
    return (d - EPOCH).days


@dataclass
class Universe:
    """Arrays of every generated household (hh_*) and person (p_*); persons are grouped by household."""

    hh_kel: np.ndarray  # index into geography kelurahan
    hh_desil: np.ndarray  # 1..10
    hh_rt: np.ndarray
    hh_rw: np.ndarray
    hh_addr_kind: np.ndarray  # index into ADDRESS_KINDS
    hh_addr_u: np.ndarray  # (n, 3) uniforms: street, suffix, house number
    hh_group: np.ndarray  # name style of the household
    hh_kk_date: np.ndarray  # days
    hh_kk: np.ndarray  # int64, 16 digits
    hh_start: np.ndarray  # index of the head in p_*
    hh_size: np.ndarray
    p_hh: np.ndarray
    p_role: np.ndarray
    p_female: np.ndarray
    p_dob: np.ndarray  # days
    p_area: np.ndarray  # index into the national kecamatan list: where the NIK was issued
    p_nik: np.ndarray  # int64, 16 digits
    p_style: np.ndarray  # name style (may be "modern")
    p_name_u: np.ndarray  # (n, 7) float32 name uniforms
    p_mother: np.ndarray  # index of the mother in p_*, or -1
    p_mother_u: np.ndarray  # (n, 7) float32 uniforms of a mother outside the household
    p_in: np.ndarray  # (n, 3) bool: in DTKS, P3KE, CARIK
    p_u: np.ndarray  # float32 per-person uniform of the birthplace form
    p_pair: np.ndarray  # index in p_* of the person's twin or same-birthday parent/child, or -1
    p_pair_kind: np.ndarray  # PAIR_* code
    p_pair_u: np.ndarray  # float32 uniform for the twin's name

    @property
    def listed(self) -> np.ndarray:
        """Whether each person is in at least one list."""
        return self.p_in.any(axis=1)


def _household_block(
    seed: int, block: int, cfg: SynthConfig, geo: Geography, ref: int
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([seed, _STREAM_BLOCK, block])
    H = BLOCK_HOUSEHOLDS
    size_p = np.array(cfg.household_size_weights, dtype=float)
    size = rng.choice(7, H, p=size_p / size_p.sum()) + 1
    kel = rng.choice(len(geo.kel_code), H, p=geo.kel_weight)
    kab = geo.kec_kab[geo.kel_kec[kel]]
    desil = np.clip(1 + np.floor(10 * rng.random(H) ** geo.kab_poverty_skew[kab]), 1, 10).astype(np.int8)
    rw = rng.integers(1, 16, H)
    rt = rng.integers(1, 21, H)
    addr_kind = rng.choice(len(ADDRESS_KINDS), H, p=_ADDRESS_KIND_P)
    addr_u = rng.random((H, 3)).astype(np.float32)
    migrant = rng.random(H) < cfg.migrant_household_rate
    origin = rng.choice(len(geo.nat_kec_code), H, p=geo.migrant_weight)
    group = _household_groups(rng.random(H), migrant, geo.nat_prov_code[origin])
    in_hh = rng.random((H, 3)) < np.stack(
        [np.array(c)[desil - 1] for c in (cfg.dtks_coverage, cfg.p3ke_coverage, cfg.carik_coverage)], axis=1
    )

    # Head and spouse ages; a lone person is young or, more often, widowed and old.
    oldest = (ref - to_days(OLDEST_BIRTH)) / 365.2425 - 0.01
    single_old = rng.random(H) < 0.5
    head_age = _fold(
        np.where(
            size == 1, np.where(single_old, rng.normal(68, 9, H), rng.normal(30, 6, H)), rng.normal(46, 12, H)
        ),
        18,
        oldest,
    )
    has_spouse = (size >= 2) & (rng.random(H) < 0.85)
    head_female = np.where(has_spouse, rng.random(H) < 0.07, rng.random(H) < 0.55)
    gap_years = np.abs(rng.normal(3, 3, H))
    spouse_age = _fold(np.where(head_female, head_age + gap_years, head_age - gap_years), 17, oldest)

    n = int(size.sum())
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    hh = np.repeat(np.arange(H), size)
    slot = np.arange(n) - start[hh]
    u = rng.random((n, 6))
    old_head = head_age[hh] >= 50
    role = np.where(
        old_head,
        _OLD_HEAD_ROLES[0][np.searchsorted(np.cumsum(_OLD_HEAD_ROLES[1]), u[:, 0] * 0.9999)],
        _YOUNG_HEAD_ROLES[0][np.searchsorted(np.cumsum(_YOUNG_HEAD_ROLES[1]), u[:, 0] * 0.9999)],
    )
    is_spouse = (slot == 1) & has_spouse[hh]
    role = np.where(slot == 0, HEAD, np.where(is_spouse, np.where(head_female[hh], SUAMI, ISTRI), role))

    parent_age = np.minimum(head_age, np.where(has_spouse, spouse_age, head_age))[hh]
    age = np.select(
        [
            role == HEAD,
            is_spouse,
            role == ANAK,
            role == CUCU,
            role == MENANTU,
            np.isin(role, (ORANG_TUA, MERTUA)),
        ],
        [
            head_age[hh],
            spouse_age[hh],
            u[:, 1] * np.clip(parent_age - 18, 0.5, 40),
            u[:, 1] * np.clip(head_age[hh] - 38, 0.5, 20),
            _fold(head_age[hh] - 25 + 10 * (u[:, 1] - 0.5), 18, 60),
            _fold(head_age[hh] + 22 + 15 * u[:, 1], 45, oldest),
        ],
        default=5 + 65 * u[:, 1],
    )
    female = np.select(
        [role == HEAD, role == ISTRI, role == SUAMI, np.isin(role, (ORANG_TUA, MERTUA))],
        [head_female[hh], True, False, u[:, 2] < 0.7],
        default=u[:, 2] < 0.5,
    )
    dob = ref - np.floor(age * 365.2425).astype(np.int64) - 1

    # NIK area: the kecamatan of first registration, outside Jakarta for most adults of migrant households.
    adult = age >= 17
    p_out = np.where(migrant[hh], np.where(adult, 0.85, 0.06), np.where(adult, 0.08, 0.01))
    outside = u[:, 3] < p_out
    fresh_origin = rng.choice(len(geo.nat_kec_code), n, p=geo.migrant_weight)
    out_area = np.where(u[:, 4] < 0.7, origin[hh], fresh_origin)
    kec_w = np.bincount(geo.kel_kec, weights=geo.kel_weight, minlength=len(geo.kec_code))
    other_dki = rng.choice(len(geo.kec_code), n, p=kec_w / kec_w.sum())
    dki_kec = np.where(u[:, 5] < 0.75, geo.kel_kec[kel][hh], other_dki)
    area = np.where(outside, out_area, geo.dki_kec_in_nat[dki_kec])
    pair, pair_kind, pair_u = _hard_pairs(
        np.random.default_rng([seed, _STREAM_BLOCK, block, _STREAM_PAIRS]),
        cfg, ref, role, hh, start, head_female, has_spouse, female, dob, age, area,
    )

    # Inheritors of the family name share its draw with the head.
    name_u = rng.random((n, 7)).astype(np.float32)
    hh_name_u = rng.random((H, 2)).astype(np.float32)
    inherits = np.isin(role, (HEAD, ANAK, CUCU))
    name_u[inherits, 4] = hh_name_u[hh[inherits], 0]
    name_u[inherits, 6] = hh_name_u[hh[inherits], 1]
    young = age < 26
    style = np.where(young & (rng.random(n) < 0.55), names.MODERN, group[hh])

    mother_slot = np.where(head_female, 0, np.where(has_spouse, 1, -1))
    has_mother = (role == ANAK) & (mother_slot[hh] >= 0)
    mother = np.where(has_mother, start[hh] + mother_slot[hh], -1)

    ref_kk = ref - 30
    kk_lo = np.maximum(to_days(KK_FIRST_ISSUE), dob[start] + int(17 * 365.25))
    kk_lo = np.minimum(kk_lo, ref_kk)
    kk_date = kk_lo + np.floor(rng.random(H) * (ref_kk - kk_lo + 1)).astype(np.int64)
    drop = rng.random((n, 3)) < cfg.member_dropout_rate

    return dict(
        hh_kel=kel,
        hh_desil=desil,
        hh_rt=rt,
        hh_rw=rw,
        hh_addr_kind=addr_kind,
        hh_addr_u=addr_u,
        hh_group=group,
        hh_kk_date=kk_date,
        hh_kk_gap=_serial_gaps(rng, H),
        hh_start=start,
        hh_size=size,
        p_hh=hh,
        p_role=role,
        p_female=female,
        p_dob=dob,
        p_area=area,
        p_serial_gap=_serial_gaps(rng, n),
        p_style=style,
        p_name_u=name_u,
        p_mother=mother,
        p_mother_u=rng.random((n, 7)).astype(np.float32),
        p_in=in_hh[hh] & ~drop,
        p_u=rng.random((n, 2)).astype(np.float32)[:, 0].copy(),  # two drawn, one used: the stream stays
        p_pair=pair,
        p_pair_kind=pair_kind,
        p_pair_u=pair_u,
    )


def _hard_pairs(
    rng: np.random.Generator,
    cfg: SynthConfig,
    ref: int,
    role: np.ndarray,
    hh: np.ndarray,
    start: np.ndarray,
    head_female: np.ndarray,
    has_spouse: np.ndarray,
    female: np.ndarray,
    dob: np.ndarray,
    age: np.ndarray,
    area: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Twins and children born on a parent's day and month; changes dob, age, female and area in place."""
    n = len(role)
    pair = np.full(n, -1, dtype=np.int64)
    kind = np.zeros(n, dtype=np.int8)
    child = np.flatnonzero(role == ANAK)
    first = np.r_[True, hh[child][1:] != hh[child][:-1]] if len(child) else np.zeros(0, dtype=bool)
    # The first two children of a household become twins: same birth date and NIK area, mostly same sex.
    second = np.flatnonzero(~first & np.r_[False, first[:-1]])
    a, b = child[second - 1], child[second]
    keep = rng.random(len(a)) < cfg.twin_household_rate
    a, b = a[keep], b[keep]
    same_sex = rng.random(len(a)) < 0.65
    female[b] = np.where(same_sex, female[a], ~female[a])
    dob[b], age[b], area[b] = dob[a], age[a], area[a]
    pair[a], pair[b] = b, a
    kind[a] = kind[b] = PAIR_TWIN
    # A child born on the same-sex parent's day and month (another year); half registered where the parent was.
    c = child[(pair[child] < 0) & (rng.random(len(child)) < cfg.parent_child_birthday_rate)]
    h = hh[c]
    parent = np.where(female[c] == head_female[h], start[h], np.where(has_spouse[h], start[h] + 1, start[h]))
    cy, _, _ = ymd(dob[c])
    _, pm, pd = ymd(dob[parent])
    new = from_ymd(cy, pm, pd)
    ny, nm, nd = ymd(new)
    ok = (nm == pm) & (nd == pd) & (new < ref) & (new > dob[parent] + 15 * 365)
    c, parent, new = c[ok], parent[ok], new[ok]
    _, once = np.unique(parent, return_index=True)  # one such child per parent
    once = np.sort(once)
    c, parent, new = c[once], parent[once], new[once]
    dob[c] = new
    age[c] = (ref - new - 1) / 365.2425
    area[c] = np.where(rng.random(len(c)) < 0.5, area[parent], area[c])
    pair[c], pair[parent] = parent, c
    kind[c] = kind[parent] = PAIR_PARENT_CHILD
    return pair, kind, rng.random(n).astype(np.float32)


def _fold(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Reflect values back into [lo, hi]: clipping would pile people onto one birth date."""
    period = 2 * (hi - lo)
    y = np.mod(x - lo, period)
    return lo + np.where(y > hi - lo, period - y, y)


def _serial_gaps(rng: np.random.Generator, n: int) -> np.ndarray:
    """Steps between serials: mostly 1, sometimes a jump (numbers issued to people not generated)."""
    return np.where(rng.random(n) < 0.1, rng.integers(2, 30, n), 1).astype(np.int64)


def _household_groups(u: np.ndarray, migrant: np.ndarray, origin_prov: np.ndarray) -> np.ndarray:
    idx, p = names.group_index(names.DKI_GROUP_WEIGHTS)
    group = idx[np.searchsorted(np.cumsum(p), u * 0.9999)]
    other_idx, other_p = names.group_index(names.OTHER_PROVINCE_GROUPS)
    migrant_group = other_idx[np.searchsorted(np.cumsum(other_p), u * 0.9999)]
    for prov, weights in names.PROVINCE_GROUPS.items():
        m = origin_prov == prov
        gi, gp = names.group_index(weights)
        migrant_group[m] = gi[np.searchsorted(np.cumsum(gp), u[m] * 0.9999)]
    return np.where(migrant, migrant_group, group)


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day arrays of day numbers."""
    d = np.asarray(days).astype("datetime64[D]")
    y = d.astype("datetime64[Y]")
    m = d.astype("datetime64[M]")
    return (
        y.astype(np.int64) + 1970,
        (m - y.astype("datetime64[M]")).astype(np.int64) + 1,
        (d - m.astype("datetime64[D]")).astype(np.int64) + 1,
    )


def from_ymd(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Day numbers of year/month/day arrays (the day is not checked against the month length)."""
    months = ((np.asarray(y) - 1970) * 12 + np.asarray(m) - 1).astype("datetime64[M]")
    return months.astype("datetime64[D]").astype(np.int64) + np.asarray(d) - 1


def nik_prefix(area_code: np.ndarray, dob: np.ndarray, female: np.ndarray) -> np.ndarray:
    """First 12 digits of a NIK as an integer: area, day (+40 for women), month, two-digit year."""
    y, m, d = ymd(dob)
    return area_code * 10**6 + ((d + 40 * female) * 100 + m) * 100 + y % 100


def kk_prefix(area_code: np.ndarray, issue: np.ndarray) -> np.ndarray:
    """First 12 digits of a No. KK: area and issue date DDMMYY (no +40)."""
    y, m, d = ymd(issue)
    return area_code * 10**6 + (d * 100 + m) * 100 + y % 100


def ranked_serials(prefix: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """Serials unique within each prefix, increasing with the index (cumulative gaps, starting at >= 1)."""
    order = np.lexsort((np.arange(len(prefix)), prefix))
    ps = prefix[order]
    cs = np.cumsum(gap[order])
    starts = np.flatnonzero(np.r_[True, ps[1:] != ps[:-1]])
    before = np.r_[0, cs][starts]
    serial = np.empty(len(prefix), dtype=np.int64)
    serial[order] = cs - np.repeat(before, np.diff(np.r_[starts, len(ps)]))
    return serial


def appended_serials(base: np.ndarray, new_prefix: np.ndarray) -> np.ndarray:
    """Serials for new numbers that continue after the highest serial already issued (in `base`, 16-digit
    numbers) under their prefix."""
    if len(new_prefix) == 0:
        return np.zeros(0, dtype=np.int64)
    # Only the new numbers' prefixes matter: the few thousand issued under them, not the millions of `base`.
    base_prefix = base // 10**4
    keep = np.isin(base_prefix, np.unique(new_prefix))
    base_prefix, base_serial = base_prefix[keep], base[keep] % 10**4
    first = ranked_serials(new_prefix, np.ones(len(new_prefix), dtype=np.int64))
    if not len(base_prefix):
        return first
    order = np.argsort(base_prefix, kind="stable")
    bp = base_prefix[order]
    starts = np.flatnonzero(np.r_[True, bp[1:] != bp[:-1]])
    uniq = bp[starts]
    gmax = np.maximum.reduceat(base_serial[order], starts) if len(bp) else np.zeros(0, dtype=np.int64)
    pos = np.searchsorted(uniq, new_prefix)
    hit = (pos < len(uniq)) & (uniq[np.minimum(pos, len(uniq) - 1)] == new_prefix)
    top = np.where(hit, gmax[np.minimum(pos, len(uniq) - 1)], 0)
    return top + first


# Codes kept in a byte or two instead of eight (every value fits: 10 roles, 9 name styles, 7,285 kecamatan,
# serial steps below 30).
_STORED_TYPES = {"p_role": np.int8, "p_style": np.int8, "hh_group": np.int8, "p_area": np.int16,
                 "p_serial_gap": np.int8, "hh_kk_gap": np.int8}
# Room for the estimated blocks and this much more, so that a short estimate rarely has to grow.
_ROOM = 1.05
_PREFIX_ROWS = 1_000_000


class _Joined:
    """Block after block appended into arrays sized from an estimate (grown when it falls short)."""

    def __init__(self, blocks_expected: int) -> None:
        self.expected = blocks_expected
        self.arrays: dict[str, np.ndarray] = {}
        self.sizes: dict[str, int] = {}

    def append(self, key: str, part: np.ndarray) -> None:
        part = part.astype(_STORED_TYPES.get(key, part.dtype), copy=False)
        size = self.sizes.get(key, 0)
        array = self.arrays.get(key)
        if array is None or size + len(part) > len(array):
            room = max(size + len(part), int(len(part) * self.expected * _ROOM) + 1, int(size * 1.25))
            grown = np.empty((room, *part.shape[1:]), dtype=part.dtype)
            if array is not None:
                grown[:size] = array[:size]
            self.arrays[key] = array = grown
        array[size:size + len(part)] = part
        self.sizes[key] = size + len(part)

    def __getitem__(self, key: str) -> np.ndarray:
        return self.arrays[key][: self.sizes[key]]


def build_universe(
    seed: int, listed_people: int, unlisted_needed: int, cfg: SynthConfig, reference: int
) -> Universe:
    """Households and people until `listed_people` are listed and `unlisted_needed` others exist."""
    # Ages count back from the day number `reference`. Listing stops at exactly `listed_people`: people
    # after the last one needed lose their list memberships. Each block goes into arrays made for all of
    # them as it comes: a list of blocks joined at the end held the universe twice, in scattered pieces.
    geo = geography()
    joined: _Joined | None = None
    listed = total = households = blocks = 0
    while listed < listed_people or total - min(listed, listed_people) < unlisted_needed:
        b = _household_block(seed, blocks, cfg, geo, reference)
        b_listed, b_total = int(b["p_in"].any(axis=1).sum()), len(b["p_hh"])
        if joined is None:
            # Blocks are alike: the first tells how many the quarter needs.
            joined = _Joined(max(math.ceil(listed_people / max(b_listed, 1)),
                                 math.ceil((listed_people + unlisted_needed) / b_total), 1))
        b["p_hh"] += households
        b["hh_start"] += total
        for key in ("p_mother", "p_pair"):
            b[key] = np.where(b[key] >= 0, b[key] + total, -1)
        for key, part in b.items():
            joined.append(key, part)
        listed, total, households, blocks = listed + b_listed, total + b_total, households + len(b["hh_kel"]), blocks + 1
        del b
    data = {key: joined[key] for key in joined.arrays}
    del joined

    p_in = data["p_in"]
    cum = np.cumsum(p_in.any(axis=1))
    p_in[cum > listed_people] = False
    del cum

    data["p_nik"] = _numbers(lambda a, b: nik_prefix(geo.nat_kec_code[data["p_area"][a:b]], data["p_dob"][a:b],
                                                      data["p_female"][a:b]),
                             len(data["p_hh"]), data.pop("p_serial_gap"))
    data["hh_kk"] = _numbers(lambda a, b: kk_prefix(geo.kec_code[geo.kel_kec[data["hh_kel"][a:b]]],
                                                     data["hh_kk_date"][a:b]),
                             len(data["hh_kel"]), data.pop("hh_kk_gap"))
    return Universe(**{f.name: data[f.name] for f in fields(Universe)})


def _numbers(prefix_of: Callable[[int, int], np.ndarray], n: int, gap: np.ndarray) -> np.ndarray:
    """16-digit numbers: 12-digit prefixes (made a million at a time) and serials ranked within each prefix."""
    prefix = np.empty(n, dtype=np.int64)
    for a in range(0, n, _PREFIX_ROWS):
        prefix[a:a + _PREFIX_ROWS] = prefix_of(a, min(a + _PREFIX_ROWS, n))
    serial = ranked_serials(prefix, gap.astype(np.int64))
    prefix *= 10**4
    prefix += serial
    return prefix


def separate_kk_from_nik(kk: np.ndarray, nik: np.ndarray) -> np.ndarray:
    """Bump KK serials that equal a NIK or an earlier KK, so that no number is both a NIK and a KK."""
    # Rounds of +1 on every KK that equals a NIK or a KK of a lower index, until none does. After a round only
    # the prefixes a bumped KK landed in can hold a clash, so each round looks at those alone: at 7M people
    # dozens of rounds over every KK took minutes; the result is the same.
    kk = kk.copy()
    nik_sorted = np.sort(nik)
    subset = np.arange(len(kk))
    while len(subset):
        values = kk[subset]
        order = np.argsort(values, kind="stable")  # equal values in index order: the first one stays
        ordered = values[order]
        pos = np.searchsorted(nik_sorted, ordered).clip(0, len(nik_sorted) - 1)
        bump = nik_sorted[pos] == ordered
        bump[1:] |= ordered[1:] == ordered[:-1]
        bumped = subset[order[bump]]
        if not len(bumped):
            break
        kk[bumped] += 1
        subset = np.flatnonzero(np.isin(kk // 10**4, np.unique(kk[bumped] // 10**4)))
    return kk
