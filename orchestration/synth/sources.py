"""The rows of DTKS, P3KE and CARIK: who is listed where, how each source writes them, and row order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from . import addresses, field_values, identifiers, region_names
from . import corruptions as C
from .config import SynthConfig
from .contract import COLUMNS, LIST_SOURCES
from .dates import DMY_DASH, DMY_SLASH, ISO, excel_serial, format_dates
from .planting import MOVED_OUT, MOVED_WITHIN, OUTSIDE, World
from .population import HEAD, ROLES, to_days
from .regions import PROVINSI_DKI_FORMS, VILLAGE_NAMES, geography, kabkota_forms
from .region_names import PROVINSI_DKJ_FORMS

_STREAM_ROWS = 0x52
# Rows rendered at a time: a row's text costs about 1 KB, its draws and identity about 150 bytes.
CHUNK_ROWS = 100_000
_BORN_1975 = to_days(dt.date(1975, 1, 1))
EXCEL_DATE = 3  # date code of an Excel date cell (P3KE only), next to the text forms ISO, DMY_DASH, DMY_SLASH


@dataclass(frozen=True)
class HouseStyle:
    """How a source usually writes values: probabilities over the written forms."""

    name_case: tuple[float, float, float]  # upper, title, lower
    date_form: tuple[float, float, float, float]  # ISO, DD-MM-YYYY, DD/MM/YYYY, Excel date cell
    sex_form: tuple[float, float, float]  # L/P, LAKI-LAKI, Laki-laki
    rt_form: tuple[float, float, float]  # 1, 01, 001
    provinsi_form: tuple[float, ...]  # over regions.PROVINSI_DKI_FORMS
    kabkota_form: tuple[float, ...]  # over regions.kabkota_forms(); 0 and 1 are canonical
    region_title_case: float
    address_style: tuple[float, ...]  # over addresses styles 0..4
    relation_title_case: float


HOUSE_STYLES = {
    # SIKS-NG exports: upper case, mostly padded RT/RW, dates typed in several forms.
    "dtks": HouseStyle(
        name_case=(0.9, 0.08, 0.02),
        date_form=(0.5, 0.35, 0.15, 0.0),
        sex_form=(0.2, 0.75, 0.05),
        rt_form=(0.3, 0.2, 0.5),
        provinsi_form=(0.5, 0.1, 0.1, 0.15, 0.05, 0.05, 0.05),
        kabkota_form=(0.1, 0.3, 0.35, 0.2, 0.0, 0.05),
        region_title_case=0.1,
        address_style=(0.6, 0.1, 0.0, 0.2, 0.1),
        relation_title_case=0.0,
    ),
    # A workbook: upper-case names, Excel date cells (text dates per SynthConfig.p3ke_text_date_rate).
    "p3ke": HouseStyle(
        name_case=(0.95, 0.05, 0.0),
        date_form=(0.4, 0.3, 0.3, 0.0),
        sex_form=(0.1, 0.1, 0.8),
        rt_form=(1.0, 0.0, 0.0),
        provinsi_form=(0.8, 0.0, 0.0, 0.1, 0.0, 0.05, 0.05),
        kabkota_form=(0.0, 0.2, 0.7, 0.1, 0.0, 0.0),
        region_title_case=0.0,
        address_style=(0.4, 0.0, 0.0, 0.2, 0.4),
        relation_title_case=1.0,
    ),
    # Typed by Dasawisma cadres in Excel: mixed case, DD/MM/YYYY, short city names.
    "carik": HouseStyle(
        name_case=(0.35, 0.6, 0.05),
        date_form=(0.15, 0.25, 0.6, 0.0),
        sex_form=(0.3, 0.2, 0.5),
        rt_form=(0.4, 0.4, 0.2),
        provinsi_form=(1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
        kabkota_form=(0.25, 0.05, 0.2, 0.3, 0.2, 0.0),
        region_title_case=0.5,
        address_style=(0.15, 0.5, 0.25, 0.1, 0.0),
        relation_title_case=0.5,
    ),
}
_DOB_KINDS = np.array([C.DOB_SWAP, C.DOB_DAY, C.DOB_YEAR, C.DOB_JAN1])
_DOB_KIND_P = np.array([0.3, 0.25, 0.25, 0.2])
_DASAWISMA = tuple(
    name.strip()
    for name in """Mawar, Melati, Anggrek, Dahlia, Kenanga, Cempaka, Teratai, Kamboja, Seroja, Bougenville,
    Kemuning, Flamboyan, Aster, Alamanda, Asoka, Nusa Indah, Sedap Malam, Kembang Sepatu, Lili, Tulip,
    Cendana, Delima, Srikaya, Matahari""".split(",")
)


@dataclass
class Rows:
    """One file's rows in file order (or a run of them): text columns, typed Excel cells, what lies behind each."""

    source: str
    person: np.ndarray
    is_duplicate: np.ndarray
    tags: np.ndarray  # uint64 bits of corruptions.TAGS per row
    columns: dict[str, np.ndarray]
    # P3KE cells written as numbers: column -> values, NaN where the cell is text.
    numbers: dict[str, np.ndarray] = field(default_factory=dict)
    # Person (world index) whose true NIK the row's NIK cell holds, -1 when nobody's in the files.
    nik_holder: np.ndarray | None = None


@dataclass
class Planned:
    """One list's rows in file order before they are written: who, and every draw that decides how."""

    source: str
    person: np.ndarray
    is_duplicate: np.ndarray
    plan: dict[str, np.ndarray | _Sparse]
    row_ids: dict[str, np.ndarray]  # integers, written as text per run of rows


class _Sparse:
    """A per-row uniform draw kept only for the rows that read it (values elsewhere read as 0).

    A large quarter's plan would otherwise keep 8 bytes a row for each of ten such draws, most never read."""

    def __init__(self, values: np.ndarray, read: np.ndarray) -> None:
        self.at = np.flatnonzero(read)
        self.values = values[self.at]
        self.n = len(values)

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, rows: slice) -> np.ndarray:
        a, b, _ = rows.indices(self.n)
        lo, hi = np.searchsorted(self.at, [a, b])
        out = np.zeros(b - a)
        out[self.at[lo:hi] - a] = self.values[lo:hi]
        return out

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The draws of the given rows, densely."""
        pos = np.searchsorted(self.at, rows).clip(0, max(len(self.at) - 1, 0))
        hit = (self.at[pos] == rows) if len(self.at) else np.zeros(len(rows), dtype=bool)
        return np.where(hit, self.values[pos] if len(self.at) else 0.0, 0.0)

    def appended(self, more: np.ndarray) -> _Sparse:
        """These rows, then `more` dense rows (all kept)."""
        out = _Sparse(np.zeros(0), np.zeros(0, dtype=bool))
        out.at = np.r_[self.at, self.n + np.arange(len(more))]
        out.values = np.r_[self.values, more]
        out.n = self.n + len(more)
        return out

    def permuted(self, order: np.ndarray) -> _Sparse:
        """The rows in the order `order` (new row i is old row order[i])."""
        new_at = np.empty(self.n, dtype=np.int64)
        new_at[order] = np.arange(self.n)
        new_at = new_at[self.at]
        ranked = np.argsort(new_at)
        out = _Sparse(np.zeros(0), np.zeros(0, dtype=bool))
        out.at, out.values, out.n = new_at[ranked], self.values[ranked], self.n
        return out


def _choice(rng: np.random.Generator, p: tuple[float, ...], n: int) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    # Form codes are small: one byte a row instead of eight, for the millions of rows of a large quarter.
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(n) * 0.999999).astype(np.int8)


def _codes(values: np.ndarray) -> np.ndarray:
    """Small integer draws kept in the smallest type that holds them exactly."""
    return values.astype(np.int8 if values.size == 0 or -128 <= values.min() and values.max() < 128 else np.int16)


def _plan(rng: np.random.Generator, source: str, W: World, person: np.ndarray, cfg: SynthConfig) -> dict:
    """Per-row draws of every written form, variant and error (drawn in this order: it fixes the stream)."""
    n = len(person)
    hs = HOUSE_STYLES[source]
    born_before_1975 = W.dob[person] < _BORN_1975
    u = rng.random(n)
    # The name variants' cumulative rates, as np.cumsum over their five rows adds them (only the old spelling's
    # rate differs per row): no (5, n) arrays.
    title = cfg.name_title_rate
    abbrev = title + cfg.name_abbrev_rate
    spelling = abbrev + cfg.name_spelling_rate
    old = spelling + np.where(born_before_1975, cfg.name_old_spelling_rate, 0.0)
    typo = old + cfg.name_typo_rate
    count = (u >= title).astype(np.int8) + (u >= abbrev) + (u >= spelling) + (u >= old) + (u >= typo)
    name_kind = _codes(np.where(u < typo, 1 + count, C.NAME_NONE))
    del u, old, typo, count
    date_p = (
        hs.date_form
        if source != "p3ke"
        else tuple(np.r_[np.array(hs.date_form[:3]) * cfg.p3ke_text_date_rate, 1 - cfg.p3ke_text_date_rate])
    )
    u_nik = rng.random(n)
    nik_kind = _codes(np.where(u_nik < cfg.nik_error_rate, _choice(rng, tuple(C.ROW_NIK_WEIGHTS), n), -1))
    dob_kind = _codes(np.where(
        rng.random(n) < cfg.dob_error_rate, _DOB_KINDS[_choice(rng, tuple(_DOB_KIND_P), n)], C.DOB_NONE
    ))
    nik_typo = (u_nik >= cfg.nik_error_rate) & (u_nik < cfg.nik_error_rate + cfg.nik_typo_rate)
    lo = cfg.nik_error_rate + cfg.nik_typo_rate
    nik_transposed = (u_nik >= lo) & (u_nik < lo + cfg.nik_transposition_rate)
    plan = dict(name_kind=name_kind)
    plan["name_case"] = _choice(rng, hs.name_case, n)
    named = name_kind != C.NAME_NONE
    plan["name_u1"] = _Sparse(rng.random(n), named)
    plan["name_u2"] = _Sparse(rng.random(n), named)
    plan["dob_kind"] = dob_kind
    plan["dob_u"] = _Sparse(rng.random(n), dob_kind != C.DOB_NONE)
    plan["date_form"] = _choice(rng, date_p, n)
    plan["sex_form"] = _choice(rng, hs.sex_form, n)
    plan["rt_form"] = _choice(rng, hs.rt_form, n)
    plan["rw_form"] = _choice(rng, hs.rt_form, n)
    plan["nik_kind"] = nik_kind
    plan["nik_typo"] = nik_typo
    plan["nik_u"] = _Sparse(rng.random(n), (nik_kind >= 0) | nik_typo | nik_transposed)
    plan["excel_nik"] = rng.random(n) < cfg.excel_number_nik_rate
    plan["kk_kind"] = kk_kind = _codes(
        np.where(rng.random(n) < cfg.kk_error_rate, _choice(rng, tuple(C.KK_WEIGHTS), n), -1))
    plan["kk_u"] = _Sparse(rng.random(n), kk_kind >= 0)
    plan["prov_form"] = _choice(rng, hs.provinsi_form, n)
    plan["kab_form"] = _choice(rng, hs.kabkota_form, n)
    plan["bps"] = rng.random(n) < cfg.bps_spelling_rate
    plan["region_title"] = rng.random(n) < hs.region_title_case
    plan["addr_style"] = _choice(rng, hs.address_style, n)
    plan["rel_title"] = rng.random(n) < hs.relation_title_case
    plan["mother_blank"] = rng.random(n) < 0.02
    plan["padan_miss"] = rng.random(n) < 0.015
    plan["nik_transposed"] = nik_transposed
    plan.update(_plan_as_written(rng, n, u_nik, cfg))
    return plan


def _plan_as_written(rng: np.random.Generator, n: int, u_nik: np.ndarray, cfg: SynthConfig) -> dict:
    """Draws of the identifier, region and field-value forms (issue 11), independent of the older draws."""
    lo = cfg.nik_error_rate + cfg.nik_typo_rate + cfg.nik_transposition_rate
    oor = cfg.out_of_range_rate
    plan = {}
    plan["nik_ganda"] = ganda = (u_nik >= lo) & (u_nik < lo + cfg.nik_ganda_rate)
    plan["ganda_u"] = _Sparse(rng.random(n), ganda)
    plan["nik_fmt"] = nik_fmt = rng.random(n) < cfg.nik_formatted_rate
    plan["nik_fmt_u"] = _Sparse(rng.random(n), nik_fmt)
    plan["kk_fmt"] = kk_fmt = rng.random(n) < cfg.kk_formatted_rate
    plan["kk_fmt_u"] = _Sparse(rng.random(n), kk_fmt)
    plan["prov_dkj"] = rng.random(n) < cfg.provinsi_dkj_rate
    plan["prov_dkj_form"] = _codes(rng.integers(0, len(PROVINSI_DKJ_FORMS), n))
    plan["kel_prefix"] = rng.random(n) < cfg.kelurahan_prefix_rate
    plan["kel_prefix_form"] = _codes(rng.integers(0, len(region_names.KELURAHAN_PREFIXES), n))
    plan["kec_prefix"] = rng.random(n) < cfg.kecamatan_prefix_rate
    plan["kec_prefix_form"] = _codes(rng.integers(0, len(region_names.KECAMATAN_PREFIXES), n))
    plan["kel_no_space"] = rng.random(n) < cfg.region_no_space_rate
    plan["kec_no_space"] = rng.random(n) < cfg.region_no_space_rate
    plan["old_spelling"] = rng.random(n) < cfg.region_old_spelling_rate
    plan["kel_slip"] = slip = rng.random(n) < cfg.kelurahan_typo_rate
    plan["kel_slip_u1"] = _Sparse(rng.random(n), slip)
    plan["kel_slip_u2"] = _Sparse(rng.random(n), slip)
    plan["sex_other"] = rng.random(n) < cfg.sex_other_form_rate
    plan["sex_other_form"] = _codes(rng.integers(0, len(field_values.SEX_OTHER_FORMS), n))
    plan["date_other"] = rng.random(n) < cfg.date_other_form_rate
    plan["date_other_form"] = _codes(rng.integers(0, len(field_values.DATE_OTHER_FORMS), n))
    plan["rt_zero"] = rng.random(n) < cfg.rt_rw_zero_rate
    plan["rt_zero_form"] = _codes(rng.integers(0, 6, n))
    plan["rt_4"] = rng.random(n) < cfg.rt_rw_4_digit_rate
    plan["desil_text"] = rng.random(n) < cfg.desil_text_rate
    plan["oor_form"] = _codes(rng.integers(0, 1200, n))
    plan["sex_oor"] = rng.random(n) < oor
    plan["dob_oor"] = rng.random(n) < oor
    plan["rt_oor"] = rng.random(n) < oor
    plan["desil_oor"] = rng.random(n) < oor
    return plan


def _duplicate(rng: np.random.Generator, plan: dict, source: str, k: int) -> tuple[np.ndarray, dict]:
    """Pick k rows to list twice; the copy differs in its name, date form or RT padding."""
    n = len(plan["name_kind"])
    src = np.sort(rng.choice(n, k, replace=False)) if k else np.zeros(0, dtype=np.int64)
    dup = {key: value.take(src) if isinstance(value, _Sparse) else value[src].copy() for key, value in plan.items()}
    aspect = rng.integers(0, 2 if source == "p3ke" else 3, k)
    name = aspect == 0
    variants = np.array([C.NAME_TITLE, C.NAME_ABBREV, C.NAME_SPELLING, C.NAME_TYPO, C.NAME_TYPO, C.NAME_TYPO])
    dup["name_kind"][name] = np.where(
        dup["name_kind"][name] == C.NAME_NONE,
        variants[rng.integers(0, len(variants), int(name.sum()))],
        C.NAME_NONE,
    )
    # Another clerk's casing makes the copy differ even when the variant does not apply to the name.
    dup["name_case"][name] = 1 - np.minimum(dup["name_case"][name], 1)
    dup["name_u1"], dup["name_u2"] = rng.random(k), rng.random(k)
    date = aspect == 1
    dup["date_form"][date] = (dup["date_form"][date] + 1) % (4 if source == "p3ke" else 3)
    rt = aspect == 2
    dup["rt_form"][rt] = (dup["rt_form"][rt] + 1) % 3
    return src, dup


def _row_order(rng: np.random.Generator, W: World, person: np.ndarray, is_dup: np.ndarray) -> np.ndarray:
    """File order: households by kelurahan as exports are, members mostly together, some rows astray."""
    n_hh = len(W.hh_kel)
    hh_rank = np.empty(n_hh, dtype=np.float64)
    hh_rank[np.lexsort((rng.random(n_hh), W.hh_kel))] = np.arange(n_hh)
    key = hh_rank[W.hh[person]] + rng.normal(0, 0.6, len(person))
    astray = is_dup | (rng.random(len(person)) < 0.05)
    key[astray] = rng.random(int(astray.sum())) * n_hh
    return np.argsort(key, kind="stable")


def plan_source(W: World, cfg: SynthConfig, seed: int, source: str) -> Planned:
    """Who is in one list (dtks, p3ke or carik), in file order, with the draws that decide how each row is written."""
    q = W.quarter
    s_idx = LIST_SOURCES.index(source)
    rng = np.random.default_rng([seed, _STREAM_ROWS, q.year, q.number, s_idx])
    base = np.flatnonzero(W.in_src[:, s_idx])
    plan = _plan(rng, source, W, base, cfg)
    src, dup = _duplicate(rng, plan, source, int(np.floor(cfg.duplicate_rate * len(base) + 0.5)))
    person = np.r_[base, base[src]]
    for key in list(plan):  # one column at a time, so that the plan is never held twice
        value, more = plan[key], dup.pop(key)
        plan[key] = value.appended(more) if isinstance(value, _Sparse) else np.r_[value, more]
    # A row whose NIK and birth date are both wrong keeps its name, so that it can still be linked.
    both_wrong = ((plan["nik_kind"] >= 0) | ~W.nik_valid[person]) & (plan["dob_kind"] != C.DOB_NONE)
    plan["name_kind"][both_wrong] = C.NAME_NONE
    row_ids = _row_ids(rng, source, W, person)
    order = _row_order(rng, W, person, np.r_[np.zeros(len(base), dtype=bool), np.ones(len(src), dtype=bool)])
    person = person[order]
    # In the file, whichever row of a person comes first is the original; later ones are the duplicates.
    by_person = np.lexsort((np.arange(len(person)), person))
    is_dup = np.ones(len(person), dtype=bool)
    is_dup[by_person[np.r_[True, person[by_person][1:] != person[by_person][:-1]][: len(person)]]] = False
    del by_person
    for key in list(plan):
        value = plan[key]
        plan[key] = value.permuted(order) if isinstance(value, _Sparse) else value[order]
    return Planned(source, person, is_dup, plan, {k: v[order] for k, v in row_ids.items()})


def render_rows(W: World, planned: Planned, rows: int = CHUNK_ROWS) -> Iterator[Rows]:
    """The planned rows written out, `rows` at a time in file order (each row's text depends on its draws only)."""
    for a in range(0, len(planned.person), rows):
        b = min(a + rows, len(planned.person))
        yield _render(planned.source, W, planned.person[a:b], planned.is_duplicate[a:b],
                      {key: value[a:b] for key, value in planned.plan.items()},
                      _row_id_texts(planned.source, {key: value[a:b] for key, value in planned.row_ids.items()}))


def _row_ids(rng: np.random.Generator, source: str, W: World, person: np.ndarray) -> dict[str, np.ndarray]:
    """Each source's own record ids as integers (DTKS member id; P3KE family id and member number; none in CARIK)."""
    n = len(person)
    if source == "dtks":
        return {"id_art_dtks": 3_100_000_000_000 + np.cumsum(rng.integers(1, 40, n))}
    if source == "p3ke":
        hh = W.hh[person]
        fam = 310_000_000_000 + np.cumsum(rng.integers(1, 25, len(W.hh_kel)))
        order = np.lexsort((np.arange(n), hh))
        hs = hh[order]
        starts = np.flatnonzero(np.r_[True, hs[1:] != hs[:-1]])
        member = np.empty(n, dtype=np.int64)
        member[order] = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n])) + 1
        return {"id_keluarga_p3ke": fam[hh], "id_individu": np.minimum(member, 99).astype(np.int8)}
    return {}


_MEMBER_TEXT = np.array([f"{m:02d}" for m in range(100)], dtype=object)


def _row_id_texts(source: str, ids: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The record ids of a run of rows as the files write them."""
    if source == "dtks":
        return {"id_art_dtks": np.array([str(x) for x in ids["id_art_dtks"].tolist()], dtype=object)}
    if source == "p3ke":
        fam_text = np.array([str(f) for f in ids["id_keluarga_p3ke"].tolist()], dtype=object)
        return {"id_keluarga_p3ke": fam_text, "id_individu": fam_text + _MEMBER_TEXT[ids["id_individu"]]}
    return {}


def _pad(values: np.ndarray, form: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RT/RW text in the given padding (0 none, 1 two digits, 2 three digits) and whether padding shows."""
    table = [
        np.array([f"{v}" for v in range(100)], dtype=object),
        np.array([f"{v:02d}" for v in range(100)], dtype=object),
        np.array([f"{v:03d}" for v in range(100)], dtype=object),
    ]
    out = np.select([form == 0, form == 1], [table[0][values], table[1][values]], table[2][values])
    return out, ((form == 1) & (values < 10)) | (form == 2)


def _render(
    source: str, W: World, person: np.ndarray, is_dup: np.ndarray, plan: dict, row_ids: dict[str, np.ndarray]
) -> Rows:
    q = W.quarter
    n = len(person)
    tags = C.Tags(n)
    status = W.status[person]
    outside = status == OUTSIDE
    use_current = (status == MOVED_WITHIN) & (source == "carik")
    hh = W.hh[person]
    if source == "carik":  # CARIK records where a family lives now, the other lists the address they had
        kel, rt, rw, addr_kind, addr_u = W.current(person)
    else:
        kel, rt, rw, addr_kind, addr_u = (W.hh_kel[hh], W.hh_rt[hh], W.hh_rw[hh], W.hh_addr_kind[hh],
                                          W.hh_addr_u[hh])
    # Jakarta's housing complexes and public flats do not exist elsewhere: outside, it is a street.
    addr_kind = np.where(outside & (addr_kind >= 3), 0, addr_kind)
    stale = (status == MOVED_OUT) | ((status == MOVED_WITHIN) & ~use_current)
    tags.add("address_stale", stale)
    tags.add("address_outside_dki", outside)

    # Names, birth dates, sex.
    female = W.female[person]
    name = C.apply_names(
        W.name[person],
        plan["name_kind"],
        plan["name_case"],
        female,
        W.age(person),
        plan["name_u1"],
        plan["name_u2"],
        tags,
    )
    dob = C.apply_dob_errors(W.dob[person], plan["dob_kind"], plan["dob_u"], q.start - 1, tags)
    form = plan["date_form"].copy()
    # A date that is out of range or in a rarer form is text, also in the workbook.
    form[(form == EXCEL_DATE) & plan["dob_oor"]] = DMY_SLASH
    plan["date_other"] &= form != EXCEL_DATE
    rare = plan["date_other"] | plan["dob_oor"]
    tags.add("date_ddmmyyyy", (form == DMY_DASH) & ~rare)
    tags.add("date_ddmmyyyy_slash", (form == DMY_SLASH) & ~rare)
    tags.add("date_excel_cell", form == EXCEL_DATE)
    dob_text = field_values.write_dates(
        format_dates(dob, np.where(form == EXCEL_DATE, ISO, form)),
        dob, plan["date_other"], plan["date_other_form"], plan["dob_oor"], plan["oor_form"], q.end, tags,
    )
    sex = np.select(
        [plan["sex_form"] == 0, plan["sex_form"] == 1],
        [np.where(female, "P", "L"), np.where(female, "PEREMPUAN", "LAKI-LAKI")],
        np.where(female, "Perempuan", "Laki-laki"),
    ).astype(object)
    tags.add("sex_word", (plan["sex_form"] != 0) & ~plan["sex_other"] & ~plan["sex_oor"])
    sex = field_values.write_sex(sex, female, plan, tags)

    nik, nik_number, nik_bad, holder = _niks(source, W, person, plan, tags)
    kk = _kks(W, hh, plan, tags)

    # Regions (CARIK has no province column).
    if source == "carik":
        plan["prov_dkj"] = np.zeros(n, dtype=bool)
    region = _regions(W, hh, kel, outside, plan, tags)
    addr = addresses.render(addr_kind, addr_u, rt, rw, plan["addr_style"])
    rt_text, rt_pad = _pad(rt, plan["rt_form"])
    rw_text, rw_pad = _pad(rw, plan["rw_form"])
    if source != "p3ke":
        tags.add("rt_rw_padded", (rt_pad | rw_pad) & ~plan["rt_4"] & ~plan["rt_zero"] & ~plan["rt_oor"])
        rt_text, rw_text = field_values.write_rt_rw(rt_text, rw_text, rt, rw, plan, tags)
    relation = np.array(ROLES, dtype=object)[W.role[person]]
    relation = np.where(
        plan["rel_title"], np.array([r.title() for r in ROLES], dtype=object)[W.role[person]], relation
    )
    birthplace = np.where(
        plan["region_title"],
        np.array([p.title() for p in W.birthplace[person]], dtype=object),
        W.birthplace[person],
    )

    if source == "dtks":
        cols = dict(
            id_art_dtks=row_ids["id_art_dtks"],
            provinsi=region["provinsi"],
            kabupaten_kota=region["kabkota"],
            kecamatan=region["kecamatan"],
            desa_kelurahan=region["kelurahan"],
            alamat=addr,
            rt=rt_text,
            rw=rw_text,
            nomor_kk=kk,
            nomor_nik=nik,
            nama=name,
            tanggal_lahir=dob_text,
            tempat_lahir=birthplace,
            jenis_kelamin=sex,
            nama_ibu_kandung=np.where(plan["mother_blank"], "", W.mother_name[person]),
            hubungan_keluarga=relation,
            bansos=W.programmes[person],
        )
        numbers = {}
    elif source == "p3ke":
        cols = dict(
            id_keluarga_p3ke=row_ids["id_keluarga_p3ke"],
            id_individu=row_ids["id_individu"],
            provinsi=region["provinsi"],
            kabupaten=region["kabkota"],
            kecamatan=region["kecamatan"],
            desa_kelurahan=region["kelurahan"],
            kode_kemendagri=region["kode"],
            desil_kesejahteraan=np.full(n, "", dtype=object),
            alamat=addr,
            nama_lengkap=name,
            nik=nik,
            padan_dukcapil=np.where(nik_bad | plan["padan_miss"], "TIDAK", "YA").astype(object),
            jenis_kelamin=sex,
            hubungan_dengan_kepala_keluarga=relation,
            tanggal_lahir=dob_text,
        )
        desil_number, desil_text = field_values.write_desil(np.minimum(W.hh_desil[hh], 4), plan, tags)
        cols["desil_kesejahteraan"] = desil_text
        numbers = {
            "desil_kesejahteraan": desil_number,
            "nik": nik_number,
            "tanggal_lahir": np.where(form == EXCEL_DATE, excel_serial(dob), np.nan),
        }
    else:
        cols = dict(
            no_kk=kk,
            nik=nik,
            nama_lengkap=name,
            jenis_kelamin=sex,
            tempat_lahir=birthplace,
            tanggal_lahir=dob_text,
            status_hubungan=relation,
            alamat_domisili=addr,
            rt=rt_text,
            rw=rw_text,
            kelurahan=region["kelurahan"],
            kecamatan=region["kecamatan"],
            kota=region["kabkota"],
            nama_dasawisma=_dasawisma(kel, rt, rw),
        )
        numbers = {}
    assert tuple(cols) == COLUMNS[source]
    return Rows(source, person, is_dup, tags.bits, cols, numbers, holder)


def _niks(
    source: str, W: World, person: np.ndarray, plan: dict, tags: C.Tags
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """NIK text per row, P3KE cells Excel holds as numbers (NaN elsewhere), which rows' NIK is wrong, and whose NIK each row holds."""  # noqa: E501
    n = len(person)
    nik = W.nik[person].copy()
    person_invalid = ~W.nik_valid[person]
    tags.add("nik_invalid", person_invalid)
    tags.add("nik_person_level", person_invalid)
    for k, kind in enumerate(C.NIK_INVALID_KINDS):
        tags.add(kind, person_invalid & (W.nik_kind[person] == k))
    row_kind = np.where(person_invalid, -1, plan["nik_kind"])
    kk_of = W.hh_kk[W.hh[person]]
    for i in np.flatnonzero(row_kind >= 0).tolist():
        kind = C.NIK_INVALID_KINDS[row_kind[i]]
        nik[i] = kk_of[i] if kind == "nik_is_kk" else C.invalid_nik(nik[i], kind, plan["nik_u"][i])
    tags.add("nik_invalid", row_kind >= 0)
    for k, kind in enumerate(C.NIK_INVALID_KINDS):
        tags.add(kind, row_kind == k)
    clean = (row_kind < 0) & ~person_invalid
    typo = plan["nik_typo"] & clean
    transposed = plan["nik_transposed"] & clean
    identifiers.mistype(nik, typo, transposed, plan["nik_u"], tags)
    # NIK ganda: a member's row carries the head's or another member's NIK.
    member_rows = np.flatnonzero(plan["nik_ganda"] & clean & (W.role[person] != HEAD))
    donor = identifiers.ganda_donors(W.members, W.hh, W.role, W.nik_valid, person[member_rows],
                                     plan["ganda_u"][member_rows])
    ganda_rows = member_rows[donor >= 0]
    nik[ganda_rows] = W.nik[donor[donor >= 0]]
    ganda = np.zeros(n, dtype=bool)
    ganda[ganda_rows] = True
    tags.add("nik_ganda", ganda)
    number = np.full(n, np.nan)
    excel = np.zeros(n, dtype=bool)
    if source == "p3ke":
        digits16 = np.array([len(x) == 16 and x.isdigit() for x in nik], dtype=bool)
        excel = plan["excel_nik"] & digits16
        number[excel] = [C.excel_number(x) for x in nik[excel]]
        tags.add("excel_number_nik", excel)
    touched = (row_kind >= 0) | typo | transposed | ganda | excel
    probe = nik.copy()
    probe[excel] = np.array([f"{int(v):d}" for v in number[excel]], dtype=object)
    holder = identifiers.holders(probe, person, touched, W.valid_niks, W.nik_valid)
    # Written forms last: the cell's digits, read in order, are still the NIK chosen above.
    nik = identifiers.apply_formatting(nik, plan["nik_fmt"] & ~excel, plan["nik_fmt_u"], tags, "nik_formatted")
    return nik, number, person_invalid | (row_kind >= 0) | typo | transposed | ganda, holder


def _kks(W: World, hh: np.ndarray, plan: dict, tags: C.Tags) -> np.ndarray:
    kk = W.hh_kk[hh].copy()
    for i in np.flatnonzero(plan["kk_kind"] >= 0).tolist():
        kk[i] = C.invalid_kk(kk[i], C.KK_INVALID_KINDS[plan["kk_kind"][i]], plan["kk_u"][i])
    tags.add("kk_invalid", plan["kk_kind"] >= 0)
    for k, kind in enumerate(C.KK_INVALID_KINDS):
        tags.add(kind, plan["kk_kind"] == k)
    return identifiers.apply_formatting(kk, plan["kk_fmt"], plan["kk_fmt_u"], tags, "kk_formatted")


def _regions(
    W: World, hh: np.ndarray, kel: np.ndarray, outside: np.ndarray, plan: dict, tags: C.Tags
) -> dict[str, np.ndarray]:
    """Province, kab/kota, kecamatan and kelurahan names per row (and P3KE's 10-digit code)."""
    geo = geography()
    title = plan["region_title"]
    kec = geo.kel_kec[kel]
    kab = geo.kec_kab[kec]

    def cased(table: np.ndarray, idx: np.ndarray) -> np.ndarray:
        upper = np.array([t.upper() for t in table], dtype=object)
        titled = np.array([t.title() for t in table], dtype=object)
        return np.where(title, titled[idx], upper[idx])

    bps = plan["bps"].copy()
    kel_name = np.where(bps, cased(geo.kel_bps_name, kel), cased(geo.kel_name, kel))
    kec_name = np.where(bps, cased(geo.kec_bps_name, kec), cased(geo.kec_name, kec))
    differs = (geo.kel_bps_name != np.array([k.upper() for k in geo.kel_name]))[kel] | (
        geo.kec_bps_name != geo.kec_name
    )[kec]
    forms = [kabkota_forms(geo.kab_name[i], geo.kab_short[i]) for i in range(len(geo.kab_code))]
    n_forms = len(forms[0])
    form_table = np.array([f for fs in forms for f in fs], dtype=object)
    kab_name = form_table[kab * n_forms + plan["kab_form"]]
    prov = np.array(PROVINSI_DKI_FORMS, dtype=object)[plan["prov_form"]]
    prov[plan["prov_dkj"]] = np.array(PROVINSI_DKJ_FORMS, dtype=object)[plan["prov_dkj_form"][plan["prov_dkj"]]]
    dki = ~outside
    kel_name = region_names.write_kelurahan(kel_name, plan, dki, tags)
    kec_name = region_names.write_kecamatan(kec_name, plan, dki, tags)
    kode = np.array([str(c) for c in geo.kel_code], dtype=object)[kel]

    o = np.flatnonzero(outside)
    if len(o):
        nat = W.hh_out_kec[hh[o]]
        village = W.hh_out_village[hh[o]]
        kel_name[o] = [VILLAGE_NAMES[v].upper() for v in village.tolist()]
        kec_name[o] = [geo.nat_kec_name[i].upper() for i in nat.tolist()]
        kab_name[o] = [geo.nat_kab_name[i].upper() for i in nat.tolist()]
        prov[o] = [geo.nat_prov_name[i].upper() for i in nat.tolist()]
        suffix = np.where(village % 2 == 0, 2001, 1001) + village % 15
        kode[o] = [str(c) for c in (geo.nat_kec_code[nat] * 10**4 + suffix).tolist()]
        bps[o] = False
    tags.add("region_bps_spelling", bps & differs & ~outside)
    tags.add("kabkota_variant", (plan["kab_form"] >= 2) & ~outside)
    tags.add("provinsi_variant", ((plan["prov_form"] != 0) | plan["prov_dkj"]) & ~outside)
    tags.add("provinsi_dkj", plan["prov_dkj"] & ~outside)
    return dict(provinsi=prov, kabkota=kab_name, kecamatan=kec_name, kelurahan=kel_name, kode=kode)


def _dasawisma(kel: np.ndarray, rt: np.ndarray, rw: np.ndarray) -> np.ndarray:
    """Dasawisma group of a house: named after a flower, one per few neighbouring RTs of an RW."""
    key = (kel * 16 + rw) * 8 + (rt - 1) // 3
    uniq, inv = np.unique(key, return_inverse=True)
    texts = []
    for k in uniq.tolist():
        flower = _DASAWISMA[(k * 2654435761) % 2**32 % len(_DASAWISMA)]
        rw_k = k // 8 % 16
        texts.append(f"Dasawisma {flower} RW {rw_k:02d}" if k % 2 else f"DW {flower.upper()} {k % 8 + 1:02d}")
    return np.array(texts, dtype=object)[inv]
