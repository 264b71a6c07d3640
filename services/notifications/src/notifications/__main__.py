"""`python -m notifications worker|relay|webhooks|api|public|migrate`: the service's
processes (`worker` is the faust-streaming app, which also sends the mail it queues,
`webhooks` posts the deliveries, `api` is the internal admin API, `public` the
unsubscribe pages: the only public surface)."""

import asyncio

from pavilion_core import runner, workers

from notifications import app as streaming
from notifications import public as unsubscribe
from notifications.api import create_app
from notifications.app import Handler
from notifications.bootstrap import Services, StreamHandler, start, unsubscribe_secret
from notifications.config import SERVICE, Config
from notifications.deliveries import Deliverer
from notifications.posting import webhook_client
from notifications.watchdog import Watchdog
from notifications.webhooks import AddressPolicy, RetrySchedule

# A worker whose heartbeat timer has not run for this long is stuck (e.g. in a group
# join a broker loss cut short; its first beat also waits for its partitions): it exits.
WEDGED_SECONDS = 120.0


def public() -> None:
    config = Config.from_env()
    unsubscribe_secret(config)  # refuse to start without a usable one
    runner.serve(unsubscribe.create_app(config), config.public_host, config.public_port)


def worker() -> None:
    config = Config.from_env()
    unsubscribe_secret(config)  # the emails' links need it

    async def handler() -> Handler:
        services = await start(config, pool_size=8)  # the agent's lanes, the mail
        return StreamHandler(services.notifier, services.mail_queue, config.app_id)

    watchdog = Watchdog(WEDGED_SECONDS)
    faust_app, _ = streaming.create_app(
        config.kafka, config.source_topics, handler, app_id=config.app_id,
        watchdog=watchdog,
    )  # fmt: skip
    streaming.run_worker(faust_app, watchdog)


async def webhooks(config: Config, services: Services, stop: asyncio.Event) -> None:
    """Posts due webhook deliveries, every second."""
    schedule = (
        RetrySchedule.parse(config.webhook_schedule) if config.webhook_schedule else RetrySchedule()
    )
    async with webhook_client() as http:
        deliverer = Deliverer(
            services.pool,
            config.clock,
            schedule,
            http,
            services.sealer,
            policy=AddressPolicy(config.webhooks_allowed_networks),
            deadline_seconds=config.webhook_deadline_seconds,
        )
        while not stop.is_set():
            if not await deliverer.deliver_due():
                await runner.wait_first(stop, seconds=1.0)


def main() -> None:
    workers.service_main(
        SERVICE,
        config=Config.from_env,
        start=start,
        create_app=create_app,
        workers={"webhooks": webhooks},
        others={"worker": worker, "public": public},
    )


if __name__ == "__main__":
    main()
