"""Fetching the bytes of photos members sent on LINE or Telegram, after the turn that stored them.

A conversation turn stores only the platform's reference (`ReportPhoto.source_ref`, status ``pending``)
and answers at once: no turn waits for LINE while it holds the database. This job, run by the scheduler
every `Settings.photo_fetch_interval_seconds` and woken right after a turn that committed a reference
(`wake_after_new_references`), and by `khruakhai reports fetch-photos`, does the rest in three steps:

1. claim the due photos in a short transaction (their next try moves `CLAIM_SECONDS` ahead, so another
   process leaves them alone);
2. fetch them with the channel's content fetcher, outside any transaction;
3. record every outcome in one transaction:

* the bytes are a JPEG, PNG, WebP or GIF (judged by the bytes, `bot.images.sniff_image`) → ``stored``;
* anything else → ``rejected`` (nothing kept; the console says so, and the member is told in Thai
  through the outbox, as they would have been in the turn);
* the platform no longer has the content (the fetcher raised `ContentGone`: LINE keeps what members send
  only for a limited time) → ``gone`` at once, no retry;
* any other failure (LINE slow or down) → tried again after a backoff (30 s, doubling, at most an hour);
  after `MAX_ATTEMPTS` tries → ``missing``.

The report itself is never touched: a photo that could not be fetched leaves the report as it was and
the officer console shows the photo's state in Thai. The fetchers are injected (channel → async
``fetch_content(ref) -> bytes``) by whoever builds the process (bot/content_fetchers.py).
"""
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Mapper, object_session
from sqlmodel import Session, select

from bot import i18n
from bot.images import sniff_image
from bot.messages import ContentGone, Reply
from bot.outbox import enqueue
from bot.runtime import Runtime
from storage.models import Member, MemberIdentity
from storage.models.reports import ReportActivity, ReportPhoto
from storage.repositories import reports as repo

log = logging.getLogger(__name__)

ContentFetcher = Callable[[str], Awaitable[bytes]]
Fetchers = Mapping[str, ContentFetcher]

MAX_ATTEMPTS = 8  # 30 s, 1, 2, 4, 8, 16, 32 min, 1 h: about two hours of LINE being unreachable
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0
CLAIM_SECONDS = 120.0  # a fetch takes seconds; a process that died mid-fetch frees its photos after this
BATCH = 20  # photos fetched side by side in one round
_WOKEN = "khruakhai.photo_reference_stored"  # Session.info flag: wake the job after this commit


async def fetch_due_photos(runtime: Runtime, fetchers: Fetchers, *, limit: int = BATCH) -> Counter[str]:
    """One round: claim up to `limit` due photos of the channels in `fetchers` (others are left for a
    process that can fetch them), fetch them side by side, record the outcomes. Returns how many ended
    ``stored``, ``rejected``, ``gone``, ``missing`` or ``retry``."""
    if not fetchers:
        return Counter()
    claimed = await asyncio.to_thread(_claim, runtime, set(fetchers), limit)
    results = await asyncio.gather(*(_fetch(fetchers[channel], ref) for _, channel, ref in claimed))
    return await asyncio.to_thread(_record, runtime, [(pid, r) for (pid, _, _), r in zip(claimed, results)])


async def fetch_all_due(runtime: Runtime, fetchers: Fetchers) -> Counter[str]:
    """Rounds until a round finds fewer than a full batch (what the job and the CLI run)."""
    total: Counter[str] = Counter()
    while True:
        outcomes = await fetch_due_photos(runtime, fetchers)
        total.update(outcomes)
        if sum(outcomes.values()) < BATCH:
            return total


def _claim(runtime: Runtime, channels: set[str], limit: int) -> list[tuple[int, str, str]]:
    now = runtime.clock.now()
    until = now + timedelta(seconds=CLAIM_SECONDS)
    claimed: list[tuple[int, str, str]] = []
    with runtime.db.session() as session:
        for photo in repo.due_photos(session, channels=channels, now=now, limit=limit):
            if photo.source_ref and repo.claim_photo(session, photo_id=photo.id, now=now, until=until):  # type: ignore[arg-type]
                claimed.append((photo.id, photo.channel, photo.source_ref))  # type: ignore[arg-type]
    return claimed


async def _fetch(fetch: ContentFetcher, ref: str) -> bytes | BaseException:
    try:
        return await fetch(ref)
    except Exception as exc:  # noqa: BLE001 - every failure is an outcome to record, not a crash
        return exc


def _record(runtime: Runtime, results: list[tuple[int, bytes | BaseException]]) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    if not results:
        return outcomes
    now = runtime.clock.now()
    with runtime.db.session() as session:
        for photo_id, result in results:
            photo = session.get(ReportPhoto, photo_id)
            if photo is None or photo.status != "pending":  # its activity was discarded meanwhile
                continue
            outcome = _apply(photo, result, now)
            session.add(photo)
            if outcome == "rejected":
                _tell_member_not_an_image(session, photo, runtime.settings.default_locale)
            outcomes[outcome] += 1
    return outcomes


def _tell_member_not_an_image(session: Session, photo: ReportPhoto, default_locale: str) -> None:
    """The member was told "1/5" in the turn; a file that turns out not to be an image is not kept, and
    they hear so on the channel they sent it from."""
    activity = session.get(ReportActivity, photo.activity_id)
    member = session.get(Member, activity.member_id) if activity and activity.member_id else None
    identity = session.exec(select(MemberIdentity).where(
        MemberIdentity.member_id == member.id, MemberIdentity.channel == photo.channel,
        MemberIdentity.reachable == True)).first() if member else None  # noqa: E712 - SQL
    if member is None or identity is None:
        return
    text = i18n.t("reports.photo_not_an_image_later", member.locale or default_locale)
    enqueue(session, key=f"report:photo:{photo.id}:not_an_image", address=identity.address,
            replies=[Reply(text=text)], kind="notice", member_id=member.id)


def _apply(photo: ReportPhoto, result: bytes | BaseException, now: datetime) -> str:
    photo.attempts += 1
    if isinstance(result, bytes):
        kind = sniff_image(result)
        if kind is None:
            log.warning("%s photo %s is not a JPEG, PNG, WebP or GIF: not kept", photo.channel, photo.id)
            photo.status = "rejected"
            return "rejected"
        photo.data, photo.size, photo.content_type = result, len(result), kind
        photo.status, photo.fetched_at, photo.next_attempt_at = "stored", now, None
        return "stored"
    if isinstance(result, ContentGone):
        log.info("%s photo %s: the platform no longer has it", photo.channel, photo.id)
        photo.status, photo.next_attempt_at = "gone", None
        return "gone"
    log.warning("%s photo %s not fetched (try %d): %s", photo.channel, photo.id, photo.attempts,
                type(result).__name__)
    if photo.attempts >= MAX_ATTEMPTS:
        photo.status, photo.next_attempt_at = "missing", None
        return "missing"
    delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (photo.attempts - 1))
    photo.next_attempt_at = now + timedelta(seconds=delay)
    return "retry"


def fetch_all_due_now(runtime: Runtime, fetchers: Fetchers) -> Counter[str]:
    """The same from synchronous code without an event loop of its own (the CLI, tests)."""
    return asyncio.run(fetch_all_due(runtime, fetchers))


# --- waking the job after a turn ------------------------------------------------------------------
def wake_after_new_references(wake: Callable[[], None]) -> Callable[[], None]:
    """Call `wake` (thread-safe, non-blocking) after each commit that stored a photo reference, so its
    bytes are fetched within moments of the turn instead of at the next interval; returns the function
    that stops this. The commit and the member's reply never wait for it."""

    def committed(session: object) -> None:
        session.info.pop(_WOKEN, None)  # type: ignore[attr-defined]
        wake()

    def inserted(_mapper: Mapper, _connection: object, photo: ReportPhoto) -> None:
        session = object_session(photo)
        if photo.status == "pending" and session is not None and not session.info.get(_WOKEN):
            session.info[_WOKEN] = True
            event.listen(session, "after_commit", committed, once=True)

    event.listen(ReportPhoto, "after_insert", inserted)
    return lambda: event.remove(ReportPhoto, "after_insert", inserted)
