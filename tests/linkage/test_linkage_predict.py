"""Clustering hand-built rows with the committed model: the cases the model is reviewed for, and determinism."""

from __future__ import annotations

import random

import duckdb
import pyarrow as pa
import pytest

from orchestration.linkage.model import load_model
from orchestration.linkage.predict import LinkResult, link, link_records, scratch_beside

# The columns of int_persons__for_linkage, all text as dbt writes them.
SCHEMA = pa.schema([(c, pa.string()) for c in (
    "unique_id", "source", "nik", "nama_match", "first_name", "last_name", "tanggal_lahir", "jenis_kelamin",
    "kode_kelurahan", "no_kk", "alamat", "rt_rw")])


def row(uid: str, source: str, nik: str | None, nama: str, dob: str | None, sex: str, kel: str | None,
        kk: str | None, alamat: str, rt_rw: str = "001/002") -> dict:
    """One linkage row; first and last name derived from nama_match as the dbt model does."""
    words = nama.split(" ")
    return {"unique_id": uid, "source": source, "nik": nik, "nama_match": nama, "first_name": words[0],
            "last_name": words[-1], "tanggal_lahir": dob, "jenis_kelamin": sex, "kode_kelurahan": kel,
            "no_kk": kk, "alamat": alamat, "rt_rw": rt_rw}


# Synthetic people whose NIKs follow the structure (region, birth date with +40 for women, serial). Each case lives
# in its own kelurahan, KK and birth date, so no pair across cases is even blocked together.
ROWS = [
    # (a) one person in DTKS and CARIK, equal NIK, the name spelt two ways.
    row("a1", "dtks", "3175011203900001", "MUHAMMAD RIZKI", "1990-03-12", "L", "3175011001", "3175010101200001",
        "JL MAWAR 12"),
    row("a2", "carik", "3175011203900001", "MUHAMMAD RISKI", "1990-03-12", "L", "3175011001", "3175010101200001",
        "JL MAWAR 12"),
    # (b) twins: one household and birth date, consecutive serials, other names.
    row("b1", "dtks", "3174050505100001", "ANDI PRATAMA", "2010-05-05", "L", "3174051002", "3174050202150003",
        "JL KENANGA 3"),
    row("b2", "dtks", "3174050505100002", "BAGUS SAPUTRA", "2010-05-05", "L", "3174051002", "3174050202150003",
        "JL KENANGA 3"),
    # (c) namesakes born the same day, registered in other kecamatan, other KK and address.
    row("c1", "dtks", "3172024508780005", "SITI NURHALIZA", "1978-08-05", "P", "3172021002", "3172020303100004",
        "JL AGUNG 3"),
    row("c2", "carik", "3173034508780011", "SITI NURHALIZA", "1978-08-05", "P", "3173031005", "3173030404120007",
        "JL SEMANGKA 8", "005/001"),
    # (d) one person whose NIK was mistyped in one serial digit in one list.
    row("d1", "dtks", "3171062107750004", "AHMAD FAUZI", "1975-07-21", "L", "3171061003", "3171060505110002",
        "JL DUKU 4"),
    row("d2", "carik", "3171062107750005", "AHMAD FAUZI", "1975-07-21", "L", "3171061003", "3171060505110002",
        "JL DUKU 4"),
    # (e) parent and child with one first name; their NIKs differ in one year digit (85 / 15).
    row("e1", "dtks", "3175031203850001", "BUDI SANTOSO", "1985-03-12", "L", "3175031004", "3175030606140005",
        "JL MELATI 9"),
    row("e2", "dtks", "3175031203150001", "BUDI PRATAMA", "2015-03-12", "L", "3175031004", "3175030606140005",
        "JL MELATI 9"),
    # (f) namesakes born the same day and registered one after the other in one kecamatan (NIKs one serial apart),
    # living in one kelurahan under two KKs: the NIK typo level must not take them for one mistyped NIK.
    row("f1", "dtks", "3175015506850007", "SITI AMINAH", "1985-06-15", "P", "3175011002", "3175010202200011",
        "JL MANGGIS 12"),
    row("f2", "carik", "3175015506850008", "SITI AMINAH", "1985-06-15", "P", "3175011002", "3175010909190009",
        "JL MELATI 40", "007/003"),
    # A P3KE-like row with no NIK, birth date, KK or kelurahan: must be scored without error and stay alone.
    row("h1", "p3ke", None, "JOKO SUSILO", None, "L", None, None, "GG H SAAMAN 5"),
]
CASES = {"a": True, "b": False, "c": False, "d": True, "e": False, "f": False}


def table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def cluster_of(result: LinkResult) -> dict[str, str]:
    return dict(zip(result.clusters.column("unique_id").to_pylist(), result.clusters.column("cluster_id").to_pylist()))


@pytest.fixture(scope="module")
def model():
    return load_model()


@pytest.fixture(scope="module")
def linked(model, tmp_path_factory) -> LinkResult:
    return link(table(ROWS), model, temp_dir=tmp_path_factory.mktemp("splink"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_case_clusters(linked, case):
    """(a) name variant and (d) NIK typo join; (b) twins, (c, f) namesakes, (e) parent and child stay apart."""
    clusters = cluster_of(linked)
    assert (clusters[f"{case}1"] == clusters[f"{case}2"]) is CASES[case]


def test_every_case_pair_was_scored(linked):
    """The 'apart' cases mean something only if their pair was blocked and scored: exactly one pair per case."""
    assert linked.comparisons == len(CASES)


def test_result_figures(linked, model):
    """Row, pair and cluster-size figures agree with the clusters."""
    clusters = cluster_of(linked)
    assert linked.rows == len(ROWS) == len(clusters)
    assert clusters["h1"] == "h1"
    assert linked.pairs_linked == sum(CASES.values())
    assert linked.cluster_sizes == {1: len(ROWS) - 2 * sum(CASES.values()), 2: sum(CASES.values())}
    assert linked.people == len(set(clusters.values()))
    assert linked.largest_cluster == 2 <= model.max_cluster_size
    assert linked.clusters.column_names == ["unique_id", "cluster_id"]


def test_linking_twice_gives_identical_clusters(linked, model, tmp_path):
    """A rerun of the quarter gives the same clusters, ids included."""
    again = link(table(ROWS), model, temp_dir=tmp_path)
    assert again.clusters.equals(linked.clusters)
    assert (again.comparisons, again.pairs_linked, again.cluster_sizes) == (
        linked.comparisons, linked.pairs_linked, linked.cluster_sizes)


def test_input_order_does_not_change_clusters(linked, model, tmp_path):
    """Rows arriving in another order give the same clusters, ids included."""
    shuffled = ROWS.copy()
    random.Random(20251).shuffle(shuffled)
    assert [r["unique_id"] for r in shuffled] != [r["unique_id"] for r in ROWS]
    assert link(table(shuffled), model, temp_dir=tmp_path).clusters.equals(linked.clusters)


def test_the_warehouse_order_gives_the_clusters_and_ids_of_a_sorted_copy(linked, model, tmp_path):
    """The linkage step copies its input unsorted (scratch_beside, ordered=False): rows out of unique_id order in
    the warehouse give the same clusters and person ids as the sorted copy."""
    shuffled = ROWS.copy()
    random.Random(20252).shuffle(shuffled)
    warehouse = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    warehouse.register("shuffled", table(shuffled))
    warehouse.execute("create schema intermediate")
    warehouse.execute("create table intermediate.int_persons__for_linkage as select * from shuffled")
    warehouse.unregister("shuffled")
    shuffled_ids = [r["unique_id"] for r in shuffled]
    people = {}
    for ordered in (True, False):
        with scratch_beside(warehouse, "intermediate.int_persons__for_linkage", tmp_path / "spill",
                            ordered=ordered) as scratch:
            copied = [uid for uid, in scratch.execute("select unique_id from records").fetchall()]
            assert copied == (sorted(shuffled_ids) if ordered else shuffled_ids)
            link_records(scratch, model, quarter="2025Q2", key_secret=b"k" * 40)
            people[ordered] = scratch.execute(
                "select unique_id, cluster_id, person_id from clusters order by unique_id").fetchall()
    warehouse.close()
    assert people[False] == people[True]
    assert [(u, c) for u, c, _ in people[False]] == list(zip(*linked.clusters.to_pydict().values()))
