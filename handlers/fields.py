"""Parsers and displays for form fields shared by several conversations."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.context import Context
from bot.forms import Invalid
from bot.messages import Choice
from storage.models import OrgKind

KIND_KEYS = {
    OrgKind.public_benefit.value: "kind.public_benefit",
    OrgKind.community_welfare.value: "kind.community_welfare",
    OrgKind.other.value: "kind.other",
}
_KIND_WORDS = {
    OrgKind.public_benefit.value: ("สาธารณประโยชน์", "สาธารณะประโยชน์", "มูลนิธิ", "สมาคม", "public"),
    OrgKind.community_welfare.value: ("สวัสดิการชุมชน", "ชุมชน", "community"),
    OrgKind.other.value: ("อื่น", "other"),
}
_NAME_PREFIX = re.compile(r"^(ชื่อ(-นามสกุล|นามสกุล)?|ผม|ดิฉัน|หนู|ฉัน|name)\s*[:：]?\s*", re.I)
_DISTRICT_PREFIX = re.compile(r"^(อำเภอ|อ\.|เขต|district)\s*", re.I)


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


def parse_person_name(raw: str, ctx: Context) -> str:
    text = _NAME_PREFIX.sub("", clean_text(raw)).strip()
    if len(text) < 2 or sum(ch.isdigit() for ch in text) > 0:
        raise Invalid("form.bad_name")
    if len(text) > 120:
        raise Invalid("form.too_long", max=120)
    return text


def parse_district(raw: str, ctx: Context) -> str:
    text = _DISTRICT_PREFIX.sub("", clean_text(raw)).strip()
    if len(text) < 2 or len(text) > 80:
        raise Invalid()
    return text


def parse_phone_field(raw: str, ctx: Context) -> str:
    from bot.thai import parse_phone

    phone = parse_phone(raw)
    if phone is None:
        raise Invalid("form.bad_phone")
    return phone


def show_phone(value: Any, ctx: Context) -> str:
    from bot.thai import format_phone

    return format_phone(str(value))


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


parse_kind, kind_choices = keyword_choice(KIND_KEYS, _KIND_WORDS)


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
