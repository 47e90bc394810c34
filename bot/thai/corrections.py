"""Corrections typed in one message: "X เป็น Y", "แก้ X เป็น Y", "เปลี่ยน X เป็น Y", "ไม่ใช่ X ค่ะ Y".

`parse_correction(text, names, shown)` finds which item is meant — by one of its names (`names`: key →
the item's Thai and English names and synonyms), or, after "ไม่ใช่", by the value now shown for it
(`shown`: key → value) — and returns (key, the new value as typed). None when the message is not a
correction of a known item. Pure and offline: never raises on a str.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from .textnorm import normalize, strip_particles

_LEADS = ("ขอแก้ไข", "ขอแก้", "ช่วยแก้", "แก้ไข", "แก้", "ขอเปลี่ยน", "เปลี่ยน", "edit", "change", "fix")
_CONNECTORS = ("ต้องเป็น", "ที่ถูกคือ", "ที่ถูกต้องคือ", "แก้เป็น", "เปลี่ยนเป็น", "เป็น", "คือ", "to", "is", ":", "=", "→", "->")
_PARTICLE = r"(?:นะคะ|นะครับ|ค่ะ|คะ|ค่า|ครับ|คับ|จ้า|จ้ะ|นะ)"
# "ไม่ใช่ 110 คนค่ะ 120 คน", "ไม่ใช่ผู้สูงอายุ เป็นอาสาสมัคร", "ไม่ใช่ 110, 120"
_NOT_X_BUT_Y = (  # the particle is the clearest cut, so it is tried first
    re.compile(rf"^(?:ไม่ใช่|not)\s*(?P<x>.+?)\s*{_PARTICLE}\s*[,.]?\s*(?:แต่\s*)?(?:เป็น|คือ|is)?\s*(?P<y>.+)$", re.I),
    re.compile(rf"^(?:ไม่ใช่|not)\s*(?P<x>.+?)\s*(?:,\s*|\s+(?:แต่|but)\s*|\s+(?=(?:เป็น|คือ)))"
               rf"(?:แต่\s*)?(?:เป็น|คือ|is)?\s*(?P<y>.+)$", re.I),
)


def _key(text: str) -> str:
    return strip_particles(normalize(text)).lower().replace(" ", "")


def _value(text: str) -> str:
    return strip_particles(text).strip(" ,.:;") if text else ""


def _by_name(text: str, names: Mapping[str, Sequence[str]]) -> tuple[str, str] | None:
    """The item whose name starts the text, and what follows the connector."""
    low = text.lower()
    options = sorted(((n.lower(), k) for k, ns in names.items() for n in ns if n), key=lambda p: -len(p[0]))
    for name, key in options:
        if not low.startswith(name):
            continue
        rest = text[len(name):].lstrip()
        for conn in _CONNECTORS:
            if rest.lower().startswith(conn):
                after = rest[len(conn):]
                if conn.isascii() and conn.isalpha() and after[:1] not in (" ", ""):
                    continue  # "is" must be a word of its own
                value = _value(after)
                return (key, value) if value else None
        return None
    return None


def _by_shown(x: str, shown: Mapping[str, str]) -> str | None:
    wanted = _key(x)
    if not wanted:
        return None
    exact = [k for k, v in shown.items() if v and _key(v) == wanted]
    if len(exact) == 1:
        return exact[0]
    near = [k for k, v in shown.items() if v and len(wanted) >= 2 and wanted in _key(v)]
    return near[0] if len(near) == 1 else None


def parse_correction(text: str, names: Mapping[str, Sequence[str]],
                     shown: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    try:
        t = normalize(text).strip()
        if not t or "\n" in t or len(t) > 300:
            return None
        m = _NOT_X_BUT_Y[0].match(t) or _NOT_X_BUT_Y[1].match(t)
        if m:
            x, y = m.group("x").strip(), _value(m.group("y"))
            if not y:
                return None
            named = _by_name(f"{x} เป็น {y}", names)
            if named:
                return named
            key = _by_shown(x, shown or {})
            return (key, y) if key else None
        lead = next((w for w in _LEADS if t.lower().startswith(w)), None)
        body = t[len(lead):].lstrip() if lead else t
        return _by_name(body, names)
    except Exception:
        return None
