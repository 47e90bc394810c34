from __future__ import annotations

import logging

import typer

from bot.cli import app


@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="Address to listen on."),
          port: int = typer.Option(8000, help="Port to listen on."),
          telegram_polling: bool = typer.Option(False, "--telegram-polling",
                                                help="Fetch Telegram updates by long polling (no public URL needed)."),
          migrate: bool = typer.Option(True, help="Apply database migrations first."),
          seed_demo: bool = typer.Option(False, "--seed-demo", help="Seed demo data into an empty database.")) -> None:
    """Serve webhooks, the web chat at / and /healthz."""
    import uvicorn

    from bot import logs
    from bot.config import get_settings
    from bot.intake.tuning import tune_for_serving
    from bot.server import create_app

    logs.setup()
    settings = get_settings()
    problem = settings.secret_key_problem()
    if problem and not settings.public_url_is_loopback:
        # Anyone could forge a console session or a web chat cookie with a known or guessable key.
        typer.echo(f"Refusing to start: {problem}; PUBLIC_BASE_URL {settings.public_base_url} is not a loopback "
                   f"address. Set SECRET_KEY to a random string of at least 32 bytes.", err=True)
        raise typer.Exit(2)
    if problem:
        logging.getLogger("bot.cli.serve").warning("%s: fine on this computer only (PUBLIC_BASE_URL is loopback)",
                                                   problem)
    if migrate:
        from storage.migrate import upgrade

        upgrade(settings.database_url, schema=settings.database_schema)
    if seed_demo:
        from bot.wiring import build
        from storage.demo import seed_if_empty

        seed_if_empty(build(settings).db)
    if telegram_polling:
        settings.telegram_polling = True
    application = create_app(settings)
    routes = getattr(application.state, "fast_webhooks", None)
    if routes:  # webhook POSTs answered before the framework's middleware stack (see bot.intake.lifecycle.FastWebhooks)
        from bot.intake.lifecycle import FastWebhooks

        application = FastWebhooks(application, routes)
    application.state.runtime.db.checkpoint_in_background()  # SQLite: WAL checkpoints off the commit path
    tune_for_serving()
    uvicorn.run(application, host=host, port=port, log_config=None, access_log=False)
