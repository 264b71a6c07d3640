"""The read model as of a past moment, two ways, against the real Kafka and PostgreSQL:
a story of events published with their times spread over ten days (booths defined, then
applications through their lifecycle — booths taken and released, withdrawals, the
waitlist — and outreach interests with their outreach events). The live read model is
projected from the topic; then, for random past moments (seeded, the seed printed),
what `asOf` answers of the dashboard, the floor plan and each application and interest
equals the same queries on a read model rebuilt from the topic with only the events up
to that moment (`rebuild(until=...)`, a side generation). And year over year: two
editions with events at known times, each compared the same number of days before its
opening, give exactly the figures that were sent. The operator's way to the side
generation, `python -m gateway.cli rebuild --until` and `drop-generation`, too."""

import asyncio
import random
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from gateway.auth import Role, Viewer
from gateway.cli import main
from gateway.config import Config, Limits
from gateway.context import Context, Services
from gateway.readmodel import current_generation, generations, schema_name
from gateway.rebuild import drop_side, rebuild
from gateway.relay import global_id
from gateway.schema import schema
from pavilion_core.envelope import KafkaRecord, RecordedEvent, to_kafka
from pavilion_core.kafka import KafkaPublisher
from pavilion_core.testing import FixedClock

from tests.integration.test_topic_history import _gateway_env, config  # noqa: F401 (a fixture)
from tests.support import submitted_data

NOW = datetime.now(UTC).replace(microsecond=0)
START = NOW - timedelta(days=20)
HALL = "H1"
AREA = "SMART_VEHICLES"
ADMIN = Viewer("staff:ada", Role.ADMIN)
BOARD = """query($edition: String!, $at: DateTime) {
  editionDashboard(edition: $edition, asOf: $at) {
    totalExhibitors foreignShare boothsFree boothsTaken
    exhibitorsByStatus { key count } exhibitorsByCountry { key count }
    exhibitorsBySupplyChainArea { key count } interestsByStage { key count }
    conversionByOutreachEvent { event { id name } interests converted } } }"""
PLAN = """query($edition: String!, $at: DateTime) {
  floorPlan(edition: $edition, asOf: $at) {
    halls { code booths(first: 100) { totalCount edges { node {
      code sizeSqm state holder { id companyName status } } } } }
    waitlist(first: 50) { totalCount edges { node { position exhibitor { id companyName } } } }
  } }"""
RECORD = """query($id: ID!, $at: DateTime) {
  node(id: $id, asOf: $at) {
    ... on Exhibitor { companyName status country booth { code hall } paidAmount { amount }
                       contacts { name email } updatedAt version
                       timeline(first: 50) { edges { node { type version occurredAt } } } }
    ... on Interest { stage version capturedAt sourceEvent { name } } } }"""
YEARS = """query($days: Int!) { yearOverYear(editions: ["OLD", "NEW"], daysBeforeOpening: $days) {
  edition moment reached applications confirmations boothsTaken foreignShare } }"""


class Story:
    """Events as their services publish them, each at a chosen time (its ce_time)."""

    def __init__(self, start: datetime) -> None:
        self.start, self.records, self.times = start, list[KafkaRecord](), list[datetime]()
        self.versions: dict[str, int] = {}

    def add(self, hours: float, service: str, kind: str, subject: str, /, **data: Any) -> None:
        at = self.start + timedelta(hours=hours)
        self.versions[subject] = version = self.versions.get(subject, 0) + 1
        event = RecordedEvent(
            event_id=uuid.uuid4(),
            stream_id=subject,
            version=version,
            position=len(self.records) + 1,
            type=kind,
            schema_version=1,
            data=data,
            metadata={"correlation_id": "story", "actor": "staff:li"},
            recorded_at=at,
        )
        self.records.append(to_kafka(event, service))
        self.times.append(at)

    def edition(self, hours: float, code: str, opens_at: datetime) -> None:
        self.add(hours, "exhibitors", "EditionCreated", f"edition:{code}", edition=code,
                 name=code, city="Beijing", country="CN", startsOn=opens_at.date().isoformat(),
                 endsOn=(opens_at.date() + timedelta(days=4)).isoformat(),
                 timezone="Asia/Shanghai", currency="CNY", supplyChainAreas=[AREA],
                 depositThresholdPct=50, opensAt=opens_at.isoformat(),
                 applicationsCloseAt=opens_at.isoformat())  # fmt: skip

    def booths(self, hours: float, edition: str, count: int) -> None:
        for n in range(1, count + 1):
            self.add(hours, "exhibitors", "BoothDefined", f"floorplan:{edition}:{HALL}",
                     edition=edition, hall=HALL, boothCode=f"A-{n}", sizeSqm=18,
                     supplyChainArea=AREA)  # fmt: skip

    def application(self, hours: float, edition: str, company: str, country: str) -> str:
        app = str(uuid.uuid4())
        contact = {"name": f"{company} Lead", "email": f"lead@{app[:8]}.example",
                   "phone": None, "language": "en"}  # fmt: skip
        data = {**submitted_data(app, company, country, [contact], AREA), "edition": edition}
        self.add(hours, "exhibitors", "ApplicationSubmitted", app, **data)
        return app

    def step(self, hours: float, app: str, kind: str, /, **data: Any) -> None:
        self.add(hours, "exhibitors", kind, app, applicationId=app, **data)

    def confirmed(self, hours: float, edition: str, app: str, booth: str) -> None:
        """Reviewed, approved, contracted, paid, given `booth`, confirmed: a day apart."""
        self.step(hours, app, "ReviewStarted")
        self.step(hours + 2, app, "ApplicationApproved")
        self.step(hours + 3, app, "ContractIssued", amount=1_800_000, currency="CNY",
                  dueDate=(self.start + timedelta(days=30)).date().isoformat())  # fmt: skip
        self.step(hours + 5, app, "ContractSigned")
        self.step(hours + 8, app, "PaymentRecorded", amount=900_000, currency="CNY",
                  reference="wire", paidTotal=900_000)  # fmt: skip
        where = {"edition": edition, "hall": HALL, "boothCode": booth}
        self.step(hours + 9, app, "BoothAssigned", sizeSqm=18, **where)
        self.add(hours + 9, "exhibitors", "BoothAllocated", f"floorplan:{edition}:{HALL}",
                 applicationId=app, **where)  # fmt: skip
        self.step(hours + 10, app, "ParticipationConfirmed")


def _lifecycles(story: Story) -> list[str]:
    """Ten days of one edition: the records whose answers are compared."""
    story.booths(0, "CISCE-2026", 5)
    forum = str(uuid.uuid4())
    story.add(1, "outreach", "OutreachEventScheduled", forum, eventId=forum, tripId=forum,
              stopIndex=0, name="Hamburg forum", kind="FORUM", city="Hamburg", country="DE",
              venue=None, startsAt=story.start.isoformat(),
              endsAt=(story.start + timedelta(hours=3)).isoformat(), capacity=None)  # fmt: skip
    apps = [
        story.application(6 + 20 * n, "CISCE-2026", f"Company {n}", ("CN", "DE", "US")[n % 3])
        for n in range(9)
    ]
    for n, app in enumerate(apps[:5]):
        story.confirmed(8 + 20 * n, "CISCE-2026", app, f"A-{n + 1}")
    released = {"edition": "CISCE-2026", "hall": HALL, "boothCode": "A-2", "reason": "withdrawn"}
    story.step(150, apps[1], "ApplicationWithdrawn", reason="budget")
    story.step(150, apps[1], "BoothReleased", **released)
    story.add(150, "exhibitors", "BoothReleased", f"floorplan:CISCE-2026:{HALL}",
              applicationId=apps[1], **released)  # fmt: skip
    story.step(170, apps[5], "ReviewStarted")
    story.step(175, apps[5], "ApplicationRejected", reason="out of scope")
    story.step(180, apps[6], "ReviewStarted")
    story.step(190, apps[6], "ApplicationWaitlisted")
    story.add(190, "exhibitors", "WaitlistEntryAdded", "waitlist:CISCE-2026",
              applicationId=apps[6], edition="CISCE-2026", previousEditions=0,
              boothSizeSqm=18)  # fmt: skip
    story.step(200, apps[7], "ApplicationWithdrawn", reason="changed plans")
    interests = []
    for n in range(4):
        interest = str(uuid.uuid4())
        story.add(30 + 40 * n, "outreach", "InterestCaptured", interest, interestId=interest,
                  contactId=str(uuid.uuid4()), organizationId=None, sourceEventId=forum,
                  kind="EXHIBIT", edition="CISCE-2026", supplyChainAreas=[AREA],
                  productCategories=[])  # fmt: skip
        outcome = {"reason": "no budget"} if n % 2 else {}
        story.add(60 + 40 * n, "outreach", ("InterestQualified", "InterestLost")[n % 2],
                  interest, interestId=interest, **outcome)  # fmt: skip
        interests.append(interest)
    return [global_id("Exhibitor", a) for a in apps] + [global_id("Interest", i) for i in interests]


def context(pool: asyncpg.Pool) -> Context:
    services = Services(pool=pool, commands=None, news=None, limits=Limits())  # type: ignore[arg-type]
    services.clock = FixedClock(NOW)
    return Context(services=services, viewer=ADMIN)


async def answer(ctx: Context, query: str, **variables: Any) -> dict[str, Any]:
    ctx.fresh_loaders()
    result = await schema.execute(query, variable_values=variables, context_value=ctx)
    assert result.errors is None, result.errors
    return result.data  # type: ignore[return-value]


async def answers(ctx: Context, records: list[str], at: datetime | None) -> dict[str, Any]:
    moment = at.isoformat() if at else None
    return {
        "board": await answer(ctx, BOARD, edition="CISCE-2026", at=moment),
        "plan": await answer(ctx, PLAN, edition="CISCE-2026", at=moment),
        **{r: await answer(ctx, RECORD, id=r, at=moment) for r in records},
    }


@pytest.fixture
async def side(read_model_url: str, config: Config) -> AsyncIterator[list[int]]:  # noqa: F811
    """The side generations a test builds, dropped after it."""
    built: list[int] = []
    yield built
    for generation in built:
        await drop_side(config, generation)


async def test_as_of_answers_equal_a_read_model_rebuilt_from_the_events_up_to_then(
    config: Config,  # noqa: F811
    read_pool: asyncpg.Pool,
    read_model_url: str,
    publisher: KafkaPublisher,
    topic: str,
    side: list[int],
):
    story = Story(START)
    records = _lifecycles(story)
    await publisher.publish(topic, story.records)
    await rebuild(config, lambda _: None)  # the live read model, projected from the topic
    seed = random.randrange(2**32)
    print(f"moments drawn with seed {seed}")  # to replay a failure: random.Random(seed)
    draw = random.Random(seed)
    first, last = min(story.times), max(story.times)
    moments = [first + (last - first) * draw.random() for _ in range(3)] + [
        draw.choice(story.times),
        first - timedelta(hours=1),
    ]  # an event's own instant; before all
    live = context(read_pool)

    for moment in moments:
        generation = await rebuild(config, lambda _: None, until=moment)
        side.append(generation)
        rebuilt = await asyncpg.create_pool(
            read_model_url, min_size=1, max_size=2,
            server_settings={"search_path": f"{schema_name(generation)}, public"},
        )  # fmt: skip
        try:
            expected = await answers(context(rebuilt), records, None)
        finally:
            await rebuilt.close()

        assert await answers(live, records, moment) == expected, f"as of {moment} (seed {seed})"
    assert (await answers(live, records, first - timedelta(hours=1)))["board"]["editionDashboard"][
        "totalExhibitors"
    ] == 0


async def test_year_over_year_compares_editions_the_same_days_before_their_opening(
    read_pool: asyncpg.Pool,
    config: Config,  # noqa: F811
    publisher: KafkaPublisher,
    topic: str,
):
    old_opens, new_opens = NOW - timedelta(days=15), NOW + timedelta(days=10)
    story = Story(NOW - timedelta(days=30))  # hours from 30 days ago
    story.edition(0, "OLD", old_opens)
    story.edition(0, "NEW", new_opens)
    story.booths(0, "OLD", 3)
    story.booths(0, "NEW", 3)
    # hour 0 is day -30; OLD opens on day -15, NEW on day +10
    old = [story.application(h, "OLD", f"Old {n}", c)
           for n, (h, c) in enumerate([(1, "CN"), (2, "DE"), (3, "US"), (200, "FR")])]  # fmt: skip
    story.confirmed(10, "OLD", old[0], "A-1")  # confirmed by hour 20
    story.confirmed(30, "OLD", old[1], "A-2")
    story.step(340, old[2], "ApplicationWithdrawn", reason="late")  # after the moment
    later = [(400, "CN"), (401, "CN"), (402, "JP"), (700, "KR")]
    new = [story.application(h, "NEW", f"New {n}", c) for n, (h, c) in enumerate(later)]
    story.confirmed(410, "NEW", new[0], "A-1")
    await publisher.publish(topic, story.records)
    await rebuild(config, lambda _: None)
    ctx = context(read_pool)

    # 12 days before each opening: OLD at day -27 (hour 72), NEW at day -2 (hour 672)
    rows = (await answer(ctx, YEARS, days=12))["yearOverYear"]
    ahead = (await answer(ctx, YEARS, days=5))["yearOverYear"][1]

    assert rows == [
        {"edition": "OLD", "moment": (old_opens - timedelta(days=12)).isoformat(),
         "reached": True, "applications": 3, "confirmations": 2, "boothsTaken": 2,
         "foreignShare": round(2 / 3, 4)},
        {"edition": "NEW", "moment": (new_opens - timedelta(days=12)).isoformat(),
         "reached": True, "applications": 3, "confirmations": 1, "boothsTaken": 1,
         "foreignShare": round(1 / 3, 4)},
    ]  # fmt: skip
    assert ahead == {"edition": "NEW", "moment": (new_opens - timedelta(days=5)).isoformat(),
                     "reached": False, "applications": None, "confirmations": None,
                     "boothsTaken": None, "foreignShare": None}  # fmt: skip


async def test_the_cli_builds_a_side_generation_as_of_a_moment_and_drops_it(
    config: Config,  # noqa: F811
    read_pool: asyncpg.Pool,
    publisher: KafkaPublisher,
    topic: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
):
    story = Story(START)
    early, late = (story.application(h, "CISCE-2026", f"Co {h}", "DE") for h in (1, 3))
    await publisher.publish(topic, story.records)
    for name, value in _gateway_env(config).items():
        monkeypatch.setenv(name, value)
    moment = (START + timedelta(hours=2)).isoformat()

    built = await asyncio.to_thread(main, ["rebuild", "--until", moment])
    [generation] = re.findall(r"side generation (\d+)", capsys.readouterr().out)
    side_ids = await read_pool.fetch(
        f"SELECT id::text FROM {schema_name(int(generation))}.exhibitors"
    )
    current = await current_generation(read_pool)
    dropped = await asyncio.to_thread(main, ["drop-generation", generation])

    assert built == dropped == 0
    assert [r["id"] for r in side_ids] == [early] and late != early
    assert current == 1  # never swapped in
    assert int(generation) not in await generations(read_pool)
