"""Many organizations at once (set-based inserts, as bench/scale.py seeds them)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert

from bot.clock import db_now
from bot.thai import org_name_key
from storage.models import Member, MemberIdentity, Organization

PLACES = ("บ้านนา", "บ้านดง", "บ้านใหม่", "วังทอง", "บางระกำ", "นครไทย", "หนองบัว", "ท่าช้าง", "โคกสูง", "ดอนแก้ว")
THEMES = ("พัฒนาเด็กและครอบครัว", "ผู้สูงอายุ", "คนพิการ", "สตรี", "เยาวชน", "ออมทรัพย์", "เกษตรกร", "อาสาสมัคร")


def name_of(i: int) -> str:
    return f"ชมรม{THEMES[i % len(THEMES)]}{PLACES[(i // len(THEMES)) % len(PLACES)]} {i}"


def many_orgs(runtime, n: int, *, province: str = "พิษณุโลก", members: bool = True,  # noqa: ANN001
              extra: tuple[str, ...] = ()) -> None:
    """`n` organizations named by `name_of` (plus `extra` names), each with one consented LINE member."""
    now: datetime = db_now() - timedelta(days=1)
    names = [name_of(i) for i in range(n)] + list(extra)
    with runtime.db.session() as s:
        first = (s.exec(__import__("sqlmodel").select(Organization.id).order_by(Organization.id.desc())).first() or 0) + 1
        s.execute(insert(Organization.__table__), [
            {"id": first + i, "name": name, "name_key": org_name_key(name), "kind": "community_welfare",
             "province": province, "district": "เมือง", "listed": True, "verified": False, "is_demo": False,
             "created_at": now} for i, name in enumerate(names)])
        if members:
            s.execute(insert(Member.__table__), [
                {"id": first + i, "organization_id": first + i, "full_name": f"สมาชิก {i}", "locale": "th",
                 "role": "member", "consent_at": now, "announcements_opt_out": False, "is_demo": False,
                 "created_at": now} for i in range(len(names))])
            s.execute(insert(MemberIdentity.__table__), [
                {"member_id": first + i, "address": f"line:U{first + i:032x}", "channel": "line", "reachable": True,
                 "created_at": now} for i in range(len(names))])
        if not runtime.db.is_sqlite:
            from sqlalchemy import text

            for table in ("organizations", "members"):
                s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
