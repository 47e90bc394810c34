"""Activity reports, the member's side: "ส่งรายงาน" → which deadline → the activity in one's own words
→ only the questions the text did not answer → photos → read-back → confirm → "เพิ่มกิจกรรม".

The report and the activity being written are rows from the moment the member describes it; the
form's progress is copied into `report_activities.draft` after every turn, so "ทำต่อ" resumes it after
a restart or an expired conversation. This module is the activity form (the member's own words, the
photos, the read-back); the deadline question is handlers/report_deadlines.py, the questions asked one
by one handlers/report_answers.py, the ways into a report (the intents) handlers/report_start.py.
Officers' side: handlers/report_officer.py; reminders and the broadcast audience: bot/report_notify.py.
State diagram: docs/reports.mmd.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot import jsonstate
from bot.context import Context
from bot.forms import Field, Form, Invalid, Reask
from bot.messages import CardField, Choice, Reply
from bot.registry import add_flows, go, menu_choices
from handlers.fields import clean_text, parse_text
from handlers.membership import not_in_org
from handlers.report_answers import (
    NO_BUDGET, dates_prompt_values, has_budget, parse_budget, parse_dates, parse_funding, parse_participants,
)
from handlers.report_deadlines import (
    NONE, after_deadline, deadline_choices, deadline_prompt_values, org_of, own_report, parse_deadline,
)
from handlers.report_display import deadline_line, show_dates, show_money
from storage.models.reports import MAX_PHOTOS, Report, ReportActivity, ReportDeadline, ReportStatus
from storage.repositories import reports as repo

DONE_WORDS = ("เสร็จ", "เสร็จแล้ว", "ไม่มีรูป", "ไม่มี", "ข้าม", "พอแล้ว", "ไม่ส่งรูป", "done", "no photos", "skip", "finish")
CLEAR = "clear_photos"
DONE = "photos_done"


# --- the activity in the member's own words ----------------------------------------------------------
def _describe_choices(ctx: Context) -> list[Choice]:
    # The one open deadline was chosen for the member: one tap for an activity outside it instead.
    if FORM.values(ctx).get("_auto"):
        return [ctx.choice("reports.outside_deadline", go("report.new", NONE))]
    return []


def take_early_photos(ctx: Context) -> list[Reply]:
    """Photos sent before the words: the activity becomes a row now and keeps them; the words follow."""
    from handlers.report_photos import store_attachments

    images = [a for a in ctx.msg.attachments if a.kind == "image"]
    _after_describe(ctx, FORM.values(ctx).get("text") or "")
    activity_id = FORM.values(ctx).get("_activity")
    if not images or not activity_id:
        return []
    stored, refused, not_images = store_attachments(ctx, int(activity_id), images)
    notes = []
    if refused:
        notes.append(ctx.say("reports.photos_max", max=MAX_PHOTOS))
    if not_images:
        notes.append(ctx.say("reports.photo_not_an_image"))
    return notes + [ctx.say("reports.photo_received_first", count=_photo_count(ctx), max=MAX_PHOTOS)]


def _parse_describe(raw: str, ctx: Context) -> str:
    """The member's own words: keep them, and take every field `extract_report` is sure of."""
    from bot.thai import extract_report, normalize

    from bot.forms import SKIP_WORDS

    if not raw.strip() and any(a.kind == "image" for a in ctx.msg.attachments):
        raise Reask(take_early_photos(ctx))
    text = normalize(raw).strip()
    if len(clean_text(text)) < 6 or clean_text(text).lower() in SKIP_WORDS:
        raise Invalid("reports.describe_more")
    found = extract_report(text, today=ctx.today())
    ctx.data.pop("hint_dates", None)
    if found.title and 3 <= len(found.title) <= 150:
        FORM.set_value(ctx, "title", found.title)
    if found.start_date:
        end = found.end_date or found.start_date
        if end > ctx.today() or found.start_date.year < ctx.today().year - 5:
            # A report tells what happened: a future (or very old) date is doubtful, so it is asked.
            ctx.data["hint_dates"] = show_dates((found.start_date, end), ctx)
        else:
            FORM.set_value(ctx, "dates", [found.start_date, end])
    if found.participants is not None and 0 < found.participants <= 1_000_000:
        FORM.set_value(ctx, "participants", found.participants)
    if found.budget is not None and 0 <= found.budget <= Decimal(1_000_000_000):
        FORM.set_value(ctx, "budget", found.budget)
    elif NO_BUDGET.search(text):
        FORM.set_value(ctx, "budget", Decimal(0))
    if found.funding_source:
        FORM.set_value(ctx, "funding_source", found.funding_source[:300])
    if found.target_group:
        FORM.set_value(ctx, "target_group", found.target_group[:300])
    return text


def _after_describe(ctx: Context, text: str) -> list[Reply] | None:
    """The report and the activity become rows now, so nothing typed is lost from here on."""
    values = FORM.values(ctx)
    member = ctx.member
    if member is None or member.organization_id is None:
        return not_in_org(ctx, "reports.no_org")
    if values.get("_activity"):  # described again (e.g. after "back"): update the same activity
        activity = ctx.session.get(ReportActivity, int(values["_activity"]))
        if activity is not None:
            activity.original_text = text
            ctx.session.add(activity)
            return None
    report = own_report(ctx, values.get("_report"))
    if report is None:
        deadline = values.get("deadline")
        report = repo.start_report(ctx.session, organization_id=member.organization_id,
                                   deadline_id=None if deadline in (None, NONE) else int(deadline),
                                   member_id=member.id)
    activity = repo.new_activity(ctx.session, report=report, member_id=member.id, original_text=text)
    FORM.set_value(ctx, "_report", report.id)
    FORM.set_value(ctx, "_activity", activity.id)
    return None


# --- photos ------------------------------------------------------------------------------------------
def _photo_count(ctx: Context) -> int:
    activity_id = FORM.values(ctx).get("_activity")
    return repo.photo_count(ctx.session, activity_id=int(activity_id)) if activity_id else 0


def _photo_choices(ctx: Context) -> list[Choice]:
    count = _photo_count(ctx)
    if count:
        return [ctx.choice("reports.photos_done", DONE), ctx.choice("reports.photos_clear", CLEAR)]
    return [ctx.choice("reports.no_photos", DONE)]


def _parse_photos(raw: str, ctx: Context) -> int:
    from handlers.report_photos import store_attachments

    activity_id = FORM.values(ctx).get("_activity")
    images = [a for a in ctx.msg.attachments if a.kind == "image"]
    if images and activity_id:
        stored, refused, not_images = store_attachments(ctx, int(activity_id), images)
        count = _photo_count(ctx)
        if not_images:
            ctx.notes.append(ctx.say("reports.photo_not_an_image"))
        if refused:
            ctx.notes.append(ctx.say("reports.photos_max", max=MAX_PHOTOS))
        if count >= MAX_PHOTOS:
            return count
        raise Reask([ctx.say("reports.photo_received", count=count, max=MAX_PHOTOS)] if stored else [])
    if raw == CLEAR:
        repo.clear_photos(ctx.session, activity_id=int(activity_id)) if activity_id else None
        raise Reask([ctx.say("reports.photos_cleared")])
    if raw == DONE or clean_text(raw).lower() in DONE_WORDS or raw.strip().lower() in DONE_WORDS:
        return _photo_count(ctx)
    raise Invalid("reports.photo_or_done")


def _show_photos(value: Any, ctx: Context) -> str:
    count = _photo_count(ctx)
    return ctx.t("reports.photo_count", count=count) if count else ctx.t("form.none")


# --- the form ----------------------------------------------------------------------------------------
class ActivityForm(Form):
    name = "reports.activity"
    title = "reports.summary_title"
    fields = (
        Field("deadline", "reports.ask_deadline", parse_deadline, choices=deadline_choices,
              prompt_values=deadline_prompt_values, editable=False, after=after_deadline),
        Field("text", "reports.ask_describe", _parse_describe, example="reports.example_describe",
              editable=False, after=_after_describe, choices=_describe_choices, accepts=("image",)),
        Field("title", "reports.ask_title", parse_text(3, 200), example="reports.example_title",
              aliases=("ชื่อกิจกรรม", "ชื่องาน", "ชื่อโครงการ", "โครงการ", "หัวข้อ")),
        Field("dates", "reports.ask_dates", parse_dates, example="reports.example_dates",
              aliases=("วันที่", "วันจัด", "วันจัดกิจกรรม", "วัน"),
              show=lambda v, ctx: show_dates(v, ctx), prompt_values=dates_prompt_values),
        Field("participants", "reports.ask_participants", parse_participants,
              example="reports.example_participants",
              aliases=("จำนวนผู้เข้าร่วม", "จำนวนคน", "คนเข้าร่วม", "ผู้ร่วมกิจกรรม"),
              show=lambda v, ctx: ctx.t("reports.people", count=f"{int(v):,}")),
        Field("budget", "reports.ask_budget", parse_budget, example="reports.example_budget", optional=True,
              aliases=("งบ", "ค่าใช้จ่าย", "ใช้งบ", "เงิน"),
              show=lambda v, ctx: show_money(v, ctx.locale)),
        Field("funding_source", "reports.ask_funding", parse_funding, example="reports.example_funding",
              optional=True, when=has_budget, aliases=("แหล่งงบ", "แหล่งเงิน", "งบจาก", "ที่มาของงบ")),
        Field("target_group", "reports.ask_target", parse_text(2, 300), example="reports.example_target",
              optional=True, aliases=("เป้าหมาย", "กลุ่มผู้เข้าร่วม")),
        Field("photos", "reports.ask_photos", _parse_photos, choices=_photo_choices, show=_show_photos,
              accepts=("image",),
              prompt_values=lambda ctx: {"count": _photo_count(ctx), "max": MAX_PHOTOS}),
    )

    def summary_extra(self, ctx: Context, values: dict[str, Any]) -> list[CardField]:
        deadline = values.get("deadline")
        d = ctx.session.get(ReportDeadline, int(deadline)) if deadline not in (None, NONE) else None
        org = org_of(ctx)
        rows = [CardField(ctx.t("reports.label.deadline"),
                          deadline_line(d, ctx.locale) if d else ctx.t("reports.outside_deadline"))]
        if org is not None:
            rows.insert(0, CardField(ctx.t("reports.label.organization"), org.name))
        return rows

    # Every turn: the answers so far go to the database too (resumable with "ทำต่อ").
    def handle(self, ctx: Context) -> list[Reply]:
        replies = super().handle(ctx)
        self.persist(ctx)
        return replies

    def back(self, ctx: Context) -> list[Reply]:
        replies = super().back(ctx)
        self.persist(ctx)
        return replies

    def discard(self, ctx: Context) -> None:
        """"ยกเลิก": a half-written activity is gone (not offered again with "ทำต่อ"); a confirmed one
        being edited stays as it was confirmed."""
        activity_id = self.values(ctx).get("_activity")
        activity = ctx.session.get(ReportActivity, int(activity_id)) if activity_id else None
        if activity is not None and not activity.complete:
            repo.discard_activity(ctx.session, activity=activity)

    def persist(self, ctx: Context) -> None:
        if ctx.flow != self.name:
            return
        values = self.values(ctx)
        activity = ctx.session.get(ReportActivity, int(values["_activity"])) if values.get("_activity") else None
        if activity is None:
            return
        repo.save_draft(ctx.session, activity=activity, values=_columns(values),
                        draft={"v": ctx.data.get("v", {}), "step": ctx.data.get("step")})

    def on_confirm(self, ctx: Context, values: dict[str, Any]) -> list[Reply]:
        activity = ctx.session.get(ReportActivity, int(values["_activity"])) if values.get("_activity") else None
        report = ctx.session.get(Report, activity.report_id) if activity else None
        if activity is None or report is None:
            return [ctx.say("reports.gone", choices=menu_choices(ctx))]
        repo.complete_activity(ctx.session, activity=activity, values=_columns(values))
        was = report.status
        repo.submit(ctx.session, report=report, member_id=ctx.member.id if ctx.member else None)
        deadline = ctx.session.get(ReportDeadline, report.deadline_id) if report.deadline_id else None
        count = len(repo.activities(ctx.session, report_id=report.id))  # type: ignore[arg-type]
        key = "reports.resubmitted_activity" if was == ReportStatus.returned else "reports.saved"
        title = deadline.title if deadline else ctx.t("reports.outside_deadline")
        choices = [ctx.choice("reports.add_activity", go("report.add", report.id)),
                   ctx.choice("menu.back_to_menu", go("menu"))]
        return [ctx.say(key, activity=activity.title or "-", title=title, count=count, choices=choices)]


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    out = {k: values[k] for k in ("title", "participants", "budget", "funding_source", "target_group") if k in values}
    if values.get("dates"):
        out["start_date"], out["end_date"] = values["dates"]
    return out


FORM = ActivityForm()


def values_of(ctx: Context, activity: ReportActivity, report: Report) -> dict[str, Any]:
    """Form values of an existing activity (to resume or edit it)."""
    if not activity.complete and activity.draft and activity.draft.get("v"):
        values = jsonstate.decode(activity.draft["v"])
    else:
        values = {"title": activity.title, "participants": activity.participants, "budget": activity.budget,
                  "funding_source": activity.funding_source, "target_group": activity.target_group,
                  "text": activity.original_text}
        if activity.start_date:
            values["dates"] = [activity.start_date, activity.end_date or activity.start_date]
        values = {k: v for k, v in values.items() if v is not None or k in ("budget", "funding_source",
                                                                             "target_group")}
        if activity.complete:
            values["photos"] = repo.photo_count(ctx.session, activity_id=activity.id)  # type: ignore[arg-type]
        elif activity.title is None:
            values.pop("title", None)
    values["deadline"] = report.deadline_id if report.deadline_id else NONE
    values["_report"] = report.id
    values["_activity"] = activity.id
    values.setdefault("text", activity.original_text)
    return values


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring); the ways
    into a report are handlers/report_start.py."""
    add_flows(FORM)
