"""Messages about joining an organization, shared by the chat and the console: the representative's
one-tap approve/decline card, and the outcome told to the member — all through the outbox, in the
caller's transaction.

The card's buttons (``join.approve:<request>``, ``join.decline:<request>``) are values that need an offer
(`bot.offers`): a tap is accepted only from the address the card was sent to.
"""
from __future__ import annotations

from bot import i18n
from bot.messages import Card, CardField, Choice, Reply
from bot.notices import tell_members
from storage.models import Member, Organization, OrgJoinRequest

APPROVE = "join.approve"
DECLINE = "join.decline"


def decision_card(request: OrgJoinRequest, member: Member, org: Organization, locale: str) -> Reply:
    card = Card(title=i18n.t("records.join.card_title", locale),
                fields=(CardField(i18n.t("signup.label.full_name", locale), member.full_name or "-"),
                        CardField(i18n.t("records.join.position", locale), member.position or "-"),
                        CardField(i18n.t("signup.label.org_name", locale), org.name)),
                buttons=(Choice(i18n.t("records.join.approve", locale), f"{APPROVE}:{request.id}"),
                         Choice(i18n.t("records.join.decline", locale), f"{DECLINE}:{request.id}")))
    return Reply(text=i18n.t("records.join.ask_representative", locale, person=member.full_name or "-",
                             org=org.name), card=card)


def ask_representative(session, *, request: OrgJoinRequest, member: Member, org: Organization,  # noqa: ANN001
                       representative_id: int) -> int:
    """Send the representative the approve/decline card; returns how many were queued (0: unreachable)."""
    return tell_members(session, [representative_id], key=f"join:{request.id}:ask",
                        reply=lambda locale: decision_card(request, member, org, locale))


def tell_outcome(session, *, request: OrgJoinRequest, org: Organization, by_officer: bool) -> int:  # noqa: ANN001
    """Tell the member whether they now speak for the organization."""
    approved = request.status == "approved"
    key = "records.join.approved_message" if approved else "records.join.declined_message"
    who = "records.join.by_officer" if by_officer else "records.join.by_representative"
    return tell_members(session, [request.member_id], key=f"join:{request.id}:{request.status}",
                        reply=lambda locale: Reply(text=i18n.t(key, locale, org=org.name,
                                                                who=i18n.t(who, locale))))
