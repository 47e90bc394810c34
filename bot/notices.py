"""Messages to members about their own organization and reports, queued through the outbox in the caller's
transaction: shared by the chat's handlers and the officer console (which never imports `handlers/`).

`member_addresses` picks each member's preferred reachable chat; `tell_members` puts one message per member
in the outbox under a key that makes a repeated call harmless.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from sqlalchemy import Select, select
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from bot import i18n, outbox
from bot.audiences import CHANNEL_PREFERENCE
from bot.messages import Choice, Reply
from bot.registry import go
from storage.models import Member, MemberIdentity
from storage.models.reports import Report, ReportDeadline


def member_addresses(session: Session, member_ids: Select | Iterable[int]) -> Iterator[tuple[int, str, str]]:
    """(member id, preferred reachable address, locale) for each consented member among `member_ids`."""
    ids = member_ids if isinstance(member_ids, Select) else list(member_ids)
    stmt = (select(Member.id, Member.locale, MemberIdentity.address, MemberIdentity.channel)
            .join(MemberIdentity, col(MemberIdentity.member_id) == col(Member.id))
            .where(MemberIdentity.reachable == True, col(Member.consent_at).is_not(None),  # noqa: E712
                   col(Member.id).in_(ids.scalar_subquery() if isinstance(ids, Select) else ids))
            .order_by(col(Member.id)))
    best: dict[int, tuple[int, str, str]] = {}
    for member_id, locale, address, channel in session.execute(stmt):
        rank = CHANNEL_PREFERENCE.get(channel, 9)
        if member_id not in best or rank < best[member_id][0]:
            best[member_id] = (rank, address, locale or "th")
    for member_id, (_rank, address, locale) in best.items():
        yield member_id, address, locale


def tell_members(session: Session, member_ids: Select | Iterable[int], *, key: str,
                 reply: Callable[[str], Reply]) -> int:
    """One message per member (built in their language by `reply(locale)`) under `key:member:<id>`;
    returns how many were queued (a key already used queues nothing)."""
    told = 0
    for member_id, address, locale in member_addresses(session, member_ids):
        told += int(outbox.enqueue(session, key=f"{key}:member:{member_id}", address=address,
                                   replies=[reply(locale)], kind="notice", member_id=member_id))
    return told


def org_members(organization_id: int) -> Select:
    """A SELECT of the ids of the organization's consented members."""
    return sm_select(Member.id).where(Member.organization_id == organization_id,
                                      col(Member.consent_at).is_not(None))


def _title(session: Session, report: Report, locale: str) -> str:
    deadline = session.get(ReportDeadline, report.deadline_id) if report.deadline_id else None
    return deadline.title if deadline else i18n.t("reports.outside_deadline", locale)


def notify_returned(session: Session, *, report: Report, note: str) -> int:
    """Tell every member of the organization that their report came back for correction (the chat's
    and the console's "return" both end here). Returns how many members were told; the key includes
    the return's number, so a second return is a new message and a repeated call is not."""
    def reply(locale: str) -> Reply:
        return Reply(text=i18n.t("reports.returned_message", locale, title=_title(session, report, locale), note=note),
                     choices=(Choice(i18n.t("reports.fix_button", locale), go("report.fix", report.id)),))

    return tell_members(session, org_members(report.organization_id),
                        key=f"report:return:{report.id}:{report.return_count}", reply=reply)


def notify_accepted(session: Session, *, report: Report) -> int:
    """Tell every member of the organization that the office accepted their report (once per acceptance)."""
    stamp = int(report.accepted_at.timestamp()) if report.accepted_at else 0

    def reply(locale: str) -> Reply:
        return Reply(text=i18n.t("records.report.accepted_message", locale, title=_title(session, report, locale)))

    return tell_members(session, org_members(report.organization_id), key=f"report:accepted:{report.id}:{stamp}",
                        reply=reply)
