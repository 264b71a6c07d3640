"""One async function per command: load, decide, append."""

from pavilion_core.eventstore import AppendResult, CommandContext, EventStorePort

from exhibitors.commands import SubmitApplication
from exhibitors.domain import ExhibitorApplication, application_id


async def submit_application(
    store: EventStorePort, command: SubmitApplication, ctx: CommandContext
) -> AppendResult:
    app_id = application_id(command.edition, command.organization_id, command.company_name)
    return await store.execute(
        str(app_id),
        lambda history: ExhibitorApplication.load(app_id, history).submit(command),
        ctx,
    )
