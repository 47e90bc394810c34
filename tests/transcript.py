"""Transcript testing: send a message through the engine as a web-chat member, assert the reply."""
from __future__ import annotations

from bot.messages import Address, Choice, IncomingMessage, Reply
from bot.runtime import Runtime


class Chat:
    def __init__(self, runtime: Runtime, user: str, channel: str = "web") -> None:
        self.runtime = runtime
        self.address = Address(channel, user)
        self.replies: list[Reply] = []
        self.history: list[tuple[str, list[Reply]]] = []

    def send(self, message: IncomingMessage) -> list[Reply]:
        self.replies = self.runtime.engine.handle(message)
        self.history.append((message.input, self.replies))
        return self.replies

    def say(self, text: str) -> list[Reply]:
        return self.send(IncomingMessage(address=self.address, text=text))

    def postback(self, value: str) -> list[Reply]:
        return self.send(IncomingMessage(address=self.address, postback=value))

    def tap(self, label: str) -> list[Reply]:
        """Tap the button whose label contains `label` among the last replies' choices and card buttons."""
        for choice in self.choices:
            if label in choice.label:
                return self.send(IncomingMessage(address=self.address, postback=choice.value, text=choice.label))
        raise AssertionError(f"no button {label!r} in {[c.label for c in self.choices]}")

    @property
    def text(self) -> str:
        """All text of the last replies (cards included), one block."""
        parts: list[str] = []
        for r in self.replies:
            if r.card:
                parts.append(r.card.title)
                parts += [f"{f.label}: {f.value}" for f in r.card.fields]
            if r.text:
                parts.append(r.text)
        return "\n".join(parts)

    @property
    def choices(self) -> list[Choice]:
        out: list[Choice] = []
        for r in self.replies:
            out += list(r.choices)
            if r.card:
                out += [b for b in r.card.buttons if b not in out]
        return out

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.choices]

    @property
    def card(self):  # noqa: ANN201
        return next((r.card for r in self.replies if r.card), None)
