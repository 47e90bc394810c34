"""Asking the office: a member's question becomes a ticket of their organization's province; officers
answer from the console's inbox or from their own chat ("ตอบ #12 …", or the button on the notice).

While a ticket is open (or answered in the last `ticket_follow_up_days`), the bot works as usual; a
message that no conversation or intent takes joins the ticket. Two unplaced messages in a row get an
offer to pass them on. State diagram: docs/tickets.mmd. Outbox keys: bot/tickets.py.
"""
from __future__ import annotations

import re
from typing import Any

from bot import tickets as service
from bot.context import Context
from bot.messages import Reply
from bot.registry import PREVIOUS_MISS, add_command, add_fallback, add_flows, add_intents, intent, menu_choices
from bot.reminders import reminder_source
from storage.models import Organization
from storage.models.tickets import Ticket
from storage.repositories import members as members_repo
from storage.repositories import tickets as repo

YES, NO = "ticket_yes", "ticket_no"
ASK_WORDS = ("ติดต่อเจ้าหน้าที่", "สอบถาม", "ขอสอบถาม", "มีคำถาม", "ขอคุยกับเจ้าหน้าที่", "คุยกับเจ้าหน้าที่",
             "ถามเจ้าหน้าที่", "ติดต่อ พมจ", "ask the office", "contact the office", "talk to an officer")
# The start of a sentence that asks the office something ("ขอสอบถามเรื่องเงินอุดหนุนค่ะ").
_ASKING = re.compile(r"^\s*(?:ขอ)?\s*(?:สอบถาม|ถาม|ติดต่อ|คุยกับ|มีคำถาม|มีเรื่อง(?:จะ)?(?:สอบ)?ถาม)"
                     r"(?:เจ้าหน้าที่|พมจ\.?|ทาง)?\s*")
_PARTICLES = re.compile(r"(?:ค่ะ|คะ|ครับ|คับ|นะ|หน่อย|จ้า|จ้ะ|ด้วย|เลย|ได้ไหม|ได้มั้ย|ได้ไม๊|ที|[\s.!?~])+$")
_OFFICER_REPLY = re.compile(r"^\s*(?:ตอบ|reply)\s*#?\s*(\d{1,9})\s*[:：\-]?\s+(.+)$", re.S | re.I)


def _province_of(ctx: Context) -> str | None:
    member = ctx.member
    if member is None:
        return None
    if member.organization_id:
        org = ctx.session.get(Organization, member.organization_id)
        if org is not None:
            return org.province
    return member.officer_province


def _photos(ctx: Context) -> list[str]:
    return [a.fetch_ref or "image" for a in ctx.msg.attachments if a.kind == "image"]


def _passed_on(ctx: Context, ticket: Ticket) -> list[Reply]:
    office = ticket.province or ctx.t("tickets.national_office")
    return [ctx.say("tickets.passed_on", id=ticket.id, office=office,
                    expect=service.expected_answer(ctx.clock.now(), ctx.settings, ctx.locale),
                    choices=menu_choices(ctx))]


def _remember_read_token(ctx: Context, ticket: Ticket) -> None:
    if ctx.msg.mark_as_read_token:
        ticket.mark_as_read_token = ctx.msg.mark_as_read_token
        ctx.session.add(ticket)


def ask(ctx: Context, text: str, photos: list[str] | None = None) -> list[Reply]:
    """Pass `text` (and photos) on: a follow-up of the member's active ticket, or a new ticket."""
    member = ctx.member
    assert member is not None
    ticket = repo.active_for(ctx.session, member_id=member.id, follow_up_days=ctx.settings.ticket_follow_up_days)  # type: ignore[arg-type]
    if ticket is None:
        ticket = repo.create(ctx.session, member_id=member.id, organization_id=member.organization_id,
                             province=_province_of(ctx), address=str(ctx.msg.address),
                             subject=text or ctx.t("tickets.photos", count=len(photos or [])),
                             urgent=service.is_urgent(text))
        new = True
    else:
        new = False
        if ticket.address != str(ctx.msg.address):
            ticket.address = str(ctx.msg.address)  # the answer goes where they asked last
        if service.is_urgent(text):
            ticket.urgent = True  # an emergency in a follow-up wakes the officers too
    message = repo.add_message(ctx.session, ticket=ticket, author="member", text=text, photos=photos,
                               author_name=member.full_name, channel=ctx.msg.address.channel)
    _remember_read_token(ctx, ticket)
    service.notify_officers(ctx.session, ticket, message)
    if new:
        return _passed_on(ctx, ticket)
    return [ctx.say("tickets.added", id=ticket.id, choices=menu_choices(ctx))]


# --- the member asks -----------------------------------------------------------------------------
class AskFlow:
    """"ติดต่อเจ้าหน้าที่" alone: ask for the question, then pass it on."""

    name = "ticket.ask"

    def handle(self, ctx: Context) -> list[Reply]:
        text = (ctx.msg.text or "").strip()
        photos = _photos(ctx)
        if not text and not photos:
            return self.reprompt(ctx)
        ctx.end()
        return ask(ctx, text, photos)

    def back(self, ctx: Context) -> list[Reply]:
        ctx.end()
        return [ctx.say("menu.title", choices=menu_choices(ctx))]

    def reprompt(self, ctx: Context) -> list[Reply]:
        return [ctx.say("tickets.ask_prompt", choices=[ctx.choice("tickets.cancel_button", "ยกเลิก")])]


class OfferFlow:
    """After two unplaced messages in a row: "pass them on to the office?"."""

    name = "ticket.offer"

    def handle(self, ctx: Context) -> list[Reply]:
        from bot.thai import parse_yes_no

        answer = ctx.msg.input.strip()
        said = True if answer == YES else False if answer == NO else parse_yes_no(answer) if answer else None
        texts: list[str] = list(ctx.data.get("texts") or [])
        photos: list[str] = list(ctx.data.get("photos") or [])
        ctx.end()
        if said is True:
            return ask(ctx, "\n".join(texts), photos)
        if said is False:
            return [ctx.say("tickets.not_passed", choices=menu_choices(ctx))]
        return ctx.engine._turn(ctx)  # something else: an ordinary message again  # noqa: SLF001

    def back(self, ctx: Context) -> list[Reply]:
        ctx.end()
        return [ctx.say("menu.title", choices=menu_choices(ctx))]

    def reprompt(self, ctx: Context) -> list[Reply]:
        return [_offer(ctx)]


def _offer(ctx: Context) -> Reply:
    return ctx.say("tickets.offer", choices=[ctx.choice("tickets.offer_yes", YES), ctx.choice("tickets.offer_no", NO)])


@intent("ticket.ask", menu_key="tickets.menu.ask", order=85, words=ASK_WORDS)
def start_ask(ctx: Context, arg: str | None) -> list[Reply]:
    ctx.begin("ticket.ask")
    ticket = repo.active_for(ctx.session, member_id=ctx.member.id,  # type: ignore[union-attr]
                             follow_up_days=ctx.settings.ticket_follow_up_days)
    if ticket is not None:
        return [ctx.say("tickets.ask_prompt_follow_up", id=ticket.id,
                        choices=[ctx.choice("tickets.cancel_button", "ยกเลิก")])]
    return AskFlow().reprompt(ctx)


def unplaced_message(ctx: Context, _text: str) -> list[Reply] | None:
    """A message nothing took: an ask sentence, a follow-up of the open ticket, or (the second in a
    row) an offer to pass it on."""
    if not ctx.signed_up or ctx.msg.kind != "message" or ctx.msg.postback is not None:
        return None
    text = (ctx.msg.text or "").strip()
    photos = _photos(ctx)
    if not text and not photos:
        return None
    asking = _ASKING.match(text) if text else None
    if asking:
        rest = _PARTICLES.sub("", text[asking.end():])
        if not rest.strip() and not photos:
            return start_ask(ctx, None)
        return ask(ctx, text, photos)
    if repo.active_for(ctx.session, member_id=ctx.member.id,  # type: ignore[union-attr]
                       follow_up_days=ctx.settings.ticket_follow_up_days) is not None:
        return ask(ctx, text, photos)
    if not text:
        return None  # a lone photo outside a conversation: the engine's own answer
    previous: dict[str, Any] | None = ctx.memo.get(PREVIOUS_MISS)
    if previous:
        ctx.begin("ticket.offer", {"texts": (list(previous.get("texts") or []) + [text])[-5:]})
        return [ctx.say("engine.not_understood"), _offer(ctx)]
    ctx.state.data[PREVIOUS_MISS] = {"texts": [text[:1000]]}
    return None


# --- the officer answers from their chat -------------------------------------------------------------
def _officer_ticket(ctx: Context, ticket_id: str | int | None) -> Ticket | Reply:
    ticket = repo.get(ctx.session, ticket_id=int(ticket_id)) if str(ticket_id or "").isdigit() else None
    if ticket is None:
        return ctx.say("tickets.no_such_ticket", choices=menu_choices(ctx))
    if not service.may_handle(ticket, ctx.member.officer_province):  # type: ignore[union-attr]
        return ctx.say("tickets.other_province", choices=menu_choices(ctx))
    if ticket.status == "closed":
        return ctx.say("tickets.already_closed", id=ticket.id, choices=menu_choices(ctx))
    return ticket


def answer(ctx: Context, ticket: Ticket, text: str) -> list[Reply]:
    member = ctx.member
    service.send_answer(ctx.session, ticket, text=text, officer_name=member.full_name if member else None,
                        channel=ctx.msg.address.channel)
    ctx.audit("ticket.answer", province=ticket.province, target_type="ticket", target_id=ticket.id,
              details={"text": text[:200]})
    return [ctx.say("tickets.answer_sent", id=ticket.id, who=service.asker_label(ctx.session, ticket),
                    choices=menu_choices(ctx))]


def officer_reply(ctx: Context) -> list[Reply] | None:
    """"ตอบ #12 ข้อความ" typed by an officer, wherever they are in the chat."""
    if not ctx.is_officer or not ctx.msg.text:
        return None
    m = _OFFICER_REPLY.match(ctx.msg.text)
    if not m:
        return None
    found = _officer_ticket(ctx, m.group(1))
    if isinstance(found, Reply):
        return [found]
    return answer(ctx, found, m.group(2).strip())


class AnswerFlow:
    """The button on an officer's notice: "type your answer", then it is sent."""

    name = "ticket.answer"

    def handle(self, ctx: Context) -> list[Reply]:
        text = (ctx.msg.text or "").strip()
        if len(text) < 2:
            return self.reprompt(ctx)
        found = _officer_ticket(ctx, ctx.data.get("id"))
        ctx.end()
        if isinstance(found, Reply):
            return [found]
        return answer(ctx, found, text)

    def back(self, ctx: Context) -> list[Reply]:
        ctx.end()
        return [ctx.say("menu.title", choices=menu_choices(ctx))]

    def reprompt(self, ctx: Context) -> list[Reply]:
        ticket = repo.get(ctx.session, ticket_id=int(ctx.data.get("id") or 0))
        return [ctx.say("tickets.type_answer", id=ctx.data.get("id"), subject=ticket.subject if ticket else "",
                        choices=[ctx.choice("tickets.cancel_button", "ยกเลิก")])]


@intent("ticket.answer", audience="officer")
def start_answer(ctx: Context, arg: str | None) -> list[Reply]:
    found = _officer_ticket(ctx, arg)
    if isinstance(found, Reply):
        return [found]
    ctx.begin("ticket.answer", {"id": found.id})
    return AnswerFlow().reprompt(ctx)


# --- erasure ----------------------------------------------------------------------------------------
def _erase_tickets(session, member) -> None:  # noqa: ANN001
    repo.erase_member(session, member_id=member.id)


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_flows(AskFlow(), OfferFlow(), AnswerFlow())
    add_intents(start_ask, start_answer)
    add_fallback(unplaced_message)
    add_command(officer_reply)
    reminder_source(service.due_reminders)
    members_repo.eraser(_erase_tickets)
