"""Short labels that read well: cut at the end of a word, with "…" when anything was left out.

One helper for every place a name must fit a small space — LINE and Telegram buttons (20 characters),
the broadcast form's list of events — so "ตัวฉันเอง (นางสมศรี ใจดี)" becomes "ตัวฉันเอง (นางสมศรี…" and
never "ตัวฉันเอง (นางสมศ". Thai has no spaces between words: PyThaiNLP's word tokenizer says where
they end (loaded on the first label that needs cutting; results are cached).
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

ELLIPSIS = "…"
_TRAILING = " .,:;-–(/"


def _units(text: str) -> int:
    """Length as LINE counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _by_characters(label: str, room: int) -> str:
    """A single word longer than the room: cut between characters, never leaving a vowel or tone mark
    without its consonant."""
    cut = min(len(label), room)
    while cut > 0 and _units(label[:cut]) > room:
        cut -= 1
    while 0 < cut < len(label) and unicodedata.category(label[cut]).startswith("M"):
        cut -= 1
    return label[:cut]


@lru_cache(maxsize=4096)
def shorten(label: str, limit: int = 20) -> str:
    """`label` in at most `limit` characters (UTF-16 units), cut at a word boundary and ending with "…"
    when it was cut."""
    label = " ".join(label.split())
    if _units(label) <= limit:
        return label or ELLIPSIS
    from pythainlp.tokenize import word_tokenize

    room = limit - _units(ELLIPSIS)
    head = ""
    for word in word_tokenize(label, engine="newmm", keep_whitespace=True):
        if _units(head + word) > room:
            break
        head += word
    head = head.rstrip(_TRAILING)
    if not head:
        head = _by_characters(label, room).rstrip(_TRAILING)
    return (head or label[:1]) + ELLIPSIS
