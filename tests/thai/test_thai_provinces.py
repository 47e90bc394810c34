"""Province names as people write them. The expected names are written out here, not read from the
PyThaiNLP data the code loads: a name dropped or misspelt in that data fails these tests."""
import pytest

from bot.thai import match_province
from bot.thai.provinces import official_names

# The 77 provinces (Bangkok included): official Thai name, English name (Royal Thai General System).
PROVINCES: list[tuple[str, str]] = [
    ("กรุงเทพมหานคร", "Bangkok"),
    ("กระบี่", "Krabi"),
    ("กาญจนบุรี", "Kanchanaburi"),
    ("กาฬสินธุ์", "Kalasin"),
    ("กำแพงเพชร", "Kamphaeng Phet"),
    ("ขอนแก่น", "Khon Kaen"),
    ("จันทบุรี", "Chanthaburi"),
    ("ฉะเชิงเทรา", "Chachoengsao"),
    ("ชลบุรี", "Chon Buri"),
    ("ชัยนาท", "Chai Nat"),
    ("ชัยภูมิ", "Chaiyaphum"),
    ("ชุมพร", "Chumphon"),
    ("เชียงราย", "Chiang Rai"),
    ("เชียงใหม่", "Chiang Mai"),
    ("ตรัง", "Trang"),
    ("ตราด", "Trat"),
    ("ตาก", "Tak"),
    ("นครนายก", "Nakhon Nayok"),
    ("นครปฐม", "Nakhon Pathom"),
    ("นครพนม", "Nakhon Phanom"),
    ("นครราชสีมา", "Nakhon Ratchasima"),
    ("นครศรีธรรมราช", "Nakhon Si Thammarat"),
    ("นครสวรรค์", "Nakhon Sawan"),
    ("นนทบุรี", "Nonthaburi"),
    ("นราธิวาส", "Narathiwat"),
    ("น่าน", "Nan"),
    ("บึงกาฬ", "Bueng Kan"),
    ("บุรีรัมย์", "Buri Ram"),
    ("ปทุมธานี", "Pathum Thani"),
    ("ประจวบคีรีขันธ์", "Prachuap Khiri Khan"),
    ("ปราจีนบุรี", "Prachin Buri"),
    ("ปัตตานี", "Pattani"),
    ("พระนครศรีอยุธยา", "Phra Nakhon Si Ayutthaya"),
    ("พะเยา", "Phayao"),
    ("พังงา", "Phangnga"),
    ("พัทลุง", "Phatthalung"),
    ("พิจิตร", "Phichit"),
    ("พิษณุโลก", "Phitsanulok"),
    ("เพชรบุรี", "Phetchaburi"),
    ("เพชรบูรณ์", "Phetchabun"),
    ("แพร่", "Phrae"),
    ("ภูเก็ต", "Phuket"),
    ("มหาสารคาม", "Maha Sarakham"),
    ("มุกดาหาร", "Mukdahan"),
    ("แม่ฮ่องสอน", "Mae Hong Son"),
    ("ยโสธร", "Yasothon"),
    ("ยะลา", "Yala"),
    ("ร้อยเอ็ด", "Roi Et"),
    ("ระนอง", "Ranong"),
    ("ระยอง", "Rayong"),
    ("ราชบุรี", "Ratchaburi"),
    ("ลพบุรี", "Lop Buri"),
    ("ลำปาง", "Lampang"),
    ("ลำพูน", "Lamphun"),
    ("เลย", "Loei"),
    ("ศรีสะเกษ", "Si Sa Ket"),
    ("สกลนคร", "Sakon Nakhon"),
    ("สงขลา", "Songkhla"),
    ("สตูล", "Satun"),
    ("สมุทรปราการ", "Samut Prakan"),
    ("สมุทรสงคราม", "Samut Songkhram"),
    ("สมุทรสาคร", "Samut Sakhon"),
    ("สระแก้ว", "Sa Kaeo"),
    ("สระบุรี", "Saraburi"),
    ("สิงห์บุรี", "Sing Buri"),
    ("สุโขทัย", "Sukhothai"),
    ("สุพรรณบุรี", "Suphan Buri"),
    ("สุราษฎร์ธานี", "Surat Thani"),
    ("สุรินทร์", "Surin"),
    ("หนองคาย", "Nong Khai"),
    ("หนองบัวลำภู", "Nong Bua Lam Phu"),
    ("อ่างทอง", "Ang Thong"),
    ("อำนาจเจริญ", "Amnat Charoen"),
    ("อุดรธานี", "Udon Thani"),
    ("อุตรดิตถ์", "Uttaradit"),
    ("อุทัยธานี", "Uthai Thani"),
    ("อุบลราชธานี", "Ubon Ratchathani"),
]


def test_the_77_provinces_are_the_ones_the_bot_knows():
    assert len({th for th, _ in PROVINCES}) == len({en for _, en in PROVINCES}) == 77
    assert official_names() == sorted(th for th, _ in PROVINCES)


@pytest.mark.parametrize("name", [th for th, _ in PROVINCES])
def test_official_thai_name_with_province_prefix(name):
    # "จ." / "จังหวัด" prefixes and a particle are how people write it
    assert match_province(f"จ.{name}") == name
    assert match_province(f"จังหวัด{name}ค่ะ") == name


@pytest.mark.parametrize("th,en", PROVINCES, ids=[en for _, en in PROVINCES])
def test_english_name_any_case(th, en):
    assert match_province(en.upper()) == th
    assert match_province(en.lower().replace(" ", "")) == th


@pytest.mark.parametrize(
    "text,expected",
    [
        ("กทม", "กรุงเทพมหานคร"),
        ("กทม.", "กรุงเทพมหานคร"),
        ("กรุงเทพฯ", "กรุงเทพมหานคร"),
        ("กรุงเทพ", "กรุงเทพมหานคร"),
        ("bkk", "กรุงเทพมหานคร"),
        ("โคราช", "นครราชสีมา"),
        ("Korat", "นครราชสีมา"),
        ("อยุธยา", "พระนครศรีอยุธยา"),
        ("อุบล", "อุบลราชธานี"),
        ("อุดร", "อุดรธานี"),
        ("สุราษฎร์", "สุราษฎร์ธานี"),
        ("นครศรีฯ", "นครศรีธรรมราช"),
        ("นครศรี", "นครศรีธรรมราช"),
        ("ปทุม", "ปทุมธานี"),
        ("สุพรรณ", "สุพรรณบุรี"),
        ("กาญจน์", "กาญจนบุรี"),
        ("ประจวบ", "ประจวบคีรีขันธ์"),
        ("พิดโลก", "พิษณุโลก"),
        ("แปดริ้ว", "ฉะเชิงเทรา"),
        ("chiang mai", "เชียงใหม่"),
        ("ชม.", "เชียงใหม่"),  # the official abbreviation, as in addresses (จ.ชม.)
        ("จ.ชม.", "เชียงใหม่"),
        ("ปากน้ำโพ", "นครสวรรค์"),
        ("มหาชัย", "สมุทรสาคร"),
        ("แม่กลอง", "สมุทรสงคราม"),
        ("ปากน้ำ", "สมุทรปราการ"),
        ("สารคาม", "มหาสารคาม"),
        ("หนองบัว", "หนองบัวลำภู"),
        ("กรุงเก่า", "พระนครศรีอยุธยา"),
        ("ฉะเชิง", "ฉะเชิงเทรา"),
        # English spellings other than the official ones
        ("Chonburi", "ชลบุรี"),
        ("Buriram", "บุรีรัมย์"),
        ("Lopburi", "ลพบุรี"),
        ("Sisaket", "ศรีสะเกษ"),
        ("Phang Nga", "พังงา"),
        ("Ayutthaya", "พระนครศรีอยุธยา"),
        ("Suphanburi", "สุพรรณบุรี"),
        ("Prachinburi", "ปราจีนบุรี"),
        ("Singburi", "สิงห์บุรี"),
        ("Khon Kaen", "ขอนแก่น"),
        ("Chiangmai", "เชียงใหม่"),
        ("เลย", "เลย"),
        ("อยู่จังหวัดพิษณุโลกค่ะ", "พิษณุโลก"),
        ("มาจากขอนแก่นครับ", "ขอนแก่น"),
        ("จ. เชียงราย", "เชียงราย"),
        ("จว.ลำปาง", "ลำปาง"),
        # one-letter typos
        ("พิษณุโลด", "พิษณุโลก"),
        ("นครปฐท", "นครปฐม"),
        ("ศรีษะเกษ", "ศรีสะเกษ"),
        ("เชียงไหม่", "เชียงใหม่"),
        ("ขอนแกน", "ขอนแก่น"),
        ("อุบลราชธาณี", "อุบลราชธานี"),
        ("Phitsanuloke", "พิษณุโลก"),
        ("Chaing Mai", "เชียงใหม่"),
        # ambiguous or not a province
        ("นคร", None),
        ("สมุทร", None),
        ("บุรี", None),
        ("ชลบุรี กับ ระยอง", None),
        ("ได้เลยค่ะ", None),
        ("ไม่ทราบ", None),
        ("", None),
        ("หาดใหญ่", None),
        ("12345", None),
    ],
)
def test_names_nicknames_typos(text, expected):
    assert match_province(text) == expected
