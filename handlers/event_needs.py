"""The optional registration question about dietary and access needs (ฮาลาล, มังสวิรัติ, แพ้อาหาร, wheelchair).

One question with quick-reply choices; anything typed is read for the same needs and kept as a note for
the venue (an allergy is only useful with what the person is allergic to). "ไม่มี" answers it with nothing.
"""
from __future__ import annotations

import re
from typing import Any

from bot.context import Context
from bot.forms import Field, Invalid
from bot.messages import Choice
from storage.models.training import NEEDS

NONE = "@needs:none"
_WORDS = {
    "halal": ("ฮาลาล", "halal", "มุสลิม", "อิสลาม", "muslim"),
    "vegetarian": ("มังสวิรัติ", "มังสะวิรัติ", "เจ", "vegetarian", "vegan", "ไม่ทานเนื้อ", "ไม่กินเนื้อ"),
    "allergy": ("แพ้", "allerg"),
    "wheelchair": ("วีลแชร์", "วิลแชร์", "รถเข็น", "wheelchair", "ทางลาด"),
}
_NOTHING = re.compile(r"^(ไม่มี|ไม่มีค่ะ|ไม่มีครับ|ไม่|none|no|nothing)$", re.I)


def parse_needs(raw: str, ctx: Context) -> dict[str, Any]:
    from handlers.fields import clean_text

    if raw == NONE:
        return {"needs": [], "note": None}
    if raw.startswith("@needs:") and raw[7:] in NEEDS:
        return {"needs": [raw[7:]], "note": None}
    text = clean_text(raw)
    if _NOTHING.match(text):
        return {"needs": [], "note": None}
    low = text.lower()
    found = [key for key in NEEDS if any(w in low for w in _WORDS[key])]
    if len(text) < 2:
        raise Invalid("event.needs.bad")
    # the words alone need no note; anything more (what they are allergic to, a walker…) is kept
    bare = {w for key in found for w in _WORDS[key]}
    note = None if low in bare else text[:300]
    return {"needs": found, "note": note}


def needs_choices(ctx: Context) -> list[Choice]:
    return [ctx.choice(f"event.needs.{key}", f"@needs:{key}") for key in NEEDS] + [ctx.choice("event.needs.none", NONE)]


def show_needs(value: Any, ctx: Context) -> str:
    if not value or (not value.get("needs") and not value.get("note")):
        return ctx.t("event.needs.nothing")
    parts = [ctx.t(f"event.needs.{key}") for key in value.get("needs", [])]
    if value.get("note"):
        parts.append(value["note"])
    return ", ".join(parts)


NEEDS_FIELD = Field("needs", "event.needs.ask", parse_needs, example="event.needs.example", choices=needs_choices,
                    optional=True, show=show_needs, label="event.needs.label", aliases=("อาหาร", "ความต้องการพิเศษ"))


def save(ctx: Context, registration: Any, value: dict[str, Any] | None) -> None:
    from storage.repositories import training as training_repo

    if value and registration is not None:
        training_repo.save_needs(ctx.session, registration=registration, needs=value.get("needs", []),
                                 note=value.get("note"))
