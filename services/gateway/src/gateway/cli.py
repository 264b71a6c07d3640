"""Operator commands of the gateway:

python -m gateway.cli token --role ADMIN [--subject staff:ada] [--application ID] [--ttl S]
python -m gateway.cli sdl [--check]          (schemas/graphql/schema.graphql)
python -m gateway.cli disclosure [--check]   (what of each event is personal, from schemas/events)
python -m gateway.cli rebuild                 (replay the topics into a new read model)
python -m gateway.cli rebuild --until T       (a side generation of the events up to T)
python -m gateway.cli drop-generation N       (drop side generation N)
"""

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from pavilion_core.logging import configure_logging

from gateway.auth import Role, mint
from gateway.bootstrap import connect
from gateway.config import AuthSettings, Config
from gateway.disclosure import derive
from gateway.offsets import caught_up
from gateway.readmodel import schema_name
from gateway.rebuild import REFUSED, Progress, drop_side, rebuild
from gateway.schema import schema

SDL = Path("schemas/graphql/schema.graphql")
EVENTS = Path("schemas/events")
DISCLOSURE = Path("services/gateway/src/gateway/disclosure.json")


def sdl() -> str:
    return schema.as_str() + "\n"


def _token(args: argparse.Namespace) -> int:
    role = Role(args.role)
    print(
        mint(
            AuthSettings.from_env(),
            args.subject or f"dev:{role.value.lower()}",
            role,
            applications=args.application,
            ttl_seconds=args.ttl,
        )
    )
    return 0


def disclosure() -> str:
    return json.dumps(derive(EVENTS), indent=1, sort_keys=True) + "\n"


def _export(path: Path, content: Callable[[], str], command: str) -> Callable[..., int]:
    """Write a file derived from the code or the contracts, or --check that it is."""

    def run(args: argparse.Namespace) -> int:
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content())
            print(f"wrote {path}")
            return 0
        if path.read_text() != content():
            print(f"{path} is stale: run `python -m gateway.cli {command}`", file=sys.stderr)
            return 1
        return 0

    return run


def _rebuild(args: argparse.Namespace) -> int:
    def report(progress: Progress) -> None:
        share = progress.applied / progress.total if progress.total else 1.0
        print(
            f"generation {progress.generation}: {progress.applied}/{progress.total} "
            f"messages ({share:.0%})",
            file=sys.stderr,
        )

    try:
        generation = asyncio.run(rebuild(Config.from_env(), report, until=args.until))
    except REFUSED as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.until is None:
        print(f"read model generation {generation} is current")
    else:
        side = f"side generation {generation} (schema {schema_name(generation)})"
        print(
            f"{side} holds the read model as of {args.until.isoformat()}; drop-generation drops it"
        )
    return 0


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("a moment needs its UTC offset")
    return moment


def _drop(args: argparse.Namespace) -> int:
    asyncio.run(drop_side(Config.from_env(), args.generation))
    return 0


def _caught_up(args: argparse.Namespace) -> int:
    async def wait() -> int:
        config = Config.from_env()
        pool = await connect(config, pool_size=2)
        try:
            return await caught_up(pool, config, args.seconds)
        finally:
            await pool.close()

    behind = asyncio.run(wait())
    if behind:
        print(f"the read model is {behind} messages behind the topics", file=sys.stderr)
        return 1
    print("the read model has caught up with the topics", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="mint a dev JWT (HS256, PAVILION_JWT_SECRET)")
    token.add_argument("--role", choices=[r.value for r in Role], required=True)
    token.add_argument("--subject")
    token.add_argument("--application", action="append", help="an EXHIBITOR's application id")
    token.add_argument("--ttl", type=int, default=8 * 3600, help="seconds (default 8 h)")
    token.set_defaults(run=_token)
    for name, path, content, what in (
        ("sdl", SDL, sdl, "the GraphQL SDL"),
        ("disclosure", DISCLOSURE, disclosure, "what of each event is personal"),
    ):
        export = commands.add_parser(name, help=f"export {what} (or --check it)")
        export.add_argument("--check", action="store_true")
        export.set_defaults(run=_export(path, content, name))
    again = commands.add_parser("rebuild", help="rebuild the read model")
    again.add_argument(
        "--until", type=_moment, help="only the events up to this moment, not swapped in"
    )
    again.set_defaults(run=_rebuild)
    drop = commands.add_parser("drop-generation", help="drop a side generation")
    drop.add_argument("generation", type=int)
    drop.set_defaults(run=_drop)
    wait = commands.add_parser("caught-up", help="wait until the read model has caught up")
    wait.add_argument("--seconds", type=float, default=120.0)
    wait.set_defaults(run=_caught_up)
    args = parser.parse_args(argv)
    configure_logging("gateway")
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
