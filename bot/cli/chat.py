"""`khruakhai chat --user NAME`: talk to the bot in the terminal as a simulated member."""
from __future__ import annotations

import sys

import typer

from bot.cli import app
from bot.messages import Address, Choice, IncomingMessage, Reply


def render(replies: list[Reply]) -> tuple[str, list[Choice]]:
    """Text for the terminal, and the numbered choices the next line may pick from."""
    lines: list[str] = []
    choices: list[Choice] = []
    for reply in replies:
        if reply.card:
            lines.append(f"┌ {reply.card.title}")
            lines += [f"│ {f.label}: {f.value}" for f in reply.card.fields]
            if reply.card.text and not reply.text:
                lines.append(f"│ {reply.card.text}")
            if reply.card.link_url:
                lines.append(f"│ {reply.card.link_url}")
            lines.append("└")
            if not reply.choices:
                choices = list(reply.card.buttons)
        if reply.text:
            lines.append(reply.text)
        if reply.choices:
            choices = list(reply.choices)
    if choices:
        lines += [f"  [{i}] {c.label}" for i, c in enumerate(choices, 1)]
    return "\n".join(lines), choices


def to_message(user: str, line: str, choices: list[Choice]) -> IncomingMessage:
    text = line.strip()
    picked = None
    if text.isdigit() and 1 <= int(text) <= len(choices):
        picked = choices[int(text) - 1]
    else:
        picked = next((c for c in choices if c.label == text), None)
    address = Address("web", user)
    if picked is not None:
        return IncomingMessage(address=address, postback=picked.value, text=picked.label)
    return IncomingMessage(address=address, text=text)


@app.command()
def chat(user: str = typer.Option(..., "--user", help="Name of the simulated member (state is kept per name)."),
         migrate: bool = typer.Option(True, help="Apply database migrations first.")) -> None:
    """Chat with the bot in the terminal. With stdin not a terminal, reads one message per line."""
    from bot import web_inbox
    from bot.cli.common import runtime
    from storage.migrate import upgrade

    rt = runtime()
    if migrate:
        upgrade(rt.settings.database_url, schema=rt.settings.database_schema)
    interactive = sys.stdin.isatty()
    choices: list[Choice] = []
    address = str(Address("web", user))
    while True:
        if interactive:
            try:
                line = input("คุณ> ")
            except (EOFError, KeyboardInterrupt):
                print()
                break
        else:
            line = sys.stdin.readline()
            if not line:
                break
        if not line.strip():
            continue
        if not interactive:
            print(f"คุณ> {line.strip()}")
        replies = rt.engine.handle(to_message(user, line, choices))
        with rt.db.session() as session:
            replies += web_inbox.take(session, address=address)  # proactive messages that arrived meanwhile
        text, new_choices = render(replies)
        choices = new_choices or choices
        print(text)
        print()
        sys.stdout.flush()
