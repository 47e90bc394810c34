"""Photos of an activity: bytes in the database, at most 5 per activity.

Web chat hands us the bytes (`Attachment.data`): stored at once. LINE hands us a message id, Telegram
a file id (`Attachment.fetch_ref`): only the reference is stored (``status = "pending"``, the id in
``source_ref``, in the same transaction as the turn) and the member is answered at once; the bytes are
fetched after the turn by the photo job (bot/photo_fetch.py), never while the turn holds the database.

Only JPEG, PNG, WebP and GIF are kept, judged by their first bytes (`bot.images.sniff_image`), never by
the type the channel declared: bytes in hand that are anything else are not stored and the member is
told in Thai. A reference whose declared type is already something else (a Telegram document sent as
``image/svg+xml``) is refused the same way without fetching it; one declared an image whose bytes turn out
not to be is marked ``rejected`` by the job (the console says so and the member is told). The stored content type is the sniffed one.
"""
from __future__ import annotations

from collections.abc import Sequence

from bot.context import Context
from bot.images import KINDS, sniff_image
from bot.messages import Attachment
from storage.repositories import reports as repo


def store_attachments(ctx: Context, activity_id: int, images: Sequence[Attachment]) -> tuple[int, int, int]:
    """Store the member's images (or their references) on the activity. Returns (stored, refused because
    of the limit, refused because they are not a JPEG, PNG, WebP or GIF)."""
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
            if image.content_type and image.content_type.lower() not in KINDS:
                not_images += 1
                continue
            photo = repo.add_photo(ctx.session, activity_id=activity_id, channel=ctx.msg.address.channel,
                                   source_ref=image.fetch_ref, content_type=None)
        else:
            continue
        if photo is None:
            refused += 1
        else:
            stored += 1
    return stored, refused, not_images
