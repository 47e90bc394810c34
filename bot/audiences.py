"""Who a broadcast reaches: a registry of audience providers, and the recipients of an audience.

A provider names a segment of members ("everyone in my province", "by kind of organization",
"registrants of an event", "organizations missing a report for a deadline"). Province and kind are
built in; the events and reports capabilities add theirs in their `register()` (called by the
composition root, bot.wiring)::

    def register() -> None:
        audience_provider("event_registrants", label_key="broadcast.audience.event", order=30,
                          options=lambda session, scope, locale: [(event.title, str(event.id)) for event in ...],
                          describe=lambda session, param, locale: ...)(event_registrant_ids)

`member_ids(session, param, scope_province)` returns a SELECT of member ids (preferred: it stays in
the database for 100,000 members) or an iterable of ids. Whatever it returns, a provincial officer's
broadcast is limited to members of organizations in their province (`scope_province`) here, and
members who stopped announcements are left out unless the provider is `about_own_obligation`
(a chase for a missing report or a registration notice still reaches them).

The events capability can also let officers attach an event to an announcement
(`register_event_hooks`): the event's card (with its register button) then goes with the text.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Select, select
from sqlmodel import Session, col

from bot import i18n
from bot.messages import Reply
from bot.org_kinds import KIND_KEYS
from storage.models import Member, MemberIdentity, Organization

MemberIds = Callable[[Session, "str | None", "str | None"], "Select | Iterable[int]"]
Options = Callable[[Session, "str | None", str], list[tuple[str, str]]]
Describe = Callable[[Session, "str | None", str], str]

# When a member has several channels, the announcement goes to one: the first reachable of these.
CHANNEL_PREFERENCE = {"line": 0, "telegram": 1, "web": 2}


@dataclass
class AudienceProvider:
    name: str
    label_key: str  # message key of the button that picks this audience
    member_ids: MemberIds
    options: Options | None = None  # (session, scope_province, locale) -> [(label, param)] to pick from
    describe: Describe | None = None  # (session, param, locale) -> a short label for summaries
    about_own_obligation: bool = False  # reaches members who stopped announcements
    order: int = 100
    needs_param: bool = True
    # What the broadcast asks of this audience, as a button under it: (message key of the label, button value),
    # e.g. ("reports.menu.report", "go:report.start") for organizations missing a report.
    action: tuple[str, str] | None = None


AUDIENCES: dict[str, AudienceProvider] = {}


def audience_provider(name: str, *, label_key: str, options: Options | None = None,
                      describe: Describe | None = None, about_own_obligation: bool = False,
                      order: int = 100, needs_param: bool = True,
                      action: tuple[str, str] | None = None) -> Callable[[MemberIds], MemberIds]:
    """Register an audience provider under `name` (again under the same name: replaced)."""

    def deco(fn: MemberIds) -> MemberIds:
        AUDIENCES[name] = AudienceProvider(name, label_key, fn, options, describe, about_own_obligation,
                                           order, needs_param, action)
        return fn

    return deco


def providers() -> list[AudienceProvider]:
    return sorted(AUDIENCES.values(), key=lambda p: p.order)


# --- event attachment hooks (registered by the events capability) ----------------------------------
@dataclass
class EventHooks:
    choices: Callable[[Session, "str | None"], list[tuple[int, str]]]  # (session, scope) -> [(id, label)]
    card: Callable[[Session, int, str], "Reply | None"]  # (session, event_id, locale) -> the event's card


EVENT_HOOKS: list[EventHooks] = []


def register_event_hooks(choices: Callable[[Session, str | None], list[tuple[int, str]]],
                         card: Callable[[Session, int, str], Reply | None]) -> None:
    EVENT_HOOKS[:] = [EventHooks(choices, card)]


def event_hooks() -> EventHooks | None:
    return EVENT_HOOKS[0] if EVENT_HOOKS else None


# --- built-in providers -----------------------------------------------------------------------------
def _province_ids(session: Session, param: str | None, scope: str | None) -> Select:
    stmt = select(Member.id).join(Organization, col(Organization.id) == col(Member.organization_id))
    province = scope or (param if param and param != "*" else None)
    if province:
        stmt = stmt.where(Organization.province == province)
    return stmt


def _describe_province(session: Session, param: str | None, locale: str) -> str:
    return i18n.t("broadcast.all_provinces", locale) if not param or param == "*" else param


audience_provider("province", label_key="broadcast.audience.province", order=10, needs_param=False,
                  describe=_describe_province)(_province_ids)


def _kind_ids(session: Session, param: str | None, scope: str | None) -> Select:
    stmt = select(Member.id).join(Organization, col(Organization.id) == col(Member.organization_id))
    if param:
        stmt = stmt.where(Organization.kind == param)
    if scope:
        stmt = stmt.where(Organization.province == scope)
    return stmt


def _kind_options(session: Session, scope: str | None, locale: str) -> list[tuple[str, str]]:
    return [(i18n.t(key, locale), kind) for kind, key in KIND_KEYS.items()]


def _describe_kind(session: Session, param: str | None, locale: str) -> str:
    return i18n.t(KIND_KEYS.get(param or "", "kind.other"), locale)


audience_provider("kind", label_key="broadcast.audience.kind", order=20, options=_kind_options,
                  describe=_describe_kind)(_kind_ids)


# --- recipients -------------------------------------------------------------------------------------
class Recipient(NamedTuple):  # a tuple, not a frozen dataclass: one is made per member of a broadcast
    member_id: int
    address: str
    locale: str


@dataclass
class AudienceCount:
    members: int  # members the broadcast reaches
    opted_out: int  # members left out because they stopped announcements
    by_channel: dict[str, int]


def _ids_clause(ids: Any):  # noqa: ANN202
    if isinstance(ids, Select):
        return col(Member.id).in_(ids.scalar_subquery() if hasattr(ids, "scalar_subquery") else ids)
    return col(Member.id).in_(list(ids))


def iter_recipients(session: Session, audience: dict[str, Any], scope_province: str | None
                    ) -> Iterator[tuple[Recipient, bool, int]]:
    """Each member of the audience once, with their preferred reachable address: (recipient, opted_out, rank).

    Members without a reachable channel or without consent are not recipients at all.
    """
    if audience.get("name") not in AUDIENCES:
        providers()  # registers the capabilities' providers
    provider = AUDIENCES[audience["name"]]
    ids = provider.member_ids(session, audience.get("param"), scope_province)
    stmt = (select(Member.id, Member.locale, Member.announcements_opt_out, MemberIdentity.address,
                   MemberIdentity.channel)
            .join(MemberIdentity, col(MemberIdentity.member_id) == col(Member.id))
            .where(MemberIdentity.reachable == True, col(Member.consent_at).is_not(None))  # noqa: E712
            .where(_ids_clause(ids)))
    if scope_province:
        stmt = stmt.join(Organization, col(Organization.id) == col(Member.organization_id)) \
                   .where(Organization.province == scope_province)
    stmt = stmt.order_by(col(Member.id))
    current: int | None = None
    best: tuple | None = None
    session.flush()  # as `session.execute` would; rows are then read as plain tuples (no ORM loading)
    own_obligation = provider.about_own_obligation
    # read a partition (fetchmany) at a time: a national broadcast reads 60,000 rows here
    for part in session.connection().execute(stmt.execution_options(yield_per=5000)).partitions():
        for member_id, locale, opt_out, address, channel in part:
            if member_id != current:
                if best is not None:
                    yield best  # type: ignore[misc]
                current, best = member_id, None
            rank = CHANNEL_PREFERENCE.get(channel, 9)
            if best is None or rank < best[2]:
                best = (Recipient(member_id, address, locale or "th"), bool(opt_out) and not own_obligation, rank)
    if best is not None:
        yield best  # type: ignore[misc]


def recipients(session: Session, audience: dict[str, Any], scope_province: str | None) -> Iterator[Recipient]:
    for rec, opted_out, _rank in iter_recipients(session, audience, scope_province):  # type: ignore[misc]
        if not opted_out:
            yield rec


def preferred_identity(member_id: Any) -> Any:  # noqa: ANN401
    """A correlated subquery: the id of the member's preferred reachable identity (`CHANNEL_PREFERENCE`,
    then the oldest), for set-based work over every member (counts, reminder scans)."""
    from sqlalchemy import case
    from sqlalchemy.orm import aliased

    ident = aliased(MemberIdentity)
    rank = case(CHANNEL_PREFERENCE, value=ident.channel, else_=9)
    return (select(ident.id).where(ident.member_id == member_id, ident.reachable == True)  # noqa: E712
            .order_by(rank, ident.id).limit(1).correlate_except(ident).scalar_subquery())


def count(session: Session, audience: dict[str, Any], scope_province: str | None) -> AudienceCount:
    """How many members the audience reaches, per channel, counted in the database (one GROUP BY)."""
    from sqlalchemy import func

    if audience.get("name") not in AUDIENCES:
        providers()
    provider = AUDIENCES[audience["name"]]
    ids = provider.member_ids(session, audience.get("param"), scope_province)
    stmt = (select(MemberIdentity.channel, Member.announcements_opt_out, func.count())
            .select_from(Member)
            .join(MemberIdentity, col(MemberIdentity.id) == preferred_identity(Member.id))
            .where(col(Member.consent_at).is_not(None), _ids_clause(ids))
            .group_by(MemberIdentity.channel, Member.announcements_opt_out))
    if scope_province:
        stmt = stmt.join(Organization, col(Organization.id) == col(Member.organization_id)) \
                   .where(Organization.province == scope_province)
    members = opted = 0
    by_channel: dict[str, int] = {}
    for channel, opt_out, n in session.execute(stmt):
        if opt_out and not provider.about_own_obligation:
            opted += n
            continue
        members += n
        by_channel[channel] = by_channel.get(channel, 0) + n
    return AudienceCount(members, opted, by_channel)


def describe(session: Session, audience: dict[str, Any], locale: str) -> str:
    from bot import i18n

    provider = AUDIENCES.get(audience.get("name", ""))
    if provider is None:
        return audience.get("name", "?")
    label = i18n.t(provider.label_key, locale)
    if provider.describe is not None:
        detail = provider.describe(session, audience.get("param"), locale)
        if detail:
            return f"{label}: {detail}"
    return label
