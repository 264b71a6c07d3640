"""Scenario 6: emails per second for a burst of triggering events, and the proof that
each was sent once. B_smtp: what the SMTP catcher accepts from a plain client."""

import asyncio
import time
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
from pavilion_core.config import KafkaSettings

from bench import stack
from bench.cpu import cpu
from bench.history import produce
from bench.measure import Figure, Round, median, until
from bench.profile import profiling
from bench.scenarios import STORY

HEADER = b"X-Pavilion-Notification: "


async def notifications(
    kafka: KafkaSettings, burst: int, rounds: int, logs: Path
) -> tuple[Figure, Figure]:
    """B_smtp and 6, each the median of `rounds` (each round on its own catcher,
    database and topics)."""
    smtp, emails = [], []
    for r in range(rounds):
        one, other = await _round(kafka, burst, logs / f"notifications-{r}", r == 0)
        smtp.append(one)
        emails.append(other)
    return median("B_smtp", "emails/s", smtp), median(
        "6 notifications", "emails/s", emails, target="≥150 emails/s, zero duplicates"
    )


async def _round(
    kafka: KafkaSettings, burst: int, logs: Path, profile: bool
) -> tuple[Round, Round]:
    """B_smtp, then 6: `burst` ApplicationSubmitted events (one contact each) on the
    topic, then the notifications worker started on them; timed from its first email to
    the last, then stopped and every stored message counted by notification id."""
    await asyncio.to_thread(logs.mkdir)
    mail, port = logs / "mail", stack.free_port()
    async with (
        stack.database("notifications") as url,
        stack.process(
            ["-m", "tests.smtp_catcher", "--port", str(port), "--dir", str(mail)],
            {},
            None,
            logs / "catcher.log",
        ),
    ):
        await until(lambda: _listening(port), within=30)
        smtp = await _smtp_rate(port, max(200, burst // 5))
        for stale in mail.glob("*.eml"):
            stale.unlink()
        topics = {s: await stack.topic(kafka, s) for s in ("ex", "out", "notifications")}
        env = {
            **STORY,
            "PAVILION_NOTIFICATIONS_DATABASE_URL": url,
            "PAVILION_EXHIBITORS_TOPIC": topics["ex"],
            "PAVILION_OUTREACH_TOPIC": topics["out"],
            "PAVILION_NOTIFICATIONS_TOPIC": topics["notifications"],
            "PAVILION_NOTIFICATIONS_APP_ID": f"{topics['ex']}.notifications",
            "PAVILION_SMTP_PORT": str(port),
        }
        await stack.run(["-m", "notifications", "migrate"], env, logs / "notifications-migrate.log")
        await produce(kafka, topics["ex"], burst, steps=1)
        async with stack.process(
            ["-m", "notifications", "worker"], env, None, logs / "notifications-worker.log"
        ) as worker:
            await until(lambda: _count(mail, 1), within=120)
            started = time.perf_counter()
            async with (
                profiling(worker.pid if profile else None, "6-notifications"),
                cpu({"worker": worker.pid}, {"pg": url}) as used,
            ):
                await until(lambda: _count(mail, burst), within=3600, interval=0.1)
            seconds = time.perf_counter() - started
        ids = _notification_ids(mail)  # after the worker has stopped: nothing more comes
    extra = {
        "burst": burst,
        "stored": len(ids),
        "duplicates": len(ids) - len(set(ids)),
        "missing": burst - len(set(ids)),
        **used.per(burst - 1),
    }
    return smtp, ((burst - 1) / seconds, extra)


async def _listening(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    return True


async def _count(mail: Path, at_least: int) -> bool:
    return await asyncio.to_thread(lambda: sum(1 for _ in mail.glob("*.eml")) >= at_least)


def _notification_ids(mail: Path) -> list[bytes]:
    ids = []
    for path in mail.glob("*.eml"):
        for line in path.read_bytes().splitlines():
            if line.startswith(HEADER):
                ids.append(line[len(HEADER) :])
                break
    return ids


async def _smtp_rate(port: int, messages: int) -> Round:
    """B_smtp: `messages` small emails, 8 at a time, one connection each (as the mailer)."""
    slots = asyncio.Semaphore(8)

    async def one(i: int) -> None:
        message = EmailMessage()
        message["From"], message["To"] = "bench@pavilion.local", f"b{i}@bench.example"
        message["Subject"] = "B_smtp"
        message.set_content("a baseline message")
        async with slots:
            await aiosmtplib.send(message, hostname="127.0.0.1", port=port)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(messages)))
    seconds = time.perf_counter() - started
    return messages / seconds, {"messages": messages}
