"""Random command sequences against the outreach domain (hypothesis), checked against a
model written from the rules (DOMAIN.md, domain/leads.py's docstring): every command
is refused exactly when the model says, with the code and the reason it names, and an
accepted one records exactly the events the model expects — including the reactions to
exhibitors' ApplicationSubmitted and ConversionRefused, which must be idempotent."""

import asyncio
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from outreach.domain.leads import Interest
from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.outreach import InterestKind
from pavilion_contracts.outreach import commands as c
from pavilion_core.errors import CommandRejected

from tests.unit.outreach.support import Outreach, ctx, new_id

CONTACTS, SLOTS, APPLICATIONS = 3, 3, ["app-1", "app-2"]
OPEN = {"CAPTURED", "QUALIFIED", "NURTURING"}
FROM: dict[str, set[str]] = {  # the stages each staff action starts from
    "qualify": {"CAPTURED"},
    "nurture": {"QUALIFIED"},
    "convert": {"QUALIFIED", "NURTURING"},
    "lose": OPEN,
    "assign": OPEN,
}
WORDS = {
    "qualify": "qualify",
    "nurture": "nurture",
    "convert": "convert",
    "lose": "mark as lost",
    "assign": "assign an owner to",
}
RECORDS = {
    "qualify": ("InterestQualified", "QUALIFIED"),
    "nurture": ("InterestNurturingStarted", "NURTURING"),
    "convert": ("InterestConverted", "CONVERTED"),
    "lose": ("InterestLost", "LOST"),
    "assign": ("InterestOwnerAssigned", None),
}

slot, contact = st.integers(0, SLOTS - 1), st.integers(0, CONTACTS - 1)
# Every slot but the last is captured at the start; staff actions weigh most, so that
# interests reach every stage, and a refusal names the latest conversion most often.
captures = [("capture", i, i % CONTACTS) for i in range(SLOTS - 1)]
steps = st.one_of(
    st.tuples(st.just("capture"), slot, contact),
    *(st.tuples(st.just(action), slot) for action in ["qualify", "nurture", "convert"] * 3),
    st.tuples(st.sampled_from(["lose", "assign"]), slot),
    st.tuples(st.just("note"), slot),
    st.tuples(st.just("submitted"), slot, st.sampled_from(APPLICATIONS)),
    st.tuples(st.just("refused"), slot, st.sampled_from([0, 0, 0, 1, 2, -1])),
    st.tuples(st.just("merge"), contact, contact),
)


@dataclass
class Lead:
    stage: str = "CAPTURED"
    version: int = 1
    application: str | None = None
    converted_version: int = 0


@dataclass
class Model:
    leads: dict[int, Lead] = field(default_factory=dict)
    merged: set[int] = field(default_factory=set)

    def expect(self, step: tuple) -> tuple[str, str] | list[str]:  # type: ignore[type-arg]
        """(code, words of the reason) for a refusal, else the event types recorded."""
        kind, i = step[0], step[1]
        if kind == "merge":
            j = step[2]
            if i in self.merged or j in self.merged:
                return ("MERGED", "was merged into")
            if i == j:
                return ("INVALID_TRANSITION", "merged into itself")
            return [
                "ContactMerged",
                "ContactAbsorbed",
                "ContactEmailReleased",
                "ContactEmailClaimed",
            ]
        lead = self.leads.get(i)
        if kind == "capture":  # a new interest in the slot, of a contact not merged away
            if step[2] in self.merged:
                return ("MERGED", "was merged into")
            return ["InterestCaptured"]
        if lead is None:
            return ("NOT_FOUND", "no interest")
        if kind in FROM:
            if lead.stage not in FROM[kind]:
                return ("INVALID_TRANSITION", f"cannot {WORDS[kind]} an interest that is")
            return [RECORDS[kind][0]]
        if kind == "note":
            return ["NoteAdded"]
        if kind == "submitted":
            if lead.application == step[2]:
                return []
            return ["InterestConverted" if lead.stage in OPEN else "InterestApplicationLinked"]
        # refused: only the latest conversion, while no application answers it
        version = lead.converted_version - step[2]
        if (lead.stage, lead.application, lead.converted_version) == ("CONVERTED", None, version):
            return ["InterestConversionRefused"]
        return []

    def apply(self, step: tuple, events: list[str]) -> None:  # type: ignore[type-arg]
        kind, i = step[0], step[1]
        if kind == "merge":
            self.merged.add(i)
            return
        if kind == "capture":
            self.leads[i] = Lead()
            return
        lead = self.leads[i]
        for event in events:
            lead.version += 1
            if event == "InterestConverted":
                lead.stage, lead.converted_version = "CONVERTED", lead.version
                lead.application = step[2] if kind == "submitted" else None
            elif event == "InterestApplicationLinked":
                lead.application = step[2]
            elif event == "InterestConversionRefused":
                lead.stage = "QUALIFIED"
            elif kind in RECORDS and (stage := RECORDS[kind][1]):
                lead.stage = stage


@dataclass
class World:
    outreach: Outreach
    contacts: list[str]
    # each slot's interest: an id no interest has until one is captured into it
    interests: list[str] = field(default_factory=lambda: [new_id() for _ in range(SLOTS)])

    async def run(self, step: tuple) -> None:  # type: ignore[type-arg]
        h, kind, i = self.outreach.h, step[0], step[1]
        interest = self.interests[i]
        if kind == "capture":
            self.interests[i] = await self.outreach.created(
                h.capture_interest,
                c.CaptureInterest(
                    contact_id=self.contacts[step[-1]],
                    kind=InterestKind.EXHIBIT,
                    edition="CISCE-2026",
                    supply_chain_areas=[SupplyChainArea.CLEAN_ENERGY],
                ),
            )
            return
        actions = {
            "note": lambda: h.add_note(c.AddInterestNote(record_id=interest, text="n"), ctx()),
            "submitted": lambda: h.application_submitted(interest, step[2], ctx()),
            "refused": lambda: h.conversion_refused(
                interest, self._converted_at(i) - step[2], ("DUPLICATE", "r"), ctx()
            ),
            "merge": lambda: h.merge_contacts(
                c.MergeContacts(contact_id=self.contacts[i], survivor_id=self.contacts[step[2]]),
                ctx(),
            ),
        }
        action = actions.get(kind) or (
            lambda: self.outreach.change_interest(interest, kind, reason="why", owner="ana")
        )
        await action()

    def _converted_at(self, i: int) -> int:
        history = self.outreach.events(self.interests[i])
        return max((e.version for e in history if e.type == "InterestConverted"), default=0)


async def scenario(sequence: list[tuple]) -> None:  # type: ignore[type-arg]
    outreach = Outreach()
    org = await outreach.organization()
    world = World(outreach, [await outreach.contact(organization_id=org) for _ in range(CONTACTS)])
    model = Model()
    for step in sequence:
        expected = model.expect(step)
        before = outreach.store.position
        try:
            await world.run(step)
        except CommandRejected as refusal:
            assert isinstance(expected, tuple), f"{step} refused ({refusal}); expected {expected}"
            code, words = expected
            assert (refusal.code, words in str(refusal)) == (code, True), (step, str(refusal))
            continue
        recorded = [e.type for e in outreach.store.all_events() if e.position > before]
        assert recorded == expected, step
        model.apply(step, recorded)
    for i, lead in model.leads.items():
        interest = Interest(world.interests[i]).replay(outreach.events(world.interests[i]))
        assert (interest.stage, interest.application_id, interest.version) == (
            lead.stage,
            lead.application,
            lead.version,
        )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(steps, min_size=5, max_size=80))
def test_interests_follow_the_rules_for_any_command_sequence(sequence: list[tuple]) -> None:  # type: ignore[type-arg]
    asyncio.run(scenario(captures + sequence))
