"""Check-in at the door: the signed token a registration's QR code carries, the QR image, and its URL.

The token is the registration id signed with the settings' secret (itsdangerous, its own salt): it
holds no name, phone or organization, cannot be forged or changed to another registration, and is
read back by the console's check-in page (`bot/console/checkin.py`). The QR image is served at
``/qr/<token>.png`` — a public https URL is what LINE needs for an image message — and only for tokens
we signed, so the route cannot be used to draw arbitrary QR codes.
"""
from __future__ import annotations

import io
from functools import lru_cache

from fastapi import FastAPI
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeSerializer

from bot.config import Settings
from bot.messages import Media

SALT = "khruakhai.checkin.v1"
PREFIX = "KK1."  # what our QR codes start with, so the scanner can tell ours from any other QR


def _signer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SALT)


def _secret(settings: Settings) -> str:
    return settings.secret_key.get_secret_value()


def token_for(settings: Settings, registration_id: int) -> str:
    return PREFIX + _signer(_secret(settings)).dumps(registration_id)


def registration_of(secret: str, token: str) -> int | None:
    """The registration id of a token we signed; None for anything else (typed junk, another QR)."""
    token = (token or "").strip()
    if not token.startswith(PREFIX):
        return None
    try:
        value = _signer(secret).loads(token[len(PREFIX):])
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@lru_cache(maxsize=256)
def qr_png(data: str, scale: int = 8) -> bytes:
    import segno

    buf = io.BytesIO()
    segno.make_qr(data, error="m").save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def qr_url(settings: Settings, registration_id: int) -> str:
    return f"{settings.public_base_url.rstrip('/')}/qr/{token_for(settings, registration_id)}.png"


def qr_media(settings: Settings, registration_id: int) -> Media:
    return Media("image", qr_url(settings, registration_id))


def mount(app: FastAPI, settings: Settings) -> None:
    secret = _secret(settings)

    @app.get("/qr/{token}.png", include_in_schema=False)
    def qr_image(token: str) -> Response:
        if registration_of(secret, token) is None:
            return Response(status_code=404)
        return Response(qr_png(token), media_type="image/png",
                        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})
