"""Keep a local copy (SQLite) of one edition's exhibitors from pavilion.exhibitors.v1:
each application's company, country, status and booth, as Pavilion's read model shows
them.

    python -m pavilion_kit.examples.exhibitors_mirror CISCE-2026 \\
        --group integrator.exhibitors-mirror --db exhibitors.sqlite

The connection comes from the environment (PAVILION_KAFKA_BOOTSTRAP,
PAVILION_KAFKA_USERNAME, PAVILION_KAFKA_PASSWORD…: pavilion_kit.consumer.kafka_options).
It reads the topic from the beginning the first time (a new consumer group), then
follows it until stopped (Ctrl-C or SIGTERM); run again, it goes on where its group
stopped.

Each event changes one row in one transaction, and only when it is newer in its
application's stream than the last one applied (the row keeps that stream version):
an event delivered again changes nothing. Booth events come twice, once on the
application's stream and once on the hall's floor plan (`floorplan:<edition>:<hall>`);
the mirror follows the application's. The mirror keeps no personal value (contact
persons, reasons are sealed on the topic anyway), so a forgotten person leaves it
nothing to erase; a copy that kept them would drop the person's entries in
`on_contact_forgotten`.
"""

import argparse
import asyncio
import logging
import signal
import sqlite3
from pathlib import Path
from typing import Any

from pavilion_kit import TOPICS, Consumer, Envelope, Event, Forgotten
from pavilion_kit.events.exhibitors import (
    ApplicationApprovedV1,
    ApplicationCancelledV1,
    ApplicationRejectedV1,
    ApplicationSubmittedV1,
    ApplicationSubmittedV2,
    ApplicationWaitlistedV1,
    ApplicationWithdrawnV1,
    BoothAssignedV1,
    BoothReleasedV1,
    ContractSignedV1,
    ExhibitorProfileUpdatedV1,
    ParticipationConfirmedV1,
    ReviewStartedV1,
)

log = logging.getLogger("exhibitors_mirror")

TABLE = """CREATE TABLE IF NOT EXISTS exhibitors (
    application_id TEXT PRIMARY KEY,
    edition TEXT NOT NULL,
    company_name TEXT NOT NULL,
    country TEXT NOT NULL,
    status TEXT NOT NULL,
    booth_hall TEXT,
    booth_code TEXT,
    version INTEGER NOT NULL
)"""
STATUS: dict[type[Event], str] = {
    ReviewStartedV1: "UNDER_REVIEW",
    ApplicationApprovedV1: "APPROVED",
    ApplicationRejectedV1: "REJECTED",
    ApplicationWaitlistedV1: "WAITLISTED",
    ContractSignedV1: "CONTRACTED",
    ParticipationConfirmedV1: "CONFIRMED",
    ApplicationWithdrawnV1: "WITHDRAWN",
    ApplicationCancelledV1: "CANCELLED",
}


class Mirror:
    """The exhibitors of `edition`, kept in the SQLite file `path`."""

    def __init__(self, path: Path, edition: str) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute(TABLE)
        self.edition = edition

    async def on_event(self, envelope: Envelope, event: Event) -> None:
        with self.db:  # one transaction per event
            self._apply(envelope, event)

    def _apply(self, envelope: Envelope, event: Event) -> None:
        if envelope.subject.startswith("floorplan:"):
            return  # the hall's side of a booth event: the application's side follows too
        match event:
            case ApplicationSubmittedV1() | ApplicationSubmittedV2():
                if event.edition == self.edition:
                    self.db.execute(
                        "INSERT OR IGNORE INTO exhibitors VALUES (?, ?, ?, ?, 'SUBMITTED', NULL,"
                        " NULL, ?)",
                        (
                            event.application_id,
                            event.edition,
                            event.company_name,
                            event.country,
                            envelope.stream_version,
                        ),
                    )
            case BoothAssignedV1():
                self._update(
                    envelope,
                    event.application_id,
                    "booth_hall = ?, booth_code = ?",
                    event.hall,
                    event.booth_code,
                )
            case BoothReleasedV1():
                held = "booth_hall = ? AND booth_code = ?"
                self._update(
                    envelope,
                    event.application_id,
                    f"booth_hall = CASE WHEN {held} THEN NULL ELSE booth_hall END,"
                    f" booth_code = CASE WHEN {held} THEN NULL ELSE booth_code END",
                    *(event.hall, event.booth_code) * 2,
                )
            case ExhibitorProfileUpdatedV1():
                self._update(
                    envelope,
                    event.application_id,
                    "company_name = ?, country = ?",
                    event.company_name,
                    event.country,
                )
            case (
                ReviewStartedV1()
                | ApplicationApprovedV1()
                | ApplicationRejectedV1()
                | ApplicationWaitlistedV1()
                | ContractSignedV1()
                | ParticipationConfirmedV1()
                | ApplicationWithdrawnV1()
                | ApplicationCancelledV1()
            ):
                self._update(envelope, event.application_id, "status = ?", STATUS[type(event)])

    def _update(self, envelope: Envelope, application: str, assignments: str, *values: Any) -> None:
        """Change the application's row (if it is one of the edition's) with an event
        newer than the last one applied to it."""
        self.db.execute(
            f"UPDATE exhibitors SET {assignments}, version = ?"
            " WHERE application_id = ? AND version < ?",
            (*values, envelope.stream_version, application, envelope.stream_version),
        )

    async def on_contact_forgotten(self, envelope: Envelope, event: Forgotten) -> None:
        """Nothing personal is kept here (see the module's docstring)."""

    def rows(self) -> list[dict[str, Any]]:
        """The copy: one dict a exhibitor, by application id."""
        cursor = self.db.execute("SELECT * FROM exhibitors ORDER BY application_id")
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]


async def mirror(edition: str, group: str, db: Path, topic: str) -> None:
    copy = Mirror(db, edition)
    consumer = Consumer(
        topic,
        group_id=group,
        on_event=copy.on_event,
        on_contact_forgotten=copy.on_contact_forgotten,
    )
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    log.info("mirroring %s's exhibitors from %s into %s", edition, topic, db)
    await consumer.run(stop)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("edition", help="the edition, e.g. CISCE-2026")
    parser.add_argument("--group", required=True, help="your consumer group (integrator.…)")
    parser.add_argument("--db", type=Path, default=Path("exhibitors.sqlite"))
    parser.add_argument("--topic", default=TOPICS["exhibitors"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(mirror(args.edition, args.group, args.db, args.topic))


if __name__ == "__main__":
    main()
