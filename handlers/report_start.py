"""The ways into an activity report: "ส่งรายงาน" (one open deadline chosen for the member), a report typed
straight away, photos first, "ทำต่อ", "เพิ่มกิจกรรม", and a report the office returned ("แก้ไขรายงาน").
The activity form they start: handlers/reports.py. State diagram: docs/reports.mmd.
"""
from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.forms import SUMMARY
from bot.messages import Choice, Reply
from bot.registry import add_fallback, add_intents, go, intent, menu_choices
from handlers import phrasings
from handlers.membership import not_in_org
from handlers.report_deadlines import NONE, already_submitted, open_deadlines, org_of, own_report
from handlers.report_display import deadline_line, show_dates
from handlers.reports import FORM, take_early_photos, values_of
from storage.models.reports import Report, ReportActivity, ReportDeadline, ReportStatus
from storage.repositories import reports as repo


def _needs_org(ctx: Context) -> list[Reply] | None:
    if org_of(ctx) is None:
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
    org = org_of(ctx)
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
    open_now = open_deadlines(ctx) if "deadline" not in values else []
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

    if len(text) < 30 or org_of(ctx) is None:
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
    if org_of(ctx) is None or repo.unfinished_activity(ctx.session, member=ctx.member) is not None:  # type: ignore[arg-type]
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
    report = own_report(ctx, arg)
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
    report = own_report(ctx, arg)
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
    report = own_report(ctx, activity.report_id) if activity else None
    if activity is None or report is None:
        return [ctx.say("reports.gone", choices=menu_choices(ctx))]
    return FORM.start(ctx, values_of(ctx, activity, report), at=SUMMARY)


@intent("report.resubmit", order=100)
def resubmit(ctx: Context, arg: str | None) -> list[Reply]:
    report = own_report(ctx, arg)
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
    add_intents(start_report, start_over, photos_first, resume, add_activity, fix_report, edit_activity, resubmit)
    add_fallback(report_typed_straight_away)
