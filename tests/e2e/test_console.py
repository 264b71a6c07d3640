"""The console in a real browser against `make run` with the demo loaded: sign in
through the link make run prints; the latest (5th) edition's dashboard shows the read model's
numbers (asked of the GraphQL API here, not constants) and follows a change live; the
same page in Chinese, from the browser's language and from the header's switch; a
refused or expired token sends back to sign-in, saying so; GraphiQL from local assets,
its dev token pre-filled, answers a query. On every page: no request leaves 127.0.0.1
(anything else is blocked), no Content-Security-Policy violation, no serious or critical
axe-core finding, and a screenshot in the artifacts directory."""

import re
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from gateway.auth import Role, mint
from gateway.config import AuthSettings
from pavilion_core.secrets import DEV_DEFAULTS
from playwright.async_api import Browser, Page, expect

from tests.e2e.browser import Guarded, audit, guarded, shoot
from tests.e2e.make_run import MakeRun

pytestmark = pytest.mark.timeout(900)
EDITIONS = "{ editions { code name startsOn } }"
DASHBOARD = """query($e: String!) { editionDashboard(edition: $e) {
  totalExhibitors boothsFree boothsTaken exhibitorsByStatus { key count } } }"""


def token_of(run: MakeRun) -> str:
    return run.sign_in_link.split("#token=", 1)[1]


async def graphql(run: MakeRun, query: str, **variables: Any) -> Any:
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await http.post(
            f"{run.gateway}/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token_of(run)}"},
        )
    assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    return answer.json()["data"]


DUE = (date.today() + timedelta(days=60)).isoformat()  # a contract's due date, ahead


async def latest_edition(run: MakeRun) -> dict[str, Any]:
    """The latest edition (the console's default): the demo's 5th expo, recruiting now."""
    editions = sorted((await graphql(run, EDITIONS))["editions"], key=lambda e: e["startsOn"])
    assert editions[-1]["name"].startswith("5th"), editions
    return editions[-1]  # type: ignore[no-any-return]


def clean(watch: Guarded) -> None:
    """Nothing left 127.0.0.1 (or tried to), and the CSP had nothing to refuse."""
    assert watch.off_host == [] and watch.blocked == [], watch.off_host
    assert watch.violations == [], watch.violations
    assert any("/console/assets/" in u for u in watch.requested) or any(
        "/graphql" in u for u in watch.requested
    )


async def signed_in(watch: Guarded, run: MakeRun) -> Page:
    page = await watch.page()
    await page.goto(run.sign_in_link)
    await expect(page.get_by_test_id("booths-free")).to_be_visible(timeout=30_000)
    return page


async def test_sign_in_shows_the_latest_editions_numbers_and_follows_changes_live(
    made_run: MakeRun, browser: Browser, artifacts: Path
) -> None:
    edition = await latest_edition(made_run)
    expected = (await graphql(made_run, DASHBOARD, e=edition["code"]))["editionDashboard"]
    assert expected["boothsFree"] > 0 and expected["boothsTaken"] > 0  # the demo's
    async with guarded(browser) as watch:
        page = await signed_in(watch, made_run)
        assert "#" not in page.url and "token" not in page.url  # out of the address bar
        stored = await page.evaluate("sessionStorage.getItem('pavilion.token')")
        assert stored == token_of(made_run)
        await expect(page.get_by_label("Edition")).to_have_value(edition["code"])
        await expect(page.get_by_test_id("subject")).to_have_text("Signed in as staff:dev")
        await expect(page.get_by_test_id("role")).to_have_text("Role: Administrator")
        for test_id, key in (
            ("total", "totalExhibitors"),
            ("booths-free", "boothsFree"),
            ("booths-taken", "boothsTaken"),
        ):
            await expect(page.get_by_test_id(test_id)).to_have_text(f"{expected[key]:,}")
        funnel = page.get_by_role("img", name="Applications by status")
        submitted = {c["key"]: c["count"] for c in expected["exhibitorsByStatus"]}["SUBMITTED"]
        await expect(funnel).to_have_attribute(
            "aria-label", re.compile(f"Submitted {submitted:,}(,|$)")
        )
        await shoot(page, artifacts, "dashboard-en")
        assert await audit(page) == []

        # live: an application submitted elsewhere shows up without a reload
        await graphql(
            made_run,
            """mutation($e: String!, $n: String!) { submitExhibitorApplication(input: {
              edition: $e, companyName: $n, country: "CA",
              supplyChainAreas: [CLEAN_ENERGY]}) { userErrors { message } } }""",
            e=edition["code"],
            n=f"Live Test {uuid.uuid4().hex[:6]}",
        )
        total = f"{expected['totalExhibitors'] + 1:,}"
        await expect(page.get_by_test_id("total")).to_have_text(total, timeout=30_000)
    clean(watch)


async def test_the_dashboard_in_chinese_from_the_browser_and_from_the_switch(
    made_run: MakeRun, browser: Browser, artifacts: Path
) -> None:
    async with guarded(browser, locale="zh-CN") as watch:
        page = await signed_in(watch, made_run)
        await expect(page.get_by_role("heading", level=1)).to_have_text("届次仪表板")
        await expect(page.get_by_role("img", name="按状态统计的申请")).to_have_attribute(
            "aria-label", re.compile("已提交")
        )
        assert await page.evaluate("document.documentElement.lang") == "zh-CN"
        await shoot(page, artifacts, "dashboard-zh-CN")
        assert await audit(page) == []
    clean(watch)
    async with guarded(browser) as watch:
        page = await signed_in(watch, made_run)
        await expect(page.get_by_role("heading", level=1)).to_have_text("Edition dashboard")
        await page.get_by_label("Language").select_option("zh-CN")
        await expect(page.get_by_role("heading", level=1)).to_have_text("届次仪表板")
        await page.reload()  # remembered
        await expect(page.get_by_role("heading", level=1)).to_have_text("届次仪表板")
        await expect(page.get_by_test_id("role")).to_have_text("角色：管理员")  # noqa: RUF001
    clean(watch)


async def test_signing_out_and_a_refused_or_expired_token_go_back_to_sign_in(
    made_run: MakeRun, browser: Browser, artifacts: Path
) -> None:
    console = made_run.sign_in_link.split("#", 1)[0]
    now = int(time.time())
    claims = {"sub": "staff:eve", "role": "ADMIN", "iss": "pavilion", "aud": "pavilion-gateway"}
    forged = jwt.encode({**claims, "exp": now + 600}, "not-the-gateways-secret-at-all-no")
    expired = jwt.encode({**claims, "exp": now - 600}, "not-the-gateways-secret-at-all-no")
    async with guarded(browser) as watch:
        page = await signed_in(watch, made_run)
        await page.get_by_role("button", name="Sign out").click()
        await expect(page.get_by_role("status")).to_have_text("You signed out.")
        assert await page.evaluate("sessionStorage.getItem('pavilion.token')") is None
        await shoot(page, artifacts, "sign-in")
        assert await audit(page) == []
        await page.goto(f"{console}#token={forged}")
        await expect(page.get_by_role("status")).to_have_text(
            "The gateway refused your token: sign in again."
        )
        await page.goto(f"{console}#token={expired}")
        await expect(page.get_by_role("status")).to_have_text(
            "Your session expired: sign in again."
        )
    clean(watch)


async def test_the_role_shapes_what_is_shown(made_run: MakeRun, browser: Browser) -> None:
    """A VIEWER gets the dashboard (no personal data on it); an EXHIBITOR, refused the
    dashboard by the API, gets its own applications (this one's token names none)."""
    dev = AuthSettings(DEV_DEFAULTS["PAVILION_JWT_SECRET"], None, "pavilion", "pavilion-gateway")
    console = made_run.sign_in_link.split("#", 1)[0]
    async with guarded(browser) as watch:
        page = await watch.page()
        await page.goto(f"{console}#token={mint(dev, 'viewer:vi', Role.VIEWER)}")
        await expect(page.get_by_test_id("booths-free")).to_be_visible(timeout=30_000)
        await expect(page.get_by_test_id("role")).to_have_text("Role: Viewer")
        await expect(page.get_by_role("navigation").get_by_role("link")).to_have_text(
            [
                "Dashboard",
                "Exhibitors",
                "Floor plan",
                "Outreach",
                "Contacts",
                "Follow-ups",
                "Notifications",
            ]
        )
        exhibitor = mint(dev, "exhibitor:ex", Role.EXHIBITOR, applications=[str(uuid.uuid4())])
        await page.goto(f"{console}#token={exhibitor}")
        await expect(page.get_by_role("main")).to_contain_text("You have no application.")
        await expect(page.get_by_role("navigation").get_by_role("link")).to_have_text(
            ["My applications", "Floor plan"]
        )
    clean(watch)


async def test_graphiql_from_local_assets_with_the_printed_token_answers_a_query(
    made_run: MakeRun, browser: Browser, artifacts: Path
) -> None:
    # the page hands no token to whoever asks for it (in dev mode neither): the token
    # comes from the link make run printed, in its fragment
    async with httpx.AsyncClient() as http:
        bare = await http.get(f"{made_run.gateway}/graphql", headers={"accept": "text/html"})
    assert bare.status_code == 200 and not re.search(r"ey[\w-]+\.ey[\w-]+\.", bare.text)
    link = re.search(r"GraphiQL \(ADMIN\): (\S+)", made_run.banner)
    assert link, made_run.banner
    async with guarded(browser) as watch:
        page = await watch.page()
        await page.goto(link[1])
        await expect(page).to_have_url(f"{made_run.gateway}/graphql")  # the token taken out
        # the editor (CodeMirror, loaded on demand) shows the default query: ready to run
        editor = page.locator(".graphiql-query-editor")
        await expect(editor).to_contain_text("editions", timeout=30_000)
        await page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
        await expect(page.locator(".result-window")).to_contain_text('"editions"', timeout=30_000)
        await expect(page.locator(".result-window")).to_contain_text('"code"')
        await shoot(page, artifacts, "graphiql")
    clean(watch)
