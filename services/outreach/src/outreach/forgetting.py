"""Forgetting a contact (GDPR art. 17): the ContactForgotten event, then the
destruction of every key their personal data is sealed with: the contact's own, their
record's (the notes on them) and those the vault knows their address by (a mail
recipient, an exhibitor's contact person with that address).

The keys go after the event is stored, and again on every retry (forgetting twice
appends nothing but still destroys the keys): a failure in between leaves a contact
that is refused everything and keys a retry destroys, never a key destroyed without
the event that tells every reader to erase its copies. The contact's own key goes
last: until then a retry can still read the address the others are found by. The
contacts merged into it are the same person: they are forgotten with it. Their address
may also be an exhibitor's contact person's: ContactForgotten names the applications
the vault knows it in, and exhibitors forgets it there (ExhibitorContactForgotten).

The answer names the contact's stream alone: the address's registry stream that the
command also wrote is named by the address, which the read model erases (so a wait on
it could never end), and which the answer must not hand back."""

from dataclasses import dataclass, replace

from pavilion_contracts.outreach.commands import ForgetContact
from pavilion_core.eventstore import AppendResult, CommandContext
from pavilion_core.forgetting import RECIPIENT, Keys, contact_subject, record_subject

from outreach.handlers import Handlers, registry


@dataclass(frozen=True)
class Forgetting:
    handlers: Handlers
    keys: Keys

    @registry.handles(ForgetContact)
    async def forget_contact(self, cmd: ForgetContact, ctx: CommandContext) -> AppendResult:
        """The contact, then each contact merged into it (the same person under another
        record): each its own command, without the caller's key or expected version."""
        contact_id = str(cmd.contact_id)
        merged = await self.handlers.merged_into(contact_id)
        result = await self._forget(contact_id, ctx)
        for other in merged:
            await self._forget(other, replace(ctx, idempotency_key=None, expected_version=None))
        return replace(result, streams={result.stream_id: result.version})

    async def _forget(self, contact_id: str, ctx: CommandContext) -> AppendResult:
        address = await self.handlers.address_of(contact_id)
        people = await self.keys.subjects_of(address) if address else {}
        applications = sorted({s for s in people.values() if s != RECIPIENT})
        result = await self.handlers.forget_contact(contact_id, ctx, applications)
        for subject in (*people, record_subject(contact_id), contact_subject(contact_id)):
            await self.keys.forget(subject)
        return result
