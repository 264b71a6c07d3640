"""The seed of an empty system: the editions of the packaged editions.json (the 4th
expo, CISCE-2026) or of the file PAVILION_EDITIONS_FILE names. Editions are records
(exhibitors.domain.edition), created and changed by commands; at start the service
creates, through the same handler, each edition of the seed that the store lacks. Several
processes may start at once: an edition's stream id is its code, so the one that comes
second finds it there (DUPLICATE) or loses the append (a version conflict), and either
way it exists. An edition recorded differently from the seed stays as recorded."""

import json
import logging
from importlib.resources import files
from pathlib import Path
from uuid import uuid4

from pavilion_contracts.exhibitors.commands import CreateEdition
from pavilion_core.config import ConfigError
from pavilion_core.envelope import Metadata
from pavilion_core.errors import CommandRejected, Duplicate
from pavilion_core.eventstore import CommandContext, ConcurrencyError
from pydantic import ValidationError

from exhibitors.handlers import Handlers

log = logging.getLogger(__name__)


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


async def seed_editions(handlers: Handlers, editions: list[CreateEdition]) -> None:
    """Create each edition of the seed (`seed()`) that the store lacks."""
    for create in editions:
        ctx = CommandContext(Metadata(correlation_id=str(uuid4()), actor="exhibitors:seed"))
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
