"""A member's event registrations once made: "การลงทะเบียนของฉัน" (the cards), cancelling one (asked once
to be sure), accepting or declining a waitlist offer, and answering the feedback question after the event.

Each acts on a registration of the member's own (or their organization's), named by its id in the button.
Kept apart from listing and registering (handlers/events.py), which is a conversation of its own; an
accepted offer is answered with events' `registration_outcome`, like a new registration. The offers and
feedback questions themselves are queued by handlers/event_reminders.py and bot/event_notify.py.
State diagram: docs/events.mmd ("My registrations / cancel / offers", "Feedback").
"""
from __future__ import annotations

from bot.context import Context
from bot.messages import Choice, Reply
from bot.registry import add_flows, add_intents, go, intent, menu_choices
from handlers import phrasings
from bot import event_notify as notify
from handlers.events import back_choices, registration_outcome
from handlers.fields import clean_text, yes_no_answer
from storage.models.events import Event, EventRegistration, RegStatus
from storage.repositories import events as repo


# --- my registrations ----------------------------------------------------------------------------------
@intent("event.mine", needs_org=True, menu_key="menu.my_registrations", order=22,
        words=phrasings.EVENT_MINE)
def my_registrations(ctx: Context, arg: str | None) -> list[Reply]:
    m = ctx.member
    assert m is not None
    regs = repo.registrations_of_member(ctx.session, member_id=m.id, since=ctx.clock.now())  # type: ignore[arg-type]
    if arg is None and ctx.msg.postback is None and _asks_to_cancel(ctx.msg.input):
        live = [reg for reg, _ in regs if reg.status in CANCELLABLE]
        if len(live) == 1:  # "ยกเลิกการลงทะเบียน" with one registration: that one, asked once to be sure
            return start_cancel(ctx, str(live[0].id))
    if not regs:
        return [ctx.say("event.mine_none", choices=[ctx.choice("event.list_button", go("event.list"))]
                        + menu_choices(ctx)[:6])]
    replies = [ctx.say("event.mine_intro", count=len(regs))]
    for reg, event in regs[:4]:
        replies.append(Reply(card=notify.registration_card(ctx.session, reg, event, ctx.locale)))
    if len(regs) > 4:
        more = "\n".join(f"• {e.title} — {notify.status_text(ctx.session, r, ctx.locale)}" for r, e in regs[4:])
        replies.append(Reply(text=more))
    replies[-1] = Reply(text=replies[-1].text, card=replies[-1].card,
                        choices=(ctx.choice("event.list_button", go("event.list")),
                                 ctx.choice("menu.back_to_menu", go("menu"))))
    return replies


def _own_registration(ctx: Context, arg: str | None) -> EventRegistration | None:
    head = (arg or "").split(":")[0].strip()
    reg = ctx.session.get(EventRegistration, int(head)) if head.isdigit() else None
    m = ctx.member
    if reg is None or m is None:
        return None
    if reg.member_id == m.id or (reg.organization_id is not None and reg.organization_id == m.organization_id):
        return reg
    return None


# --- cancel ------------------------------------------------------------------------------------------
class CancelFlow:
    """Asks once to be sure, then cancels; freed seats are offered down the waitlist."""

    name = "event.cancel"

    def reprompt(self, ctx: Context) -> list[Reply]:
        reg = ctx.session.get(EventRegistration, int(ctx.data["reg"]))
        event = ctx.session.get(Event, reg.event_id) if reg else None
        return [ctx.say("event.cancel_confirm", title=event.title if event else "-",
                        choices=[ctx.choice("event.cancel_yes", "yes"), ctx.choice("event.cancel_no", "no")])]

    def back(self, ctx: Context) -> list[Reply]:
        ctx.end()
        return my_registrations(ctx, None)

    def handle(self, ctx: Context) -> list[Reply]:
        answer = yes_no_answer(ctx)
        if answer is None:
            return [ctx.say("form.yes_or_no")] + self.reprompt(ctx)
        no = not answer
        reg_id = int(ctx.data["reg"])
        ctx.end()
        if no:
            return [ctx.say("event.cancel_kept", choices=[ctx.choice("event.mine_button", go("event.mine"))]
                            + menu_choices(ctx)[:5])]
        now = ctx.clock.now()
        change = repo.cancel(ctx.session, registration_id=reg_id, now=now,
                             offer_from=notify.offer_from(now, ctx.settings))
        if change.event is not None and change.offers:
            notify.send_offers(ctx.session, event=change.event, offers=change.offers)
        title = change.event.title if change.event else "-"
        key = "event.cancel_done" if change.changed else "event.cancel_nothing"
        return [ctx.say(key, title=title, choices=back_choices(ctx))]


CANCEL = CancelFlow()


CANCELLABLE = (RegStatus.registered.value, RegStatus.waitlisted.value, RegStatus.offered.value)


def _asks_to_cancel(text: str) -> bool:
    from bot.thai import match_keyword

    return match_keyword(text, {"cancel": list(phrasings.EVENT_CANCEL)}) == "cancel"


@intent("event.cancel", order=23)
def start_cancel(ctx: Context, arg: str | None) -> list[Reply]:
    reg = _own_registration(ctx, arg)
    if reg is None or reg.status not in CANCELLABLE:
        return my_registrations(ctx, None)
    ctx.begin(CANCEL.name, {"reg": reg.id})
    return CANCEL.reprompt(ctx)


# --- waitlist offers -------------------------------------------------------------------------------------
@intent("event.accept", order=24)
def accept_offer(ctx: Context, arg: str | None) -> list[Reply]:
    reg = _own_registration(ctx, arg)
    if reg is None:
        return my_registrations(ctx, None)
    outcome, reg = repo.accept_offer(ctx.session, registration_id=reg.id, now=ctx.clock.now())  # type: ignore[arg-type]
    event = ctx.session.get(Event, reg.event_id) if reg else None
    if outcome in ("accepted", "already") and reg is not None and event is not None:
        res = repo.RegisterResult("registered", reg, event)
        return registration_outcome(ctx, res)
    if outcome == "expired":
        return [ctx.say("event.offer.too_late", title=event.title if event else "-", choices=back_choices(ctx))]
    return my_registrations(ctx, None)


@intent("event.decline", order=25)
def decline_offer(ctx: Context, arg: str | None) -> list[Reply]:
    reg = _own_registration(ctx, arg)
    if reg is None or reg.status != RegStatus.offered.value:
        return my_registrations(ctx, None)
    now = ctx.clock.now()
    change = repo.cancel(ctx.session, registration_id=reg.id, now=now, reason="declined",  # type: ignore[arg-type]
                         offer_from=notify.offer_from(now, ctx.settings))
    if change.event is not None and change.offers:
        notify.send_offers(ctx.session, event=change.event, offers=change.offers)
    return [ctx.say("event.offer.declined", title=change.event.title if change.event else "-",
                    choices=back_choices(ctx))]


# --- feedback ------------------------------------------------------------------------------------------------
def rating_choices(ctx: Context, reg_id: int) -> list[Choice]:
    labels = {1: "event.fb.r1", 2: "event.fb.r2", 3: "event.fb.r3", 4: "event.fb.r4", 5: "event.fb.r5"}
    return [Choice(ctx.t(labels[n]), go("event.feedback", f"{reg_id}:{n}")) for n in range(5, 0, -1)]


class FeedbackFlow:
    """Rating first (buttons 1–5 or a typed digit), then one optional comment."""

    name = "event.feedback"

    def reprompt(self, ctx: Context) -> list[Reply]:
        if ctx.data.get("rating"):
            return [ctx.say("event.fb.ask_comment", choices=[ctx.choice("form.skip", "ข้าม")])]
        reg_id = int(ctx.data["reg"])
        return [ctx.say("event.fb.ask_rating", choices=rating_choices(ctx, reg_id))]

    def back(self, ctx: Context) -> list[Reply]:
        ctx.data.pop("rating", None)
        return self.reprompt(ctx)

    def rate(self, ctx: Context, reg: EventRegistration, rating: int) -> list[Reply]:
        ctx.data["rating"] = rating
        repo.save_feedback(ctx.session, registration=reg, member_id=ctx.member.id if ctx.member else None,
                           rating=rating, comment=None, now=ctx.clock.now())
        return self.reprompt(ctx)

    def handle(self, ctx: Context) -> list[Reply]:
        from bot.forms import _is_skip
        from bot.thai import parse_number

        reg = ctx.session.get(EventRegistration, int(ctx.data["reg"]))
        text = ctx.msg.input.strip()
        if reg is None:
            ctx.end()
            return [ctx.say("menu.title", choices=menu_choices(ctx))]
        if not ctx.data.get("rating"):
            n = parse_number(text)
            if n is None or int(n) != n or not 1 <= int(n) <= 5:
                return [ctx.say("event.fb.bad_rating")] + self.reprompt(ctx)
            return self.rate(ctx, reg, int(n))
        comment = None if _is_skip(text) else clean_text(text)[:1000] or None
        repo.save_feedback(ctx.session, registration=reg, member_id=ctx.member.id if ctx.member else None,
                           rating=int(ctx.data["rating"]), comment=comment, now=ctx.clock.now())
        ctx.end()
        return [ctx.say("event.fb.thanks", choices=menu_choices(ctx))]


FEEDBACK = FeedbackFlow()


@intent("event.feedback", order=26)
def start_feedback(ctx: Context, arg: str | None) -> list[Reply]:
    reg = _own_registration(ctx, arg)
    if reg is None:
        return [ctx.say("menu.title", choices=menu_choices(ctx))]
    rating = arg.split(":")[1] if arg and arg.count(":") == 1 else None
    ctx.begin(FEEDBACK.name, {"reg": reg.id})
    if rating and rating.isdigit() and 1 <= int(rating) <= 5:
        return FEEDBACK.rate(ctx, reg, int(rating))  # the tapped button is the answer
    return FEEDBACK.reprompt(ctx)


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_flows(CANCEL, FEEDBACK)
    add_intents(my_registrations, start_cancel, accept_offer, decline_offer, start_feedback)
