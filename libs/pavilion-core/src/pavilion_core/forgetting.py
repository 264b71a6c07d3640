"""Forgetting a person (GDPR art. 17): the port through which a command that forgets
someone destroys the keys their personal data is sealed with (pavilion_core.vault).

A subject names one key: `contact:<contactId>` for an outreach contact, `person:<id>`
for someone known by an address (an exhibitor's contact person, a mail recipient: the
vault finds them from the address), `record:<stream id>` for what is said in a record
with no person behind it (the notes on a contact are their record's).
"""

from typing import Protocol


class Keys(Protocol):
    """The vault as forgetting sees it."""

    async def forget(self, subject: str) -> None:
        """Destroys the key of one subject, for good; destroying it twice is no error."""

    async def subjects_of(self, address: str) -> dict[str, str]:
        """Every `person:` subject known by `address`, with its scope (RECIPIENT, or the
        application whose contact person they are)."""

    async def forget_person(self, scope: str, address: str) -> str | None:
        """Destroys the key of the person known by `address` in `scope`."""


RECIPIENT = ""
"""The scope of a mail recipient's subject: the address alone, whatever it was sent for."""


def contact_subject(contact_id: str) -> str:
    return f"contact:{contact_id}"


def record_subject(stream_id: str) -> str:
    return f"record:{stream_id}"
