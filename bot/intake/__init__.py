"""The intake: how a platform's webhook event becomes a turn and its replies go out, the same for every
chat channel (receive → verify → admit → queue per member → turn → send → done, `bot.intake.lifecycle`).

| module | what |
| --- | --- |
| `lifecycle` | `Intake` (the lifecycle), the ASGI fast path that is the webhook route, the per-member queue, the busy indicator |
| `contract` | what a channel adapter provides (`ChannelAdapter`), the `Job` it parses events into |
| `inbox`, `inbox_sql` | the durable inbox (`processed_events`): accept = de-duplication, leases, recovery |
| `turns` | engine turns in batches on the database threads |
| `http` | the one keep-alive HTTP/1.1 client everything the server sends goes through |
| `pacing` | token buckets, backoff, the outcome of a delivery (shared by replies and the outbox) |
| `tuning` | the database thread that takes urgent work first, GC and GIL settings for serving |

Adapters (`bot.channels.line`, `bot.channels.telegram`) import `contract`, `http` and `pacing` only.
"""
