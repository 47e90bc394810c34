"""Account linking: one member, several chat accounts (no SDK, no channel).

A signed-up member asks for a one-time code in "ข้อมูลของฉัน" (intent ``account.link``,
`handlers/linking.py`); on the *other* app they send the code — typed as a message on LINE or
Telegram, or through the Telegram deep link ``t.me/<bot>?start=<CODE>`` — and that chat account becomes
another `MemberIdentity` of the same member. Codes are 8 characters from an alphabet without look-alikes
(no 0/O, 1/I/L), always contain a letter and a digit (so ordinary answers are never mistaken for one),
are shown as ``ABCD-2345``, are valid for 15 minutes and for one use; a new code replaces the member's
previous unused ones.

The intake (`bot.intake.lifecycle`) calls `route_code(db, msg, now)` before the engine: a message that
is exactly a valid code becomes the postback ``go:account.redeem:<CODE>`` (an intent open to anyone, so
even a brand-new chat account that has not signed up reaches it).
"""
from __future__ import annotations

import logging
import re
import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.messages import Address, IncomingMessage
from storage.db import Database
from storage.models import ConversationState, Member, MemberIdentity
from storage.models.links import LinkCode

log = logging.getLogger(__name__)

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_TTL = timedelta(minutes=15)
_CODE_RE = re.compile(rf"^[{ALPHABET}]{{4}}-?[{ALPHABET}]{{4}}$")

# Set by the Telegram channel once it knows its bot (getMe), for deep links in the code message.
telegram_username: str | None = None


def telegram_deep_link(code: str) -> str | None:
    return f"https://t.me/{telegram_username}?start={code}" if telegram_username else None


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def normalize_code(text: str | None) -> str | None:
    """The stored form of a code the member typed (``abcd 2345`` → ``ABCD2345``), or None."""
    if not text:
        return None
    candidate = re.sub(r"[\s\u200b]+", "", text).upper()
    if not _CODE_RE.match(candidate):
        return None
    candidate = candidate.replace("-", "")
    if not (any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate)):
        return None
    return candidate


def _aware(dt: datetime) -> datetime:
    from datetime import timezone

    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _random_code() -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            return code


def new_code(session: Session, *, member_id: int, address: str, now: datetime) -> LinkCode:
    """A fresh one-time code for `member_id`; the member's earlier unused codes stop working."""
    for old in session.exec(select(LinkCode).where(LinkCode.member_id == member_id,
                                                   LinkCode.used_at == None)):  # noqa: E711
        session.delete(old)
    session.flush()
    for _ in range(5):
        code = _random_code()
        if session.get(LinkCode, code) is None:
            break
    link = LinkCode(code=code, member_id=member_id, created_from=address, created_at=now,
                    expires_at=now + CODE_TTL)
    session.add(link)
    session.flush()
    return link


def valid_code(session: Session, code: str, now: datetime) -> LinkCode | None:
    link = session.get(LinkCode, code)
    if link is None or link.used_at is not None or _aware(link.expires_at) <= now:
        return None
    return link


def redeem(session: Session, *, code: str, address: str, now: datetime) -> tuple[str, Member | None]:
    """Link `address` to the member behind `code`.

    Returns (status, member): ``linked`` (new identity), ``already`` (the address already belongs to
    that member), ``taken`` (it belongs to another signed-up member: we never merge two people's
    data silently), ``invalid`` (unknown, used or expired code).
    """
    link = valid_code(session, code, now)
    if link is None:
        return "invalid", None
    member = session.get(Member, link.member_id)
    if member is None:
        return "invalid", None
    identity = session.exec(select(MemberIdentity).where(MemberIdentity.address == address)).first()
    if identity is not None:
        if identity.member_id == member.id:
            return "already", member
        other = session.get(Member, identity.member_id)
        if other is not None and other.consent_at is not None:
            return "taken", None
        session.delete(identity)  # a leftover identity of an unfinished sign-up: replace it
        session.flush()
    addr = Address.parse(address)
    session.add(MemberIdentity(member_id=member.id, address=address, channel=addr.channel))  # type: ignore[arg-type]
    link.used_at = now
    link.used_by = address
    session.add(link)
    state = session.get(ConversationState, address)
    if state is not None:  # a sign-up in progress on this account is moot now
        state.flow, state.data, state.locale = None, {}, None
        session.add(state)
    session.flush()
    return "linked", member


def may_be_code(msg: IncomingMessage) -> bool:
    return msg.postback is None and msg.kind == "message" and normalize_code(msg.text) is not None


def route_code(db: Database, msg: IncomingMessage, now: datetime) -> IncomingMessage:
    """A message that is exactly a valid linking code becomes the redeem postback."""
    code = normalize_code(msg.text) if msg.postback is None and msg.kind == "message" else None
    if code is None:
        return msg
    with db.session() as session:
        if valid_code(session, code, now) is None:
            return msg
    return replace(msg, postback=f"go:account.redeem:{code}", text=None)
