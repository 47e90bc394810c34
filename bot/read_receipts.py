"""LINE read receipts: when an officer opens a question in the console, the member's LINE chat shows
their messages as read (`POST /v2/bot/chat/markAsRead` with the `markAsReadToken` of the member's last
message, from the webhook).

It runs as a background job after the console's response, outside any transaction (never inside a
request's database work), and only where LINE allows it: the token is sent only to bots whose
LINE Official Account has *chat* turned on with the Messaging API ("chat mode"; plain bot mode
sends no token, and then there is nothing to do). A token marks the messages up to that message, so
the ticket keeps the token of the member's latest message. Telegram has no read receipts for bots.
"""
from __future__ import annotations

import logging

import httpx

from bot.clock import db_now
from bot.runtime import Runtime
from storage.models.tickets import Ticket

log = logging.getLogger(__name__)


def mark_ticket_read(runtime: Runtime, ticket_id: int) -> bool:
    """Call LINE's mark-as-read for the ticket's latest token (once per token). True when LINE took it."""
    settings = runtime.settings
    with runtime.db.session() as session:
        ticket = session.get(Ticket, ticket_id)
        token = ticket.mark_as_read_token if ticket is not None else None
        if not token or not ticket.address.startswith("line:") or not settings.line_channel_access_token:  # type: ignore[union-attr]
            return False
    try:
        resp = httpx.post(f"{settings.line_api_base_url.rstrip('/')}/v2/bot/chat/markAsRead",
                          json={"markAsReadToken": token}, timeout=10.0,
                          headers={"Authorization": f"Bearer {settings.line_channel_access_token.get_secret_value()}"})
    except httpx.HTTPError as exc:
        log.warning("LINE mark-as-read failed: %s", exc.__class__.__name__)
        return False
    if resp.status_code != 200:
        log.warning("LINE mark-as-read answered %s", resp.status_code)
        return False
    with runtime.db.session() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is not None and ticket.mark_as_read_token == token:
            ticket.mark_as_read_token = None  # used: the next one comes with the member's next message
            ticket.read_marked_at = db_now()
            session.add(ticket)
    return True
