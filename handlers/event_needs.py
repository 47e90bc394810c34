"""The optional registration question about dietary and access needs (ฮาลาล, มังสวิรัติ, แพ้อาหาร, wheelchair).

It is asked on the read-back of the registration, not as a step of its own (a registration stays within
its four turns): the card says "any food or access needs? tap below, or confirm", with one quick reply per
need next to ยืนยัน. A tap adds that need (several may be tapped); anything typed that names a need is
read the same way and kept as a note for the venue (an allergy is only useful with what to avoid);
"ไม่มี" clears it. "แก้ไข" → the field asks the question on its own, like any other.
"""
from __future__ import annotations

import re
from typing import Any

from bot.context import Context
from bot.forms import Field, Invalid
from bot.messages import Choice, Reply
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
                    optional=True, show=show_needs, label="event.needs.label", aliases=("อาหาร", "ความต้องการพิเศษ"),
                    ask=False)


def _answer_at_read_back(ctx: Context, text: str, current: dict[str, Any] | None) -> dict[str, Any] | None:
    """The needs said on the read-back, merged with those already given; None when `text` is about
    something else (ยืนยัน, แก้ไข, a correction)."""
    if text == NONE:
        return {"needs": [], "note": None}
    if text.startswith("@needs:") and text[7:] in NEEDS:
        needs = list((current or {}).get("needs", []))
        return {"needs": [n for n in NEEDS if n in needs or n == text[7:]], "note": (current or {}).get("note")}
    low = text.lower()
    if not any(w in low for words in _WORDS.values() for w in words):
        return None
    try:
        return parse_needs(text, ctx)
    except Invalid:
        return None


class NeedsAtReadBack:
    """Mixed into the registration form (before `Form`): the needs question rides on its read-back."""

    def _summary(self, ctx: Context) -> list[Reply]:
        replies = super()._summary(ctx)  # type: ignore[misc]
        last = replies[-1]
        text = (last.text or "") + "\n\n" + ctx.t("event.needs.ask_inline")
        choices = (tuple(c for c in needs_choices(ctx)) + last.choices)[:13]
        return replies[:-1] + [Reply(text=text, card=last.card, choices=choices)]

    def _on_summary(self, ctx: Context, text: str) -> list[Reply]:
        value = _answer_at_read_back(ctx, text, self.values(ctx).get("needs"))  # type: ignore[attr-defined]
        if value is None:
            return super()._on_summary(ctx, text)  # type: ignore[misc]
        self.set_value(ctx, "needs", value)  # type: ignore[attr-defined]
        return self._summary(ctx)


def save(ctx: Context, registration: Any, value: dict[str, Any] | None) -> None:
    from storage.repositories import training as training_repo

    if value and registration is not None:
        training_repo.save_needs(ctx.session, registration=registration, needs=value.get("needs", []),
                                 note=value.get("note"))
