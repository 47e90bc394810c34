"""`khruakhai reminders run [--now ISO] [--dry-run]`: one due-reminders scan, delivered right away."""
from __future__ import annotations

import typer

from bot.cli import app
from bot.cli.common import parse_now

reminders_app = typer.Typer(help="Reminders before deadlines and events.", no_args_is_help=True)
app.add_typer(reminders_app, name="reminders")


@reminders_app.command("run")
def run(now: str | None = typer.Option(None, "--now", help="Run as of this time (ISO; Bangkok time if no "
                                       "offset). Sets the clock for the whole run: who is due, quiet hours."),
        dry_run: bool = typer.Option(False, "--dry-run", help="List who would be reminded; change nothing."),
        deliver: bool = typer.Option(True, help="Deliver what was found right away.")) -> None:
    """Scan for due reminders as of now (or --now), queue them exactly once and deliver them."""
    from bot.cli.common import runtime
    from bot.delivery import drain_once
    from bot.reminders import send_due_reminders

    rt = runtime()
    when = parse_now(now)
    if when is not None:
        rt.clock.set(when)
    report = send_due_reminders(rt, rt.clock.now(), dry_run=dry_run)
    for item in report.items:
        r = item.reminder
        typer.echo(f"{item.outcome:10} {r.address:40} {r.key}  {r.description}")
    for description, outcomes in report.totals.items():  # set-based sources: one line per source and offset
        took = report.seconds.get(description, 0.0)
        typer.echo(f"{description}: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
                   + f" ({took * 1000:.0f} ms)")
    typer.echo(f"{report.due} due as of {rt.clock.local_now():%Y-%m-%d %H:%M} Asia/Bangkok: "
               f"{report.count('queued')} queued, {report.count('waiting')} waiting for the end of the quiet "
               f"hours, {report.count('already')} already sent, {report.count('opted_out')} opted out"
               + (f", {report.count('would_send')} would be sent (dry run)" if dry_run else ""))
    if dry_run or not deliver:
        return
    stats = drain_once(rt)
    sent = {k: v for k, v in stats.outcomes.items()}
    typer.echo("delivered now: " + (", ".join(f"{k} {v}" for k, v in sorted(sent.items())) or "nothing due"))
