"""Forgetting a person (GDPR art. 17): the port through which a command that forgets
someone destroys the key their personal data is sealed with.

A subject names one person's key: `contact:<contactId>` for an outreach contact; an
exhibitor's contact person is named by the vault from (application, email).
"""

import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

ForgetSubject = Callable[[str], Awaitable[None]]
"""Destroys the key of one subject, for good; destroying it twice is no error."""


def contact_subject(contact_id: str) -> str:
    return f"contact:{contact_id}"


async def vault_not_wired(subject: str) -> None:
    """Bootstrap's key destruction until the vault (branch `shred`) is merged: it says,
    in a warning, that no key was destroyed. Replace with the vault's `forget` at merge."""
    log.warning("no key destroyed: the vault is not wired", extra={"subject": subject})
