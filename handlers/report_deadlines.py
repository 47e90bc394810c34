"""Which deadline an activity report is for: the question, its choices, and a report already sent.

The member's own organization and reports are looked up here too (the report intake and the ways into a
report share them). The activity form itself: handlers/reports.py.
"""
from __future__ import annotations

from dataclasses import replace

from bot import i18n
from bot.context import Context
from bot.forms import Invalid
from bot.messages import Choice, Reply
from bot.registry import go
from handlers.report_display import deadline_line
from storage.models import Organization
from storage.models.reports import Report, ReportDeadline, ReportStatus
from storage.repositories import reports as repo
from storage.repositories.report_records import state_of

NONE = "none"  # an activity outside any deadline


def org_of(ctx: Context) -> Organization | None:
    if ctx.member is None or ctx.member.organization_id is None:
        return None
    return ctx.session.get(Organization, ctx.member.organization_id)


def own_report(ctx: Context, report_id: str | int | None) -> Report | None:
    if report_id is None or not str(report_id).isdigit() or ctx.member is None:
        return None
    report = ctx.session.get(Report, int(report_id))
    if report is None or report.organization_id != ctx.member.organization_id:
        return None
    return report


def open_deadlines(ctx: Context) -> list[ReportDeadline]:
    org = org_of(ctx)
    return repo.open_deadlines_for(ctx.session, organization=org, today=ctx.today()) if org else []


def deadline_choices(ctx: Context) -> list[Choice]:
    choices = [Choice(f"{i}. {d.title}", f"dl:{d.id}") for i, d in enumerate(open_deadlines(ctx)[:11], 1)]
    choices.append(ctx.choice("reports.outside_deadline", NONE))
    return choices


def deadline_prompt_values(ctx: Context) -> dict[str, object]:
    lines = [f"{i}. {deadline_line(d, ctx.locale)}" for i, d in enumerate(open_deadlines(ctx)[:11], 1)]
    return {"deadlines": "\n".join(lines)}


def parse_deadline(raw: str, ctx: Context) -> int | str:
    if raw == NONE:
        return NONE
    if raw.startswith("dl:") and raw[3:].isdigit():
        if any(d.id == int(raw[3:]) for d in open_deadlines(ctx)):
            return int(raw[3:])
    raise Invalid("reports.pick_deadline")


def after_deadline(ctx: Context, value: int | str) -> list[Reply] | None:
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
