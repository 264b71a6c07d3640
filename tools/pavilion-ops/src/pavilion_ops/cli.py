"""`pavilion`: the operator's commands, with the settings the services use (environment,
localhost defaults). Long operations show progress."""

import asyncio
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from exhibitors import demo as exhibitors_demo
from exhibitors import history, importer, recruiting
from gateway.auth import Role, mint
from gateway.config import AuthSettings
from gateway.config import Config as GatewayConfig
from gateway.rebuild import REFUSED, rebuild
from gateway.rebuild import Progress as RebuildProgress
from outreach import demo as outreach_demo
from pavilion_contracts import registry
from pavilion_core.config import KafkaSettings
from pavilion_core.kafka import ensure_topics
from pavilion_core.service_tokens import service_client
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from pavilion_ops import acls, deadletters, settings
from pavilion_ops import backup as backups
from pavilion_ops import parked as parked_messages
from pavilion_ops.status import Reach, collect

app = typer.Typer(help=__doc__, no_args_is_help=True)
dlq = typer.Typer(help="Dead-letter notices: what failed, where.", no_args_is_help=True)
parked = typer.Typer(
    help="Messages consumers could not apply, held back with their records.", no_args_is_help=True
)
topics = typer.Typer(help="Kafka topics.", no_args_is_help=True)
kafka = typer.Typer(help="Kafka's principals and ACLs.", no_args_is_help=True)
seed = typer.Typer(help="Demo data.", no_args_is_help=True)
load = typer.Typer(help="Imports.", no_args_is_help=True)
schemas = typer.Typer(help="The schema registry (PAVILION_REGISTRY_URL).", no_args_is_help=True)
app.add_typer(dlq, name="dlq")
app.add_typer(parked, name="parked")
app.add_typer(topics, name="topics")
app.add_typer(kafka, name="kafka")
app.add_typer(seed, name="seed")
app.add_typer(load, name="import")
app.add_typer(schemas, name="schemas")
backup = typer.Typer(
    help="Base backups and archived WAL of PostgreSQL (pgBackRest; docs/operations.md).",
    no_args_is_help=True,
)
app.add_typer(backup, name="backup")
console = Console()


@app.command()
def status() -> None:
    """Services' readiness, outbox backlog, consumer lag, dead letters, parked messages,
    stored offsets outside the logs, and how far back each topic reaches."""
    figures = asyncio.run(collect(KafkaSettings.from_env()))
    console.print(_table("service", "ready", figures.health))
    console.print(_table("outbox of", "events not yet relayed", figures.backlog))
    console.print(_table("relay of", "publishing", figures.publishing))
    console.print(_table("consumer group", "messages behind", figures.lag))
    console.print(_table("dead-letter topic", "messages", figures.dead_letters))
    console.print(_table("consumer group", "parked", figures.parked))
    console.print(_table("consumer group", "stored offsets", figures.offsets))
    console.print(_reach_table(figures.reach))


def _table(
    key: str, value: str, rows: dict[str, int] | dict[str, str] | dict[str, int | str]
) -> Table:
    table = Table(key, value)
    for name, figure in rows.items():
        table.add_row(name, str(figure))
    return table


def _reach_table(reach: dict[str, Reach]) -> Table:
    """How far back each topic reaches; a topic whose first records are gone is flagged:
    a rebuild or a new consumer group would be refused on it."""
    table = Table("topic", "retention", "earliest offset", "oldest record", "history")
    for name, r in reach.items():
        kept = [f"{timedelta(milliseconds=r.retention_ms)}"] if r.retention_ms >= 0 else []
        kept += [f"{r.retention_bytes} bytes a partition"] if r.retention_bytes >= 0 else []
        gone = {p: first for p, first in r.first_offsets.items() if first}
        table.add_row(
            name,
            ", ".join(kept) or "forever",
            ", ".join(f"{first} (partition {p})" for p, first in gone.items()) or "0",
            r.oldest.isoformat(timespec="seconds") if r.oldest else "empty",
            f"[red]INCOMPLETE: {sum(gone.values())} records deleted[/]" if gone else "complete",
        )
    return table


@app.command("rebuild-read-model")
def rebuild_read_model() -> None:
    """Replay the topics into a new read model and swap it in, queries answering on."""
    with Progress(console=console) as progress:
        task = progress.add_task("replaying the topics", total=None)

        def report(at: RebuildProgress) -> None:
            progress.update(task, completed=at.applied, total=at.total or None)

        try:
            generation = asyncio.run(rebuild(GatewayConfig.from_env(), report))
        except REFUSED as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(1) from None
    console.print(f"read model generation {generation} is current")


@dlq.command("show")
def dlq_show(
    topic: Annotated[str, typer.Argument(help="a .dlq topic, e.g. pavilion.exhibitors.v1.dlq")],
    limit: int = 20,
) -> None:
    """The dead letters of TOPIC, oldest first."""
    letters = asyncio.run(deadletters.show(KafkaSettings.from_env(), topic, limit))
    table = Table("partition", "offset", "failed on", "type", "error", "at")
    for d in letters:
        table.add_row(str(d.partition), str(d.offset), d.original, d.type, d.error, d.failed_at)
    console.print(table)


@parked.command("show")
def parked_show() -> None:
    """What each consumer group has parked: records held back, messages, the oldest
    error, redrives asked for and not answered yet."""
    table = Table("consumer group", "records", "messages", "redrive asked", "first error")
    for p in asyncio.run(parked_messages.parked()):
        table.add_row(
            p.group, str(p.records), str(p.messages), str(p.redrive_requested), p.oldest_error
        )
    console.print(table)


@parked.command("redrive")
def parked_redrive(
    group: Annotated[
        str, typer.Argument(help="the consumer group, e.g. pavilion.gateway.projector")
    ],
    key: Annotated[str | None, typer.Option(help="only this record (its Kafka key)")] = None,
) -> None:
    """Have GROUP's consumer apply its parked messages again, each record's in order
    (once the fault is fixed); waits for its answer."""
    with console.status(f"redriving what {group} parked"):
        outcome = asyncio.run(parked_messages.redrive(group, key.encode() if key else None))
    console.print(
        f"{outcome.requested} parked messages: {outcome.applied} applied,"
        f" {outcome.still_parked} still parked"
    )
    if outcome.still_parked:
        console.print("see `pavilion parked show` for why")
        raise typer.Exit(1)


@topics.command("create")
def topics_create() -> None:
    """Create the three topics and their .dlq twins (partitions and replication from
    PAVILION_KAFKA_PARTITIONS / _REPLICATION)."""
    names = [settings.topic(s) for s in settings.RELAYED]
    created = asyncio.run(ensure_topics(KafkaSettings.from_env(), names))
    console.print(f"created: {', '.join(created) or 'none (all there)'}")


@kafka.command("acls")
def kafka_acls(
    table: Annotated[
        bool, typer.Option("--table", help="print the definition (tab-separated), change nothing")
    ] = False,
) -> None:
    """Make the brokers' ACLs of the services' and the integrator's principals what
    pavilion_ops.acls defines (run as the admin principal; again: changes nothing)."""
    if table:
        print(acls.table(), end="")
        return
    applied = asyncio.run(acls.apply(KafkaSettings.from_env()))
    for verb, changed in (("created", applied.created), ("deleted", applied.deleted)):
        for acl in changed:
            console.print(
                f"{verb}: User:{acl.principal} {acl.operation.name} {acl.resource.name}"
                f" {acl.name}{'*' if acl.pattern.name == 'PREFIXED' else ''}"
            )
    console.print(
        f"ACLs: {len(applied.created)} created, {len(applied.deleted)} deleted,"
        f" {len(acls.definition())} in force for {', '.join(acls.principals())}"
    )


@schemas.command("register")
def schemas_register(
    root: Annotated[Path, typer.Option(help="the repository (schemas/events/ under it)")] = Path(),
) -> None:
    """Register every event schema under its subject (the event's ce_type), compatibility
    BACKWARD_TRANSITIVE; all or nothing: one refused, none registered."""
    raise typer.Exit(registry.main(["--root", str(root)]))


@schemas.command("resolve")
def schemas_resolve(
    dataschema: Annotated[str, typer.Argument(help="an event's ce_dataschema")],
) -> None:
    """The JSON Schema an event's ce_dataschema names, from the registry."""
    with registry.client(registry.default_url()) as client:
        try:
            schema = registry.resolve(client, dataschema)
        except ValueError as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(2) from None
    typer.echo(json.dumps(schema, indent=2))


@seed.command("demo")
def seed_demo(exhibitors: int = 320) -> None:
    """Load the demo scenario through the services' APIs (again: changes nothing)."""

    # the day make run's demo is set around (deploy/demo-anchor.sh), else today
    anchor = date.fromisoformat(os.environ.get("PAVILION_DEMO_ANCHOR") or date.today().isoformat())

    async def run() -> None:
        async with (
            service_client("outreach", settings.url("outreach"), "operator:seed") as outreach,
            # the demo's own actor: its history keys are the ones make run's load kept
            history.history_client(settings.url("exhibitors"), exhibitors_demo.ACTOR) as exhibits,
        ):
            with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console) as p:
                p.add_task("the delegation's trip (outreach)")
                trip = await outreach_demo.load(outreach, anchor=anchor)
                p.add_task(f"{exhibitors} exhibitors of the 4th edition, as history")
                told = await exhibitors_demo.load(exhibits, count=exhibitors)
                p.add_task("the 5th edition recruiting now, re-booking the 4th's exhibitors")
                fifth = await recruiting.load(exhibits, anchor)
        console.print(", ".join(f"{n} {what}" for what, n in trip.items()))
        console.print(", ".join(f"{n} {s.lower()}" for s, n in told.counts()["byStatus"].items()))
        console.print(", ".join(f"{n} {what}" for what, n in fifth.items()))

    asyncio.run(run())


@app.command()
def token(
    role: Annotated[Role, typer.Option(case_sensitive=False)] = Role.ADMIN,
    subject: str | None = None,
    application: Annotated[list[str] | None, typer.Option(help="an EXHIBITOR's")] = None,
    ttl: int = 8 * 3600,
) -> None:
    """Mint a dev JWT for the gateway (HS256 with PAVILION_JWT_SECRET)."""
    name = subject or f"dev:{role.value.lower()}"
    typer.echo(mint(AuthSettings.from_env(), name, role, applications=application, ttl_seconds=ttl))


@load.command("exhibitors")
def import_exhibitors(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    edition: str = "CISCE-2026",
    report: Path | None = None,
) -> None:
    """Import exhibitors from a spreadsheet (CSV); rejected rows go to a report."""
    outcome = asyncio.run(
        importer.run(
            file,
            edition,
            settings.url("exhibitors"),
            report or file.with_suffix(".rejected.csv"),
            console,
        )
    )
    raise typer.Exit(outcome.exit_code)


@load.command("history")
def import_history(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    report: Path | None = None,
) -> None:
    """Import history from an older CRM (JSON lines: occurredAt, command, body, key), each
    command as of its original time; refused lines go to a report."""
    outcome = asyncio.run(
        history.run(
            file, settings.url("exhibitors"), report or file.with_suffix(".refused.csv"), console
        )
    )
    raise typer.Exit(outcome.exit_code)


@contextmanager
def _refusals() -> Iterator[None]:
    """A BackupError told in red, exit status 1."""
    try:
        yield
    except backups.BackupError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None


@backup.command("run")
def backup_run(
    kind: Annotated[
        str, typer.Option("--type", help="full, diff (since the last full), incr (since the last)")
    ] = "incr",
) -> None:
    """Take a base backup of the running server (the first one is always full)."""
    with _refusals(), console.status(f"taking a {kind} backup"):
        made = backups.run(backups.Repository.from_env(), kind)
    console.print(f"backup {made.label} ({made.kind}) ended {made.stopped:%Y-%m-%d %H:%M:%S} UTC")


@backup.command("list")
def backup_list() -> None:
    """The backups, oldest first, with their times (UTC) and WAL ranges, and the WAL
    archived."""
    with _refusals():
        found = backups.catalogue(backups.Repository.from_env())
    table = Table("backup", "type", "started", "ended", "WAL from", "WAL to", "size", "stored")
    for b in found.backups:
        table.add_row(
            b.label, b.kind, f"{b.started:%Y-%m-%d %H:%M:%S}", f"{b.stopped:%Y-%m-%d %H:%M:%S}",
            b.wal_start, b.wal_stop, _mib(b.size), _mib(b.stored),
        )  # fmt: skip
    console.print(table)
    console.print(f"archived WAL: {found.wal_min or 'none'} .. {found.wal_max or 'none'}")
    if found.backups:
        since = found.backups[0].stopped
        console.print(f"restorable to any time since {since:%Y-%m-%d %H:%M:%S} UTC")


def _mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


@backup.command("restore")
def backup_restore(
    to: Annotated[
        datetime | None,
        typer.Option(
            help="a time with its zone, e.g. 2026-05-04T10:30:00+00:00 (default: the last commit)",
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z"],
        ),
    ] = None,
) -> None:
    """Rebuild the stopped server's data directory from the newest backup (ended before
    TO) and the WAL since; the server replays it when it starts next."""
    with _refusals(), console.status("restoring"):
        repo = backups.Repository.from_env()
        made = backups.restore(repo, to)
    console.print(
        f"{repo.data_dir} restored from {made.label}; start PostgreSQL now: it replays the WAL"
        f" to {to.isoformat() if to else 'the last commit'} (docs/operations.md)"
    )
