"""`khruakhai event create|publish|list` and `khruakhai export registrations`."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from bot.cli import app
from bot.cli.export import Format, export_app
from bot.cli.export import THAI_HELP
from bot.export import Column, thai_date_value

event_app = typer.Typer(help="Trainings, seminars and forums.", no_args_is_help=True)
app.add_typer(event_app, name="event")


def _when(value: str, name: str, *, end_of_day: bool = False) -> datetime:
    """An ISO date or date-time; naive values are Bangkok wall-clock time. Returns aware UTC."""
    from bot.clock import end_of_day as last_minute
    from bot.clock import local_to_utc

    try:
        dt = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{name}: not an ISO date or date-time: {value}") from exc
    if len(value) == 10 and end_of_day:  # a bare date: the end of that day
        return last_minute(dt.date())
    return local_to_utc(dt)


@event_app.command("create")
def create(title: str = typer.Option(..., "--title"),
           starts: str = typer.Option(..., "--starts", help="ISO date-time, Bangkok time: 2027-01-29T09:00"),
           ends: str = typer.Option(..., "--ends", help="ISO date-time, Bangkok time: 2027-01-31T16:00"),
           venue: str = typer.Option(..., "--venue"),
           province: str = typer.Option(..., "--province", help="Thai or English name; nicknames work (โคราช)."),
           capacity: int = typer.Option(..., "--capacity", min=1),
           seats_per_org: int = typer.Option(2, "--seats-per-org", min=1),
           deadline: str | None = typer.Option(None, "--deadline", help="ISO date or date-time; default: the start."),
           kind: str = typer.Option("training", "--kind", help="training | seminar | forum"),
           description: str | None = typer.Option(None, "--description"),
           map_url: str | None = typer.Option(None, "--map-url"),
           audience_province: list[str] = typer.Option(
               [], "--audience-province", help="Repeat for several; default: the event's province; '*' = all."),
           audience_kind: list[str] = typer.Option(
               [], "--audience-kind", help="public_benefit | community_welfare; repeat; default: all kinds."),
           publish: bool = typer.Option(False, "--publish", help="Publish and announce it at once.")) -> None:
    """Create an event (a draft unless --publish). Prints the new event's id."""
    from bot.cli.common import resolve_province, runtime
    from bot import event_notify as notify
    from storage.repositories import events as repo

    if kind not in ("training", "seminar", "forum"):
        raise typer.BadParameter("--kind must be training, seminar or forum")
    for k in audience_kind:
        if k not in ("public_benefit", "community_welfare", "other"):
            raise typer.BadParameter(f"unknown --audience-kind {k}")
    prov = resolve_province(province)
    provinces = None
    if audience_province:
        provinces = [] if "*" in audience_province else [resolve_province(p) for p in audience_province]
    starts_at, ends_at = _when(starts, "--starts"), _when(ends, "--ends")
    if ends_at < starts_at:
        raise typer.BadParameter("--ends is before --starts")
    rt = runtime()
    with rt.db.session() as session:
        try:
            event = repo.create(session, kind=kind, title=title, description=description, starts_at=starts_at,
                                ends_at=ends_at, venue=venue, province=prov, capacity=capacity,  # type: ignore[arg-type]
                                seats_per_org=seats_per_org, map_url=map_url,
                                registration_deadline=_when(deadline, "--deadline", end_of_day=True) if deadline else None,
                                audience_kinds=audience_kind, audience_provinces=provinces)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        sent = None
        if publish:
            repo.publish(session, event=event, now=rt.clock.now())
            sent = notify.announce(session, event=event)
        event_id = event.id
    typer.echo(event_id)
    if sent is not None:
        typer.echo(f"published; announcement queued for {sent} members", err=True)


@event_app.command("publish")
def publish(event_id: int = typer.Argument(...)) -> None:
    """Publish a draft and announce it to its audience."""
    from bot.cli.common import runtime
    from bot import event_notify as notify
    from storage.repositories import events as repo

    rt = runtime()
    with rt.db.session() as session:
        event = repo.get(session, event_id=event_id)
        if event is None:
            typer.echo(f"no event {event_id}", err=True)
            raise typer.Exit(1)
        if not repo.publish(session, event=event, now=rt.clock.now()):
            typer.echo(f"event {event_id} is {event.status}, not a draft: nothing to do", err=True)
            raise typer.Exit(1)
        sent = notify.announce(session, event=event)
    typer.echo(f"published event {event_id}; announcement queued for {sent} members")


@event_app.command("list")
def list_events(province: str | None = typer.Option(None, "--province"),
                all_: bool = typer.Option(False, "--all", help="Also past and cancelled events.")) -> None:
    """Events with their seats: id, status, dates, title, registered/capacity, waitlisted."""
    from bot.cli.common import resolve_province, runtime
    from bot.i18n import format_datetime
    from storage.repositories import events as repo

    rt = runtime()
    with rt.db.session() as session:
        events = repo.list_events(session, province=resolve_province(province), limit=1000,
                                  upcoming_after=None if all_ else rt.clock.now())
        for e in events:
            c = repo.counts(session, event_id=e.id)  # type: ignore[arg-type]
            typer.echo(f"{e.id}\t{e.status}\t{format_datetime(e.starts_at)} – {format_datetime(e.ends_at)}\t"
                       f"{e.title}\t{e.province}\t{c['held']}/{e.capacity} registered\t{c['waitlisted']} waitlisted")
        if not events:
            typer.echo("no events", err=True)


REGISTRATION_COLUMNS = (
    Column("event_id", "รหัสงาน"),
    Column("event_title", "ชื่องาน"),
    Column("organization", "องค์กร"),
    Column("province", "จังหวัด"),
    Column("attendee_name", "ชื่อ-นามสกุลผู้เข้าร่วม"),
    Column("position", "ตำแหน่ง"),
    Column("phone", "เบอร์โทร"),
    Column("status", "สถานะ", lambda s: {"registered": "ลงทะเบียนแล้ว", "waitlisted": "สำรอง",
                                         "cancelled": "ยกเลิก", "attended": "เข้าร่วมแล้ว"}.get(s, s)),
    Column("registered_at", "วันที่ลงทะเบียน", thai_date_value),
)


@export_app.command("registrations")
def registrations(event: int = typer.Option(..., "--event", help="The event id (khruakhai event list)."),
                  format: Format = typer.Option(Format.csv, "--format"),  # noqa: A002
                  out: Path = typer.Option(..., "--out", help="File to write."),
                  thai: bool = typer.Option(False, "--thai", help=THAI_HELP + " Adds the check-in code and attendance.")) -> None:
    """One row per attendee: event_id, event_title, organization, province, attendee_name, position, phone,
    status (registered | waitlisted | cancelled | attended), registered_at."""
    from bot.cli.common import runtime
    from bot.export import write_table
    from storage.repositories import events as repo

    with runtime().db.session() as session:
        if repo.get(session, event_id=event) is None:
            typer.echo(f"no event {event}", err=True)
            raise typer.Exit(1)
        from bot.training_export import ATTENDANCE_COLUMNS, DAY_COLUMNS, with_day_columns

        rows = with_day_columns(session, event, repo.export_rows(session, event_id=event))
    columns = REGISTRATION_COLUMNS + (ATTENDANCE_COLUMNS if thai else ()) + DAY_COLUMNS
    write_table(out, format.value, columns, rows, title="registrations", thai=thai)
    typer.echo(f"wrote {len(rows)} attendees to {out}")
