"""The response cache: answers to GraphQL queries over HTTP, kept in each API process and
served again without running GraphQL at all, until the read model changes.

* Only a POSTed `application/json` query is a candidate, and only its answer if it has
  no errors, came from the read model alone (a resolver that asks a service over HTTP
  marks the request with `not_from_read_model`) and its operation is a query (not a
  mutation, a subscription or schema introspection).
* The key is the exact request body (document, operation name, variables) and the
  viewer the policy decides with: everything on the token's `Viewer` but its expiry
  (role, subject, applications). Expiry is checked on every request, hit or not.
* Staleness: `News` bumps a generation on every announcement of the projector (and a
  rebuild's swap); an answer computed while the generation moved is not stored, and a
  move empties the cache. While the LISTEN connection is down, or not yet up, nothing
  is stored or served.
* `Cache-Control: no-cache` and consistency tokens (any `atLeast` argument) bypass it.
* A hit still passes authentication (the bearer token, its expiry) and the request's
  size limit (Bounded, outside); the document checks that admission makes (depth,
  aliases, tokens, text policy, cost) depend only on the body, which is the key, so a
  stored answer passed them. Correlation ids and request logs are outside too.
"""

import json
import re
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import replace

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.auth import Authenticator, Unauthenticated, Viewer
from gateway.config import CacheSettings
from gateway.news import News

Key = tuple[Viewer, bytes]
PATH = "/graphql"
ENTRY_OVERHEAD = 200  # bytes an entry costs besides its key's body and its answer
INTROSPECTION = re.compile(rb"__(schema|type)\b")
JSON_HEADERS = [(b"content-type", b"application/json"), (b"x-cache", b"HIT")]

_reads: ContextVar[list[str] | None] = ContextVar("pavilion_live_reads", default=None)


def not_from_read_model(what: str) -> None:
    """The request being answered shows `what`, read outside the read model (whose
    changes nobody announces): its answer must not be kept."""
    if (reads := _reads.get()) is not None:
        reads.append(what)


class Answers:
    """Answers by key, least recently used first out, bounded in entries and bytes, all
    of one generation."""

    def __init__(self, settings: CacheSettings) -> None:
        self.max_entries, self.max_bytes = settings.entries, settings.bytes
        self.entries: OrderedDict[Key, bytes] = OrderedDict()
        self.size = 0
        self.generation = 0

    def get(self, key: Key, generation: int) -> bytes | None:
        self._at(generation)
        answer = self.entries.get(key)
        if answer is not None:
            self.entries.move_to_end(key)
        return answer

    def put(self, key: Key, generation: int, answer: bytes) -> None:
        self._at(generation)
        size = _size(key, answer)
        if size > self.max_bytes // 8:  # one answer must not flush most of the others
            return
        if (old := self.entries.pop(key, None)) is not None:
            self.size -= _size(key, old)
        self.entries[key] = answer
        self.size += size
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            gone, answer = self.entries.popitem(last=False)
            self.size -= _size(gone, answer)

    def _at(self, generation: int) -> None:
        if generation != self.generation:
            self.entries.clear()
            self.size, self.generation = 0, generation


def _size(key: Key, answer: bytes) -> int:
    return len(key[1]) + len(answer) + ENTRY_OVERHEAD


def only_a_query(body: bytes) -> bool:
    """Whether the operation `body` asks for is a query (introspection aside)."""
    if INTROSPECTION.search(body):
        return False
    try:
        request = json.loads(body)
        document = parse(request["query"])
        name = request.get("operationName")
    except (ValueError, TypeError, KeyError, GraphQLError, RecursionError):
        return False
    chosen = [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        and (name is None or (d.name is not None and d.name.value == name))
    ]
    return len(chosen) == 1 and chosen[0].operation is OperationType.QUERY


def error_free(answer: bytes) -> bool:
    try:
        return "errors" not in json.loads(answer)
    except ValueError:
        return False


class Cached:
    """ASGI middleware serving and keeping answers (see the module's docstring). A
    request it authenticates carries its viewer on in `scope["state"]["viewer"]`."""

    def __init__(
        self,
        app: ASGIApp,
        settings: CacheSettings,
        news: News,
        authenticator: Authenticator,
    ) -> None:
        self.app, self.news, self.authenticator = app, news, authenticator
        self.answers = Answers(settings)
        self.route: object = None  # the GraphQL route, as a miss has routed it

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] == PATH
            and self.news.listening
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if "no-cache" in headers.get("cache-control", "").lower() or not headers.get(
            "content-type", ""
        ).startswith("application/json"):
            await self.app(scope, receive, send)
            return
        body = await _body(receive)
        replay = _replay(body, receive)
        try:
            viewer = await self.authenticator.viewer(headers.get("authorization"))
        except Unauthenticated:  # answered by the app, as without a cache
            await self.app(scope, replay, send)
            return
        scope.setdefault("state", {})["viewer"] = viewer
        if b"atLeast" in body:  # a consistency token: read-your-writes, from the read model
            await self.app(scope, replay, send)
            return
        key, generation = (replace(viewer, expires=None), body), self.news.generation
        if (answer := self.answers.get(key, generation)) is not None:
            scope["route"] = self.route  # for the request's metrics
            await _answer(send, answer)
            return
        await self._miss(scope, replay, send, key, generation)

    async def _miss(
        self, scope: Scope, receive: Receive, send: Send, key: Key, generation: int
    ) -> None:
        status: list[int] = []
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                MutableHeaders(scope=message)["x-cache"] = "MISS"
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        reads: list[str] = []
        token = _reads.set(reads)
        try:
            await self.app(scope, receive, keep)
        finally:
            _reads.reset(token)
        self.route = self.route or scope.get("route")
        answer = b"".join(chunks)
        if (
            status == [200]
            and not reads
            and self.news.listening
            and self.news.generation == generation  # nothing committed while it ran
            and only_a_query(key[1])
            and error_free(answer)
        ):
            self.answers.put(key, generation, answer)


async def _body(receive: Receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The request's body once more, then whatever else comes (a disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _answer(send: Send, answer: bytes) -> None:
    length = (b"content-length", str(len(answer)).encode())
    await send({"type": "http.response.start", "status": 200, "headers": [*JSON_HEADERS, length]})
    await send({"type": "http.response.body", "body": answer})
