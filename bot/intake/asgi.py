"""The webhook POSTs, without the web framework in between."""
from __future__ import annotations

import json

MAX_WEBHOOK_BODY = 4 * 1024 * 1024


class FastWebhooks:
    """Pure ASGI middleware answering ``POST`` on the channels' webhook paths directly.

    A webhook needs only the raw body and two headers; going through FastAPI's middleware stack,
    router (which tries every console route) and Request/Response objects cost more CPU per event
    than our own handling, at 500 events/s a sixth of the event loop. Other methods on those paths,
    and every other path, go on to the app unchanged (the routes stay registered, e.g. for 405s).
    `handler(body, header) -> (status, json or None)`, `header(name)` with lower-case names.
    `khruakhai serve` also wraps the whole application in one (outside uvicorn's proxy-headers and
    Starlette's error middleware), so a webhook POST touches nothing of the framework at all.
    """

    def __init__(self, app, routes: dict) -> None:  # noqa: ANN001
        self.app = app
        self.routes = routes
        self.state = getattr(app, "state", None)  # `khruakhai serve` wraps the whole app in one of these

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        handler = self.routes.get(scope.get("path")) if scope["type"] == "http" and scope.get("method") == "POST" \
            else None
        if handler is None:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_WEBHOOK_BODY:
                await self._respond(send, 413, {"message": "body too large"})
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or ()}
        status, payload = await handler(b"".join(chunks), headers.get)
        await self._respond(send, status, payload)

    @staticmethod
    async def _respond(send, status: int, payload: dict | None) -> None:  # noqa: ANN001
        content = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = [(b"content-length", str(len(content)).encode("ascii"))]
        if payload is not None:
            headers.append((b"content-type", b"application/json"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})


def fast_webhook(app, path: str, handler) -> None:  # noqa: ANN001
    """Serve ``POST path`` with `handler` through `FastWebhooks` (installed once per app)."""
    routes = getattr(app.state, "fast_webhooks", None)
    if routes is None:
        routes = app.state.fast_webhooks = {}
        app.add_middleware(FastWebhooks, routes=routes)
    routes[path] = handler
