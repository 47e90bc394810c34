"""Finding organizations by name through a trigram index, so a search costs the same at 50 organizations
and at 50,000.

The index (migration 0010) holds every organization's ``name_key`` (the comparable core of its name, see
`bot.thai.org_name_key`) and a ``haystack`` (name, district, contact, certification number, phone):
SQLite's FTS5 with the trigram tokenizer, PostgreSQL's pg_trgm. The index proposes a bounded set of
candidates (those sharing the most trigrams with the typed name); rapidfuzz then ranks only those.

A short typed name with a typo shares few trigrams with the real one. When the index proposes fewer
than `MIN_CANDIDATES`, names starting with the same two letters are added (a range on the ``name_key``
B-tree index, also bounded), which is how such typos are usually made: the start is right.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

CANDIDATES = 200  # ranked by rapidfuzz per search: well under a millisecond each
MIN_CANDIDATES = 20
PREFIX_CANDIDATES = 300
# SQLite: the index is asked for the rarest trigrams of the typed name only (those in at least one name).
# A trigram that many names share (บ้าน, ตำบล, ผู้สูงอายุ at 50,000) says little about which one is meant,
# and ranking all its names is most of a search's cost.
RAREST_TRIGRAMS = 8

# The same expression as the PostgreSQL index in migration 0010 (so the planner uses the index).
HAYSTACK_SQL = ("(coalesce(name, '') || ' ' || coalesce(district, '') || ' ' || coalesce(contact_name, '') || ' ' "
                "|| coalesce(certification_no, '') || ' ' || coalesce(phone, ''))")


def trigrams(key: str) -> list[str]:
    """The distinct three-letter pieces of `key`, in order."""
    seen: dict[str, None] = {}
    for i in range(len(key) - 2):
        seen.setdefault(key[i:i + 3], None)
    return list(seen)


def _fts_phrase(piece: str) -> str:
    return '"' + piece.replace('"', '""') + '"'


@lru_cache(maxsize=8)
def _trgm_schema(engine: Engine) -> str:
    with engine.connect() as conn:
        found = conn.exec_driver_sql("SELECT extnamespace::regnamespace::text FROM pg_extension "
                                     "WHERE extname = 'pg_trgm'").scalar()
    return found or "public"


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _filters(province: str | None, listed_only: bool, kind: str | None = None) -> tuple[str, dict]:
    sql, params = "", {}
    if province:
        sql += " AND o.province = :province"
        params["province"] = province
    if kind:
        sql += " AND o.kind = :kind"
        params["kind"] = kind
    if listed_only:
        sql += " AND o.listed = :listed"
        params["listed"] = True
    return sql, params


def name_candidates(session: Session, key: str, *, province: str | None = None, kind: str | None = None,
                    listed_only: bool = False, limit: int = CANDIDATES) -> list[tuple[int, str, str]]:
    """(id, name, name_key) of organizations whose name_key shares trigrams with `key`, most shared first;
    plus, when few are found, those whose name_key starts like `key`."""
    extra, params = _filters(province, listed_only, kind)
    params.update(key=key, limit=limit)
    rows: list[tuple[int, str, str]] = []
    pieces = trigrams(key)
    if pieces:
        if _is_sqlite(session):
            pieces = _rarest(session, pieces) or pieces
            params["match"] = "name_key : (" + " OR ".join(_fts_phrase(p) for p in pieces) + ")"
            sql = ("SELECT o.id, o.name, o.name_key FROM organizations_fts f JOIN organizations o ON o.id = f.rowid "
                   f"WHERE organizations_fts MATCH :match{extra} ORDER BY f.rank LIMIT :limit")
        else:
            # The names nearest as a whole (a typo) and nearest to a part of the name (a shortened name), each
            # read nearest first from the GiST index (migration 0017) and cut at half the candidates: no
            # name is scored unless it is among the nearest (with a similarity threshold the GIN index found,
            # and PostgreSQL scored, every name sharing a few words, 15-55 ms for Thai names).
            ext = _trgm_schema(session.get_bind().engine)  # type: ignore[union-attr]
            params["half"] = limit // 2
            where = f" WHERE {extra[len(' AND '):]}" if extra else ""
            sql = (f"(SELECT o.id, o.name, o.name_key FROM organizations o{where} "
                   f"ORDER BY o.name_key OPERATOR({ext}.<->) :key LIMIT :half) UNION "
                   f"(SELECT o.id, o.name, o.name_key FROM organizations o{where} "
                   f"ORDER BY o.name_key OPERATOR({ext}.<->>) :key LIMIT :half)")
        # PostgreSQL: without `_indexed`'s planner settings, two round trips fewer. For a nearest-first LIMIT
        # the planner takes the GiST index by itself from a few hundred names on (below that a sequential
        # scan reads them all in a few milliseconds); on a busy server each round trip waits for a core,
        # which made a search's wall time 3-6 times its CPU time.
        rows = [tuple(r) for r in _run(session, sql, params)]  # type: ignore[misc]
    if len(rows) < MIN_CANDIDATES and len(key) >= 2:
        seen = {r[0] for r in rows}
        params.update(lo=key[:2], hi=key[:2] + "\U0010ffff", limit=PREFIX_CANDIDATES)
        sql = ("SELECT o.id, o.name, o.name_key FROM organizations o WHERE o.name_key >= :lo AND o.name_key < :hi"
               f"{extra} ORDER BY o.name_key LIMIT :limit")
        rows += [tuple(r) for r in _run(session, sql, params) if r[0] not in seen]  # type: ignore[misc]
    return rows


def _rarest(session: Session, pieces: list[str]) -> list[str]:
    """The `RAREST_TRIGRAMS` of `pieces` found in the fewest names (none of those found in no name). One
    statement for all pieces (FTS5's vocabulary table looks each value of the IN list up, as it would one),
    in plain SQL: a name's 10-20 lookups through `text()` each cost a signing-up member's turn ~0.1 ms."""
    if len(pieces) <= RAREST_TRIGRAMS:
        return pieces
    found = session.connection().exec_driver_sql(
        "SELECT doc, term FROM organizations_fts_vocab WHERE col = 'name_key' AND term IN ("
        + ",".join("?" * len(pieces)) + ")", tuple(pieces)).all()
    return [piece for _doc, piece in sorted((doc, term) for doc, term in found if doc)[:RAREST_TRIGRAMS]]


def substring_ids(session: Session, needle: str, *, province: str | None = None, limit: int = 2000) -> list[int]:
    """Ids of organizations whose name, district, contact, certification number or phone contains `needle`
    (case-insensitive; at least three letters, else nothing)."""
    if len(needle) < 3:
        return []
    extra, params = _filters(province, False)
    params.update(limit=limit)
    if _is_sqlite(session):
        params["match"] = "haystack : " + _fts_phrase(needle)
        sql = ("SELECT o.id FROM organizations_fts f JOIN organizations o ON o.id = f.rowid "
               f"WHERE organizations_fts MATCH :match{extra} ORDER BY o.name LIMIT :limit")
    else:
        params["like"] = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        haystack = HAYSTACK_SQL.replace("coalesce(", "coalesce(o.")
        sql = f"SELECT o.id FROM organizations o WHERE {haystack} ILIKE :like{extra} ORDER BY o.name LIMIT :limit"
    return [r[0] for r in _indexed(session, sql, params)]


def _run(session: Session, sql: str, params: dict) -> list:  # noqa: ANN202
    """The rows of `sql` (``:name`` parameters). On SQLite straight to the driver, which takes that style
    itself: through `text()` each of a search's statements was parsed and compiled again (it is built
    anew for its filters), a good part of a signing-up member's turn."""
    if _is_sqlite(session):
        return session.connection().exec_driver_sql(sql, params).all()
    return list(session.execute(text(sql), params))


def _indexed(session: Session, sql: str, params: dict) -> list:  # noqa: ANN202
    """Run a search. On PostgreSQL, within this statement only: the trigram thresholds, and no sequential
    scan (the planner prefers one on a small table, which costs 20-100x the GIN index for Thai text)."""
    if _is_sqlite(session):
        return _run(session, sql, params)
    session.execute(text("SELECT set_config('enable_seqscan', 'off', true), "
                         "set_config('pg_trgm.similarity_threshold', '0.3', true), "
                         "set_config('pg_trgm.word_similarity_threshold', '0.5', true)"))
    try:
        return list(session.execute(text(sql), params))
    finally:
        session.execute(text("SELECT set_config('enable_seqscan', 'on', true)"))
