# ruff: noqa: E501  (GraphQL documents read best on one line)
"""The gateway's response cache against the running processes, PostgreSQL and Kafka: a
hit is served, a projected change is seen at once, roles and subjects are kept apart,
`Cache-Control: no-cache` and consistency tokens bypass it, and while the API's LISTEN
connection is down nothing cached is served."""

import base64
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from gateway.auth import Role
from pavilion_core.config import KafkaSettings

from tests.e2e.stack import JWT_SECRET, Stack, running, scratch, token
from tests.e2e.test_gateway import EDITION, base64_local, submit
from tests.support import eventually

# One API process: which process answers decides what it has cached.
PROCESSES = [
    ("exhibitors", "api"),
    ("exhibitors", "relay"),
    ("gateway", "projector"),
    ("gateway", "api"),
]
PAGE = "query($e: String!) { exhibitors(edition: $e, first: 50) { totalCount edges { node { id companyName contacts { email } } } } }"


@pytest.fixture(scope="module")
async def stack(
    templates: dict[str, str], kafka: KafkaSettings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    async with (
        scratch(templates, kafka) as env,
        running(
            PROCESSES, {**env, "PAVILION_GATEWAY_WORKERS": "1"}, tmp_path_factory.mktemp("logs")
        ) as stack,
    ):
        stack.env = {**env, "PAVILION_JWT_SECRET": JWT_SECRET}  # type: ignore[attr-defined]
        yield stack


async def ask(
    stack: Stack,
    query: str,
    bearer: str | None = None,
    headers: dict[str, str] | None = None,
    **variables: Any,
) -> tuple[str | None, dict[str, Any]]:
    """What the cache did (HIT, MISS, or None when bypassed) and the answer."""
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(
            stack.graphql,
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {bearer or token()}", **(headers or {})},
        )
    assert response.status_code == 200, response.text
    return response.headers.get("x-cache"), response.json()


def names(answer: dict[str, Any]) -> set[str]:
    return {e["node"]["companyName"] for e in answer["data"]["exhibitors"]["edges"]}


async def test_a_hit_is_served_and_a_projected_change_is_seen_at_once(stack: Stack):
    await submit(stack, "Cached Alpha")
    await ask(stack, PAGE, e=EDITION)
    cache, first = await ask(stack, PAGE, e=EDITION)
    again = await ask(stack, PAGE, e=EDITION)
    assert (cache, again) == ("HIT", ("HIT", first))
    assert "Cached Alpha" in names(first)

    await submit(stack, "Cached Beta")  # answered once the gateway shows it
    cache, after = await ask(stack, PAGE, e=EDITION)
    assert cache == "MISS" and "Cached Beta" in names(after)
    assert (
        after["data"]["exhibitors"]["totalCount"] == first["data"]["exhibitors"]["totalCount"] + 1
    )


async def test_a_viewer_never_gets_an_admins_unmasked_answer(stack: Stack):
    await submit(stack, "Masked Gamma")
    for _ in range(2):
        await ask(stack, PAGE, e=EDITION)  # as ADMIN: kept
    # the same subject, demoted (a new token), sees what a VIEWER sees
    cache, seen = await ask(stack, PAGE, token(Role.VIEWER), e=EDITION)
    assert cache == "MISS"
    emails = [
        c["email"] for e in seen["data"]["exhibitors"]["edges"] for c in e["node"]["contacts"]
    ]
    assert emails and set(emails) == {None}
    _, admin = await ask(stack, PAGE, e=EDITION)
    assert all(
        "@" in c["email"]
        for e in admin["data"]["exhibitors"]["edges"]
        for c in e["node"]["contacts"]
    )


async def test_an_exhibitor_never_gets_anothers_answer(stack: Stack):
    mine = (await submit(stack, "Own Delta"))["exhibitor"]["id"]
    theirs = (await submit(stack, "Their Epsilon"))["exhibitor"]["id"]
    own = token(Role.EXHIBITOR, base64_local(mine), subject="exhibitor:own")
    other = token(Role.EXHIBITOR, base64_local(theirs), subject="exhibitor:other")
    for _ in range(2):
        _, answer = await ask(stack, PAGE, own, e=EDITION)
    assert names(answer) == {"Own Delta"}
    assert (await ask(stack, PAGE, own, e=EDITION))[0] == "HIT"
    cache, answer = await ask(stack, PAGE, other, e=EDITION)
    assert cache == "MISS" and names(answer) == {"Their Epsilon"}
    # the same subject with another application (a new token) is another viewer too
    both = token(Role.EXHIBITOR, base64_local(mine), base64_local(theirs), subject="exhibitor:own")
    cache, answer = await ask(stack, PAGE, both, e=EDITION)
    assert cache == "MISS" and names(answer) == {"Own Delta", "Their Epsilon"}


async def test_no_cache_and_consistency_tokens_bypass_it_and_mutations_are_never_kept(stack: Stack):
    await ask(stack, PAGE, e=EDITION)
    assert (await ask(stack, PAGE, e=EDITION))[0] == "HIT"
    cache, _ = await ask(stack, PAGE, headers={"cache-control": "no-cache"}, e=EDITION)
    assert cache is None

    submitted = await submit(stack, "Token Zeta")
    node = "query($id: ID!, $t: String) { node(id: $id, atLeast: $t) { ... on Exhibitor { companyName } } }"
    ids = {"id": submitted["exhibitor"]["id"], "t": submitted["consistencyToken"]}
    for _ in range(2):
        cache, answer = await ask(stack, node, **ids)
        assert cache is None and answer["data"]["node"]["companyName"] == "Token Zeta"

    nobody = base64.urlsafe_b64encode(f"Exhibitor:{uuid.uuid4()}".encode()).decode()
    mutation = f'mutation {{ startReview(input: {{applicationId: "{nobody}"}}) {{ userErrors {{ code }} }} }}'
    for _ in range(2):
        cache, answer = await ask(stack, mutation)
        assert (
            cache == "MISS"
            and "errors" not in answer
            and answer["data"]["startReview"]["userErrors"]
        )


async def test_while_the_listen_connection_is_down_nothing_cached_is_served(stack: Stack):
    url = stack.env["PAVILION_GATEWAY_DATABASE_URL"]  # type: ignore[attr-defined]
    database = url.rsplit("/", 1)[1]
    await submit(stack, "Before Eta")
    await ask(stack, PAGE, e=EDITION)
    cache, before = await ask(stack, PAGE, e=EDITION)
    assert cache == "HIT"

    admin = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        # the API's listener may not come back until we say so; the pools keep theirs
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        killed = await admin.fetchval(
            """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
               WHERE datname = $1 AND query LIKE 'LISTEN %'""",
            database,
        )
        assert killed == 1

        async def bypassed() -> bool:
            return (await ask(stack, PAGE, e=EDITION))[0] is None

        await eventually(bypassed, within=10, what="the cache off")
        await submit(stack, "During Theta")  # its announcement is heard by nobody
        cache, during = await ask(stack, PAGE, e=EDITION)
        assert cache is None and "During Theta" in names(during) and names(before) < names(during)
    finally:
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        await admin.close()

    async def on_again() -> bool:
        return (await ask(stack, PAGE, e=EDITION))[0] is not None

    await eventually(on_again, within=20, what="the cache back on")
    cache, after = await ask(stack, PAGE, e=EDITION)
    assert cache == "HIT" and names(after) == names(during)


async def test_allowed_actions_are_never_kept_they_change_with_the_clock(stack: Stack):
    """An edition opens, a contract's due date passes: no news says so."""
    app = (await submit(stack, "Timely Co"))["exhibitor"]["id"]
    status = "query($id: ID!) { exhibitor(id: $id) { status } }"
    allowed = "query($id: ID!) { exhibitor(id: $id) { status allowedActions } }"
    for query in (status, allowed, allowed):  # the first may also fetch the editions
        await ask(stack, query, id=app)
    assert (await ask(stack, status, id=app))[0] == "HIT"
    cache, answer = await ask(stack, allowed, id=app)
    assert cache == "MISS" and "START_REVIEW" in answer["data"]["exhibitor"]["allowedActions"]
