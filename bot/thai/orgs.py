"""Finding an organization by a name typed from memory.

Names differ mostly in the generic prefix (มูลนิธิ / สมาคม / ชมรม ...), spacing and small typos, so
both sides are reduced to a comparable core before rapidfuzz scores them.
"""
from __future__ import annotations

import re

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from .textnorm import prep

# Longest first so 'องค์กรสาธารณประโยชน์' goes before 'องค์กร'. Repeated prefixes are all removed
# ('สมาคมชมรม...' is rare but harmless).
_PREFIXES = [
    "องค์กรสาธารณประโยชน์", "องค์กรสวัสดิการชุมชน", "มูลนิธิ", "สมาคม", "ชมรม", "กลุ่ม", "องค์กร", "องค์การ",
    "ศูนย์", "foundation", "association", "club", "the",
]
_RE_PREFIX = re.compile(r"^(?:" + "|".join(_PREFIXES) + r")\s*")
_RE_NOISE = re.compile(r"[\s.,'\"()\-_/:;!?ฯ]+")


def org_name_key(name: str) -> str:
    """The comparable core of an organization name: normalized, lower case, without the generic
    prefix and without spaces or punctuation. 'มูลนิธิ บ้านสุข ' -> 'บ้านสุข'."""
    try:
        s = prep(name)
        prev = None
        while prev != s:
            prev = s
            s = _RE_PREFIX.sub("", s)
        return _RE_NOISE.sub("", s)
    except Exception:
        return ""


def fuzzy_org_score(query: str, name: str) -> float:
    """0-100 similarity between a typed query and an organization name (prefixes, spaces and small
    typos ignored). A query that is a clear part of the name ('บ้านสุข' in 'บ้านสุขสันต์') scores high
    but below an exact match."""
    try:
        return fuzzy_key_score(org_name_key(query), org_name_key(name))
    except Exception:
        return 0.0


def fuzzy_key_score(q: str, n: str) -> float:
    """`fuzzy_org_score` of two names already reduced by `org_name_key` (the stored ``name_key``)."""
    if not q or not n:
        return 0.0
    if q == n:
        return 100.0
    score = fuzz.ratio(q, n)
    if len(q) >= 3 and len(q) < len(n):
        # partial match counts less, and less the shorter the query is relative to the name
        part = fuzz.partial_ratio(q, n) * (0.75 + 0.2 * len(q) / len(n))
        score = max(score, part)
    if len(q) >= 4 and len(q) < len(n):
        # A shortened name ('พัฒนาเด็กพิดโลก' for 'พัฒนาเด็กและครอบครัวพิษณุโลก'): how much of what was typed
        # appears, in order, in the name. Among many names sharing a long part, the one that also has the
        # rest of what was typed wins.
        cover = LCSseq.similarity(q, n) / len(q) * 100 * (0.7 + 0.2 * len(q) / len(n))
        score = max(score, cover)
    return float(min(score, 99.0))
