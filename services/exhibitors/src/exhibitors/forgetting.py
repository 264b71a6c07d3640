"""Forgetting an exhibitor's contact person (GDPR art. 17): ExhibitorContactForgotten,
then the destruction of the keys their personal data is sealed with, which the vault
finds from the address: theirs in the application, and theirs as a mail recipient (the
notifications about the application sent to them; an address is one person's). As for
outreach's contacts, the keys go after the event is stored and again on every retry."""

from dataclasses import dataclass

from pavilion_contracts.exhibitors import commands as c
from pavilion_core.eventstore import AppendResult, CommandContext
from pavilion_core.forgetting import RECIPIENT, Keys

from exhibitors.handlers import Handlers, registry


@dataclass(frozen=True)
class Forgetting:
    handlers: Handlers
    keys: Keys

    @registry.handles(c.ForgetContact)
    async def forget_contact(self, cmd: c.ForgetContact, ctx: CommandContext) -> AppendResult:
        result = await self.handlers.forget_contact(cmd, ctx)
        application, email = str(cmd.application_id), cmd.email.lower()
        await self.keys.forget_person(application, email)
        await self.keys.forget_person(RECIPIENT, email)  # the mail sent to them
        return result
