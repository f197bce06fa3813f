"""This quarter's events: who died, moved, lost their NIK or lives outside Jakarta, plus the planted cases.

Everything here draws from generators seeded by (seed, quarter, stream), so the population stays the same
from quarter to quarter while the events differ.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from . import names, population, texts
from .config import STATUSES, SynthConfig
from .corruptions import NIK_INVALID_KINDS, PERSON_NIK_WEIGHTS, invalid_nik
from .dates import Quarter
from .regions import VILLAGE_NAMES, geography, strip_kabkota_prefix
from .texts import Coded, Texts

_STREAM_QUARTER = 0x51
STATUS_NAMES = ("resident",) + STATUSES
RESIDENT, DECEASED, MOVED_OUT, NIK_DEACTIVATED, MOVED_WITHIN, OUTSIDE = range(len(STATUS_NAMES))
PLANTED_NAMES = ("", "invalid_nik", "namesake_of_deceased")
NO_PLANT, INVALID_NIK, NAMESAKE = range(len(PLANTED_NAMES))
NO_DATE = np.iinfo(np.int32).min  # day numbers are negative before 1970, so no small sentinel

# Programmes (DTKS `bansos`) in the contract's order.
PROGRAMMES = ("KJP Plus", "KJMU", "KAJ", "KLJ", "KPDJ", "PKH", "BPNT", "Bantuan Pangan", "PKH Lokal")


@dataclass
class World:
    """Everyone who appears in this quarter's files, with their households and events."""

    quarter: Quarter
    extract: int  # day number on which the registries were pulled (after the quarter's last day)
    # Households: the generated ones, then one per added person. Columns of strings are Texts, to bound memory.
    hh_id: Texts
    hh_kel: np.ndarray
    hh_rt: np.ndarray
    hh_rw: np.ndarray
    hh_addr_kind: np.ndarray
    hh_addr_u: np.ndarray
    hh_desil: np.ndarray
    hh_kk: Texts  # 16-digit text
    hh_out_kec: np.ndarray  # national kecamatan index of an address outside Jakarta, or -1
    hh_out_village: np.ndarray
    # Persons.
    person_id: Texts
    hh: np.ndarray
    female: np.ndarray
    dob: np.ndarray
    role: np.ndarray
    name: Texts
    nik: Texts  # the NIK as the person's documents carry it (invalid for invalid_nik)
    nik_number: np.ndarray  # int64: the valid 16-digit NIK behind it
    nik_valid: np.ndarray
    birthplace: Coded
    mother_name: Texts
    in_src: np.ndarray  # (n, 3) DTKS, P3KE, CARIK
    listed: np.ndarray
    status: np.ndarray
    status_date: np.ndarray
    planted: np.ndarray
    namesake_of: Texts  # person_id of the dead namesake, null for everyone else
    nik_kind: np.ndarray  # index into NIK_INVALID_KINDS for invalid_nik people, else -1
    pair_kind: np.ndarray  # population.PAIR_* code: twin or same-birthday parent/child of `pair_of`
    pair_of: Texts  # person_id of the other one of the pair (null when not in the files)
    # Where the people who moved within Jakarta live now (everyone else lives at the household's address):
    # their indices, in order, and kelurahan, RT, RW, address kind and address draws.
    moved: np.ndarray
    moved_to: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    # Pindah registry fields.
    klasifikasi: Coded
    dest_code: Texts
    programmes: Coded

    def age(self, person: np.ndarray) -> np.ndarray:
        """Age in years at the quarter's first day."""
        return (self.quarter.start - self.dob[person]) / 365.2425

    def current(self, person: np.ndarray) -> tuple[np.ndarray, ...]:
        """Kelurahan, RT, RW, address kind and address draws (n, 3) of where each person lives now."""
        hh = self.hh[person]
        now = [self.hh_kel[hh], self.hh_rt[hh], self.hh_rw[hh], self.hh_addr_kind[hh], self.hh_addr_u[hh]]
        at = np.searchsorted(self.moved, person).clip(0, max(len(self.moved) - 1, 0))
        hit = (self.moved[at] == person) if len(self.moved) else np.zeros(len(person), dtype=bool)
        for values, new in zip(now, self.moved_to, strict=True):
            values[hit] = new[at[hit]]
        return tuple(now)

    @functools.cached_property
    def valid_niks(self) -> tuple[np.ndarray, np.ndarray]:
        """People with a valid NIK ordered by it, and those NIKs: to find whose NIK a cell holds."""
        valid = np.flatnonzero(self.nik_valid)
        order = np.argsort(self.nik_number[valid])
        return valid[order].astype(np.int32), self.nik_number[valid][order]

    @functools.cached_property
    def members(self) -> tuple[np.ndarray | None, np.ndarray]:
        """People ordered by household (stable; None when they are in household order), and their households."""
        # The world lists people household after household (generation order, the added dead last), so the
        # order is normally the identity: then nothing but a reference to hh is kept.
        if (np.diff(self.hh) >= 0).all():
            return None, self.hh
        order = np.argsort(self.hh, kind="stable")
        return order, self.hh[order]

    def kode_kelurahan(self, person: np.ndarray) -> np.ndarray:
        """Kemendagri code of where each person lives now, None outside Jakarta."""
        geo = geography()
        out = np.array([str(c) for c in geo.kel_code], dtype=object)[self.current(person)[0]]
        status = self.status[person]
        out[(status == OUTSIDE) | (status == MOVED_OUT)] = None
        return out


def _weighted_sample(
    rng: np.random.Generator, candidates: np.ndarray, weights: np.ndarray | None, k: int, what: str
) -> np.ndarray:
    """k candidates without replacement, with probability rising with the weight (Efraimidis-Spirakis)."""
    if k > len(candidates):
        raise ValueError(
            f"cannot plant {k} {what}: only {len(candidates)} people are eligible; "
            "raise people or lower the rate"
        )
    u = rng.random(len(candidates))
    keys = np.log(u) / (np.ones(len(candidates)) if weights is None else weights)
    top = np.argpartition(-keys, k - 1)[:k] if k else np.zeros(0, dtype=np.int64)
    return np.sort(candidates[top])


def _fill_households(rng: np.random.Generator, listed_per_hh: np.ndarray, k: int) -> np.ndarray:
    """Whole households whose listed members add up to exactly k people."""
    chosen = []
    remaining = k
    for h in rng.permutation(np.flatnonzero(listed_per_hh > 0)).tolist():
        if remaining == 0:
            break
        size = int(listed_per_hh[h])
        if size <= remaining:
            chosen.append(h)
            remaining -= size
    if remaining:
        raise ValueError(f"cannot plant {k} outside_dki people in whole households; raise people")
    return np.sort(np.array(chosen, dtype=np.int64))


def extract_date(rng: np.random.Generator, q: Quarter, cfg: SynthConfig) -> int:
    """Day the registries are pulled: a day between extract_day_min and extract_day_max of the next month."""
    return q.end + int(rng.integers(cfg.extract_day_min, cfg.extract_day_max + 1))


def _event_dates(
    rng: np.random.Generator, dob: np.ndarray, q: Quarter, extract: int, cfg: SynthConfig
) -> np.ndarray:
    """Registry event dates: inside the quarter, after it up to the extract date, or in the look-back window."""
    n = len(dob)
    u = rng.random(n)
    inside = u < cfg.event_in_quarter_share
    after = ~inside & (u < cfg.event_in_quarter_share + cfg.event_after_quarter_share)
    if n and not inside.any():
        inside[0], after[0] = True, False
    v = rng.random(n)
    days = np.select(
        [inside, after],
        [q.start + np.floor(v * (q.end - q.start + 1)), q.end + 1 + np.floor(v * (extract - q.end))],
        q.start - 1 - np.floor(v * cfg.event_lookback_days),
    ).astype(np.int64)
    return np.clip(days, dob + 1, extract)


def registry_noise_counts(cfg: SynthConfig, people: int) -> dict[str, int]:
    """Number of unlisted people per registry event kind."""
    counts = cfg.planted_counts(people)
    return {
        s: int(np.floor(cfg.registry_noise_multiplier * counts[s] + 0.5))
        for s in ("deceased", "moved_out", "nik_deactivated", "moved_within_dki")
    }


def _choose_events(
    U: population.Universe,
    cfg: SynthConfig,
    people: int,
    age: np.ndarray,
    stream: Callable[[int], np.random.Generator],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Status (-1 if not mentioned) and planted flag per generated person, and households outside DKI."""
    counts = cfg.planted_counts(people)
    listed = U.listed
    status = np.full(len(U.p_hh), -1, dtype=np.int8)
    planted = np.zeros(len(U.p_hh), dtype=np.int8)

    listed_per_hh = np.bincount(U.p_hh, weights=listed, minlength=len(U.hh_kel)).astype(np.int64)
    out_hh = np.zeros(len(U.hh_kel), dtype=bool)
    out_hh[_fill_households(stream(1), listed_per_hh, counts["outside_dki"])] = True
    status[listed & out_hh[U.p_hh]] = OUTSIDE

    # Death rises steeply with age (Gompertz-like); moving out peaks among working-age adults.
    old = np.exp(np.clip(age, 0, 100) / 12.0)
    working_age = np.where((age >= 18) & (age <= 50), 3.0, 1.0)
    in_dtks_or_p3ke = U.p_in[:, 0] | U.p_in[:, 1]
    rng = stream(2)
    for code, eligible, weights in (
        (DECEASED, in_dtks_or_p3ke, old),
        (MOVED_OUT, True, working_age),
        (NIK_DEACTIVATED, True, None),
        (MOVED_WITHIN, True, None),
    ):
        idx = np.flatnonzero(listed & (status == -1) & eligible)
        name = STATUS_NAMES[code]
        status[_weighted_sample(rng, idx, None if weights is None else weights[idx], counts[name], name)] = (
            code
        )
    status[listed & (status == -1)] = RESIDENT
    residents = np.flatnonzero(status == RESIDENT)
    planted[_weighted_sample(rng, residents, None, counts["invalid_nik"], "invalid_nik")] = INVALID_NIK
    planted[
        _weighted_sample(
            rng,
            np.flatnonzero((status == RESIDENT) & (planted == NO_PLANT)),
            None,
            counts["namesake_of_deceased"],
            "namesake_of_deceased",
        )
    ] = NAMESAKE

    # Registry records of people in no list.
    noise = registry_noise_counts(cfg, people)
    rng = stream(3)
    pool = ~listed & ~out_hh[U.p_hh]
    for code, weights in (
        (DECEASED, old),
        (MOVED_OUT, working_age),
        (NIK_DEACTIVATED, None),
        (MOVED_WITHIN, None),
    ):
        idx = np.flatnonzero(pool & (status == -1))
        name = STATUS_NAMES[code]
        status[
            _weighted_sample(
                rng, idx, None if weights is None else weights[idx], noise[name], f"unlisted {name}"
            )
        ] = code
    return status, planted, out_hh


def _twin_listed_dead(p: dict[str, np.ndarray], listed_dead: np.ndarray, namesakes: np.ndarray) -> np.ndarray:
    """Pair namesakes with listed dead of their sex and age, who take their name and birth date."""
    taken = np.zeros(len(listed_dead), dtype=bool)
    twins = np.zeros(len(namesakes), dtype=np.int64)
    for j, ns in enumerate(namesakes.tolist()):
        cand = np.flatnonzero(~taken & (p["female"][listed_dead] == p["female"][ns]))
        if not len(cand):
            raise ValueError(
                "not enough listed deceased people to pair with namesakes; lower namesake_listed_dead_share"
            )
        best = cand[np.argmin(np.abs(p["dob"][listed_dead[cand]] - p["dob"][ns]))]
        taken[best] = True
        twins[j] = listed_dead[best]
    for key in ("dob", "name_src"):
        p[key][twins] = p[key][namesakes]
    return twins


def _add_dead_namesakes(
    rng: np.random.Generator, p: dict[str, np.ndarray], namesakes: np.ndarray, first_hh: int
) -> np.ndarray:
    """Append an unlisted dead twin per namesake (own NIK and household); return their kelurahan."""
    geo = geography()
    k = len(namesakes)
    kec_w = np.bincount(geo.kel_kec, weights=geo.kel_weight, minlength=len(geo.kec_code))
    dki_area = geo.dki_kec_in_nat[rng.choice(len(geo.kec_code), k, p=kec_w / kec_w.sum())]
    migrant_area = rng.choice(len(geo.nat_kec_code), k, p=geo.migrant_weight)
    area = np.where(rng.random(k) < 0.5, dki_area, migrant_area)
    for key in ("female", "dob", "name_src"):
        p[key] = np.r_[p[key], p[key][namesakes]]
    p["area"] = np.r_[p["area"], area]
    p["hh"] = np.r_[p["hh"], first_hh + np.arange(k)]
    return rng.choice(len(geo.kel_code), k, p=geo.kel_weight)


def plant(cfg: SynthConfig, q: Quarter, seed: int, people: int, reference: int) -> World:
    """Generate the population, choose this quarter's events and planted cases, and gather everyone the files will mention."""  # noqa: E501
    geo = geography()
    # Built here, not by the caller: the universe is dropped as soon as the world has drawn on it.
    noise = registry_noise_counts(cfg, people)
    U = population.build_universe(seed, people, int(1.2 * sum(noise.values())) + 1000, cfg, reference)

    def stream(k: int) -> np.random.Generator:
        return np.random.default_rng([seed, _STREAM_QUARTER, q.year, q.number, k])

    status_u, planted_u, out_hh = _choose_events(U, cfg, people, (q.start - U.p_dob) / 365.2425, stream)

    # Everyone mentioned, in generation order; dead namesakes outside the lists are appended below.
    sel = np.flatnonzero(status_u >= 0)
    pos = np.full(len(U.p_hh), -1, dtype=np.int64)
    pos[sel] = np.arange(len(sel))
    p = {
        "female": U.p_female[sel],
        "dob": U.p_dob[sel],
        "area": U.p_area[sel],
        # Whose name draws (style, family style, uniforms) each one's name is made of: their own, or a namesake's.
        "name_src": sel.copy(),
        "hh": U.p_hh[sel],
    }
    role_sel, birth_u, in_sel, listed_sel = U.p_role[sel], U.p_u[sel], U.p_in[sel], U.listed[sel]
    households = {key: getattr(U, key) for key in ("hh_kel", "hh_rt", "hh_rw", "hh_addr_kind", "hh_addr_u",
                                                    "hh_desil")}
    # The universe is most of a large quarter's memory: each of its arrays goes once its last use is past.
    _drop(U, "p_dob", "p_area", "p_role", "p_u", "p_in", "hh_start", "hh_size", "hh_kk_date", *households)
    rng = stream(4)
    namesakes = pos[np.flatnonzero(planted_u == NAMESAKE)]
    order = rng.permutation(len(namesakes))
    n_pair = int(np.floor(cfg.namesake_listed_dead_share * len(namesakes) + 0.5))
    paired, unpaired = np.sort(namesakes[order[:n_pair]]), np.sort(namesakes[order[n_pair:]])
    twins = _twin_listed_dead(p, np.flatnonzero((status_u[sel] == DECEASED) & listed_sel), paired)
    n_h, k = len(households["hh_kel"]), len(unpaired)
    new_kel = _add_dead_namesakes(stream(5), p, unpaired, n_h)
    n = len(sel) + k
    added = np.arange(len(sel), n)
    status = np.r_[status_u[sel], np.full(k, DECEASED, dtype=np.int8)]
    planted = np.r_[planted_u[sel], np.zeros(k, dtype=np.int8)]
    ids = functools.partial(_person_ids, sel, q.label)
    namesake_of = np.full(n, None, dtype=object)
    namesake_of[paired] = ids(twins)
    namesake_of[unpaired] = ids(added)
    namesake_of = Texts(pa.array(namesake_of, pa.string()))
    female, dob, hh = p["female"], p["dob"], p["hh"]

    # NIKs of people whose birth date changed, and of the added people, continue their prefix's serials.
    nik = np.r_[U.p_nik[sel], np.zeros(k, dtype=np.int64)]
    changed = np.r_[twins, added]
    new_prefix = population.nik_prefix(geo.nat_kec_code[p["area"][changed]], dob[changed], female[changed])
    nik[changed] = new_prefix * 10**4 + population.appended_serials(U.p_nik, new_prefix)
    rng = stream(7)
    kk_date = q.start - 30 - np.floor(rng.random(k) * 3650).astype(np.int64)
    kk_pre = population.kk_prefix(geo.kec_code[geo.kel_kec[new_kel]], kk_date)
    kk_new = kk_pre * 10**4 + population.appended_serials(U.hh_kk, kk_pre)
    kk = population.separate_kk_from_nik(np.r_[U.hh_kk, kk_new], np.r_[U.p_nik, nik[changed]])
    _drop(U, "p_nik", "hh_kk")

    pair_kind, pair_of, renamed = _pairs(U, sel, pos, ids, changed, k)
    # A renamed twin who is also a namesake keeps sharing the name with their dead namesake.
    names_now = dict(renamed)
    copied_from = np.r_[paired, unpaired]
    composed = dict(zip(copied_from.tolist(), _compose_names(U, p["name_src"], female, copied_from).tolist()))
    for to, frm in zip(np.r_[twins, added].tolist(), copied_from.tolist(), strict=True):
        names_now[to] = renamed[frm] if frm in renamed else composed[frm]
    names_all = texts.built(n, functools.partial(_names_with, U, p["name_src"], female, names_now))
    mother_name = _mother_names(U, sel, pos, names_all, unpaired)
    # Everyone generated has been drawn on; only the people in the files go on.
    del U, pos, p["name_src"]
    person_id = Texts(pa.concat_arrays([
        texts.zero_padded("P", sel, 9), pa.array([f"X{q.label}-{i + 1:06d}" for i in range(k)], pa.string())]))
    role = np.r_[role_sel, np.full(k, population.HEAD, dtype=role_sel.dtype)]
    in_src = np.r_[in_sel, np.zeros((k, 3), dtype=bool)]
    del role_sel, in_sel
    hh_kel = np.r_[households["hh_kel"], new_kel]
    base_rt, base_rw, base_kind, base_addr_u, base_desil = (
        households[key] for key in ("hh_rt", "hh_rw", "hh_addr_kind", "hh_addr_u", "hh_desil"))
    del households
    age = (q.start - dob) / 365.2425
    status_date = np.full(n, NO_DATE, dtype=np.int64)
    evented = np.isin(status, (DECEASED, MOVED_OUT, NIK_DEACTIVATED, MOVED_WITHIN))
    extract = extract_date(stream(11), q, cfg)
    status_date[evented] = _event_dates(stream(6), dob[evented], q, extract, cfg)

    # People without a valid NIK carry one invalid form of it on every document.
    invalid = planted == INVALID_NIK
    nik_kind = np.full(n, -1, dtype=np.int8)
    nik_kind[invalid] = rng.choice(
        len(NIK_INVALID_KINDS), int(invalid.sum()), p=PERSON_NIK_WEIGHTS / PERSON_NIK_WEIGHTS.sum()
    )
    u_invalid = rng.random(n)
    written = np.flatnonzero(invalid)
    nik_text = Texts(texts.replaced(texts.zero_padded("", nik, 16), written, [
        invalid_nik(f"{nik[i]:016d}", NIK_INVALID_KINDS[nik_kind[i]], u_invalid[i]) for i in written.tolist()]))

    hh_n = n_h + k
    hh_out_kec = np.full(hh_n, -1, dtype=np.int64)
    hh_out_kec[:n_h][out_hh] = rng.choice(len(geo.nat_kec_code), int(out_hh.sum()), p=geo.outside_weight)
    hh_rt = np.r_[base_rt, rng.integers(1, 21, k)]
    hh_rw = np.r_[base_rw, rng.integers(1, 16, k)]
    hh_kind = np.r_[base_kind, rng.integers(0, len(population.ADDRESS_KINDS), k)]
    hh_addr_u = np.r_[base_addr_u, rng.random((k, 3)).astype(np.float32)]
    desil = np.r_[base_desil, rng.integers(1, 11, k).astype(np.int8)]
    del base_rt, base_rw, base_kind, base_addr_u, base_desil
    moved = np.flatnonzero(status == MOVED_WITHIN)
    h = hh[moved]
    moved_to = _moves(stream(8), hh_kel[h], hh_rt[h], hh_rw[h], hh_kind[h], hh_addr_u[h])
    klas, dest = _pindah_fields(stream(9), status, hh_kel[hh], moved, moved_to[0])
    return World(
        quarter=q,
        extract=extract,
        hh_id=Texts(pa.concat_arrays([
            texts.zero_padded("H", np.arange(n_h), 8),
            pa.array([f"HX{q.label}-{i + 1:06d}" for i in range(k)], pa.string())])),
        hh_kel=hh_kel,
        hh_rt=hh_rt,
        hh_rw=hh_rw,
        hh_addr_kind=hh_kind,
        hh_addr_u=hh_addr_u,
        hh_desil=desil,
        hh_kk=Texts(texts.zero_padded("", kk, 16)),
        hh_out_kec=hh_out_kec,
        hh_out_village=rng.integers(0, len(VILLAGE_NAMES), hh_n),
        person_id=person_id,
        hh=hh,
        female=female,
        dob=dob,
        role=role,
        name=names_all,
        nik=nik_text,
        nik_number=nik,
        nik_valid=~invalid,
        birthplace=_birthplaces(p["area"], np.r_[birth_u, rng.random(k).astype(np.float32)]),
        mother_name=mother_name,
        in_src=in_src,
        listed=in_src.any(axis=1),
        status=status,
        status_date=status_date,
        planted=planted,
        namesake_of=namesake_of,
        nik_kind=nik_kind,
        pair_kind=pair_kind,
        pair_of=Texts(pa.array(pair_of, pa.string())),
        moved=moved,
        moved_to=moved_to,
        klasifikasi=klas,
        dest_code=dest,
        programmes=_programmes(stream(10), age, desil[hh], hh, in_src[:, 0]),
    )


def _compose_names(U: population.Universe, name_src: np.ndarray, female: np.ndarray, people: np.ndarray) -> np.ndarray:
    """Names of the given people, each from the name draws of the generated person `name_src` points to."""
    src = name_src[people]
    return names.compose_names(U.p_style[src], U.hh_group[U.p_hh[src]], female[people], U.p_name_u[src])


def _names_with(U: population.Universe, name_src: np.ndarray, female: np.ndarray, given: dict[int, str],
                a: int, b: int) -> np.ndarray:
    """Names of people a to b: composed, or the name `given` to them."""
    out = _compose_names(U, name_src, female, np.arange(a, b))
    for i, name in given.items():
        if a <= i < b:
            out[i - a] = name
    return out


def _drop(U: population.Universe, *names: str) -> None:
    """Let go of universe arrays no step needs any more."""
    for name in names:
        delattr(U, name)


def _person_ids(sel: np.ndarray, label: str, index: np.ndarray) -> np.ndarray:
    """person_id of people of the world by index: P + generation index, X<quarter>-n for the added dead."""
    out = np.empty(len(index), dtype=object)
    for j, i in enumerate(np.asarray(index).tolist()):
        out[j] = f"P{sel[i]:09d}" if i < len(sel) else f"X{label}-{i - len(sel) + 1:06d}"
    return out


def _pairs(
    U: population.Universe,
    sel: np.ndarray,
    pos: np.ndarray,
    ids: Callable[[np.ndarray], np.ndarray],
    changed: np.ndarray,
    k: int,
) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """Pair kind and partner per person, and the new names of younger twins named after the elder."""
    partner_u = U.p_pair[sel]
    kind = U.p_pair_kind[sel].copy()
    partner = np.where(partner_u >= 0, pos[np.maximum(partner_u, 0)], -1)
    # A namesake pairing moved a birth date: that pair no longer shares it, so it is no pair any more.
    broken = np.zeros(len(sel), dtype=bool)
    ch = changed[changed < len(sel)]
    broken[ch] = True
    broken |= (partner >= 0) & broken[np.maximum(partner, 0)]
    twin_b = np.flatnonzero((kind == population.PAIR_TWIN) & (partner_u < sel) & ~broken)
    a = partner_u[twin_b]
    elder = names.compose_names(U.p_style[a], U.hh_group[U.p_hh[a]], U.p_female[a], U.p_name_u[a])
    u = U.p_pair_u[sel[twin_b]]
    renamed = {}
    for j, i in enumerate(twin_b.tolist()):
        if u[j] >= 0.15:  # the rest were given unrelated names
            renamed[i] = names.twin_name(elder[j], float(u[j]) / 0.85 - 0.15 / 0.85)
    # Only pairs whose both people are in the files are marked.
    kind[broken | (partner < 0)] = population.PAIR_NONE
    of = np.full(len(sel) + k, None, dtype=object)
    has = kind != population.PAIR_NONE
    of[: len(sel)][has] = ids(partner[has])
    return np.r_[kind, np.zeros(k, dtype=np.int8)], of, renamed


def _mother_names(
    U: population.Universe, sel: np.ndarray, pos: np.ndarray, names_all: Texts, added_ns: np.ndarray
) -> Texts:
    """Mother's name: the mother in the household when there is one, else a name of the person's group."""
    src_all = np.r_[sel, sel[added_ns]]

    def make(a: int, b: int) -> np.ndarray:
        src = src_all[a:b]
        mother = U.p_mother[src]
        out = np.empty(len(src), dtype=object)
        in_world = (mother >= 0) & (pos[np.maximum(mother, 0)] >= 0)
        out[in_world] = names_all[pos[mother[in_world]]]
        outside_world = (mother >= 0) & ~in_world
        m = mother[outside_world]
        out[outside_world] = names.compose_names(
            U.p_style[m], U.hh_group[U.p_hh[m]], U.p_female[m], U.p_name_u[m]
        )
        none = mother < 0
        s = src[none]
        group = U.hh_group[U.p_hh[s]]
        out[none] = names.compose_names(group, group, np.ones(len(s), dtype=bool), U.p_mother_u[s])
        return out

    return texts.built(len(src_all), make)


def _birthplaces(area: np.ndarray, u: np.ndarray) -> Coded:
    """Place of birth: the kab/kota where the NIK was issued; Jakarta-born people mostly just "JAKARTA"."""
    geo = geography()
    kab_names = dict(zip(geo.nat_kab_code.tolist()[::-1], geo.nat_kab_name.tolist()[::-1], strict=True))
    kab = geo.nat_kab_code[area]
    uniq, inv = np.unique(kab, return_inverse=True)
    table = [strip_kabkota_prefix(kab_names[c]) for c in uniq.tolist()] + ["JAKARTA"]
    codes = inv.reshape(-1).astype(np.int16)
    codes[(kab // 100 == 31) & (u < 0.7)] = len(table) - 1
    return Coded(codes, table)


def _moves(
    rng: np.random.Generator,
    kel: np.ndarray,
    rt: np.ndarray,
    rw: np.ndarray,
    kind: np.ndarray,
    u: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """New kelurahan and street of the people who moved within Jakarta, from their household's address."""
    geo = geography()
    new = rng.choice(len(geo.kel_code), len(kel), p=geo.kel_weight)
    kel = np.where(new == kel, (new + 1) % len(geo.kel_code), new)
    rt = rng.integers(1, 21, len(kel)).astype(rt.dtype)
    rw = rng.integers(1, 16, len(kel)).astype(rw.dtype)
    kind = rng.integers(0, len(population.ADDRESS_KINDS), len(kel)).astype(kind.dtype)
    u = rng.random((len(kel), 3)).astype(np.float32)
    return kel, rt, rw, kind, u


def _pindah_fields(
    rng: np.random.Generator, status: np.ndarray, old_kel: np.ndarray, within: np.ndarray, new_kel: np.ndarray
) -> tuple[Coded, Texts]:
    """KLASIFIKASI_PINDAH and KODE_WILAYAH_TUJUAN per person (empty unless the person moved).

    `within` are the people who moved within Jakarta and `new_kel` their new kelurahan."""
    geo = geography()
    n = len(status)
    klas = np.zeros(n, dtype=np.int8)  # codes into _KLASIFIKASI
    dest = np.full(n, "", dtype=object)
    same_kec = geo.kel_kec[old_kel[within]] == geo.kel_kec[new_kel]
    same_kab = geo.kec_kab[geo.kel_kec[old_kel[within]]] == geo.kec_kab[geo.kel_kec[new_kel]]
    klas[within] = np.where(same_kec, 2, np.where(same_kab, 3, 4))
    dest[within] = np.array([str(c) for c in geo.kel_code], dtype=object)[new_kel]
    out = np.flatnonzero(status == MOVED_OUT)
    kec = rng.choice(len(geo.nat_kec_code), len(out), p=geo.outside_weight)
    form = rng.random(len(out))
    suffix = np.where(rng.random(len(out)) < 0.7, 2001, 1001) + rng.integers(0, 15, len(out))
    code10 = geo.nat_kec_code[kec] * 10**4 + suffix
    codes = np.where(form < 0.6, code10, np.where(form < 0.85, geo.nat_kec_code[kec], geo.nat_kab_code[kec]))
    dest[out] = np.array([str(c) for c in codes.tolist()], dtype=object)
    # Leaving Jakarta crosses a province border, but Dukcapil clerks sometimes record it as 4.
    klas[out] = np.where(rng.random(len(out)) < 0.85, 5, 4)
    return Coded(klas, _KLASIFIKASI), Texts(pa.array(dest, pa.string()))


_KLASIFIKASI = ("", "1", "2", "3", "4", "5")


_PROGRAMME_ROWS = 1_000_000
# Per-person uniforms of the age-bound cards and KPDJ: what each must fall below.
_CARD_SHARES = np.array([0.8, 0.3, 0.6, 0.7, 0.02])


def _programmes(
    rng: np.random.Generator, age: np.ndarray, desil: np.ndarray, hh: np.ndarray, in_dtks: np.ndarray
) -> Coded:
    """DTKS `bansos` per person: Jakarta cards by age, national family programmes by household poverty."""
    n = len(age)
    # Five uniforms a person, then four a household, drawn in that order; a million people at a time, each
    # kept only as whether it falls below its share (a person's row of (n, 5) draws is the same either way).
    card = np.empty((n, 5), dtype=bool)
    for a in range(0, n, _PROGRAMME_ROWS):
        b = min(a + _PROGRAMME_ROWS, n)
        card[a:b] = rng.random((b - a, 5)) < _CARD_SHARES
    hh_draws = rng.random((int(hh.max()) + 1 if n else 0, 4))
    code = np.zeros(n, dtype=np.uint16)
    for a in range(0, n, _PROGRAMME_ROWS):
        rows = slice(a, min(a + _PROGRAMME_ROWS, n))
        u, hh_u, d, years = card[rows], hh_draws[hh[rows]], desil[rows], age[rows]
        poor = d <= 4
        bits = (
            np.stack(
                [
                    poor & (years >= 6) & (years < 19) & u[:, 0],  # KJP Plus
                    poor & (years >= 18) & (years < 25) & u[:, 1],  # KJMU
                    poor & (years < 7) & u[:, 2],  # KAJ
                    poor & (years >= 60) & u[:, 3],  # KLJ
                    u[:, 4],  # KPDJ
                    (d <= 2) & (hh_u[:, 0] < 0.6),  # PKH
                    (d <= 3) & (hh_u[:, 1] < 0.5),  # BPNT
                    poor & (hh_u[:, 2] < 0.3),  # Bantuan Pangan
                    (d <= 2) & (hh_u[:, 3] < 0.15),  # PKH Lokal
                ],
                axis=1,
            )
            & in_dtks[rows, None]
        )
        code[rows] = (bits * (1 << np.arange(len(PROGRAMMES)))).sum(axis=1)
    table = [",".join(p for j, p in enumerate(PROGRAMMES) if c >> j & 1) for c in range(1 << len(PROGRAMMES))]
    return Coded(code, table)
