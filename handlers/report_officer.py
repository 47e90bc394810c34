"""Activity reports, the officers' side: create a deadline, see who has submitted, nudge the missing
ones, look at a report and return it for correction (the member is told through the outbox).

A provincial officer sees and acts on organizations of their province only; a national officer
(no province) on all. State diagram: docs/reports.mmd.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot import i18n, outbox
from bot.context import Context
from bot.forms import Field, Form, Invalid
from bot.messages import Card, CardField, Choice, Reply
from bot.registry import add_flows, add_intents, go, intent, menu_choices
from handlers.fields import KIND_KEYS, parse_text
from bot.notices import member_addresses, notify_returned
from bot.report_notify import deadline_card, when_text
from handlers.report_display import deadline_line, show_dates, show_money
from storage.models import Member, Organization
from storage.models.reports import Report, ReportDeadline, ReportStatus
from storage.repositories import reports as repo

ALL = "*"
MAX_LISTED = 30


def _province(ctx: Context) -> str | None:
    return ctx.member.officer_province if ctx.member else None


def _may_see(ctx: Context, org: Organization) -> bool:
    province = _province(ctx)
    return province is None or org.province == province


# --- create a deadline -----------------------------------------------------------------------------
def _parse_due(raw: str, ctx: Context) -> date:
    from bot.thai import parse_date

    due = parse_date(raw, today=ctx.today(), prefer="future")
    if due is None:
        raise Invalid()
    if due < ctx.today():
        raise Invalid("reports.due_in_past")
    return due


def _kind_choices(ctx: Context) -> list[Choice]:
    return [ctx.choice("reports.all_kinds", ALL)] + [Choice(ctx.t(key), kind) for kind, key in KIND_KEYS.items()
                                                     if kind != "other"]


def _parse_kinds(raw: str, ctx: Context) -> str:
    from handlers.fields import parse_kind

    if raw == ALL or "ทุก" in raw or raw.strip().lower() in ("all", "ทั้งหมด"):
        return ALL
    return parse_kind(raw, ctx)


def _show_kinds(value: Any, ctx: Context) -> str:
    return ctx.t("reports.all_kinds") if value == ALL else ctx.t(KIND_KEYS.get(str(value), "kind.other"))


def _parse_province(raw: str, ctx: Context) -> str:
    from bot.thai import match_province

    own = _province(ctx)
    if raw == ALL or ("ทุก" in raw and "จังหวัด" in raw) or raw.strip().lower() == "all":
        if own is not None:
            raise Invalid("reports.own_province_only", province=own)
        return ALL
    province = match_province(raw)
    if province is None:
        raise Invalid("form.bad_province")
    if own is not None and province != own:
        raise Invalid("reports.own_province_only", province=own)
    return province


def _province_choices(ctx: Context) -> list[Choice]:
    own = _province(ctx)
    return [Choice(own, own)] if own else [ctx.choice("reports.all_provinces", ALL)]


def _show_province(value: Any, ctx: Context) -> str:
    return ctx.t("reports.all_provinces") if value == ALL else str(value)


class DeadlineForm(Form):
    name = "reports.deadline"
    title = "reports.deadline_summary_title"
    fields = (
        Field("title", "reports.ask_deadline_title", parse_text(5, 300), example="reports.example_deadline_title"),
        Field("due", "reports.ask_due", _parse_due, example="reports.example_due",
              show=lambda v, ctx: i18n.format_date(v, ctx.locale)),
        Field("kinds", "reports.ask_kinds", _parse_kinds, choices=_kind_choices, show=_show_kinds),
        Field("province", "reports.ask_province", _parse_province, choices=_province_choices,
              example="reports.example_province", show=_show_province),
    )

    def on_confirm(self, ctx: Context, values: dict[str, Any]) -> list[Reply]:
        kinds = [] if values["kinds"] == ALL else [values["kinds"]]
        provinces = [] if values["province"] == ALL else [values["province"]]
        deadline = repo.create_deadline(ctx.session, title=values["title"], due_date=values["due"], kinds=kinds,
                                        provinces=provinces, created_by=ctx.member.id if ctx.member else None)
        _, missing = repo.compliance(ctx.session, deadline=deadline, province=_province(ctx))
        return [ctx.say("reports.deadline_created", id=deadline.id, line=deadline_line(deadline, ctx.locale),
                        orgs=len(missing),
                        choices=[ctx.choice("reports.menu.status", go("report.status", deadline.id)),
                                 ctx.choice("menu.back_to_menu", go("menu"))])]


DEADLINE_FORM = DeadlineForm()


@intent("report.deadline.new", audience="officer", order=46, menu_key="reports.menu.new_deadline",
        word_keys=("reports.word.new_deadline",),
        words=("สร้างกำหนดส่งรายงาน", "new deadline"))
def new_deadline(ctx: Context, arg: str | None) -> list[Reply]:
    own = _province(ctx)
    return DEADLINE_FORM.start(ctx, {"province": own} if own else {})


# --- compliance ------------------------------------------------------------------------------------
def _deadline_for_officer(ctx: Context, arg: str | None) -> ReportDeadline | None:
    deadline = repo.get_deadline(ctx.session, deadline_id=arg)
    if deadline is None or not repo.visible_to_province(deadline, _province(ctx)):
        return None
    return deadline


@intent("report.status", audience="officer", menu_key="reports.menu.status", order=45,
        word_keys=("reports.word.status",), words=("ใครยังไม่ส่งรายงาน", "report status"))
def report_status(ctx: Context, arg: str | None) -> list[Reply]:
    deadline = _deadline_for_officer(ctx, arg)
    if deadline is None:
        since = ctx.today() - timedelta(days=repo.LATE_DAYS * 3)
        deadlines = repo.list_deadlines(ctx.session, province=_province(ctx), since=since, limit=12)
        new_button = ctx.choice("reports.new_deadline", go("report.deadline.new"))
        if not deadlines:
            return [ctx.say("reports.no_deadlines", choices=[new_button, ctx.choice("menu.back_to_menu", go("menu"))])]
        if len(deadlines) > 1:
            lines = [f"{i}. {deadline_line(d, ctx.locale)}" for i, d in enumerate(deadlines, 1)]
            choices = [Choice(f"{i}. {d.title}", go("report.status", d.id)) for i, d in enumerate(deadlines, 1)]
            return [Reply(text=ctx.t("reports.pick_deadline_status") + "\n" + "\n".join(lines),
                          choices=tuple(choices[:12]) + (new_button,))]
        deadline = deadlines[0]
    submitted, missing = repo.compliance(ctx.session, deadline=deadline, province=_province(ctx))
    total = len(submitted) + len(missing)
    returned = {r.organization_id for r, _ in repo.reports_for_deadline(
        ctx.session, deadline_id=deadline.id, province=_province(ctx), status=ReportStatus.returned)}  # type: ignore[arg-type]
    lines = [f"{i}. {o.name}" + (f" ({o.province})" if _province(ctx) is None else "")
             + (" " + ctx.t("reports.marked_returned") if o.id in returned else "")
             for i, o in enumerate(missing[:MAX_LISTED], 1)]
    if len(missing) > MAX_LISTED:
        lines.append(ctx.t("reports.and_more", count=len(missing) - MAX_LISTED))
    text = ctx.t("reports.status", title=deadline.title, due=i18n.format_date(deadline.due_date, ctx.locale),
                 when=when_text(deadline.due_date, ctx.today(), ctx.locale), done=len(submitted), total=total)
    text += "\n" + (ctx.t("reports.missing_list", count=len(missing)) + "\n" + "\n".join(lines)
                    if missing else ctx.t("reports.all_submitted"))
    choices = []
    if missing:
        choices.append(ctx.choice("reports.nudge", go("report.nudge", deadline.id), count=len(missing)))
    if submitted:
        choices.append(ctx.choice("reports.view_submitted", go("report.list", deadline.id)))
    choices += [ctx.choice("reports.other_deadlines", go("report.status")), ctx.choice("menu.back_to_menu", go("menu"))]
    return [Reply(text=text, choices=tuple(choices))]


@intent("report.nudge", audience="officer", order=100)
def nudge(ctx: Context, arg: str | None) -> list[Reply]:
    """Remind the members of every organization that has not submitted. Once per deadline per day:
    key ``report:nudge:<deadline>:<local date>:member:<id>``, so a second tap (or a second officer) the
    same day sends nothing twice."""
    deadline = _deadline_for_officer(ctx, arg)
    if deadline is None:
        return report_status(ctx, None)
    _, missing = repo.compliance(ctx.session, deadline=deadline, province=_province(ctx))
    today = ctx.today()
    sent = 0
    for member_id, address, locale in member_addresses(
            ctx.session, repo.missing_member_ids(ctx.session, deadline=deadline, province=_province(ctx))):
        added = outbox.enqueue(ctx.session, key=f"report:nudge:{deadline.id}:{today.isoformat()}:member:{member_id}",
                               address=address, replies=[deadline_card(deadline, today, locale, "reports.nudge_message")],
                               kind="reminder", member_id=member_id)
        sent += int(added)
    back = [ctx.choice("reports.menu.status", go("report.status", deadline.id)), ctx.choice("menu.back_to_menu", go("menu"))]
    if sent == 0 and missing:
        return [ctx.say("reports.nudged_already", choices=back)]
    return [ctx.say("reports.nudged", members=sent, orgs=len(missing), choices=back)]


@intent("report.list", audience="officer", order=100)
def list_submitted(ctx: Context, arg: str | None) -> list[Reply]:
    deadline = _deadline_for_officer(ctx, arg)
    if deadline is None:
        return report_status(ctx, None)
    rows = repo.reports_for_deadline(ctx.session, deadline_id=deadline.id, province=_province(ctx))  # type: ignore[arg-type]
    if not rows:
        return [ctx.say("reports.none_submitted", choices=menu_choices(ctx))]
    lines = [f"{i}. {o.name} — {i18n.format_date(r.submitted_at, ctx.locale)}" for i, (r, o) in enumerate(rows, 1)]
    choices = [Choice(f"{i}. {o.name}", go("report.view", r.id)) for i, (r, o) in enumerate(rows[:12], 1)]
    return [Reply(text=ctx.t("reports.submitted_list", title=deadline.title, count=len(rows)) + "\n"
                  + "\n".join(lines[:MAX_LISTED]),
                  choices=tuple(choices) + (ctx.choice("reports.menu.status", go("report.status", deadline.id)),))]


def _officer_report(ctx: Context, arg: str | None) -> tuple[Report, Organization] | None:
    report = ctx.session.get(Report, int(arg)) if arg and arg.isdigit() else None
    org = ctx.session.get(Organization, report.organization_id) if report else None
    if report is None or org is None or not _may_see(ctx, org):
        return None
    return report, org


@intent("report.view", audience="officer", order=100)
def view_report(ctx: Context, arg: str | None) -> list[Reply]:
    found = _officer_report(ctx, arg)
    if found is None:
        return [ctx.say("reports.gone", choices=menu_choices(ctx))]
    report, org = found
    deadline = ctx.session.get(ReportDeadline, report.deadline_id) if report.deadline_id else None
    submitter = ctx.session.get(Member, report.submitted_by) if report.submitted_by else None
    replies = []
    for i, act in enumerate(repo.activities(ctx.session, report_id=report.id), 1):  # type: ignore[arg-type]
        fields = [CardField(ctx.t("reports.activity.label.dates"),
                            show_dates((act.start_date, act.end_date or act.start_date), ctx) if act.start_date else "-"),
                  CardField(ctx.t("reports.activity.label.participants"),
                            ctx.t("reports.people", count=f"{act.participants:,}") if act.participants else "-"),
                  CardField(ctx.t("reports.activity.label.budget"),
                            show_money(act.budget, ctx.locale) if act.budget is not None else "-"),
                  CardField(ctx.t("reports.activity.label.funding_source"), act.funding_source or "-"),
                  CardField(ctx.t("reports.activity.label.target_group"), act.target_group or "-"),
                  CardField(ctx.t("reports.activity.label.photos"),
                            str(repo.photo_count(ctx.session, activity_id=act.id)))]  # type: ignore[arg-type]
        replies.append(Reply(card=Card(title=f"{i}. {act.title}", fields=tuple(fields), text=act.original_text)))
    buttons = (ctx.choice("reports.return", go("report.return", report.id)),) \
        if report.status == ReportStatus.submitted else ()
    head = ctx.t("reports.view_head", org=org.name,
                 title=deadline.title if deadline else ctx.t("reports.outside_deadline"),
                 who=(submitter.full_name if submitter else None) or "-",
                 when=i18n.format_datetime(report.submitted_at, ctx.locale) if report.submitted_at else "-",
                 status=ctx.t(f"reports.status_{report.status}"))
    back = ctx.choice("reports.menu.status", go("report.status", report.deadline_id)) if report.deadline_id \
        else ctx.choice("menu.back_to_menu", go("menu"))
    return [Reply(text=head)] + replies[:3] + [Reply(text=ctx.t("reports.view_actions")
                                                     if buttons else ctx.t("reports.view_no_actions"),
                                                     choices=buttons + (back,))]


# --- return for correction ---------------------------------------------------------------------------
class ReturnForm(Form):
    name = "reports.return"
    title = "reports.return_summary_title"
    fields = (
        Field("note", "reports.ask_return_note", parse_text(5, 1000), example="reports.example_return_note"),
    )

    def summary_extra(self, ctx: Context, values: dict[str, Any]) -> list[CardField]:
        found = _officer_report(ctx, str(values.get("_report")))
        return [CardField(ctx.t("reports.label.organization"), found[1].name)] if found else []

    def on_confirm(self, ctx: Context, values: dict[str, Any]) -> list[Reply]:
        found = _officer_report(ctx, str(values.get("_report")))
        if found is None or found[0].status != ReportStatus.submitted:
            return [ctx.say("reports.gone", choices=menu_choices(ctx))]
        report, org = found
        repo.return_for_correction(ctx.session, report=report, officer_id=ctx.member.id if ctx.member else None,
                                       note=values["note"])
        told = notify_returned(ctx.session, report=report, note=values["note"])
        ctx.audit("report.return", province=org.province, target_type="report", target_id=report.id,
                  details={"organization": org.name, "note": values["note"]})
        return [ctx.say("reports.returned", org=org.name, members=told,
                        choices=[ctx.choice("reports.menu.status", go("report.status", report.deadline_id))
                                 if report.deadline_id else ctx.choice("menu.back_to_menu", go("menu"))])]


RETURN_FORM = ReturnForm()


@intent("report.return", audience="officer", order=100)
def return_report(ctx: Context, arg: str | None) -> list[Reply]:
    found = _officer_report(ctx, arg)
    if found is None or found[0].status != ReportStatus.submitted:
        return [ctx.say("reports.gone", choices=menu_choices(ctx))]
    return RETURN_FORM.start(ctx, {"_report": found[0].id}, intro=[ctx.say("reports.returning", org=found[1].name)])


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_flows(DEADLINE_FORM, RETURN_FORM)
    add_intents(new_deadline, report_status, nudge, list_submitted, view_report, return_report)
