"""`python -m exhibitors api|relay|reactor|scheduler|migrate`: the service's processes."""

import asyncio

from pavilion_contracts.reader import READER
from pavilion_core import workers

from exhibitors.api import create_app
from exhibitors.bootstrap import Services, start
from exhibitors.config import SERVICE, Config
from exhibitors.consumers import Reactions
from exhibitors.scheduler import expire_offers


async def reactor(config: Config, services: Services, stop: asyncio.Event) -> None:
    """Reacts to other services' events (consumers.py)."""
    await workers.consume(
        services.pool,
        config.kafka,
        service=SERVICE,
        group_id=config.reactor_group,
        topics=[config.outreach_topic],
        handler=Reactions(config.clock, services.sealer),
        reader=READER,
        sealer=services.sealer,
        stop=stop,
    )


async def scheduler(config: Config, services: Services, stop: asyncio.Event) -> None:
    """Expires unanswered re-booking offers past their deadline, every
    PAVILION_EXHIBITORS_EXPIRY_INTERVAL seconds."""
    await workers.every(
        config.expiry_interval,
        lambda: expire_offers(services.rebooking),
        stop,
        what="re-booking expiry pass",
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
