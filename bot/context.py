"""What a handler gets for one turn: the message, the member, their state, a session and the clock."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sqlmodel import Session

from bot import i18n
from bot.clock import Clock
from bot.config import Settings
from bot.messages import Choice, IncomingMessage, Reply
from storage.db import Database
from storage.models import ConversationState, Member, MemberIdentity


class TurnEngine(Protocol):
    """What a handler may ask of the engine running its turn (bot.engine.Engine). A protocol, so that
    this module, which the engine imports, does not import the engine back."""

    db: Database

    def switch_language(self, ctx: Context, locale: str) -> list[Reply]: ...

    def _turn(self, ctx: Context) -> list[Reply]: ...  # route the message as if no conversation were active


@dataclass
class Context:
    msg: IncomingMessage
    session: Session
    state: ConversationState
    member: Member | None
    identity: MemberIdentity | None
    settings: Settings
    clock: Clock
    engine: TurnEngine
    notes: list[Reply] = field(default_factory=list)  # replies to put before the handler's own
    memo: dict[Any, Any] = field(default_factory=dict)  # for this turn only (e.g. a search a prompt and its choices share)
    # The state as loaded (`bot.turn_rows.state_snapshot`; None for a new one): the engine writes it back only if changed.
    loaded: tuple | None = None

    # --- language -------------------------------------------------------------
    @property
    def locale(self) -> str:
        if self.member is not None and self.member.locale:
            return self.member.locale
        if self.state.locale:
            return self.state.locale
        return i18n.normalize_locale(self.msg.locale_hint or self.settings.default_locale)

    def t(self, key: str, /, **values: object) -> str:
        return i18n.t(key, self.locale, **values)

    def say(self, key: str, /, choices: Sequence[Choice] = (), **values: object) -> Reply:
        return Reply(text=self.t(key, **values), choices=tuple(choices))

    def choice(self, label_key: str, value: str, **values: object) -> Choice:
        return Choice(self.t(label_key, **values), value)

    def today(self) -> date:
        return self.clock.today()

    # --- who ------------------------------------------------------------------
    @property
    def signed_up(self) -> bool:
        return self.member is not None and self.member.consent_at is not None

    @property
    def is_officer(self) -> bool:
        # The browser chat is anonymous (a cookie id): officer powers never reach it, even for a member
        # who is an officer elsewhere (docs/security.md, "Who is who").
        return self.member is not None and self.member.is_officer and not self.msg.from_browser

    def audit(self, action: str, *, province: str | None, target_type: str | None = None, target_id: Any = None,
              details: dict[str, Any] | None = None) -> None:
        """Write an officer's action taken in the chat to the console's audit log, in this turn's
        transaction (bot/console/audit.py does the same for the console's own changes)."""
        from storage.repositories import console as console_repo  # not at import: it hashes a dummy password

        console_repo.record_chat(self.session, officer=self.member, action=action, province=province,
                                 target_type=target_type, target_id=target_id, details=details,
                                 channel=self.msg.address.channel)

    # --- conversation state ---------------------------------------------------
    @property
    def flow(self) -> str | None:
        return self.state.flow

    @property
    def data(self) -> dict[str, Any]:
        return self.state.data

    def begin(self, flow: str, data: dict[str, Any] | None = None) -> None:
        self.state.flow = flow
        self.state.data = data or {}

    def end(self) -> None:
        self.state.flow = None
        self.state.data = {}
