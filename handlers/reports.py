"""Activity reports, the member's side: "ส่งรายงาน" → which deadline → the activity in one's own words
→ only the questions the text did not answer → photos → read-back → confirm → "เพิ่มกิจกรรม".

The report and the activity being written are rows from the moment the member describes it; the
form's progress is copied into `report_activities.draft` after every turn, so "ทำต่อ" resumes it after
a restart or an expired conversation. Officers' side: handlers/report_officer.py; reminders and the
broadcast audience: bot/report_notify.py. State diagram: docs/reports.mmd.
"""
from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from bot import i18n, jsonstate
from bot.context import Context
from bot.forms import SUMMARY, Field, Form, Invalid, Reask
from bot.messages import CardField, Choice, Reply
from bot.registry import add_fallback, add_flows, add_intents, go, intent, menu_choices
from handlers.membership import not_in_org
from handlers import phrasings
from handlers.fields import clean_text, parse_text
from storage.models import Organization
from storage.models.reports import MAX_PHOTOS, Report, ReportActivity, ReportDeadline, ReportStatus
from storage.repositories import reports as repo
from storage.repositories.report_records import state_of

log = logging.getLogger(__name__)

NONE = "none"  # an activity outside any deadline
DONE_WORDS = ("เสร็จ", "เสร็จแล้ว", "ไม่มีรูป", "ไม่มี", "ข้าม", "พอแล้ว", "ไม่ส่งรูป", "done", "no photos", "skip", "finish")
CLEAR = "clear_photos"
_NO_BUDGET = re.compile(r"ไม่(?:ได้)?(?:ใช้|มี)(?:งบ|ค่าใช้จ่าย)|ไม่เสียค่าใช้จ่าย|no budget|no cost")
DONE = "photos_done"


# --- display helpers -----------------------------------------------------------------------------
def show_dates(value: Any, ctx: Context | None = None, locale: str | None = None) -> str:
    start, end = value
    return i18n.format_date_range(start, end, locale or (ctx.locale if ctx else "th"))


def show_money(value: Any, locale: str) -> str:
    amount = Decimal(value)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return i18n.t("reports.baht", locale, amount=text)


def deadline_line(d: ReportDeadline, locale: str) -> str:
    return i18n.t("reports.deadline_line", locale, title=d.title, due=i18n.format_date(d.due_date, locale))


def _org(ctx: Context) -> Organization | None:
    if ctx.member is None or ctx.member.organization_id is None:
        return None
    return ctx.session.get(Organization, ctx.member.organization_id)


def _own_report(ctx: Context, report_id: str | int | None) -> Report | None:
    if report_id is None or not str(report_id).isdigit() or ctx.member is None:
        return None
    report = ctx.session.get(Report, int(report_id))
    if report is None or report.organization_id != ctx.member.organization_id:
        return None
    return report


# --- field parsers ---------------------------------------------------------------------------------
def _open_deadlines(ctx: Context) -> list[ReportDeadline]:
    org = _org(ctx)
    return repo.open_deadlines_for(ctx.session, organization=org, today=ctx.today()) if org else []


def _deadline_choices(ctx: Context) -> list[Choice]:
    choices = [Choice(f"{i}. {d.title}", f"dl:{d.id}") for i, d in enumerate(_open_deadlines(ctx)[:11], 1)]
    choices.append(ctx.choice("reports.outside_deadline", NONE))
    return choices


def _deadline_prompt_values(ctx: Context) -> dict[str, object]:
    lines = [f"{i}. {deadline_line(d, ctx.locale)}" for i, d in enumerate(_open_deadlines(ctx)[:11], 1)]
    return {"deadlines": "\n".join(lines)}


def _parse_deadline(raw: str, ctx: Context) -> int | str:
    if raw == NONE:
        return NONE
    if raw.startswith("dl:") and raw[3:].isdigit():
        if any(d.id == int(raw[3:]) for d in _open_deadlines(ctx)):
            return int(raw[3:])
    raise Invalid("reports.pick_deadline")


def _after_deadline(ctx: Context, value: int | str) -> list[Reply] | None:
    if value == NONE or ctx.member is None:
        return None
    existing = repo.report_for(ctx.session, organization_id=ctx.member.organization_id,  # type: ignore[arg-type]
                               deadline_id=int(value))
    if existing is not None and existing.status == ReportStatus.submitted:
        return already_submitted(ctx, existing)
    return None


def already_submitted(ctx: Context, report: Report) -> list[Reply]:
    deadline = ctx.session.get(ReportDeadline, report.deadline_id) if report.deadline_id else None
    sent = ctx.say("reports.already_submitted", title=deadline.title if deadline else "-",
                   when=i18n.format_date(report.submitted_at, ctx.locale),
                   choices=[ctx.choice("reports.add_activity", go("report.add", report.id)),
                            ctx.choice("menu.back_to_menu", go("menu"))])
    # The state the office gave it (ได้รับแล้ว, ตรวจรับแล้ว), as the member reads it.
    state = ctx.t("records.report.member_state", state=ctx.t(f"records.report.state.{state_of(report)}"))
    return [replace(sent, text=f"{sent.text}\n{state}")]


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
    elif _NO_BUDGET.search(text):
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
    report = _own_report(ctx, values.get("_report"))
    if report is None:
        deadline = values.get("deadline")
        report = repo.start_report(ctx.session, organization_id=member.organization_id,
                                   deadline_id=None if deadline in (None, NONE) else int(deadline),
                                   member_id=member.id)
    activity = repo.new_activity(ctx.session, report=report, member_id=member.id, original_text=text)
    FORM.set_value(ctx, "_report", report.id)
    FORM.set_value(ctx, "_activity", activity.id)
    return None


def _parse_dates(raw: str, ctx: Context) -> list[date]:
    from bot.thai import parse_date_range

    found = parse_date_range(raw, today=ctx.today(), prefer="past")
    if found is None:
        raise Invalid()
    start, end = found
    if end > ctx.today():
        raise Invalid("reports.future_date")
    return [start, end]


def _dates_prompt_values(ctx: Context) -> dict[str, object]:
    hint = ctx.data.get("hint_dates")
    return {"hint": ctx.t("reports.dates_doubtful", dates=hint) + "\n" if hint else ""}


def _parse_participants(raw: str, ctx: Context) -> int:
    from bot.thai import parse_number, parse_people

    n = parse_people(raw)  # 'ชาย 12 หญิง 30 รวม 42 คน' is 42, 'วิทยากร 2 ท่าน ผู้เข้าอบรม 40 คน' is 40
    if n is None:
        n = parse_number(raw)
    if n is None or n != int(n) or not 0 < n <= 1_000_000:
        raise Invalid()
    return int(n)


def _parse_budget(raw: str, ctx: Context) -> Decimal:
    from bot.thai import parse_money, parse_number

    if _NO_BUDGET.search(raw):  # "ไม่ได้ใช้งบค่ะ"
        return Decimal(0)
    amount = parse_money(raw)
    if amount is None:
        n = parse_number(raw)
        amount = Decimal(str(n)) if n is not None else None
    if amount is None or amount < 0 or amount > Decimal(1_000_000_000):
        raise Invalid()
    return amount


def _parse_funding(raw: str, ctx: Context) -> str:
    """Where the money came from: a name (สสส., อบต. …), never an amount ("12,500 บาท")."""
    from bot.thai import parse_money

    text = parse_text(2, 300)(raw, ctx)
    if parse_money(text) is not None and not re.search(r"[ก-๙A-Za-z]{2,}", re.sub(r"บาท|baht|thb", "", text, flags=re.I)):
        raise Invalid("reports.funding_is_amount")
    return text


def _has_budget(values: dict[str, Any]) -> bool:
    return bool(values.get("budget")) or values.get("funding_source") is not None


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
        Field("deadline", "reports.ask_deadline", _parse_deadline, choices=_deadline_choices,
              prompt_values=_deadline_prompt_values, editable=False, after=_after_deadline),
        Field("text", "reports.ask_describe", _parse_describe, example="reports.example_describe",
              editable=False, after=_after_describe, choices=_describe_choices, accepts=("image",)),
        Field("title", "reports.ask_title", parse_text(3, 200), example="reports.example_title",
              aliases=("ชื่อกิจกรรม", "ชื่องาน", "ชื่อโครงการ", "โครงการ", "หัวข้อ")),
        Field("dates", "reports.ask_dates", _parse_dates, example="reports.example_dates",
              aliases=("วันที่", "วันจัด", "วันจัดกิจกรรม", "วัน"),
              show=lambda v, ctx: show_dates(v, ctx), prompt_values=_dates_prompt_values),
        Field("participants", "reports.ask_participants", _parse_participants,
              example="reports.example_participants",
              aliases=("จำนวนผู้เข้าร่วม", "จำนวนคน", "คนเข้าร่วม", "ผู้ร่วมกิจกรรม"),
              show=lambda v, ctx: ctx.t("reports.people", count=f"{int(v):,}")),
        Field("budget", "reports.ask_budget", _parse_budget, example="reports.example_budget", optional=True,
              aliases=("งบ", "ค่าใช้จ่าย", "ใช้งบ", "เงิน"),
              show=lambda v, ctx: show_money(v, ctx.locale)),
        Field("funding_source", "reports.ask_funding", _parse_funding, example="reports.example_funding",
              optional=True, when=_has_budget, aliases=("แหล่งงบ", "แหล่งเงิน", "งบจาก", "ที่มาของงบ")),
        Field("target_group", "reports.ask_target", parse_text(2, 300), example="reports.example_target",
              optional=True, aliases=("เป้าหมาย", "กลุ่มผู้เข้าร่วม")),
        Field("photos", "reports.ask_photos", _parse_photos, choices=_photo_choices, show=_show_photos,
              accepts=("image",),
              prompt_values=lambda ctx: {"count": _photo_count(ctx), "max": MAX_PHOTOS}),
    )

    def summary_extra(self, ctx: Context, values: dict[str, Any]) -> list[CardField]:
        deadline = values.get("deadline")
        d = ctx.session.get(ReportDeadline, int(deadline)) if deadline not in (None, NONE) else None
        org = _org(ctx)
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


# --- intents -----------------------------------------------------------------------------------------
def _needs_org(ctx: Context) -> list[Reply] | None:
    if _org(ctx) is None:
        return not_in_org(ctx, "reports.no_org")
    return None


@intent("report.start", needs_org=True, menu_key="reports.menu.report", order=20, word_keys=("reports.word.report",),
        words=phrasings.REPORT_START)
def start_report(ctx: Context, arg: str | None) -> list[Reply]:
    if (stop := _needs_org(ctx)) is not None:
        return stop
    unfinished = repo.unfinished_activity(ctx.session, member=ctx.member)  # type: ignore[arg-type]
    if unfinished is not None:
        report = ctx.session.get(Report, unfinished.report_id)
        same = report is not None and arg is not None and str(report.deadline_id or NONE) == arg
        if same:
            return resume(ctx, None)
        return [ctx.say("reports.unfinished", title=unfinished.title or unfinished.original_text[:60],
                        choices=[ctx.choice("reports.resume", go("report.resume")),
                                 ctx.choice("reports.start_over", go("report.new", arg))])]
    return _begin(ctx, arg)


@intent("report.new", order=100)
def start_over(ctx: Context, arg: str | None) -> list[Reply]:
    """Discard the half-written activity and start a new report (arg: a deadline id, "none" or nothing)."""
    if (stop := _needs_org(ctx)) is not None:
        return stop
    unfinished = repo.unfinished_activity(ctx.session, member=ctx.member)  # type: ignore[arg-type]
    if unfinished is not None:
        repo.discard_activity(ctx.session, activity=unfinished)
    return _begin(ctx, arg)


def _begin(ctx: Context, arg: str | None) -> list[Reply]:
    org = _org(ctx)
    assert org is not None
    values: dict[str, Any] = {}
    intro: list[Reply] = []
    if arg == NONE:
        values["deadline"] = NONE
    elif arg is not None:
        deadline = repo.get_deadline(ctx.session, deadline_id=arg)
        if deadline is not None and repo.applies_to(deadline, org):
            existing = repo.report_for(ctx.session, organization_id=org.id, deadline_id=deadline.id)  # type: ignore[arg-type]
            if existing is not None and existing.status == ReportStatus.submitted:
                return already_submitted(ctx, existing)
            if existing is not None and existing.status == ReportStatus.returned:
                return fix_report(ctx, str(existing.id))
            values["deadline"] = deadline.id
            intro.append(ctx.say("reports.for_deadline", line=deadline_line(deadline, ctx.locale)))
    open_now = _open_deadlines(ctx) if "deadline" not in values else []
    if "deadline" not in values and not open_now:
        values["deadline"] = NONE
        intro.append(ctx.say("reports.no_open_deadlines"))
    elif len(open_now) == 1:
        # One deadline open: it is the one (a note says so, and a button offers "outside any deadline").
        only = open_now[0]
        existing = repo.report_for(ctx.session, organization_id=org.id, deadline_id=only.id)  # type: ignore[arg-type]
        if existing is not None and existing.status == ReportStatus.returned:
            return fix_report(ctx, str(existing.id))
        if existing is None or existing.status != ReportStatus.submitted:
            values["deadline"] = only.id
            values["_auto"] = True
            intro.append(ctx.say("reports.deadline_chosen", line=deadline_line(only, ctx.locale)))
    return FORM.start(ctx, values, intro=intro)


def report_typed_straight_away(ctx: Context, text: str) -> list[Reply] | None:
    """An activity report typed without "ส่งรายงาน" first (a past date and a number of participants, in
    words enough to be one): the report starts with it, when its deadline needs no choosing."""
    from bot.thai import extract_report

    if len(text) < 30 or _org(ctx) is None:
        return None
    found = extract_report(text, today=ctx.today())
    if found.start_date is None or found.start_date > ctx.today() or not found.participants:
        return None
    if repo.unfinished_activity(ctx.session, member=ctx.member) is not None:  # type: ignore[arg-type]
        return None
    replies = _begin(ctx, None)
    if ctx.flow != FORM.name or ctx.data.get("step") != "text":
        ctx.end()
        return None
    intro = replies[:-1]
    return intro + FORM.handle(ctx)  # the message is the answer to "tell me about the activity"


@intent("report.photos", order=100)
def photos_first(ctx: Context, arg: str | None) -> list[Reply]:
    """A photo out of the blue: the start of a report (the words may follow the photos)."""
    if _org(ctx) is None or repo.unfinished_activity(ctx.session, member=ctx.member) is not None:  # type: ignore[arg-type]
        return [ctx.say("engine.attachment_not_expected", choices=menu_choices(ctx))]
    replies = _begin(ctx, None)
    if ctx.flow != FORM.name or ctx.data.get("step") != "text":
        return [ctx.say("reports.photos_after_deadline")] + replies
    notes = take_early_photos(ctx)
    FORM.persist(ctx)
    return replies[:-1] + notes + replies[-1:]


@intent("report.resume", order=100, word_keys=("reports.word.resume",), words=("ทำต่อ", "ทำรายงานต่อ"))
def resume(ctx: Context, arg: str | None) -> list[Reply]:
    if (stop := _needs_org(ctx)) is not None:
        return stop
    activity = repo.unfinished_activity(ctx.session, member=ctx.member)  # type: ignore[arg-type]
    report = ctx.session.get(Report, activity.report_id) if activity else None
    if activity is None or report is None:
        return [ctx.say("reports.nothing_to_resume",
                        choices=[ctx.choice("reports.menu.report", go("report.start"))] + menu_choices(ctx)[:11])]
    intro = [ctx.say("reports.resuming", title=activity.title or activity.original_text[:60])]
    replies = FORM.start(ctx, values_of(ctx, activity, report), intro=intro)
    FORM.persist(ctx)
    return replies


@intent("report.add", order=100, word_keys=("reports.word.add",), words=("เพิ่มกิจกรรม",))
def add_activity(ctx: Context, arg: str | None) -> list[Reply]:
    """Another activity in the same report (arg: report id; default: the organization's latest report)."""
    if (stop := _needs_org(ctx)) is not None:
        return stop
    report = _own_report(ctx, arg)
    if report is None:
        report = repo.latest_report_of_org(ctx.session, organization_id=ctx.member.organization_id)  # type: ignore[union-attr, arg-type]
    if report is None:
        return start_report(ctx, None)
    deadline = ctx.session.get(ReportDeadline, report.deadline_id) if report.deadline_id else None
    values = {"deadline": report.deadline_id or NONE, "_report": report.id}
    title = deadline.title if deadline else ctx.t("reports.outside_deadline")
    return FORM.start(ctx, values, intro=[ctx.say("reports.adding_to", title=title)])


@intent("report.fix", order=100, words=("แก้ไขรายงาน",))
def fix_report(ctx: Context, arg: str | None) -> list[Reply]:
    """A report the office returned: its note, its activities to edit, add, or send again."""
    if (stop := _needs_org(ctx)) is not None:
        return stop
    report = _own_report(ctx, arg)
    if report is None:
        returned = repo.returned_reports(ctx.session, organization_id=ctx.member.organization_id)  # type: ignore[union-attr, arg-type]
        report = returned[0] if returned else None
    if report is None:
        return [ctx.say("reports.nothing_returned", choices=menu_choices(ctx))]
    deadline = ctx.session.get(ReportDeadline, report.deadline_id) if report.deadline_id else None
    acts = repo.activities(ctx.session, report_id=report.id)  # type: ignore[arg-type]
    lines = [f"{i}. {a.title} ({show_dates((a.start_date, a.end_date or a.start_date), ctx)})"
             if a.start_date else f"{i}. {a.title}" for i, a in enumerate(acts, 1)]
    choices = [Choice(ctx.t("reports.edit_activity", n=i), go("report.edit", a.id))
               for i, a in enumerate(acts[:10], 1)]
    choices.append(ctx.choice("reports.add_activity", go("report.add", report.id)))
    if report.status == ReportStatus.returned:
        choices.append(ctx.choice("reports.resubmit", go("report.resubmit", report.id)))
    key = "reports.fix_intro" if report.status == ReportStatus.returned else "reports.report_intro"
    return [ctx.say(key, title=deadline.title if deadline else ctx.t("reports.outside_deadline"),
                    note=report.return_note or "-", activities="\n".join(lines) or "-", choices=choices)]


@intent("report.edit", order=100)
def edit_activity(ctx: Context, arg: str | None) -> list[Reply]:
    activity = ctx.session.get(ReportActivity, int(arg)) if arg and arg.isdigit() else None
    report = _own_report(ctx, activity.report_id) if activity else None
    if activity is None or report is None:
        return [ctx.say("reports.gone", choices=menu_choices(ctx))]
    return FORM.start(ctx, values_of(ctx, activity, report), at=SUMMARY)


@intent("report.resubmit", order=100)
def resubmit(ctx: Context, arg: str | None) -> list[Reply]:
    report = _own_report(ctx, arg)
    if report is None:
        return [ctx.say("reports.gone", choices=menu_choices(ctx))]
    if not repo.activities(ctx.session, report_id=report.id):  # type: ignore[arg-type]
        return add_activity(ctx, str(report.id))
    repo.submit(ctx.session, report=report, member_id=ctx.member.id if ctx.member else None)
    deadline = ctx.session.get(ReportDeadline, report.deadline_id) if report.deadline_id else None
    return [ctx.say("reports.resubmitted", title=deadline.title if deadline else ctx.t("reports.outside_deadline"),
                    count=len(repo.activities(ctx.session, report_id=report.id)),  # type: ignore[arg-type]
                    choices=menu_choices(ctx))]


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_flows(FORM)
    add_intents(start_report, start_over, photos_first, resume, add_activity, fix_report, edit_activity, resubmit)
    add_fallback(report_typed_straight_away)
