"""ContactForgotten in the notifier's tables: the person's recipient row, the ledger's
addresses and errors, queued mail (not sent), their opt-out, their reminders and the
webhook bodies that carry them all lose their personal data; another person keeps
theirs, and a late event of the forgotten person writes nothing. (The notifier's own
event store is sealed per person by the vault, not scrubbed.)"""

import uuid
from datetime import datetime

import asyncpg
from notifications.endpoints import register_endpoint
from notifications.mailqueue import MailQueue
from notifications.pipeline import Notifier
from pavilion_core.envelope import CloudEvent

from tests.integration.webhook_support import ADMIN, LOCAL
from tests.smtp_catcher import Mailbox
from tests.support import STORY_TIME, cloud_event, registered, scheduled, submitted_data

NAME, EMAIL = "Quillon Vexbridge", "quillon@vexbridge.example"
OTHER = "ada@keep.example"


def _consent(contact: str) -> CloudEvent:
    grant = {
        "channel": "EMAIL",
        "purpose": "MARKETING",
        "legalBasis": "EXPRESS",
        "evidence": "form",
        "grantedAt": STORY_TIME.isoformat(),
        "expiresAt": None,
    }
    return cloud_event("outreach", "ConsentGranted", contact, version=2, contactId=contact, **grant)


async def _forum(notifier: Notifier) -> str:
    forum = str(uuid.uuid4())
    starts = datetime.fromisoformat("2025-12-30T19:00:00+00:00")
    data = scheduled(forum, "Trade Forum", "Toronto", "CA", starts, starts.replace(hour=23))
    await notifier.handle(cloud_event("outreach", "OutreachEventScheduled", forum, **data))
    return forum


async def _invite(notifier: Notifier, forum: str, contact: str, version: int) -> None:
    invited = cloud_event("outreach", "ContactInvited", forum, version=version, eventId=forum,
                          contactId=contact)  # fmt: skip
    await notifier.handle(invited)


async def _dump(pool: asyncpg.Pool) -> str:
    """Every row of the notifier's tables but its event store and outbox (sealed)."""
    tables = await pool.fetch(
        """SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'
           AND table_type = 'BASE TABLE' AND table_name NOT IN ('events', 'outbox')"""
    )
    rows = [await pool.fetch(f"SELECT t::text AS row FROM {t['table_name']} t") for t in tables]
    return "\n".join(r["row"] for table in rows for r in table)


async def test_forgetting_a_contact_scrubs_the_notifier_and_stops_their_mail(
    notifier: Notifier,
    mail: MailQueue,
    mailbox: tuple[int, Mailbox],
    notifications_pool: asyncpg.Pool,
):
    await register_endpoint(notifications_pool, "http://127.0.0.1:9/hook",
                            ["pavilion.outreach.*"], None, policy=LOCAL, meta=ADMIN,
                            now=STORY_TIME)  # fmt: skip
    jane, ada = str(uuid.uuid4()), str(uuid.uuid4())
    for person, name, email in ((jane, NAME, EMAIL), (ada, "Ada Keep", OTHER)):
        data = registered(person, name, email, "CA", "en")
        await notifier.handle(cloud_event("outreach", "ContactRegistered", person, **data))
        await notifier.handle(_consent(person))
    first, second = await _forum(notifier), await _forum(notifier)
    await _invite(notifier, first, jane, 2)
    assert await mail.send_due() == 1
    for person, version in ((jane, 3), (ada, 4)):
        await _invite(notifier, second, person, version)
    await notifications_pool.execute(
        "INSERT INTO opt_outs (address, opted_out_at) VALUES ($1, $2)", EMAIL, STORY_TIME
    )
    assert NAME in await _dump(notifications_pool) and EMAIL in await _dump(notifications_pool)

    forgotten = cloud_event("outreach", "ContactForgotten", jane, version=3, contactId=jane)
    for _ in range(2):  # redelivered: the same
        await notifier.handle(forgotten)
    # a late event of hers: her personal values read as null, her key being destroyed
    late = {**registered(jane, NAME, EMAIL, "CA", "fr"), "name": None, "email": None}
    await notifier.handle(cloud_event("outreach", "ContactUpdated", jane, version=2, **late))
    assert (
        await notifications_pool.fetchval(
            "SELECT language FROM recipients WHERE contact_id = $1", uuid.UUID(jane)
        )
        == "en"
    )
    # her address's release, from another partition, after her (its body names her)
    released = {"email": EMAIL, "contactId": jane}
    await notifier.handle(
        cloud_event("outreach", "ContactEmailReleased", f"contact-email:{EMAIL}", **released)
    )

    left = await _dump(notifications_pool)
    assert NAME not in left and EMAIL not in left
    assert OTHER in left and "Ada Keep" in left
    assert await mail.send_due() == 1  # Ada's invitation, not Jane's
    assert [m["To"] for m in mailbox[1].messages()] == [EMAIL, OTHER]
    held = await notifications_pool.fetch(
        "SELECT status, reason FROM notifications WHERE recipient IS NULL ORDER BY created_at"
    )
    assert [(r["status"], r["reason"]) for r in held] == [
        ("SENT", None),
        ("SUPPRESSED", "FORGOTTEN"),
    ]
    deliveries = await notifications_pool.fetch(
        "SELECT event_type, body::jsonb -> 'data' AS data FROM webhook_deliveries"
    )
    assert "pavilion.outreach.ContactForgotten.v1" in {d["event_type"] for d in deliveries}


async def test_forgetting_an_exhibitor_contact_scrubs_them_and_mails_the_others(
    notifier: Notifier,
    mail: MailQueue,
    mailbox: tuple[int, Mailbox],
    notifications_pool: asyncpg.Pool,
):
    app = str(uuid.uuid4())
    people = [{"name": "Ada Keep", "email": OTHER, "phone": None},
              {"name": NAME, "email": EMAIL, "phone": None}]  # fmt: skip
    data = submitted_data(app, "Maple Robotics", "CA", people, "CLEAN_ENERGY")
    await notifier.handle(cloud_event("exhibitors", "ApplicationSubmitted", app, **data))
    bo = {"applicationId": app, "name": "Bo Stay", "email": "bo@stay.example", "phone": None}
    await notifier.handle(cloud_event("exhibitors", "ExhibitorContactAdded", app, version=2, **bo))
    assert await mail.send_due() == 2  # received, to Ada and Jane (Bo came later)
    assert EMAIL in await _dump(notifications_pool)

    forgotten = {"applicationId": app, "appearances": [2]}
    for _ in range(2):
        await notifier.handle(
            cloud_event("exhibitors", "ExhibitorContactForgotten", app, version=3, **forgotten)
        )
    approved = cloud_event("exhibitors", "ApplicationApproved", app, version=4, applicationId=app)
    await notifier.handle(approved)
    assert await mail.send_due() == 2
    assert sorted(m["To"] for m in mailbox[1].messages()[2:]) == [OTHER, "bo@stay.example"]
    left = await _dump(notifications_pool)
    assert NAME not in left and EMAIL not in left and "Ada Keep" in left


async def test_every_webhook_body_naming_a_forgotten_contact_loses_its_data(
    notifier: Notifier, notifications_pool: asyncpg.Pool
):
    """Their address as JSON escapes it (`\\u00eb` for a non-ASCII one) in a body with no
    id of theirs, and their id nested in an event that arrives after them (a conversion
    of theirs): neither body keeps its data."""
    await register_endpoint(notifications_pool, "http://127.0.0.1:9/hook",
                            ["pavilion.outreach.*", "pavilion.notifications.*"], None,
                            policy=LOCAL, meta=ADMIN, now=STORY_TIME)  # fmt: skip
    jane, address = str(uuid.uuid4()), f"zoë.{uuid.uuid4().hex[:8]}@vexbridge.example"
    data = registered(jane, NAME, address, "CA", "en")
    await notifier.handle(cloud_event("outreach", "ContactRegistered", jane, **data))
    notice = str(uuid.uuid4())
    sent = cloud_event("notifications", "NotificationSent", notice, version=2,
                       notificationId=notice, recipient=address, language="en")  # fmt: skip
    await notifier.handle(sent)
    forgotten = cloud_event("outreach", "ContactForgotten", jane, version=2, contactId=jane)
    await notifier.handle(forgotten)
    lead = str(uuid.uuid4())
    converted = cloud_event("outreach", "InterestConverted", lead, version=3, interestId=lead,
                            kind="VISIT", edition="CISCE-2026", organizationId=str(uuid.uuid4()),
                            organizationName="Maple", country="CA", supplyChainAreas=[],
                            productCategories=[], sourceEventId=None, applicationId=None,
                            contact={"contactId": jane, "name": NAME, "email": address,
                                     "phone": None})  # fmt: skip
    await notifier.handle(converted)

    bodies = await notifications_pool.fetch(
        "SELECT event_id, body::jsonb -> 'data' AS data FROM webhook_deliveries"
        " WHERE event_id = ANY($1::text[])",
        [sent.id, converted.id],
    )
    assert len(bodies) == 2 and {b["data"] for b in bodies} == {"null"}


async def test_a_rebooking_offer_mails_its_contacts_once_and_forgetting_one_erases_it(
    notifier: Notifier,
    mail: MailQueue,
    mailbox: tuple[int, Mailbox],
    notifications_pool: asyncpg.Pool,
):
    """The offer's email goes once to each contact person it copied, in their language,
    with the unsubscribe link; forgetting one of them on the application it was made
    from erases that email's copies of them too."""
    app, offer = str(uuid.uuid4()), str(uuid.uuid4())
    people = [{"name": "Ada Keep", "email": OTHER, "phone": None},
              {"name": NAME, "email": EMAIL, "phone": None}]  # fmt: skip
    data = submitted_data(app, "Maple Robotics", "CA", people, "CLEAN_ENERGY")
    await notifier.handle(cloud_event("exhibitors", "ApplicationSubmitted", app, **data))
    assert await mail.send_due() == 2
    contacts = [{**people[0], "language": "fr"}, {**people[1], "language": None}]
    offered = cloud_event(
        "exhibitors", "RebookingOffered", offer, offerId=offer, edition="CISCE-2027",
        editionName="5th China International Supply Chain Expo", fromEdition="CISCE-2026",
        previousApplicationId=app, organizationId=None, companyName="Maple Robotics",
        country="CA", address={"country": "CA"}, supplyChainAreas=["CLEAN_ENERGY"],
        productCategories=[], contacts=contacts, previousEditions=1, boothSizeSqm=18,
        heldHall="A", heldBoothCode="A-7", deadline="2026-10-31T16:00:00+00:00",
    )  # fmt: skip
    for _ in range(2):  # a redelivery sends nothing more
        await notifier.handle(offered)
    assert await mail.send_due() == 2
    sent = {str(m["To"]): m for m in mailbox[1].messages()[2:]}
    assert sorted(sent) == [OTHER, EMAIL]
    assert "votre place" in str(sent[OTHER]["Subject"])  # Ada's language
    assert "your place" in str(sent[EMAIL]["Subject"])  # none known: English
    body = sent[EMAIL].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "A-7" in body and "2026-10-31" in body and "Unsubscribe" in body

    forgotten = {"applicationId": app, "appearances": [2]}
    await notifier.handle(
        cloud_event("exhibitors", "ExhibitorContactForgotten", app, version=2, **forgotten)
    )
    left = await _dump(notifications_pool)
    assert NAME not in left and EMAIL not in left and OTHER in left
