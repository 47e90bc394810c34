"""Channel adapters: each turns platform events into intake jobs and our `Reply`s into platform messages;
none decides what to say. LINE and Telegram run through the one intake lifecycle (`bot.intake.lifecycle`),
mounted by `bot.channels.mount`; the web chat is a page of its own (`bot.channels.web`)."""
