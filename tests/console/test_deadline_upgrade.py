"""Upgrading: a registration deadline the console stored as midnight after the day typed ends at 23:59 on it."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import create_engine, text

from storage.migrate import downgrade, upgrade


def test_midnight_deadlines_move_to_the_end_of_their_day(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url)
    downgrade(url, revision="0014")  # what was built on 0014 (0016) comes off first,
    downgrade(url, revision="0014@-1")  # then 0014: the database as it was before this revision
    engine = create_engine(url)
    midnight = datetime(2027, 1, 15, 17, 0)  # 16 Jan 00:00 in Bangkok, stored as naive UTC
    typed = datetime(2027, 1, 20, 2, 0)  # 09:00 in Bangkok: an hour someone chose, left alone
    with engine.begin() as conn:
        for i, deadline in enumerate((midnight, typed), 1):
            conn.execute(text(
                "INSERT INTO events (id, kind, title, starts_at, ends_at, venue, province, capacity, seats_per_org,"
                " status, version, registration_deadline, audience_kinds, audience_provinces, created_at, updated_at, is_demo)"
                " VALUES (:id, 'training', 'x', :d, :d, 'v', 'พิษณุโลก', 10, 2, 'draft', 1, :d, '[]', '[]', :d, :d, 0)"),
                {"id": i, "d": deadline})
    upgrade(url)
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT id, registration_deadline FROM events")).all())
    engine.dispose()
    as_dt = {k: datetime.fromisoformat(str(v)).replace(tzinfo=timezone.utc) for k, v in rows.items()}
    assert as_dt[1] == datetime(2027, 1, 15, 16, 59, tzinfo=timezone.utc)  # 15 Jan 23:59 in Bangkok
    assert as_dt[2] == datetime(2027, 1, 20, 2, 0, tzinfo=timezone.utc)
