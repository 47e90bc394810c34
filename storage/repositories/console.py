"""Officer console logins (argon2 hashes, lockout) and the audit log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import and_, case, update
from sqlmodel import Session, col, func, select

from bot.clock import db_now
from bot.logs import redact_phones
from storage.models import Member
from storage.models.console import AuditEntry, OfficerLogin

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email takes as long as a wrong password. Written
# out (argon2's default parameters, the hash of a throwaway text): hashing it at import cost every
# process start 0.2 s.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$S2FScA+pYDsCMHSHUut1vg$3y29eP0cRncnMBrbfo8Tp8a5aWAhQsoCBSLT1tBZAjo"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def by_email(session: Session, *, email: str) -> OfficerLogin | None:
    return session.exec(select(OfficerLogin).where(OfficerLogin.email == normalize_email(email))).first()


def get(session: Session, *, login_id: int) -> OfficerLogin | None:
    return session.get(OfficerLogin, login_id)


def create_login(session: Session, *, email: str, password: str, province: str | None,
                 display_name: str | None = None, member_id: int | None = None) -> OfficerLogin:
    """A new console login. Raises ValueError when the email is taken or the password too short."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise ValueError(f"not an email address: {email!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if by_email(session, email=email) is not None:
        raise ValueError(f"a login for {email} already exists")
    login = OfficerLogin(email=email, password_hash=hash_password(password), province=province,
                         display_name=display_name, member_id=member_id)
    session.add(login)
    session.flush()
    return login


def set_password(session: Session, *, login: OfficerLogin, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    login.password_hash = hash_password(password)
    login.session_version += 1
    login.failed_attempts = 0
    login.locked_until = None
    session.add(login)


@dataclass
class LoginResult:
    login: OfficerLogin | None  # set only on success
    outcome: str  # ok | bad | locked | inactive
    account: OfficerLogin | None = None  # the account the attempt was about (for the audit), if it exists
    locked_until: datetime | None = None
    just_locked: bool = False


def authenticate(session: Session, *, email: str, password: str, now: datetime | None = None) -> LoginResult:
    """Check a password, counting failures: the fifth wrong password in a row locks the login for 15 minutes.

    While locked, even the right password is refused (and attempts do not extend the lock)."""
    now = now or db_now()
    login = by_email(session, email=email)
    if login is None:
        check_password(_DUMMY_HASH, password)
        return LoginResult(None, "bad")
    if login.locked_until is not None and login.locked_until > now:
        return LoginResult(None, "locked", login, login.locked_until)
    if not check_password(login.password_hash, password):
        return _count_failure(session, login, now)
    if not login.active:
        return LoginResult(None, "inactive", login)
    login.failed_attempts = 0
    login.locked_until = None
    login.last_login_at = now
    if _hasher.check_needs_rehash(login.password_hash):
        login.password_hash = hash_password(password)
    session.add(login)
    return LoginResult(login, "ok", login)


def _count_failure(session: Session, login: OfficerLogin, now: datetime) -> LoginResult:
    """One more wrong password, counted in the database itself: parallel attempts (other requests, other
    server processes) each add one, none is lost (`UPDATE … SET failed_attempts = failed_attempts + 1
    RETURNING`, which PostgreSQL runs one at a time per row). The attempt that reaches the limit sets
    the lock, once (`… WHERE locked_until IS NULL`)."""
    table = OfficerLogin.__table__
    expired = and_(table.c.locked_until.is_not(None), table.c.locked_until <= now)  # an old lock ran out: afresh
    count, locked_until = session.execute(
        update(table).where(table.c.id == login.id)
        .values(failed_attempts=case((expired, 1), else_=table.c.failed_attempts + 1),
                locked_until=case((expired, None), else_=table.c.locked_until))
        .returning(table.c.failed_attempts, table.c.locked_until)).one()
    just_locked = False
    if count >= MAX_FAILED_ATTEMPTS and locked_until is None:
        until = now + LOCKOUT
        just_locked = session.execute(update(table).where(table.c.id == login.id, table.c.locked_until.is_(None))
                                      .values(locked_until=until)).rowcount == 1
        locked_until = until if just_locked else session.execute(
            select(table.c.locked_until).where(table.c.id == login.id)).scalar_one()
    session.expire(login)  # its counters were changed behind the ORM's back
    locked = locked_until is not None and _aware(locked_until) > now
    return LoginResult(None, "locked" if locked else "bad", login, locked_until if locked else None, just_locked)


def _aware(dt: datetime) -> datetime:
    from datetime import timezone

    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def failures_from(session: Session, *, ip: str, since: datetime) -> int:
    """Wrong passwords (and lockouts) from one client address since `since`, by the audit log."""
    return session.exec(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.ip == ip, col(AuditEntry.at) >= since,
        col(AuditEntry.action).in_(("login.failed", "login.locked")))).one()


def end_sessions(session: Session, *, login: OfficerLogin) -> None:
    """Log out everywhere: cookies carrying the old session version stop working."""
    login.session_version += 1
    session.add(login)


def logins(session: Session) -> list[OfficerLogin]:
    return list(session.exec(select(OfficerLogin).order_by(OfficerLogin.email)))


# --- audit log ------------------------------------------------------------------------------------
def record(session: Session, *, action: str, login: OfficerLogin | None = None, email: str | None = None,
           province: str | None = None, target_type: str | None = None, target_id: Any = None,
           details: dict[str, Any] | None = None, ip: str | None = None) -> AuditEntry:
    entry = AuditEntry(at=db_now(), login_id=login.id if login else None,
                       email=(login.email if login else (email or ""))[:254], province=province, action=action,
                       target_type=target_type, target_id=None if target_id is None else str(target_id)[:64],
                       details=without_phones(details or {}), ip=(ip or None))
    session.add(entry)
    session.flush()
    return entry


def record_chat(session: Session, *, officer: Member | None, action: str, province: str | None,
                target_type: str | None = None, target_id: Any = None, details: dict[str, Any] | None = None,
                channel: str | None = None) -> AuditEntry:
    """An officer's action taken in the chat, in the same log as the console's: the console login linked to
    that officer (if any) is named as who did it; the officer's name and the channel go in the details."""
    login = None
    if officer is not None and officer.id is not None:
        login = session.exec(select(OfficerLogin).where(OfficerLogin.member_id == officer.id)
                             .order_by(col(OfficerLogin.id))).first()
    info: dict[str, Any] = {"via": f"chat:{channel}" if channel else "chat",
                            "officer": (officer.full_name if officer is not None else None) or "-"}
    return record(session, action=action, login=login, province=province, target_type=target_type,
                  target_id=target_id, details={**info, **(details or {})})


PHONE_KEYS = ("phone",)


def without_phones(value: Any, key: str | None = None) -> Any:
    """The audit log keeps no phone numbers: a ``phone`` field records only that it changed, and any phone
    number written inside another value is masked (bot.logs.redact_phones)."""
    if key in PHONE_KEYS and value not in (None, ""):
        return [("***" if v else v) for v in value] if isinstance(value, list) else "***"
    if isinstance(value, dict):
        return {k: without_phones(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_phones(v, key) for v in value]
    if isinstance(value, str):
        return redact_phones(value)
    return value


def audit_entries(session: Session, *, province: str | None, national: bool, action: str | None = None,
                  limit: int = 50, offset: int = 0) -> tuple[list[AuditEntry], int]:
    """Newest first. A provincial officer sees the entries about their province only."""
    stmt = select(AuditEntry)
    count = select(func.count()).select_from(AuditEntry)
    if not national:
        stmt = stmt.where(AuditEntry.province == province)
        count = count.where(AuditEntry.province == province)
    if action:
        stmt = stmt.where(col(AuditEntry.action).startswith(action))
        count = count.where(col(AuditEntry.action).startswith(action))
    rows = list(session.exec(stmt.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
                             .offset(offset).limit(limit)))
    return rows, session.exec(count).one()
