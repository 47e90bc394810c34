"""`khruakhai broadcast --text TEXT [--province P] [--kind K] [--event ID] [--urgent] [--yes]`."""
from __future__ import annotations

import asyncio

import typer

from bot.cli import app
from bot.cli.common import parse_now, resolve_province


@app.command()
def broadcast(text: str = typer.Option(..., "--text", help="The announcement."),
              province: str | None = typer.Option(None, help="Only organizations of this province."),
              kind: str | None = typer.Option(None, help="Only this kind: public_benefit | community_welfare | other."),
              event: int | None = typer.Option(None, "--event", help="Attach this event (its card and register button)."),
              audience: str | None = typer.Option(None, help="Another audience provider (e.g. event_registrants)."),
              param: str | None = typer.Option(None, help="The parameter of --audience (an event id, a deadline id)."),
              urgent: bool = typer.Option(False, "--urgent", help="Send even during the quiet hours."),
              at: str | None = typer.Option(None, "--at", help="Schedule for this time (ISO) instead of now."),
              yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
              override_quota: bool = typer.Option(False, "--override-quota",
                                                  help="Send even if the LINE monthly quota looks too small."),
              wait: bool = typer.Option(True, help="Deliver now and wait for the result (with a progress bar)."),
              ) -> None:
    """Send an announcement to a segment of the network; shows the recipient count, then the result."""
    from bot import audiences
    from bot.cli.common import runtime
    from bot.outbox import create_broadcast
    from bot.quota import line_quota

    rt = runtime()
    prov = resolve_province(province)
    if audience:
        spec = {"name": audience, "param": param}
        if audience not in audiences.AUDIENCES:
            raise typer.BadParameter(f"unknown audience {audience!r}; known: {', '.join(audiences.AUDIENCES)}")
    elif kind:
        spec = {"name": "kind", "param": kind}
    else:
        spec = {"name": "province", "param": prov or "*"}
    scope = prov if (audience or kind) else None
    with rt.db.session() as session:
        count = audiences.count(session, spec, scope)
        label = audiences.describe(session, spec, "en") + (f" in {prov}" if scope else "")
    typer.echo(f"Audience: {label}: {count.members} members "
               f"({', '.join(f'{k} {v}' for k, v in sorted(count.by_channel.items())) or 'none'}); "
               f"{count.opted_out} stopped announcements")
    if count.members == 0:
        typer.echo("Nobody to send to.")
        raise typer.Exit(1)
    line_n = count.by_channel.get("line", 0)
    if rt.settings.line_enabled and line_n >= rt.settings.delivery.quota_check_min:
        quota = line_quota(rt.settings)
        if not quota.allows(line_n):
            typer.echo(f"LINE quota: {quota.remaining} messages left this month, this needs {line_n}.")
            if not override_quota:
                typer.echo("Refusing to send; use --override-quota to send anyway.")
                raise typer.Exit(2)
    if not yes and not typer.confirm(f"Send to {count.members} members?"):
        raise typer.Abort()
    when = parse_now(at)
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=rt.settings.tz)
    with rt.db.session() as session:
        b = create_broadcast(session, text=text, audience=spec, scope_province=scope, urgent=urgent,
                             event_id=event, scheduled_at=when, audience_label=label)
        bid = b.id
    typer.echo(f"Broadcast #{bid} queued" + (f" for {at}" if at else ""))
    if at or not wait:
        return
    asyncio.run(_deliver(rt, bid, count.members))


async def _deliver(rt, bid: int, expected: int) -> None:  # noqa: ANN001
    from sqlmodel import select

    from bot.delivery import Drainer, broadcast_counts, next_due
    from bot.outbox import in_quiet_hours
    from storage.models import Broadcast

    drainer = Drainer(rt)

    def snapshot() -> tuple[str, dict]:
        with rt.db.session() as s:
            b = s.exec(select(Broadcast).where(Broadcast.id == bid)).one()
            return b.status, dict(broadcast_counts(s, bid))

    try:
        with typer.progressbar(length=max(expected, 1), label="Sending") as bar:
            shown = 0
            while True:
                task = asyncio.create_task(drainer.drain())
                while not task.done():
                    await asyncio.sleep(0.5)
                    _, counts = await asyncio.to_thread(snapshot)
                    done = sum(v for k, v in counts.items() if k not in ("pending", "sending"))
                    bar.update(done - shown)
                    shown = done
                await task
                status, counts = await asyncio.to_thread(snapshot)
                done = sum(v for k, v in counts.items() if k not in ("pending", "sending"))
                bar.update(done - shown)
                shown = done
                if status == "done":
                    break
                if in_quiet_hours(rt.clock.now(), rt.settings) and status == "sending":
                    typer.echo("\nQuiet hours: the rest goes out in the morning (khruakhai serve sends it).")
                    return
                due = await asyncio.to_thread(next_due, rt)
                delay = 1.0 if due is None else min(30.0, max(0.2, (due - rt.clock.now()).total_seconds()))
                await asyncio.sleep(delay)
    finally:
        await drainer.aclose()
    with rt.db.session() as s:
        b = s.exec(select(Broadcast).where(Broadcast.id == bid)).one()
        typer.echo(f"Broadcast #{bid}: delivered {b.delivered} of {b.total}, failed {b.failed}, "
                   f"unreachable {b.unreachable}, stopped announcements {b.opted_out}")
