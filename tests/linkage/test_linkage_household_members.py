"""Two members of one household (or two people under one NIK in two households) the model alone would merge, and
one person listed twice it must still join.

The rows are hand-built from the error kinds found row by row in the 200,000-person quarter (docs/linkage.md), with
names, NIKs and households of their own; each case lives in its own kelurahan, KK and birth date.
"""

from __future__ import annotations

import pytest

from orchestration.linkage.model import load_model
from orchestration.linkage.predict import link
from tests.linkage.test_linkage_predict import cluster_of, row, table

ROWS = [
    # (t) twins of opposite sex, names one letter apart, in DTKS and CARIK; the boy's NIK unreadable in both.
    row("t1", "dtks", "3172026601200001", "KENZI NUGROHO", "2020-01-26", "P", "3172021002", "3172021801150001",
        "JL CEMPAKA 1"),
    row("t2", "dtks", None, "KENZO NUGROHO", "2020-01-26", "L", "3172021002", "3172021801150001", "JL CEMPAKA 1"),
    row("t3", "carik", "3172026601200001", "KENZI NUGROHO", "2020-01-26", "P", "3172021002", "3172021801150001",
        "JL CEMPAKA 1"),
    row("t4", "carik", None, "KENZO NUGROHO", "2020-01-26", "L", "3172021002", "3172021801150001", "JL CEMPAKA 1"),
    # (u) twin girls one letter apart in one CARIK roster, the second under her father's NIK.
    row("u1", "carik", "3171076809240001", "FARIDA RUKMINI", "2024-09-28", "P", "3171071003", "3171070908200001",
        "JL SAWO 7"),
    row("u2", "carik", "3171071006720001", "FARIDI RUKMINI", "2024-09-28", "P", "3171071003", "3171070908200001",
        "JL SAWO 7"),
    # (m) mother and daughter in one roster, whole names 0.95 alike, the daughter's NIK a placeholder (null).
    row("m1", "carik", "3174025208530001", "SITI RAHMA ALKAFF", "1953-08-12", "P", "3174021007", "3174020909100001",
        "KP KELAPA DUA 1"),
    row("m2", "carik", None, "SITI AMINA ALKAFF", "1989-06-23", "P", "3174021007", "3174020909100001",
        "KP KELAPA DUA 1"),
    # (b) brothers born the same day in one roster, the second under the first's NIK, names unrelated.
    row("b1", "carik", "3174011906200001", "RAHMAT IBRAHIM UMAR", "2020-06-19", "L", "3174011003", "3174011907220001",
        "JL NANAS 3"),
    row("b2", "carik", "3174011906200001", "DAFFA NUGRAHA ADITYA", "2020-06-19", "L", "3174011003",
        "3174011907220001", "JL NANAS 3"),
    # (w) a wife under her husband's NIK, born a day from him, in P3KE (no KK) in one kelurahan.
    row("w1", "p3ke", "3174062207840001", "ALI HUSEIN", "1984-07-22", "L", "3174061006", None, "JL JERUK 9"),
    row("w2", "p3ke", "3174062207840001", "ENAH KHADIJAH KURAESIN", "1984-07-26", "P", "3174061006", None,
        "JL JERUK 9"),
    # (n) namesakes born the same day in other households and kelurahan, the second under a borrowed NIK.
    row("n1", "dtks", "3174056503150001", "LENI YULIAWATI ROSDIANA", "2015-03-25", "P", "3174051003",
        "3174050109080022", "JL APEL 4"),
    row("n2", "carik", "3208270208820001", "LENI YULIAWATI ROSDIANA", "2015-03-25", "P", "3173061005",
        "3173060501240001", "JL SALAK 11", "004/006"),
    # (a) one person listed twice in one CARIK roster under their NIK, the first name abbreviated once.
    row("a1", "carik", "1175050401580001", "A SAHARUDDIN UMAR", "1958-01-04", "L", "3171011004", "3171012411180001",
        "JL DELIMA 5"),
    row("a2", "carik", "1175050401580001", "AHMAD SAHARUDDIN UMAR", "1958-01-04", "L", "3171011004",
        "3171012411180001", "JL DELIMA 5"),
    # (s) one child in DTKS and CARIK, the name spelt two ways, the CARIK row's NIK unreadable.
    row("s1", "dtks", "3175064107180001", "NAYLA PUTRI", "2018-07-01", "P", "3175061002", "3175060303150002",
        "JL DUREN 2"),
    row("s2", "carik", None, "NAILA PUTRI", "2018-07-01", "P", "3175061002", "3175060303150002", "JL DUREN 2"),
    # (f) a father and son of one name in one CARIK roster, the father's NIK unreadable: name and KK outweigh birth
    # dates 37 years apart.
    row("f1", "carik", None, "HENDRA WIJAYA", "1975-03-14", "L", "3171051002", "3171051203100004", "JL MELATI 12"),
    row("f2", "carik", "3171053008120001", "HENDRA WIJAYA", "2012-08-30", "L", "3171051002", "3171051203100004",
        "JL MELATI 12"),
    # (y) twin boys one letter apart in one CARIK roster, one twin's KK invalid, the other's NIK unreadable.
    row("y1", "carik", "3174080905160001", "RAKA PUTRA SIREGAR", "2016-05-09", "L", "3174081004", None, "GG MAWAR 3"),
    row("y2", "carik", None, "RAKI PUTRA SIREGAR", "2016-05-09", "L", "3174081004", "3174081707150002", "GG MAWAR 3"),
    # (o) twins of opposite sex one letter apart in one CARIK roster, neither NIK readable.
    row("o1", "carik", None, "RIZKY PUTRA HARAHAP", "2019-11-02", "L", "3172041005", "3172040411180003", "JL KENARI 8"),
    row("o2", "carik", None, "RIZKY PUTRI HARAHAP", "2019-11-02", "P", "3172041005", "3172040411180003", "JL KENARI 8"),
    # (d) one person listed twice in one CARIK roster without a readable NIK, the name mistyped once.
    row("d1", "carik", None, "SUPRIYADI HAMZAH", "1980-02-11", "L", "3173051003", "3173052206090001", "JL NURI 4"),
    row("d2", "carik", None, "SUPRIADI HAMZAH", "1980-02-11", "L", "3173051003", "3173052206090001", "JL NURI 4"),
    # (c) two men born the same day in one kelurahan, other households: the NIKs differ only in the serial, and a
    # typo in the serial of B's CARIK row gives it A's NIK (found 43 times at 10M rows, docs/linkage.md).
    row("c1", "dtks", "3174071504850001", "HENDRA GUNAWAN", "1985-04-15", "L", "3174071005", "3174071203100001",
        "JL SEMANGKA 4"),
    row("c2", "carik", "3174071504850001", "HENDRA GUNAWAN", "1985-04-15", "L", "3174071005", "3174071203100001",
        "JL SEMANGKA 4"),
    row("c3", "dtks", "3174071504850002", "YUSUF RAMADHAN", "1985-04-15", "L", "3174071005", "3174072208110003",
        "JL DUKU 9"),
    row("c4", "carik", "3174071504850001", "YUSUF RAMADHAN", "1985-04-15", "L", "3174071005", "3174072208110003",
        "JL DUKU 9"),
    # (v) one woman under her NIK in two households of one kelurahan (she moved, a new KK), the name longer in one.
    row("v1", "dtks", "3171035507900001", "SITI AMINAH", "1990-07-15", "P", "3171031004", "3171030101150004",
        "JL BELIMBING 2"),
    row("v2", "carik", "3171035507900001", "SITI AMINAH ZAHRA", "1990-07-15", "P", "3171031004", "3171031510200002",
        "JL MANGGIS 6"),
]
# Each case: the rows that must end in one cluster each.
PEOPLE = {
    "t": [{"t1", "t3"}, {"t2", "t4"}],
    "u": [{"u1"}, {"u2"}],
    "m": [{"m1"}, {"m2"}],
    "b": [{"b1"}, {"b2"}],
    "w": [{"w1"}, {"w2"}],
    "n": [{"n1"}, {"n2"}],
    "a": [{"a1", "a2"}],
    "s": [{"s1", "s2"}],
    "f": [{"f1"}, {"f2"}],
    "y": [{"y1"}, {"y2"}],
    "o": [{"o1"}, {"o2"}],
    "d": [{"d1", "d2"}],
    "c": [{"c1", "c2"}, {"c3", "c4"}],
    "v": [{"v1", "v2"}],
}


def _linked(rows: list[dict], temp_dir) -> dict[str, str]:
    """Each row's cluster_id."""
    return cluster_of(link(table(rows), load_model(), temp_dir=temp_dir))


@pytest.fixture(scope="module")
def clusters(tmp_path_factory) -> dict[str, str]:
    return _linked(ROWS, tmp_path_factory.mktemp("splink"))


@pytest.mark.parametrize("case", sorted(PEOPLE))
def test_each_person_is_one_cluster_and_nobody_else(clusters, case):
    """(t, u, m, b, f, y, o) household members, (w) a wife under her husband's NIK, (n) namesakes and (c) a NIK
    shared by a serial typo stay apart; (a, s, d, v) one person listed twice joins."""
    found = {}
    for uid in (r["unique_id"] for r in ROWS if r["unique_id"].startswith(case)):
        found.setdefault(clusters[uid], set()).add(uid)
    assert sorted(map(sorted, found.values())) == sorted(map(sorted, PEOPLE[case]))


def test_the_apart_cases_were_linked_by_the_model_before_the_split(tmp_path, monkeypatch):
    """The household cases mean something only if Splink alone links them: the cannot-link step is what parts them."""
    from orchestration.linkage import predict

    monkeypatch.setattr(predict, "split_clusters_holding_twins", lambda con, pairs, threshold: 0)
    merged = _linked([r for r in ROWS if r["unique_id"][0] in "tumbfyoc"], tmp_path)
    for case in "tumbfyoc":
        assert len({merged[uid] for uid in merged if uid.startswith(case)}) == 1, case
