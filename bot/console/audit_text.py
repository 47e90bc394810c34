"""The audit log read as Thai sentences: "นางสาวพิมพ์ชนก ส่งประกาศถึงทุกองค์กรในพิษณุโลก 42 คน".

One sentence per action key (`console.audit.say.<action>` in locales/), filled from the row's details
with people's formats: Bangkok times with Buddhist-Era years, counts with separators, field names in
Thai. An action without a sentence of its own gets a generic one naming what it was about; the stored
keys and raw values are never shown.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from bot import i18n
from storage.models import Member
from storage.models.console import AuditEntry, OfficerLogin
from storage.repositories.report_records import TEXT_FIELDS as REPORT_FIELD_KEYS

WHEN_KEYS = ("scheduled_at", "starts_at", "ends_at")
DAY_KEYS = ("due_date",)
COUNT_KEYS = ("recipients", "rows", "announced", "registrations", "issued", "messages", "told", "return")
# Field names of edits, in the officer's words (the form labels).
FIELD_KEYS = {"title": "console.events.f.title", "starts_at": "console.events.f.starts_at",
              "ends_at": "console.events.f.ends_at", "venue": "console.events.f.venue",
              "capacity": "console.events.f.capacity", "seats_per_org": "console.events.f.seats_per_org",
              "registration_deadline": "console.events.f.deadline", "description": "console.events.f.description",
              "map_url": "console.events.f.map_url", "kind": "console.events.f.kind",
              "province": "console.province", "audience_kinds": "console.events.f.audience"}
# Organization edits: the directory form's labels.
ORG_FIELD_KEYS = {"name": "console.orgs.name", "kind": "console.orgs.kind", "province": "console.province",
                  "district": "console.orgs.district", "certification_no": "console.orgs.certification",
                  "contact_name": "console.orgs.contact", "phone": "console.orgs.phone",
                  "listed": "console.orgs.listed"}


def who_names(session: Session, entries: Iterable[AuditEntry]) -> dict[int, str]:
    """The person behind each login on the page (its display name, else its chat officer's name),
    in two queries whatever the page size."""
    ids = {e.login_id for e in entries if e.login_id is not None}
    if not ids:
        return {}
    logins = list(session.exec(select(OfficerLogin).where(col(OfficerLogin.id).in_(ids))))
    members = {m.id: m.full_name for m in session.exec(select(Member).where(
        col(Member.id).in_({x.member_id for x in logins if x.member_id is not None})))}
    names = {}
    for x in logins:
        name = x.display_name or members.get(x.member_id) or ""
        if name:
            names[x.id] = name
    return names  # type: ignore[return-value]


def who(entry: AuditEntry, names: dict[int, str], locale: str) -> str:
    details = entry.details or {}
    if entry.login_id in names:
        return names[entry.login_id]  # type: ignore[index]
    if details.get("officer") and details["officer"] != "-":
        return str(details["officer"])
    if entry.email == "cli":
        return i18n.t("console.audit.by_cli", locale)
    return entry.email or i18n.t("console.audit.someone", locale)


def _when(value: Any, locale: str) -> str:
    try:
        return i18n.format_datetime(datetime.fromisoformat(str(value)), locale)
    except ValueError:
        return str(value)


def _day(value: Any, locale: str) -> str:
    try:
        return i18n.format_date(date.fromisoformat(str(value)), locale)
    except ValueError:
        return str(value)


def _fields(changed: Any, locale: str, labels: dict[str, str]) -> str:
    if not isinstance(changed, dict) or not changed:
        return "-"
    names = [i18n.t(labels[k], locale) if k in labels else i18n.t("console.audit.field_other", locale)
             for k in changed]
    return ", ".join(dict.fromkeys(names))


def _values(entry: AuditEntry, locale: str) -> dict[str, Any]:
    details = entry.details or {}
    out: dict[str, Any] = {"id": entry.target_id or "-", "province": entry.province or "-"}
    for key, value in details.items():
        if key in WHEN_KEYS:
            out[key] = _when(value, locale) if value else ""
        elif key in DAY_KEYS:
            out[key] = _day(value, locale)
        elif key in COUNT_KEYS and isinstance(value, int | float):
            out[key] = i18n.format_number(value)
        elif isinstance(value, list):
            out[key] = i18n.format_number(len(value))
        elif key in ("changed", "changes"):
            out["fields"] = _fields(value, locale, ORG_FIELD_KEYS if entry.target_type == "organization" else FIELD_KEYS)
        elif key == "field" and value in REPORT_FIELD_KEYS:  # a report's corrected text: its form label
            out[key] = i18n.t(REPORT_FIELD_KEYS[value], locale)
        elif value is None:
            out[key] = "-"
        else:
            out[key] = value if isinstance(value, int | float) else str(value)
    moved = (details.get("changes") or {}).get("province") if isinstance(details.get("changes"), dict) else None
    out["moved"] = (i18n.t("console.audit.moved", locale, old=moved[0] or "-", new=moved[1] or "-")
                    if isinstance(moved, list) and len(moved) == 2 else "")
    if "urgent" in details:
        out["urgent"] = i18n.t("console.audit.urgent", locale) if details["urgent"] else ""
    if "scheduled_at" in details:
        out["scheduled_at"] = (i18n.t("console.audit.scheduled_for", locale, when=out["scheduled_at"])
                               if details["scheduled_at"] else "")
    if "provinces" in details or entry.action == "login.create":
        chosen = details.get("provinces") or details.get("province")
        out["scope"] = (i18n.t("console.audit.scope_all", locale) if not chosen else
                        ", ".join(chosen) if isinstance(chosen, list) else str(chosen))
    return out


class _Blank(dict):
    def __missing__(self, key: str) -> str:  # a detail an older row did not record
        return "-"


def sentence(entry: AuditEntry, names: dict[int, str], locale: str) -> str:
    """The row as one sentence in `locale`."""
    values = _values(entry, locale)
    values["who"] = who(entry, names, locale)
    key = f"console.audit.say.{entry.action}"
    if not i18n.has(key):
        target = f"console.audit.target_type.{entry.target_type}"
        values["thing"] = i18n.t(target, locale) if i18n.has(target) else i18n.t("console.audit.target_type.other", locale)
        key = "console.audit.say.other"
    template = i18n.t(key, locale)
    return " ".join(template.format_map(_Blank(values)).split())


def quote(entry: AuditEntry) -> str | None:
    """The words the officer wrote (an announcement, an answer, a note), when the row kept them."""
    details = entry.details or {}
    text = details.get("text") or details.get("note") or details.get("reason")
    return str(text) if text else None
