"""PDFs of the training day, A4, in Noto Sans Thai (shipped with the project, `bot.richmenu.find_thai_font`):
the sign-in sheet (แบบลงทะเบียนผู้เข้าร่วม) and the certificate (เกียรติบัตร).

fpdf2 lays the text out with HarfBuzz (`set_text_shaping`, the uharfbuzz wheel), so Thai tone marks sit
over their vowels as they do on screen; without shaping they collide. Dates are Buddhist-Era.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from bot import i18n
from bot.clock import to_local
from storage.models import Organization
from storage.models.events import Event, EventAttendee, EventRegistration, RegStatus
from storage.models.training import EventWalkIn

if TYPE_CHECKING:
    from fpdf import FPDF

FAMILY = "NotoSansThai"


@lru_cache(maxsize=1)
def thai_font() -> Path:
    from bot.richmenu import find_thai_font

    return find_thai_font()


@lru_cache(maxsize=1)
def _thai_pdf_class() -> type[FPDF]:
    # fpdf2 brings fontTools and HarfBuzz: 0.2-0.3 s of imports, paid by the first PDF, not by the server's start
    from fpdf import FPDF

    class ThaiPDF(FPDF):
        """Writes SARA AM (ำ) as its two parts, NIKHAHIT + SARA AA (the same glyphs HarfBuzz draws): shaped as
        one character its second glyph has no Unicode mapping in the PDF, so copying or searching the text
        gave "ตำ\x10บล". The parts read back as "ตํา", equal to "ตำ" under NFKC."""

        def normalize_text(self, text: str) -> str:
            return super().normalize_text(text.replace("\u0e33", "\u0e4d\u0e32"))

    return ThaiPDF


def new_pdf(orientation: str = "P") -> FPDF:
    pdf = _thai_pdf_class()(orientation=orientation, unit="mm", format="A4")
    font = str(thai_font())
    variable = "[" in Path(font).name  # Noto Sans Thai ships as one variable font: pick the weights
    pdf.add_font(FAMILY, "", font, variations={"wght": 400} if variable else None)
    pdf.add_font(FAMILY, "B", font, variations={"wght": 700} if variable else None)
    pdf.set_text_shaping(True, script="thai", language="tha")
    pdf.set_auto_page_break(False)
    pdf.set_creator("khruakhai")
    return pdf


def event_dates(event: Event, loc: str) -> str:
    s, e = to_local(event.starts_at), to_local(event.ends_at)
    return i18n.t("pdf.when", loc, dates=i18n.format_date_range(s.date(), e.date(), loc),
                  start=s.strftime("%H.%M"), end=e.strftime("%H.%M"))


# --- sign-in sheet ---------------------------------------------------------------------------------
@dataclass
class SheetRow:
    organization: str
    name: str
    position: str


def sheet_rows(session: Session, event_id: int) -> list[SheetRow]:
    """Everyone holding a seat (and walk-ins), by organization then in order of registration."""
    stmt = (select(EventAttendee, EventRegistration, Organization, EventWalkIn)
            .join(EventRegistration, EventRegistration.id == EventAttendee.registration_id)
            .join(Organization, Organization.id == EventRegistration.organization_id, isouter=True)
            .join(EventWalkIn, EventWalkIn.registration_id == EventRegistration.id, isouter=True)
            .where(EventAttendee.event_id == event_id, EventRegistration.status == RegStatus.registered.value)
            .order_by(EventRegistration.id, EventAttendee.id))
    rows = [SheetRow(w.organization if w else (o.name if o else "-"), a.name, a.position or "")
            for a, _r, o, w in session.exec(stmt)]
    return sorted(rows, key=lambda r: r.organization)  # stable: registration order within an organization


def signin_sheet_pdf(session: Session, event: Event, loc: str = "th") -> bytes:
    rows = sheet_rows(session, event.id)  # type: ignore[arg-type]
    pdf = new_pdf("P")
    widths = (12, 62, 48, 58)  # ที่, name, position, signature: 180 mm of the 210
    heads = [i18n.t(k, loc) for k in ("pdf.sheet.no", "pdf.sheet.name", "pdf.sheet.position", "pdf.sheet.signature")]
    line = 9.0

    def header(page: int) -> None:
        pdf.add_page()
        pdf.set_xy(15, 12)
        pdf.set_font(FAMILY, "B", 15)
        pdf.cell(180, 8, i18n.t("pdf.sheet.title", loc), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(15)
        pdf.set_font(FAMILY, "B", 13)
        pdf.multi_cell(180, 7, event.title, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 11)
        pdf.set_x(15)
        pdf.cell(180, 6, event_dates(event, loc), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(15)
        pdf.multi_cell(180, 6, i18n.t("pdf.sheet.venue", loc, venue=event.venue), align="C",
                       new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(15)
        pdf.set_font(FAMILY, "", 9)
        pdf.cell(180, 5, i18n.t("pdf.sheet.page", loc, n=page), align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "B", 11)
        pdf.set_fill_color(230, 230, 230)
        pdf.set_x(15)
        for w, h in zip(widths, heads, strict=True):
            pdf.cell(w, line, h, border=1, align="C", fill=True)
        pdf.ln(line)

    page = 1
    header(page)
    current = None
    n = 0
    for row in rows:
        need = line * (2 if row.organization != current else 1)
        if pdf.get_y() + need > 282:
            page += 1
            header(page)
            current = None
        if row.organization != current:
            current = row.organization
            pdf.set_font(FAMILY, "B", 11)
            pdf.set_fill_color(245, 245, 245)
            pdf.set_x(15)
            pdf.cell(sum(widths), line, _fit(pdf, current, sum(widths) - 4), border=1, fill=True)
            pdf.ln(line)
        n += 1
        pdf.set_font(FAMILY, "", 11)
        pdf.set_x(15)
        for w, text in zip(widths, (str(n), row.name, row.position, ""), strict=True):
            pdf.cell(w, line, _fit(pdf, text, w - 2), border=1, align="C" if w == widths[0] else "L")
        pdf.ln(line)
    if not rows:
        pdf.set_font(FAMILY, "", 11)
        pdf.set_x(15)
        pdf.cell(sum(widths), line, i18n.t("pdf.sheet.nobody", loc), border=1, align="C")
    return bytes(pdf.output())


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """`text` cut (with "…") to fit one cell: a sheet keeps one line per person."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


# --- certificate ---------------------------------------------------------------------------------------
@dataclass
class CertificateText:
    office: str
    lead: str  # "เกียรติบัตรฉบับนี้ให้ไว้เพื่อแสดงว่า"
    name: str
    reason: str  # "ได้เข้าร่วม <title>"
    when: str  # "ให้ไว้ ณ วันที่ …"
    signer_name: str
    signer_position: str
    number: str  # "เลขที่ …"
    verify: str  # "ตรวจสอบได้ที่ <url>"
    verify_url: str
    heading: str  # "เกียรติบัตร"


def certificate_pdf(text: CertificateText) -> bytes:
    from bot.checkin import qr_png

    pdf = new_pdf("L")  # 297 × 210
    pdf.add_page()
    pdf.set_draw_color(150, 110, 30)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, 269, 182)

    def centred(y: float, size: float, value: str, style: str = "", h: float = 10) -> None:
        pdf.set_font(FAMILY, style, size)
        pdf.set_xy(20, y)
        pdf.multi_cell(257, h, value, align="C")

    centred(24, 16, text.office, "B")
    centred(40, 34, text.heading, "B", 16)
    centred(62, 15, text.lead)
    centred(76, 28, text.name, "B", 14)
    centred(96, 15, text.reason, "", 8)
    centred(122, 13, text.when)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    pdf.line(103, 158, 194, 158)
    centred(160, 13, f"({text.signer_name})")
    centred(168, 12, text.signer_position)
    pdf.set_font(FAMILY, "", 9)
    pdf.set_xy(20, 184)
    pdf.cell(180, 5, f"{text.number} · {text.verify}")
    pdf.image(io.BytesIO(qr_png(text.verify_url, 4)), x=255, y=168, w=24, h=24)
    return bytes(pdf.output())

