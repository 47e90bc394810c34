import pytest
from pythainlp.corpus import provinces

from bot.thai import match_province

PROVINCES = provinces(details=True)


def test_there_are_77():
    assert len({p["name_th"] for p in PROVINCES}) == 77


@pytest.mark.parametrize("name", sorted(p["name_th"] for p in PROVINCES))
def test_official_thai_name_with_province_prefix(name):
    # "จ." / "จังหวัด" prefixes and a particle are how people write it
    assert match_province(f"จ.{name}") == name
    assert match_province(f"จังหวัด{name}ค่ะ") == name


@pytest.mark.parametrize("p", PROVINCES, ids=lambda p: p["name_en"])
def test_english_name_any_case(p):
    assert match_province(p["name_en"].upper()) == p["name_th"]
    assert match_province(p["name_en"].lower().replace(" ", "")) == p["name_th"]


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
