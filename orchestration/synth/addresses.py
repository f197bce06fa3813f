"""Street addresses and the ways each source writes them."""

from __future__ import annotations

import numpy as np

STREETS = tuple(
    s.strip().upper()
    for s in """
    Mawar, Melati, Kenanga, Anggrek, Dahlia, Kamboja, Flamboyan, Cempaka, Kemuning, Sawo, Duku, Rambutan,
    Mangga, Nangka, Jambu, Salak, Kelapa, Bambu, Beringin, Kebon Jeruk, Kebon Kacang, Kebon Sirih,
    Kebon Pala, Kramat, Pisangan, Rawa Buaya, Rawa Belong, Cipinang, Kalibata, Pejaten, Kemang, Manggarai,
    Salemba, Gunung Sahari, Mangga Besar, Petojo, Karet, Bendungan Hilir, Slipi, Tomang, Jelambar, Duri,
    Angke, Pekojan, Muara Baru, Kali Adem, Warakas, Sunter, Kebon Bawang, Plumpang, Tugu, Semper, Marunda,
    Pulo Gebang, Pondok Kelapa, Klender, Bidara Cina, Kampung Melayu, Cawang, Cililitan, Condet, Cibubur,
    Kalisari, Lenteng Agung, Srengseng Sawah, Ciganjur, Ulujami, Bintaro, Petukangan, Cipulir, Gandaria,
    Pondok Pinang, Haji Saaman, Haji Naman, H. Dogol, Haji Darip, Mpok Nori, H. Bokir, Swadaya, Masjid,
    Mushola, Pelita, Damai, Sejahtera, Merdeka, Kampung Baru, Kampung Bali, Persatuan, Keadilan,
    Gotong Royong, Budi Utomo, Kartini, Pemuda, Perintis Kemerdekaan, Dewi Sartika, Otista, Pembangunan,
    Inpres, Manunggal, Setia Kawan, Swasembada, Kayu Manis, Kayu Putih, Kelapa Dua, Bangau, Belibis,
    Cendrawasih, Merpati, Kutilang, Nuri, Rajawali, Elang, Garuda, Haji Ung, Haji Jian, Haji Ten, Kober,
    Pedati, Bhakti, Utan Kayu, Utan Panjang, Batu Ampar, Jati, Jati Bunder, Jatibaru, Tanah Tinggi, Galur,
    Kemayoran Gempol, Serdang, Sumur Batu, Cempaka Baru, Bungur, Kwitang, Paseban, Johar, Rawa Sari,
    Pramuka, Pasar Rumput, Menteng Dalam, Tebet Timur, Saharjo, Minangkabau, Pancoran Barat, Duren Tiga,
    Rawa Jati, Kalibata Tengah, Pengadegan, Mampang, Tegal Parang, Kuningan Barat, Setiabudi Tengah,
    Guru Mughni, Bangka, Wijaya, Pakubuwono, Radio Dalam, Cipete, Fatmawati, Abdul Majid, Warung Buncit,
    Ragunan, Cilandak, Pinang, Ciledug Raya, Kreo, Joglo, Meruya Ilir, Srengseng, Kembangan,
    Pos Pengumben, Sukabumi Ilir, Kemanggisan, Anggrek Cakra, Palmerah Barat, Tanah Sereal, Jembatan Besi,
    Jembatan Lima, Kalianyar, Kerendang, Krukut, Mangga Dua, Pinangsia, Pekapuran, Kapuk, Kamal,
    Tegal Alur, Semanan, Kosambi, Cengkareng, Rawa Lele, Bojong, Tanjung Duren, Kebon Kosong, Lagoa,
    Kebon Baru, Rawa Badak, Tipar Cakung, Cakung Barat, Ujung Menteng, Pulo Jahe, Rawamangun, Pemuda Asli,
    Balai Pustaka, Velodrom, Pisangan Lama, Pondok Bambu, Malaka, Duren Sawit, Kalimalang, Halim,
    Pinang Ranti, Bambu Apus, Setu, Ceger, Munjul, Lubang Buaya, Pondok Rangon, Kampung Rambutan, Gedong,
    Baru, Tengah, Susukan, Rambutan
""".replace("\n", " ").split(",")
)
_SUFFIXES_JL = ("", "", "", "RAYA", "DALAM", "I", "II", "III", "BARAT", "TIMUR", "UTARA", "SELATAN", "BARU")
_SUFFIXES_GG = ("",) + tuple("I II III IV V VI VII VIII IX X XI XII BUNTU MASJID".split())
_ROMAN = frozenset(("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"))
_KOMPLEKS = ("PERTAMINA", "DKI", "PEMDA", "BULOG", "PLN", "TNI AL", "POLRI", "DEPKES", "BPK", "MARINIR")
_RUSUN = tuple(
    name.strip()
    for name in """MARUNDA, PULO GEBANG, CIPINANG BESAR, JATINEGARA KAUM, PESAKIH, KOMARUDIN, TAMBORA,
    KAPUK MUARA, BENHIL, KARET TENGSIN, PINUS ELOK, RAWA BEBEK, FLAMBOYAN, BUDHA TZU CHI""".split(",")
)

# Writing styles: 0 "JL. MAWAR NO. 12", 1 "Jl. Mawar No. 12", 2 "Jalan Mawar 12", 3 "JL MAWAR NO 12",
# 4 "Jl. Mawar No.12 RT 003/RW 005".
_KIND_WORDS = {  # per style: JL, GG, KP, KOMP, RUSUN
    0: ("JL.", "GG.", "KP.", "KOMP.", "RUSUN"),
    1: ("Jl.", "Gg.", "Kp.", "Komp.", "Rusun"),
    2: ("Jalan", "Gang", "Kampung", "Kompleks", "Rusunawa"),
    3: ("JL", "GG", "KP", "KOMP", "RUSUN"),
    4: ("Jl.", "Gg.", "Kp.", "Komp.", "Rusun"),
}


def _street(kind: int, u: float) -> tuple[str, str]:
    if kind == 3:
        return _KOMPLEKS[int(u * len(_KOMPLEKS))], ""
    if kind == 4:
        return _RUSUN[int(u * len(_RUSUN))], ""
    street = STREETS[int(u * len(STREETS))]
    suffixes = _SUFFIXES_GG if kind == 1 else _SUFFIXES_JL
    return street, suffixes[int(u * 7919) % len(suffixes)]


def render(kind: np.ndarray, u: np.ndarray, rt: np.ndarray, rw: np.ndarray, style: np.ndarray) -> np.ndarray:
    """Address lines per row from the household's address draws and a writing style per row."""
    out = np.empty(len(kind), dtype=object)
    for i, (k, us, un, r_t, r_w, st) in enumerate(
        zip(
            kind.tolist(),
            u[:, 0].tolist(),
            u[:, 2].tolist(),
            rt.tolist(),
            rw.tolist(),
            style.tolist(),
            strict=True,
        )
    ):
        street, suffix = _street(k, us)
        if st in (1, 2, 4):
            # Roman numerals of alley numbers keep their capitals in mixed case ("Gg. Haji Saaman III").
            street = street.title()
            suffix = suffix if suffix in _ROMAN else suffix.title()
        name = f"{street} {suffix}" if suffix else street
        number = 1 + int(un**2 * 150)
        word = _KIND_WORDS[st][k]
        if k == 3:
            blok = "ABCDEFGH"[int(un * 8000) % 8]
            line = f"{word} {name} Blok {blok}{'/' if st == 2 else ' No. '}{number}"
        elif k == 4:
            line = (
                f"{word} {name} Blok {'ABCDEF'[int(un * 6000) % 6]} Lt. {1 + int(un * 50) % 5} No. {number}"
            )
        elif st == 2:
            line = f"{word} {name} {number}"
        elif st == 3:
            line = f"{word} {name} NO {number}"
        else:
            line = f"{word} {name} No.{'' if st == 4 else ' '}{number}"
        if st == 4:
            line += f" RT {r_t:03d}/RW {r_w:03d}"
        out[i] = line.upper() if st in (0, 3) else line
    return out
