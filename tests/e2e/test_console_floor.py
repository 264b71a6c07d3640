"""The console's floor plan in a real browser against `make run` (the demo loaded):
staff assign a free booth to an application by clicking the plan, and a second browser
session sees the booth turn taken without reloading; a stale version is explained
(CONFLICT) and the page refreshed; the page in Chinese; a VIEWER sees the plan and the
holders' company names but may not assign; an EXHIBITOR sees every booth's state and
only its own holder. On every page: nothing leaves 127.0.0.1, no CSP violation, no
serious or critical axe-core finding, a screenshot per language.

The make-run stack is shared with the other console test modules: these tests change
only applications they submit themselves (named "Floor Test …"), and give them FREE
booths counted from the END of the last hall (the other modules' tests that assign
booths do not pick booths that way)."""

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from gateway.auth import Role, mint
from gateway.config import AuthSettings
from gateway.policy import decode
from pavilion_core.secrets import DEV_DEFAULTS
from playwright.async_api import Browser, Locator, Page, expect

from tests.e2e.browser import Guarded, audit, guarded, shoot
from tests.e2e.make_run import MakeRun
from tests.e2e.test_console import DUE, clean, graphql, latest_edition

pytestmark = pytest.mark.timeout(600)
DEV = AuthSettings(DEV_DEFAULTS["PAVILION_JWT_SECRET"], None, "pavilion", "pavilion-gateway")
PLAN = """query($e: String!) { floorPlan(edition: $e) { halls { code
  booths(first: 100) { edges { node { code state holder { id } } } } } } }"""
EXHIBITOR = """query($id: ID!) { exhibitor(id: $id) {
  companyName version allowedActions booth { hall code } } }"""
STEPS = (  # (mutation, extra input): from submitted to a booth assignable
    ("startReview", ""),
    ("approveApplication", ""),
    ("issueContract", f', amount: "20000.00", currency: "CNY", dueDate: "{DUE}"'),
    ("signContract", ""),
    ("recordPayment", ', amount: "10000.00", currency: "CNY", reference: "floor-test"'),
)


async def assignable(run: MakeRun, edition: str) -> dict[str, Any]:
    """A fresh application of our own, contract signed and deposit paid (as ADMIN)."""
    name = f"Floor Test {uuid.uuid4().hex[:6]}"
    submitted = await graphql(
        run,
        """mutation($e: String!, $n: String!) { submitExhibitorApplication(input: {
          edition: $e, companyName: $n, country: "DE", supplyChainAreas: [CLEAN_ENERGY],
          boothSizeSqm: 18 }) { userErrors { message } exhibitor { id } } }""",
        e=edition,
        n=name,
    )
    payload = submitted["submitExhibitorApplication"]
    assert payload["userErrors"] == [], payload
    id_ = payload["exhibitor"]["id"]
    for mutation, extra in STEPS:
        done = await graphql(
            run,
            f"""mutation($id: ID!) {{ {mutation}(input: {{ applicationId: $id{extra} }}) {{
              userErrors {{ field message code }} }} }}""",
            id=id_,
        )
        assert done[mutation]["userErrors"] == [], (mutation, done)
    application = (await graphql(run, EXHIBITOR, id=id_))["exhibitor"]
    assert "ASSIGN_BOOTH" in application["allowedActions"], application
    return {"id": id_, **application}


async def free_booths_from_the_end(run: MakeRun, edition: str) -> list[tuple[str, str]]:
    halls = (await graphql(run, PLAN, e=edition))["floorPlan"]["halls"]
    booths = [
        (hall["code"], edge["node"]["code"])
        for hall in halls
        for edge in hall["booths"]["edges"]
        if edge["node"]["state"] == "FREE"
    ]
    assert booths, "the demo leaves booths free"
    return booths[::-1]


def booth_on(page: Page, hall: str, code: str) -> Locator:
    return page.locator(f'svg[aria-labelledby="floor-hall-{hall}"] g[data-booth="{code}"]')


async def floor_page(watch: Guarded, link: str, heading: str) -> Page:
    page = await watch.page()
    await page.goto(link.replace("/console/#", "/console/floor#"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(heading, timeout=30_000)
    await expect(page.locator("g.booth").first).to_be_visible(timeout=30_000)
    return page


async def test_staff_assign_a_booth_by_clicking_and_a_second_session_sees_it_live(
    made_run: MakeRun, browser: Browser, artifacts: Path
) -> None:
    edition = (await latest_edition(made_run))["code"]
    application = await assignable(made_run, edition)
    hall, code = (await free_booths_from_the_end(made_run, edition))[0]
    async with guarded(browser) as a, guarded(browser, locale="zh-CN") as b:
        # session B, in Chinese, just watches the plan
        watching = await floor_page(b, made_run.sign_in_link, "展位平面图")
        await expect(booth_on(watching, hall, code)).to_have_attribute("data-state", "FREE")
        await watching.evaluate("window.notReloaded = true")
        await shoot(watching, artifacts, "floor-zh-CN")
        found = await audit(watching)
        assert found == [], [(v["id"], v["nodes"][:2]) for v in found]

        page = await floor_page(a, made_run.sign_in_link, "Floor plan")
        booth = booth_on(page, hall, code)
        await expect(booth).to_have_attribute(
            "aria-label", re.compile(f"^Hall {hall}, booth {code}, .* m², .*, Free$")
        )
        # the keyboard reaches a booth: Enter on it opens its panel
        await booth.focus()
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("heading", name=f"Booth {code}, hall {hall}")).to_be_visible()
        await booth.click()
        panel = page.get_by_role("region", name=f"Booth {code}, hall {hall}")
        await expect(panel.get_by_test_id("booth-state")).to_have_text("Free")
        await panel.get_by_role("radio", name=application["companyName"]).check()

        # meanwhile someone else changes the application: the version the page holds is stale
        await graphql(
            made_run,
            """mutation($id: ID!) { setProductCategories(input: { applicationId: $id,
              productCategories: ["batteries"] }) { userErrors { message } } }""",
            id=application["id"],
        )
        await panel.get_by_role("button", name=f"Assign booth {code}").click()
        await expect(panel.get_by_test_id("conflict")).to_have_text(
            "Someone else changed this application meanwhile; here is its current state. "
            "Check it and try again."
        )
        now = (await graphql(made_run, EXHIBITOR, id=application["id"]))["exhibitor"]
        await expect(panel.get_by_test_id("current")).to_have_text(
            f"Now: {application['companyName']}, Contracted, version {now['version']}."
        )
        await expect(booth).to_have_attribute("data-state", "FREE")  # nothing changed
        await shoot(page, artifacts, "floor-conflict-en")

        await panel.get_by_role("radio", name=application["companyName"]).check()
        await panel.get_by_role("button", name=f"Assign booth {code}").click()
        await expect(panel.get_by_test_id("booth-state")).to_have_text("Taken", timeout=30_000)
        await expect(panel.get_by_test_id("booth-holder")).to_have_text(application["companyName"])
        await shoot(page, artifacts, "floor-en")
        assert await audit(page) == []

        # session B: the booth turned taken, no reload
        await expect(booth_on(watching, hall, code)).to_have_attribute(
            "data-state", "TAKEN", timeout=30_000
        )
        await expect(booth_on(watching, hall, code)).to_have_attribute(
            "aria-label",
            re.compile(f"已占用：{application['companyName']}$"),  # noqa: RUF001
        )
        assert await watching.evaluate("window.notReloaded === true")
    clean(a)
    clean(b)
    after = (await graphql(made_run, EXHIBITOR, id=application["id"]))["exhibitor"]
    assert after["booth"] == {"hall": hall, "code": code}


async def test_a_viewer_sees_the_plan_but_may_not_assign_and_an_exhibitor_only_its_own_holder(
    made_run: MakeRun, browser: Browser, artifacts: Path
) -> None:
    edition = (await latest_edition(made_run))["code"]
    own = await assignable(made_run, edition)
    other = await assignable(made_run, edition)
    free = await free_booths_from_the_end(made_run, edition)
    (own_hall, own_code), (other_hall, other_code), (hall, code) = free[0], free[1], free[2]
    for application, (h, c) in ((own, free[0]), (other, free[1])):
        assigned = await graphql(
            made_run,
            """mutation($id: ID!, $h: String!, $c: String!) { assignBooth(input: {
              applicationId: $id, hall: $h, boothCode: $c }) { userErrors { message } } }""",
            id=application["id"],
            h=h,
            c=c,
        )
        assert assigned["assignBooth"]["userErrors"] == [], assigned
    console = made_run.sign_in_link.split("#", 1)[0]
    viewer = mint(DEV, "viewer:floor", Role.VIEWER)
    exhibitor = mint(DEV, "exhibitor:floor", Role.EXHIBITOR, applications=[decode(own["id"]).local])
    async with guarded(browser) as watch:
        page = await floor_page(watch, f"{console}#token={viewer}", "Floor plan")
        # a holder's company name is not personal: the VIEWER sees it
        await booth_on(page, other_hall, other_code).click()
        await expect(page.get_by_test_id("booth-holder")).to_have_text(other["companyName"])
        await booth_on(page, hall, code).click()
        panel = page.get_by_role("region", name=f"Booth {code}, hall {hall}")
        await expect(panel).to_contain_text("Only the organiser's staff assign booths.")
        await expect(panel.get_by_role("button")).to_have_count(0)
        await shoot(page, artifacts, "floor-viewer-en")
        assert await audit(page) == []

        page = await floor_page(watch, f"{console}#token={exhibitor}", "Floor plan")
        await booth_on(page, own_hall, own_code).click()
        await expect(page.get_by_test_id("booth-holder")).to_have_text(own["companyName"])
        other_booth = booth_on(page, other_hall, other_code)
        await expect(other_booth).to_have_attribute("data-state", "TAKEN")
        await expect(other_booth).not_to_have_attribute(
            "aria-label", re.compile(other["companyName"])
        )
        await other_booth.click()
        await expect(page.get_by_test_id("booth-holder")).to_have_text("another exhibitor")
        assert other["companyName"] not in await page.content()
        await shoot(page, artifacts, "floor-exhibitor-en")
        assert await audit(page) == []
    clean(watch)
