"""The exhibitors' pages in a real browser against `make run` (the shared `made_run`):
the pipeline board (columns by status with their totals, the name search, filters,
"more") and an application's page (record, timeline, the actions its state allows).
Staff take a fresh application from review to approval by clicking while a second
session, showing the board, sees it move without a reload; a field's userError shows
next to the field; a stale version is explained and the page refreshed; an EXHIBITOR
sees only its own application and its own actions; a VIEWER sees contacts as hidden;
the same pages in Chinese. Every test works on applications it submits itself (a
company name of its own, "Exhibitors Page <hex>"), so other modules' tests on the same
stack neither disturb nor are disturbed by it."""

import base64
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from gateway.auth import Role, mint
from gateway.config import AuthSettings
from pavilion_core.secrets import DEV_DEFAULTS
from playwright.async_api import Browser, Page, expect

from tests.e2e.browser import audit, guarded, shoot
from tests.e2e.make_run import MakeRun
from tests.e2e.test_console import DUE, clean, graphql, latest_edition, token_of

pytestmark = pytest.mark.timeout(900)
DEV = AuthSettings(DEV_DEFAULTS["PAVILION_JWT_SECRET"], None, "pavilion", "pavilion-gateway")
SUBMIT = """mutation($e: String!, $n: String!) { submitExhibitorApplication(input: {
  edition: $e, companyName: $n, country: "DE", supplyChainAreas: [GREEN_AGRICULTURE],
  contacts: [{name: "Greta Feld", email: "greta@feld.example"}]}) {
  exhibitor { id version } userErrors { message } } }"""
CATEGORIES = """mutation($id: ID!) { setProductCategories(input: {
  applicationId: $id, productCategories: ["tractors"]}) { version userErrors { message } } }"""


async def submitted(run: MakeRun) -> tuple[str, str]:
    """A fresh application of the latest edition: its id and company name."""
    name = f"Exhibitors Page {uuid.uuid4().hex[:8]}"
    edition = await latest_edition(run)
    answer = await graphql(run, SUBMIT, e=edition["code"], n=name)
    payload = answer["submitExhibitorApplication"]
    assert payload["userErrors"] == [], payload
    return payload["exhibitor"]["id"], name


def console(run: MakeRun, route: str, token: str | None = None) -> str:
    return f"{run.gateway}/console{route}#token={token or token_of(run)}"


def token(role: Role, *applications: str) -> str:
    """A dev token (make run's dev secret); an EXHIBITOR's names its applications by
    their local ids, as the gateway's policy compares them."""
    local = [base64.urlsafe_b64decode(a).decode().split(":", 1)[1] for a in applications]
    return mint(DEV, f"{role.value.lower()}:test", role, applications=local or None)


async def opened(page: Page, url: str, heading: str) -> None:
    await page.goto(url)
    await expect(page.get_by_role("heading", level=1)).to_contain_text(heading, timeout=30_000)


def column(page: Page, status: str) -> Any:
    return page.locator(f'section[data-status="{status}"]')


async def test_review_to_approval_by_clicking_seen_live_on_the_board(
    made_run: MakeRun, browser: Browser, artifacts: Path
) -> None:
    id, name = await submitted(made_run)
    async with guarded(browser) as a, guarded(browser) as b:
        board = await b.page()
        await opened(board, console(made_run, "/exhibitors"), "Exhibitor pipeline")
        await board.get_by_label("Search by name").fill(name)
        await expect(column(board, "SUBMITTED").get_by_role("link")).to_have_count(
            1, timeout=30_000
        )
        await expect(board.get_by_test_id("total-SUBMITTED")).to_have_text("1")
        await expect(board.get_by_test_id("total-APPROVED")).to_have_text("0")

        page = await a.page()
        await opened(page, console(made_run, f"/exhibitors/{id}"), name)
        await expect(page.get_by_test_id("status")).to_have_text("Submitted")
        await expect(page.get_by_role("cell", name="greta@feld.example")).to_be_visible()
        await shoot(page, artifacts, "exhibitor-application-en")
        assert await audit(page) == []

        await page.get_by_role("button", name="Start review").click()
        await expect(page.get_by_test_id("status")).to_have_text("Under review")
        await expect(column(board, "UNDER_REVIEW").get_by_text(name)).to_be_visible(timeout=30_000)
        await page.get_by_role("button", name="Approve").click()
        await expect(page.get_by_test_id("status")).to_have_text("Approved")
        await expect(page.get_by_test_id("timeline")).to_contain_text("Review started")
        await expect(page.get_by_test_id("timeline")).to_contain_text("Approved")
        await expect(column(board, "APPROVED").get_by_text(name)).to_be_visible(timeout=30_000)
        await expect(board.get_by_test_id("total-APPROVED")).to_have_text("1")
        await expect(column(board, "SUBMITTED").get_by_role("link")).to_have_count(0)
        await shoot(board, artifacts, "exhibitors-board-en")
        assert await audit(board) == []

        # a form: the amount the gateway refuses is explained next to the amount
        await page.get_by_role("button", name="Issue contract").click()
        form = page.get_by_role("form", name="Issue contract")
        await form.get_by_label("Amount").fill("12.345")
        await form.get_by_label("Due date").fill(DUE)
        await form.get_by_role("button", name="Send").click()
        amount = form.get_by_label("Amount")
        await expect(amount).to_have_attribute("aria-invalid", "true")
        await expect(amount).to_have_attribute("aria-describedby", "field-amount-error")
        await expect(page.locator("#field-amount-error")).not_to_be_empty()
        await form.get_by_label("Amount").fill("80000.00")
        await form.get_by_role("button", name="Send").click()
        await expect(page.get_by_test_id("contract")).to_contain_text("80,000")
        await expect(page.get_by_test_id("timeline")).to_contain_text("Contract issued")
        await expect(page.get_by_role("form")).to_have_count(0)
    clean(a)
    clean(b)


async def test_a_stale_version_is_explained_and_the_current_state_shown(
    made_run: MakeRun, browser: Browser
) -> None:
    id, name = await submitted(made_run)
    async with guarded(browser) as watch:
        page = await watch.page()
        await opened(page, console(made_run, f"/exhibitors/{id}"), name)
        await page.get_by_role("button", name="Withdraw").click()  # the form, at version 1
        await expect(page.get_by_label("Reason")).to_be_visible()
        changed = (await graphql(made_run, CATEGORIES, id=id))["setProductCategories"]
        assert changed["userErrors"] == []
        # the page follows live, the open form keeps the version it was opened on
        await expect(page.get_by_text("tractors")).to_be_visible(timeout=30_000)
        await page.get_by_label("Reason").fill("changed our plans")
        await page.get_by_role("button", name="Send").click()
        await expect(page.get_by_test_id("conflict")).to_contain_text(
            "Someone else changed this record"
        )
        await expect(page.get_by_test_id("status")).to_have_text("Submitted")  # not withdrawn
        await expect(page.get_by_role("form")).to_have_count(0)
    clean(watch)


async def test_an_exhibitor_sees_only_its_own_application_and_actions(
    made_run: MakeRun, browser: Browser, artifacts: Path
) -> None:
    id, name = await submitted(made_run)
    other, _ = await submitted(made_run)
    own = token(Role.EXHIBITOR, id)
    async with guarded(browser) as watch:
        page = await watch.page()
        await opened(page, console(made_run, "/", own), "My applications")
        nav = page.get_by_role("navigation").get_by_role("link")
        await expect(nav).to_have_text(["My applications", "Floor plan"])
        await expect(page.get_by_role("main").get_by_role("link")).to_have_text([re.compile(name)])
        await page.get_by_role("link", name=re.compile(name)).click()
        await expect(page.get_by_role("heading", level=1)).to_contain_text(name)
        await expect(page.get_by_role("cell", name="greta@feld.example")).to_be_visible()
        buttons = page.locator(".actions .buttons button")
        await expect(buttons.first).to_be_visible()
        labels = await buttons.all_inner_texts()
        assert "Withdraw" in labels and "Edit profile" in labels, labels
        assert not {"Start review", "Approve", "Reject"} & set(labels), labels
        await shoot(page, artifacts, "exhibitor-own-application-en")
        assert await audit(page) == []
        await page.goto(console(made_run, f"/exhibitors/{other}", own))
        await expect(page.get_by_role("alert")).to_be_visible(timeout=30_000)
        await expect(page.get_by_role("heading", level=1)).to_have_count(0)
    clean(watch)


async def test_a_viewer_sees_contacts_hidden_and_no_action(
    made_run: MakeRun, browser: Browser
) -> None:
    id, name = await submitted(made_run)
    async with guarded(browser) as watch:
        page = await watch.page()
        await opened(page, console(made_run, f"/exhibitors/{id}", token(Role.VIEWER)), name)
        row = page.get_by_role("table", name="Contacts").get_by_role("row").nth(1)
        await expect(row.get_by_role("cell")).to_have_text(["hidden", "hidden", "hidden", "—"])
        await expect(page.get_by_text("No change is possible now.")).to_be_visible()
        await expect(page.get_by_test_id("timeline")).to_contain_text("by hidden")
        assert "greta" not in (await page.content()).lower()
    clean(watch)


async def test_the_board_pages_through_a_column(made_run: MakeRun, browser: Browser) -> None:
    """The demo's 5th edition has more submitted applications than a column's page (20);
    "More" loads the next. (Others only add applications: at least 20 stays true.)"""
    async with guarded(browser) as watch:
        page = await watch.page()
        await opened(page, console(made_run, "/exhibitors"), "Exhibitor pipeline")
        cards = column(page, "SUBMITTED").get_by_role("link")
        await expect(cards).to_have_count(20, timeout=30_000)
        await column(page, "SUBMITTED").get_by_role("button", name="More").click()
        await expect(cards).not_to_have_count(20)
        assert await cards.count() > 20
        # a filter narrows every column
        await page.get_by_label("Supply-chain area").select_option("SMART_VEHICLES")
        areas = page.locator(".card .areas")
        await expect(areas.filter(has_not_text="Smart vehicles")).to_have_count(0)
        await expect(areas.first).to_be_visible()
    clean(watch)


async def test_the_pages_in_chinese(made_run: MakeRun, browser: Browser, artifacts: Path) -> None:
    id, name = await submitted(made_run)
    async with guarded(browser, locale="zh-CN") as watch:
        page = await watch.page()
        await opened(page, console(made_run, "/exhibitors"), "展商流程看板")
        await expect(page.get_by_role("heading", name=re.compile("^已提交"))).to_be_visible()
        await expect(column(page, "SUBMITTED").get_by_role("link").first).to_be_visible(
            timeout=30_000
        )
        await shoot(page, artifacts, "exhibitors-board-zh-CN")
        assert await audit(page) == []
        await opened(page, console(made_run, f"/exhibitors/{id}"), name)
        await expect(page.get_by_role("button", name="开始审核")).to_be_visible()
        await expect(page.get_by_test_id("timeline")).to_contain_text("已提交")
        await expect(page.get_by_role("heading", name="时间线")).to_be_visible()
        await shoot(page, artifacts, "exhibitor-application-zh-CN")
        assert await audit(page) == []
    clean(watch)
