"""audit without phones: phone numbers already written into the console's audit log are masked

Revision ID: 0009
Revises: 0001
Hand-written (branches from the foundation like the other features; `upgrade heads` applies all).
From now on the audit log keeps no phone numbers (storage.repositories.console.without_phones); this
masks those written before, the same way: a ``phone`` field keeps only that it changed (``***``), and a
phone number inside any other value is masked. A row at a time, only rows that change. Not reversible.
"""
import json
import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0001"
branch_labels = None
depends_on = "0006"  # console_audit

_PHONE = re.compile(r"(?<![\d])(?:\+66|0)[\s.-]?\d(?:[\s.-]?\d){7,8}(?![\d])")


def _masked(value: Any, key: str | None = None) -> Any:  # noqa: ANN401
    if key == "phone" and value not in (None, ""):
        return [("***" if v else v) for v in value] if isinstance(value, list) else "***"
    if isinstance(value, dict):
        return {k: _masked(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, key) for v in value]
    if isinstance(value, str):
        return _PHONE.sub("***", value)
    return value


def upgrade() -> None:
    conn = op.get_bind()
    audit = sa.table("console_audit", sa.column("id", sa.Integer), sa.column("details", sa.JSON))
    last = 0
    while True:
        rows = conn.execute(sa.select(audit.c.id, audit.c.details).where(audit.c.id > last)
                            .order_by(audit.c.id).limit(1000)).all()
        if not rows:
            return
        for row_id, details in rows:
            if isinstance(details, str):
                details = json.loads(details)
            clean = _masked(details or {})
            if clean != (details or {}):
                conn.execute(audit.update().where(audit.c.id == row_id).values(details=clean))
        last = rows[-1][0]


def downgrade() -> None:
    pass  # masked numbers cannot come back
