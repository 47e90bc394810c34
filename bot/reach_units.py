"""LINE statistics units: which sends are counted together by LINE (`customAggregationUnits`).

A unit is named after what the office sent: ``bc_<broadcast id>`` for a broadcast, ``rm_<first 24 hex
of the content hash>`` for a reminder (everyone due the same reminder, in one language, gets the same
content). Other proactive messages (answers, notices to one person) carry none: LINE allows 1,000
unit names a month and shows nothing below 20 recipients anyway, so a reminder sent by push to a single
member carries none either. Names match LINE's rule ``^[a-zA-Z0-9_]{1,30}$``.
"""
from __future__ import annotations


def aggregation_unit(kind: str | None, broadcast_id: int | None, digest: str | None) -> str | None:
    if kind == "broadcast" and broadcast_id is not None:
        return f"bc_{broadcast_id}"
    if kind == "reminder" and digest:
        return f"rm_{digest[:24]}"
    return None
