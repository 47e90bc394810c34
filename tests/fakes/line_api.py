"""A fake LINE Messaging API (api.line.me + api-data.line.me) that validates every request.

One ASGI app serves both hosts: ``fake.url`` stands for ``https://api.line.me`` and ``fake.data_url``
(= ``fake.url + "/__data"``) for ``https://api-data.line.me``.  An operation called on the wrong host
answers 404 and is recorded as a violation, so a bot that mixes up the two base URLs fails its tests.

What is checked on every call (failures answer like LINE *and* are appended to ``fake.violations``):
  * the path/method is an operation of ``messaging-api.yml`` (404 otherwise);
  * ``Authorization: Bearer <access_token>`` (401);
  * the JSON body against the operation's request schema with discriminators resolved, plus the
    documented limits in :data:`tests.fakes.spec.LINE_DOC_LIMITS` and action-label limits (400 with
    ``{"message": ..., "details": [{"message", "property"}]}``);
  * ``X-Line-Retry-Key`` is a UUID and only sent to push/multicast/narrowcast/broadcast; a key seen in
    the last 24 h answers 409 with ``x-line-accepted-request-id`` and delivers nothing;
  * reply tokens: must have been issued by the test (``issue_reply_token``/``register_reply_token``),
    single use, expire after ``reply_token_ttl`` seconds (60) -> 400 ``Invalid reply token``;
  * push ``to`` must look like a LINE id (``[UCR]`` + 32 hex), multicast ids like ``U`` + 32 hex.

Documented simplifications: a push to a user marked ``block()``-ed answers 200 and delivers nothing
(recorded in ``fake.undelivered``); multicast silently skips blocked users (as LINE does); broadcast
and narrowcast are recorded under the pseudo-recipients ``"__broadcast__"`` / ``"__narrowcast__"``.
The ``/v2/bot/message/validate/*`` endpoints answer 400 for invalid messages without recording a
violation (that is their purpose).  Spec operations that are not implemented answer 501 and are
recorded in ``fake.unimplemented``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import defaultdict
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import Faults, TokenBucket, json_response
from .spec import LINE_TO_ID, LINE_USER_ID, check_query, line_context_checks, line_insight_spec, line_messaging_spec

DATA_PREFIX = "/__data"
API_HOST = "api.line.me"
DATA_HOST = "api-data.line.me"

#: (requests per second, burst) per operationId when rate limits are on.
DEFAULT_RATE_LIMITS: dict[str, tuple[float, float]] = {
    "multicast": (200.0, 200.0),
    "pushMessage": (2000.0, 2000.0),
    "replyMessage": (2000.0, 2000.0),
    "broadcast": (60.0 / 3600.0, 60.0),
    "narrowcast": (60.0 / 3600.0, 60.0),
}
RATE_LIMIT_BODY = {"message": "The API rate limit has been exceeded. Try again later."}
SENDING_OPS = {"replyMessage", "pushMessage", "multicast", "narrowcast", "broadcast"}
RETRY_KEY_OPS = {"pushMessage", "multicast", "narrowcast", "broadcast"}
RETRY_KEY_TTL = 24 * 3600.0


def _hex32() -> str:
    return uuid.uuid4().hex


class FakeLine:
    """State + ASGI app of the fake LINE API.  Thread-safe for a test thread reading state while the
    server thread handles requests."""

    def __init__(self, access_token: str = "test-line-access-token", *,
                 channel_secret: str = "test-line-channel-secret",
                 rate_limits: bool | dict[str, tuple[float, float]] = False,
                 fail_429: float = 0.0, fail_500: float = 0.0, accept_then_500: float = 0.0,
                 seed: int = 0, reply_token_ttl: float = 60.0,
                 quota_limit: int | None = None, quota_used: int = 0, followers: int = 0,
                 bot_user_id: str | None = None):
        self.access_token = access_token
        self.channel_secret = channel_secret
        self.bot_user_id = bot_user_id or "U" + "0" * 31 + "1"
        self.spec = line_messaging_spec()
        self.insight_spec = line_insight_spec()
        self.reply_token_ttl = reply_token_ttl
        self.quota_limit = quota_limit
        self._initial_quota_used = quota_used
        self.followers = followers
        self.faults = Faults(fail_429, fail_500, accept_then_500, seed)
        self.set_rate_limits(rate_limits)
        self.url: str = ""          # set by the server runner
        self.expect_violations: bool | set[str] = False  # see allow_violations()
        self._lock = threading.RLock()
        self.app = Starlette(routes=[Route("/{path:path}", self._handle,
                                           methods=["GET", "POST", "PUT", "DELETE", "PATCH"])])
        self.reset()

    # ------------------------------------------------------------------ test-facing API
    @property
    def data_url(self) -> str:
        return self.url + DATA_PREFIX

    def set_rate_limits(self, rate_limits: bool | dict[str, tuple[float, float]]) -> None:
        if rate_limits is True:
            limits = dict(DEFAULT_RATE_LIMITS)
        elif isinstance(rate_limits, dict):
            limits = {**DEFAULT_RATE_LIMITS, **rate_limits}
        else:
            limits = {}
        self.rate_limits = limits
        self._buckets = {op: TokenBucket(r, b) for op, (r, b) in limits.items()}

    def reset(self) -> None:
        """Forget everything recorded (calls, deliveries, violations, tokens, keys, menus...)."""
        with self._lock:
            self.calls: list[dict[str, Any]] = []
            self.violations: list[dict[str, Any]] = []
            self.unimplemented: list[dict[str, Any]] = []
            self.delivered: dict[str, list[dict]] = defaultdict(list)
            self.deliveries: list[dict[str, Any]] = []
            self.undelivered: list[dict[str, Any]] = []
            self.loading: list[dict[str, Any]] = []
            self.reply_tokens: dict[str, dict[str, Any]] = {}
            self.retry_keys: dict[str, dict[str, Any]] = {}
            self.blocked: set[str] = set()
            self.profiles: dict[str, dict[str, Any]] = {}
            self.contents: dict[str, tuple[bytes, str]] = {}
            self.content_outages: dict[str, int] = {}  # message id -> how many more fetches answer 500
            self.richmenus: dict[str, dict[str, Any]] = {}
            # statistics: per aggregation unit, who received it, opened it, clicked which URL
            self.unit_recipients: dict[str, set[str]] = defaultdict(set)
            self.unit_opened: dict[str, set[str]] = defaultdict(set)
            self.unit_clicks: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
            self.read_tokens: set[str] = set()  # markAsReadTokens the test put in webhook events
            self.marked_read: list[str] = []
            self.richmenu_images: dict[str, tuple[bytes, str]] = {}
            self.default_richmenu: str | None = None
            self.quota_used = self._initial_quota_used
            self._time_offset = 0.0
            self.faults.reset()
            self.set_rate_limits(self.rate_limits or False)
            self.expect_violations = False

    def now(self) -> float:
        """The fake's clock (wall time + ``advance_time`` offset), used for tokens and retry keys."""
        return time.time() + self._time_offset

    def advance_time(self, seconds: float) -> None:
        self._time_offset += seconds

    def issue_reply_token(self, to: str, *, ttl: float | None = None) -> str:
        """A fresh valid reply token for a chat (user/group/room id); put it in the webhook event."""
        token = _hex32()
        self.register_reply_token(token, to, ttl=ttl)
        return token

    def register_reply_token(self, token: str, to: str, *, ttl: float | None = None) -> None:
        with self._lock:
            self.reply_tokens[token] = {"to": to, "issued": self.now(),
                                        "ttl": self.reply_token_ttl if ttl is None else ttl,
                                        "used": False}

    def block(self, user_id: str) -> None:
        self.blocked.add(user_id)

    def unblock(self, user_id: str) -> None:
        self.blocked.discard(user_id)

    def set_profile(self, user_id: str, display_name: str, *, language: str | None = "th",
                    picture_url: str | None = None, status_message: str | None = None) -> None:
        p = {"displayName": display_name, "userId": user_id}
        if language:
            p["language"] = language
        if picture_url:
            p["pictureUrl"] = picture_url
        if status_message:
            p["statusMessage"] = status_message
        self.profiles[user_id] = p

    def add_content(self, message_id: str, data: bytes, content_type: str = "image/jpeg") -> None:
        """Bytes served by GET /v2/bot/message/{messageId}/content (data host)."""
        self.contents[str(message_id)] = (data, content_type)

    def fail_content(self, message_id: str, times: int = 1) -> None:
        """The next `times` fetches of this content answer 500 (LINE's data API having a bad moment)."""
        self.content_outages[str(message_id)] = times

    def allow_violations(self, *kinds: str) -> None:
        """Tell the fixtures that this test sends invalid requests on purpose: all of them, or only
        violations of the given kinds (e.g. ``allow_violations("reply_token")`` for a test of the
        push fallback after an expired reply token).  Kinds: endpoint, host, auth, content_type, json,
        schema, retry_key, reply_token, recipient, richmenu."""
        if not kinds:
            self.expect_violations = True
        elif self.expect_violations is not True:
            self.expect_violations = set(self.expect_violations or ()) | set(kinds)

    def unexpected_violations(self) -> list[dict[str, Any]]:
        """Violations not excused by ``allow_violations``."""
        if self.expect_violations is True:
            return []
        allowed = self.expect_violations or set()
        return [v for v in self.violations if v["kind"] not in allowed]

    # convenience views
    def messages_to(self, to: str) -> list[dict]:
        return list(self.delivered.get(to, []))

    def texts_to(self, to: str) -> list[str]:
        return [m.get("text", "") for m in self.delivered.get(to, []) if m.get("type") in ("text", "textV2")]

    def calls_to(self, operation_id: str) -> list[dict]:
        return [c for c in self.calls if c["operation"] == operation_id]

    def summary(self) -> dict[str, Any]:
        with self._lock:
            status: dict[str, int] = defaultdict(int)
            by_op: dict[str, int] = defaultdict(int)
            for c in self.calls:
                status[str(c["status"])] += 1
                by_op[str(c["operation"])] += 1
            return {
                "calls": len(self.calls), "status_counts": dict(status), "operation_counts": dict(by_op),
                "violations": self.violations, "unimplemented": self.unimplemented,
                "deliveries": len(self.deliveries), "recipients": len(self.delivered),
                "delivered_counts": {k: len(v) for k, v in self.delivered.items()},
                "undelivered": len(self.undelivered), "quota_used": self.quota_used,
            }

    # ------------------------------------------------------------------ HTTP
    async def _handle(self, request: Request) -> Response:
        path = request.url.path
        if path.startswith("/__fake/"):
            return await self._control(request, path[len("/__fake/"):])
        host = API_HOST
        if path.startswith(DATA_PREFIX + "/"):
            host = DATA_HOST
            path = path[len(DATA_PREFIX):]
        raw = await request.body()
        with self._lock:
            return self._dispatch(request, host, path, raw)

    def _violation(self, call: dict, message: str, details: list | None = None, *, kind: str) -> None:
        v = {"kind": kind, "operation": call["operation"], "method": call["method"], "path": call["path"],
             "message": message, "details": details or [], "body": call.get("body")}
        self.violations.append(v)

    def _respond(self, call: dict, status: int, body: Any, headers: dict[str, str] | None = None,
                 raw: bytes | None = None, media_type: str = "application/json") -> Response:
        call["status"] = status
        h = {"x-line-request-id": call["request_id"]}
        if headers:
            h.update(headers)
        if raw is not None:
            return Response(raw, status_code=status, headers=h, media_type=media_type)
        return json_response(body, status, h)

    def _dispatch(self, request: Request, host: str, path: str, raw: bytes) -> Response:
        method = request.method
        call: dict[str, Any] = {
            "seq": len(self.calls), "at": time.time(), "method": method, "path": path, "host": host,
            "operation": None, "status": None, "request_id": str(uuid.uuid4()),
            "retry_key": request.headers.get("x-line-retry-key"), "body": None,
            "content_type": request.headers.get("content-type"),
        }
        self.calls.append(call)
        op, params, path_known = self.spec.find_operation(method, path)
        if op is None:
            op, params, insight_known = self.insight_spec.find_operation(method, path)
            path_known = path_known or insight_known
        if op is None:
            self._violation(call, f"{method} {path} is not an operation of messaging-api.yml or insight.yml"
                            if not path_known else f"{method} not allowed on {path}", kind="endpoint")
            return self._respond(call, 405 if path_known else 404, {"message": "Not found"})
        call["operation"] = op["operationId"]
        if op["host"] != host:
            self._violation(call, f"{op['operationId']} is served by {op['host']}, called on {host}", kind="host")
            return self._respond(call, 404, {"message": "Not found"})
        if request.headers.get("authorization") != f"Bearer {self.access_token}":
            self._violation(call, "missing or wrong channel access token", kind="auth")
            return self._respond(call, 401, {"message": "Authentication failed. Confirm that the access "
                                                        "token in the authorization header is valid."})
        opid = op["operationId"]
        is_validate_op = path.startswith("/v2/bot/message/validate/") or opid.startswith("validate")

        body: Any = None
        if op["request_schema"]:
            ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
            if ctype != "application/json":
                self._violation(call, f"Content-Type must be application/json, got {ctype!r}", kind="content_type")
                return self._respond(call, 415, {"message": "Unsupported Media Type"})
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                self._violation(call, f"malformed JSON: {exc}", kind="json")
                return self._respond(call, 400, {"message": "The request body could not be parsed as JSON"})
            call["body"] = body
            details = self.spec.validate(op["request_schema"], body) + line_context_checks(body)
            if details:
                if not is_validate_op:
                    self._violation(call, "request body does not match " + op["request_schema"], details, kind="schema")
                msg = (details[0]["message"] if len(details) == 1 else
                       f"The request body has {len(details)} error(s)")
                return self._respond(call, 400, {"message": msg, "details": details})
        elif op["content_types"]:
            call["body"] = f"<{len(raw)} bytes>"
        query_errors = check_query(op, dict(request.query_params))
        if query_errors:
            self._violation(call, "query parameters do not match the spec", query_errors, kind="schema")
            return self._respond(call, 400, {"message": query_errors[0]["message"], "details": query_errors})

        # retry key
        key = call["retry_key"]
        if key is not None:
            if opid not in RETRY_KEY_OPS:
                self._violation(call, f"X-Line-Retry-Key is not supported by {opid}", kind="retry_key")
                return self._respond(call, 400, {"message": "The retry key is not supported for this API"})
            try:
                uuid.UUID(key)
            except ValueError:
                self._violation(call, f"X-Line-Retry-Key {key!r} is not a UUID", kind="retry_key")
                return self._respond(call, 400, {"message": "The value of the X-Line-Retry-Key header is invalid"})
            prev = self.retry_keys.get(key)
            if prev and self.now() - prev["at"] < RETRY_KEY_TTL:
                return self._respond(call, 409, {"message": "The retry key is already accepted",
                                                 "sentMessages": prev.get("sentMessages", [])},
                                     headers={"x-line-accepted-request-id": prev["request_id"]})

        fault = None
        if opid in SENDING_OPS and not is_validate_op:
            bucket = self._buckets.get(opid)
            if bucket is not None and bucket.take() > 0:
                return self._respond(call, 429, RATE_LIMIT_BODY)
            fault = self.faults.draw()
            if fault == "429":
                return self._respond(call, 429, RATE_LIMIT_BODY)
            if fault == "500":
                return self._respond(call, 500, {"message": "Internal server error"})

        handler = getattr(self, "_op_" + opid, None)
        if is_validate_op:
            return self._respond(call, 200, {})
        if handler is None:
            self.unimplemented.append({"operation": opid, "path": path})
            return self._respond(call, 501, {"message": f"{opid} is not implemented by the fake"})
        resp = handler(call, body, params, request, raw)
        if key is not None and call["status"] is not None and 200 <= call["status"] < 300:
            self.retry_keys[key] = {"at": self.now(), "request_id": call["request_id"],
                                    "sentMessages": call.get("sentMessages", [])}
        if fault == "accept500" and call["status"] is not None and call["status"] < 300:
            return self._respond(call, 500, {"message": "Internal server error"})
        return resp

    # ------------------------------------------------------------------ sending
    def _deliver(self, call: dict, to: str, messages: list[dict]) -> None:
        at = time.time()
        for m in messages:
            self.delivered[to].append(m)
            self.deliveries.append({"seq": len(self.deliveries), "at": at, "to": to,
                                    "operation": call["operation"], "request_id": call["request_id"],
                                    "message": m})

    def _sent(self, call: dict, messages: list[dict]) -> list[dict]:
        sent = [{"id": str(10**17 + len(self.deliveries) + i), "quoteToken": _hex32()}
                for i, _ in enumerate(messages)]
        call["sentMessages"] = sent
        return sent

    def _quota_exceeded(self, n: int) -> bool:
        return self.quota_limit is not None and self.quota_used + n > self.quota_limit

    def _op_replyMessage(self, call, body, params, request, raw):
        token = body["replyToken"]
        info = self.reply_tokens.get(token)
        if info is None or info["used"] or self.now() - info["issued"] > info["ttl"]:
            reason = ("unknown" if info is None else "already used" if info["used"] else "expired")
            self._violation(call, f"Invalid reply token ({reason})", kind="reply_token")
            return self._respond(call, 400, {"message": "Invalid reply token"})
        info["used"] = True
        self._deliver(call, info["to"], body["messages"])
        return self._respond(call, 200, {"sentMessages": self._sent(call, body["messages"])})

    def _count_units(self, body: dict, recipients: list[str]) -> None:
        for unit in body.get("customAggregationUnits") or ():
            self.unit_recipients[unit].update(u for u in recipients if u not in self.blocked)

    def _op_pushMessage(self, call, body, params, request, raw):
        to = body["to"]
        if not LINE_TO_ID.match(to):
            self._violation(call, f"push to malformed id {to!r}", kind="recipient")
            return self._respond(call, 400, {"message": "The property, 'to', in the request body is invalid"})
        if self._quota_exceeded(1):
            return self._respond(call, 429, {"message": "You have reached your monthly limit."})
        self.quota_used += 1
        self._count_units(body, [to])
        if to in self.blocked:
            self.undelivered.append({"to": to, "operation": "pushMessage", "messages": body["messages"]})
        else:
            self._deliver(call, to, body["messages"])
        return self._respond(call, 200, {"sentMessages": self._sent(call, body["messages"])})

    def _op_multicast(self, call, body, params, request, raw):
        bad = [u for u in body["to"] if not LINE_USER_ID.match(u)]
        if bad:
            self._violation(call, f"multicast to malformed user ids {bad[:3]}", kind="recipient")
            return self._respond(call, 400, {"message": "The property, 'to', in the request body is invalid"})
        if self._quota_exceeded(len(body["to"])):
            return self._respond(call, 429, {"message": "You have reached your monthly limit."})
        self.quota_used += len(body["to"])
        self._count_units(body, body["to"])
        self._sent(call, body["messages"])
        for u in body["to"]:
            if u in self.blocked:
                self.undelivered.append({"to": u, "operation": "multicast", "messages": body["messages"]})
            else:
                self._deliver(call, u, body["messages"])
        return self._respond(call, 200, {})

    def _op_broadcast(self, call, body, params, request, raw):
        if self._quota_exceeded(self.followers):
            return self._respond(call, 429, {"message": "You have reached your monthly limit."})
        self.quota_used += self.followers
        self._deliver(call, "__broadcast__", body["messages"])
        return self._respond(call, 200, {})

    def _op_narrowcast(self, call, body, params, request, raw):
        self._deliver(call, "__narrowcast__", body["messages"])
        return self._respond(call, 202, {})

    def _op_getMessageQuota(self, call, body, params, request, raw):
        if self.quota_limit is None:
            return self._respond(call, 200, {"type": "none"})
        return self._respond(call, 200, {"type": "limited", "value": self.quota_limit})

    def _op_getMessageQuotaConsumption(self, call, body, params, request, raw):
        return self._respond(call, 200, {"totalUsage": self.quota_used})

    def _op_getProfile(self, call, body, params, request, raw):
        uid = params["userId"]
        if not LINE_USER_ID.match(uid) or uid in self.blocked:
            return self._respond(call, 404, {"message": "Not found"})
        prof = self.profiles.get(uid) or {"displayName": f"ผู้ใช้ {uid[-4:]}", "userId": uid,
                                          "language": "th"}
        return self._respond(call, 200, prof)

    def _op_showLoadingAnimation(self, call, body, params, request, raw):
        self.loading.append({"at": time.time(), **body})
        return self._respond(call, 202, {})

    def _op_getMessageContent(self, call, body, params, request, raw):
        if self.content_outages.get(params["messageId"], 0) > 0:
            self.content_outages[params["messageId"]] -= 1
            return self._respond(call, 500, {"message": "Internal server error"})
        item = self.contents.get(params["messageId"])
        if item is None:
            return self._respond(call, 404, {"message": "Not found"})
        return self._respond(call, 200, None, raw=item[0], media_type=item[1])

    # ------------------------------------------------------------------ statistics (insight.yml)
    def record_open(self, unit: str, *user_ids: str) -> None:
        """Users who displayed the unit's message (they must have received it)."""
        self.unit_opened[unit].update(u for u in user_ids if u in self.unit_recipients[unit])

    def record_click(self, unit: str, url: str, *user_ids: str) -> None:
        self.unit_clicks[unit][url].update(u for u in user_ids if u in self.unit_recipients[unit])

    def _op_getStatisticsPerUnit(self, call, body, params, request, raw):
        """Per-unit statistics. As LINE documents, figures of a unit that fewer than 20 users received
        are null (and the arrays empty). Simplification: the from/to period is not applied."""
        unit = request.query_params["customAggregationUnit"]
        received = len(self.unit_recipients.get(unit, ()))
        if received < 20:
            return self._respond(call, 200, {"overview": {"uniqueImpression": None, "uniqueClick": None,
                                                          "uniqueMediaPlayed": None,
                                                          "uniqueMediaPlayed100Percent": None},
                                             "messages": [], "clicks": []})
        opened = self.unit_opened.get(unit, set())
        clicks = self.unit_clicks.get(unit, {})
        clickers = set().union(*clicks.values()) if clicks else set()
        return self._respond(call, 200, {
            "overview": {"uniqueImpression": len(opened), "uniqueClick": len(clickers), "uniqueMediaPlayed": None,
                         "uniqueMediaPlayed100Percent": None},
            "messages": [{"seq": 1, "impression": len(opened), "uniqueImpression": len(opened)}],
            "clicks": [{"seq": 1, "url": url, "click": len(users), "uniqueClick": len(users),
                        "uniqueClickOfRequest": len(users)} for url, users in clicks.items()]})

    # ------------------------------------------------------------------ read receipts
    def issue_read_token(self) -> str:
        """A markAsReadToken to put in a webhook message event (chat mode on)."""
        token = _hex32()
        self.read_tokens.add(token)
        return token

    def _op_markMessagesAsReadByToken(self, call, body, params, request, raw):
        token = body["markAsReadToken"]
        if token not in self.read_tokens:
            self._violation(call, "unknown markAsReadToken", kind="schema")
            return self._respond(call, 400, {"message": "An invalid markAsReadToken is specified."})
        self.marked_read.append(token)
        return self._respond(call, 200, {})

    # ------------------------------------------------------------------ rich menus
    def _op_createRichMenu(self, call, body, params, request, raw):
        rid = "richmenu-" + _hex32()
        self.richmenus[rid] = {"richMenuId": rid, **body}
        return self._respond(call, 200, {"richMenuId": rid})

    def _op_setRichMenuImage(self, call, body, params, request, raw):
        rid = params["richMenuId"]
        ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if rid not in self.richmenus:
            return self._respond(call, 404, {"message": "Not found"})
        if ctype not in ("image/jpeg", "image/png"):
            self._violation(call, f"rich menu image must be image/jpeg or image/png, got {ctype!r}", kind="richmenu")
            return self._respond(call, 415, {"message": "Unsupported Media Type"})
        if len(raw) > 1024 * 1024:
            self._violation(call, f"rich menu image is {len(raw)} bytes (max 1 MB)", kind="richmenu")
            return self._respond(call, 400, {"message": "The image exceeds the maximum file size"})
        if rid in self.richmenu_images:
            self._violation(call, "an image has already been uploaded to this rich menu", kind="richmenu")
            return self._respond(call, 400, {"message": "An image has already been uploaded to the richmenu"})
        self.richmenu_images[rid] = (raw, ctype)
        return self._respond(call, 200, {})

    def _op_getRichMenuImage(self, call, body, params, request, raw):
        item = self.richmenu_images.get(params["richMenuId"])
        if item is None:
            return self._respond(call, 404, {"message": "Not found"})
        return self._respond(call, 200, None, raw=item[0], media_type=item[1])

    def _op_setDefaultRichMenu(self, call, body, params, request, raw):
        rid = params["richMenuId"]
        if rid not in self.richmenus:
            return self._respond(call, 404, {"message": "Not found"})
        if rid not in self.richmenu_images:
            self._violation(call, "rich menu has no image yet", kind="richmenu")
            return self._respond(call, 400, {"message": "An image has not been uploaded to the richmenu"})
        self.default_richmenu = rid
        return self._respond(call, 200, {})

    def _op_getDefaultRichMenuId(self, call, body, params, request, raw):
        if not self.default_richmenu:
            return self._respond(call, 404, {"message": "Not found"})
        return self._respond(call, 200, {"richMenuId": self.default_richmenu})

    def _op_cancelDefaultRichMenu(self, call, body, params, request, raw):
        self.default_richmenu = None
        return self._respond(call, 200, {})

    def _op_getRichMenuList(self, call, body, params, request, raw):
        return self._respond(call, 200, {"richmenus": list(self.richmenus.values())})

    def _op_getRichMenu(self, call, body, params, request, raw):
        rm = self.richmenus.get(params["richMenuId"])
        if rm is None:
            return self._respond(call, 404, {"message": "Not found"})
        return self._respond(call, 200, rm)

    def _op_deleteRichMenu(self, call, body, params, request, raw):
        rid = params["richMenuId"]
        if self.richmenus.pop(rid, None) is None:
            return self._respond(call, 404, {"message": "Not found"})
        self.richmenu_images.pop(rid, None)
        if self.default_richmenu == rid:
            self.default_richmenu = None
        return self._respond(call, 200, {})

    def _op_validateRichMenuObject(self, call, body, params, request, raw):
        return self._respond(call, 200, {})

    def _op_getBotInfo(self, call, body, params, request, raw):
        return self._respond(call, 200, {"userId": self.bot_user_id, "basicId": "@000test",
                                         "displayName": "khruakhai-test", "chatMode": "bot",
                                         "markAsReadMode": "auto"})

    # ------------------------------------------------------------------ control plane
    async def _control(self, request: Request, what: str) -> Response:
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
            return json_response({"next": since + len(items), "items": items})
        if what == "violations":
            return json_response(self.violations)
        if what == "reset" and request.method == "POST":
            self.reset()
            return json_response({"ok": True})
        if what == "reply-token" and request.method == "POST":
            data = await request.json()
            tok = data.get("replyToken")
            if tok:
                self.register_reply_token(tok, data["to"], ttl=data.get("ttl"))
            else:
                tok = self.issue_reply_token(data["to"], ttl=data.get("ttl"))
            return json_response({"replyToken": tok})
        if what == "block" and request.method == "POST":
            self.block((await request.json())["userId"])
            return json_response({"ok": True})
        return json_response({"message": "unknown control endpoint"}, 404)
