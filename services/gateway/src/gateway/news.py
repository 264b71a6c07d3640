"""What the projector has just committed, heard on one LISTEN connection per API process
and fanned out: to subscriptions (a queue each), to read-your-writes waits (a future
per awaited stream version) and to the response cache (a generation, bumped by every
announcement and whenever the connection is lost or made; see responses.py). Nothing
polls per client."""

import asyncio
import base64
import binascii
import contextlib
import fcntl
import json
import logging
import mmap
import os
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from typing import Any

import asyncpg
from pavilion_core.logging import describe
from pavilion_core.outages import DATABASE_DOWN
from pavilion_core.text import text_problem

from gateway.projector import CHANNEL
from gateway.readmodel import SWAPPED

log = logging.getLogger(__name__)
Item = dict[str, Any]
# A command writes a handful of streams (assignBooth: the application, the floor plan,
# perhaps the waitlist and the application offered a freed booth); a token naming more,
# or longer than such a token can be, is forged.
MAX_TOKEN_STREAMS = 16
# What keeps the LISTEN connection from (re)starting that time will mend: the database
# away, or refusing connections for now (starting up, too many clients).
_AWAY: tuple[type[Exception], ...] = (*DATABASE_DOWN, asyncpg.PostgresError)
MAX_TOKEN_CHARS = 4096


class FellBehind(Exception):
    """A subscriber did not take its news fast enough and was dropped."""


def consistency_token(streams: Mapping[str, int]) -> str:
    """An opaque token of every stream a command wrote and the version it reached."""
    return base64.urlsafe_b64encode(json.dumps(list(streams.items())).encode()).decode()


def parse_token(token: str) -> dict[str, int]:
    """The streams and versions a token of `consistency_token` names. Anything else is a
    ValueError: a token longer, or naming more streams, than any command's; a forged
    stream id PostgreSQL cannot take as text (NUL, lone surrogates) or a version that
    is no whole number must not reach the wait."""
    pairs = _decoded(token) if len(token) <= MAX_TOKEN_CHARS else None
    if (
        not isinstance(pairs, list)
        or not 0 < len(pairs) <= MAX_TOKEN_STREAMS
        or not all(map(_stream, pairs))
    ):
        raise ValueError("the consistency token is not valid")
    return {subject: version for subject, version in pairs}


def _decoded(token: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError, TypeError, RecursionError):  # deep JSON: Recursion
        return None


def _stream(item: object) -> bool:
    """[stream id, version]: text PostgreSQL can take, and a whole number."""
    return (
        isinstance(item, list)
        and len(item) == 2
        and isinstance(item[0], str)
        and type(item[1]) is int
        and not text_problem(item[0])
    )


class Count:
    """How many times this process has heard news (or lost or made its connection)."""

    def __init__(self) -> None:
        self.value = 0

    def get(self) -> int:
        return self.value

    def bump(self) -> None:
        self.value += 1


class HostCount(Count):
    """The same, summed over the API processes of one host: an 8-byte counter in a file
    they share (`python -m gateway api` makes it for its workers). What one process has
    heard makes every process's cached answers stale: a caller whose mutation was
    answered by one process once it heard the news gets no older answer from another,
    whose own LISTEN connection may be a moment behind."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.fd = os.open(path, os.O_RDWR)
        self.shared = mmap.mmap(self.fd, 8)

    def get(self) -> int:
        return int.from_bytes(self.shared[:8], "little")

    def bump(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_EX)  # one increment at a time, none lost
        try:
            self.shared[:8] = (self.get() + 1).to_bytes(8, "little")
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)


class News:
    def __init__(self, url: str, *, queue_size: int = 1000, count: Count | None = None) -> None:
        self.url, self.queue_size = url, queue_size
        self.count = count or Count()
        self.conn: asyncpg.Connection | None = None
        self.subscribers: set[asyncio.Queue[Item | None]] = set()
        self.waiters: dict[str, list[tuple[int, asyncio.Future[None]]]] = defaultdict(list)
        self._reconnecting: asyncio.Task[None] | None = None
        self.closing = False
        # What the response cache may rely on: while `listening`, nothing has been
        # committed to the read model since `generation` last moved.
        self.listening = False

    async def start(self) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            await conn.add_listener(CHANNEL, self._heard)
            await conn.add_listener(SWAPPED, lambda *_: self.bump())  # a rebuilt read model
        except BaseException:
            conn.terminate()
            raise
        self.conn = conn
        conn.add_termination_listener(self._lost)
        self.bump()  # whatever was committed while nobody listened
        self.listening = True

    async def listen(self) -> None:
        """`start`, or, the database away, start as soon as it is back (in the background;
        until then nothing is `listening`)."""
        try:
            await self.start()
        except _AWAY:
            self._lost(None)

    @property
    def generation(self) -> int:
        return self.count.get()

    def bump(self) -> None:
        """Something answers may show has changed: what was computed before is stale."""
        self.count.bump()

    async def close(self) -> None:
        self.closing = True
        self.listening = False
        if self._reconnecting:
            self._reconnecting.cancel()
        if self.conn is not None and not self.conn.is_closed():
            await self.conn.close()

    def _lost(self, _: object) -> None:
        self.listening = False
        self.bump()
        if self.closing:
            return
        log.warning("lost the read model's LISTEN connection; reconnecting")
        self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        delay = 0.2
        while True:
            try:
                await self.start()
                return
            except _AWAY as exc:
                log.warning("LISTEN reconnect failed", extra={"error": describe(exc)})
                await asyncio.sleep(delay)  # a back-off between attempts, not a wait
                delay = min(delay * 2, 5.0)

    def _heard(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        self.bump()
        item: Item = json.loads(str(payload))
        for version, future in self.waiters.get(item["subject"], []):
            if item["version"] >= version and not future.done():
                future.set_result(None)
        for queue in list(self.subscribers):
            try:
                queue.put_nowait(item)
            except asyncio.QueueFull:
                self.subscribers.discard(queue)
                queue.get_nowait()
                queue.put_nowait(None)  # tells the subscriber it fell behind

    @contextlib.asynccontextmanager
    async def subscription(self) -> AsyncIterator[AsyncIterator[Item]]:
        queue: asyncio.Queue[Item | None] = asyncio.Queue(self.queue_size)
        self.subscribers.add(queue)

        async def items() -> AsyncIterator[Item]:
            while (item := await queue.get()) is not None:
                yield item
            raise FellBehind("the subscription fell behind and was closed; subscribe again")

        try:
            yield items()
        finally:
            self.subscribers.discard(queue)

    async def wait_for(
        self, pool: asyncpg.Pool, streams: Mapping[str, int], seconds: float
    ) -> bool:
        """True once the read model shows every stream at (at least) its version, False
        after `seconds`."""
        loop = asyncio.get_running_loop()
        entries = {subject: (version, loop.create_future()) for subject, version in streams.items()}
        for subject, entry in entries.items():
            self.waiters[subject].append(entry)
        try:
            rows = await pool.fetch(
                """SELECT subject_id, max(stream_version) AS shown FROM timeline
                   WHERE subject_id = ANY($1::text[]) GROUP BY subject_id""",
                list(entries),
            )
            for row in rows:
                version, future = entries[row["subject_id"]]
                if row["shown"] >= version and not future.done():  # unless news came first
                    future.set_result(None)
            await asyncio.wait_for(asyncio.gather(*(f for _, f in entries.values())), seconds)
            return True
        except TimeoutError:
            return False
        finally:
            for subject, entry in entries.items():
                self.waiters[subject].remove(entry)
                if not self.waiters[subject]:
                    del self.waiters[subject]
