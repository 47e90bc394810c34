"""Province names: the 77 official names from PyThaiNLP's bundled list, their English names, and the
short names and nicknames people actually type (กทม, โคราช, อุบล, พิดโลก ...).

Order of matching, first hit wins: exact name/alias -> exactly one name inside a sentence -> a unique
prefix of 3+ letters (นครศรี, สุพรรณ) -> one-letter typo of exactly one name. Ambiguity (นคร,
สมุทร, two provinces in one sentence) gives None so the bot asks instead of guessing.
"""
from __future__ import annotations

import re

from rapidfuzz.distance import OSA

from .textnorm import _strip_particles_prepped, prep

# Official Thai name -> extra names. Spaces are removed before lookup, so 'chiang mai' == 'chiangmai'.
ALIASES: dict[str, list[str]] = {
    "กรุงเทพมหานคร": ["กทม", "กทม.", "กรุงเทพ", "กรุงเทพฯ", "กรุงเทพมหานครฯ", "bkk", "krungthep", "bangkok"],
    "นครราชสีมา": ["โคราช", "korat", "khorat", "นครราชสีมาฯ", "โคราด"],
    "พระนครศรีอยุธยา": ["อยุธยา", "อยุทธยา", "ayutthaya", "ayuthaya", "กรุงเก่า", "พระนครศรีฯ"],
    "อุบลราชธานี": ["อุบล", "อุบลฯ", "ubon", "ubonratchathani"],
    "อุดรธานี": ["อุดร", "อุดรฯ", "udon", "udonthani"],
    "สุราษฎร์ธานี": ["สุราษฎร์", "สุราษ", "สุราษฎร์ฯ", "สุราด", "สุราษฏร์ธานี", "surat", "suratthani"],
    "นครศรีธรรมราช": ["นครศรีฯ", "นครศรี", "นคอนศรี", "nakhonsi", "nakhonsithammarat"],
    "ปทุมธานี": ["ปทุม", "ปทุมฯ", "pathum"],
    "สุพรรณบุรี": ["สุพรรณ", "สุพรรณฯ", "suphan", "suphanburi"],
    "กาญจนบุรี": ["กาญจน์", "กาญ", "กาญจนฯ", "kanchanaburi", "kanchanaburi"],
    "ประจวบคีรีขันธ์": ["ประจวบ", "ประจวบฯ", "prachuap"],
    "พิษณุโลก": ["พิดโลก", "พิษโลก", "พิศณุโลก", "phitsanulok"],
    "ฉะเชิงเทรา": ["แปดริ้ว", "ฉะเชิงเทราฯ"],
    "สมุทรปราการ": ["ปากน้ำ"],
    "สมุทรสาคร": ["มหาชัย"],
    "สมุทรสงคราม": ["แม่กลอง"],
    "นครสวรรค์": ["ปากน้ำโพ", "นครสวรรค์ฯ"],
    "เชียงใหม่": ["chiangmai", "cnx", "เชียงใหม", "ชม."],  # ชม.: the official abbreviation (จ.ชม. in addresses)
    "เชียงราย": ["chiangrai"],
    "ชลบุรี": ["ชล", "chonburi"],
    "ศรีสะเกษ": ["ศรีษะเกษ", "ศรีสะเกศ", "sisaket"],
    "มหาสารคาม": ["สารคาม", "sarakham"],
    "หนองบัวลำภู": ["หนองบัว"],
    "แม่ฮ่องสอน": ["แม่ฮ่อง", "เมืองสามหมอก"],
    "อุตรดิตถ์": ["อุตรฯ", "อุตรดิตถ"],
    "กาฬสินธุ์": ["กาฬสินธ์", "กาฬสินธุ"],
    "สกลนคร": ["สกล"],
    "นราธิวาส": ["นรา"],
    "อำนาจเจริญ": ["อำนาจ"],
    "จันทบุรี": ["จันท์", "จันทน์"],
    "ลพบุรี": ["ลพ", "lopburi"],
    "สิงห์บุรี": ["สิงห์", "singburi"],
    "ปราจีนบุรี": ["ปราจีน", "prachinburi"],
    "อุทัยธานี": ["อุทัย"],
    "ร้อยเอ็ด": ["roiet"],
    "บุรีรัมย์": ["buriram"],
    "สระแก้ว": ["sakaeo"],
    "ภูเก็ต": ["phuket"],
    "ขอนแก่น": ["khonkaen"],
    "เพชรบุรี": ["เมืองเพชร"],
    "หนองคาย": ["nongkhai"],
}
# Words that are also everyday Thai; they only count when they are the whole answer.
_NOT_IN_SENTENCE = {"เลย", "ตาก", "ชล", "ลพ", "นรา", "สกล", "ปากน้ำ", "กาญ", "สิงห์", "อุทัย", "อำนาจ", "ตรัง", "พังงา"}
_PREFIX = re.compile(r"^(?:จังหวัด|จ\.|จว\.|จ\s|changwat|province(?:\s+of)?)\s*|\s*(?:province|จังหวัด)$")
_LEAD = re.compile(r"^(?:อยู่|อยู่ที่|ที่|จาก|มาจาก|ใน|i'm from|from|in)\s*")
_STRIP = re.compile(r"[\s.,!~\"'()\-:;ฯ]")

_table: dict[str, str] | None = None
_names: list[tuple[str, str]] = []      # (key, official) for prefix and typo matching
_sentence_re: re.Pattern | None = None


def _key(s: str) -> str:
    return _STRIP.sub("", s)


def _build() -> dict[str, str]:
    global _table, _names, _sentence_re
    from pythainlp.corpus import provinces

    table: dict[str, str] = {}
    names: list[tuple[str, str]] = []
    for p in provinces(details=True):
        th = p["name_th"]
        for n in (th, p["name_en"].lower(), p["name_en"].lower().replace(" ", "")):
            table[_key(n)] = th
        names.append((_key(th), th))
        names.append((_key(p["name_en"].lower()), th))
    table["กทม"] = "กรุงเทพมหานคร"
    for th, al in ALIASES.items():
        for a in al:
            k = _key(a.lower())
            table[k] = th
            names.append((k, th))
    sentence = sorted(
        {k for k in table if len(k) >= 3 and k not in _NOT_IN_SENTENCE and not k.isascii()}
        | {k for k in table if k.isascii() and len(k) >= 4},
        key=len, reverse=True,
    )
    # Names may be written with spaces inside a sentence only in English; Thai names are contiguous.
    _sentence_re = re.compile("|".join(re.escape(k) for k in sentence))
    _names = names
    _table = table
    return table


def official_names() -> list[str]:
    table = _table or _build()
    return sorted(set(table.values()))


def match_province(text: str) -> str | None:
    """The official Thai name of the province the text names, or None (none or ambiguous)."""
    try:
        table = _table or _build()
        s = _strip_particles_prepped(prep(text))
        s = _LEAD.sub("", s)
        s = _PREFIX.sub("", s).strip()
        s = _PREFIX.sub("", s).strip()
        k = _key(s)
        if not k:
            return None
        hit = table.get(k)
        if hit:
            return hit
        # Inside a sentence: every name found must be the same province.
        found = {table[m.group()] for m in _sentence_re.finditer(_STRIP.sub("", prep(text)))}
        if len(found) == 1:
            return found.pop()
        if len(found) > 1:
            return None
        if len(k) >= 3:
            # a unique prefix, which is not also inside other names ('บุรี' starts one name, ends twelve)
            pre = {th for key, th in _names if k in key}
            if len(pre) == 1 and any(key.startswith(k) for key, _th in _names):
                return pre.pop()
            if len(pre) > 1:
                return None
        if len(k) >= 4:
            near = {th for key, th in _names
                    if len(key) >= 4 and abs(len(key) - len(k)) <= 1 and OSA.distance(k, key, score_cutoff=1) <= 1}
            if len(near) == 1:
                return near.pop()
        return None
    except Exception:
        return None
