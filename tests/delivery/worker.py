"""A delivery process for the multi-process tests: `python -m tests.delivery.worker [--with-source]`.

Runs exactly what `khruakhai serve` runs for the office path — `bot.scheduler.start(runtime)`: the
reminder scan, the drain and scheduled broadcasts — configured from the environment (DATABASE_URL,
DATABASE_SCHEMA, LINE_*/TELEGRAM_* pointing at the fakes, DELIVERY_*), until it is killed.
`--with-source` registers a reminder source (one reminder per member) like the reports capability will.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal

os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")


def register_source() -> None:
    from sqlmodel import select

    from bot.messages import Reply
    from bot.reminders import DueReminder, reminder_source
    from storage.models import Member, MemberIdentity

    @reminder_source
    def everyone(session, now, settings):  # noqa: ANN001, ANN202
        rows = session.exec(select(Member.id, MemberIdentity.address).join(
            MemberIdentity, MemberIdentity.member_id == Member.id).order_by(Member.id)).all()
        for mid, address in rows:
            yield DueReminder(key=f"reminder:test:member:{mid}", address=address, member_id=mid,
                              replies=(Reply(text="เตือนส่งรายงาน"),))


async def main(with_source: bool) -> None:
    from bot import scheduler
    from bot.config import Settings
    from bot.runtime import build

    if with_source:
        register_source()
    runtime = build(Settings())
    stop = scheduler.start(runtime)
    print("WORKER READY", flush=True)
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, done.set)
    await done.wait()
    await stop()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--with-source", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.with_source))
