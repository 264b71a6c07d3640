"""Forgetting an exhibitor's contact person (GDPR art. 17): ExhibitorContactForgotten,
then the destruction of the key their personal data is sealed with, which the vault
finds from the application and the address. As for outreach's contacts, the key goes
after the event is stored and again on every retry."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pavilion_core.eventstore import AppendResult, CommandContext
from pavilion_core.forgetting import vault_not_wired

from exhibitors import commands as c
from exhibitors.handlers import Handlers

ForgetPerson = Callable[[str, str], Awaitable[None]]
"""Destroys the key of the contact person (application id, address), for good."""


@dataclass(frozen=True)
class Forgetting:
    handlers: Handlers
    forget_person: ForgetPerson

    async def forget_contact(self, cmd: c.ForgetContact, ctx: CommandContext) -> AppendResult:
        result = await self.handlers.forget_contact(cmd, ctx)
        await self.forget_person(cmd.application_id, cmd.email)
        return result


async def person_vault_not_wired(application_id: str, email: str) -> None:
    """Until the vault (branch shred) is merged: says no key was destroyed (ids only)."""
    await vault_not_wired(f"a contact person of application {application_id}")
