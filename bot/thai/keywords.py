"""Command words typed as a whole message: ยกเลิก, เมนู, cancel, /menu ...

Runs on every incoming message, so it avoids PyThaiNLP entirely: a translate table, two small regexes
and a dict lookup per call, with the keyword table prepared once per distinct mapping.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from rapidfuzz.distance import OSA

from .textnorm import _RE_TRAILING_PARTICLES, _RE_ONLY_PARTICLES, prep

_RE_EDGE = re.compile(r"^[\s/!.,~?:;'\"()\[\]*#-]+|[\s!.,~?:;'\"()\[\]*#ๆ-]+$")
# People stretch the end of a word with a letter the word does not even end in (เมนูววว).
_RE_TAIL_RUN = re.compile(r"(.)\1+$")

# Polite wrappers around a command: 'ขอลงทะเบียนอบรม', 'อยากสมัครอบรมค่ะ', 'ลงทะเบียนอบรมให้หน่อย',
# 'สมัครอบรมได้ไหมคะ'. Tried only after the whole message failed, so 'ขอบคุณ' stays itself.
_RE_POLITE_HEAD = re.compile(
    r"^(?:(?:ฉัน|ผม|หนู|ดิฉัน|เรา|พี่)?(?:ขอ|อยาก(?:จะ)?|ต้องการ|รบกวน|ช่วย|จะ|สนใจ)(?:ทำการ|ขอ)?|ทำการ)(?=.)"
)
_RE_POLITE_TAIL = re.compile(
    r"(?<=.)(?:(?:ให้)?(?:หน่อย|ด้วย|ที)|ได้(?:ไหม|มั้ย|มั๊ย|ไม๊|เลย)|(?:ยัง)?ไง|เลย|ครับ|ค่ะ|คะ|นะ|พี่ๆ?|น้อง)+$"
)

_cache: dict[tuple, tuple[dict[str, str], list[tuple[str, str]]]] = {}


def _clean(text: str) -> str:
    s = prep(text)
    s = _RE_EDGE.sub("", s)
    if not s:
        return s
    if _RE_ONLY_PARTICLES.match(s):
        return s
    m = _RE_TRAILING_PARTICLES.search(s, max(0, len(s) - 40))
    if m:
        s = s[: m.start()]
    return _RE_EDGE.sub("", s)


# A message is matched against several tables in one turn (the words that work anywhere, the offered
# buttons' labels, a form's own words): cleaned once.
_clean_remembered = lru_cache(maxsize=4096)(_clean)


def _index(keywords: Mapping[str, Iterable[str]]):
    key = tuple((k, tuple(v)) for k, v in keywords.items())
    hit = _cache.get(key)
    if hit is not None:
        return hit
    exact: dict[str, str] = {}
    fuzzy: list[tuple[str, str]] = []
    for k, words in key:
        for w in words:
            c = _clean(w).replace(" ", "")
            if not c:
                continue
            exact.setdefault(c, k)
            if len(c) >= 4:
                fuzzy.append((c, k))
    if len(_cache) > 256:
        _cache.clear()
    _cache[key] = (exact, fuzzy)
    return exact, fuzzy


def match_keyword(text: str, keywords: Mapping[str, Iterable[str]]) -> str | None:
    """The key whose word the whole message is ('ยกเลิกค่ะ', 'เมนูววว', ' Cancel! ', 'ยกลิก' -> its key),
    or None. A sentence that merely contains the word is None."""
    try:
        exact, fuzzy = _index(keywords)
        s = (_clean_remembered(text) if len(text) <= 200 else _clean(text)).replace(" ", "")
        if not s or len(s) > 40:
            return None
        hit = exact.get(s)
        if hit is not None:
            return hit
        core = _RE_POLITE_TAIL.sub("", _RE_POLITE_HEAD.sub("", s))
        if core != s and core:
            hit = exact.get(core) or exact.get(_RE_POLITE_TAIL.sub("", s)) or exact.get(_RE_POLITE_HEAD.sub("", s))
            if hit is not None:
                return hit
        if len(s) > 2 and s[-1] * 2 in text.lower():
            # normalize() already cut 'ววว' to 'ว'; the stretched letter itself is extra
            hit = exact.get(s[:-1])
            if hit is not None:
                return hit
        m = _RE_TAIL_RUN.search(s)
        if m:
            for cand in (s[: m.start() + 1], s[: m.start()]):
                hit = exact.get(cand)
                if hit is not None:
                    return hit
        if len(s) >= 4:
            keys = {k for w, k in fuzzy if abs(len(w) - len(s)) <= 1 and OSA.distance(s, w, score_cutoff=1) <= 1}
            if len(keys) == 1:
                return keys.pop()
        return None
    except Exception:
        return None
