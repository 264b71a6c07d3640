"""Forgetting an exhibitor's contact person (GDPR art. 17): ExhibitorContactForgotten,
then the destruction of the keys their personal data is sealed with, which the vault
finds from the address: theirs in the application, and theirs as a mail recipient (the
notifications about the application sent to them; an address is one person's). As for
outreach's contacts, the keys go after the event is stored and again on every retry.

An outreach contact forgotten (ContactForgotten) whose address an application names is
forgotten there the same way, by the reaction to it (consumers.py): the event names
the applications and the keyed hash of the address, never the address."""

from collections.abc import Collection
from dataclasses import dataclass

from pavilion_contracts.exhibitors import commands as c
from pavilion_core.eventstore import AppendResult, CommandContext
from pavilion_core.forgetting import RECIPIENT, Keys
from pavilion_core.vault import pseudonym

from exhibitors.handlers import Handlers, registry


@dataclass(frozen=True)
class Forgetting:
    handlers: Handlers
    keys: Keys

    @registry.handles(c.ForgetContact)
    async def forget_contact(self, cmd: c.ForgetContact, ctx: CommandContext) -> AppendResult:
        result = await self.handlers.forget_contact(cmd, ctx)
        await self._destroy(str(cmd.application_id), cmd.email.lower())
        return result

    async def contact_forgotten(
        self, app_id: str, pseudonyms: Collection[str], ctx: CommandContext
    ) -> None:
        """outreach forgot a contact whose address (by its keyed hashes) the application
        names: the same, for each of their entries there. outreach destroys their keys
        too; those that still open here go after the event all the same."""
        theirs = [a for a in await self.handlers.addresses_of(app_id) if pseudonym(a) in pseudonyms]
        await self.handlers.contact_forgotten(app_id, pseudonyms, ctx)
        for address in theirs:
            await self._destroy(app_id, address)

    async def _destroy(self, app_id: str, address: str) -> None:
        await self.keys.forget_person(app_id, address)
        await self.keys.forget_person(RECIPIENT, address)  # the mail sent to them
