"""The training day's costs on one server process: a sign-in sheet for N people, a certificate's PDF and PNG,
a check-in, issuing N certificates.

    .venv/bin/python bench/training_day.py              # 500 registered people, SQLite in a temp folder
    .venv/bin/python bench/training_day.py --people 2000

Prints CPU time per unit of work (this process), never asserts times.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")


def cpu() -> float:
    return time.process_time()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=500)
    args = parser.parse_args()

    from bot.clock import BANGKOK, clock
    from bot.config import Settings
    from bot.wiring import build
    from storage.migrate import upgrade
    from storage.models import Organization
    from storage.repositories import events as events_repo
    from storage.repositories import training as training_repo

    folder = tempfile.mkdtemp(prefix="khruakhai-bench-")
    url = f"sqlite:///{folder}/bench.db"
    upgrade(url)
    settings = Settings(_env_file=None, database_url=url, scheduler_enabled=False,
                        public_base_url="https://khruakhai.example.go.th")
    runtime = build(settings)
    start = datetime(2027, 3, 10, 9, 0, tzinfo=BANGKOK)
    clock.set(start - timedelta(days=10))
    with runtime.db.session() as s:
        orgs = [Organization(name=f"มูลนิธิเพื่อการพัฒนาชุมชนตำบลที่ {i}", name_key=f"k{i}", kind="public_benefit",
                             province="พิษณุโลก") for i in range(max(1, args.people // 2))]
        s.add_all(orgs)
        s.flush()
        event = events_repo.create(s, title="อบรมผู้บริหารองค์กรสาธารณประโยชน์ รุ่นที่ 5", starts_at=start,
                                   ends_at=start + timedelta(hours=7), venue="โรงแรมอมรินทร์ลากูน พิษณุโลก",
                                   province="พิษณุโลก", capacity=args.people, seats_per_org=2)
        events_repo.publish(s, event=event, now=clock.now())
        regs = []
        for i in range(args.people):
            res = events_repo.register(s, event_id=event.id, member_id=None, organization_id=orgs[i // 2].id,
                                       attendees=[(f"ผู้เข้าร่วม ทดสอบคนที่ {i}", "ประธานกรรมการ")], phone=None,
                                       now=clock.now())
            regs.append(res.registration.id)
        event_id = event.id
        training_repo.save_template(s, event_id=event_id, title=event.title, signer_name="นางสาวพิมพ์ใจ ศรีสุข",
                                    signer_position="พัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดพิษณุโลก",
                                    office_name="สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดพิษณุโลก", now=clock.now())

    from bot.certificates import certificate_text, render_pdf, render_png
    from bot.pdf import signin_sheet_pdf

    with runtime.db.session() as s:
        event = events_repo.get(s, event_id=event_id)
        signin_sheet_pdf(s, event)  # warm: font parsing
        t0 = cpu()
        body = signin_sheet_pdf(s, event)
        took = cpu() - t0
    print(f"sign-in sheet, {args.people} people ({len(body) // 1024} kB)        {took * 1000:8.0f} ms CPU")

    t0 = cpu()
    with runtime.db.session() as s:
        for reg_id in regs:
            training_repo.check_in(s, event_id=event_id, registration_id=reg_id, now=start)
    print(f"check-in (one transaction for all)               {(cpu() - t0) / len(regs) * 1e6:8.0f} µs CPU per person")
    t0 = cpu()
    for reg_id in regs[:50]:
        with runtime.db.session() as s:
            training_repo.check_in(s, event_id=event_id, registration_id=reg_id, now=start)
    print(f"check-in again (one transaction each: 'already') {(cpu() - t0) / 50 * 1e6:8.0f} µs CPU per scan")

    with runtime.db.session() as s:
        t0 = cpu()
        certs = training_repo.issue_certificates(s, event=events_repo.get(s, event_id=event_id), now=start + timedelta(hours=8))
        print(f"issue {len(certs)} certificates                          {(cpu() - t0) / len(certs) * 1e6:8.0f} µs CPU per certificate")
        text = certificate_text(settings, certs[0], events_repo.get(s, event_id=event_id),
                                training_repo.template_of(s, event_id=event_id))
    render_pdf(text), render_png(text)  # warm
    for name, fn in (("certificate PDF", render_pdf), ("certificate PNG (1754×1240)", render_png)):
        t0 = cpu()
        for _ in range(5):
            out = fn(text)
        print(f"{name:48} {(cpu() - t0) / 5 * 1000:8.0f} ms CPU each ({len(out) // 1024} kB)")
    runtime.db.dispose()


if __name__ == "__main__":
    main()
