"""Forgetting an exhibitor's contact person (GDPR art. 17): ExhibitorContactForgotten,
then the destruction of the key their personal data is sealed with, which the vault
finds from the application and the address. As for outreach's contacts, the key goes
after the event is stored and again on every retry."""

from dataclasses import dataclass

from pavilion_core.eventstore import AppendResult, CommandContext
from pavilion_core.forgetting import Keys

from exhibitors import commands as c
from exhibitors.handlers import Handlers


@dataclass(frozen=True)
class Forgetting:
    handlers: Handlers
    keys: Keys

    async def forget_contact(self, cmd: c.ForgetContact, ctx: CommandContext) -> AppendResult:
        result = await self.handlers.forget_contact(cmd, ctx)
        await self.keys.forget_person(cmd.application_id, cmd.email)
        return result
