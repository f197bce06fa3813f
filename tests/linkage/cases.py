"""An independent maker of linkage-input rows with known truth, for testing the linkage rules.

Not the project's generator (orchestration/synth): its own households, names and error process at its own rates,
so that a rule shaped after one generator's typos is tested on another's. Rows have the columns of
int_persons__for_linkage, with invalid NIKs already nulled as dbt does.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import pyarrow as pa

COLUMNS = ("unique_id", "source", "nik", "nama_match", "first_name", "last_name", "tanggal_lahir", "jenis_kelamin",
           "kode_kelurahan", "no_kk", "alamat", "rt_rw")
SCHEMA = pa.schema([(c, pa.string()) for c in COLUMNS])

FIRST_L = ("ADI", "AGUS", "ANDI", "ARIF", "BAGUS", "BAYU", "BUDI", "DANI", "DEDI", "EKO", "FAJAR", "GILANG",
           "HADI", "HENDRA", "IRFAN", "JOKO", "KURNIA", "RIZKI", "SANDI", "TEGUH", "WAHYU", "YUDI", "HASAN",
           "HUSEIN", "RAHMAT", "SLAMET", "TAUFIK", "UMAR", "YOGA", "ZAINAL")
FIRST_P = ("AYU", "DEWI", "DINA", "EKA", "FITRI", "INDAH", "LINA", "MAYA", "NUR", "PUTRI", "RATNA", "RINA",
           "RINI", "SARI", "SITI", "TUTI", "WATI", "YANTI", "LESTARI", "ANISA", "NOVI", "MEGA", "INTAN", "DIAN")
LAST = ("SANTOSO", "PRATAMA", "SAPUTRA", "WIJAYA", "HIDAYAT", "KURNIAWAN", "SETIAWAN", "NURHAYATI", "LESTARI",
        "RAHAYU", "SUSANTO", "HASIBUAN", "SIREGAR", "NASUTION", "SIMANJUNTAK", "MAULANA", "FIRMANSYAH", "AMINAH",
        "HANDAYANI", "PURNAMA", "WIBOWO", "GUNAWAN", "SUHENDRA", "RAMADHAN")
# Twins are often given rhyming or near-identical names: the hardest twins for a NIK-typo rule.
TWIN_NAMES = {"L": (("HASAN", "HUSEIN"), ("ADI", "EDI"), ("RIZKI", "RIZAL")),
              "P": (("RINA", "RINI"), ("DINA", "DINI"), ("WATI", "WULAN"))}
STREETS = ("JL MELATI", "JL KENANGA", "GG MUSHOLA", "JL RAYA BOGOR", "JL H SAAMAN", "JL PERINTIS", "GG DAMAI")
KECAMATAN = ("317101", "317102", "317201", "317305", "317403", "317408", "317502", "317506")


@dataclass(frozen=True)
class Rates:
    """The error process; each rate is per list row unless named otherwise."""

    nik_substitution: float = 0.03  # one digit replaced, at a uniformly random position of the 16
    nik_transposition: float = 0.015  # two adjacent digits swapped (when they differ)
    nik_missing: float = 0.03
    nik_ganda: float = 0.03  # a non-head member's row carries the head's or a sibling's NIK
    name_typo: float = 0.04  # one letter replaced or dropped
    dob_typo: float = 0.02  # one digit replaced
    dob_swap: float = 0.005  # day and month swapped (when both <= 12)
    sex_typo: float = 0.005
    twins: float = 0.08  # per household with children
    parent_child_same_day: float = 0.06  # per household with children
    namesake: float = 0.02  # per person: another person elsewhere with the same name and birth date
    # Off by default (so the existing draws keep their rows): twins of opposite sex, a twin listed under the other
    # twin's NIK on every row, and a list holding a person's row twice (a cadre's double entry), each copy with its
    # own errors.
    opposite_sex_twins: float = 0.0  # per twin pair
    twin_under_twins_nik: float = 0.0  # per twin pair
    roster_duplicate: float = 0.0  # per list row


@dataclass
class Person:
    key: str
    nama: str
    dob: dt.date
    sex: str
    nik: str
    household: str
    kk: str
    kelurahan: str
    alamat: str
    rt_rw: str
    is_head: bool


@dataclass
class Cases:
    """The rows, each row's true person, and the special pairs of people the rules must keep apart."""

    rows: list[dict] = field(default_factory=list)
    truth: dict[str, str] = field(default_factory=dict)  # unique_id -> person key
    apart: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # kind -> pairs of person keys
    nik_typo_rows: list[str] = field(default_factory=list)  # rows whose NIK was mistyped (only that)
    ganda_rows: list[str] = field(default_factory=list)  # rows carrying another member's NIK
    twin_under_twins_nik: list[tuple[str, str]] = field(default_factory=list)  # (twin, twin whose NIK they carry)
    roster_duplicates: list[tuple[str, str]] = field(default_factory=list)  # two rows of one person in one list
    persons: dict[str, Person] = field(default_factory=dict)

    def table(self) -> pa.Table:
        return pa.Table.from_pylist(self.rows, schema=SCHEMA)


# The maker puts every household in a few kelurahan, with small name pools: dense kelurahan. Two error processes
# for tests that score such rows, its default rates and harsh ones.
DENSE_RATES = {
    "default": Rates(),
    "harsh": Rates(name_typo=0.12, dob_typo=0.08, nik_missing=0.1, nik_substitution=0.06, namesake=0.05),
}


def nik_for(region: str, dob: dt.date, sex: str, serial: int) -> str:
    day = dob.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{dob.month:02d}{dob.year % 100:02d}{serial:04d}"


def nik_is_valid(nik: str) -> bool:
    """The structural checks that decide whether a NIK reaches Splink (a mistyped NIK can fail them)."""
    day, month = int(nik[6:8]), int(nik[8:10])
    return (nik[:2] in {"31", "32", "36"} and (1 <= day <= 31 or 41 <= day <= 71) and 1 <= month <= 12
            and nik[12:] != "0000")


def _substitute(rng: random.Random, nik: str) -> str:
    pos = rng.randrange(16)
    return nik[:pos] + rng.choice([d for d in "0123456789" if d != nik[pos]]) + nik[pos + 1:]


def _transpose(rng: random.Random, nik: str) -> str | None:
    options = [i for i in range(15) if nik[i] != nik[i + 1]]
    if not options:
        return None
    i = rng.choice(options)
    return nik[:i] + nik[i + 1] + nik[i] + nik[i + 2:]


def _name_typo(rng: random.Random, nama: str) -> str:
    positions = [i for i, ch in enumerate(nama) if ch != " "]
    i = rng.choice(positions)
    if rng.random() < 0.5 and len(positions) > 4:
        return nama[:i] + nama[i + 1:]
    return nama[:i] + rng.choice("AEIOUNRSTKMLH".replace(nama[i], "")) + nama[i + 1:]


def _dob_typo(rng: random.Random, dob: str) -> str:
    for _ in range(20):
        pos = rng.choice([2, 3, 5, 6, 8, 9])
        candidate = dob[:pos] + rng.choice("0123456789".replace(dob[pos], "")) + dob[pos + 1:]
        try:
            dt.date.fromisoformat(candidate)
            return candidate
        except ValueError:
            continue
    return dob


def make_cases(households: int, seed: int, rates: Rates = Rates(), *, serial_per_birth_date: bool = False) -> Cases:
    """`households` households of one to six people, each person in one to three lists, errors applied.

    The NIK serial is counted per region with gaps; with `serial_per_birth_date` as Dukcapil counts it, from 1 for
    the people of one kecamatan, birth date and sex (domain.md), so that birthday-mates have NIKs a digit apart.
    """
    rng = random.Random(seed)
    cases = Cases()
    serials: dict[tuple, int] = {}
    used_niks: set[str] = set()

    def next_serial(region: str, dob: dt.date, sex: str, step: int) -> int:
        key = (region, dob, sex) if serial_per_birth_date else (region,)
        serials[key] = serials.get(key, 0) + (1 if serial_per_birth_date else step)
        return serials[key]

    def new_nik(region: str, dob: dt.date, sex: str) -> str:
        while True:
            nik = nik_for(region, dob, sex, next_serial(region, dob, sex, rng.randint(1, 3)))
            if nik not in used_niks:
                used_niks.add(nik)
                return nik

    def rand_date(lo: int, hi: int) -> dt.date:
        return dt.date(rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28))

    def add(p: Person) -> Person:
        cases.persons[p.key] = p
        return p

    people: list[Person] = []
    nik_carried: dict[str, str] = {}  # person key -> the NIK on their rows, when it is another person's
    for h in range(households):
        kec = rng.choice(KECAMATAN)
        kel = f"{kec}{rng.randint(1001, 1004)}"
        kk = f"{kec}{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(5, 24):02d}{h % 10000:04d}"
        alamat = f"{rng.choice(STREETS)} {rng.randint(1, 99)}"
        rt_rw = f"{rng.randint(1, 15):03d}/{rng.randint(1, 9):03d}"
        last = rng.choice(LAST)
        hh = f"h{h}"

        home = (hh, kk, kel, alamat, rt_rw)

        def member(i: int, sex: str, dob: dt.date, first: str, head: bool = False, home=home, kec=kec,
                   last=last) -> Person:
            # The NIK is issued where the person was first registered: mostly here, sometimes elsewhere.
            region = kec if rng.random() < 0.8 else rng.choice(KECAMATAN)
            return add(Person(f"{home[0]}p{i}", f"{first} {last}", dob, sex, new_nik(region, dob, sex), *home, head))

        head_sex = rng.choice("LP")
        head = member(0, head_sex, rand_date(1950, 1990), rng.choice(FIRST_L if head_sex == "L" else FIRST_P), True)
        members = [head]
        if rng.random() < 0.7:
            sex = "P" if head_sex == "L" else "L"
            members.append(member(1, sex, rand_date(1950, 1992), rng.choice(FIRST_L if sex == "L" else FIRST_P)))
        children = []
        for i in range(rng.choice((0, 1, 2, 3, 4))):
            sex = rng.choice("LP")
            firsts = [c.nama.split()[0] for c in members + children]
            first = rng.choice([n for n in (FIRST_L if sex == "L" else FIRST_P) if n not in firsts])
            children.append(member(2 + i, sex, rand_date(max(head.dob.year + 18, 1995), 2020), first))
        members += children
        if children and rng.random() < rates.twins:
            sex = rng.choice("LP")
            firsts = {m.nama.split()[0] for m in members}
            a, b = rng.choice([t for t in TWIN_NAMES[sex] if not firsts & set(t)] or [("AGUNG", "ANGGA")])
            sex2 = sex
            if rates.opposite_sex_twins and rng.random() < rates.opposite_sex_twins:
                # A girl and a boy, named alike as twins often are (the maker's names share a first letter).
                sex2 = "P" if sex == "L" else "L"
                b = rng.choice([n for n in (FIRST_L if sex2 == "L" else FIRST_P) if n[0] == a[0] and n not in firsts]
                               or (FIRST_L if sex2 == "L" else FIRST_P))
            dob = rand_date(max(head.dob.year + 18, 1995), 2020)
            region = kec
            t1 = add(Person(f"{hh}t1", f"{a} {last}", dob, sex, "", hh, kk, kel, alamat, rt_rw, False))
            t1.nik = nik_for(region, dob, sex, next_serial(region, dob, sex, 1))
            t2_nik = nik_for(region, dob, sex2, next_serial(region, dob, sex2, 1))
            t2 = add(Person(f"{hh}t2", f"{b} {last}", dob, sex2, t2_nik, hh, kk, kel, alamat, rt_rw, False))
            used_niks.update({t1.nik, t2.nik})
            members += [t1, t2]
            cases.apart.setdefault("twins", []).append((t1.key, t2.key))
            if rates.twin_under_twins_nik and rng.random() < rates.twin_under_twins_nik:
                nik_carried[t2.key] = t1.nik
                cases.twin_under_twins_nik.append((t2.key, t1.key))
        if children and rng.random() < rates.parent_child_same_day:
            child = rng.choice(children)
            year = rng.randint(max(head.dob.year + 18, 1995), 2020)
            child.dob = head.dob.replace(year=year)
            used_niks.discard(child.nik)
            child.nik = new_nik(child.nik[:6], child.dob, child.sex)
            cases.apart.setdefault("parent_child", []).append((head.key, child.key))
        people += members

    # Namesakes: another person with the same name and birth date, living elsewhere with their own NIK.
    for p in list(people):
        if rng.random() < rates.namesake:
            kec = rng.choice(KECAMATAN)
            kk = f"{kec}0101{rng.randint(10, 24)}{rng.randint(0, 9999):04d}"
            q = add(Person(f"{p.key}n", p.nama, p.dob, p.sex, new_nik(kec, p.dob, p.sex), f"{p.household}n", kk,
                           f"{kec}{rng.randint(1001, 1004)}", f"{rng.choice(STREETS)} {rng.randint(1, 99)}", "001/001",
                           True))
            people.append(q)
            cases.apart.setdefault("namesakes", []).append((p.key, q.key))

    by_household: dict[str, list[Person]] = {}
    for p in people:
        by_household.setdefault(p.household, []).append(p)

    n = 0
    for p in people:
        sources = rng.sample(("dtks", "p3ke", "carik"), rng.choice((1, 2, 2, 3)))
        listed = [s for source in sorted(sources) for s in [source] * (
            2 if rates.roster_duplicate and rng.random() < rates.roster_duplicate else 1)]
        for i, source in enumerate(listed):
            n += 1
            uid = f"{source}:{n}"
            if i and listed[i - 1] == source:
                cases.roster_duplicates.append((f"{source}:{n - 1}", uid))
            base = nik_carried.get(p.key, p.nik)
            nik: str | None = base
            nama, dob, sex = p.nama, p.dob.isoformat(), p.sex
            only_nik_typo = False
            r = rng.random()
            others = [m for m in by_household[p.household] if m.key != p.key]
            if r < rates.nik_substitution:
                nik, only_nik_typo = _substitute(rng, base), True
            elif r < rates.nik_substitution + rates.nik_transposition:
                nik = _transpose(rng, base)
                only_nik_typo = nik is not None
                nik = nik or base
            elif r < rates.nik_substitution + rates.nik_transposition + rates.nik_missing:
                nik = None
            elif not p.is_head and others and r < (rates.nik_substitution + rates.nik_transposition
                                                   + rates.nik_missing + rates.nik_ganda):
                nik = next((m.nik for m in others if m.is_head), rng.choice(others).nik)
                cases.ganda_rows.append(uid)
            if rng.random() < rates.name_typo:
                nama, only_nik_typo = _name_typo(rng, nama), False
            r = rng.random()
            if r < rates.dob_typo:
                dob, only_nik_typo = _dob_typo(rng, dob), False
            elif r < rates.dob_typo + rates.dob_swap and p.dob.day <= 12 and p.dob.day != p.dob.month:
                dob, only_nik_typo = p.dob.replace(day=p.dob.month, month=p.dob.day).isoformat(), False
            if rng.random() < rates.sex_typo:
                sex, only_nik_typo = ("P" if sex == "L" else "L"), False
            if nik is not None and not nik_is_valid(nik):
                nik, only_nik_typo = None, False
            if only_nik_typo and nik != p.nik:
                cases.nik_typo_rows.append(uid)
            words = nama.split(" ")
            cases.rows.append({
                "unique_id": uid, "source": source, "nik": nik, "nama_match": nama, "first_name": words[0],
                "last_name": words[-1], "tanggal_lahir": dob, "jenis_kelamin": sex, "kode_kelurahan": p.kelurahan,
                # P3KE carries no KK.
                "no_kk": None if source == "p3ke" else p.kk, "alamat": p.alamat,
                "rt_rw": p.rt_rw})
            cases.truth[uid] = p.key
    return cases
