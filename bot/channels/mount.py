"""`mount_channels` mounts each channel whose credentials are set; a channel whose credentials are missing
is skipped with one log line and the rest of the server runs.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI

from bot.channels import line, telegram, web
from bot.channels.adapters import mounted
from bot.intake.lifecycle import Intake
from bot.runtime import Runtime

log = logging.getLogger(__name__)


def mount_channels(app: FastAPI, runtime: Runtime) -> list[str]:
    started = ["web"] if web.mount(app, runtime) else []
    s = runtime.settings
    cfg = s.delivery
    if s.line_enabled:
        adapter = mounted(runtime)["line"] = line.LineAdapter(s, cfg)  # the outbox sends on it too
        Intake(runtime, adapter).mount(app)
        started.append("line")
    else:
        log.info("LINE channel off: set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN to enable it")
    if s.telegram_enabled:
        adapter = mounted(runtime)["telegram"] = telegram.TelegramAdapter(s, cfg)
        Intake(runtime, adapter).mount(app)
        started.append("telegram")
        if not s.telegram_webhook_secret and not s.telegram_polling:
            log.warning("Telegram: TELEGRAM_WEBHOOK_SECRET is not set, so the webhook refuses every call; "
                        "set it (then `khruakhai telegram set-webhook URL`) or run with --telegram-polling")
    else:
        log.info("Telegram channel off: set TELEGRAM_BOT_TOKEN to enable it")
    return started
