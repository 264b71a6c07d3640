"""A real SMTP server for local runs and tests that stores what it receives:

    python -m tests.smtp_catcher [--port 11025] [--dir DIR]

Each accepted message is written to DIR as <n>.eml (RFC 5322, as received), so tests
and people can read exactly what was sent. It can also refuse the next messages with
replies of one's choosing (`Mailbox.refuse_next`, `--defer-first N`), to see how a
sender rides out a struggling server. Compose uses Mailpit instead."""

import argparse
import asyncio
import itertools
import logging
import signal
from collections import deque
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

log = logging.getLogger(__name__)


class Mailbox:
    """Stores every message in a directory; reads them back."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        start = max((int(p.stem) for p in directory.glob("*.eml")), default=0) + 1
        self._numbers = itertools.count(start)
        self._refusals: deque[str] = deque()
        self.refused: list[bytes] = []  # what was refused, in order

    def refuse_next(self, *replies: str) -> None:
        """Answer the next DATA commands with these replies (e.g. "451 4.3.0 Try again
        later", "550 5.1.1 No such mailbox") instead of storing the messages."""
        self._refusals.extend(replies)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        if self._refusals:  # popped on the server's thread; deques are thread-safe
            self.refused.append(content)
            return self._refusals.popleft()
        path = self.directory / f"{next(self._numbers)}.eml"
        path.write_bytes(content)
        log.info("mail stored", extra={"path": str(path), "recipients": len(envelope.rcpt_tos)})
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        paths = sorted(self.directory.glob("*.eml"), key=lambda p: int(p.stem))
        return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in paths]


def start(directory: Path, port: int, host: str = "127.0.0.1") -> tuple[Controller, Mailbox]:
    mailbox = Mailbox(directory)
    controller = Controller(mailbox, hostname=host, port=port)
    controller.start()
    return controller, mailbox


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.smtp_catcher")
    parser.add_argument("--port", type=int, default=11025)
    parser.add_argument("--dir", type=Path, default=Path("mail"))
    parser.add_argument("--defer-first", type=int, default=0, metavar="N", help="answer 451")
    args = parser.parse_args()
    logging.basicConfig(level="INFO")
    controller, mailbox = start(args.dir, args.port)
    mailbox.refuse_next(*["451 4.3.0 Try again later"] * args.defer_first)
    stop = asyncio.Event()

    async def wait() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()

    try:
        asyncio.run(wait())
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
