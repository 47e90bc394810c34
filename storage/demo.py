"""Demo data for trying the bot on an empty database (`make run`). Everything here is marked `is_demo`.

Later capabilities add their own seeders to `SEEDERS` (e.g. an upcoming training).
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from sqlmodel import Session, func, select

from storage.db import Database
from storage.models import Organization
from storage.repositories import organizations as orgs_repo

log = logging.getLogger(__name__)

DEMO_ORGS = (
    ("มูลนิธิพัฒนาเด็กและครอบครัวพิษณุโลก", "public_benefit", "พิษณุโลก", "เมืองพิษณุโลก", "พล 0003/2555",
     "สมศรี ใจดี", "0812345678"),
    ("สมาคมผู้สูงอายุจังหวัดพิษณุโลก", "public_benefit", "พิษณุโลก", "เมืองพิษณุโลก", "พล 0011/2558",
     "ประเสริฐ มั่นคง", "055258111"),
    ("กองทุนสวัสดิการชุมชนตำบลบ้านกร่าง", "community_welfare", "พิษณุโลก", "เมืองพิษณุโลก", None,
     "อำไพ ทองดี", "0898765432"),
    ("กลุ่มออมทรัพย์เพื่อสวัสดิการชุมชนวังทอง", "community_welfare", "พิษณุโลก", "วังทอง", None,
     "สมชาย รักถิ่น", "0861112233"),
    ("มูลนิธิคนพิการนครไทย", "public_benefit", "พิษณุโลก", "นครไทย", "พล 0020/2561", "วิไล สุขใจ", "0953334444"),
    ("มูลนิธิเพื่อนหญิงโคราช", "public_benefit", "นครราชสีมา", "เมืองนครราชสีมา", "นม 0105/2559",
     "จันทร์เพ็ญ ศรีสุข", "0817778888"),
    ("สภาองค์กรชุมชนตำบลปากช่อง", "community_welfare", "นครราชสีมา", "ปากช่อง", None, "บุญมี แสงทอง",
     "0825556666"),
)

Seeder = Callable[[Session], None]
SEEDERS: list[Seeder] = []


def seed_organizations(session: Session) -> None:
    for name, kind, province, district, cert, contact, phone in DEMO_ORGS:
        org = orgs_repo.create(session, name=name, kind=kind, province=province, district=district,
                               certification_no=cert, contact_name=contact, phone=phone, listed=True, is_demo=True)
        org.verified = cert is not None
        session.add(org)


SEEDERS.append(seed_organizations)


def seed_if_empty(db: Database) -> bool:
    """Seed every demo seeder into an empty database. Returns True when it added anything."""
    _load_seeders()
    with db.session() as session:
        if session.exec(select(func.count()).select_from(Organization)).one():
            return False
        for seeder in SEEDERS:
            seeder(session)
    log.info("demo data seeded")
    return True


def _load_seeders() -> None:
    # Capabilities register their seeders on import.
    import importlib

    for module in ("storage.demo_events",):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
