"""The rows a turn reads and writes back: its lookup, and what tells whether its conversation state changed.

Every message costs a turn, and on SQLite the turns share one thread with the webhooks' acknowledgements,
so a turn reads everything it needs about its member in one statement and writes the state only when the
turn changed it (`bot.engine.Engine._save_state`); tests/intake/test_turn_statements.py pins the count.
"""
from __future__ import annotations

import json
from typing import Any

import orjson
from sqlalchemy import ARRAY, String, bindparam, func, update
from sqlmodel import Session, select

from storage.models import ConversationState, Member, MemberIdentity


def lookup_statement(sqlite: bool) -> Any:
    """A turn's lookup: for each wanted address, its conversation state, identity and member, outer-joined
    to the list of addresses (a chat may have a state and no identity yet, or an identity and no state).
    The list is one parameter, whatever its length: a JSON array read by `json_each` on SQLite, an array
    on PostgreSQL; so a turn alone and a batch of turns share one compiled statement."""
    if sqlite:
        wanted = func.json_each(bindparam("addresses", type_=String)).table_valued("value").alias("wanted")
    else:
        wanted = func.unnest(bindparam("addresses", type_=ARRAY(String))).table_valued("value") \
            .render_derived(name="wanted")
    return select(wanted.c.value, ConversationState, MemberIdentity, Member).select_from(wanted) \
        .outerjoin(ConversationState, ConversationState.address == wanted.c.value) \
        .outerjoin(MemberIdentity, MemberIdentity.address == wanted.c.value) \
        .outerjoin(Member, Member.id == MemberIdentity.member_id)


def lookup(session: Session, statement: Any, addresses: list[str], *, sqlite: bool) -> dict[str, tuple]:
    """{address: (state, identity, member)} (each None when there is none) through `lookup_statement`."""
    wanted = json.dumps(addresses) if sqlite else addresses
    return {row[0]: (row[1], row[2], row[3]) for row in session.execute(statement, {"addresses": wanted})}


def state_snapshot(state: ConversationState) -> tuple:
    """What a turn may change of a conversation state, to tell whether it must be written. `data` as JSON
    text (handlers change it in place; repr for the dates and decimals `bot.jsonstate` keeps)."""
    return (state.flow, state.locale, state.greeted, orjson.dumps(state.data, default=repr, option=orjson.OPT_NON_STR_KEYS),
            tuple(state.offered) if state.offered else None)


# Changed conversation states of a transaction, written by `write_states` with one UPDATE (see `defer_state_write`).
_STATE_WRITES = "khruakhai.state_writes"
_STATES = ConversationState.__table__  # type: ignore[attr-defined]
_STATE_UPDATE = update(_STATES).where(_STATES.c.address == bindparam("b_address"))


def defer_state_write(session: Session, state: ConversationState) -> None:
    """Write this loaded, changed state at the end of the transaction with a plain UPDATE, not through
    the ORM's flush: the unit of work compares, orders and batches every dirty object, which cost a busy
    server about a tenth of its CPU for one row per turn. The state leaves the session (its changes
    now live in the row written by `write_states`)."""
    session.info.setdefault(_STATE_WRITES, []).append({
        "b_address": state.address, "flow": state.flow, "data": state.data, "locale": state.locale,
        "greeted": state.greeted, "offered": state.offered, "updated_at": state.updated_at})
    session.expunge(state)


def write_states(session: Session) -> None:
    """The deferred state writes of this transaction, in one statement (executemany for a batch)."""
    rows = session.info.pop(_STATE_WRITES, None)
    if rows:
        session.connection().execute(_STATE_UPDATE, rows)
