"""Certificates (เกียรติบัตร): their text, the PNG and PDF, the links sent in the chat, delivery through the
outbox, and the public pages: ``/certificates/<token>.png|.pdf`` (a link signed with a time limit,
`Settings.certificate_link_hours`) and ``/verify/<code>`` (says whether a certificate is genuine, with only
the name, the event and the number).

Delivery, per address of the member who registered the attendee (key
``event:<id>:certificate:<certificate id>:<address>``): LINE — the image and a download link for the PDF;
Telegram — the PDF as a document; web chat — the image and the link. Walk-ins have no chat: officers
print theirs from the console.
"""
from __future__ import annotations

import html
import io
from datetime import timedelta
from functools import lru_cache

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session

from bot import i18n, outbox
from bot.clock import clock, to_local
from bot.config import Settings
from bot.messages import Media, Reply
from bot.pdf import CertificateText, certificate_pdf, thai_font
from storage.models import Member
from storage.models.events import Event, EventRegistration
from storage.models.training import Certificate, CertificateTemplate
from storage.repositories import members as members_repo
from storage.repositories import training as training_repo

SALT = "khruakhai.certificate.v1"
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'"


def default_office(event: Event, loc: str = "th") -> str:
    return i18n.t("cert.default_office", loc, province=event.province)


def certificate_text(settings: Settings, cert: Certificate, event: Event, tpl: CertificateTemplate | None,
                     loc: str = "th") -> CertificateText:
    title = tpl.title if tpl else event.title
    end = to_local(event.ends_at).date()
    url = verify_url(settings, cert.code)
    return CertificateText(
        office=tpl.office_name if tpl else default_office(event, loc), heading=i18n.t("cert.heading", loc),
        lead=i18n.t("cert.lead", loc), name=cert.name, reason=i18n.t("cert.reason", loc, title=title),
        when=i18n.t("cert.given_on", loc, date=i18n.format_date(end, loc)),
        signer_name=tpl.signer_name if tpl else "", signer_position=tpl.signer_position if tpl else "",
        number=i18n.t("cert.number", loc, number=cert.number), verify=i18n.t("cert.verify_at", loc, url=url),
        verify_url=url)


# --- rendering --------------------------------------------------------------------------------------------
def render_pdf(text: CertificateText) -> bytes:
    return certificate_pdf(text)


@lru_cache(maxsize=8)
def _font(size: int, weight: int):  # noqa: ANN202
    from PIL import ImageFont

    font = ImageFont.truetype(str(thai_font()), size, layout_engine=ImageFont.Layout.RAQM)
    try:  # the variable Noto Sans Thai: set each axis by its name (Weight, Width)
        axes = font.get_variation_axes()
        font.set_variation_by_axes([weight if a["name"] in (b"Weight", "Weight") else a["default"] for a in axes])
    except (OSError, ValueError):
        pass  # a static fallback font: its one weight
    return font


def render_png(text: CertificateText, width: int = 1754) -> bytes:
    """The certificate as an image (A4 landscape at 150 dpi), laid out like the PDF; Pillow shapes Thai
    with libraqm, so tone marks sit where they should."""
    from PIL import Image, ImageDraw

    from bot.checkin import qr_png

    height = round(width * 210 / 297)
    mm = width / 297
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    gold = (150, 110, 30)
    draw.rectangle([10 * mm, 10 * mm, 287 * mm, 200 * mm], outline=gold, width=round(1.2 * mm))
    draw.rectangle([14 * mm, 14 * mm, 283 * mm, 196 * mm], outline=gold, width=max(1, round(0.4 * mm)))

    def centred(y_mm: float, size_pt: float, value: str, weight: int = 400) -> None:
        font = _font(round(size_pt * 0.3528 * mm), weight)  # points → mm → pixels
        draw.text((width / 2, y_mm * mm), value, font=font, fill="black", anchor="ma")

    centred(26, 16, text.office, 700)
    centred(42, 34, text.heading, 700)
    centred(64, 15, text.lead)
    centred(78, 28, text.name, 700)
    centred(98, 15, text.reason)
    centred(124, 13, text.when)
    draw.line([103 * mm, 158 * mm, 194 * mm, 158 * mm], fill="black", width=2)
    centred(161, 13, f"({text.signer_name})")
    centred(169, 12, text.signer_position)
    draw.text((20 * mm, 185 * mm), f"{text.number} · {text.verify}", font=_font(round(9 * 0.3528 * mm), 400), fill="black")
    qr = Image.open(io.BytesIO(qr_png(text.verify_url, 4))).convert("RGB").resize((round(24 * mm), round(24 * mm)))
    img.paste(qr, (round(255 * mm), round(168 * mm)))
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


# --- links ------------------------------------------------------------------------------------------------
def _signer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key.get_secret_value(), salt=SALT)


def _base(settings: Settings) -> str:
    return settings.public_base_url.rstrip("/")


def file_url(settings: Settings, cert_id: int, ext: str) -> str:
    return f"{_base(settings)}/certificates/{_signer(settings).dumps(cert_id)}.{ext}"


def verify_url(settings: Settings, code: str) -> str:
    return f"{_base(settings)}/verify/{code}"


def certificate_of_token(settings: Settings, token: str) -> int | None:
    try:
        value = _signer(settings).loads(token, max_age=settings.certificate_link_hours * 3600)
    except (BadSignature, SignatureExpired):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def chat_replies(settings: Settings, cert: Certificate, event: Event, channel: str, loc: str) -> list[Reply]:
    """What a member gets for one certificate, on one channel (links valid for the set hours)."""
    until = i18n.format_datetime(clock.now() + timedelta(hours=settings.certificate_link_hours), loc)
    pdf = file_url(settings, cert.id, "pdf")  # type: ignore[arg-type]
    png = file_url(settings, cert.id, "png")  # type: ignore[arg-type]
    intro = i18n.t("cert.chat_text", loc, title=event.title, name=cert.name, number=cert.number)
    if channel == "telegram":
        return [Reply(text=intro), Reply(media=Media("document", pdf, filename=f"certificate-{cert.number}.pdf"))]
    return [Reply(text=intro + "\n" + i18n.t("cert.chat_link", loc, url=pdf, until=until)),
            Reply(media=Media("image", png))]


def deliver(session: Session, settings: Settings, event: Event, certs: list[Certificate]) -> int:
    """Each certificate to every address of the member who registered the attendee (in the caller's
    transaction). Returns how many messages were queued."""
    n = 0
    for cert in certs:
        reg = session.get(EventRegistration, cert.registration_id)
        member = session.get(Member, reg.member_id) if reg and reg.member_id else None
        if member is None:
            continue
        for address in members_repo.addresses(session, member_id=member.id):  # type: ignore[arg-type]
            replies = chat_replies(settings, cert, event, address.split(":", 1)[0], member.locale)
            outbox.enqueue(session, key=f"event:{event.id}:certificate:{cert.id}:{address}", address=address,
                           replies=replies, kind="notice", member_id=member.id)
            n += 1
    return n


# --- public pages -----------------------------------------------------------------------------------------
def verify_page(session: Session, code: str, loc: str = "th") -> tuple[int, str]:
    found = training_repo.certificate_by_code(session, code=code) if len(code) <= 24 else None
    esc = html.escape
    if found is None:
        title, body, status = i18n.t("cert.verify.not_found_title", loc), f"<p>{esc(i18n.t('cert.verify.not_found', loc))}</p>", 404
    else:
        cert, event = found
        title = i18n.t("cert.verify.genuine_title", loc)
        rows = [(i18n.t("cert.verify.name", loc), cert.name), (i18n.t("cert.verify.event", loc), event.title),
                (i18n.t("cert.verify.date", loc), i18n.format_date_range(to_local(event.starts_at).date(),
                                                                        to_local(event.ends_at).date(), loc)),
                (i18n.t("cert.verify.number", loc), cert.number),
                (i18n.t("cert.verify.issued", loc), i18n.format_date(cert.issued_at, loc))]
        body = f"<p class=ok>✔ {esc(i18n.t('cert.verify.genuine', loc))}</p><dl>" + "".join(
            f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows) + "</dl>"
        status = 200
    page = (f"<!doctype html><html lang={loc}><head><meta charset=utf-8>"
            f"<meta name=viewport content='width=device-width, initial-scale=1'><title>{esc(title)}</title>"
            "<style>body{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
            ".ok{color:#166534;font-size:1.4rem;font-weight:700}dt{color:#555}dd{margin:0 0 .6rem;font-size:1.2rem}</style>"
            f"</head><body><h1>{esc(title)}</h1>{body}</body></html>")
    return status, page


def mount(app: FastAPI, runtime) -> None:  # noqa: ANN001
    settings = runtime.settings

    def _load(token: str) -> tuple[CertificateText, Certificate] | None:
        cert_id = certificate_of_token(settings, token)
        if cert_id is None:
            return None
        with runtime.db.session() as session:
            cert = session.get(Certificate, cert_id)
            event = session.get(Event, cert.event_id) if cert else None
            if cert is None or event is None:
                return None
            return certificate_text(settings, cert, event, training_repo.template_of(session, event_id=event.id)), cert  # type: ignore[arg-type]

    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}

    @app.get("/certificates/{token}.png", include_in_schema=False)
    def certificate_png(token: str) -> Response:
        found = _load(token)
        return Response(render_png(found[0]), media_type="image/png", headers=headers) if found else Response(status_code=404)

    @app.get("/certificates/{token}.pdf", include_in_schema=False)
    def certificate_file(token: str) -> Response:
        found = _load(token)
        if not found:
            return Response(status_code=404)
        return Response(render_pdf(found[0]), media_type="application/pdf", headers={
            **headers, "Content-Disposition": f'inline; filename="certificate-{found[1].id}.pdf"'})

    @app.get("/verify/{code}", include_in_schema=False)
    def verify(code: str) -> Response:
        with runtime.db.session() as session:
            status, page = verify_page(session, code)
        return HTMLResponse(page, status_code=status, headers={
            "Content-Security-Policy": PAGE_CSP, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer"})
