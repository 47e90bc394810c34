"""Cleaning of text typed on a phone, before any parsing.

Every parser in bot.thai starts from `prep()` (normalize + lower case), so a rule added here helps all
of them. The rules are the ones that matter for typed input: invisible characters that phones and
copy-paste insert, Thai digits, the many Unicode dashes, stretched letters (ค่าาา, ครับบบ, เมนูววว is
handled by keywords.py), and the tone-mark/vowel ordering problems PyThaiNLP's `normalize` fixes.

PyThaiNLP's `normalize` costs 15-55 µs per call (about a dozen regex passes). Most messages do not need
it, so it only runs when a cheap regex sees something it would change (see `_NEEDS_PYTHAINLP`).
"""
from __future__ import annotations

import re
from functools import lru_cache

# Zero-width characters and the soft hyphen vanish; the various no-break / wide spaces become spaces.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
_SPACES = "\u00a0\u2007\u202f\u3000\u2002\u2003\u2009\u200a\t\r\f\v"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_TABLE = {ord(c): None for c in _INVISIBLE}
_TABLE.update({ord(c): " " for c in _SPACES})
_TABLE.update({ord(c): "-" for c in _DASHES})
_TABLE.update({0x0E50 + i: str(i) for i in range(10)})  # ๐-๙ -> 0-9
_TABLE.update({0xFF10 + i: str(i) for i in range(10)})  # full-width digits
_TABLE.update({ord("\uff0f"): "/", ord("\uff1a"): ":", ord("\uff0e"): ".", ord("\uff0c"): ","})
_TABLE.update({ord("\u2018"): "'", ord("\u2019"): "'", ord("\u201c"): '"', ord("\u201d"): '"'})

# Three or more of the same letter is never Thai or English spelling: ครับบบ -> ครับ, yesss -> yes.
# Doubles are kept: บุคคล, ธรรม, เมตตา are real words. Digits are never touched (1000).
_RE_STRETCH = re.compile(r"([ก-ฮa-zA-Z])\1{2,}")
# ...except the few real words of three same letters: สสส. (the Health Promotion Foundation), www.
_KEEP_TRIPLES = {"สสส", "www", "WWW"}


def _unstretch(m: re.Match) -> str:
    return m.group() if m.group() in _KEEP_TRIPLES else m.group(1)
# A repeated vowel or mark (ค่าา, ที่่) is always a typo or stretching.
_RE_REPEAT_MARK = re.compile(r"([\u0e30-\u0e3a\u0e45\u0e47-\u0e4e])\1+")
_RE_SPACES = re.compile(r"[ ]{2,}")
_RE_NEWLINES = re.compile(r" *\n[ \n]*")

# Things only PyThaiNLP's normalize repairs: เเ (two sara e), a tone mark typed before an upper/lower
# vowel, nikhahit + sara aa, lakkhangyao, a mark after a space or at the start, repeated tone marks.
_MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
_NEEDS_PYTHAINLP = re.compile(
    "\u0e40\u0e40|[\u0e48-\u0e4c][\u0e31\u0e34-\u0e3a]|\u0e4d|\u0e45|[\u0e30\u0e32\u0e33][\u0e48-\u0e4b]"
    f"|(?:^| )[{_MARKS}]|[\u0e48-\u0e4b]{{2}}"
)

_pythainlp_normalize = None


def _thai_normalize(text: str) -> str:
    # Imported lazily: pythainlp.util pulls in the tokenizer package (~50 ms), which `import bot.thai`
    # should not pay for. warm_up() imports it at server start.
    global _pythainlp_normalize
    if _pythainlp_normalize is None:
        from pythainlp.util import normalize as f

        _pythainlp_normalize = f
    return _pythainlp_normalize(text)


def normalize(text: str) -> str:
    """Clean typed text; keeps letter case and line breaks.

    Removes zero-width characters, turns no-break spaces into spaces, Thai and full-width digits into
    ASCII digits, Unicode dashes into '-', collapses stretched letters (3+), repeated vowels and marks,
    repeated spaces, and applies PyThaiNLP's `normalize` when the text has something it repairs.

    A short text (a chat message, a button label) is normalized once and remembered: one turn reads the
    same message through several parsers (the words that work anywhere, the offered buttons, the form's
    own field), and members send the same few words and labels over and over.
    """
    if not isinstance(text, str):
        return ""
    if len(text) <= REMEMBERED_UP_TO:
        return _normalize_remembered(text)
    return _normalize(text)


REMEMBERED_UP_TO = 200  # characters: longer texts (a whole report) are rarely typed twice


def _normalize(text: str) -> str:
    t = text.translate(_TABLE)
    if _NEEDS_PYTHAINLP.search(t):
        try:
            t = _thai_normalize(t)
        except Exception:  # never let a library edge case reach the member
            pass
    t = _RE_REPEAT_MARK.sub(r"\1", t)
    t = _RE_STRETCH.sub(_unstretch, t)
    if "  " in t:
        t = _RE_SPACES.sub(" ", t)
    if "\n" in t:
        t = _RE_NEWLINES.sub("\n", t)
    return t.strip()


_normalize_remembered = lru_cache(maxsize=4096)(_normalize)


def prep(text: str) -> str:
    """normalize() plus lower case: the form every parser works on."""
    return normalize(text).lower()


# Polite particles and their stretched or typed-fast forms. Each may repeat its last letter
# (ครับบ, ค่ะะ) because normalize() keeps doubles.
_PARTICLES = (
    "ครับผม", "คับผม", "ค่ะผม", "นะคะ", "นะครับ", "นะค่ะ", "นะจ๊ะ", "นะจ้ะ", "ค่ะ", "คะ", "ค่า", "ค้า", "คับ", "ครับ", "คราบ", "ค้าบ",
    "คร้าบ", "ครัช", "ขอรับ", "จ้า", "จ้ะ", "จ๊ะ", "จ๊า", "ฮะ", "ฮ่ะ", "ค๊ะ", "คร่ะ", "นะ", "น่ะ", "น้า",
    "เด้อ", "จ้ะ", "ย่ะ", "เนาะ", "ค่ะๆ",
)
_PART_ALT = "|".join(
    re.escape(p[:-1]) + re.escape(p[-1]) + "+" for p in sorted(set(_PARTICLES), key=len, reverse=True)
)
# A particle cannot start right after a leading vowel (เจ้า is not เ + จ้า).
_RE_TRAILING_PARTICLES = re.compile(
    rf"(?<![\u0e40-\u0e44])(?:[\s.!~,]*(?:{_PART_ALT}))+[\s.!~,ๆ]*$"
)
_RE_ONLY_PARTICLES = re.compile(rf"^(?:[\s.!~,ๆ]*(?:{_PART_ALT}))+[\s.!~,ๆ]*$")


def strip_particles(text: str) -> str:
    """normalize(text) without the trailing polite particles: 'ได้ค่ะ' -> 'ได้', 'ใช่ครับบ' -> 'ใช่'.

    A message made only of particles ('ค่ะ') comes back as ''.
    """
    t = normalize(text)
    return _strip_particles_prepped(t)


def _strip_particles_prepped(t: str) -> str:
    if _RE_ONLY_PARTICLES.match(t):
        return ""
    # Particles are short, so only the tail needs scanning; search(pos=) keeps the lookbehind context.
    m = _RE_TRAILING_PARTICLES.search(t, max(0, len(t) - 40))
    return t[: m.start()].rstrip() if m else t


def only_particles(t: str) -> bool:
    return bool(t) and _RE_ONLY_PARTICLES.match(t) is not None
