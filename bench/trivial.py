"""The trivial ASGI app of B_asgi: a fixed JSON answer."""

from collections.abc import Awaitable, Callable
from typing import Any

BODY = b'{"data":{"ok":true}}'


async def app(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    if scope["type"] != "http":
        return
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})
