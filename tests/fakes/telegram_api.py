"""A fake Telegram Bot API that validates every call against ``api.json``.

Serves ``/bot<TOKEN>/<method>`` (GET or POST; JSON, form-urlencoded or multipart bodies — PTB 22
sends ``application/x-www-form-urlencoded`` with every non-string value JSON-encoded, and multipart
when uploading files) and ``/file/bot<TOKEN>/<file_path>``.

Checks (failures answer like Telegram *and* are appended to ``fake.violations``):
  * token known (401 ``Unauthorized``), method exists in api.json (404 ``Not Found``);
  * parameters: required present, no unknown ones, types incl. nested objects (``reply_markup``...),
    documented lengths ("1-4096 characters" after entity parsing, callback_data 1-64 bytes...),
    HTML / MarkdownV2 parse errors -> 400 ``Bad Request: ...``;
  * ``editMessage*`` on a message the bot never sent -> 400 ``message to edit not found``; editing
    to identical content -> 400 ``message is not modified`` (these two are *not* violations: they are
    normal API answers a bot must handle).

Behaviour: ``block(chat_id)`` -> 403 ``Forbidden: bot was blocked by the user`` for that chat;
optional rate limits (30 messages/s overall, 1/s per chat) -> 429 with ``parameters.retry_after``;
optional fault injection (429 / 500, seeded).  A message to a chat sooner than the ``retry_after`` of
a 429 about that chat is answered 429 again *and* recorded as a violation (kind ``retry_after``), as a
bot that ignores ``retry_after`` gets itself banned for longer.  ``getUpdates`` serves updates queued with
``queue_update`` (long poll honours ``timeout``) and answers 409 while a webhook is set.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import threading
import time
import uuid
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import Faults, TokenBucket, json_response
from .spec import FormFile, telegram_spec

#: methods that count as "messages" for rate limiting
_MESSAGE_METHODS_PREFIX = ("send", "copyMessage", "forwardMessage")
_CHAT_METHODS_PREFIX = ("send", "edit", "copyMessage", "forwardMessage", "deleteMessage",
                        "answerCallbackQuery", "pinChatMessage")


class FakeTelegram:
    def __init__(self, token: str = "123456789:TEST-khruakhai-fake-token", *,
                 bot_id: int | None = None, bot_username: str = "khruakhai_test_bot",
                 bot_name: str = "Khruakhai Test",
                 rate_limits: bool = False, global_rate: float = 30.0, per_chat_rate: float = 1.0,
                 per_chat_burst: float = 1.0,
                 fail_429: float = 0.0, fail_500: float = 0.0, seed: int = 0, retry_after: int | None = None):
        self.token = token
        self.tokens = {token}
        prefix = token.split(":")[0]
        self.bot_id = bot_id or (int(prefix) if prefix.isdigit() else 1)
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.spec = telegram_spec()
        self.rate_limits = rate_limits
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.per_chat_burst = per_chat_burst
        self.fixed_retry_after = retry_after
        self.faults = Faults(fail_429, fail_500, 0.0, seed)
        self.url = ""
        self._lock = threading.RLock()
        self.app = Starlette(routes=[
            Route("/bot{token}/{method}", self._handle, methods=["GET", "POST"]),
            Route("/file/bot{token}/{file_path:path}", self._file, methods=["GET"]),
            Route("/__fake/{what}", self._control, methods=["GET", "POST"]),
        ])
        self.reset()

    # ------------------------------------------------------------------ test-facing API
    @property
    def base_url(self) -> str:
        """Pass to ``telegram.Bot(token, base_url=fake.base_url, base_file_url=fake.base_file_url)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def reset(self) -> None:
        with self._lock:
            self.calls: list[dict[str, Any]] = []
            self.violations: list[dict[str, Any]] = []
            self.delivered: dict[int | str, list[dict]] = defaultdict(list)
            self.deliveries: list[dict[str, Any]] = []
            self.messages: dict[tuple[Any, int], dict] = {}
            self.edits: list[dict[str, Any]] = []
            self.callback_answers: list[dict[str, Any]] = []
            self.chat_actions: list[dict[str, Any]] = []
            self.commands: dict[str, list[dict]] = {}
            self.blocked: set[Any] = set()
            self.chats: dict[Any, dict] = {}
            self.files: dict[str, dict[str, Any]] = {}
            self.webhook: dict[str, Any] = {"url": ""}
            self.updates: list[dict] = []
            self._next_update_id = 100000
            self._next_message_id: dict[Any, int] = defaultdict(lambda: 1000)
            self._global_bucket = TokenBucket(self.global_rate, self.global_rate)
            self._chat_buckets: dict[Any, TokenBucket] = {}
            self._retry_after_until: dict[Any, float] = {}  # chat -> monotonic time its 429 ends
            self.faults.reset()
            self.expect_violations: bool | set[str] = False

    def allow_violations(self, *kinds: str) -> None:
        """Excuse all violations of this test, or only the given kinds
        (auth, method, body, params, retry_after, unimplemented)."""
        if not kinds:
            self.expect_violations = True
        elif self.expect_violations is not True:
            self.expect_violations = set(self.expect_violations or ()) | set(kinds)

    def unexpected_violations(self) -> list[dict[str, Any]]:
        if self.expect_violations is True:
            return []
        allowed = self.expect_violations or set()
        return [v for v in self.violations if v["kind"] not in allowed]

    def block(self, chat_id: int | str) -> None:
        self.blocked.add(chat_id)

    def unblock(self, chat_id: int | str) -> None:
        self.blocked.discard(chat_id)

    def add_chat(self, chat_id: int, *, first_name: str = "ทดสอบ", username: str | None = None,
                 type: str | None = None, title: str | None = None) -> dict:
        chat: dict[str, Any] = {"id": chat_id, "type": type or ("private" if chat_id > 0 else "supergroup")}
        if chat["type"] == "private":
            chat["first_name"] = first_name
            if username:
                chat["username"] = username
        else:
            chat["title"] = title or "กลุ่มทดสอบ"
        self.chats[chat_id] = chat
        return chat

    def add_file(self, data: bytes, *, file_id: str | None = None, file_path: str | None = None) -> str:
        """Register a file; getFile(file_id) returns its path and /file/bot<TOKEN>/<path> serves it."""
        file_id = file_id or "AgAC" + uuid.uuid4().hex
        self.files[file_id] = {"data": data, "file_path": file_path or f"photos/{file_id[-12:]}.jpg",
                               "file_unique_id": uuid.uuid4().hex[:16]}
        return file_id

    def queue_update(self, update: dict) -> dict:
        """Queue an Update for getUpdates; assigns ``update_id`` if missing."""
        with self._lock:
            if "update_id" not in update:
                update = {"update_id": self._next_update_id, **update}
            self._next_update_id = max(self._next_update_id, update["update_id"]) + 1
            self.updates.append(update)
        return update

    def messages_to(self, chat_id: int | str) -> list[dict]:
        return list(self.delivered.get(chat_id, []))

    def texts_to(self, chat_id: int | str) -> list[str]:
        return [m.get("text", "") for m in self.delivered.get(chat_id, [])]

    def calls_to(self, method: str) -> list[dict]:
        return [c for c in self.calls if c["method"] == method]

    def summary(self) -> dict[str, Any]:
        with self._lock:
            status: dict[str, int] = defaultdict(int)
            by_m: dict[str, int] = defaultdict(int)
            for c in self.calls:
                status[str(c["status"])] += 1
                by_m[str(c["method"])] += 1
            return {"calls": len(self.calls), "status_counts": dict(status), "method_counts": dict(by_m),
                    "violations": self.violations, "deliveries": len(self.deliveries),
                    "recipients": len(self.delivered),
                    "delivered_counts": {str(k): len(v) for k, v in self.delivered.items()}}

    # ------------------------------------------------------------------ HTTP
    async def _parse(self, request: Request) -> tuple[dict[str, Any], bool, str | None]:
        """(params, came_as_form, error)."""
        params: dict[str, Any] = dict(request.query_params)
        ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if request.method == "GET" or not ctype:
            body = await request.body()
            if body and not ctype:
                return params, True, "request has a body but no Content-Type"
            return params, True, None
        if ctype == "application/json":
            raw = await request.body()
            if not raw:
                return params, False, None
            try:
                data = json.loads(raw)
            except ValueError:
                return params, False, "can't parse JSON body"
            if not isinstance(data, dict):
                return params, False, "JSON body must be an object"
            params.update(data)
            return params, False, None
        if ctype == "application/x-www-form-urlencoded":
            raw = (await request.body()).decode("utf-8")
            params.update(dict(parse_qsl(raw, keep_blank_values=True)))
            return params, True, None
        if ctype == "multipart/form-data":
            form = await request.form()
            for k, v in form.multi_items():
                if hasattr(v, "read"):
                    params[k] = FormFile(v.filename, await v.read(), v.content_type)
                else:
                    params[k] = v
            return params, True, None
        return params, True, f"unsupported Content-Type {ctype}"

    def _reply(self, call: dict, status: int, body: dict) -> Response:
        call["status"] = status
        call["response"] = body
        return json_response(body, status)

    def _error(self, call: dict, status: int, description: str, violation: bool = True,
               parameters: dict | None = None, kind: str = "params") -> Response:
        if violation:
            self.violations.append({"kind": kind, "method": call["method"], "description": description,
                                    "params": call.get("params")})
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return self._reply(call, status, body)

    def _too_many(self, call: dict, chat_id: Any, retry_after: int) -> Response:
        if chat_id is not None:
            self._retry_after_until[chat_id] = time.monotonic() + retry_after
        return self._error(call, 429, f"Too Many Requests: retry after {retry_after}", violation=False,
                           parameters={"retry_after": retry_after})

    async def _handle(self, request: Request) -> Response:
        token = request.path_params["token"]
        method_raw = request.path_params["method"]
        params, form, perr = await self._parse(request)
        call: dict[str, Any] = {"seq": len(self.calls), "at": time.time(), "method": method_raw,
                                "status": None, "params": _jsonable(params), "form": form,
                                "content_type": request.headers.get("content-type")}
        self.calls.append(call)
        if token not in self.tokens:
            return self._error(call, 401, "Unauthorized", kind="auth")
        method = self.spec.method_name(method_raw)
        if method is None:
            return self._error(call, 404, "Not Found", kind="method")
        call["method"] = method
        if perr:
            return self._error(call, 400, f"Bad Request: {perr}", kind="body")
        if method == "getUpdates":
            return await self._get_updates(call, params, form)
        with self._lock:
            return self._dispatch(call, method, params, form)

    def _dispatch(self, call: dict, method: str, params: dict, form: bool) -> Response:
        # multipart parts referenced as "attach://<name>" (sendMediaGroup, InputMedia...) are not params
        texts = [v for v in params.values() if isinstance(v, str) and "attach://" in v]
        attached = {k for k, v in params.items() if isinstance(v, FormFile)
                    and any(f"attach://{k}" in t for t in texts)}
        if attached:
            call["attachments"] = sorted(attached)
            params = {k: v for k, v in params.items() if k not in attached}
        decoded, errs = self.spec.check_method(method, params, form)
        call["params"] = _jsonable(decoded)
        if errs:
            return self._error(call, 400, "Bad Request: " + "; ".join(errs))
        chat_id = decoded.get("chat_id")
        if chat_id is not None and method.startswith(_CHAT_METHODS_PREFIX):
            if isinstance(chat_id, str) and not chat_id.startswith("@"):
                return self._error(call, 400, "Bad Request: chat not found")
            if chat_id in self.blocked:
                return self._error(call, 403, "Forbidden: bot was blocked by the user", violation=False)
        if method.startswith(_MESSAGE_METHODS_PREFIX):
            until = self._retry_after_until.get(chat_id) if chat_id is not None else None
            if until is not None and time.monotonic() < until:
                n = max(1, math.ceil(until - time.monotonic()))
                self.violations.append({"kind": "retry_after", "method": method, "params": call["params"],
                                        "description": f"sent to chat {chat_id} before its retry_after ran out"})
                return self._too_many(call, chat_id, n)
            if self.rate_limits:
                wait = self._global_bucket.take()
                if not wait and chat_id is not None:
                    b = self._chat_buckets.get(chat_id)
                    if b is None:
                        b = self._chat_buckets[chat_id] = TokenBucket(self.per_chat_rate, self.per_chat_burst)
                    wait = b.take()
                if wait:
                    return self._too_many(call, chat_id, self.fixed_retry_after or max(1, math.ceil(wait)))
            fault = self.faults.draw()
            if fault == "429":
                return self._too_many(call, chat_id, self.fixed_retry_after or 1)
            if fault == "500":
                return self._error(call, 500, "Internal Server Error", violation=False)
        handler = getattr(self, "_m_" + method, None)
        if handler is not None:
            return handler(call, decoded)
        if method.startswith("send") and self.spec.methods[method].get("returns") == ["Message"]:
            return self._send_generic(call, decoded, method)
        if self.spec.methods[method].get("returns") == ["Boolean"]:
            return self._reply(call, 200, {"ok": True, "result": True})
        self.violations.append({"kind": "unimplemented", "method": method,
                                "description": "not implemented by the fake",
                                "params": call["params"]})
        return self._reply(call, 501, {"ok": False, "error_code": 501,
                                       "description": f"{method} is not implemented by the fake"})

    # ------------------------------------------------------------------ objects
    def _bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_name, "username": self.bot_username}

    def _chat(self, chat_id: Any) -> dict:
        if chat_id in self.chats:
            return self.chats[chat_id]
        if isinstance(chat_id, str):
            return {"id": -1000000000000 - (abs(hash(chat_id)) % 10**9), "type": "channel",
                    "title": chat_id, "username": chat_id.lstrip("@")}
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "ทดสอบ"}
        return {"id": chat_id, "type": "supergroup" if str(chat_id).startswith("-100") else "group",
                "title": "กลุ่มทดสอบ"}

    def _new_message(self, chat_id: Any, fields: dict) -> dict:
        self._next_message_id[chat_id] += 1
        msg = {"message_id": self._next_message_id[chat_id], "from": self._bot_user(),
               "chat": self._chat(chat_id), "date": int(time.time()), **fields}
        self.messages[(chat_id, msg["message_id"])] = msg
        self.delivered[chat_id].append(msg)
        self.deliveries.append({"seq": len(self.deliveries), "at": time.time(), "chat_id": chat_id,
                                "message_id": msg["message_id"], "text": msg.get("text") or msg.get("caption")})
        return msg

    @staticmethod
    def _markup(p: dict) -> dict:
        rm = p.get("reply_markup")
        if isinstance(rm, dict) and "inline_keyboard" in rm:
            return {"reply_markup": rm}
        return {}

    # ------------------------------------------------------------------ methods
    def _m_getMe(self, call, p):
        return self._reply(call, 200, {"ok": True, "result": {
            **self._bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}})

    def _m_sendMessage(self, call, p):
        fields: dict[str, Any] = {"text": p["text"]}
        if p.get("entities"):
            fields["entities"] = p["entities"]
        fields.update(self._markup(p))
        msg = self._new_message(p["chat_id"], fields)
        return self._reply(call, 200, {"ok": True, "result": msg})

    def _m_sendPhoto(self, call, p):
        photo = p["photo"]
        fid = photo if isinstance(photo, str) and photo in self.files else "AgAC" + uuid.uuid4().hex
        if isinstance(photo, FormFile):
            self.files[fid] = {"data": photo.data, "file_path": f"photos/{fid[-12:]}.jpg",
                               "file_unique_id": uuid.uuid4().hex[:16]}
        fields: dict[str, Any] = {"photo": [{"file_id": fid, "file_unique_id": fid[-16:], "width": 320,
                                             "height": 240, "file_size": 1000}]}
        if p.get("caption"):
            fields["caption"] = p["caption"]
        fields.update(self._markup(p))
        msg = self._new_message(p["chat_id"], fields)
        return self._reply(call, 200, {"ok": True, "result": msg})

    def _send_generic(self, call, p, method):
        fields = {k: v for k, v in p.items() if k in ("caption",) and isinstance(v, str)}
        fields.update(self._markup(p))
        chat_id = p.get("chat_id", 0)
        msg = self._new_message(chat_id, fields)
        return self._reply(call, 200, {"ok": True, "result": msg})

    def _m_sendMediaGroup(self, call, p):
        msgs = []
        group = str(uuid.uuid4().int % 10**18)
        for item in p["media"]:
            fields: dict[str, Any] = {"media_group_id": group}
            if isinstance(item, dict) and item.get("caption"):
                fields["caption"] = item["caption"]
            if isinstance(item, dict) and item.get("type") == "photo":
                fid = "AgAC" + uuid.uuid4().hex
                fields["photo"] = [{"file_id": fid, "file_unique_id": fid[-16:], "width": 320, "height": 240}]
            msgs.append(self._new_message(p["chat_id"], fields))
        return self._reply(call, 200, {"ok": True, "result": msgs})

    def _find_for_edit(self, call, p) -> tuple[dict | None, Response | None]:
        if p.get("inline_message_id"):
            return None, None
        if p.get("chat_id") is None or p.get("message_id") is None:
            return None, self._error(call, 400, "Bad Request: message identifier is not specified")
        msg = self.messages.get((p["chat_id"], p["message_id"]))
        if msg is None:
            return None, self._error(call, 400, "Bad Request: message to edit not found", violation=False)
        return msg, None

    def _m_editMessageText(self, call, p):
        msg, err = self._find_for_edit(call, p)
        if err:
            return err
        if msg is None:
            return self._reply(call, 200, {"ok": True, "result": True})
        new_markup = self._markup(p).get("reply_markup")
        if msg.get("text") == p["text"] and msg.get("reply_markup") == new_markup:
            return self._error(call, 400, "Bad Request: message is not modified: specified new message "
                               "content and reply markup are exactly the same as a current content and "
                               "reply markup of the message", violation=False)
        msg["text"] = p["text"]
        msg["edit_date"] = int(time.time())
        if new_markup:
            msg["reply_markup"] = new_markup
        else:
            msg.pop("reply_markup", None)
        self.edits.append({"chat_id": p["chat_id"], "message_id": p["message_id"], "text": p["text"]})
        return self._reply(call, 200, {"ok": True, "result": msg})

    def _m_editMessageReplyMarkup(self, call, p):
        msg, err = self._find_for_edit(call, p)
        if err:
            return err
        if msg is None:
            return self._reply(call, 200, {"ok": True, "result": True})
        new_markup = self._markup(p).get("reply_markup")
        if msg.get("reply_markup") == new_markup:
            return self._error(call, 400, "Bad Request: message is not modified: specified new message "
                               "content and reply markup are exactly the same as a current content and "
                               "reply markup of the message", violation=False)
        if new_markup:
            msg["reply_markup"] = new_markup
        else:
            msg.pop("reply_markup", None)
        msg["edit_date"] = int(time.time())
        self.edits.append({"chat_id": p["chat_id"], "message_id": p["message_id"], "reply_markup": new_markup})
        return self._reply(call, 200, {"ok": True, "result": msg})

    def _m_deleteMessage(self, call, p):
        if self.messages.pop((p["chat_id"], p["message_id"]), None) is None:
            return self._error(call, 400, "Bad Request: message to delete not found", violation=False)
        return self._reply(call, 200, {"ok": True, "result": True})

    def _m_answerCallbackQuery(self, call, p):
        self.callback_answers.append(dict(p))
        return self._reply(call, 200, {"ok": True, "result": True})

    def _m_sendChatAction(self, call, p):
        self.chat_actions.append(dict(p))
        return self._reply(call, 200, {"ok": True, "result": True})

    def _m_setWebhook(self, call, p):
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            return self._error(call, 400, "Bad Request: secret token contains unallowed characters")
        url = p["url"]
        if url and not url.startswith("https://"):
            # the real API refuses plain http webhooks
            return self._error(call, 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if p.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = {"url": url, "secret_token": secret, "allowed_updates": p.get("allowed_updates"),
                        "max_connections": p.get("max_connections", 40)}
        return self._reply(call, 200, {"ok": True, "result": True, "description": "Webhook was set"})

    def _m_deleteWebhook(self, call, p):
        if p.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = {"url": ""}
        return self._reply(call, 200, {"ok": True, "result": True, "description": "Webhook was deleted"})

    def _m_getWebhookInfo(self, call, p):
        info: dict[str, Any] = {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                                "pending_update_count": len(self.updates)}
        if self.webhook.get("url"):
            info["max_connections"] = self.webhook.get("max_connections") or 40
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return self._reply(call, 200, {"ok": True, "result": info})

    def _m_setMyCommands(self, call, p):
        key = json.dumps([p.get("scope") or {"type": "default"}, p.get("language_code") or ""], sort_keys=True)
        self.commands[key] = p["commands"]
        return self._reply(call, 200, {"ok": True, "result": True})

    def _m_getMyCommands(self, call, p):
        key = json.dumps([p.get("scope") or {"type": "default"}, p.get("language_code") or ""], sort_keys=True)
        return self._reply(call, 200, {"ok": True, "result": self.commands.get(key, [])})

    def _m_deleteMyCommands(self, call, p):
        key = json.dumps([p.get("scope") or {"type": "default"}, p.get("language_code") or ""], sort_keys=True)
        self.commands.pop(key, None)
        return self._reply(call, 200, {"ok": True, "result": True})

    def _m_getFile(self, call, p):
        f = self.files.get(p["file_id"])
        if f is None:
            return self._error(call, 400, "Bad Request: invalid file_id", violation=False)
        return self._reply(call, 200, {"ok": True, "result": {
            "file_id": p["file_id"], "file_unique_id": f["file_unique_id"], "file_size": len(f["data"]),
            "file_path": f["file_path"]}})

    async def _get_updates(self, call, params, form):
        with self._lock:
            decoded, errs = self.spec.check_method("getUpdates", params, form)
            call["params"] = _jsonable(decoded)
            if errs:
                return self._error(call, 400, "Bad Request: " + "; ".join(errs))
            if self.webhook.get("url"):
                return self._error(call, 409, "Conflict: can't use getUpdates method while webhook is "
                                   "active; use deleteWebhook to delete the webhook first", violation=False)
        offset = decoded.get("offset")
        limit = decoded.get("limit") or 100
        timeout = float(decoded.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if offset is not None:
                    if offset < 0:
                        self.updates = self.updates[offset:]
                    else:
                        self.updates = [u for u in self.updates if u["update_id"] >= offset]
                allowed = decoded.get("allowed_updates")
                out = [u for u in self.updates
                       if not allowed or any(k in u for k in allowed)][:limit]
            if out or time.monotonic() >= deadline:
                return self._reply(call, 200, {"ok": True, "result": out})
            await asyncio.sleep(0.02)

    async def _file(self, request: Request) -> Response:
        if request.path_params["token"] not in self.tokens:
            return json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        path = request.path_params["file_path"]
        for f in self.files.values():
            if f["file_path"] == path:
                return Response(f["data"], media_type="application/octet-stream")
        return json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    # ------------------------------------------------------------------ control plane
    async def _control(self, request: Request) -> Response:
        what = request.path_params["what"]
        q = request.query_params
        if what == "state":
            return json_response(self.summary())
        if what == "deliveries":
            since = int(q.get("since", 0))
            with self._lock:
                items = self.deliveries[since:]
            return json_response({"next": since + len(items), "items": items})
        if what == "calls":
            since = int(q.get("since", 0))
            with self._lock:
                items = self.calls[since:]
            return json_response({"next": since + len(items), "items": _jsonable(items)})
        if what == "violations":
            return json_response(self.violations)
        if what == "reset" and request.method == "POST":
            self.reset()
            return json_response({"ok": True})
        if what == "block" and request.method == "POST":
            self.block((await request.json())["chat_id"])
            return json_response({"ok": True})
        if what == "update" and request.method == "POST":
            return json_response(self.queue_update(await request.json()))
        return json_response({"message": "unknown control endpoint"}, 404)


def _jsonable(v: Any) -> Any:
    if isinstance(v, FormFile):
        return repr(v)
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    return v
