"""An organization's members from its page: add someone who signed up in the chat (found by phone), make a
member its representative (primary contact), and remove a member (they no longer speak for it; confirmed
first, naming who and what they lose). The member is told in the chat through the outbox; the audit log
keeps each change."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlmodel import col, select

from bot import i18n, outbox
from bot.clock import clock
from bot.console import redirect
from bot.console.audit import record
from bot.console.auth import Officer, current_officer
from bot.console.confirm import confirm_page
from bot.messages import Reply
from bot.notices import member_addresses, tell_members
from storage.models import Member, Organization
from storage.repositories import memberships

router = APIRouter()


@router.post("/orgs/{org_id}/members/{member_id}/remove")
def remove_member(request: Request, org_id: int, member_id: int, confirmed: str = Form(""),
                  officer: Officer = Depends(current_officer)) -> Response:
    console = request.app.state.console
    with console.runtime.db.session() as session:
        org = officer.fetch(session, Organization, org_id)
        member = session.get(Member, member_id)
        if member is None or member.organization_id != org.id:
            return redirect(f"/admin/orgs/{org_id}", "console.flash.unchanged")
        name = member.full_name or "-"
        if confirmed != "1":
            return confirm_page(request, officer, action=f"/admin/orgs/{org_id}/members/{member_id}/remove",
                                title=i18n.t("console.orgs.confirm_remove_title", officer.locale),
                                message=i18n.t("console.orgs.confirm_remove", officer.locale, person=name,
                                               name=org.name),
                                button=i18n.t("console.orgs.remove_member", officer.locale),
                                back=f"/admin/orgs/{org_id}")
        told = 0
        for mid, address, locale in member_addresses(session, [member.id]):  # type: ignore[list-item]
            reply = Reply(text=i18n.t("console.orgs.removed_message", locale, name=org.name))
            told += int(outbox.enqueue(session, key=f"org:{org.id}:removed:{mid}:{int(clock.now().timestamp())}",
                                       address=address, replies=[reply], kind="notice", member_id=mid))
        member.organization_id = None
        session.add(member)
        if org.representative_id == member.id:  # nobody speaks for it until an officer names someone
            org.representative_id = None
            session.add(org)
        record(session, officer, "org.member_remove", province=org.province, target_type="organization",
               target_id=org.id, details={"name": org.name, "person": name, "told": told}, request=request)
    return redirect(f"/admin/orgs/{org_id}", "console.flash.member_removed")


def _tell_and_audit(session, request: Request, officer: Officer, org: Organization, member: Member, *,  # noqa: ANN001
                    change: str, message: str) -> None:
    """Tell the member what the office changed (through the outbox) and audit it as ``org.member_<change>``."""
    key = f"org:{org.id}:{change}:{member.id}:{int(clock.now().timestamp())}"
    told = tell_members(session, [member.id], key=key,  # type: ignore[list-item]
                        reply=lambda locale: Reply(text=i18n.t(message, locale, name=org.name)))
    record(session, officer, f"org.member_{change}", province=org.province, target_type="organization",
           target_id=org.id, details={"name": org.name, "person": member.full_name or "-", "told": told},
           request=request)


@router.post("/orgs/{org_id}/members/add")
def add_member(request: Request, org_id: int, phone: str = Form(""),
               officer: Officer = Depends(current_officer)) -> Response:
    """Someone who signed up in the chat, found by their phone, joins the organization now (an officer's
    word is the approval); a request of theirs waiting for approval is settled by it."""
    from bot.thai import parse_phone

    console = request.app.state.console
    digits = parse_phone(phone or "")
    with console.runtime.db.session() as session:
        org = officer.fetch(session, Organization, org_id)
        member = session.exec(select(Member).where(Member.phone == digits, col(Member.consent_at).is_not(None))
                               .order_by(col(Member.id))).first() if digits else None
        if member is None or member.is_officer or member.organization_id not in (None, org.id):
            return redirect(f"/admin/orgs/{org_id}", "console.flash.member_not_found")
        if member.organization_id == org.id:
            return redirect(f"/admin/orgs/{org_id}", "console.flash.unchanged")
        pending = memberships.pending_of(session, member_id=member.id)  # type: ignore[arg-type]
        if pending is not None:
            memberships.decide(session, request=pending[0], approve=pending[1].id == org.id,
                               decided_by=officer.login.member_id)
        memberships.join(session, org=org, member=member)
        _tell_and_audit(session, request, officer, org, member, change="add", message="records.org.added_message")
    return redirect(f"/admin/orgs/{org_id}", "console.flash.member_added")


@router.post("/orgs/{org_id}/members/{member_id}/primary")
def make_primary(request: Request, org_id: int, member_id: int,
                 officer: Officer = Depends(current_officer)) -> Response:
    """The member speaks for the organization and is its contact; joining it now waits for their approval."""
    console = request.app.state.console
    with console.runtime.db.session() as session:
        org = officer.fetch(session, Organization, org_id)
        member = session.get(Member, member_id)
        if member is None or member.organization_id != org.id or org.representative_id == member.id:
            return redirect(f"/admin/orgs/{org_id}", "console.flash.unchanged")
        memberships.make_representative(session, org=org, member=member)
        _tell_and_audit(session, request, officer, org, member, change="primary",
                        message="records.org.primary_message")
    return redirect(f"/admin/orgs/{org_id}", "console.flash.representative_set")
