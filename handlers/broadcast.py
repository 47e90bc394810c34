"""ประกาศ: an officer sends an announcement to a segment; members stop / resume announcements.

Flow (docs/broadcast.mmd): text → (event to attach, when the events capability offers any) → audience
→ (which one, for audiences with options) → summary with the number of recipients (and a LINE quota
warning with an override, from the quota the scheduler last read: bot/quota.py) → send / send urgently → queued; the officer later gets the result.
A provincial officer reaches their own province only; a national officer all provinces.
"""
from __future__ import annotations

from bot import audiences
from bot.context import Context
from bot.messages import Card, CardField, Choice, Reply
from bot.quota import stored_line_quota
from bot.registry import add_flows, add_intents, go, intent, menu_choices

SEND, URGENT, OVERRIDE, NO_EVENT, ALL = "@send", "@urgent", "@override", "@no_event", "*"
MAX_TEXT = 4000


def _scope(ctx: Context) -> str | None:
    return ctx.member.officer_province if ctx.member else None


def _audience_label(ctx: Context, provider: audiences.AudienceProvider) -> str:
    if provider.name == "province" and _scope(ctx):
        return ctx.t("broadcast.everyone_in", province=_scope(ctx))
    if provider.name == "province":
        return ctx.t("broadcast.by_province")
    return ctx.t(provider.label_key)


class BroadcastFlow:
    name = "broadcast"

    # --- Flow protocol --------------------------------------------------------------------------
    def reprompt(self, ctx: Context) -> list[Reply]:
        step = ctx.data.get("step", "text")
        return getattr(self, f"_ask_{step}")(ctx)

    def back(self, ctx: Context) -> list[Reply]:
        order = ["text", "event", "audience", "param", "confirm"]
        step = ctx.data.get("step", "text")
        hist = [s for s in ctx.data.get("hist", []) if order.index(s) < order.index(step)]
        if not hist:
            return [ctx.say("form.back_at_start")] + self.reprompt(ctx)
        ctx.data["hist"] = hist[:-1]
        return self._goto(ctx, hist[-1])

    def handle(self, ctx: Context) -> list[Reply]:
        step = ctx.data.get("step", "text")
        return getattr(self, f"_on_{step}")(ctx, ctx.msg.input.strip())

    # --- navigation ---------------------------------------------------------------------------------
    def _goto(self, ctx: Context, step: str) -> list[Reply]:
        current = ctx.data.get("step")
        if current and current != step:
            hist = [s for s in ctx.data.get("hist", []) if s != step]
            if current not in hist:
                hist.append(current)
            ctx.data["hist"] = hist
        ctx.data["step"] = step
        return getattr(self, f"_ask_{step}")(ctx)

    # --- text -----------------------------------------------------------------------------------------
    def _ask_text(self, ctx: Context) -> list[Reply]:
        return [ctx.say("broadcast.ask_text")]

    def _on_text(self, ctx: Context, text: str) -> list[Reply]:
        text = (ctx.msg.text or text).strip()
        if len(text) < 5:
            return [ctx.say("broadcast.text_too_short")] + self._ask_text(ctx)
        if len(text) > MAX_TEXT:
            return [ctx.say("broadcast.text_too_long", max=MAX_TEXT)] + self._ask_text(ctx)
        ctx.data["text"] = text
        return self._goto(ctx, "event" if self._events(ctx) else "audience")

    # --- event ------------------------------------------------------------------------------------------
    def _events(self, ctx: Context) -> list[tuple[int, str]]:
        hooks = audiences.event_hooks()
        return hooks.choices(ctx.session, _scope(ctx))[:12] if hooks else []

    def _ask_event(self, ctx: Context) -> list[Reply]:
        choices = [Choice(label, f"@event:{eid}") for eid, label in self._events(ctx)]
        return [ctx.say("broadcast.ask_event", choices=choices + [ctx.choice("broadcast.no_event", NO_EVENT)])]

    def _on_event(self, ctx: Context, text: str) -> list[Reply]:
        events = self._events(ctx)
        if text == NO_EVENT or text == ctx.t("broadcast.no_event"):
            ctx.data.pop("event_id", None)
            return self._goto(ctx, "audience")
        for eid, label in events:
            if text in (f"@event:{eid}", label):
                ctx.data["event_id"] = eid
                return self._goto(ctx, "audience")
        return [ctx.say("broadcast.bad_choice")] + self._ask_event(ctx)

    # --- audience ---------------------------------------------------------------------------------------
    def _ask_audience(self, ctx: Context) -> list[Reply]:
        choices = [Choice(_audience_label(ctx, p), f"@aud:{p.name}") for p in audiences.providers()]
        return [ctx.say("broadcast.ask_audience", choices=choices[:13])]

    def _on_audience(self, ctx: Context, text: str) -> list[Reply]:
        for p in audiences.providers():
            if text in (f"@aud:{p.name}", _audience_label(ctx, p)):
                ctx.data["audience"] = p.name
                ctx.data.pop("param", None)
                if p.name == "province":
                    if _scope(ctx):
                        ctx.data["param"] = _scope(ctx)
                        return self._goto(ctx, "confirm")
                    return self._goto(ctx, "param")
                if p.needs_param:
                    return self._goto(ctx, "param")
                return self._goto(ctx, "confirm")
        return [ctx.say("broadcast.bad_choice")] + self._ask_audience(ctx)

    # --- the audience's parameter -----------------------------------------------------------------------
    def _options(self, ctx: Context) -> list[tuple[str, str]]:
        provider = audiences.AUDIENCES[ctx.data["audience"]]
        if provider.name == "province":
            return [(ctx.t("broadcast.all_provinces"), ALL)]
        return provider.options(ctx.session, _scope(ctx), ctx.locale) if provider.options else []

    def _ask_param(self, ctx: Context) -> list[Reply]:
        key = "broadcast.ask_province" if ctx.data.get("audience") == "province" else "broadcast.ask_param"
        choices = [Choice(label, f"@p:{value}") for label, value in self._options(ctx)[:12]]
        if not choices and key == "broadcast.ask_param":
            return [ctx.say("broadcast.no_options")] + self._goto(ctx, "audience")
        return [ctx.say(key, choices=choices)]

    def _on_param(self, ctx: Context, text: str) -> list[Reply]:
        for label, value in self._options(ctx):
            if text in (f"@p:{value}", label):
                ctx.data["param"] = value
                return self._goto(ctx, "confirm")
        if ctx.data.get("audience") == "province":
            from bot.thai import match_province

            province = match_province(text)
            if province:
                ctx.data["param"] = province
                return self._goto(ctx, "confirm")
        return [ctx.say("broadcast.bad_choice")] + self._ask_param(ctx)

    # --- summary and confirmation -----------------------------------------------------------------------
    def _audience(self, ctx: Context) -> dict:
        return {"name": ctx.data["audience"], "param": ctx.data.get("param")}

    def _ask_confirm(self, ctx: Context) -> list[Reply]:
        audience = self._audience(ctx)
        count = audiences.count(ctx.session, audience, _scope(ctx))
        if count.members == 0:
            ctx.data["step"] = "audience"
            return [ctx.say("broadcast.nobody")] + self._ask_audience(ctx)
        ctx.data["count"] = count.members
        rows = [CardField(ctx.t("broadcast.label.text"), ctx.data["text"][:300]),
                CardField(ctx.t("broadcast.label.audience"), audiences.describe(ctx.session, audience, ctx.locale)),
                CardField(ctx.t("broadcast.label.count"), ctx.t(
                    "broadcast.count_value", count=count.members, line=count.by_channel.get("line", 0),
                    telegram=count.by_channel.get("telegram", 0), web=count.by_channel.get("web", 0)))]
        if count.opted_out:
            rows.append(CardField(ctx.t("broadcast.label.opted_out"), ctx.t("broadcast.people", count=count.opted_out)))
        if ctx.data.get("event_id"):
            label = dict(self._events(ctx)).get(ctx.data["event_id"], str(ctx.data["event_id"]))
            rows.append(CardField(ctx.t("broadcast.label.event"), label))
        buttons = [ctx.choice("broadcast.send", SEND), ctx.choice("broadcast.send_urgent", URGENT),
                   ctx.choice("form.cancel", "ยกเลิก")]
        replies = []
        warning = self._quota_warning(ctx, count.by_channel.get("line", 0))
        if warning:
            replies.append(Reply(text=warning))
            buttons = [ctx.choice("broadcast.send_anyway", OVERRIDE), ctx.choice("form.cancel", "ยกเลิก")]
        card = Card(title=ctx.t("broadcast.summary_title"), fields=tuple(rows), buttons=tuple(buttons))
        return [Reply(card=card, choices=tuple(buttons))] + replies

    def _quota_warning(self, ctx: Context, line_recipients: int) -> str | None:
        ctx.data.pop("quota_low", None)
        if not ctx.settings.line_enabled or line_recipients < ctx.settings.delivery.quota_check_min:
            return None
        # LINE's figure as the scheduler last stored it: a turn never waits for LINE (bot/quota.py)
        quota = stored_line_quota(ctx.session, ctx.settings, ctx.clock.now())
        if quota.allows(line_recipients):
            return None
        ctx.data["quota_low"] = True
        return ctx.t("broadcast.quota_low", remaining=quota.remaining, needed=line_recipients)

    def _on_confirm(self, ctx: Context, text: str) -> list[Reply]:
        from bot.outbox import create_broadcast, in_quiet_hours
        from bot.thai import parse_yes_no

        low = ctx.data.get("quota_low")
        urgent = text == URGENT or text == ctx.t("broadcast.send_urgent")
        go_ahead = (text in (OVERRIDE, ctx.t("broadcast.send_anyway")) if low else
                    urgent or text in (SEND, ctx.t("broadcast.send")) or parse_yes_no(text) is True)
        if not go_ahead:
            if parse_yes_no(text) is False:
                ctx.end()
                return [ctx.say("broadcast.not_sent", choices=menu_choices(ctx))]
            return [ctx.say("broadcast.bad_choice")] + self._ask_confirm(ctx)
        audience = self._audience(ctx)
        b = create_broadcast(ctx.session, text=ctx.data["text"], audience=audience, scope_province=_scope(ctx),
                             created_by=ctx.member.id if ctx.member else None, urgent=urgent,
                             event_id=ctx.data.get("event_id"),
                             audience_label=audiences.describe(ctx.session, audience, ctx.locale))
        count = ctx.data.get("count", 0)
        ctx.audit("broadcast.create", province=_scope(ctx), target_type="broadcast", target_id=b.id,
                  details={"audience": b.audience_label, "recipients": count, "urgent": urgent})
        ctx.end()
        s = ctx.settings
        key = "broadcast.queued_quiet" if in_quiet_hours(ctx.clock.now(), s) and not urgent else "broadcast.queued"
        return [ctx.say(key, id=b.id, count=count, start=f"{s.quiet_hours_start:02d}:00",
                        end=f"{s.quiet_hours_end:02d}:00", choices=menu_choices(ctx))]


FLOW = BroadcastFlow()


@intent("broadcast", audience="officer", menu_key="menu.broadcast", order=55,
        words=("ประกาศ", "ส่งประกาศ", "ส่งข่าว", "announce", "broadcast"))
def start_broadcast(ctx: Context, arg: str | None) -> list[Reply]:
    ctx.begin(FLOW.name, {"step": "text", "hist": []})
    return FLOW.reprompt(ctx)


@intent("announcements.stop", words=("หยุดรับข่าวสาร", "ไม่รับข่าวสาร", "ยกเลิกรับข่าวสาร", "หยุดรับประกาศ",
                                     "stop announcements", "unsubscribe"))
def stop_announcements(ctx: Context, arg: str | None) -> list[Reply]:
    assert ctx.member is not None
    resume = [ctx.choice("announcements.resume_button", go("announcements.resume"))]
    if ctx.member.announcements_opt_out:
        return [ctx.say("announcements.already_stopped", choices=resume + menu_choices(ctx)[:5])]
    ctx.member.announcements_opt_out = True
    ctx.session.add(ctx.member)
    return [ctx.say("announcements.stopped", choices=resume + menu_choices(ctx)[:5])]


@intent("announcements.resume", words=("รับข่าวสาร", "รับข่าวสารต่อ", "รับประกาศ", "resume announcements",
                                       "subscribe"))
def resume_announcements(ctx: Context, arg: str | None) -> list[Reply]:
    assert ctx.member is not None
    if not ctx.member.announcements_opt_out:
        return [ctx.say("announcements.already_on", choices=menu_choices(ctx))]
    ctx.member.announcements_opt_out = False
    ctx.session.add(ctx.member)
    return [ctx.say("announcements.resumed", choices=menu_choices(ctx))]


def register() -> None:
    """Register what this module adds to the bot (called by the composition root, bot.wiring)."""
    add_flows(FLOW)
    add_intents(start_broadcast, stop_announcements, resume_announcements)
