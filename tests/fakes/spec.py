"""Loading the official API specs and validating requests against them.

* LINE: ``messaging-api.yml`` / ``webhook.yml`` are OpenAPI 3.0 documents.  ``jsonschema`` does not
  understand OpenAPI's ``discriminator``, so :class:`OpenAPISpec` converts every component schema to
  JSON Schema 2020-12 and turns each discriminated base (``Message``, ``Action``, ``FlexComponent``,
  ``Event``...) into a dispatcher: the ``type`` value must be one of the mapping keys and the object is
  validated against that subtype (whose ``allOf`` points back at the *base* without the dispatcher).
  On top of the spec, :data:`LINE_DOC_LIMITS` adds limits that LINE documents on
  developers.line.biz but the OpenAPI file does not encode (text <= 5000, altText, template sizes,
  action labels <= 20 ...).
* Telegram: ``api.json`` (machine-readable Bot API).  :class:`TelegramSpec` checks a method's
  parameters: required, unknown, types (``Integer``, ``String``, ``Boolean``, ``Float``, ``Array of X``,
  objects from ``types`` recursively, abstract types via their ``subtypes``), string lengths declared in
  field descriptions ("1-4096 characters", "1-64 bytes"), ``type`` constants ("must be default") and a
  few documented rules (InlineKeyboardButton needs exactly one action field, HTML/MarkdownV2 must parse).

Specs are vendored in ``tests/fakes/specs/`` with their licences (line-openapi: Apache-2.0; the Telegram
Bot API spec: MIT), so a clone alone passes its tests (override with ``KHRUAKHAI_SPECS_DIR``).
"""

from __future__ import annotations

import copy
import functools
import html
import json
import os
import re
import uuid
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlparse

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema import validators as _validators
from jsonschema.exceptions import ValidationError

REPO_ROOT = Path(__file__).resolve().parents[2]


def specs_dir() -> Path:
    env = os.environ.get("KHRUAKHAI_SPECS_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent / "specs"


# --------------------------------------------------------------------------------------------------
# JSON-schema plumbing
# --------------------------------------------------------------------------------------------------

def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def _max_utf16(validator, limit, instance, schema):  # custom keyword x-maxUtf16Length
    if isinstance(instance, str) and utf16_len(instance) > limit:
        yield ValidationError(f"Length must be between 0 and {limit} (UTF-16 code units)")


_Validator = _validators.extend(Draft202012Validator, {"x-maxUtf16Length": _max_utf16})

_format_checker = FormatChecker(formats=())


@_format_checker.checks("uuid")
def _is_uuid(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@_format_checker.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    p = urlparse(value)
    return bool(p.scheme) and (bool(p.netloc) or p.scheme in ("tel", "mailto", "line", "liff"))


def error_path(err: ValidationError) -> str:
    out = ""
    for part in err.absolute_path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _leaf_errors(errors: Iterable[ValidationError]) -> list[ValidationError]:
    out: list[ValidationError] = []
    for e in errors:
        if e.context:
            # anyOf/oneOf: report the branch errors (deepest ones are the useful ones)
            out.extend(_leaf_errors(e.context))
        else:
            out.append(e)
    return out


_REF = "#/components/schemas/"


class OpenAPISpec:
    """One OpenAPI 3.0 document with discriminator-aware validation."""

    def __init__(self, path: Path, patches: dict[str, Any] | None = None):
        self.path = Path(path)
        with open(self.path, encoding="utf-8") as fh:
            self.doc = yaml.safe_load(fh)
        raw = self.doc.get("components", {}).get("schemas", {})
        self._discriminated = {n for n, s in raw.items() if isinstance(s, dict) and "discriminator" in s}
        defs: dict[str, Any] = {}
        for name, schema in raw.items():
            conv = self._convert(schema, parent=name)
            if name in self._discriminated:
                disc = schema["discriminator"]
                prop = disc["propertyName"]
                mapping = disc.get("mapping") or {}
                base = dict(conv)
                defs[name + "__base"] = base
                branches = []
                for key, ref in mapping.items():
                    target = ref[len(_REF):]
                    branches.append({
                        "if": {"properties": {prop: {"const": key}}, "required": [prop]},
                        "then": {"$ref": f"#/$defs/{target}"},
                    })
                defs[name] = {
                    "type": "object",
                    "required": [prop],
                    "properties": {prop: {"type": "string", "enum": list(mapping)}},
                    "allOf": branches,
                }
            else:
                defs[name] = conv
        for name, patch in (patches or {}).items():
            target = defs.get(name + "__base") if name in self._discriminated else defs.get(name)
            if target is None:
                continue
            target.setdefault("allOf", []).append(patch)
        self.defs = defs
        self._root = {"$defs": defs}
        self._validators: dict[str, Any] = {}
        self._memo: dict[tuple[str, str], list[dict[str, str]]] = {}
        self._free: dict[str, frozenset[str]] = {}
        self._ops = self._index_operations()

    # -- conversion ------------------------------------------------------------------------------
    def _convert(self, node: Any, parent: str | None = None, in_allof: bool = False) -> Any:
        if isinstance(node, list):
            return [self._convert(x, parent) for x in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            ref = node["$ref"]
            name = ref[len(_REF):] if ref.startswith(_REF) else ref
            if in_allof and name in self._discriminated:
                return {"$ref": f"#/$defs/{name}__base"}
            return {"$ref": f"#/$defs/{name}"}
        out: dict[str, Any] = {}
        for k, v in node.items():
            if k in ("discriminator", "example", "examples", "externalDocs", "xml", "description",
                     "readOnly", "writeOnly", "deprecated", "nullable"):
                continue
            if k == "allOf":
                out[k] = [self._convert(x, parent, in_allof=True) for x in v]
            elif k in ("properties", "patternProperties", "$defs"):
                out[k] = {pk: self._convert(pv, parent) for pk, pv in v.items()}
            elif k in ("items", "additionalProperties", "not"):
                out[k] = self._convert(v, parent)
            elif k in ("anyOf", "oneOf"):
                out[k] = [self._convert(x, parent) for x in v]
            elif k == "format" and v in ("binary",):
                continue
            else:
                out[k] = copy.deepcopy(v)
        if node.get("nullable") and "type" in out:
            t = out["type"]
            out["type"] = [t, "null"] if isinstance(t, str) else list(t) + ["null"]
        return out

    # -- validation ------------------------------------------------------------------------------
    def _validator_for(self, name: str):
        v = self._validators.get(name)
        if v is None:
            schema = {"$defs": self.defs, "$ref": f"#/$defs/{name}"}
            v = _Validator(schema, format_checker=_format_checker)
            self._validators[name] = v
        return v

    def validate(self, schema_name: str, instance: Any) -> list[dict[str, str]]:
        """Errors as LINE-style details: ``[{"message": ..., "property": "messages[0].text"}]``.

        Results are memoized per (schema, body). jsonschema costs ~2 ms per reply body, which under the
        webhook benchmark made the fake, not the bot, the busiest process; the bot sends the same few
        bodies over and over, differing only in a reply token or recipient. Top-level properties whose
        schema is a plain ``{"type": "string"}`` accept any string, so for the memo key (and the
        validated copy) such a value is replaced by ``""``: the errors are the same by construction."""
        free = self._free_strings(schema_name)
        if isinstance(instance, dict) and free:
            instance = {k: ("" if k in free and isinstance(v, str) else v) for k, v in instance.items()}
        try:
            key = (schema_name, json.dumps(instance, sort_keys=True, ensure_ascii=False))
        except (TypeError, ValueError):
            key = None
        if key is not None and key in self._memo:
            return [dict(d) for d in self._memo[key]]
        out = self._validate(schema_name, instance)
        if key is not None:
            if len(self._memo) >= 4096:
                self._memo.clear()
            self._memo[key] = [dict(d) for d in out]
        return out

    def _free_strings(self, schema_name: str) -> frozenset[str]:
        """Top-level properties of `schema_name` that any string satisfies (and no allOf narrows)."""
        free = self._free.get(schema_name)
        if free is None:
            schema = self.defs.get(schema_name) or {}
            narrowed = {k for part in schema.get("allOf") or () if isinstance(part, dict)
                        for k in (part.get("properties") or {})}
            free = frozenset(k for k, p in (schema.get("properties") or {}).items()
                             if p == {"type": "string"} and k not in narrowed) \
                if "$ref" not in schema and "if" not in schema else frozenset()
            self._free[schema_name] = free
        return free

    def _validate(self, schema_name: str, instance: Any) -> list[dict[str, str]]:
        v = self._validator_for(schema_name)
        instance, extra = self._compress_string_lists(schema_name, instance)
        errs = _leaf_errors(v.iter_errors(instance))
        out = list(extra)
        seen = set()
        for e in sorted(errs, key=lambda e: (error_path(e), e.message)):
            item = (error_path(e), e.message)
            if item in seen:
                continue
            seen.add(item)
            out.append({"message": e.message, "property": item[0]})
        return out

    def _compress_string_lists(self, schema_name: str, instance: Any) -> tuple[Any, list[dict[str, str]]]:
        """A multicast's 500 user ids cost jsonschema ~2.5 ms (one descent per item), enough to make
        the fake, not the bot, the bottleneck of a broadcast benchmark. A top-level array of plain
        strings is checked here instead (every item a string, maxItems/minItems) and validated by
        jsonschema with its first item only. (Id formats are checked by the operations themselves.)"""
        props = (self.defs.get(schema_name) or {}).get("properties") or {}
        if not isinstance(instance, dict):
            return instance, []
        extra: list[dict[str, str]] = []
        compressed = None
        for name, prop in props.items():
            value = instance.get(name)
            if not (isinstance(value, list) and len(value) > 1 and prop.get("type") == "array"
                    and (prop.get("items") or {}).get("type") == "string"
                    and all(isinstance(x, str) for x in value)):
                continue
            if "maxItems" in prop and len(value) > prop["maxItems"]:
                extra.append({"message": f"{len(value)} items: at most {prop['maxItems']} allowed",
                              "property": name})
            compressed = compressed or dict(instance)
            compressed[name] = value[:1]
        return (compressed if compressed is not None else instance), extra

    # -- operations ------------------------------------------------------------------------------
    def _index_operations(self):
        ops = []
        for path, item in self.doc.get("paths", {}).items():
            regex = "^" + re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$"
            for method, op in item.items():
                if method not in ("get", "post", "put", "delete", "patch"):
                    continue
                servers = op.get("servers") or item.get("servers") or self.doc.get("servers") or []
                host = urlparse(servers[0]["url"]).netloc if servers else ""
                schema_name = None
                content_types: list[str] = []
                rb = op.get("requestBody")
                if rb:
                    content_types = list(rb.get("content", {}))
                    js = rb.get("content", {}).get("application/json", {}).get("schema")
                    if js and "$ref" in js:
                        schema_name = js["$ref"][len(_REF):]
                ops.append({
                    "path": path, "method": method.upper(), "regex": re.compile(regex),
                    "operationId": op.get("operationId"), "host": host,
                    "request_schema": schema_name, "content_types": content_types,
                    "body_required": bool(rb and rb.get("required")),
                    "query_params": [p for p in (op.get("parameters") or []) if p.get("in") == "query"],
                    # literal paths win over templated ones (e.g. /richmenu/list vs /richmenu/{id})
                    "specificity": path.count("{"),
                })
        ops.sort(key=lambda o: o["specificity"])
        return ops

    def find_operation(self, method: str, path: str) -> tuple[dict | None, dict[str, str], bool]:
        """(operation, path params, path_exists_with_other_method)."""
        other = False
        for op in self._ops:
            m = op["regex"].match(path)
            if not m:
                continue
            if op["method"] == method.upper():
                return op, m.groupdict(), True
            other = True
        return None, {}, other


# --------------------------------------------------------------------------------------------------
# LINE
# --------------------------------------------------------------------------------------------------

#: Limits documented on https://developers.line.biz/en/reference/messaging-api/ that the OpenAPI file
#: does not encode.  Applied as extra ``allOf`` members of the named component schema.
LINE_DOC_LIMITS: dict[str, Any] = {
    "TextMessage": {"properties": {"text": {"minLength": 1, "x-maxUtf16Length": 5000}}},
    "TextMessageV2": {"properties": {"text": {"minLength": 1, "x-maxUtf16Length": 5000}}},
    "TemplateMessage": {"properties": {"altText": {"minLength": 1, "maxLength": 400}}},
    "FlexMessage": {"properties": {"altText": {"minLength": 1, "maxLength": 1500}}},
    "ImagemapMessage": {"properties": {"altText": {"minLength": 1, "maxLength": 400}}},
    "ButtonsTemplate": {"properties": {"text": {"minLength": 1, "maxLength": 160},
                                       "title": {"maxLength": 40},
                                       "actions": {"minItems": 1, "maxItems": 4}}},
    "ConfirmTemplate": {"properties": {"text": {"minLength": 1, "maxLength": 240},
                                       "actions": {"minItems": 2, "maxItems": 2}}},
    "CarouselTemplate": {"properties": {"columns": {"minItems": 1, "maxItems": 10}}},
    "CarouselColumn": {"properties": {"text": {"minLength": 1, "maxLength": 120},
                                      "title": {"maxLength": 40},
                                      "actions": {"minItems": 1, "maxItems": 3}}},
    "ImageCarouselTemplate": {"properties": {"columns": {"minItems": 1, "maxItems": 10}}},
    "FlexCarousel": {"properties": {"contents": {"minItems": 1, "maxItems": 12}}},
    "QuickReply": {"required": ["items"], "properties": {"items": {"minItems": 1}}},
    "QuickReplyItem": {"required": ["action"], "properties": {"type": {"const": "action"}}},
    "MessageAction": {"required": ["text"], "properties": {"text": {"minLength": 1, "maxLength": 300}}},
    "PostbackAction": {"required": ["data"],
                       "properties": {"displayText": {"maxLength": 300}, "text": {"maxLength": 300}}},
    "URIAction": {"required": ["uri"], "properties": {"uri": {"maxLength": 1000}}},
    "DatetimePickerAction": {"required": ["data", "mode"]},
    "RichMenuArea": {"required": ["bounds", "action"]},
    "FlexText": {"anyOf": [{"required": ["text"]}, {"required": ["contents"]}]},
    "ShowLoadingAnimationRequest": {"properties": {"loadingSeconds": {"minimum": 5, "maximum": 60,
                                                                      "multipleOf": 5}}},
    "RichMenuRequest": {
        "required": ["size", "selected", "name", "chatBarText", "areas"],
        "properties": {"areas": {"maxItems": 20},
                       "size": {"properties": {"width": {"minimum": 800, "maximum": 2500},
                                               "height": {"minimum": 250}}}},
    },
}

LINE_USER_ID = re.compile(r"^U[0-9a-f]{32}$")
LINE_TO_ID = re.compile(r"^[UCR][0-9a-f]{32}$")


def _label_len_errors(action: Any, where: str, limit: int, required: bool) -> list[dict[str, str]]:
    if not isinstance(action, dict):
        return []
    label = action.get("label")
    if label is None:
        if required:
            return [{"message": "must be specified", "property": f"{where}.label"}]
        return []
    if isinstance(label, str) and (len(label) > limit or len(label) == 0):
        return [{"message": f"Length must be between 1 and {limit}", "property": f"{where}.label"}]
    return []


def _walk_flex(node: Any, where: str, out: list) -> None:
    if isinstance(node, dict):
        if node.get("type") == "button" and isinstance(node.get("action"), dict):
            out.extend(_label_len_errors(node["action"], f"{where}.action", 40, False))
        for k, v in node.items():
            if k != "action":
                _walk_flex(v, f"{where}.{k}", out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _walk_flex(v, f"{where}[{i}]", out)


def line_context_checks(body: Any) -> list[dict[str, str]]:
    """Action-label limits that depend on where the action sits (documented, not in the OpenAPI):
    quick reply: required, <= 20; template actions <= 20 (image carousel <= 12); flex button <= 40;
    rich menu areas <= 20."""
    out: list[dict[str, str]] = []
    if not isinstance(body, dict):
        return out
    for i, msg in enumerate(body.get("messages") or []):
        if not isinstance(msg, dict):
            continue
        base = f"messages[{i}]"
        qr = msg.get("quickReply")
        if isinstance(qr, dict):
            for j, item in enumerate(qr.get("items") or []):
                if isinstance(item, dict):
                    out += _label_len_errors(item.get("action"), f"{base}.quickReply.items[{j}].action", 20, True)
        tpl = msg.get("template") if msg.get("type") == "template" else None
        if isinstance(tpl, dict):
            for j, a in enumerate(tpl.get("actions") or []):
                out += _label_len_errors(a, f"{base}.template.actions[{j}]", 20, True)
            for c, col in enumerate(tpl.get("columns") or []):
                if not isinstance(col, dict):
                    continue
                if tpl.get("type") == "image_carousel":
                    out += _label_len_errors(col.get("action"), f"{base}.template.columns[{c}].action", 12, False)
                for j, a in enumerate(col.get("actions") or []):
                    out += _label_len_errors(a, f"{base}.template.columns[{c}].actions[{j}]", 20, True)
        if msg.get("type") == "flex":
            _walk_flex(msg.get("contents"), f"{base}.contents", out)
    for k, area in enumerate(body.get("areas") or []):
        if isinstance(area, dict):
            out += _label_len_errors(area.get("action"), f"areas[{k}].action", 20, False)
    return out


@functools.lru_cache(maxsize=None)
def line_messaging_spec() -> OpenAPISpec:
    return OpenAPISpec(specs_dir() / "line" / "messaging-api.yml", patches=LINE_DOC_LIMITS)


@functools.lru_cache(maxsize=None)
def line_insight_spec() -> OpenAPISpec:
    """``insight.yml`` (statistics: per-unit aggregation, followers, demographics) of line-openapi."""
    return OpenAPISpec(specs_dir() / "line" / "insight.yml")


def check_query(op: dict, query: dict[str, str]) -> list[dict[str, str]]:
    """The query parameters of an operation against its spec: required ones present, strings within
    their pattern and lengths (LINE answers 400 otherwise)."""
    out: list[dict[str, str]] = []
    for p in op.get("query_params") or ():
        name, schema = p["name"], p.get("schema") or {}
        value = query.get(name)
        if value is None:
            if p.get("required"):
                out.append({"message": "required query parameter missing", "property": name})
            continue
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append({"message": f"does not match {schema['pattern']}", "property": name})
        if len(value) > schema.get("maxLength", 10**6) or len(value) < schema.get("minLength", 0):
            out.append({"message": "length out of range", "property": name})
    return out


@functools.lru_cache(maxsize=None)
def line_webhook_spec() -> OpenAPISpec:
    return OpenAPISpec(specs_dir() / "line" / "webhook.yml")


# --------------------------------------------------------------------------------------------------
# Telegram
# --------------------------------------------------------------------------------------------------

_LEN_RE = re.compile(r"(\d+)-(\d+) (characters|bytes)")
_CONST_RE = re.compile(r"(?:must be|always) [“\"]?([a-z_]+)[”\"]?")

HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
             "tg-emoji", "code", "pre", "blockquote", "tg-time"}
_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")


class EntityParseError(ValueError):
    pass


def parse_html(text: str) -> str:
    """Plain text of a Telegram-HTML string; raises EntityParseError like the Bot API would."""
    out = []
    stack: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "<":
            j = text.find(">", i)
            if j < 0:
                raise EntityParseError(f"Unsupported start tag at byte offset {len(text[:i].encode())}")
            tag = text[i + 1:j].strip()
            closing = tag.startswith("/")
            name = (tag[1:] if closing else tag).split()[0].lower() if tag.strip("/") else ""
            if name not in HTML_TAGS:
                raise EntityParseError(
                    f'Unsupported start tag "{name}" at byte offset {len(text[:i].encode())}')
            if closing:
                if not stack or stack[-1] != name:
                    raise EntityParseError(f'Unexpected end tag at byte offset {len(text[:i].encode())}')
                stack.pop()
            else:
                stack.append(name)
            i = j + 1
        elif ch == "&":
            m = re.match(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);", text[i:])
            if not m:
                # Telegram tolerates a bare & that isn't an entity, keep it literal
                out.append("&")
                i += 1
            else:
                out.append(html.unescape(m.group(0)))
                i += len(m.group(0))
        elif ch == ">":
            out.append(">")
            i += 1
        else:
            out.append(ch)
            i += 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def parse_markdown_v2(text: str) -> str:
    """Approximate MarkdownV2 parser: reserved characters must be escaped outside code, formatting
    markers must be balanced.  Returns the plain text."""
    out = []
    open_marks: list[str] = []
    i = 0
    n = len(text)
    link_depth = 0
    while i < n:
        ch = text[i]
        if ch == "\\":
            if i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            raise EntityParseError("Character '\\' is reserved and must be escaped with the preceding '\\'")
        if ch == "`":
            fence = "```" if text.startswith("```", i) else "`"
            j = i + len(fence)
            buf = []
            while j < n and not text.startswith(fence, j):
                if text[j] == "\\" and j + 1 < n:
                    buf.append(text[j + 1])
                    j += 2
                    continue
                buf.append(text[j])
                j += 1
            if j >= n:
                raise EntityParseError("Can't find end of Pre entity" if fence == "```" else
                                       "Can't find end of Code entity")
            body = "".join(buf)
            if fence == "```" and "\n" in body:
                first, rest = body.split("\n", 1)
                if first and re.fullmatch(r"[\w+-]+", first):
                    body = rest
            out.append(body)
            i = j + len(fence)
            continue
        if ch == "]" and link_depth and i + 1 < n and text[i + 1] == "(":
            j = text.find(")", i)
            while j > 0 and text[j - 1] == "\\":
                j = text.find(")", j + 1)
            if j < 0:
                raise EntityParseError("Can't find end of a URL")
            link_depth -= 1
            i = j + 1
            continue
        if ch == "[":
            link_depth += 1
            i += 1
            continue
        if ch == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1
            continue
        mark = None
        for m in ("||", "__", "*", "_", "~"):
            if text.startswith(m, i):
                mark = m
                break
        if mark:
            if open_marks and open_marks[-1] == mark:
                open_marks.pop()
            elif mark in open_marks:
                raise EntityParseError(f"Can't find end of {mark} entity")
            else:
                open_marks.append(mark)
            i += len(mark)
            continue
        if ch in _MDV2_RESERVED:
            raise EntityParseError(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")
        out.append(ch)
        i += 1
    if open_marks or link_depth:
        raise EntityParseError(f"Can't find end of the entity starting at byte offset {len(text.encode())}")
    return "".join(out)


def parse_markdown_legacy(text: str) -> str:
    for m in ("*", "_", "`"):
        if text.replace("\\" + m, "").count(m) % 2:
            raise EntityParseError(f"Can't find end of the entity starting with {m}")
    return re.sub(r"\\(.)|[*_`]", lambda mo: mo.group(1) or "", text)


def plain_text(text: str, parse_mode: Any) -> str:
    if not parse_mode:
        return text
    if not isinstance(parse_mode, str):
        raise EntityParseError("Unsupported parse_mode")
    mode = parse_mode.lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown_legacy(text)
    raise EntityParseError(f"Unsupported parse_mode {parse_mode!r}")


class FormFile:
    """An uploaded file in a multipart request (stands for Telegram's InputFile)."""

    def __init__(self, filename: str | None, data: bytes, content_type: str | None = None):
        self.filename = filename
        self.data = data
        self.content_type = content_type

    def __repr__(self) -> str:
        return f"FormFile({self.filename!r}, {len(self.data)} bytes)"




class TelegramSpec:
    def __init__(self, path: Path):
        with open(path, encoding="utf-8") as fh:
            self.doc = json.load(fh)
        self.methods: dict[str, dict] = self.doc["methods"]
        self.types: dict[str, dict] = self.doc["types"]
        self._methods_lower = {k.lower(): k for k in self.methods}
        self.version = self.doc.get("version")

    def method_name(self, name: str) -> str | None:
        """Canonical method name (the Bot API matches method names case-insensitively)."""
        return self._methods_lower.get(name.lower())

    # ---- values --------------------------------------------------------------------------------
    def _coerce(self, value: Any, types: list[str], form: bool) -> Any:
        """Decode a form-field / lenient JSON value to the type the field expects."""
        if not isinstance(value, str):
            return value
        if "String" in types or any(t in ("InputFile",) for t in types):
            if types == ["Integer", "String"] and re.fullmatch(r"-?\d+", value):
                return int(value)
            return value
        if "Integer" in types and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        if "Float" in types:
            try:
                return float(value)
            except ValueError:
                pass
        if "Boolean" in types and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        if any(t.startswith("Array of") or t in self.types for t in types):
            try:
                return json.loads(value)
            except ValueError:
                return _JSONError(value)
        return value

    def _check_value(self, value: Any, types: list[str], where: str, desc: str = "") -> list[str]:
        if isinstance(value, _JSONError):
            return [f"{where}: can't parse JSON object"]
        best: list[str] | None = None
        for t in types:
            errs = self._check_one(value, t, where)
            if not errs:
                errs = self._check_desc(value, t, where, desc)
                if not errs:
                    return []
            if best is None or len(errs) < len(best):
                best = errs
        return best or [f"{where}: wrong type"]

    def _check_desc(self, value: Any, t: str, where: str, desc: str) -> list[str]:
        if t != "String" or not isinstance(value, str) or not desc:
            return []
        m = _LEN_RE.search(desc)
        if m and "after entities parsing" not in desc:
            lo, hi, unit = int(m.group(1)), int(m.group(2)), m.group(3)
            n = len(value.encode("utf-8")) if unit == "bytes" else utf16_len(value)
            if not lo <= n <= hi:
                return [f"{where}: must be {lo}-{hi} {unit}, got {n}"]
        return []

    def _check_one(self, value: Any, t: str, where: str) -> list[str]:
        if t.startswith("Array of "):
            inner = t[len("Array of "):]
            if not isinstance(value, list):
                return [f"{where}: expected an array"]
            out = []
            for i, v in enumerate(value):
                out += self._check_value(v, [inner], f"{where}[{i}]")
            return out
        if t == "Integer":
            return [] if isinstance(value, int) and not isinstance(value, bool) else [f"{where}: expected Integer"]
        if t == "Float":
            return [] if isinstance(value, (int, float)) and not isinstance(value, bool) else [f"{where}: expected Float"]
        if t == "Boolean":
            return [] if isinstance(value, bool) else [f"{where}: expected Boolean"]
        if t == "String":
            return [] if isinstance(value, str) else [f"{where}: expected String"]
        if t == "InputFile":
            return [] if isinstance(value, FormFile) else [f"{where}: expected an uploaded file"]
        if t in self.types:
            return self.check_object(value, t, where)
        return [f"{where}: unknown type {t}"]

    def check_object(self, value: Any, type_name: str, where: str = "") -> list[str]:
        tdef = self.types[type_name]
        subtypes = tdef.get("subtypes")
        if subtypes:
            best: list[str] | None = None
            for st in subtypes:
                errs = self._check_one(value, st, where)
                if not errs:
                    return []
                if best is None or len(errs) < len(best):
                    best = errs
            return best or []
        if type_name == "InputFile":
            return [] if isinstance(value, FormFile) else [f"{where}: expected an uploaded file"]
        if not isinstance(value, dict):
            return [f"{where or type_name}: expected a {type_name} object"]
        return self._check_fields(value, tdef.get("fields") or [], where, type_name)

    def _check_fields(self, params: dict, fields: list[dict], where: str, owner: str) -> list[str]:
        errs: list[str] = []
        known = {f["name"]: f for f in fields}
        prefix = f"{where}." if where else ""
        for name in params:
            if name not in known:
                errs.append(f"{prefix}{name}: unknown field for {owner}")
        for f in fields:
            name = f["name"]
            if name not in params or params[name] is None:
                if f["required"]:
                    errs.append(f"{prefix}{name}: required field missing")
                continue
            val = params[name]
            if name == "type" and f["types"] == ["String"]:
                m = _CONST_RE.search(f.get("description", ""))
                if m and val != m.group(1):
                    errs.append(f"{prefix}type: must be {m.group(1)!r}")
                    continue
            errs += self._check_value(val, f["types"], f"{prefix}{name}", f.get("description", ""))
        errs += self._type_rules(owner, params, where)
        return errs

    def _type_rules(self, owner: str, obj: dict, where: str) -> list[str]:
        prefix = f"{where}." if where else ""
        if owner == "InlineKeyboardButton":
            actions = [k for k in obj if k not in ("text", "icon_custom_emoji_id", "style")]
            if len(actions) != 1:
                return [f"{where}: exactly one of the optional fields must be used, got {actions}"]
        if owner == "BotCommand":
            cmd = obj.get("command")
            if isinstance(cmd, str) and not re.fullmatch(r"[a-z0-9_]{1,32}", cmd):
                return [f"{prefix}command: can contain only lowercase English letters, digits and underscores"]
        return []

    # ---- methods -------------------------------------------------------------------------------
    def check_method(self, method: str, params: dict[str, Any], form: bool) -> tuple[dict, list[str]]:
        """Returns (decoded params, errors). ``form``: values came as form fields (strings)."""
        mdef = self.methods[method]
        fields = mdef.get("fields") or []
        ftypes = {f["name"]: f["types"] for f in fields}
        decoded: dict[str, Any] = {}
        for k, v in params.items():
            decoded[k] = self._coerce(v, ftypes.get(k, ["String"]), form) if k in ftypes else v
        errs = self._check_fields(decoded, fields, "", method)
        errs += self._method_rules(method, decoded, fields)
        return decoded, errs

    def _method_rules(self, method: str, p: dict, fields: list[dict]) -> list[str]:
        errs = []
        for f in fields:
            desc = f.get("description", "")
            if "after entities parsing" in desc and isinstance(p.get(f["name"]), str):
                m = _LEN_RE.search(desc)
                mode_field = "parse_mode" if f["name"] in ("text", "caption", "question",
                                                           "explanation") else f"{f['name']}_parse_mode"
                try:
                    plain = plain_text(p[f["name"]], p.get(mode_field) or p.get("parse_mode"))
                except EntityParseError as exc:
                    errs.append(f"can't parse entities: {exc}")
                    continue
                if m:
                    lo, hi = int(m.group(1)), int(m.group(2))
                    n = utf16_len(plain.strip())
                    if n < lo:
                        errs.append(f"{f['name']} must be non-empty" if lo == 1 else
                                    f"{f['name']}: at least {lo} characters")
                    elif n > hi:
                        errs.append(f"{f['name']} is too long ({n} > {hi} characters)")
        return errs


class _JSONError(str):
    pass


@functools.lru_cache(maxsize=None)
def telegram_spec() -> TelegramSpec:
    return TelegramSpec(specs_dir() / "telegram" / "api.json")
