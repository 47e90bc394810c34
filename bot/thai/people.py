"""People as members type them: a name, its position and a phone in one line, several people in one
message, and the answers that are not a person's name at all.

`split_person("บุญมี มีสุข ประธานชมรม 081-234-5678")` → name "บุญมี มีสุข", position "ประธานชมรม",
phone "0812345678". A Thai name is a given name and a surname, so what follows them is the position.
Pure and offline like the rest of bot.thai: no function raises on a str.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .phone import parse_phone
from .textnorm import normalize, strip_particles

# Positions in organizations and offices (their roots: "ประธานชมรม" starts with "ประธาน").
POSITIONS = (
    "ประธาน", "รองประธาน", "เลขานุการ", "เลขา", "ผู้ช่วยเลขานุการ", "เหรัญญิก", "กรรมการ", "ผู้อำนวยการ",
    "รองผู้อำนวยการ", "ผู้จัดการ", "หัวหน้า", "เจ้าหน้าที่", "สมาชิก", "ที่ปรึกษา", "ปฏิคม", "นายทะเบียน",
    "นายกสมาคม", "นายก", "อุปนายก", "ผู้ประสานงาน", "ประชาสัมพันธ์", "ผู้แทน", "ตัวแทน", "อาสาสมัคร",
    "ผู้ก่อตั้ง", "พนักงาน", "นักพัฒนาสังคม", "นักสังคมสงเคราะห์", "ผู้ใหญ่บ้าน", "กำนัน", "อสม.",
)
# Words that make a text an organization's name, not a person's.
ORG_WORDS = ("มูลนิธิ", "สมาคม", "ชมรม", "กลุ่ม", "องค์กร", "ศูนย์", "เครือข่าย", "สภา", "สหกรณ์", "กองทุน",
             "โรงเรียน", "วัด", "เทศบาล", "อบต", "อบจ", "สำนักงาน")
_HONORIFIC = re.compile(r"^(?:นางสาว|น\.ส\.|นาย(?!ก|ทะเบียน)|นาง(?!รอง)|ด\.ช\.|ด\.ญ\.|ดร\.|คุณ)\s*(?=[ก-๙A-Za-z])")
# A person starts here inside a line: "… และนายสมชาย", "…, นางสาวมาลี"
_PEOPLE_SPLIT = re.compile(
    r"\s*(?:\n|;|,|、|\s(?:และ|กับ)\s*|\s(?=(?:นางสาว|น\.ส\.|นาย(?!ก|ทะเบียน)|นาง(?!รอง))[ก-๙])"
    r"|\s(?=(?:\d{1,2}|[๐-๙]{1,2})[.)]\s))\s*")  # "1. นายเอ … ประธาน 2. นางบี …": a list on one line
_NUMBERING = re.compile(r"^\s*(?:\d+|[๐-๙]+)[.)]\s*|^\s*[-•*·]\s*")
_EXTENSION = re.compile(r"(?:ต่อ|ext\.?|(?<![a-z])x|#)\s*([0-9]{1,5})(?![0-9])", re.I)
_PHONE_RUN = re.compile(r"(?:โทร\.?|เบอร์(?:โทร)?|tel\.?|phone)?\s*:?\s*\+?[0-9๐-๙][0-9๐-๙\s\-.()]{7,}[0-9๐-๙]"
                        r"(?:\s*(?:ต่อ|ext\.?|x|#)\s*[0-9๐-๙]{1,5})?", re.I)
_LIST_NUMBER = re.compile(r"^\s*(?:\d{1,2}|[๐-๙]{1,2})[.)]?\s*$")  # a chunk that is only "2." of a list
_POSITION_PREFIX = re.compile(r"^(?:ตำแหน่ง|position)\s*[:：]?\s*", re.I)
_NAME_PREFIX = re.compile(r"^(?:ชื่อ(?:-?นามสกุล)?|ผม|ดิฉัน|หนู|ฉัน|name)\s*[:：]?\s*", re.I)
_SEPARATOR = re.compile(r"\s*(?:,|/|\s-\s|\s–\s)\s*")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


@dataclass(frozen=True)
class Person:
    name: str
    position: str | None = None
    phone: str | None = None  # digits; an extension follows as " ต่อ 12"


def _clean(text: str) -> str:
    try:
        return strip_particles(normalize(text)).strip(" .,:;")
    except Exception:
        return text.strip()


def parse_phone_with_extension(text: str) -> str | None:
    """A Thai phone number as digits, with its extension kept: "0-4434-1234 ต่อ 12" → "044341234 ต่อ 12"."""
    try:
        digits = parse_phone(text)
        if digits is None:
            return None
        ext = _EXTENSION.search(text.strip().translate(_THAI_DIGITS))
        return f"{digits} ต่อ {ext.group(1)}" if ext else digits
    except Exception:
        return None


def is_position(text: str) -> bool:
    """A bare position ("ประธาน", "เลขานุการชมรม") rather than a person's name."""
    t = _POSITION_PREFIX.sub("", _clean(text)).replace(" ", "")
    return bool(t) and any(t.startswith(p) for p in POSITIONS) and not _HONORIFIC.match(t)


def has_honorific(text: str) -> bool:
    """Starts with นาย, นาง, นางสาว, น.ส., คุณ…: a person."""
    return bool(_HONORIFIC.match(_clean(text)))


def looks_like_org(text: str) -> bool:
    t = _clean(text)
    return any(w in t for w in ORG_WORDS)


def looks_like_person(text: str) -> bool:
    """A person's name typed where an organization's is wanted ("นางสาวมาลี ใจดี")."""
    return has_honorific(text) and not looks_like_org(text)


def _take_phone(line: str) -> tuple[str, str | None]:
    m = _PHONE_RUN.search(line)
    if m is None:
        return line, None
    phone = parse_phone_with_extension(m.group(0))
    if phone is None:
        return line, None
    return (line[:m.start()] + " " + line[m.end():]).strip(" ,"), phone


def split_person(text: str) -> Person:
    """One person from one line: name, then position and phone when they are there."""
    try:
        line = _NUMBERING.sub("", _clean(text))
        line, phone = _take_phone(line)
        line = _NAME_PREFIX.sub("", line.strip(" ,:;")).strip()
        parts = [p for p in _SEPARATOR.split(line, maxsplit=1) if p.strip()]
        position: str | None = None
        if len(parts) == 2:
            name, position = parts[0], parts[1]
        else:
            m = re.search(r"\s*(?:ตำแหน่ง|position)\s*[:：]?\s*", line, re.I)
            if m:
                name, position = line[:m.start()], line[m.end():]
            else:
                words = line.split()
                if len(words) >= 2 and is_position(words[0]) and not is_position(words[1]):
                    # "ประธาน สมศรี ใจดี": the position first
                    cut = next((i for i, w in enumerate(words[1:], 1) if not is_position(w)), 1)
                    position, name = " ".join(words[:cut]), " ".join(words[cut:])
                elif len(words) >= 3:
                    name, position = " ".join(words[:2]), " ".join(words[2:])
                else:
                    name = line
        position = _POSITION_PREFIX.sub("", (position or "").strip(" ,:;-")).strip().strip("()[]").strip() or None
        return Person(name.strip(" ,:;-"), position, phone)
    except Exception:
        return Person(text.strip())


def split_people(text: str) -> list[Person]:
    """Everyone in a message: one per line, or several on a line joined by "และ", "กับ", commas, or a
    new นาย/นาง/นางสาว ("นางสมศรี ใจดี เลขานุการ และนายสมชาย ใจงาม เหรัญญิก" is two people)."""
    try:
        out: list[Person] = []
        for line in re.split(r"[\n;]+", normalize(text)):
            line = _NUMBERING.sub("", line).strip()
            if not line:
                continue
            chunks = [c for c in _PEOPLE_SPLIT.split(line) if c and c.strip() and not _LIST_NUMBER.match(c)]
            # "สมชาย ใจดี, เหรัญญิก": a comma before a position joins it to the person before it
            merged: list[str] = []
            for chunk in chunks:
                if merged and (is_position(chunk) or len(chunk.split()) == 1 and not has_honorific(chunk)) \
                        and len(merged[-1].split()) <= 2 and "," in line:
                    merged[-1] = f"{merged[-1]}, {chunk}"
                else:
                    merged.append(chunk)
            out += [split_person(c) for c in merged]
        return [p for p in out if p.name]
    except Exception:
        return [Person(text.strip())] if text.strip() else []
