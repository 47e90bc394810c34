"""Parsers and displays for form fields shared by several conversations."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.context import Context
from bot.forms import Invalid
from bot.messages import Choice
from bot.org_kinds import KIND_KEYS, KIND_WORDS
from bot.registry import find_intent

_NAME_PREFIX = re.compile(r"^(ชื่อ(-นามสกุล|นามสกุล)?|ผม|ดิฉัน|หนู|ฉัน|name)\s*[:：]?\s*", re.I)
_DISTRICT_PREFIX = re.compile(r"^(อำเภอ|อ\.|เขต|district)\s*", re.I)
_POSITION_PREFIX = re.compile(r"^(ตำแหน่ง|position)\s*[:：]?\s*", re.I)


def clean_text(raw: str) -> str:
    from bot.thai import normalize, strip_particles

    return strip_particles(normalize(raw)).strip(" .,:;")


def parse_text(min_len: int = 2, max_len: int = 200):  # noqa: ANN201
    def parse(raw: str, ctx: Context) -> str:
        text = clean_text(raw)
        if len(text) < min_len:
            raise Invalid("form.too_short")
        if len(text) > max_len:
            raise Invalid("form.too_long", max=max_len)
        return text

    return parse


def read_person(raw: str, ctx: Context):  # noqa: ANN201 - a bot.thai.people.Person
    """A person's name from an answer, with the position and phone typed after it (bot.thai.people),
    refusing what is not a name: a bare position, a menu word, an organization, digits."""
    from bot.thai.people import Person, is_position, looks_like_org, split_person

    text = clean_text(raw)
    if is_position(text):
        raise Invalid("form.name_is_position", position=text)
    if find_intent(text) is not None or raw.strip().startswith("go:"):
        raise Invalid("form.name_is_menu_word", word=text)
    person = split_person(text)
    name = _NAME_PREFIX.sub("", person.name).strip()
    if looks_like_org(name):
        raise Invalid("form.name_is_org", org=name)
    if len(name) < 2 or any(ch.isdigit() for ch in name):
        raise Invalid("form.bad_name")
    if len(name) > 120:
        raise Invalid("form.too_long", max=120)
    position = person.position
    if position and (len(position) > 120 or any(ch.isdigit() for ch in position)):
        position = None  # not a position after all: asked on its own
    return Person(name, position, person.phone)


def parse_person_name(raw: str, ctx: Context) -> str:
    return read_person(raw, ctx).name


def parse_position(raw: str, ctx: Context) -> str:
    from bot.thai import parse_phone

    text = _POSITION_PREFIX.sub("", clean_text(raw)).strip()
    if parse_phone(text) is not None:
        raise Invalid("form.position_is_phone")
    return parse_text(2, 120)(text, ctx)


def display_name_choices(ctx: Context) -> list[Choice]:
    """The chat app's display name as a one-tap answer, when it reads like a person's name."""
    shown = ctx.msg.display_name or ctx.data.get("display_name") or \
        (ctx.identity.display_name if ctx.identity else None)
    if not shown or len(shown) > 20 or any(ch.isdigit() for ch in shown) or len(shown.strip()) < 2:
        return []
    return [Choice(shown.strip(), shown.strip())]


def parse_org_name(raw: str, ctx: Context) -> str:
    """An organization's name: a person's name (นางสาว…) is refused with the reason."""
    from bot.thai.people import looks_like_person

    text = parse_text(2, 300)(raw, ctx)
    if looks_like_person(text):
        raise Invalid("form.org_is_person", name=text)
    return text


# Provinces whose capital district is not called เมือง<province>.
_CAPITAL_DISTRICT = {"พระนครศรีอยุธยา": "พระนครศรีอยุธยา"}
_PROVINCE_PART = re.compile(r"\s*(?:จังหวัด|จ\.)\s*(\S+)\s*$")


def read_district(raw: str, province: str | None) -> tuple[str, str | None]:
    """A district's full name and the province typed with it: "อ.เมือง" in น่าน → ("เมืองน่าน", None),
    "ปากช่อง จ.นครราชสีมา" → ("ปากช่อง", "นครราชสีมา")."""
    from bot.thai import match_province

    text = clean_text(raw)
    typed_province = None
    m = _PROVINCE_PART.search(text)
    if m and match_province(m.group(1)):
        typed_province = match_province(m.group(1))
        text = text[:m.start()].strip()
    text = _DISTRICT_PREFIX.sub("", text).strip()
    if len(text) < 2 or len(text) > 80:
        raise Invalid()
    where = typed_province or province
    if text.replace(" ", "") == "เมือง" and where:
        text = _CAPITAL_DISTRICT.get(where, f"เมือง{where}")
    return text, typed_province


def parse_district(raw: str, ctx: Context) -> str:
    return read_district(raw, None)[0]


def parse_phone_field(raw: str, ctx: Context) -> str:
    from bot.thai.people import parse_phone_with_extension

    phone = parse_phone_with_extension(raw)
    if phone is None:
        raise Invalid("form.bad_phone")
    return phone


def show_phone(value: Any, ctx: Context) -> str:
    from bot.thai import format_phone

    number, _, ext = str(value).partition(" ต่อ ")
    return format_phone(number) + (f" ต่อ {ext}" if ext else "")


def parse_province_field(raw: str, ctx: Context) -> str:
    from bot.thai import match_province

    province = match_province(raw)
    if province is None:
        raise Invalid("form.bad_province")
    return province


def keyword_choice(keys: Mapping[str, str], words: Mapping[str, Sequence[str]]
                   ) -> tuple[Callable[[str, Context], str], Callable[[Context], list[Choice]]]:
    """A parser and a choices function for picking one of `keys` (value → label key): by tapping its
    button, or by typing a word that names it (`words`: value → words)."""

    def parse(raw: str, ctx: Context) -> str:
        if raw in keys:
            return raw
        text = clean_text(raw).lower()
        for value, names in words.items():
            if any(w in text for w in names):
                return value
        raise Invalid()

    def choices(ctx: Context) -> list[Choice]:
        return [Choice(ctx.t(key), value) for value, key in keys.items()]

    return parse, choices


parse_kind, kind_choices = keyword_choice(KIND_KEYS, KIND_WORDS)


def show_kind(value: Any, ctx: Context) -> str:
    return ctx.t(KIND_KEYS.get(str(value), "kind.other"))


def parse_yes_no_field(raw: str, ctx: Context) -> bool:
    from bot.thai import parse_yes_no

    if raw in ("yes", "no"):
        return raw == "yes"
    answer = parse_yes_no(raw)
    if answer is None:
        raise Invalid("form.yes_or_no")
    return answer


def yes_no_answer(ctx: Context) -> bool | None:
    """The member's answer to a yes/no question: a tapped "yes"/"no" button or a typed answer
    (particles and typos tolerated); None when it is neither."""
    answer = ctx.msg.input.strip()
    if answer in ("yes", "no"):
        return answer == "yes"
    from bot.thai import parse_yes_no

    return parse_yes_no(answer)


def yes_no_choices(ctx: Context) -> list[Choice]:
    return [ctx.choice("form.yes", "yes"), ctx.choice("form.no", "no")]


def show_yes_no(value: Any, ctx: Context) -> str:
    return ctx.t("form.yes" if value else "form.no")
