"""The notifications service's processes as the end-to-end tests start them
(`python -m notifications <process>`) on a test's own database, topics and SMTP
catcher; their logs are kept, and printed when the test ends."""

import asyncio
import os
import sys
import uuid
from pathlib import Path

import asyncpg
from pavilion_core.config import KafkaSettings
from pavilion_core.kafka import ensure_topics


async def fresh_topics(kafka: KafkaSettings) -> dict[str, str]:
    run = uuid.uuid4().hex[:8]
    names = {s: f"pavtest.{run}.{s}" for s in ("exhibitors", "outreach", "notifications")}
    await ensure_topics(kafka, names.values())
    return names


def environment(database_url: str, topics: dict[str, str], smtp_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "PAVILION_NOTIFICATIONS_DATABASE_URL": database_url,
        "PAVILION_EXHIBITORS_TOPIC": topics["exhibitors"],
        "PAVILION_OUTREACH_TOPIC": topics["outreach"],
        "PAVILION_SMTP_PORT": str(smtp_port),
        "PAVILION_NOTIFICATIONS_TOPIC": topics["notifications"],
    }


class Workers:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs, self.running = env, logs, list[asyncio.subprocess.Process]()

    async def start(self, app_id: str, process: str = "worker") -> None:
        log = (self.logs / f"{app_id}.log").open("wb")
        self.running.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "notifications",
                process,
                env={**self.env, "PAVILION_NOTIFICATIONS_APP_ID": app_id},
                stdout=log,
                stderr=log,
                cwd=self.logs,  # the worker must write nothing there (it may be read-only)
            )
        )

    async def stop(self) -> None:
        for process in self.running:
            process.terminate()
        for process in self.running:
            await asyncio.wait_for(process.wait(), 30)
        self.print_logs()

    def print_logs(self) -> None:
        for log in self.logs.glob("*.log"):
            print(f"--- {log.name}\n{log.read_text()[-4000:]}")

    def data_directories(self) -> list[Path]:
        """What a worker wrote to its working directory besides its log (nothing, please)."""
        return list(self.logs.glob("*-data"))

    async def count(self, sql: str) -> int:
        """A count from the workers' database."""
        conn = await asyncpg.connect(self.env["PAVILION_NOTIFICATIONS_DATABASE_URL"])
        try:
            return int(await conn.fetchval(sql))
        finally:
            await conn.close()
