"""Indonesian name pools, name composition and the name variants found in the lists."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np


def _words(text: str) -> tuple[str, ...]:
    """Pool from a whitespace-separated block of one-word names."""
    return tuple(w.upper() for w in text.split())


@dataclass(frozen=True)
class NameStyle:
    """Pools and habits of one naming tradition."""

    male_first: tuple[str, ...]
    male_second: tuple[str, ...]
    female_first: tuple[str, ...]
    female_second: tuple[str, ...]
    family: tuple[str, ...] = ()
    family_share: float = 0.0  # people of this group who carry the family name
    prefix_male: float = 0.0  # share of men named Muhammad/Ahmad/Abdul ...
    prefix_female: float = 0.0  # share of women named Siti/Nur ...
    three_words: float = 0.35


_ISLAMIC_MALE_SECOND = """Hidayat Rahman Hakim Ramadhan Maulana Firmansyah Hamzah Yusuf Ismail Ibrahim
    Syahputra Fauzi Hasan Husein Nurdin Kurniawan Saputra Rizal Effendi Syarifudin Jaelani Kosasih Sanusi
    Iskandar Zakaria Arifin Hasanudin Junaedi Abdullah Mansyur Syamsudin Rohman Sobari Fadillah Solihin
    Mahmud Salim Anwar Harun Umar Usman Zainudin Bahri Suhendar Latif Maksum Thohir Mukhlis Nasrullah Hafidz
    Syukur Rosyid"""
_ISLAMIC_FEMALE_SECOND = """Nurhayati Hasanah Aminah Fatimah Rahmawati Hidayati Komariah Maryam Nurjanah
    Khadijah Aisyah Rohmah Rahmah Lestari Wahyuni Rukmini Halimah Zubaedah Mardiyah Sholihah Hamidah Latifah
    Mutmainah Nuraini Zulaikha Umayah Salamah Marfuah Hafsah Saodah Kuraesin Nafisah Rohani Muawanah Zaenab
    Jamilah"""

STYLES: dict[str, NameStyle] = {
    "betawi": NameStyle(
        male_first=_words("""Abdul Ahmad Ali Amat Bokir Mandra Rojali Sabeni Mamat Jaelani Muhidin Sarmili
            Saaman Madih Rohim Nasir Husin Sanusi Maman Mursid Salim Sueb Darip Naman Ridwan Syarif Munir
            Zakaria Rahmat Jamal Kosim Somad Mahmud Usman Arsyad Bahrudin Fadli Ismail Junaedi Kadir Marzuki
            Nurdin Rusli Saleh Tohir Wahab Yunus Zulkifli Sarkawi Mansur Mukhtar Nawawi Rais Samsudin
            Syamsul Sukri Subki Thamrin Yahya Abdullah Nasrun Bachtiar Jiih Mirta Sapii Jumadi Rohmat Sarip
            Sanip Mamik Haris Asmat Dulloh Mahfud Misar Ocid Sarbini Jalih Rahim Syafei Tabrani Ucok Zaenal
            Aming Daud Entong Kodir Lukman Matsani Napis Pi'i Ramli Sani Tarmiji Udin Wahid Jamhari Hamdani
            Ishak Jayadi Karim Mali"""),
        male_second=_words(
            _ISLAMIC_MALE_SECOND
            + """ Sulaeman Samanhudi Madani Muhtar Naseh Ridho Sa'ari
            Sahroni Sidik Sukarya Ubaid"""
        ),
        female_first=_words("""Aminah Saamah Maryam Juleha Romlah Mursidah Fatimah Hasanah Rohaya Zubaedah
            Munah Ipah Enah Nurhayati Rosidah Salamah Sarifah Halimah Khodijah Zaenab Rukiah Marfuah Masitoh
            Saodah Sumiati Rohani Aisyah Jubaedah Komariah Badriah Rahmah Hamidah Latifah Nuraini Umi Yuyun
            Atikah Ijah Iroh Jenab Kokom Lela Mimi Nafsiah Odah Popon Rodiah Sanah Titin Uun Wardah Yati
            Zaitun Ani Emah Fauziah Hindun Icih Jamilah Kasmah Lilis Marni Neneng Onah Romsiah Sairah Tuti
            Umayah Wati Zakiah"""),
        female_second=_words(_ISLAMIC_FEMALE_SECOND),
        prefix_male=0.30,
        prefix_female=0.22,
        three_words=0.4,
    ),
    "jawa": NameStyle(
        male_first=_words("""Agus Bambang Budi Joko Slamet Sugeng Supriyadi Sutrisno Wahyu Heru Hadi Eko Dwi
            Tri Suryo Teguh Sukarno Sudarsono Sugiarto Sumarno Sunarto Supardi Suparman Suwarno Tukiman
            Paijo Parno Darmo Kusno Yanto Suyatno Wagiman Harjo Mulyono Sarwono Priyanto Haryanto Darmawan
            Yudi Arief Rudi Andi Wawan Sigit Bayu Adi Aris Edy Fajar Gatot Hendro Imam Iwan Joni Lukman
            Margono Pujo Sapto Triyono Untung Waluyo Yulianto Zainal Sutarjo Legimin Ngatimin Poniman
            Sukirman Sumadi Tumiran Wiryo Subagyo Cahyo Cipto Joyo Harjono Sujarwo Jumadi Wahyudi Suyono
            Tarno Giyanto Kardi Marsono Ngadiman Parjo Rusdi Satimin Tugiyo Wardi Yatno Bowo Catur Danang
            Gunadi Jarwo Kuswanto Mujiono Nanang Purwanto Sarjono Taufik Wiji Yoyok Anang Bagus Dodik Endro
            Gunawan Hartono Ikhsan Jatmiko Kasno"""),
        male_second=_words("""Santoso Widodo Gunawan Prasetyo Purnomo Setiawan Susilo Nugroho Wibowo
            Kurniawan Hartono Haryanto Saputro Pranoto Sulistyo Utomo Suryadi Hidayat Raharjo Sasongko
            Wicaksono Hermawan Sudrajat Suwito Mulyadi Pamungkas Cahyono Setyawan Budiman Kuncoro Prabowo
            Handoko Sutanto Darmadi Sukoco Wardoyo Winarno Yuwono Priyono Riyanto Suroso Triyanto Sugiyanto
            Supriyanto Wijanarko Hariyadi Mujiyanto Subroto Sutopo Wahyono Atmojo Siswanto Purwadi Setiadi
            Sumantri Sudibyo Suparno Sarwoko Mardiyanto Sunaryo Pujianto Rahmanto Kristanto Widiyanto
            Susanto Nurcahyo Budiyono Hadisaputro Martono Suripto Tjahjono Wiyono Joyokusumo Suharyo
            Sudarmanto Hendarto Sukamto"""),
        female_first=_words("""Sri Dewi Endang Tri Ning Sumarni Sumiyati Suparti Sutinah Wartini Yuliani
            Wahyuni Rahayu Lestari Suryani Handayani Kartini Sulastri Supriyati Tukinem Painem Ngatini Parmi
            Sarmi Tumini Warsini Murni Ratna Retno Rini Ani Ayu Dyah Endah Indah Kurniasih Puji Purwanti
            Setyowati Sundari Suwarni Tatik Umi Wulandari Yanti Yuni Winarsih Sumirah Juminten Sukinah
            Sriyati Rustini Darsih Kasiyem Ngadinah Sujiati Jumirah Tarni Wagini Sumini Partini Nanik Ninik
            Siswati Sutarmi Watini Yatmi Eny Erna Harni Indri Kustini Lilik Mujiati Nur Rukmini Samini
            Tuginem Warni Yayuk Astuti"""),
        female_second=_words("""Wahyuni Rahayu Lestari Suryani Handayani Wulandari Setyowati Purwanti
            Mulyani Kurniasih Utami Ningsih Astuti Susanti Rahmawati Hartati Suharti Yuliani Widayati
            Pratiwi Anggraini Puspitasari Sulistyowati Wijayanti Ningrum Maryati Sumarsih Wahyuningsih
            Susilowati Indrawati Kusumawati Sukarni Suwarti Sulistiyani Rukmini Winarti Setyaningsih
            Purnamasari Sumartini Sriwahyuni Cahyaningsih Kristiyani Ambarwati Widyastuti Lestariningsih
            Sutarni Marsini Rahmani Prihatin Dwiyanti Haryati Mulyaningsih Nuryani Pujiastuti Sugiarti
            Triwahyuni Widowati Yuniarti"""),
        prefix_male=0.12,
        prefix_female=0.15,
        three_words=0.4,
    ),
    "sunda": NameStyle(
        male_first=_words("""Asep Ujang Dede Dadang Cecep Jajang Endang Engkos Ade Aceng Yayat Yusuf Dadan
            Deden Didin Enjang Iwan Ucup Wawan Yana Tatang Ruhiyat Oman Komar Mamat Entis Kusnadi Nandang
            Atep Epen Ayi Iyus Rahmat Agus Budi Usep Dodi Erwin Hendra Iman Jaja Kurnia Lili Maman Nana Opik
            Rudi Sopyan Tedi Undang Wahyu Yoyo Ahmad Cahya Ijang Aan Ajat Dayat Eman Encep Hadi Iip Jujun
            Karna Lukman Mumuh Nurdin Odin Pepen Rohman Sukma Tarya Ubay Uus Yudi Zaenal Acep Bubun Dian Ero
            Gugun Heri Ikin Juhana Koko Memet Nono Otong Pupung Rian Saepul Tono Ukat"""),
        male_second=_words("""Saepudin Hidayat Supriatna Sopandi Suherman Kurniawan Permana Rukmana Sutisna
            Suryana Hermawan Setiawan Ruhimat Sudrajat Nugraha Firmansyah Gunawan Mulyana Somantri Sumarna
            Hamdani Ramdani Rohmat Jaelani Kusnadi Sukmana Suganda Wijaya Kusumah Hidayatulloh Sudirman
            Saputra Pratama Mulyadi Komarudin Syarifudin Nurjaman Sobari Maulana Hendrayana Rustandi Sutarya
            Kosasih Sukarya Mansyur Iskandar Sumpena Sukandar Rachmat Darmawan Hamdan Sudarma Taryana Wiguna
            Sasmita Kartiwa Hidayatullah Solehudin Ruswandi Nurdiansyah Suparman Mustofa Rosadi Setiadi
            Hamzah Suryadi"""),
        female_first=_words("""Euis Neneng Eneng Imas Iis Enok Cucu Yati Nining Titin Nunung Ai Elis Enung
            Popon Nyai Aah Yayah Entin Tati Lilis Lia Rina Nina Wulan Yuyun Dewi Ida Ika Mimin Nani Osih
            Pipih Rika Sri Teti Wiwin Yeni Yuli Atikah Cicih Dedeh Ela Engkar Heni Icah Iyah Juju Kokom Lina
            Mamah Nenden Oneng Ratna Tini Ucu Wida Yoyoh Ade Anih Cacah Dini Emay Gina Hani Ima Jeje Kiki
            Leni Mia Nia"""),
        female_second=_words("""Komariah Kurniasih Rohaeni Rosita Nurhayati Hayati Sumiati Juariah Aisah
            Maryani Rohayati Mulyati Suryani Herawati Rahmawati Sukaesih Kartika Nurjanah Sari Lestari
            Nuraeni Supartini Hasanah Fitriani Yulianti Setiawati Nurlela Mariam Rukmini Wartini Sumarni
            Rosmiati Nurhasanah Juhaeni Apriani Cahyati Kusmiati Rismawati Sulastri Tatiana Wulandari
            Yuningsih Hermawati Komalasari Lismawati Nurasiah Purnamasari Rosdiana Sumiyati Yuliawati Sopiah
            Mulyani Haryati Kurnia Permatasari"""),
        prefix_male=0.12,
        prefix_female=0.12,
        three_words=0.4,
    ),
    "batak": NameStyle(
        male_first=_words("""Sahat Parulian Tigor Togar Marihot Hotman Binsar Poltak Ronald Richard Hendrik
            Jonni Martin Benny Daniel Ferdinand Gindo Halomoan Juliper Kristian Lamhot Manahan Oloan
            Parlindungan Ramses Sabar Tumpal Bonar Dapot Edison Frans Gomgom Horas Immanuel Jhonson Krisman
            Maruli Nelson Posman Rinto Saut Tongam Viktor Yosua Andreas Hisar Jansen Robert Johannes Albert
            Bernard Charles Darwin Erikson Fernando Gabe Hotlan Irwansyah Jabatar Kennedy Lambok Marolop
            Nikson Pangihutan Roy Sabam Tua Ucok Wilmar Arifin Baringin Darius Effendi Gunawan Hasudungan
            Jefri Lasro Mangatas Patar"""),
        male_second=_words("""Parlindungan Halomoan Marudut Hamonangan Pardamean Tumpal Sahala Maruli
            Hasiholan Mangasi Mangapul Tua Partogi Saor Hotma Sihol Toga Bonar Gomgom Marulam Parhusip
            Rajamin"""),
        female_first=_words("""Rosmawati Tiurma Rumondang Ruth Maria Dameria Hotmaida Lasma Lamria Rosdiana
            Sarma Tiominar Masta Erna Friska Grace Hana Intan Juli Kristina Lenny Mariana Nova Octavia
            Purnama Rita Sondang Tetty Uli Vera Yohana Debora Elisabeth Florida Herlina Imelda Julianti
            Magdalena Nelly Paulina Ramayana Saurma Tionar Roslina Anna Betty Christina Dorlan Ester Hotnida
            Lina Melva Nurmala Rohana Sabarina Tiarma Riama Duma Hotma Nurcahaya Ruminta Sinta Tiur Ully
            Yanti Junita"""),
        female_second=_words("""Hotmauli Tiarma Lumongga Nauli Romauli Marintan Sinondang Rosliana Hotnauli
            Nursinta Dormauli Sarimatua"""),
        family=_words("""Simanjuntak Sitorus Siregar Nasution Lubis Harahap Hutagalung Hutapea Panjaitan
            Pardede Simatupang Situmorang Sinaga Silalahi Sihombing Simbolon Tampubolon Manurung Napitupulu
            Pasaribu Purba Saragih Damanik Ginting Sembiring Tarigan Sitompul Hasibuan Marpaung Nainggolan
            Butarbutar Gultom Hutauruk Lumbantobing Matondang Pakpahan Rajagukguk Samosir Sianturi Sibarani
            Sidabutar Simamora Sirait Tambunan Togatorop Aritonang Batubara Daulay Lumbangaol Manalu
            Hutabarat Pohan Rangkuti Pulungan Sihotang Simorangkir Sinambela Sitanggang Siahaan Silitonga
            Situmeang Panggabean Marbun Munthe Sagala Sijabat Hutasoit Simarmata Tobing Gurning Limbong
            Malau Naibaho Sinurat Sipayung"""),
        family_share=0.95,
        prefix_male=0.03,
        prefix_female=0.02,
        three_words=0.3,
    ),
    "minang": NameStyle(
        male_first=_words("""Afrizal Zulkifli Syafrizal Yusrizal Hendri Irwan Jufri Syamsul Zainal Erizal
            Firdaus Gusrizal Hasril Indra Joni Khairul Mardi Nofrizal Refli Syahrial Taufik Yulizar Zulfahmi
            Asril Bustami Darwis Efendi Fauzi Hamdan Iskandar Jasril Kasmir Masril Novri Rusdi Safri Tasrif
            Wendi Yasril Zulhendri Amril Basri Chairul Dasril Elfi Fadli Gusman Hendra Ilyas Jamaris Kamal
            Lukman Marzuki Nasrul Oktavianus Rahmat Sutan Syafri Umar Wirman Yulianis Zulfikar Agusrizal
            Defri Edwar Fahmi Hariadi Imral Jonaidi Muslim Nazar Pebri Rizal Syaiful Yuhendri Zulhardi"""),
        male_second=_words(
            _ISLAMIC_MALE_SECOND
            + """ Putra Chaniago Piliang Tanjung Koto Sikumbang Jambak
            Caniago Datuak Malin Marajo Rajo Bagindo"""
        ),
        female_first=_words("""Yusniar Nurhayati Rosmaniar Yulinar Asmarni Desniwati Elfi Fitri Gusnawati
            Hasnah Irawati Jusnimar Kasmawati Lisnawati Marlina Nelmawati Rosna Syafrida Teti Upik Wirda
            Yanti Zuraida Afrida Darnis Erni Fatma Nurlaili Rahmi Syamsinar Asni Delfi Elda Fitriani Gusti
            Hayati Ismarni Jasmaniar Kurnia Linda Maisarah Nofriyanti Oktavia Rosmalinda Syafnidar Titi
            Wilda Yusmaniar"""),
        female_second=_words(
            _ISLAMIC_FEMALE_SECOND + """ Yusra Syafitri Rahmadani Fitria Ningsih Warni Rosa"""
        ),
        prefix_male=0.25,
        prefix_female=0.15,
        three_words=0.35,
    ),
    "tionghoa": NameStyle(
        male_first=_words("""Hendra Rudy Tommy Herman Johan Kevin Steven William Felix Jason Edward Ricky
            Andy Benny Daniel David Eddy Ferry Gunawan Hans Irwan Jefri Kelvin Leo Michael Nico Robby Sandy
            Teddy Vincent Willy Yohan Alvin Anton Budiman Christian Darmawan Erik Fransiskus Hartono Ivan
            Jonathan Kurniawan Lukas Martin Oscar Peter Rico Stefanus Tony Wilson Agus Budi Djohan Eka
            Frengky Harry Indra Jimmy Kenny Liong Mulyadi Nelson Purnomo Rusli Suwandi Tjandra Wijaya Yanto
            Albert Benyamin Chandra"""),
        male_second=_words("""Susanto Wijaya Gunawan Hartono Santoso Setiawan Kurniawan Halim Salim Tanoto
            Kusuma Pranata Sanjaya Winata Hermanto Sugianto Budiman Lukito Surya Hidayat Chandra Tedja
            Tanuwijaya"""),
        female_first=_words("""Lina Susanti Lili Meiliana Yuliana Jessica Stephanie Vivian Cindy Fransiska
            Grace Herlina Irene Jenny Karina Linda Maria Natalia Olivia Patricia Rosalina Sandra Tania
            Veronica Wendy Yenny Angela Betty Cecilia Diana Elisabeth Fenny Gloria Helen Indah Juliana
            Kristin Lisa Melinda Novita Priscilla Ratna Shirley Theresia Vera Winda Yunita Agnes Felicia
            Merry Lanny Mei Ling Siska Vonny Anita Debby Evi Hanny Imelda Lenny Monica Nancy Poppy Rina Susy
            Tjie Wati Yuni Erlina"""),
        female_second=_words("""Susanti Wijaya Halim Gunawan Kurniawati Setiawati Lestari Tanoto Santoso
            Kusuma Handoyo Hartanti Wulandari Salim Anggraini Hermawati Sutanto Widjaja"""),
        family=_words("""Wijaya Halim Tanoto Gunawan Santoso Kusuma Salim Tanjaya Hartono Setiadi Sutanto
            Lim Tan Liem Ong Wong Lie Go Oei Kwee Tjandra Wibisono Sugianto Tanudjaja Lukito Widjaja Pranata
            Chandra Tanuwijaya Gozali Hermanto Tedja Winata Sanjaya Hadiwijaya Kosasih Halimawan Tjahjadi
            Liman Tanzil Setiabudi Kurniadi Gunadi Sugiharto Harsono Hidayat Soetanto Kartono Budianto
            Tanujaya Wirawan"""),
        family_share=0.75,
        three_words=0.25,
    ),
    "arab": NameStyle(
        male_first=_words("""Ahmad Ali Hasan Husein Umar Abdullah Salim Said Alwi Hamid Muhsin Zein Fuad
            Segaf Mustafa Idrus Aqil Jafar Abubakar Agil Hadi Faisal Fahmi Hilal Ismail Khalid Mahdi Nabil
            Rasyid Saleh Thalib Yahya Zaki Anis Hamzah Luthfi Naufal Salman Taufik Usman Yasin Abdurrahman
            Bagir Farid Hasyim Ibrahim Jamal Karim Musa Najib Qasim Rizq Sofyan Tamim Walid Yusuf Zainal
            Abidin Alawi Habsyi"""),
        male_second=_words(_ISLAMIC_MALE_SECOND),
        female_first=_words("""Fatimah Aisyah Khadijah Zahra Syarifah Salma Sarah Maryam Hafsah Nabila Rahma
            Zainab Alawiyah Fauziah Hanifah Laila Mariam Najwa Rania Shafa Soraya Ummi Wardah Yasmin Aliyah
            Balqis Fathiyah Hana Jamilah Karimah Lubna Muna Nadia Rugayah Sakinah Tsuraya Zahrah Amina Asma
            Farida"""),
        female_second=_words(_ISLAMIC_FEMALE_SECOND),
        family=_words("""Alatas Assegaf Shihab Baswedan Alkaff Alhabsyi Aljufri Bahasyim Basalamah Bawazier
            Alaydrus Alhadad Baraja Alamudi Alhamid Bafagih Baagil Jamalullail Albar Attamimi Bahmid
            Badjuber Alhinduan Assagaf Alkatiri Bamahry Baabud Mauladawilah Bafadal Alydrus Bamatraf"""),
        family_share=0.55,
        prefix_male=0.35,
        prefix_female=0.2,
        three_words=0.25,
    ),
    "bugis": NameStyle(
        male_first=_words("""Andi Baso Syamsuddin Arifin Hasanuddin Ilham Jufri Nurdin Rahman Sudirman
            Tajuddin Yusran Amiruddin Basri Akbar Asri Darwis Fadli Haeruddin Irwan Jamaluddin Kamaruddin
            Mappiare Muhlis Nasrun Rusdi Saharuddin Syarifuddin Taufik Zainuddin Alimuddin Burhanuddin Hamka
            Mursalim Rasyid"""),
        male_second=_words(_ISLAMIC_MALE_SECOND + """ Mappaseng Pawelloi Mattalatta Rasyid Lamba"""),
        female_first=_words("""Besse Andi Nurhaedah Hasnawati Marlina Jumriah Sitti Darmawati Hasmawati
            Irmawati Kasmawati Mardiana Nurlina Rosmiati Satriani Sukmawati Wahidah Asriani Hasnah Murniati
            Nurhayati"""),
        female_second=_words(_ISLAMIC_FEMALE_SECOND + """ Tenri Ampa Daeng Rahmi"""),
        prefix_male=0.3,
        prefix_female=0.1,
        three_words=0.25,
    ),
    # Names given to people born from the late 1990s, across groups.
    "modern": NameStyle(
        male_first=_words("""Rizky Fajar Dimas Aditya Bagas Raka Rafi Farhan Reza Ilham Arya Daffa Fikri
            Galih Hafiz Irfan Kevin Naufal Rehan Yoga Alvaro Arkan Bima Dafa Fauzan Haikal Zidan Raihan
            Rendy Satria Alif Ardi Bayu Devan Elang Gilang Habib Ibnu Juna Kenzo Lutfi Rizal Syahrul Zaki
            Abimanyu Aldi Andika Angga Arief Azka Bintang Danu Dzaky Evan Faris Ghifari Hanif Ikhsan Jibran
            Keanu Malik Nabil Omar Rangga Rifqi Sakti Tegar Wildan Yusuf Zaidan Akbar Athaya Barra Dirga
            Emir Fathan Gibran Hizkia"""),
        male_second=_words("""Pratama Saputra Ramadhan Maulana Firmansyah Nugraha Wijaya Putra Kurniawan
            Setiawan Hidayat Prasetyo Syahputra Alfarizi Akbar Aditya Permana Hakim Fadillah Rahman Ananda
            Arrasyid Pamungkas Wicaksana Fauzi Febrian Septian Nugroho Adiputra Mahendra Alghifari Rizki
            Anugrah Prayoga Kusuma Perdana Ardiansyah Hermawan Fahrezi Dwiputra Januar Syahreza Pradana
            Wiratama"""),
        female_first=_words("""Aulia Nabila Putri Salsabila Anisa Dinda Amelia Aisyah Zahra Nadia Fitri
            Intan Kayla Keisha Nayla Rara Tiara Vania Adinda Alya Azzahra Bunga Citra Dewi Indah Laras
            Melati Nur Rahma Syifa Wulan Anggun Cantika Dini Febriani Khansa Mutia Nurul Ratu Shinta Aqila
            Bilqis Chelsea Dara Elsa Farah Gita Hana Icha Jasmine Kirana Luna Maudy Nadhira Olivia Queen
            Raisa Sekar Tasya Zaskia"""),
        female_second=_words("""Putri Lestari Ramadhani Rahmawati Safitri Azzahra Maharani Anggraini Pratiwi
            Permatasari Wulandari Febrianti Oktaviani Rahmadani Puspita Kusuma Fitriani Amalia Nurhaliza
            Septiani Kirana Salsabila Ayuningtyas Cahyani Handayani Novitasari Aprilia Nabilah Zahira
            Khairunnisa Azahra Syahputri Andini Maulida Rahmania Pertiwi Anjani Damayanti Kartika Larasati
            Paramitha Safira"""),
        prefix_male=0.25,
        prefix_female=0.12,
        three_words=0.65,
    ),
}
STYLE_NAMES = tuple(STYLES)
MODERN = STYLE_NAMES.index("modern")
# Groups of Jakarta-born households (Betawi and long-settled families); migrants take their origin's group.
DKI_GROUP_WEIGHTS = {
    "betawi": 0.38,
    "jawa": 0.25,
    "sunda": 0.1,
    "batak": 0.05,
    "minang": 0.06,
    "tionghoa": 0.09,
    "arab": 0.04,
    "bugis": 0.03,
}
# Province code -> group weights of migrants first registered there.
PROVINCE_GROUPS = {
    32: {"sunda": 0.8, "jawa": 0.1, "betawi": 0.1},
    36: {"sunda": 0.6, "betawi": 0.3, "jawa": 0.1},
    33: {"jawa": 0.95, "tionghoa": 0.05},
    34: {"jawa": 1.0},
    35: {"jawa": 0.9, "arab": 0.05, "tionghoa": 0.05},
    12: {"batak": 0.8, "tionghoa": 0.1, "minang": 0.1},
    13: {"minang": 1.0},
    73: {"bugis": 1.0},
    18: {"jawa": 0.6, "sunda": 0.2, "minang": 0.2},
    16: {"minang": 0.3, "jawa": 0.4, "tionghoa": 0.3},
}
OTHER_PROVINCE_GROUPS = {"jawa": 0.4, "bugis": 0.2, "minang": 0.2, "tionghoa": 0.1, "arab": 0.1}

MALE_PREFIXES = ("MUHAMMAD", "MUHAMMAD", "MUHAMMAD", "AHMAD", "AHMAD", "ABDUL")
FEMALE_PREFIXES = ("SITI", "SITI", "SITI", "NUR")
ASMAUL_HUSNA = _words("""Rahman Rahim Aziz Malik Hakim Karim Latif Majid Gani Wahab Halim Kadir Salam Rozak
    Jalil Hamid Mutalib Somad Hadi Muis Basir Jabar Kholik Rauf Wahid Ghofur Fatah Mannan""")


def group_index(weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Group indices and normalised probabilities for a weight dict."""
    idx = np.array([STYLE_NAMES.index(g) for g in weights])
    p = np.array(list(weights.values()), dtype=float)
    return idx, p / p.sum()


def _pick(pool: tuple[str, ...], u: np.ndarray) -> np.ndarray:
    arr = np.array(pool, dtype=object)
    return arr[np.minimum((u * len(pool)).astype(np.int64), len(pool) - 1)]


def compose_names(
    style: np.ndarray, family_style: np.ndarray, female: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """Full upper-case names of two or three words from style indices and per-person uniforms."""
    # Columns of u: 0 prefix, 1 first name, 2 second name, 3 third name, 4 family name, 5 word count,
    # 6 whether the family name is carried. `family_style` is the household's group: it carries the family
    # name even for a "modern" given name, and columns 4 and 6 are shared by those who inherit it.
    n = len(style)
    w1 = np.full(n, "", dtype=object)
    w2 = np.full(n, "", dtype=object)
    w3 = np.full(n, "", dtype=object)
    three = np.zeros(n, dtype=bool)
    has_prefix = np.zeros(n, dtype=bool)
    for s, name in enumerate(STYLE_NAMES):
        st = STYLES[name]
        for fem in (False, True):
            m = (style == s) & (female == fem)
            if not m.any():
                continue
            p_prefix = st.prefix_female if fem else st.prefix_male
            first = _pick(st.female_first if fem else st.male_first, u[m, 1])
            second_pool = st.female_second if fem else st.male_second
            k = len(second_pool)
            pool = np.array(second_pool, dtype=object)
            second_idx = np.minimum((u[m, 2] * k).astype(np.int64), k - 1)
            # Never the same word twice: the third word differs from the second, and both from the first
            # (some names sit in a first-name and a second-name pool).
            second_idx = np.where(pool[second_idx] == first, (second_idx + 1) % k, second_idx)
            third_idx = (second_idx + 1 + (u[m, 3] * (k - 1)).astype(np.int64)) % k
            third_idx = np.where(pool[third_idx] == first, (third_idx + 1) % k, third_idx)
            third_idx = np.where(third_idx == second_idx, (third_idx + 1) % k, third_idx)
            pre = u[m, 0] < p_prefix
            prefixes = FEMALE_PREFIXES if fem else MALE_PREFIXES
            pre_word = _pick(prefixes, np.where(pre, u[m, 0] / max(p_prefix, 1e-12), 0.0))
            abdul = pre & (pre_word == "ABDUL")
            first = np.where(abdul, _pick(ASMAUL_HUSNA, u[m, 1]), first)
            w1[m] = np.where(pre, pre_word, first)
            w2[m] = np.where(pre, first, pool[second_idx])
            w3[m] = np.where(pre, pool[second_idx], pool[third_idx])
            # "Muhammad X" and "Abdul X" alone would make too many namesakes: mostly a third word follows.
            three[m] = abdul | (u[m, 5] < np.where(pre, max(st.three_words, 0.85), st.three_words))
            has_prefix[m] = pre
    fam_word = np.full(n, "", dtype=object)
    for s, name in enumerate(STYLE_NAMES):
        st = STYLES[name]
        m = (family_style == s) & (u[:, 6] < st.family_share)
        if st.family and m.any():
            fam_word[m] = _pick(st.family, u[m, 4])
    has_fam = fam_word != ""
    # With a family name: prefix first family, or first [second] family; never more than three words.
    w3 = np.where(has_fam, fam_word, np.where(three, w3, ""))
    w2 = np.where(has_fam & ~has_prefix & ~three, "", w2)
    two = np.where(w2 == "", w1, w1 + " " + w2)
    full = np.where(w3 == "", two, two + " " + w3)
    # A word can come twice when pools overlap ("AHMAD AHMAD", a given name equal to the family name).
    repeated = np.flatnonzero((w1 == w2) | (w1 == w3) | ((w2 == w3) & (w2 != "")))
    for i in repeated.tolist():
        words = list(dict.fromkeys(full[i].split(" ")))
        if len(words) < 2:
            words.append("PUTRI" if female[i] else "PUTRA")
        full[i] = " ".join(words)
    return full


# ---------------------------------------------------------------------------------------------- variants
_MALE_TITLES = ("H.", "H.", "H.", "DRS.", "IR.", "DR.")
_FEMALE_TITLES = ("HJ.", "HJ.", "HJ.", "DRA.", "IR.")
_SUFFIX_TITLES = (", S.PD.", ", S.E.", ", S.H.", ", S.KOM.", ", S.AG.", ", A.MD.")
_ABBREVIATIONS = {
    "MUHAMMAD": ("M.", "MOH.", "MUH.", "MHD.", "MOCH.", "M"),
    "SITI": ("ST.", "ST"),
    "ABDUL": ("ABD.", "ABD"),
    "AHMAD": ("AHM.", "A."),
}
_SPELLINGS = {
    "MUHAMMAD": ("MUHAMAD", "MOHAMMAD", "MOHAMAD", "MOCHAMAD", "MUHAMMED", "MOCHAMMAD"),
    "AHMAD": ("ACHMAD", "AHMAT"),
    "ABDUL": ("ABDOEL", "ABDOL"),
    "SITI": ("SITTI",),
    "YUSUF": ("YUSUP", "JUSUF"),
    "RAHMAT": ("RACHMAT", "RAHMAD"),
    "NURHAYATI": ("NURHAYATY",),
    "SYAMSUL": ("SAMSUL",),
    "SAEPUDIN": ("SAIFUDIN", "SYAIFUDIN"),
}
_OLD_SPELLING = {"KH": "CH", "SY": "SJ", "NY": "NJ", "J": "DJ", "C": "TJ", "Y": "J", "U": "OE"}
_OLD_RE = re.compile("KH|SY|NY|J|C|Y|U")
_KEY_NEIGHBOURS = {
    "A": "SQZ",
    "B": "VNG",
    "C": "XVD",
    "D": "SFE",
    "E": "WRD",
    "F": "DGR",
    "G": "FHT",
    "H": "GJY",
    "I": "UOK",
    "J": "HKU",
    "K": "JLI",
    "L": "KO",
    "M": "NJ",
    "N": "BMH",
    "O": "IPL",
    "P": "OL",
    "Q": "WA",
    "R": "ETF",
    "S": "ADW",
    "T": "RYG",
    "U": "YIJ",
    "V": "CBF",
    "W": "QES",
    "X": "ZCS",
    "Y": "TUH",
    "Z": "XA",
}


def add_title(name: str, female: bool, age: float, u: float) -> str | None:
    """Name with an academic or religious title, or None when the person is too young for one."""
    if age < 23:
        return None
    if age >= 35 and u < 0.75:
        titles = _FEMALE_TITLES if female else _MALE_TITLES
        return f"{titles[int(u / 0.75 * len(titles)) % len(titles)]} {name}"
    if age > 60:
        return None
    return name + _SUFFIX_TITLES[int(u * 97) % len(_SUFFIX_TITLES)]


def _replace_word(name: str, table: dict[str, tuple[str, ...]], u: float) -> str | None:
    words = name.split(" ")
    for i, w in enumerate(words):
        if w in table:
            options = table[w]
            words[i] = options[int(u * len(options)) % len(options)]
            return " ".join(words)
    return None


def abbreviate(name: str, u: float) -> str | None:
    """Muhammad/Siti/Abdul/Ahmad written short (M., St., Abd.), or None when the name has none of them."""
    return _replace_word(name, _ABBREVIATIONS, u)


def respell(name: str, u: float) -> str | None:
    """A common alternative spelling (Muhamad, Mochamad, Achmad, Yusup ...), or None when none applies."""
    return _replace_word(name, _SPELLINGS, u)


def old_spelling(name: str) -> str | None:
    """The name in pre-1972 spelling (oe, dj, tj, sj, nj, ch), or None when it would not change."""
    out = _OLD_RE.sub(lambda m: _OLD_SPELLING[m.group(0)], name)
    return out if out != name else None


def typo(name: str, u1: float, u2: float) -> str | None:
    """One keyboard slip: a neighbouring key, a dropped, doubled or swapped letter."""
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    if len(letters) < 4:
        return None
    i = letters[int(u1 * len(letters)) % len(letters)]
    kind = int(u2 * 4) % 4
    ch = name[i]
    if kind == 0 and ch in _KEY_NEIGHBOURS:
        nb = _KEY_NEIGHBOURS[ch]
        out = name[:i] + nb[int(u2 * 1000) % len(nb)] + name[i + 1 :]
    elif kind == 1:
        out = name[:i] + name[i + 1 :]
    elif kind == 2:
        out = name[:i] + ch + name[i:]
    else:
        j = i + 1 if i + 1 < len(name) and name[i + 1].isalpha() else i - 1
        a, b = sorted((i, j))
        out = name[:a] + name[b] + name[a] + name[b + 1 :]
    return out if out != name else None


# Twin names parents pick: pairs that go together, else a rhyme made by changing the last vowel.
_TWIN_PAIRS = {
    "HASAN": "HUSEIN", "HUSEIN": "HASAN", "RINA": "RINI", "RINI": "RINA", "DEWI": "DEWA", "DEWA": "DEWI",
    "PUTRA": "PUTRI", "PUTRI": "PUTRA", "ADI": "ADE", "ANDI": "ANDA", "NANA": "NINI", "RAMA": "SINTA",
    "FAJAR": "SENJA", "RIZKY": "RIZKA", "RIZKA": "RIZKY", "DINDA": "DINDI", "AGUS": "BAGUS",
}
_TWIN_PREFIXES = frozenset(MALE_PREFIXES + FEMALE_PREFIXES)
_VOWEL_SWAP = {"A": "I", "I": "A", "E": "A", "O": "I", "U": "A"}


def twin_name(name: str, u: float) -> str:
    """The name of a twin of `name`: mostly the same name with its given word paired or rhymed."""
    words = name.split(" ")
    w = next((i for i, x in enumerate(words) if x not in _TWIN_PREFIXES), 0)
    word = words[w]
    if u < 0.4 and word in _TWIN_PAIRS:
        new = _TWIN_PAIRS[word]
    else:
        last = max((i for i, ch in enumerate(word) if ch in _VOWEL_SWAP), default=-1)
        if last < 0:
            return name + " " + ("PUTRA" if u < 0.5 else "PUTRI")
        new = word[:last] + _VOWEL_SWAP[word[last]] + word[last + 1 :]
    words[w] = new
    return " ".join(words)
