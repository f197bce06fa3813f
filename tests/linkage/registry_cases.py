"""An independent maker of a landing quarter whose Dukcapil records (deaths, moves) refer to listed people through
the errors real files carry, with known truth, for testing the registry rules of int_persons__rule_status.

Not the project's generator (orchestration/synth) nor tests/linkage/cases.py: its own households and names (with
the pre-1972 spellings Dukcapil keeps, written by its own spelling table), its own NIK issue (the serial counts the
people born on one day in one kecamatan, so twins and same-day namesakes hold NIKs one digit apart) and its own
error process at rates a test chooses. Every error is drawn independently of the rule it tests.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

# Names in today's spelling; the older spelling of each is made by OLD_SPELLING, not listed.
FIRST_L = ("SUTRISNO", "JOKO", "CAHYO", "YUSUF", "SURYADI", "JUNAEDI", "SYAMSUL", "NYOMAN", "KHAIRUL", "SUKARNO",
           "BAMBANG", "SUPARMAN", "HARYONO", "WAHYU", "TUGIMAN", "SUYANTO", "CECEP", "UJANG", "ASEP", "RUSLAN",
           "BUDI", "DEDI", "HENDRA", "IWAN", "KUSNADI", "MULYADI", "SUHERMAN", "TARJO", "YAYAN", "ZAKARIA")
FIRST_P = ("SURYANI", "WAHYUNI", "CUCU", "YANTI", "SUJIATI", "NYAI", "KHOTIJAH", "SUKINAH", "TUTI", "JUARIAH",
           "SUMIYATI", "YULIA", "CICIH", "MURNI", "SRI", "ENDANG", "NURJANAH", "RUMINAH", "SYARIFAH", "YUYUN",
           "DEWI", "ENI", "IIS", "KOKOM", "LILIS", "NENENG", "OOM", "ROSITA", "TATI", "UMI")
LAST = ("SUSANTO", "HARYANTO", "CAHYADI", "PURNOMO", "SUYONO", "YULIANTI", "SURYANA", "JUHAENI", "SYAHRONI",
        "KHASANAH", "SUBAGYO", "SUJATMIKO", "WIJAYA", "TJAHJONO", "RUSDI", "MARYANI", "SETIAWAN", "NURHASANAH",
        "SUDARSONO", "HIDAYAT", "SUNARYA", "KUSUMAH", "ROHIMAH", "SUMARNI")
# Twins' names, chosen to sit one letter apart: the hardest decoys for a near-NIK match.
TWIN_NAMES = {"L": (("HASAN", "HUSIN"), ("ADI", "EDI"), ("ANDI", "ANDRI")),
              "P": (("RINA", "RINI"), ("DINA", "DINI"), ("SITI", "SETI"))}
# The van Ophuijsen / Soewandi spellings of today's letters (before 1972), applied to a registry name.
OLD_SPELLING = (("KH", "CH"), ("NY", "NJ"), ("SY", "SJ"), ("C", "TJ"), ("J", "DJ"), ("Y", "J"), ("U", "OE"))
# Kelurahan of the seed, by (code, name, kecamatan name, kota name).
KELURAHAN = (
    ("3175011001", "PISANGAN BARU", "MATRAMAN", "JAKARTA TIMUR"),
    ("3175011003", "KAYU MANIS", "MATRAMAN", "JAKARTA TIMUR"),
    ("3175011005", "KEBON MANGGIS", "MATRAMAN", "JAKARTA TIMUR"),
    ("3175021003", "CIPINANG", "PULOGADUNG", "JAKARTA TIMUR"),
    ("3175021005", "RAWAMANGUN", "PULOGADUNG", "JAKARTA TIMUR"),
    ("3174091004", "LENTENG AGUNG", "JAGAKARSA", "JAKARTA SELATAN"),
    ("3172021002", "SUNTER JAYA", "TANJUNG PRIOK", "JAKARTA UTARA"),
)
STREETS = ("JL. PERSATUAN", "JL. BALAI RAKYAT", "GG. H. DAIMUN", "JL. KAYU JATI", "GG. MASJID", "JL. PEMUDA")


@dataclass(frozen=True)
class Rates:
    """The error process. Registry events are per listed person, link errors per event."""

    died: float = 0.05
    moved_out: float = 0.04
    moved_within: float = 0.02  # PINDAH_DALAM_DKI: no exclusion
    deactivated: float = 0.01
    list_nik_edit: float = 0.2  # every list row of the person carries one mistyped NIK
    row_nik_edit: float = 0.1  # one of two or more rows does
    registry_nik_edit: float = 0.1  # the registry record's NIK is mistyped
    transposition: float = 0.3  # of NIK edits, the share that swap two adjacent digits (else one digit replaced)
    old_spelling: float = 0.3
    registry_name_typo: float = 0.08
    title: float = 0.1  # H. / HJ. before the registry name
    registry_dob_typo: float = 0.08
    list_undated: float = 0.1  # no list row has a readable birth date
    twins: float = 0.1  # per household with a child: a twin, not listed, who died
    namesake_died: float = 0.03  # per listed person: an unlisted namesake (name and birth date) elsewhere who died
    namesake_same_kecamatan: float = 0.01  # ... registered the same day in the same kecamatan (serials adjacent)
    same_day: float = 0.05  # per listed person: another household's person born the same day in the same kecamatan
    registry_nik_neighbour: float = 0.5  # of their events: the registry took that person's NIK (serials adjacent)


RATES = {
    "default": Rates(),
    "harsh": Rates(died=0.08, moved_out=0.06, list_nik_edit=0.35, registry_nik_edit=0.2, transposition=0.5,
                   old_spelling=0.6, registry_name_typo=0.15, title=0.2, registry_dob_typo=0.15, list_undated=0.2,
                   twins=0.2, namesake_died=0.05, same_day=0.1, registry_nik_neighbour=0.7),
    # Many events and many same-day neighbours at the default typo rates: records of two people under one NIK (a
    # holder's own and a neighbour's) often enough that their statuses differ.
    "crowded": Rates(died=0.2, moved_out=0.2, moved_within=0.15, deactivated=0.05, same_day=0.3,
                     registry_nik_neighbour=0.8),
}


@dataclass
class Person:
    key: str
    first: str
    last: str
    dob: dt.date
    sex: str
    nik: str
    kelurahan: tuple[str, str, str, str]
    kk: str
    alamat: str
    rt: str
    rw: str
    hubungan: str

    @property
    def nama(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class Event:
    """One registry record and what the person's list rows and the record got wrong."""

    person: str
    file: str  # dukcapil_kematian or dukcapil_pindah
    status: str  # MENINGGAL, PINDAH_KELUAR, PINDAH_DALAM_DKI, NONAKTIF
    errors: frozenset[str]
    registry_nik: str
    row: int = 0  # the record's data row in its file, from 1
    typed_name: str = ""  # the name the record means, in today's spelling (a typo in it kept)


@dataclass
class Quarter:
    """Landing rows by file, the true person of every list row, the events, and the living decoys."""

    rows: dict[str, list[list[str]]] = field(default_factory=lambda: {"dtks": [], "carik": [], "dukcapil_kematian": [],
                                                                      "dukcapil_pindah": []})
    row_person: dict[tuple[str, int], str] = field(default_factory=dict)  # (source, data row) -> person key
    persons: dict[str, Person] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    decoys: dict[str, str] = field(default_factory=dict)  # listed living person -> why the registry could take them
    list_nik_edited: set[str] = field(default_factory=set)  # people some of whose list rows carry a mistyped NIK
    twin_of: dict[str, str] = field(default_factory=dict)  # listed living twin -> their dead, unlisted twin


def nik_for(kecamatan: str, dob: dt.date, sex: str, serial: int) -> str:
    return f"{kecamatan}{dob.day + (40 if sex == 'P' else 0):02d}{dob.month:02d}{dob.year % 100:02d}{serial:04d}"


def nik_edit(rng: random.Random, nik: str, transposition: float) -> str:
    """One digit replaced at any of the 16 positions, or two adjacent different digits swapped."""
    swaps = [i for i in range(15) if nik[i] != nik[i + 1]]
    if swaps and rng.random() < transposition:
        i = rng.choice(swaps)
        return nik[:i] + nik[i + 1] + nik[i] + nik[i + 2:]
    i = rng.randrange(16)
    return nik[:i] + rng.choice([d for d in "0123456789" if d != nik[i]]) + nik[i + 1:]


def old_spelling(rng: random.Random, nama: str) -> str:
    """The name as a pre-1972 record writes it: each letter group that had another spelling, mostly taken."""
    out, i = "", 0
    while i < len(nama):
        for new, old in OLD_SPELLING:
            if nama.startswith(new, i) and rng.random() < 0.8:
                out, i = out + old, i + len(new)
                break
        else:
            out, i = out + nama[i], i + 1
    return out


def name_typo(rng: random.Random, nama: str) -> str:
    letters = [i for i, ch in enumerate(nama) if ch != " "]
    i = rng.choice(letters)
    return nama[:i] + rng.choice([c for c in "AEIOUNRSTLKMH" if c != nama[i]]) + nama[i + 1:]


def dob_typo(rng: random.Random, dob: dt.date) -> dt.date:
    """One digit of the day or month replaced, or day and month swapped, keeping a real date."""
    text = dob.strftime("%d%m")
    for _ in range(50):
        if rng.random() < 0.25 and dob.day <= 12 and dob.day != dob.month:
            return dob.replace(day=dob.month, month=dob.day)
        i = rng.randrange(4)
        candidate = text[:i] + rng.choice("0123456789".replace(text[i], "")) + text[i + 1:]
        try:
            return dt.date(dob.year, int(candidate[2:]), int(candidate[:2]))
        except ValueError:
            continue
    return dob


def make_quarter(households: int, seed: int, rates: Rates) -> Quarter:
    rng = random.Random(seed)
    q = Quarter()
    serials: dict[tuple[str, dt.date], int] = {}

    def issue(kecamatan: str, dob: dt.date, sex: str) -> str:
        # The serial numbers the people born that day in that kecamatan; others (not listed) took some of them.
        serials[kecamatan, dob] = serials.get((kecamatan, dob), 0) + rng.choice((1, 1, 1, 2, 3))
        return nik_for(kecamatan, dob, sex, serials[kecamatan, dob])

    def day(lo: int, hi: int) -> dt.date:
        return dt.date(rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28))

    listed: list[Person] = []
    unlisted_deaths: list[tuple[Person, str]] = []
    for h in range(households):
        kel = rng.choice(KELURAHAN)
        kecamatan = kel[0][:6]
        kk = f"{kecamatan}{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(5, 24):02d}{h + 1:04d}"
        home = dict(kelurahan=kel, kk=kk, alamat=f"{rng.choice(STREETS)} NO. {rng.randint(1, 120)}",
                    rt=f"{rng.randint(1, 12):03d}", rw=f"{rng.randint(1, 9):03d}")
        last = rng.choice(LAST)

        def person(i: int, first: str, sex: str, dob: dt.date, hubungan: str, home=home, last=last,
                   kecamatan=kecamatan, h=h) -> Person:
            # The NIK is issued where the person was first registered: mostly here.
            region = kecamatan if rng.random() < 0.8 else rng.choice(KELURAHAN)[0][:6]
            p = Person(f"h{h}p{i}", first, last, dob, sex, issue(region, dob, sex), hubungan=hubungan, **home)
            q.persons[p.key] = p
            return p

        head_sex = rng.choice("LLP")
        head = person(0, rng.choice(FIRST_L if head_sex == "L" else FIRST_P), head_sex, day(1940, 1985),
                      "KEPALA KELUARGA")
        members = [head]
        if rng.random() < 0.7:
            sex = "P" if head_sex == "L" else "L"
            members.append(person(1, rng.choice(FIRST_L if sex == "L" else FIRST_P), sex, day(1940, 1988),
                                  "ISTRI" if sex == "P" else "SUAMI"))
        for i in range(rng.choice((0, 1, 2, 3))):
            sex = rng.choice("LP")
            taken = {m.first for m in members}
            first = rng.choice([n for n in (FIRST_L if sex == "L" else FIRST_P) if n not in taken])
            members.append(person(2 + i, first, sex, day(max(head.dob.year + 18, 1990), 2020), "ANAK"))
        if len(members) > 1 and members[-1].hubungan == "ANAK" and rng.random() < rates.twins:
            # Born the same day in the same kecamatan: serials one apart. The twin is not listed and died.
            child = members[-1]
            a, b = rng.choice(TWIN_NAMES[child.sex])
            child.first = a
            region = child.nik[:6]
            serials[region, child.dob] += 1
            twin = Person(f"h{h}t", b, last, child.dob, child.sex,
                          nik_for(region, child.dob, child.sex, serials[region, child.dob]), hubungan="ANAK", **home)
            q.persons[twin.key] = twin
            unlisted_deaths.append((twin, "twin"))
            q.decoys[child.key] = "twin_died"
            q.twin_of[child.key] = twin.key
        listed += members

    # Born the same day and first registered in the same kecamatan as someone of another household: NIKs whose
    # serials are adjacent, one registry slip apart.
    neighbours: dict[str, Person] = {}
    for p in listed:
        if p.key in neighbours or p.key in q.decoys or rng.random() >= rates.same_day:
            continue
        o = next((o for o in rng.sample(listed, 40) if o.sex == p.sex and o.kk != p.kk and o.key not in neighbours
                  and o.key not in q.decoys and abs(o.dob.year - p.dob.year) < 8), None)
        if o is not None:
            o.dob, o.nik = p.dob, issue(p.nik[:6], p.dob, p.sex)
            neighbours[p.key], neighbours[o.key] = o, p

    for p in list(listed):
        if p.key not in q.decoys and p.key not in neighbours and rng.random() < rates.namesake_died:
            # A namesake born the same day, registered in another kecamatan (or, rarely, the same one).
            same = rng.random() < rates.namesake_same_kecamatan / rates.namesake_died
            region = p.nik[:6] if same else rng.choice([k[0][:6] for k in KELURAHAN if k[0][:6] != p.nik[:6]])
            other = Person(f"{p.key}n", p.first, p.last, p.dob, p.sex, issue(region, p.dob, p.sex),
                           kelurahan=rng.choice(KELURAHAN), kk="", alamat="", rt="", rw="", hubungan="")
            q.persons[other.key] = other
            unlisted_deaths.append((other, "namesake"))
            q.decoys[p.key] = "namesake_died_same_kecamatan" if same else "namesake_died_elsewhere"

    # Each listed person's list rows, and what their registry record (if any) gets wrong.
    list_nik: dict[str, list[str]] = {}
    list_dob: dict[str, str | None] = {}
    for p in listed:
        if p.key in q.decoys:
            status = None
        else:
            r = rng.random()
            cut = [rates.died, rates.moved_out, rates.moved_within, rates.deactivated]
            status = next((s for s, c in zip(("MENINGGAL", "PINDAH_KELUAR", "PINDAH_DALAM_DKI", "NONAKTIF"),
                                             [sum(cut[:i + 1]) for i in range(4)]) if r < c), None)
        n_rows = rng.choice((1, 1, 2, 2, 3))
        niks = [p.nik] * n_rows
        errors: set[str] = set()
        if status:
            r = rng.random()
            if r < rates.list_nik_edit:
                niks, errors = [nik_edit(rng, p.nik, rates.transposition)] * n_rows, {"list_nik_edit"}
            elif n_rows > 1 and r < rates.list_nik_edit + rates.row_nik_edit:
                niks[rng.randrange(n_rows)] = nik_edit(rng, p.nik, rates.transposition)
                errors = {"row_nik_edit"}
            elif r < rates.list_nik_edit + rates.row_nik_edit + rates.registry_nik_edit:
                errors = {"registry_nik_edit"}
            if p.key in neighbours and rng.random() < rates.registry_nik_neighbour:
                niks, errors = [p.nik] * n_rows, {"registry_nik_neighbour"}
                neighbours.pop(neighbours[p.key].key)  # one slip per pair: two that cross are not modelled
        undated = bool(status) and rng.random() < rates.list_undated
        if undated:
            errors.add("list_undated")
        list_nik[p.key], list_dob[p.key] = niks, None if undated else p.dob.strftime("%d-%m-%Y")
        if p.nik not in niks or len(set(niks)) > 1:
            q.list_nik_edited.add(p.key)
        if status:
            registry_nik = (nik_edit(rng, p.nik, rates.transposition) if "registry_nik_edit" in errors
                            else neighbours[p.key].nik if "registry_nik_neighbour" in errors else p.nik)
            q.events.append(Event(p.key, "dukcapil_kematian" if status == "MENINGGAL" else "dukcapil_pindah",
                                  status, frozenset(errors), registry_nik))
    for p, why in unlisted_deaths:
        q.events.append(Event(p.key, "dukcapil_kematian", "MENINGGAL", frozenset({why}), p.nik))

    for p in listed:
        for n, nik in enumerate(list_nik[p.key]):
            source = ("dtks", "carik")[n] if n < 2 else rng.choice(("dtks", "carik"))
            _, kel, kec, kota = p.kelurahan
            sex = ("LAKI-LAKI" if p.sex == "L" else "PEREMPUAN") if source == "dtks" else (
                "Laki-laki" if p.sex == "L" else "Perempuan")
            dob = list_dob[p.key] or ""
            if source == "dtks":
                row = [f"ART8{len(q.rows['dtks']) + 1:011d}", "DKI JAKARTA", f"KOTA ADM. {kota}", kec, kel, p.alamat,
                       p.rt, p.rw, p.kk, nik, p.nama, dob, "JAKARTA", sex, "", p.hubungan, "PKH"]
            else:
                row = [p.kk, nik, p.nama.title(), sex, "JAKARTA", dob, p.hubungan, p.alamat.title(), p.rt.lstrip("0"),
                       p.rw.lstrip("0"), kel.title(), kec.title(), kota.title(), "Melati 1"]
            q.rows[source].append(row)
            q.row_person[source, len(q.rows[source])] = p.key

    for event in q.events:
        p = q.persons[event.person]
        nama = p.nama
        errors = set(event.errors)
        if rng.random() < rates.registry_name_typo:
            nama, errors = name_typo(rng, nama), errors | {"registry_name_typo"}
        event.typed_name = nama
        if rng.random() < rates.old_spelling:
            spelt = old_spelling(rng, nama)
            if spelt != nama:
                kh = "CH" in spelt and "CH" not in nama
                nama, errors = spelt, errors | {"old_spelling_kh" if kh else "old_spelling"}
        if rng.random() < rates.title:
            nama, errors = ("H. " if p.sex == "L" else "HJ. ") + nama, errors | {"title"}
        event.errors = frozenset(errors)
        nik = event.registry_nik
        if event.file == "dukcapil_kematian":
            dob = p.dob
            if rng.random() < rates.registry_dob_typo:
                dob = dob_typo(rng, dob)
                event.errors |= {"registry_dob_typo"} if dob != p.dob else set()
            died = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(2372))  # to 2025-06-29
            q.rows["dukcapil_kematian"].append([nik, nama, dob.strftime("%d-%m-%Y"), died.isoformat(),
                                                f"3175-KM-{died:%d%m%Y}-{len(q.rows['dukcapil_kematian']) + 1:04d}"])
            event.row = len(q.rows["dukcapil_kematian"])
        else:
            moved = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(900))
            klasifikasi, tujuan = {"PINDAH_KELUAR": ("5", "3273"), "PINDAH_DALAM_DKI": ("3", "3174051001"),
                                   "NONAKTIF": ("", "")}[event.status]
            q.rows["dukcapil_pindah"].append([nik, nama, moved.isoformat(), klasifikasi, tujuan, event.status])
            event.row = len(q.rows["dukcapil_pindah"])
    return q
