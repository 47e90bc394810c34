"""Yes / no answers to a confirmation question.

The whole message must be an answer: a run of known yes-words, no-words, particles and fillers
(ใช่ค่ะ ขอบคุณค่ะ). Anything else, questions (ใช่ไหม) and unsure answers (ไม่แน่ใจ) give None, so the
bot asks again instead of guessing. Typos are matched by edit distance against the known words only
(not PyThaiNLP's spelling corrector, which is slow and turns ไม่ไช่ into ไข่ไก่).
"""
from __future__ import annotations

import re

from rapidfuzz.distance import OSA

from .textnorm import _RE_ONLY_PARTICLES, _strip_particles_prepped, prep

YES = [
    "ใช่", "ไช่", "ใช่แล้ว", "ใช่เลย", "ช่าย", "ช่ายย", "ใช", "ได้", "ได้เลย", "ได้ครับ", "ได", "ถูก", "ถูกต้อง", "ถูกแล้ว",
    "ถูกต้องแล้ว", "ยืนยัน", "ตกลง", "โอเค", "โอเคร", "โอเช", "โอเค้", "ok", "okay", "oke", "okie", "okey",
    "yes", "y", "yep", "yeah", "yup", "sure", "confirm", "เยส", "เย้ส", "ไม่มีปัญหา",
    "ตามนี้", "ตามนั้น", "ครบถ้วน", "เรียบร้อย", "ส่งได้เลย", "ส่งได้", "ส่งเลย", "ยืนยันข้อมูล", "ถูกต้องครบถ้วน",
    "ครบ", "ครบแล้ว",
    # nothing to change is a yes: 'ถูกแล้วค่ะ ไม่ต้องแก้', 'ไม่มีอะไรต้องแก้ค่ะ' (the longest word wins over ไม่ต้อง)
    "ไม่ต้องแก้", "ไม่ต้องแก้ไข", "ไม่มีแก้", "ไม่มีอะไรแก้", "ไม่มีอะไรต้องแก้", "ไม่มีอะไรต้องแก้ไข", "ไม่มีที่ต้องแก้",
    "ไม่มีอะไรผิด", "ไม่มีที่ผิด", "ไม่ผิด",
    "แน่นอน", "เอา", "เอาเลย", "ชัวร์", "อือ", "อื้อ", "อืม", "ถูกค่ะ", "ยืนยันค่ะ", "ถูกต้องค่ะ", "correct", "right",
    "✓", "✔", "✅", "👍", "👌", "🙆", "🆗", "⭕",
]
NO = [
    "ไม่", "ไม่ใช่", "ไม่ใช่แล้ว", "ไม่ได้", "ไม่เอา", "ไม่ต้อง", "ไม่ถูก", "ไม่ถูกต้อง", "ผิด", "ผิดค่ะ", "ผิดครับ",
    "ผิดแล้ว", "ไม่ตกลง", "ไม่ยืนยัน", "ไม่โอเค", "ไม่ใช่ค่ะ", "ม่าย", "ม่ายช่าย", "ไม่ช่าย", "มะช่าย", "ไม่ล่ะ",
    "ไม่ดีกว่า", "ไม่เอาแล้ว", "ยังไม่", "ไม", "ไมใช่", "ไม่ไช่", "ไม่ใช", "ไมได้", "no", "n", "nope", "nah",
    "wrong", "incorrect", "👎", "❌", "✗", "✘", "🙅", "🚫",
    "ต้องแก้", "ต้องแก้ไข", "ขอแก้", "ขอแก้ไข", "แก้", "แก้ไข", "ไม่ตรง", "ยังไม่ถูก", "ยังไม่ถูกต้อง",
    "ยัง", "มีผิด", "มีที่ผิด", "มีแก้",
]
# 'แก้จังหวัด' at a read-back names what to change: not a bare no, so the form can go to that field.
# With another refusal word ('ไม่ใช่ค่ะ ขอแก้ชื่อ') it is a no.
_EDIT_VERBS = {"แก้", "แก้ไข", "ขอแก้", "ขอแก้ไข", "ต้องแก้", "ต้องแก้ไข"}
# Polite particles said on their own are assent ('ค่ะ'); inside a longer answer they only soften it
# ('ผิดค่ะ วันที่ไม่ใช่' is no).
SOFT_YES = ["ค่ะ", "ครับ", "ค่า", "คับ", "จ้า", "จ้ะ", "ครับผม", "ค่ะผม", "ค้า", "ค้าบ"]
# Known non-answers: unsure or deflecting. Matching them keeps 'ไม่แน่ใจ' from reading as 'ไม่'.
UNSURE = [
    "ไม่แน่ใจ", "ไม่รู้", "ไม่ทราบ", "ยังไม่แน่ใจ", "อาจจะ", "อาจ", "มั้ง", "ไม่เป็นไร", "แล้วแต่", "ก็ได้มั้ง",
    "ไม่แน่", "ไม่รู้สิ", "maybe", "idk", "ไม่มีความเห็น",
]
FILLER = ["ขอบคุณมาก", "ขอบคุณ", "ขอบใจ", "เลย", "แล้ว", "ๆ", "thanks", "thank you", "thx", "🙏", "😊", "🙂", "😀", "❤️", "❤",
          "นะคะ", "นะครับ", "นะ", "ด้วย", "ก่อน", "นิดนึง", "นิดหน่อย", "หน่อย", "บางอย่าง", "บางส่วน",
          "ทุกอย่าง", "ทั้งหมด", "หมด", "ทุกข้อ", "ตรง"]
# The field a refusal points at: 'ผิดค่ะ วันที่ไม่ใช่', 'ไม่ค่ะ จำนวนคนไม่ถูก'.
FIELD_WORDS = ["วันที่", "ชื่อ", "จำนวนคน", "จำนวน", "งบ", "ยอด", "เบอร์", "เวลา", "ตำแหน่ง", "ที่อยู่", "ข้อมูล",
               "ตัวเลข", "วัน", "ชื่อกิจกรรม", "เบอร์โทร", "จังหวัด", "อำเภอ", "กลุ่มเป้าหมาย", "แหล่งงบ", "ผู้เข้าร่วม"]
FILLER += FIELD_WORDS
_QUESTION = re.compile(r"(?:\?|？|ไหม|มั้ย|มั๊ย|ไม๊|หรือเปล่า|หรือป่าว|รึเปล่า|เปล่า\?|หรอ|เหรอ|ป่ะ|ปะ|หรือไม่|รึยัง|หรือยัง|ยังไง|อะไร|ใคร|ที่ไหน|เมื่อไร|เมื่อไหร่)\s*$")
_NEGATORS = ("ไม่", "ไม", "ม่าย", "ยังไม่")  # 'ยังไม่ใช่', 'ยังไม่ครบ' are no

_POLARITY: dict[str, bool | None] = {}
for _w in YES:
    _POLARITY[_w] = True
for _w in NO:
    _POLARITY[_w] = False
for _w in UNSURE:
    _POLARITY[_w] = None
_ALL = sorted([*_POLARITY, *FILLER, *SOFT_YES], key=len, reverse=True)
_FIELDS = set(FIELD_WORDS)
_SOFT = set(SOFT_YES)
_RE_TOKEN = re.compile("|".join(re.escape(w) for w in _ALL))
_RE_SEP = re.compile(r"[\s,.!~:;'\"()\-]+")
# Typo candidates: Thai words of 4+ characters (shorter ones differ from other words by one letter).
_FUZZY = [(w, p) for w, p in _POLARITY.items() if len(w) >= 4 and p is not None and not w.isascii()]
# English is not matched by edit distance ('note' is one letter from 'nope'); only a doubled last
# letter is forgiven (yess, okk, noo).
_RE_ASCII_DOUBLE = re.compile(r"^([a-z]*?)([a-z])\2$")
# 'คะ' alone (rising tone) means "pardon?", not yes.
_NOT_ASSENT = {"คะ", "ค๊ะ", "นะ", "ฮะ", "น้า", "นะคะ"}


def _tokens(s: str) -> list[str] | None:
    """Split into known words; None if anything unknown is left."""
    out = []
    pos = 0
    n = len(s)
    while pos < n:
        m = _RE_SEP.match(s, pos)
        if m:
            pos = m.end()
            continue
        m = _RE_TOKEN.match(s, pos)
        if m is None:
            mp = _RE_ONLY_PARTICLES.match(s, pos)
            if mp is None:
                return None
            pos = mp.end()
            continue
        w = m.group()
        # Latin words must end at a word boundary ('no' is not the start of 'note').
        if w.isascii() and w.isalpha() and m.end() < n and s[m.end()].isalpha():
            return None
        out.append(w)
        pos = m.end()
    return out


def _fuzzy(s: str) -> bool | None:
    word = s.replace(" ", "")
    if len(word) < 4:
        return None
    found: set = set()
    for w, p in _FUZZY:
        if abs(len(w) - len(word)) <= 1 and OSA.distance(word, w, score_cutoff=1) <= 1:
            found.add(p)
    return found.pop() if len(found) == 1 else None


def _tokens_with_typo(core: str) -> list[str] | None:
    """Known words where one space-separated piece is a typo of a yes/no word ('ถุกต้องค่ะ นะคะ 🙏'):
    the piece stands for the word it is one letter from. None if anything else is unknown."""
    out: list[str] = []
    typos = 0
    for piece in _RE_SEP.split(core):
        if not piece:
            continue
        toks = _tokens(piece)
        if toks is None:
            p = _fuzzy(_strip_particles_prepped(piece))
            if p is None or typos:
                return None
            typos += 1
            toks = ["ถูก" if p else "ผิด"]
        out.extend(toks)
    return out


def parse_yes_no(text: str) -> bool | None:
    """True for yes (ใช่, ค่ะ, ได้, ตกลง, ok, 👍, ...), False for no (ไม่, ไม่ใช่, ผิด, no, 👎, ไมใช่ ...),
    None for questions, unsure answers and anything else."""
    try:
        s = prep(text)
        if not s:
            return None
        if _QUESTION.search(s):
            return None
        core = _strip_particles_prepped(s)
        if core == "":
            if _RE_SEP.sub("", s) in _NOT_ASSENT:
                return None
            return True  # 'ค่ะ' / 'ครับ' alone is assent
        if _QUESTION.search(core):
            return None
        toks = _tokens(core)
        if toks is None and _RE_ASCII_DOUBLE.match(core):
            toks = _tokens(core[:-1])
        if toks is None:
            whole = _fuzzy(_RE_SEP.sub(" ", core).strip())
            if whole is not None:
                return whole
            toks = _tokens_with_typo(core)
            if toks is None:
                return None
        if any(w in _EDIT_VERBS and i + 1 < len(toks) and toks[i + 1] in _FIELDS for i, w in enumerate(toks)) \
                and all(w in _EDIT_VERBS or _POLARITY.get(w, "filler") == "filler" or w in _SOFT for w in toks):
            return None
        result: bool | None = None
        negate = False
        soft = False
        for w in toks:
            if w in _SOFT:
                soft = True
                continue
            p = _POLARITY.get(w, "filler")
            if p == "filler":
                continue
            if p is None:
                return None
            if negate and p is True:
                p = False  # ไม่ + ตกลง
            negate = w in _NEGATORS
            if result is None:
                result = p
            elif result != p:
                if result is False and p is False:
                    continue
                return None
        return True if result is None and soft else result
    except Exception:
        return None
