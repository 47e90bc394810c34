"""Helpers for the training day's tests: a y4m video of a QR code for Chromium's fake camera, PDF text."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def write_y4m(png: bytes, path: Path, *, width: int = 640, height: int = 480, frames: int = 20) -> Path:
    """A still video (4:2:0, what Chromium's --use-file-for-fake-video-capture reads) of `png` centred on white."""
    qr = Image.open(io.BytesIO(png)).convert("RGB")
    frame = Image.new("RGB", (width, height), "white")
    frame.paste(qr, ((width - qr.width) // 2, (height - qr.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with path.open("wb") as fh:
        fh.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            fh.write(b"FRAME\n" + planes)
    return path


def pdf_text(data: bytes) -> str:
    """The text of every page, NFKC-normalized (the PDFs write ำ as ํ + า; NFKC reads both the same)."""
    from pypdf import PdfReader

    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages))


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def screenshot_dir(tmp_path: Path) -> Path:
    """docs/screenshots when KHRUAKHAI_SCREENSHOTS=1 (to refresh the pictures in the docs), else a temp folder."""
    if os.environ.get("KHRUAKHAI_SCREENSHOTS") == "1":
        return ROOT / "docs" / "screenshots"
    return tmp_path


def first_page_png(pdf: bytes, out: Path, dpi: int = 80) -> bool:
    """The first page as a PNG with poppler's pdftoppm, when it is installed."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return False
    src = out.with_suffix(".pdf")
    src.write_bytes(pdf)
    subprocess.run([tool, "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(src),
                    str(out.with_suffix(""))], check=True, timeout=60)
    src.unlink()
    return out.exists()
