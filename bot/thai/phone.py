"""Thai phone numbers: mobile 0[689]x-xxx-xxxx (10 digits), landline 0[2-57]x-xxx-xxx (9 digits).

Typed with spaces, dashes, dots, brackets, +66, Thai digits, inside a sentence (เบอร์ ๐๘๑-๒๓๔-๕๖๗๘ ค่ะ),
or in the government style 0-5525-8111. Digits are only cut at a separator, so 11 digits in a row are
wrong, not a phone number plus one.
"""
from __future__ import annotations

import re

from .textnorm import prep

# A run of digit groups joined by single separators; '+66' and '(0)' may start it.
_RE_RUN = re.compile(r"(?P<intl>\+\s*66|\(\s*\+?\s*66\s*\)|(?<!\d)66(?=[\s\-.]?[1-9]))?(?:[\s\-.()]{0,3}\d+)+")
_RE_GROUP = re.compile(r"\d+")


def _need(digits: str) -> int:
    """Expected length for a number starting with these digits: mobile 10, landline 9."""
    return 10 if digits[1:2] in ("6", "8", "9") else 9


def parse_phone(text: str) -> str | None:
    """The first Thai phone number in the text as digits only ('0812345678', '021234567'), or None."""
    try:
        t = prep(text)
        for m in _RE_RUN.finditer(t):
            intl = m.group("intl") is not None
            groups = _RE_GROUP.findall(t, m.end("intl") if intl else m.start(), m.end())
            if intl:
                # the national number follows +66 without its leading 0; '(0)' may be typed anyway
                if groups and groups[0] == "0":
                    groups = groups[1:]
                if not groups:
                    continue
                groups[0] = "0" + groups[0].lstrip("0")
            i = 0
            while i < len(groups):
                acc = ""
                for j in range(i, len(groups)):
                    acc += groups[j]
                    if not acc.startswith("0"):
                        break
                    if len(acc) < 2:
                        continue
                    need = _need(acc)
                    if len(acc) == need and acc[1] != "0" and acc[1] != "1":
                        return acc
                    if len(acc) > need:
                        break
                i += 1
        return None
    except Exception:
        return None


def format_phone(digits: str) -> str:
    """Display form in one consistent Thai style: mobile 081-234-5678, Bangkok 02-123-4567, other
    landlines 055-258-111 (area code, then 3 + 3). Anything else comes back unchanged."""
    try:
        d = re.sub(r"\D", "", prep(digits))
        if len(d) == 10 and d[0] == "0" and d[1] in "689":
            return f"{d[:3]}-{d[3:6]}-{d[6:]}"
        if len(d) == 9 and d.startswith("02"):
            return f"{d[:2]}-{d[2:5]}-{d[5:]}"
        if len(d) == 9 and d[0] == "0" and d[1] in "3457":
            return f"{d[:3]}-{d[3:6]}-{d[6:]}"
        return digits
    except Exception:
        return digits if isinstance(digits, str) else ""
