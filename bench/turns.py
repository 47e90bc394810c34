"""CPU per engine turn, in-process, at a fixed batch size: the database side of a webhook's turn alone.

    python bench/turns.py                       # SQLite, batches of 1 and 8, two rounds each
    python bench/turns.py --batches 1,4,16 --rounds 10

`bench/webhook.py` measures the whole server, but how many turns share a transaction there depends on
how far behind the server is (a busy server batches more and pays less per turn), so two versions of the
code rarely see the same batches. Here the batch size is fixed. Two workloads, each turn with its inbox
"turned" mark, in the turn's transaction as the server does (the inbox's accept is not counted):
  - the webhook bench's mix: its six texts, in turn, from --users members who never finish signing up;
  - a signed-up member asking for the menu again (a plain text turn that changes nothing).
Prints the process CPU per turn (milliseconds). Runs on a fresh SQLite file in a temporary folder.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")

TEXTS = ("สวัสดีค่ะ", "ยินยอม", "มูลนิธิรักษ์น้ำน่าน", "เมนู", "ช่วยเหลือ", "ยกเลิก")  # = bench/webhook.py


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batches", type=lambda s: [int(x) for x in s.split(",")], default=[1, 8])
    ap.add_argument("--rounds", type=int, default=2, help="measurements per batch size")
    ap.add_argument("--users", type=int, default=192)
    args = ap.parse_args()

    from bot.config import Settings
    from bot.intake.inbox import Inbox, InboxItem
    from bot.messages import Address, IncomingMessage
    from bot.wiring import build
    from storage.migrate import upgrade
    from tests.conversations.helpers import sign_up_new_org
    from tests.transcript import Chat

    url = f"sqlite:///{tempfile.mkdtemp(prefix='khruakhai-turns-')}/bench.db"
    upgrade(url)
    runtime = build(Settings(_env_file=None, database_url=url, scheduler_enabled=False, line_channel_secret=None,
                             line_channel_access_token=None, telegram_bot_token=None))
    inbox = Inbox(runtime.db, lease_seconds=300)
    strangers = ["U" + uuid.uuid4().hex for _ in range(args.users)]
    members = []
    for i in range(16):
        chat = Chat(runtime, "U" + uuid.uuid4().hex, channel="line")
        sign_up_new_org(chat, org=f"มูลนิธิทดสอบสาย {i + 1}")
        chat.say("เมนู")
        members.append(chat.address.user_id)
    step = [0]

    def turns(users: list[str], batch: int, text_of) -> float:  # noqa: ANN001
        """CPU seconds of the turns of `users` (one message each) in batches of `batch`."""
        items = [InboxItem(f"line:{uuid.uuid4().hex}", "line", f"line:{u}", {}) for u in users]
        asyncio.run(inbox.accept(items))
        spent = time.process_time()
        for start in range(0, len(users), batch):
            keys = [it.key for it in items[start:start + batch]]
            msgs = [IncomingMessage(address=Address("line", u), text=text_of()) for u in users[start:start + batch]]
            runtime.engine.handle_many(msgs, on_turns=lambda s, idx, outs, keys=keys: inbox.mark_turned(
                s, [(keys[i], outs[j]) for j, i in enumerate(idx)]))
        return time.process_time() - spent

    def mix(batch: int) -> float:
        spent = 0.0
        for _ in TEXTS:  # every text once per member
            text = TEXTS[step[0] % len(TEXTS)]
            spent += turns(strangers, batch, lambda text=text: text)
            step[0] += 1
        return spent * 1000 / (len(strangers) * len(TEXTS))

    def menu(batch: int) -> float:
        users = [u for _ in range(12) for u in members]
        return turns(users, batch, lambda: "เมนู") * 1000 / len(users)

    mix(8)  # warm up: every text and statement once
    menu(8)
    print("CPU ms per turn (SQLite, one process)")
    print(f"{'batch':>5}  {'bench mix':>9}  {'menu again':>10}")
    for batch in args.batches:
        for _ in range(args.rounds):
            print(f"{batch:>5}  {mix(batch):>9.3f}  {menu(batch):>10.3f}", flush=True)
    inbox.executor.shutdown()
    runtime.db.dispose()


if __name__ == "__main__":
    main()
