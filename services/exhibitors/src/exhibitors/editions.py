"""Editions are records (exhibitors.domain.edition), created and changed by commands:
their handlers, and the seed of an empty system.

The seed is the editions of the packaged editions.json (the 4th expo, CISCE-2026) or of
the file PAVILION_EDITIONS_FILE names: at start the service creates, through the same
handler, each edition of the seed that the store lacks. Several
processes may start at once: an edition's stream id is its code, so the one that comes
second finds it there (DUPLICATE) or loses the append (a version conflict), and either
way it exists. An edition recorded differently from the seed stays as recorded."""

import json
import logging
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from uuid import uuid4

from pavilion_contracts.exhibitors import commands as c
from pavilion_contracts.exhibitors.commands import CreateEdition
from pavilion_core.config import ConfigError
from pavilion_core.envelope import Metadata
from pavilion_core.errors import CommandRejected, Duplicate, InvalidValue
from pavilion_core.eventstore import AppendResult, CommandContext, ConcurrencyError
from pydantic import ValidationError

from exhibitors.domain.edition import edition_id
from exhibitors.domain.floorplan import floor_plan_id
from exhibitors.handlers import Handlers, registry
from exhibitors.session import ExhibitorsSession as Session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EditionHandlers:
    """One async function per command of an edition, run as the service's other
    commands are (Handlers.run)."""

    handlers: Handlers

    @registry.handles(c.CreateEdition)
    async def create_edition(self, cmd: c.CreateEdition, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            (await s.edition_record(cmd.code)).create(cmd)

        return await self.handlers.run(edition_id(cmd.code), step, ctx)

    @registry.handles(c.OpenApplications)
    async def open_applications(self, cmd: c.OpenApplications, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            (await s.edition_record(cmd.edition)).open_applications(s.now)

        return await self.handlers.run(edition_id(cmd.edition), step, ctx)

    @registry.handles(c.CloseApplications)
    async def close_applications(
        self, cmd: c.CloseApplications, ctx: CommandContext
    ) -> AppendResult:
        async def step(s: Session) -> None:
            (await s.edition_record(cmd.edition)).close_applications(s.now)

        return await self.handlers.run(edition_id(cmd.edition), step, ctx)

    @registry.handles(c.CopyFloorPlan)
    async def copy_floor_plan(self, cmd: c.CopyFloorPlan, ctx: CommandContext) -> AppendResult:
        if cmd.from_edition == cmd.edition:
            raise InvalidValue("fromEdition", "an edition's floor plan is its own already")
        prefix = floor_plan_id(cmd.from_edition, "")
        halls = [
            stream.removeprefix(prefix) for stream in await self.handlers.store.stream_ids(prefix)
        ]

        async def step(s: Session) -> None:
            edition = await s.edition_record(cmd.edition)
            await s.edition(cmd.from_edition, "fromEdition")
            source = [await s.floor_plan(cmd.from_edition, hall) for hall in halls]
            into = [await s.floor_plan(cmd.edition, hall) for hall in halls]
            edition.copy_floor_plan(source, into)

        return await self.handlers.run(edition_id(cmd.edition), step, ctx)


def seed(path: str | None = None) -> list[CreateEdition]:
    """The editions of the seed file, as the commands that create them; a file that
    does not make valid ones is a ConfigError."""
    name = path or "editions.json"
    try:
        text = (
            Path(path).read_text()
            if path
            else files("exhibitors").joinpath("editions.json").read_text()
        )
        return [CreateEdition.model_validate(raw) for raw in json.loads(text)]
    except (OSError, ValueError, TypeError) as exc:  # ValidationError is a ValueError
        raise ConfigError(f"invalid editions file {name}: {_why(exc)}") from None


async def seed_editions(handlers: EditionHandlers, editions: list[CreateEdition]) -> None:
    """Create each edition of the seed (`seed()`) that the store lacks, as existing since
    its applications opened when that is past (so history imported of it, and answers
    as of a moment since, find it), else since now."""
    now = handlers.handlers.clock.now()
    for create in editions:
        since = create.applications_open_at
        ctx = CommandContext(
            Metadata(correlation_id=str(uuid4()), actor="exhibitors:seed"),
            occurred_at=since if since is not None and since < now else None,
        )
        try:
            await handlers.create_edition(create, ctx)
        except (Duplicate, ConcurrencyError):
            continue  # there already, or another process just made it
        except CommandRejected as exc:
            raise ConfigError(f"invalid edition {create.code} in the seed: {exc}") from None
        log.info("edition seeded", extra={"edition": create.code})


def _why(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    return repr(exc)
