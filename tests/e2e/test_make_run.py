"""`make run` as a newcomer runs it: it reaches "ready" with the demo data loaded, the
sample query and command it prints work through GraphQL, the emails the demo made are
in Mailpit and the gateway links each sent one to it, every service is connected as
its own role to its own database (made by `make run`: no superuser, no CONNECT to
another's), the event schemas are in the schema registry, and stopping it stops every
process it started. Here it uses the suite's PostgreSQL and Kafka (it starts neither)
with databases, roles, topics and ports of its own."""

import base64
import json
import os
import re
import signal
import urllib.parse
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.e2e.make_run import SERVICES, make_run
from tests.support import PG_URL, eventually


@pytest.mark.timeout(660)
async def test_make_run_reaches_ready_with_the_demo_and_stops_cleanly(tmp_path: Path):
    async with make_run(tmp_path) as launched:
        text = launched.text
        await _the_printed_examples_work(text, launched.ports["gateway"])
        await _the_emails_sent_open_in_mailpit(text, launched.ports)
        await _each_service_is_connected_as_its_own_role(launched.run, SERVICES)
        subjects = f"http://127.0.0.1:{launched.ports['registry']}/apis/ccompat/v7/subjects"
        assert subjects in text
        async with httpx.AsyncClient(timeout=30) as http:  # every event schema, registered
            assert (
                "pavilion.exhibitors.ApplicationSubmitted.v2" in (await http.get(subjects)).json()
            )
        assert launched.process is not None
        group = launched.process.pid
        await _a_killed_process_is_restarted(group, launched.logs, "gateway projector")
        assert launched.process.returncode is None, "make run stopped when a process was killed"
        unsubscribe = f"http://127.0.0.1:{launched.ports['notifications_public']}/unsubscribe/"
        assert f"{unsubscribe}<token>" in text
        async with httpx.AsyncClient(timeout=30) as http:
            assert (await http.get(f"{unsubscribe}not-a-token")).status_code == 400
    text = launched.text
    assert "stopping..." in text, text[-3000:]
    assert launched.code in (0, 2, 130, -signal.SIGINT), (launched.code, text[-3000:])
    await eventually(lambda: _group_gone(group), what="every process stopped", within=60)
    logs = {p.name for p in launched.logs.glob("*.log")}
    assert {"gateway-api.log", "gateway-projector.log", "notifications-public.log"} <= logs
    for log in ("gateway-api.log", "exhibitors-api.log"):
        assert "Application shutdown complete" in (launched.logs / log).read_text()


async def _a_killed_process_is_restarted(group: int, logs: Path, name: str) -> None:
    """make run supervises: a process SIGKILLed is started again, and the restart logged."""
    killed = _pids(group, name)
    assert len(killed) == 1, killed
    os.kill(killed[0], signal.SIGKILL)
    journal = logs / "supervisor.log"

    async def back() -> bool:  # bash reports a child killed by signal 9 as 128 + 9
        logged = journal.exists() and f"{name.replace(' ', '-')} exited with code 137" in (
            journal.read_text()
        )
        return logged and _pids(group, name) not in ([], killed)

    await eventually(back, what=f"{name} restarted, and logged", within=60)


def _pids(group: int, name: str) -> list[int]:
    """The processes of make run's process group running `python -m <name>`."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            argv = [a.decode() for a in (proc / "cmdline").read_bytes().split(b"\0") if a]
            in_group = os.getpgid(int(proc.name)) == group
        except (OSError, ValueError):
            continue
        if in_group and argv[-3:] == ["-m", *name.split()]:
            found.append(int(proc.name))
    return found


async def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


async def _the_printed_examples_work(text: str, port: int) -> None:
    """The sample query returns the demo's exhibitors; the sample command (through the
    gateway: the command APIs are internal) submits an application."""
    banner = text[text.index("Pavilion is ready.") :]
    token = re.search(r"Bearer (\S+)\"", banner).group(1)  # type: ignore[union-attr]
    query, command = re.findall(r"-d '(\{\"query\".*\})'", banner)
    assert "mutation" in command and "/applications" not in banner
    async with httpx.AsyncClient(timeout=30) as http:

        async def post(body: str) -> dict[str, Any]:
            answer = await http.post(
                f"http://127.0.0.1:{port}/graphql",
                content=body,
                headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
            )
            assert answer.status_code == 200, answer.text
            assert "errors" not in answer.json(), answer.text
            data: dict[str, Any] = answer.json()["data"]
            return data

        exhibitors = (await post(query))["exhibitors"]
        assert exhibitors["totalCount"] >= 300, (exhibitors, text[-3000:])
        assert len(exhibitors["edges"]) == 5
        payload = (await post(command))["submitExhibitorApplication"]
        assert payload["userErrors"] == [] and payload["version"] == 1, payload
        # the answer waits (bounded) for the read model: on a loaded machine, ask again
        # (the token names every stream the command wrote, with its version)
        [[subject, _], *_] = json.loads(base64.urlsafe_b64decode(payload["consistencyToken"]))
        node = base64.urlsafe_b64encode(f"Exhibitor:{subject}".encode()).decode()
        shown = json.dumps(
            {"query": "query($id: ID!, $t: String) { node(id: $id, atLeast: $t) "
             "{ ... on Exhibitor { companyName } } }",
             "variables": {"id": node, "t": payload["consistencyToken"]}}
        )  # fmt: skip
        assert (await post(shown))["node"]["companyName"] == "Maple Robotics"
        again = (await post(command))["submitExhibitorApplication"]  # idempotency key
        assert again["consistencyToken"] == payload["consistencyToken"], (again, payload)


async def _the_emails_sent_open_in_mailpit(text: str, ports: dict[str, int]) -> None:
    """The banner shows Mailpit's URL; an email the stack sent is there (its REST API),
    and the link the gateway answers for it opens that message: the page is Mailpit's,
    and its search (the one the page runs) finds that one message."""
    mailpit = f"http://127.0.0.1:{ports['mailpit']}"
    banner = text[text.index("Pavilion is ready.") :]
    assert f"emails sent:      {mailpit}  (Mailpit" in banner, banner
    token = re.search(r"Bearer (\S+)\"", banner).group(1)  # type: ignore[union-attr]
    query = (
        "{ notifications(filter: {status: [SENT]}, first: 5)"
        " { edges { node { id channel mailViewerUrl } } } }"
    )
    async with httpx.AsyncClient(timeout=30) as http:

        async def sent() -> list[dict[str, Any]]:
            answer = await http.post(
                f"http://127.0.0.1:{ports['gateway']}/graphql",
                json={"query": query},
                headers={"authorization": f"Bearer {token}"},
            )
            edges = answer.json()["data"]["notifications"]["edges"]
            return [e["node"] for e in edges if e["node"]["channel"] == "EMAIL"]

        [notification, *_] = await eventually(sent, what="an email sent", within=180)
        link = notification["mailViewerUrl"]
        assert link.startswith(f"{mailpit}/search?q="), link
        page = await http.get(link)
        assert page.status_code == 200 and "dist/app.js" in page.text, page.text[:500]
        search = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["q"][0]
        found = (await http.get(f"{mailpit}/api/v1/search", params={"query": search})).json()
        nid = base64.urlsafe_b64decode(notification["id"]).decode().split(":", 1)[1]
        assert [m["MessageID"].split("@")[0] for m in found["messages"]] == [nid], found
        message = (await http.get(f"{mailpit}/api/v1/message/{found['messages'][0]['ID']}")).json()
        assert message["MessageID"].startswith(f"{nid}@"), message
        assert (await http.get(f"{mailpit}/api/v1/messages")).json()["total"] >= 1


async def _each_service_is_connected_as_its_own_role(run: str, services: tuple[str, ...]) -> None:
    """Every connection to <run>_<service> is by role <run>_<service>, no such role is a
    superuser, and one service's role cannot connect to another's database; the vault
    (<run>_vault) is reached by the services' own roles, the gateway's only reading."""
    names = [f"{run}_{s}" for s in services]
    admin = await asyncpg.connect(f"{PG_URL}/postgres")
    try:
        connections = await admin.fetch(
            "SELECT datname, usename, count(*) FROM pg_stat_activity"
            " WHERE datname = any($1::text[]) AND backend_type = 'client backend'"
            " GROUP BY 1, 2",  # (an autovacuum worker there has no user)
            names,
        )
        by_database = {(r["datname"], r["usename"]) for r in connections}
        assert by_database == {(n, n) for n in names}, connections
        supers = await admin.fetch(
            "SELECT rolname FROM pg_roles WHERE rolname = any($1::text[])"
            " AND (rolsuper OR rolcreatedb OR rolcreaterole)",
            names,
        )
        assert supers == []
    finally:
        await admin.close()
    server = PG_URL.split("@", 1)[-1]
    exhibitors, outreach = f"{run}_exhibitors", f"{run}_outreach"
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="CONNECT"):
        await asyncpg.connect(f"postgresql://{exhibitors}@{server}/{outreach}")
    admin = await asyncpg.connect(f"{PG_URL}/postgres")
    try:
        at_vault = await admin.fetch(
            "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = $1", f"{run}_vault"
        )
    finally:
        await admin.close()
    assert {r["usename"] for r in at_vault} <= set(names), at_vault
    assert {f"{run}_exhibitors", f"{run}_gateway"} <= {r["usename"] for r in at_vault}
    gateway = await asyncpg.connect(f"postgresql://{run}_gateway@{server}/{run}_vault")
    try:
        assert await gateway.fetchval("SELECT count(*) FROM subject_keys") > 0  # the demo's
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await gateway.execute("DELETE FROM subject_keys")
    finally:
        await gateway.close()
