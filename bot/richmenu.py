"""The LINE rich menu: the main menu's actions as big Thai buttons under the chat (`khruakhai line setup`).

The tiles are the member menu's intents (those with a ``menu_key``, in menu order, officers' items left
out), padded with "เมนูทั้งหมด" and "วิธีใช้" to a full row of 3 or two rows of 3. Each tile is a
postback with ``data`` = ``go:<intent>`` (exactly what the menu's quick replies send), so a tap runs
the same conversation; before sign-up, the engine turns it into the sign-up.

The image is drawn at setup with Pillow (with libraqm, bundled in Pillow's wheels, for Thai shaping)
and **Noto Sans Thai** (SIL Open Font License 1.1), which the project installs from PyPI as the
``fontpkg-noto-sans-thai`` package (a dependency in pyproject.toml). `find_thai_font()` falls back to
any Thai font fontconfig knows (e.g. Debian's ``fonts-thai-tlwg``) and says so clearly when none exists.
"""
from __future__ import annotations

import io
import logging
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import i18n
from bot.registry import INTENTS

log = logging.getLogger(__name__)

WIDTH = 2500
TILE_H = 843
COLS = 3
PALETTE = ("#0E7C66", "#1565A8", "#B5482B", "#6A4CA3", "#2E7D32", "#8A5A00")
MAX_IMAGE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Tile:
    label: str
    data: str


def find_thai_font() -> Path:
    try:
        import fontpkg_noto_sans_thai as pkg

        found = sorted((Path(pkg.__file__).parent / "files").glob("*.ttf"))
        if found:
            return found[0]
    except ImportError:
        pass
    try:
        out = subprocess.run(["fc-list", ":lang=th", "file"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            path = Path(line.split(":")[0].strip())
            if path.suffix.lower() in (".ttf", ".otf") and path.exists():
                return path
    except (OSError, subprocess.SubprocessError):
        pass
    raise RuntimeError("No Thai font found: `pip install fontpkg-noto-sans-thai` (a project dependency) "
                       "or `apt-get install fonts-thai-tlwg`")


def menu_tiles(locale: str = "th") -> list[Tile]:
    """The rich menu's tiles: the first intents of the main menu (as registered) and "all"/"help"."""
    items = sorted((it for it in INTENTS.values() if it.menu_key and it.audience in ("member", "anyone")),
                   key=lambda it: it.order)
    tiles = [Tile(i18n.t(it.menu_key, locale), f"go:{it.name}") for it in items][:6]  # type: ignore[arg-type]
    extras = [Tile(i18n.t("channels.richmenu_all", locale), "เมนู"),
              Tile(i18n.t("channels.richmenu_help", locale), "ช่วยเหลือ")]
    target = 3 if len(tiles) <= 1 else 6
    for extra in extras:
        if len(tiles) < target:
            tiles.append(extra)
    return tiles


def _bounds(index: int, rows: int) -> dict[str, int]:
    col, row = index % COLS, index // COLS
    x0 = round(col * WIDTH / COLS)
    x1 = round((col + 1) * WIDTH / COLS)
    return {"x": x0, "y": row * TILE_H, "width": x1 - x0, "height": TILE_H}


def richmenu_request(tiles: list[Tile], locale: str = "th") -> dict[str, Any]:
    from bot.channels.line_format import shorten

    rows = (len(tiles) + COLS - 1) // COLS
    areas = [{"bounds": _bounds(i, rows),
              "action": {"type": "postback", "label": shorten(t.label, 20), "data": t.data,
                         "displayText": t.label[:300]}}
             for i, t in enumerate(tiles)]
    return {"size": {"width": WIDTH, "height": TILE_H * rows}, "selected": True, "name": "khruakhai main menu",
            "chatBarText": i18n.t("channels.richmenu_bar", locale)[:14], "areas": areas}


def _fit(draw, text: str, font_path: Path, max_w: int, max_h: int):  # noqa: ANN001, ANN202
    from PIL import ImageFont

    words = text.split()
    for size in range(150, 40, -6):
        font = ImageFont.truetype(str(font_path), size)
        try:
            font.set_variation_by_name("Bold")
        except (OSError, ValueError, AttributeError):
            pass
        candidates = [[text]] + ([[" ".join(words[:k]), " ".join(words[k:])] for k in range(1, len(words))]
                                 if len(words) > 1 else [])
        for lines in candidates:
            boxes = [draw.textbbox((0, 0), line, font=font) for line in lines]
            width = max(b[2] - b[0] for b in boxes)
            height = sum(b[3] - b[1] for b in boxes) + (len(lines) - 1) * size // 3
            if width <= max_w and height <= max_h:
                return font, lines
    return font, [text]


def render_image(tiles: list[Tile], font_path: Path | None = None) -> bytes:
    """The rich menu image (PNG, < 1 MB) for `tiles`."""
    from PIL import Image, ImageDraw

    font_path = font_path or find_thai_font()
    rows = (len(tiles) + COLS - 1) // COLS
    image = Image.new("RGB", (WIDTH, TILE_H * rows), "#FFFFFF")
    draw = ImageDraw.Draw(image)
    for i, tile in enumerate(tiles):
        b = _bounds(i, rows)
        box = (b["x"] + 12, b["y"] + 12, b["x"] + b["width"] - 12, b["y"] + b["height"] - 12)
        draw.rounded_rectangle(box, radius=48, fill=PALETTE[i % len(PALETTE)])
        font, lines = _fit(draw, tile.label, font_path, b["width"] - 140, b["height"] - 220)
        heights = [draw.textbbox((0, 0), line, font=font) for line in lines]
        total = sum(h[3] - h[1] for h in heights) + (len(lines) - 1) * font.size // 3
        y = b["y"] + (b["height"] - total) / 2
        for line, hb in zip(lines, heights):
            w = hb[2] - hb[0]
            x = b["x"] + (b["width"] - w) / 2 - hb[0]
            draw.text((x, y - hb[1]), line, font=font, fill="#FFFFFF")
            y += (hb[3] - hb[1]) + font.size // 3
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    data = out.getvalue()
    if len(data) > MAX_IMAGE_BYTES:
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85)
        data = out.getvalue()
    return data


def image_content_type(data: bytes) -> str:
    return "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"


def setup(settings: Any, *, locale: str = "th", replace: bool = True, image_out: Path | None = None) -> str:
    """Create the rich menu, upload its image, make it the default; returns its id.

    With `replace`, earlier menus created by this command (same name) are deleted afterwards.
    """
    from linebot.v3.messaging import (
        ApiClient, Configuration, MessagingApi, MessagingApiBlob, RichMenuRequest,
    )

    tiles = menu_tiles(locale)
    body = richmenu_request(tiles, locale)
    image = render_image(tiles)
    if image_out is not None:
        image_out.write_bytes(image)
    token = settings.line_channel_access_token.get_secret_value()
    api_conf = Configuration(host=settings.line_api_base_url, access_token=token)
    data_conf = Configuration(host=settings.line_data_api_base_url, access_token=token)
    with ApiClient(api_conf) as api_client, ApiClient(data_conf) as data_client:
        api = MessagingApi(api_client)
        blob = MessagingApiBlob(data_client)
        old = [m.rich_menu_id for m in api.get_rich_menu_list().richmenus if m.name == body["name"]]
        menu_id = api.create_rich_menu(RichMenuRequest.from_dict(body)).rich_menu_id
        blob.set_rich_menu_image(menu_id, body=image, _headers={"Content-Type": image_content_type(image)})
        api.set_default_rich_menu(menu_id)
        if replace:
            for rid in old:
                try:
                    api.delete_rich_menu(rid)
                except Exception as exc:  # noqa: BLE001
                    log.warning("could not delete old rich menu %s: %s", rid, exc)
    return menu_id
