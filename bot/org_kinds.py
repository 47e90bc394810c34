"""The kinds of organization (OrgKind): their labels' message keys and the words people type for them.

Shared by the chat's forms (handlers/fields.py), broadcasts by kind (bot.audiences) and the CLI.
"""
from __future__ import annotations

from storage.models import OrgKind

KIND_KEYS = {
    OrgKind.public_benefit.value: "kind.public_benefit",
    OrgKind.community_welfare.value: "kind.community_welfare",
    OrgKind.other.value: "kind.other",
}
KIND_WORDS = {
    OrgKind.public_benefit.value: ("สาธารณประโยชน์", "สาธารณะประโยชน์", "มูลนิธิ", "สมาคม", "public"),
    OrgKind.community_welfare.value: ("สวัสดิการชุมชน", "ชุมชน", "community"),
    OrgKind.other.value: ("อื่น", "other"),
}


def kind_named(text: str) -> str | None:
    """The kind `text` is (its value, or a word naming it), None when it names none."""
    text = text.strip().lower()
    if text in KIND_KEYS:
        return text
    return next((kind for kind, words in KIND_WORDS.items() if any(w in text for w in words)), None)
