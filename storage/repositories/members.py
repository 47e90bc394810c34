from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, col, or_, select

from bot.clock import db_now
from bot.messages import Address
from storage.models import ConversationState, Member, MemberIdentity, Organization
from storage.repositories import outbox as outbox_repo


def by_address(session: Session, *, address: Address | str) -> Member | None:
    identity = session.exec(select(MemberIdentity).where(MemberIdentity.address == str(address))).first()
    return session.get(Member, identity.member_id) if identity else None


def create(session: Session, *, address: Address | str, organization_id: int | None, full_name: str | None,
           position: str | None, phone: str | None, locale: str = "th", consent_at=None,  # noqa: ANN001
           display_name: str | None = None, is_demo: bool = False) -> Member:
    addr = Address.parse(str(address))
    member = Member(organization_id=organization_id, full_name=full_name, position=position, phone=phone,
                    locale=locale, consent_at=consent_at or db_now(), is_demo=is_demo)
    session.add(member)
    session.flush()
    session.add(MemberIdentity(member_id=member.id, address=str(addr), channel=addr.channel,  # type: ignore[arg-type]
                               display_name=display_name))
    session.flush()
    return member


def addresses(session: Session, *, member_id: int, reachable_only: bool = True) -> list[str]:
    stmt = select(MemberIdentity.address).where(MemberIdentity.member_id == member_id)
    if reachable_only:
        stmt = stmt.where(MemberIdentity.reachable == True)  # noqa: E712
    return list(session.exec(stmt))


def officers_for(session: Session, *, province: str | None) -> list[Member]:
    """Officers who oversee `province`: that province's officers and the national ones."""
    stmt = select(Member).where(Member.role == "officer")
    if province:
        stmt = stmt.where(or_(Member.officer_province == province, col(Member.officer_province).is_(None)))
    return list(session.exec(stmt))


def grant_officer(session: Session, *, address: Address | str, province: str | None) -> Member:
    """Make the member at `address` an officer (creating a bare member if they never signed up)."""
    member = by_address(session, address=address)
    if member is None:
        member = create(session, address=address, organization_id=None, full_name=None, position=None,
                        phone=None)
        member.consent_at = None  # they still give consent themselves on first contact
    member.role = "officer"
    member.officer_province = province
    session.add(member)
    return member


# Capabilities that copy personal data elsewhere (e.g. attendee names on registrations) register a
# function here that erases their copy (the composition root, bot.wiring, adds them at start);
# `erase_personal_data` calls each before clearing the member.
Eraser = Callable[[Session, Member], None]
ERASERS: list[Eraser] = []


def eraser(fn: Eraser) -> Eraser:
    if fn not in ERASERS:
        ERASERS.append(fn)
    return fn


def erase_personal_data(session: Session, *, member: Member, current_address: str | None = None) -> None:
    """Delete what identifies the person; keep the row only as an anonymous reference for past reports.
    Nothing already queued for them is delivered afterwards (`storage.repositories.outbox`)."""
    for erase in ERASERS:
        erase(session, member)
    identities = list(session.exec(select(MemberIdentity.address).where(MemberIdentity.member_id == member.id)))
    org = session.get(Organization, member.organization_id) if member.organization_id else None
    # the officers' "new organization" notice shows the contact's name: the one who signed it up
    named = org is not None and member.full_name is not None and org.contact_name == member.full_name
    outbox_repo.withdraw_for_member(session, member_id=member.id, addresses=identities,  # type: ignore[arg-type]
                                    naming_them=[f"notice:new_org:{org.id}:"] if named else [])  # type: ignore[union-attr]
    for identity in session.exec(select(MemberIdentity).where(MemberIdentity.member_id == member.id)):
        # The current chat's state is reset by the engine itself at the end of the turn.
        state = session.get(ConversationState, identity.address) if identity.address != current_address else None
        if state is not None:
            session.delete(state)
        session.delete(identity)
    member.full_name = None
    member.position = None
    member.phone = None
    member.consent_at = None
    member.role = "member"
    member.officer_province = None
    member.organization_id = None
    session.add(member)
