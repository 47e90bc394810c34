"""Removing a member from an organization (they no longer speak for it), confirmed first: the page says who
and what they lose; the member is told in the chat through the outbox; the audit log keeps it."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from bot import i18n, outbox
from bot.clock import clock
from bot.console import redirect
from bot.console.audit import record
from bot.console.auth import Officer, current_officer
from bot.console.confirm import confirm_page
from bot.messages import Reply
from storage.models import Member, Organization

router = APIRouter()


@router.post("/orgs/{org_id}/members/{member_id}/remove")
def remove_member(request: Request, org_id: int, member_id: int, confirmed: str = Form(""),
                  officer: Officer = Depends(current_officer)) -> Response:
    from bot.notices import member_addresses

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
        record(session, officer, "org.member_remove", province=org.province, target_type="organization",
               target_id=org.id, details={"name": org.name, "person": name, "told": told}, request=request)
    return redirect(f"/admin/orgs/{org_id}", "console.flash.member_removed")
