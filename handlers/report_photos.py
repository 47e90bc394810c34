"""Photos of an activity: bytes in the database, at most 5 per activity.

Web chat hands us the bytes (`Attachment.data`): stored at once. LINE hands us a message id, Telegram
a file id (`Attachment.fetch_ref`): the row is written first with ``status = "pending"`` and the id in
``source_ref`` (same transaction as the turn), then the bytes are fetched from LINE's data API right
away (conversation turns run in worker threads, so `bot.channels.adapters.fetch_content_sync` is fine). If that
fails (LINE slow or down), the reference stays and `fetch_pending` / `khruakhai reports fetch-photos`
fetch it later — LINE keeps sent content for a while, so the photo is never lost in between. After
`MAX_ATTEMPTS` failed fetches a photo is marked ``missing`` (it no longer counts toward the 5).

Only JPEG, PNG, WebP and GIF are kept, judged by their first bytes (`bot.images.sniff_image`), never by
the type the channel declared: anything else is not stored (a fetched one is deleted) and the member is
told in Thai. The stored content type is the sniffed one.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlmodel import Session

from bot.context import Context
from bot.images import sniff_image
from bot.messages import Attachment
from storage.models.reports import ReportPhoto
from storage.repositories import reports as repo

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
REJECTED = "rejected"  # the fetched bytes were not an allowed image: the row is deleted


def store_attachments(ctx: Context, activity_id: int, images: Sequence[Attachment]) -> tuple[int, int, int]:
    """Store the member's images on the activity. Returns (stored, refused because of the limit,
    refused because they are not a JPEG, PNG, WebP or GIF)."""
    stored = refused = not_images = 0
    for image in images:
        if image.data is not None:
            kind = sniff_image(image.data)
            if kind is None:
                not_images += 1
                continue
            photo = repo.add_photo(ctx.session, activity_id=activity_id, channel=ctx.msg.address.channel,
                                   data=image.data, content_type=kind)
        elif image.fetch_ref:
            photo = repo.add_photo(ctx.session, activity_id=activity_id, channel=ctx.msg.address.channel,
                                   source_ref=image.fetch_ref, content_type=None)
            if photo is not None:
                _try_fetch(ctx.session, _runtime_of(ctx), photo)
                if photo.status == REJECTED:
                    not_images += 1
                    continue
        else:
            continue
        if photo is None:
            refused += 1
        else:
            stored += 1
    return stored, refused, not_images


def fetch_pending_for(ctx: Context, activity_id: int) -> None:
    """Another try for this activity's photos still waiting for their bytes (at confirmation)."""
    from sqlmodel import select

    pending = ctx.session.exec(select(ReportPhoto).where(ReportPhoto.activity_id == activity_id,
                                                         ReportPhoto.status == "pending")).all()
    if pending:
        runtime = _runtime_of(ctx)
        for photo in pending:
            _try_fetch(ctx.session, runtime, photo)


def fetch_pending(runtime, *, limit: int = 100) -> tuple[int, int]:  # noqa: ANN001
    """Fetch every photo still pending (CLI / jobs). Returns (fetched, still pending)."""
    fetched = left = 0
    with runtime.db.session() as session:
        for photo in repo.pending_photos(session, limit=limit):
            if _try_fetch(session, runtime, photo):
                fetched += 1
            elif photo.status == "pending":
                left += 1
    return fetched, left


def _runtime_of(ctx: Context):  # noqa: ANN202
    from bot.runtime import Runtime

    return Runtime(settings=ctx.settings, db=ctx.engine.db, engine=ctx.engine, clock=ctx.clock)


def _fetch(runtime, photo: ReportPhoto) -> bytes | None:  # noqa: ANN001
    """The bytes from the platform, or None when this photo's channel cannot be fetched from here."""
    settings = runtime.settings
    if (photo.channel == "line" and settings.line_enabled) or (photo.channel == "telegram" and settings.telegram_enabled):
        from bot.channels.adapters import fetch_content_sync

        # Turns and the CLI run without an event loop in their thread; elsewhere this raises and the
        # photo simply stays pending for a later fetch.
        return fetch_content_sync(runtime, photo.channel, photo.source_ref)  # type: ignore[arg-type]
    return None


def _try_fetch(session: Session, runtime, photo: ReportPhoto) -> bool:  # noqa: ANN001
    if not photo.source_ref:
        return False
    try:
        data = _fetch(runtime, photo)
        if data is None:
            return False
    except Exception as exc:  # noqa: BLE001 - kept as pending and fetched again later
        photo.attempts += 1
        if photo.attempts >= MAX_ATTEMPTS:
            photo.status = "missing"
        session.add(photo)
        log.warning("LINE photo %s not fetched (attempt %d): %s", photo.id, photo.attempts, type(exc).__name__)
        return False
    kind = sniff_image(data)
    if kind is None:
        log.warning("%s photo %s is not a JPEG, PNG, WebP or GIF: not stored", photo.channel, photo.id)
        photo.status = REJECTED
        session.delete(photo)
        session.flush()
        return False
    repo.store_fetched(session, photo=photo, data=data, content_type=kind)
    return True
