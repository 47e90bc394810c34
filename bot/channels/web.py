"""The web chat: try the bot in a browser without LINE or Telegram (`GET /`).

Addresses are ``web:NAME``; the page keeps NAME in the browser. Proactive messages for web
addresses are delivered by the outbox into `web_inbox` and fetched by the page.
"""
from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from bot.clock import db_now
from bot.messages import Address, IncomingMessage, replies_to_json
from bot.runtime import Runtime

log = logging.getLogger(__name__)
PAGE = Path(__file__).resolve().parent.parent / "web" / "static" / "chat.html"


class ChatIn(BaseModel):
    user: str = Field(min_length=1, max_length=64, pattern=r"^[\w\-. ]+$")
    text: str | None = Field(default=None, max_length=5000)
    postback: str | None = Field(default=None, max_length=300)


def build_message(body: ChatIn) -> IncomingMessage:
    return IncomingMessage(address=Address("web", body.user.strip()), text=body.text, postback=body.postback,
                           received_at=db_now())


def mount(app: FastAPI, runtime: Runtime) -> bool:
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    def chat_page() -> HTMLResponse:
        return HTMLResponse(PAGE.read_text(encoding="utf-8"))

    @router.post("/chat/api/messages")
    def post_message(body: ChatIn) -> dict:
        if not (body.text or body.postback):
            raise HTTPException(status_code=422, detail="text or postback is required")
        replies = runtime.engine.handle(build_message(body))
        return {"replies": replies_to_json(replies)}

    @router.get("/chat/api/inbox")
    def inbox(user: str, request: Request) -> dict:
        from bot import web_inbox

        with runtime.db.session() as session:
            replies = web_inbox.take(session, address=str(Address("web", user.strip())))
        return {"replies": replies_to_json(replies)}

    app.include_router(router)
    return True
