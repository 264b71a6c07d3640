"""`python -m outreach api|relay|reactor|scheduler|migrate`: the service's processes."""

import asyncio

from pavilion_contracts.reader import READER
from pavilion_core import workers

from outreach.api import create_app
from outreach.bootstrap import Services, start
from outreach.config import SERVICE, Config
from outreach.consumers import Reactions
from outreach.scheduler import announce_overdue


async def reactor(config: Config, services: Services, stop: asyncio.Event) -> None:
    """exhibitors' applications that name an interest; its own follow-up schedule."""
    await workers.consume(
        services.pool,
        config.kafka,
        service=SERVICE,
        group_id=config.reactor_group,
        topics=[config.exhibitors_topic, config.topic],
        handler=Reactions(config.clock, services.sealer),
        reader=READER,
        sealer=services.sealer,
        stop=stop,
    )


async def scheduler(config: Config, services: Services, stop: asyncio.Event) -> None:
    """Announces overdue follow-ups every PAVILION_OUTREACH_OVERDUE_INTERVAL seconds."""
    await workers.every(
        config.overdue_interval,
        lambda: announce_overdue(services.pool, services.handlers),
        stop,
        what="overdue pass",
    )


def main() -> None:
    workers.service_main(
        SERVICE,
        config=Config.from_env,
        start=start,
        create_app=create_app,
        workers={"reactor": reactor, "scheduler": scheduler},
    )


if __name__ == "__main__":
    main()
