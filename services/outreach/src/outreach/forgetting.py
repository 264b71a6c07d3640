"""Forgetting a contact (GDPR art. 17): the ContactForgotten event, then the
destruction of the key their personal data is sealed with.

The key goes after the event is stored, and again on every retry (forgetting twice
appends nothing but still destroys the key): a failure in between leaves a contact
that is refused everything and a key a retry destroys, never a key destroyed without
the event that tells every reader to erase its copies.

The answer names the contact's stream alone: the address's registry stream that the
command also wrote is named by the address, which the read model erases (so a wait on
it could never end), and which the answer must not hand back."""

from dataclasses import dataclass, replace

from pavilion_core.eventstore import AppendResult, CommandContext
from pavilion_core.forgetting import ForgetSubject, contact_subject

from outreach import commands as c
from outreach.handlers import Handlers


@dataclass(frozen=True)
class Forgetting:
    handlers: Handlers
    forget_subject: ForgetSubject

    async def forget_contact(self, cmd: c.ForgetContact, ctx: CommandContext) -> AppendResult:
        result = await self.handlers.forget_contact(cmd, ctx)
        await self.forget_subject(contact_subject(cmd.contact_id))
        return replace(result, streams={result.stream_id: result.version})
