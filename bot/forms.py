"""Forms: ask each field, parse the answer, retry with an example, read back, edit, confirm.

Most conversations are forms. Progress lives in ``ctx.data``:
``v`` (answers, JSON-encoded), ``step`` (a field name, ``@summary`` or ``@edit``),
``tries`` (failed attempts at this step), ``hist`` (fields asked, for "back") and ``editing``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
import re
from typing import Any

from bot import jsonstate
from bot.context import Context
from bot.labels import shorten
from bot.messages import Card, CardField, Choice, Reply
from bot.registry import menu_choices

SUMMARY = "@summary"
EDIT = "@edit"
CONFIRM = "@confirm"
SKIP_WORDS = ("ข้าม", "ไม่มี", "ไม่ระบุ", "-", "skip", "none", "ไม่มีค่ะ", "ไม่มีครับ")


class Invalid(Exception):
    """The answer could not be used. `key` names a specific retry message (else the field's example)."""

    def __init__(self, key: str | None = None, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class Reask(Exception):
    """Ask the same field again without counting a failed attempt (e.g. a new search query)."""

    def __init__(self, replies: Sequence[Reply] = ()) -> None:
        super().__init__()
        self.replies = list(replies)


Parser = Callable[[str, Context], Any]


@dataclass
class Field:
    name: str
    prompt: str  # message key
    parse: Parser
    example: str | None = None  # message key of an example answer, shown on retry
    choices: Callable[[Context], Sequence[Choice]] | None = None
    optional: bool = False
    label: str | None = None  # message key for the read-back; default "<form>.label.<name>"
    show: Callable[[Any, Context], str] | None = None
    when: Callable[[dict[str, Any]], bool] | None = None
    editable: bool = True
    # Called with the parsed value; returning replies ends the form with them (e.g. consent declined).
    after: Callable[[Context, Any], list[Reply] | None] | None = None
    prompt_values: Callable[[Context], dict[str, object]] | None = None
    # Attachment kinds this field takes as an answer ("image", "location"); any other attachment
    # without text is not an answer: the question is asked again and no attempt is counted.
    accepts: tuple[str, ...] = ()
    # Other names members call this field by ("เบอร์", "จำนวนคน"): for "แก้ X เป็น Y" and "X เป็น Y".
    aliases: tuple[str, ...] = ()
    # False: not asked on the way to the read-back (it has a default there, changed with "แก้ไข").
    ask: bool = True


class Form:
    """Subclass with `name`, `fields`, `title` (message key) and `on_confirm`."""

    name: str = ""
    fields: Sequence[Field] = ()
    title: str = ""
    max_attempts: int = 3

    # --- to override ------------------------------------------------------------------------
    def on_confirm(self, ctx: Context, values: dict[str, Any]) -> list[Reply]:
        raise NotImplementedError

    def summary_extra(self, ctx: Context, values: dict[str, Any]) -> list[CardField]:
        return []

    # --- public API ---------------------------------------------------------------------------
    def start(self, ctx: Context, values: dict[str, Any] | None = None, *, at: str | None = None,
              intro: Sequence[Reply] = ()) -> list[Reply]:
        ctx.begin(self.name, {"v": jsonstate.encode(values or {}), "tries": 0, "hist": []})
        if at == EDIT or self._field(at) is not None:  # the edit menu, or one field to change straight away
            ctx.data["editing"] = True
            return list(intro) + (self._goto_edit(ctx) if at == EDIT else self._goto(ctx, at, record=False))
        if at == SUMMARY:
            return list(intro) + self._goto(ctx, SUMMARY)
        return list(intro) + self._goto(ctx, self._next_field(ctx, after=None))

    def values(self, ctx: Context) -> dict[str, Any]:
        return jsonstate.decode(ctx.data.get("v", {}))

    def set_value(self, ctx: Context, name: str, value: Any) -> None:
        v = dict(ctx.data.get("v", {}))
        v[name] = jsonstate.encode(value)
        ctx.data["v"] = v

    def handle(self, ctx: Context) -> list[Reply]:
        step = ctx.data.get("step")
        text = ctx.msg.input.strip()
        if text and ctx.msg.postback is None:
            fixed = self._correct(ctx, step, text)
            if fixed is not None:
                return fixed
        if step == SUMMARY:
            return self._on_summary(ctx, text)
        if step == EDIT:
            return self._on_edit_choice(ctx, text)
        field = self._field(step)
        if field is None:  # the form changed under a stored state: start over, politely
            return self.start(ctx)
        return self._on_answer(ctx, field, text)

    def back(self, ctx: Context) -> list[Reply]:
        hist: list[str] = list(ctx.data.get("hist", []))
        step = ctx.data.get("step")
        if step in (SUMMARY, EDIT) and ctx.data.get("editing"):
            return self._goto(ctx, SUMMARY)
        if step in hist:
            hist.remove(step)
        while hist:
            prev = hist.pop()
            field = self._field(prev)
            if field and field.editable and self._applies(field, self.values(ctx)):
                ctx.data["hist"] = hist
                return self._goto(ctx, prev, record=False)
        return [ctx.say("form.back_at_start")] + self.reprompt(ctx)

    def reprompt(self, ctx: Context) -> list[Reply]:
        step = ctx.data.get("step")
        if step == SUMMARY:
            return self._summary(ctx)
        if step == EDIT:
            return self._edit_menu(ctx)
        field = self._field(step)
        return self._prompt(ctx, field) if field else self.start(ctx)

    # --- steps ------------------------------------------------------------------------------------
    def _field(self, name: str | None) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @staticmethod
    def _applies(field: Field, values: dict[str, Any]) -> bool:
        return field.when is None or bool(field.when(values))

    def _next_field(self, ctx: Context, after: str | None) -> str:
        values = self.values(ctx)
        names = [f.name for f in self.fields]
        start = names.index(after) + 1 if after in names else 0
        for field in self.fields[start:]:
            if field.ask and self._applies(field, values) and field.name not in values:
                return field.name
        return SUMMARY

    def _goto(self, ctx: Context, step: str, *, record: bool = True) -> list[Reply]:
        ctx.data["step"] = step
        ctx.data["tries"] = 0
        if record and step not in (SUMMARY, EDIT):
            hist = list(ctx.data.get("hist", []))
            if step not in hist:
                hist.append(step)
            ctx.data["hist"] = hist
        if step == SUMMARY:
            return self._summary(ctx)
        if step == EDIT:
            return self._edit_menu(ctx)
        return self._prompt(ctx, self._field(step))  # type: ignore[arg-type]

    def _goto_edit(self, ctx: Context) -> list[Reply]:
        return self._goto(ctx, EDIT)

    def _choices(self, ctx: Context, field: Field) -> list[Choice]:
        choices = list(field.choices(ctx)) if field.choices else []
        if field.optional:
            choices.append(ctx.choice("form.skip", "ข้าม"))
        return choices[:13]

    def _prompt(self, ctx: Context, field: Field) -> list[Reply]:
        values = field.prompt_values(ctx) if field.prompt_values else {}
        return [ctx.say(field.prompt, choices=self._choices(ctx, field), **values)]

    def _on_answer(self, ctx: Context, field: Field, text: str) -> list[Reply]:
        if not text and ctx.msg.attachments and not any(a.kind in field.accepts for a in ctx.msg.attachments):
            return [ctx.say("engine.please_type")] + self._prompt(ctx, field)
        choices = self._choices(ctx, field)
        picked = typed_choice(text, choices)
        raw = picked.value if picked is not None else text
        try:
            if field.optional and _is_skip(raw):
                value = None
            else:
                if not raw and not ctx.msg.attachments:
                    raise Invalid()
                value = field.parse(raw, ctx)
                if value is None:
                    raise Invalid()
        except Reask as again:
            return again.replies + self._prompt(ctx, field)
        except Invalid as bad:
            return self._retry(ctx, field, bad)
        self.set_value(ctx, field.name, value)
        if field.after:
            ending = field.after(ctx, value)
            if ending is not None:
                if ctx.flow == self.name:
                    ctx.end()
                return ending
        if ctx.data.get("editing"):
            # An edit can make later fields apply (e.g. a new organization): ask those first.
            nxt = self._next_field(ctx, after=None)
            return self._goto(ctx, nxt)
        return self._goto(ctx, self._next_field(ctx, after=field.name))

    def _retry(self, ctx: Context, field: Field, bad: Invalid) -> list[Reply]:
        tries = int(ctx.data.get("tries", 0)) + 1
        ctx.data["tries"] = tries
        if tries >= self.max_attempts:
            ctx.end()
            return [ctx.say("form.too_many_attempts", choices=menu_choices(ctx))]
        parts = [ctx.t(bad.key, **bad.values) if bad.key else ctx.t("form.not_understood")]
        if field.example:
            parts.append(ctx.t("form.example", example=ctx.t(field.example)))
        values = field.prompt_values(ctx) if field.prompt_values else {}
        parts.append(ctx.t(field.prompt, **values))
        return [Reply(text="\n".join(parts), choices=tuple(self._choices(ctx, field)))]

    # --- read-back and edit ---------------------------------------------------------------------
    def label(self, ctx: Context, field: Field) -> str:
        return ctx.t(field.label or f"{self.name}.label.{field.name}")

    def show(self, ctx: Context, field: Field, value: Any) -> str:
        if value is None:
            return ctx.t("form.none")
        if field.show:
            return field.show(value, ctx)
        return str(value)

    def _summary(self, ctx: Context) -> list[Reply]:
        values = self.values(ctx)
        rows = [CardField(self.label(ctx, f), self.show(ctx, f, values.get(f.name)))
                for f in self.fields if f.editable and self._applies(f, values) and (f.name in values or not f.ask)]
        rows += self.summary_extra(ctx, values)
        buttons = (ctx.choice("form.confirm", CONFIRM), ctx.choice("form.edit", EDIT),
                   ctx.choice("form.cancel", "ยกเลิก"))
        card = Card(title=ctx.t(self.title), fields=tuple(rows), text=ctx.t("form.summary_hint"),
                    buttons=buttons)
        return [Reply(card=card, text=ctx.t("form.summary_hint"), choices=buttons)]

    def _on_summary(self, ctx: Context, text: str) -> list[Reply]:
        from bot.thai import parse_yes_no

        if text == CONFIRM or (text != EDIT and parse_yes_no(text) is True):
            values = self.values(ctx)
            ctx.end()
            return self.on_confirm(ctx, values)
        field = self._match_field(ctx, text) if text != EDIT else None  # "แก้เบอร์โทร" / a field's label
        if field is not None:
            ctx.data["editing"] = True
            return self._goto(ctx, field.name, record=False)
        if text == EDIT or parse_yes_no(text) is False or _loose_eq(text, ctx.t("form.edit")):
            return self._goto(ctx, EDIT)
        return [ctx.say("form.summary_not_understood")] + self._summary(ctx)

    def _editable(self, ctx: Context) -> list[Field]:
        values = self.values(ctx)
        return [f for f in self.fields if f.editable and self._applies(f, values)]

    def _edit_menu(self, ctx: Context) -> list[Reply]:
        choices = [Choice(shorten(self.label(ctx, f)), f"field:{f.name}") for f in self._editable(ctx)][:12]
        choices.append(ctx.choice("form.done_editing", SUMMARY))
        return [ctx.say("form.which_field", choices=choices)]

    def _on_edit_choice(self, ctx: Context, text: str) -> list[Reply]:
        if text == SUMMARY or _loose_eq(text, ctx.t("form.done_editing")):
            return self._goto(ctx, SUMMARY)
        name = text[len("field:"):] if text.startswith("field:") else None
        field = self._field(name) if name else self._match_field(ctx, text)
        if field is None and text.isdigit():
            editable = self._editable(ctx)
            idx = int(text) - 1
            field = editable[idx] if 0 <= idx < len(editable) else None
        if field is None or not field.editable:
            return [ctx.say("form.pick_a_field")] + self._edit_menu(ctx)
        ctx.data["editing"] = True
        return self._goto(ctx, field.name, record=False)

    # --- corrections typed anywhere: "แก้ X เป็น Y", "X เป็น Y", "ไม่ใช่ X ค่ะ Y" ------------------------
    def _names(self, ctx: Context, field: Field) -> list[str]:
        from bot import i18n

        key = field.label or f"{self.name}.label.{field.name}"
        names = [i18n.t(key, lang) for lang in i18n.LANGUAGES if i18n.has(key, lang)]
        return names + list(field.aliases)

    def _correct(self, ctx: Context, step: str | None, text: str) -> list[Reply] | None:
        """A correction of an answered field (or any field at the read-back): the field is set from the
        rest of the message and the member goes back where they were (the read-back, or the question
        they had not answered yet). None when the message is not such a correction."""
        from bot.thai.corrections import parse_correction

        values = self.values(ctx)
        at_summary = step in (SUMMARY, EDIT)
        fields = {f.name: f for f in self._editable(ctx) if at_summary or f.name in values or f.name == step}
        if not fields:
            return None
        names = {n: self._names(ctx, f) for n, f in fields.items()}
        # What is shown for each field matters only to "ไม่ใช่ <the old value> ค่ะ <the new one>".
        shown = {n: self.show(ctx, f, values.get(n)) for n, f in fields.items() if values.get(n) is not None} \
            if _NOT_PREFIX.match(text) else {}
        found = parse_correction(text, names, shown)
        if found is None:
            return None
        field = fields[found[0]]
        if field.name == step:  # "ชื่อกิจกรรมเป็น …" at its own question: the answer
            return self._on_answer(ctx, field, found[1])
        try:
            value = field.parse(found[1], ctx)
            if value is None:
                raise Invalid()
        except (Invalid, Reask) as bad:
            if not at_summary:  # "ผู้เข้าร่วมคือผู้สูงอายุ" at the target-group question: an answer after all
                return None
            ctx.data["editing"] = True
            reason = bad if isinstance(bad, Invalid) else Invalid()
            self._goto(ctx, field.name, record=False)
            ctx.data["tries"] = 0
            return self._retry(ctx, field, reason)
        self.set_value(ctx, field.name, value)
        note = ctx.say("form.corrected", field=self.label(ctx, field), value=self.show(ctx, field, value))
        if at_summary or ctx.data.get("editing") or self._next_field(ctx, after=None) == SUMMARY:
            return [note] + self._goto(ctx, SUMMARY)
        return [note] + self.reprompt(ctx)

    def _match_field(self, ctx: Context, text: str) -> Field | None:
        from bot.thai import normalize

        query = normalize(text).replace("แก้ไข", "").replace("แก้", "").strip().lower()
        if not query:
            return None
        for field in self._editable(ctx):
            label = normalize(self.label(ctx, field)).lower()
            if query == label or (len(query) >= 3 and (query in label or label in query)):
                return field
        return None


def _loose_eq(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def _is_skip(text: str) -> bool:
    from bot.thai import strip_particles

    return text.strip().lower() in SKIP_WORDS or strip_particles(text).lower() in SKIP_WORDS


_NOT_PREFIX = re.compile(r"^\s*(?:ไม่ใช่|not\b)", re.I)
_NUMBERED = re.compile(r"^\s*\d{1,2}[.)]\s*")


def typed_choice(text: str, choices: Sequence[Choice], *, numbers: bool = True) -> Choice | None:
    """The offered choice a message means: tapped (its value), its label typed — with particles, stretched
    letters, other spacing or one typo ("ไม่ลบค่ะ", "ยืนยันนน") — an event's whole title for a button
    that shows its first letters ("1. อบรมนักบริหาร…"), or, with `numbers`, its number in the list."""
    from bot.thai import match_keyword

    if not choices or not text:
        return None
    stripped = text.strip()
    for c in choices:
        if stripped == c.value or _loose_eq(stripped, c.label):
            return c
    if numbers and stripped.isdigit() and 1 <= int(stripped) <= len(choices) and len(stripped) <= 2:
        return choices[int(stripped) - 1]
    if len(stripped) <= 60:  # longer is a sentence, not a button (match_keyword gives up at 40 anyway)
        labels = {str(i): [c.label, _NUMBERED.sub("", c.label)] for i, c in enumerate(choices)}
        hit = match_keyword(stripped, labels)
        if hit is not None:
            return choices[int(hit)]
    # A long label cut to fit a button: the whole title typed starts with what the button shows.
    long_labels = [(c, _squash(_NUMBERED.sub("", c.label)).rstrip("…")) for c in choices
                   if len(c.label) >= 18 or c.label.endswith("…")]
    if not long_labels:
        return None
    typed = _squash(stripped)
    cut = [c for c, label in long_labels if len(label) >= 8 and typed.startswith(label)]
    return cut[0] if len(cut) == 1 else None


def _squash(text: str) -> str:
    from bot.thai import normalize, strip_particles

    return strip_particles(normalize(text)).lower().replace(" ", "")
