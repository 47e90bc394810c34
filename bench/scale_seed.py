"""Seeding for bench/scale.py: N organizations with members on LINE and Telegram, report deadlines, events
with registrations (and waitlist offers that have run out), broadcasts and audit entries, written with
bulk inserts of prepared rows (a few seconds for 50,000 organizations)."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

PREFIXES = ("มูลนิธิ", "สมาคม", "ชมรม", "กลุ่ม", "องค์กรสวัสดิการชุมชน", "กองทุนสวัสดิการชุมชน", "ศูนย์")
THEMES = ("พัฒนาเด็กและครอบครัว", "ผู้สูงอายุ", "คนพิการ", "สตรี", "เยาวชน", "รักษ์น้ำ", "ออมทรัพย์", "เกษตรกร",
          "อาสาสมัคร", "ส่งเสริมอาชีพ", "เพื่อนช่วยเพื่อน", "คุ้มครองเด็ก", "พัฒนาชุมชน", "สุขภาพชุมชน",
          "การศึกษา", "สิ่งแวดล้อม", "ฟื้นฟูสมรรถภาพ", "ต้านยาเสพติด", "สวัสดิการชาวนา", "แม่บ้าน")
PLACES = ("บ้านนา", "บ้านดง", "บ้านใหม่", "บ้านกร่าง", "วังทอง", "บางระกำ", "นครไทย", "หนองบัว", "ท่าช้าง",
          "โคกสูง", "ดอนแก้ว", "ห้วยทราย", "นาโพธิ์", "สันทราย", "บ่อแก้ว", "หนองแค", "ทุ่งใหญ่", "เขาสมิง",
          "ป่าแดง", "บ้านโพธิ์", "คลองใหม่", "ท่าม่วง", "บางปลา", "หัวหิน", "ไร่ขิง", "วัดพริก", "ท่าทอง",
          "บ้านป่า", "หนองปลิง", "ดงประคำ", "สามเงา", "แม่สอด", "บ้านไร่", "ลาดยาว", "โพนทอง", "คำเขื่อนแก้ว")
# Organizations the search queries look for (the typos below must find them among everyone else).
KNOWN = (("มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก", "public_benefit", "พิษณุโลก"),
         ("ชมรมผู้สูงอายุบ้านดงประคำ", "community_welfare", "พิษณุโลก"),
         ("มูลนิธิรักษ์น้ำพิษณุโลก", "public_benefit", "พิษณุโลก"),
         ("มูลนิธิเพื่อนหญิงโคราช", "public_benefit", "นครราชสีมา"))
SEARCHES = (("พัฒนาเด็กพิดโลก", KNOWN[0][0]), ("พัฒนาเด็กและครอบครัวพิศณุโลก", KNOWN[0][0]),
            ("ผู้สูงอายุบ้านดงประคา", KNOWN[1][0]), ("รักน้ำพิษณุโลก", KNOWN[2][0]), ("เพื่อนหญิงโคาช", KNOWN[3][0]))


def _chunks(rows: list[dict], n: int = 5000):  # noqa: ANN202
    for i in range(0, len(rows), n):
        yield rows[i:i + n]


def _insert(db: Any, table: Any, rows: list[dict]) -> None:  # noqa: ANN401
    from sqlalchemy import insert

    for part in _chunks(rows):
        with db.session() as s:
            s.execute(insert(table), part)


def seed(db: Any, n_orgs: int, now: datetime, *, rng_seed: int = 1) -> dict[str, Any]:  # noqa: ANN401
    """Everything the bench measures. `now` is the moment the scans run (aware)."""
    from bot.thai import org_name_key
    from bot.thai.provinces import official_names
    from storage.models import (
        AuditEntry, Broadcast, Event, EventAttendee, EventRegistration, Member, MemberIdentity, Organization, Report,
        ReportDeadline,
    )

    rng = random.Random(rng_seed)
    provinces = official_names()
    created = now - timedelta(days=30)
    names: set[str] = set()
    known_keys = {org_name_key(name) for name, _kind, _province in KNOWN}
    orgs: list[dict] = []
    for name, kind, province in KNOWN:
        names.add(name)
        orgs.append({"name": name, "kind": kind, "province": province})
    while len(orgs) < n_orgs:
        province = rng.choice(provinces)
        place = rng.choice(PLACES)
        name = f"{rng.choice(PREFIXES)}{rng.choice(THEMES)}{place}{rng.choice(('', province, 'ตำบล' + place))}"
        if name in names or org_name_key(name) in known_keys:  # the searched-for names stay unique
            continue
        names.add(name)
        orgs.append({"name": name, "kind": rng.choice(("public_benefit", "community_welfare", "other")),
                     "province": province})
    for i, o in enumerate(orgs, 1):
        o.update(id=i, name_key=org_name_key(o["name"]), district=f"อำเภอ{rng.choice(PLACES)}",
                 contact_name=f"คุณสมชาย {i}", phone=f"08{i:08d}", listed=True, verified=i % 3 == 0,
                 is_demo=False, created_at=created, certification_no=f"{i % 97}/{2560 + i % 9}")
    _insert(db, Organization.__table__, orgs)

    members: list[dict] = []
    idents: list[dict] = []
    for o in orgs:
        for _ in range(2 if o["id"] % 4 == 0 else 1):
            mid = len(members) + 1
            members.append({"id": mid, "organization_id": o["id"], "full_name": f"สมาชิก {mid}", "locale": "th",
                            "role": "member", "consent_at": created, "announcements_opt_out": mid % 50 == 0,
                            "is_demo": False, "created_at": created, "phone": f"09{mid:08d}"})
            if mid % 5 != 0 or mid % 10 == 0:
                idents.append({"member_id": mid, "address": f"line:U{mid:032x}", "channel": "line",
                               "reachable": True, "created_at": created})
            if mid % 5 == 0:
                idents.append({"member_id": mid, "address": f"telegram:{100000 + mid}", "channel": "telegram",
                               "reachable": True, "created_at": created})
    _insert(db, Member.__table__, members)
    _insert(db, MemberIdentity.__table__, idents)

    due = (now + timedelta(days=7)).date() if isinstance(now, datetime) else date.today()
    deadlines = [{"id": i, "title": f"รายงานผลการดำเนินงาน ไตรมาส {i}", "due_date": due, "kinds": [],
                  "provinces": [], "created_at": created} for i in range(1, 5)]
    _insert(db, ReportDeadline.__table__, deadlines)
    # A tenth of the organizations have already reported for the first deadline.
    reports = [{"organization_id": o["id"], "deadline_id": 1, "status": "submitted", "return_count": 0,
                "submitted_at": created, "created_at": created, "updated_at": created} for o in orgs[::10]]
    _insert(db, Report.__table__, reports)

    n_events = max(2, n_orgs // 1000)
    starts = now + timedelta(days=2)
    events, regs, attendees = [], [], []
    per_event = 500
    for e in range(1, n_events + 1):
        events.append({"id": e, "kind": "training", "title": f"อบรมเครือข่าย รุ่นที่ {e}", "starts_at": starts,
                       "ends_at": starts + timedelta(hours=6), "venue": "ห้องประชุม พมจ.", "province": provinces[e % 77],
                       "capacity": per_event * 2 + 100, "seats_per_org": 2, "audience_kinds": [],
                       "audience_provinces": [], "status": "published", "version": 1, "is_demo": False,
                       "created_at": created, "updated_at": created, "published_at": created})
        for k in range(per_event):
            m = members[(e * 997 + k * 13) % len(members)]
            rid = len(regs) + 1
            status = "registered"
            extra: dict[str, Any] = {"offered_at": None, "offer_expires_at": None}  # every row the same keys
            if e == 1 and k >= per_event - 100:  # offers that ran out an hour ago, then a waitlist behind them
                status = "offered" if k < per_event - 50 else "waitlisted"
                if status == "offered":
                    extra = {"offered_at": now - timedelta(hours=25), "offer_expires_at": now - timedelta(hours=1)}
            regs.append({"id": rid, "event_id": e, "organization_id": m["organization_id"], "member_id": m["id"],
                         "status": status, "seats": 1, "checkin_code": f"{rid:06d}", "offer_count": 0,
                         "created_at": created, "updated_at": created, "is_demo": False, **extra})
            attendees.append({"registration_id": rid, "event_id": e, "name": f"ผู้เข้าร่วม {rid}", "attended": False})
    if n_events:
        events[0]["capacity"] = per_event - 100  # the first event is full: its waitlist waits for the offers
    _insert(db, Event.__table__, events)
    _insert(db, EventRegistration.__table__, regs)
    _insert(db, EventAttendee.__table__, attendees)

    broadcasts = [{"text": f"ประกาศ {i}", "audience": {"name": "province", "param": "*"}, "audience_label": "ทุกจังหวัด",
                   "urgent": False, "status": "done", "scheduled_at": created, "content": [], "total": 100,
                   "delivered": 100, "failed": 0, "unreachable": 0, "opted_out": 0, "created_at": created}
                  for i in range(max(200, n_orgs // 50))]
    _insert(db, Broadcast.__table__, broadcasts)
    audit = [{"at": created + timedelta(seconds=i), "email": "officer@example.go.th", "province": provinces[i % 77],
              "action": "org.verify", "target_type": "organization", "target_id": str(i % n_orgs + 1),
              "details": {"name": orgs[i % n_orgs]["name"]}} for i in range(n_orgs)]
    _insert(db, AuditEntry.__table__, audit)
    if not db.is_sqlite:
        with db.session() as s:
            from sqlalchemy import text

            for table in ("organizations", "members", "member_identities", "report_deadlines", "events",
                          "event_registrations"):
                s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
            s.execute(text("ANALYZE"))
    return {"orgs": len(orgs), "members": len(members), "identities": len(idents), "events": n_events,
            "registrations": len(regs), "deadline_due": due}
