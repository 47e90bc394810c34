"""One clock for the whole process, so tests and `--now` can move time."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")


class Clock:
    def __init__(self, fixed: datetime | None = None, tz: ZoneInfo = BANGKOK) -> None:
        self._fixed = fixed
        self.tz = tz

    def now(self) -> datetime:
        """Aware UTC now."""
        if self._fixed is not None:
            return self._fixed.astimezone(timezone.utc)
        return datetime.now(timezone.utc)

    def local_now(self) -> datetime:
        return self.now().astimezone(self.tz)

    def today(self) -> date:
        return self.local_now().date()

    def set(self, when: datetime | None) -> None:
        """Freeze the clock at `when` (aware), or unfreeze with None."""
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=self.tz)
        self._fixed = when


clock = Clock()



def db_now() -> datetime:
    """Now, as stored: aware UTC (SQLModel's UTCDateTime keeps and returns UTC)."""
    return clock.now()


def to_local(dt: datetime, tz: ZoneInfo = BANGKOK) -> datetime:
    """A stored (aware UTC, or naive taken as UTC) datetime in Bangkok time."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(tz)


def local_to_utc(dt: datetime, tz: ZoneInfo = BANGKOK) -> datetime:
    """A naive Bangkok wall-clock datetime (as members type it) to aware UTC for storage."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt.astimezone(timezone.utc)


def end_of_day(day: date, tz: ZoneInfo = BANGKOK) -> datetime:
    """A deadline typed as a day means that whole day: "15 ม.ค." closes at 23:59 on 15 Jan, Bangkok
    time (aware UTC for storage), never at midnight, which people read as the 16th."""
    return local_to_utc(datetime.combine(day, time(23, 59)), tz)
