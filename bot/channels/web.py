"""The web chat: try the bot in a browser without LINE or Telegram (`GET /`).

It is for trying the bot: on in `make run`'s demo, off unless `WEB_CHAT_ENABLED` is set.

Who is who: a visitor is a random id (128 bits) kept in a signed, HttpOnly cookie (itsdangerous with
`SECRET_KEY`); the address is ``web:<id>``. A body naming a user is refused (422), so nobody can speak
as somebody else, and the inbox returns only the cookie's own messages. The browser chat never carries
an officer's powers (`IncomingMessage.from_browser`): officers use LINE, Telegram, the console, or
the terminal chat (`khruakhai chat --user NAME`, a local and trusted tool). Proactive messages for web
addresses are delivered by the outbox into `web_inbox` and fetched by the page.

The page shows replies as LINE does (`chat.js`): a card's buttons and the reply's quick replies together, older
buttons disabled once a newer reply arrives, Enter sends and Shift+Enter adds a line. A photo
(`POST /chat/api/photos`, ≤ 10 MB, JPEG/PNG/WebP/GIF by its bytes) enters the engine as an image attachment
with its bytes, the way a LINE photo does.
"""
from __future__ import annotations

import logging
import secrets
from pathlib import Path

from fastapi import APIRouter, FastAPI, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer
from pydantic import BaseModel, ConfigDict, Field

from bot import web_inbox
from bot.clock import db_now
from bot.images import sniff_image
from bot.messages import Address, Attachment, IncomingMessage, replies_to_json
from bot.runtime import Runtime

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
PAGE = STATIC / "chat.html"
COOKIE = "khruakhai_chat"
COOKIE_MAX_AGE = 30 * 24 * 3600
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # LINE's own limit for an image a member sends
# The page's own script and style are files (no inline code), so a strict policy fits.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class ChatIn(BaseModel):
    # Unknown fields (a "user" naming somebody) are refused: the cookie says who is speaking.
    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, max_length=5000)
    postback: str | None = Field(default=None, max_length=300)


def _serializer(runtime: Runtime) -> URLSafeSerializer:
    return URLSafeSerializer(runtime.settings.secret_key.get_secret_value(), salt="khruakhai.webchat")


def visitor_id(request: Request, runtime: Runtime) -> str | None:
    """The visitor id from the signed cookie, or None (no cookie, or one not signed by us)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(runtime).loads(raw)
    except BadSignature:
        return None
    return data if isinstance(data, str) and len(data) == 32 and data.isalnum() else None


def _set_cookie(response: Response, runtime: Runtime, request: Request, vid: str) -> None:
    secure = request.url.scheme == "https" or runtime.settings.public_base_url.startswith("https://")
    response.set_cookie(COOKIE, _serializer(runtime).dumps(vid), max_age=COOKIE_MAX_AGE, path="/",
                        httponly=True, samesite="lax", secure=secure)


def build_message(visitor: str, body: ChatIn) -> IncomingMessage:
    return IncomingMessage(address=Address("web", visitor), text=body.text, postback=body.postback,
                           received_at=db_now(), from_browser=True)


def mount(app: FastAPI, runtime: Runtime) -> bool:
    if not runtime.settings.web_chat_enabled:
        log.info("web chat off (set WEB_CHAT_ENABLED=true to try the bot in a browser)")
        return False
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    def chat_page(request: Request) -> HTMLResponse:
        response = HTMLResponse(PAGE.read_text(encoding="utf-8"),
                                headers={"Content-Security-Policy": PAGE_CSP, "X-Content-Type-Options": "nosniff"})
        if visitor_id(request, runtime) is None:
            _set_cookie(response, runtime, request, secrets.token_hex(16))
        return response

    @router.get("/chat/static/{name}", include_in_schema=False)
    def chat_static(name: str) -> Response:
        kinds = {"chat.js": "text/javascript; charset=utf-8", "chat.css": "text/css; charset=utf-8"}
        if name not in kinds:
            raise HTTPException(status_code=404)
        return Response((STATIC / name).read_bytes(), media_type=kinds[name],
                        headers={"X-Content-Type-Options": "nosniff"})

    @router.post("/chat/api/messages")
    def post_message(body: ChatIn, request: Request) -> JSONResponse:
        if not (body.text or body.postback):
            raise HTTPException(status_code=422, detail="text or postback is required")
        visitor = visitor_id(request, runtime)
        fresh = visitor is None
        if fresh:  # a first message without the page (an API client): a new stranger, never a chosen name
            visitor = secrets.token_hex(16)
        replies = runtime.engine.handle(build_message(visitor, body))  # type: ignore[arg-type]
        response = JSONResponse({"replies": replies_to_json(replies)})
        if fresh:
            _set_cookie(response, runtime, request, visitor)  # type: ignore[arg-type]
        return response

    @router.post("/chat/api/photos")
    async def post_photo(request: Request, photo: UploadFile = File(...)) -> JSONResponse:
        """A photo from the page: into the engine as an image attachment with its bytes, exactly like a LINE
        photo (the conversation decides whether it wanted one; report photos are sniffed again there)."""
        from starlette.concurrency import run_in_threadpool

        visitor = visitor_id(request, runtime)
        if visitor is None:  # only a visitor the page has greeted sends photos
            raise HTTPException(status_code=403, detail="open the chat page first")
        data = await photo.read(MAX_PHOTO_BYTES + 1)
        if len(data) > MAX_PHOTO_BYTES:
            raise HTTPException(status_code=413, detail="photo too large")
        kind = sniff_image(data)
        if kind is None:
            raise HTTPException(status_code=415, detail="not a JPEG, PNG, WebP or GIF image")
        msg = IncomingMessage(address=Address("web", visitor), received_at=db_now(), from_browser=True,
                              attachments=(Attachment("image", content_type=kind, data=data),))
        replies = await run_in_threadpool(runtime.engine.handle, msg)
        return JSONResponse({"replies": replies_to_json(replies)})

    @router.get("/chat/api/inbox")
    def inbox(request: Request) -> dict:
        visitor = visitor_id(request, runtime)  # a `user` in the query is ignored: only the cookie counts
        if visitor is None:
            return {"replies": []}
        with runtime.db.session() as session:
            replies = web_inbox.take(session, address=str(Address("web", visitor)))
        return {"replies": replies_to_json(replies)}

    app.include_router(router)
    return True
