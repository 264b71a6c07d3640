"""Importing history from an older CRM, with its original times.

    python -m exhibitors.history FILE.jsonl [--api URL] [--report PATH]

Each line of FILE is one entry, a JSON object: `occurredAt` (when it happened, with its
offset), `command` (a command of the exhibitors contract by name, e.g.
`SubmitApplication`), `body` (its fields, camelCase, path fields included) and `key`
(what identifies the entry: sent again, it adds nothing). The entries are sent in the
file's order to the service's history route (exhibitors.api.history), which runs each
command as of its time: a record's entries must be in the order they happened.

Entries refused (here: not JSON, not an entry; or by the service) are written to a
report with their line numbers and reasons. Exit status: 0 when every entry was
imported or already there, 1 when some were refused, 2 when some could not be sent.
The command needs a service token with the HISTORY privilege, which it mints itself
from the service-token secret (an operator's command, like the demo loaders).
"""

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any

import httpx
from pavilion_core.bodies import Body
from pavilion_core.service_tokens import HISTORY, service_client
from pydantic import AwareDatetime, Field, ValidationError
from rich.console import Console

from exhibitors.importer import Outcome, post_retried, reasons

ACTOR = "history-import"
REPORT_HEADER = ("line", "command", "reasons")


class HistoryEntry(Body):
    """One command as it happened: when, which, its fields, and what identifies it."""

    occurred_at: AwareDatetime = Field(description="When it happened; not in the future.")
    command: str = Field(max_length=64, description="A command of the contract, by name.")
    body: dict[str, Any] = Field(description="Its fields, path fields included (camelCase).")
    key: Annotated[str, Field(pattern=r"^[!-~]{1,200}$")] = Field(
        description="Identifies the entry: sent again, it adds nothing."
    )


def read_entries(lines: Iterable[str]) -> Iterable[tuple[int, HistoryEntry | str]]:
    """Each non-blank line's number and entry, or why it is none."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, HistoryEntry.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            yield number, f"not JSON: {exc}"
        except ValidationError as exc:
            yield (
                number,
                "; ".join(
                    f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
                ),
            )


async def send_all(
    client: httpx.AsyncClient,
    entries: Iterable[tuple[int, HistoryEntry | str]],
    advance: Callable[[], None] = lambda: None,
) -> Outcome:
    """Send the entries one after the other (a record's history is in order)."""
    outcome = Outcome()
    for number, entry in entries:
        if isinstance(entry, str):
            outcome.rejected.append((number, "", entry))
        else:
            body = entry.model_dump(mode="json", by_alias=True)
            _count(outcome, number, entry.command, await post_retried(client, "/history", body))
        advance()
    return outcome


def _count(outcome: Outcome, number: int, command: str, answer: httpx.Response | str) -> None:
    if isinstance(answer, str):
        outcome.unsent.append((number, command, answer))
    elif answer.is_success:
        replayed = answer.headers.get("idempotent-replayed") == "true"
        if replayed or not answer.json()["eventIds"]:
            outcome.already_there += 1
        else:
            outcome.imported += 1
    else:
        outcome.rejected.append((number, command, reasons(answer)))


def history_client(api: str, actor: str = ACTOR) -> httpx.AsyncClient:
    """A client of the exhibitors API that may import history."""
    return service_client("exhibitors", api, actor=actor, privileges=[HISTORY])


async def run(path: Path, api: str, report: Path, console: Console) -> Outcome:
    with path.open(encoding="utf-8") as lines:
        entries = list(read_entries(lines))
    async with history_client(api) as client:
        outcome = await send_all(client, entries)
    outcome.tell(console, f"{len(entries)} entries", report, REPORT_HEADER, "refused")
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m exhibitors.history",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--api", default="http://127.0.0.1:8001", help="the exhibitors API")
    parser.add_argument("--report", type=Path, help="default: FILE with .refused.csv")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        parser.error(f"no such file: {args.file}")
    report = args.report or args.file.with_suffix(".refused.csv")
    outcome = asyncio.run(run(args.file, args.api, report, Console(stderr=True)))
    return outcome.exit_code


if __name__ == "__main__":
    sys.exit(main())
