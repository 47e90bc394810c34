"""What kind of image a file really is, by its first bytes (never the type a sender declared).

Only JPEG, PNG, WebP and GIF are kept: formats a browser shows as a picture and never runs. Anything
else (an SVG, which may carry a script; HTML; a PDF; a renamed program) is refused.
"""
from __future__ import annotations

KINDS = ("image/jpeg", "image/png", "image/webp", "image/gif")


def sniff_image(data: bytes | None) -> str | None:
    """The content type of an allowed image, or None."""
    if not data:
        return None
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
