"""PostGraphile 4 (npm, pinned in bench/peers/postgraphile/package-lock.json) serving
the read model the gateway's projector built, as the peer of the gateway's queries:
the page of exhibitors and, as far as its aggregates plugin (@graphile/pg-aggregates)
expresses it, the dashboard. `npm ci` installs it on first use (nothing when it is)."""

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from gateway.config import default_workers

from bench import stack

HOME = Path(__file__).parent / "postgraphile"
BIN = HOME / "node_modules" / ".bin" / "postgraphile"
INSTALLED = HOME / "node_modules" / ".package-lock.json"  # what npm ci last installed

# The gateway's page (scenarios.PAGE): the same rows in the same order, the same
# columns. Contacts come as the JSON column they are stored in (the gateway types and
# masks each contact), booth as its two columns (the gateway makes it an object), and
# the source interest through the smart-comment foreign key of read_model.sql.
PAGE = """{ allExhibitors(condition: {edition: "CISCE-2026"}, first: 50,
  orderBy: [COMPANY_NAME_ASC, ID_ASC]) { totalCount edges { node {
  companyName contacts boothCode boothHall interestBySourceInterestId { stage } } } } }"""
# The gateway's dashboard (scenarios.DASHBOARD) as far as the aggregates plugin goes:
# the total and the counts by status; the counts by country stand for the foreign share
# (which needs the edition's host country and the active statuses only: no condition
# expresses NOT IN); booths free and all (taken is the difference).
DASHBOARD = """{ exhibitors: allExhibitors(condition: {edition: "CISCE-2026"}) { totalCount
  byStatus: groupedAggregates(groupBy: STATUS) { keys distinctCount { id } }
  byCountry: groupedAggregates(groupBy: COUNTRY) { keys distinctCount { id } } }
  free: allBooths(condition: {edition: "CISCE-2026", allocatedTo: null}) { totalCount }
  booths: allBooths(condition: {edition: "CISCE-2026"}) { totalCount } }"""


async def install() -> None:
    """`npm ci` in bench/peers/postgraphile unless what its lock file pins is installed
    (then nothing touches the network)."""
    lock = HOME / "package-lock.json"
    if INSTALLED.exists() and INSTALLED.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "the benchmark's PostGraphile needs node and npm (deploy/system-deps.sh)"
        )
    proc = await asyncio.create_subprocess_exec(
        npm, "ci", "--no-audit", "--no-fund", cwd=HOME, stdout=-1, stderr=-2
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"npm ci failed in {HOME}: {out.decode()[-2000:]}")


async def current_schema(url: str) -> str:
    """The schema of the read model's current generation (gateway.readmodel)."""
    conn = await asyncpg.connect(url)
    try:
        generation = await conn.fetchval("SELECT generation FROM read_model_current")
    finally:
        await conn.close()
    return f"read_model_{generation}"


@asynccontextmanager
async def postgraphile(url: str, logs: Path) -> AsyncIterator[tuple[int, int | None]]:
    """PostGraphile on the read model at `url` (its current generation, with
    read_model.sql applied), with the options its documentation recommends for
    production; yields its port and pid."""
    await install()
    schema = await current_schema(url)
    conn = await asyncpg.connect(url, server_settings={"search_path": schema})
    try:
        await conn.execute((HOME / "read_model.sql").read_text())
    finally:
        await conn.close()
    port = stack.free_port()
    args = ["--connection", url, "--schema", schema, "--host", "127.0.0.1", "--port", str(port)]
    args += ["--append-plugins", "@graphile/pg-aggregates", "--disable-query-log"]
    args += ["--dynamic-json", "--no-setof-functions-contain-nulls", "--no-ignore-rbac"]
    args += ["--legacy-relations", "omit"]
    # as many processes as the gateway's API runs by default (one per CPU, at most four)
    if (workers := default_workers()) > 1:
        args += ["--cluster-workers", str(workers)]
    # /graphiql (its IDE's page) answers 200 once the schema is built
    ready = f"http://127.0.0.1:{port}/graphiql"
    env = {"NODE_ENV": "production"}  # graphql-js leaves out its development checks
    async with stack.process(args, env, ready, logs / "postgraphile.log", program=str(BIN)) as proc:
        yield port, proc.pid
