"""Forgetting an exhibitor's contact person (GDPR art. 17): named by their appearances,
removed from the contacts, their key destroyed, not to be added back."""

import pytest
from exhibitors.domain.application import ExhibitorApplication
from exhibitors.forgetting import Forgetting
from pavilion_contracts.exhibitors import ApplicationStatus as S
from pavilion_contracts.exhibitors import commands as c
from pavilion_core.envelope import RecordedEvent
from pavilion_core.errors import Forgotten, NotFound

from tests.unit.exhibitors.support import Expo, ctx


class Keys:
    def __init__(self) -> None:
        self.destroyed: list[tuple[str, str]] = []

    async def forget_person(self, application_id: str, email: str) -> str | None:
        self.destroyed.append((application_id, email))
        return f"person:{len(self.destroyed)}"

    async def forget(self, subject: str) -> None:
        raise AssertionError("a contact person is forgotten by application and address")

    async def subjects_of(self, address: str) -> dict[str, str]:
        raise AssertionError("a contact person is forgotten in their application only")


async def _forget(expo: Expo, app: str, email: str, keys: Keys) -> None:
    await Forgetting(expo.h, keys).forget_contact(
        c.ForgetContact(application_id=app, email=email), ctx()
    )


async def test_every_appearance_of_the_person_is_forgotten_and_their_key_destroyed() -> None:
    expo, keys = Expo(), Keys()
    app = await expo.in_state(S.SUBMITTED)  # Ana is appearance 1
    for person in ("bo@example.com", "cy@example.com"):
        await expo.h.add_contact(c.AddContact(application_id=app, name="P", email=person), ctx())
    await expo.h.remove_contact(c.RemoveContact(application_id=app, email="bo@example.com"), ctx())
    await expo.h.add_contact(
        c.AddContact(application_id=app, name="Bo", email="bo@example.com"), ctx()
    )

    await _forget(expo, app, "bo@example.com", keys)
    forgotten = expo.events_of(app)[-1]
    assert (forgotten.type, forgotten.data) == (
        "ExhibitorContactForgotten",
        {"applicationId": app, "appearances": [2, 4]},
    )
    assert set((await expo.application(app)).contacts) == {"ana@example.com", "cy@example.com"}
    assert keys.destroyed == [(app, "bo@example.com"), ("", "bo@example.com")]  # and as mailed

    await _forget(expo, app, "BO@example.com", keys)  # twice (any case): nothing appended
    assert expo.events_of(app)[-1] == forgotten and len(keys.destroyed) == 4
    with pytest.raises(Forgotten):
        await expo.h.add_contact(
            c.AddContact(application_id=app, name="Bo", email="bo@example.com"), ctx()
        )
    with pytest.raises(NotFound):
        await _forget(expo, app, "nobody@example.com", keys)


async def test_a_replay_whose_forgotten_addresses_read_as_null_keeps_the_others() -> None:
    expo, keys = Expo(), Keys()
    app = await expo.in_state(S.SUBMITTED)
    await expo.h.add_contact(
        c.AddContact(application_id=app, name="Bo", email="bo@example.com"), ctx()
    )
    await _forget(expo, app, "bo@example.com", keys)
    shredded = [_null_bo(e) for e in expo.events_of(app)]
    replayed = ExhibitorApplication(app).replay(shredded)
    assert set(replayed.contacts) == {"ana@example.com"}


def _null_bo(event: RecordedEvent) -> RecordedEvent:
    if event.type != "ExhibitorContactAdded":
        return event
    return event.__class__(**{**vars(event), "data": {**event.data, "name": None,
                                                      "email": None, "phone": None}})  # fmt: skip
