"""The console's notifications log and webhook endpoints in a real browser against
`make run` with the demo loaded (the stack shared by every console test module).

Records of this module's own: an application it submits (a fresh company name and
contact address), so the notification it looks for is its own; webhook endpoints at
URLs with a random part. Counts per status are compared with the API's at the same
moment (other modules add notifications while this runs): never constants.

`make run` does not allow-list loopback for webhooks (PAVILION_WEBHOOKS_ALLOWED_NETWORKS
is unset: webhooks go to public addresses only), so an endpoint at the receiver this
test runs on 127.0.0.1 is refused when registered, next to the URL field; an endpoint
at a host that does not resolve is accepted, and its deliveries fail, visibly."""

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from gateway.auth import Role, mint
from gateway.config import AuthSettings
from pavilion_core.secrets import DEV_DEFAULTS
from playwright.async_api import Browser, Page, expect

from tests.e2e.browser import Guarded, audit, guarded, shoot
from tests.e2e.make_run import MakeRun
from tests.e2e.test_console import clean, graphql, latest_edition
from tests.integration.webhook_support import Receiver, receiving
from tests.support import eventually

pytestmark = pytest.mark.timeout(600)
STATUSES = ("SENT", "SUPPRESSED", "FAILED", "REQUESTED")
COUNTS = (
    "{ "
    + " ".join(
        f"{s}: notifications(filter: {{status: [{s}]}}, first: 1) {{ totalCount }}"
        for s in STATUSES
    )
    + " }"
)
RECEIVED = """{ notifications(filter: {rule: "application-received"}, first: 100) {
  edges { node { id recipient status mailViewerUrl } } } }"""
REGISTER = """mutation($url: String!) { registerWebhookEndpoint(input: {url: $url,
  eventTypes: ["pavilion.outreach.*"]}) { webhookEndpoint { id } userErrors { message } } }"""
DELETE = """mutation($id: ID!) { deleteWebhookEndpoint(input: {endpointId: $id}) {
  userErrors { message } } }"""
DISABLE = """mutation($id: ID!) { disableWebhookEndpoint(input: {endpointId: $id}) {
  userErrors { message } } }"""
DEV = AuthSettings(DEV_DEFAULTS["PAVILION_JWT_SECRET"], None, "pavilion", "pavilion-gateway")


def console_of(run: MakeRun) -> str:
    return run.sign_in_link.split("#", 1)[0]


async def open_as(
    watch: Guarded, run: MakeRun, route: str, role: Role | None = None, live: bool = True
) -> Page:
    """Signed in (ADMIN through make run's link, else a dev token of `role`) at `route`;
    not `live`: the subscriptions' WebSocket answers nothing (the page goes stale)."""
    page = await watch.page()
    if not live:
        await page.route_web_socket(re.compile(r"/graphql$"), lambda socket: None)
    link = (
        run.sign_in_link
        if role is None
        else f"{console_of(run)}#token={mint(DEV, 'staff:t', role)}"
    )
    await page.goto(link)
    await expect(page.get_by_test_id("role")).to_be_visible(timeout=30_000)
    await page.get_by_role("navigation").get_by_role("link", name=re.compile(route, re.I)).click()
    return page


async def counts(run: MakeRun) -> dict[str, int]:
    answer = await graphql(run, COUNTS)
    return {s: answer[s]["totalCount"] for s in STATUSES}


async def shown_counts(page: Page) -> dict[str, int]:
    texts = {s: await page.get_by_test_id(f"count-{s}").inner_text() for s in STATUSES}
    return {
        s: int(t.replace(",", "")) if t.replace(",", "").isdigit() else -1 for s, t in texts.items()
    }


async def submit_application(run: MakeRun, email: str) -> None:
    """An application of this test's own, with a contact: the application-received rule
    emails them."""
    edition = await latest_edition(run)
    answer = await graphql(
        run,
        """mutation($e: String!, $n: String!, $m: String!) { submitExhibitorApplication(input: {
          edition: $e, companyName: $n, country: "CA", supplyChainAreas: [CLEAN_ENERGY],
          contacts: [{name: "Notify Test", email: $m}]}) { userErrors { message } } }""",
        e=edition["code"],
        n=f"Notify Test {uuid.uuid4().hex[:6]}",
        m=email,
    )
    assert answer["submitExhibitorApplication"]["userErrors"] == []


async def mailpit_message(run: MakeRun, notification: str) -> dict[str, Any]:
    """The message Mailpit holds for a notification (its Message-ID holds the id)."""
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.get(
            f"http://127.0.0.1:{run.ports['mailpit']}/api/v1/search",
            params={"query": f"message-id:{notification}"},
        )
    messages = answer.json()["messages"]
    assert len(messages) == 1, messages
    return messages[0]  # type: ignore[no-any-return]


async def test_the_log_counts_goes_live_and_links_a_sent_email_to_mailpit(
    made_run: MakeRun, browser: Browser, artifacts: Path
) -> None:
    async with guarded(browser) as watch:
        page = await open_as(watch, made_run, "Notifications")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
        await expect(page.get_by_test_id("notification").first).to_be_visible(timeout=30_000)

        async def same_counts() -> bool:  # others add notifications meanwhile: converge
            return await counts(made_run) == await shown_counts(page)

        await eventually(same_counts, within=60, interval=1, what="the counts per status")
        assert (await counts(made_run))["SENT"] > 0  # the demo's emails
        await page.get_by_label("Status", exact=True).select_option("SUPPRESSED")
        rows = page.get_by_test_id("notification")

        async def only_suppressed_with_reasons() -> bool:
            statuses = set(await rows.get_by_test_id("status").all_inner_texts())
            reasons = await rows.get_by_test_id("reason").all_inner_texts()
            return statuses == {"Suppressed"} and all(r not in ("", "\u2013") for r in reasons)

        await eventually(only_suppressed_with_reasons, within=30, what="suppressed rows only")
        await page.get_by_label("Status", exact=True).select_option("")
        await shoot(page, artifacts, "notifications-en")
        assert await audit(page) == []

        # live: an application of this test's own is emailed; its row comes without a reload
        email = f"notify-{uuid.uuid4().hex[:8]}@example.com"
        await submit_application(made_run, email)
        mine = page.get_by_test_id("notification").filter(
            has=page.get_by_test_id("recipient").get_by_text(email, exact=True)
        )
        await expect(mine).to_have_count(1, timeout=60_000)
        link = mine.get_by_role("link", name="view the email")
        await expect(link).to_be_visible(timeout=60_000)  # once it is SENT

        sent = [
            e["node"]
            for e in (await graphql(made_run, RECEIVED))["notifications"]["edges"]
            if e["node"]["recipient"] == email
        ]
        assert len(sent) == 1 and sent[0]["status"] == "SENT", sent
        url = sent[0]["mailViewerUrl"]
        assert url.startswith(f"http://127.0.0.1:{made_run.ports['mailpit']}/"), url
        await expect(link).to_have_attribute("href", url)
        await expect(link).to_have_attribute("target", "_blank")
        local_id = url.rsplit("message-id:", 1)[1]
        message = await eventually(
            lambda: _found(made_run, local_id), within=30, what="the email in Mailpit"
        )
        assert message["To"][0]["Address"] == email

        async with page.context.expect_page() as opened:
            await link.click()
        mailpit = await opened.value
        await expect(mailpit.get_by_text(message["Subject"]).first).to_be_visible(timeout=30_000)
        await shoot(mailpit, artifacts, "notifications-mailpit")
    clean(watch)


async def _found(run: MakeRun, notification: str) -> dict[str, Any] | None:
    try:
        return await mailpit_message(run, notification)
    except AssertionError:
        return None


async def test_webhooks_refused_at_loopback_registered_elsewhere_disabled_and_deleted(
    made_run: MakeRun, browser: Browser, artifacts: Path
) -> None:
    partner = Receiver()
    async with receiving(partner) as port, guarded(browser) as watch:
        page = await open_as(watch, made_run, "Webhooks")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
        await page.get_by_label("URL").fill(f"http://127.0.0.1:{port}/console")
        await page.get_by_role("button", name="Register").click()
        refusal = page.locator("#webhook-url-error")
        await expect(refusal).to_contain_text("loopback address", timeout=30_000)
        await expect(refusal).to_contain_text("public addresses only")
        assert partner.calls == {}

        host = f"hooks-{uuid.uuid4().hex[:8]}.invalid"
        url = f"http://{host}/pavilion"
        await page.get_by_label("URL").fill(url)
        await page.get_by_role("button", name="Register").click()
        secret = page.get_by_test_id("new-secret")
        await expect(secret).to_contain_text(re.compile(r"whsec_\S{20,}"), timeout=30_000)
        await expect(refusal).to_have_count(0)
        card = page.get_by_test_id("endpoint").filter(has=page.get_by_text(url, exact=True))
        await expect(card.get_by_test_id("endpoint-status")).to_have_text("Enabled")

        # an exhibitors event: a delivery to the endpoint, which fails (no such host), live
        await submit_application(made_run, f"hook-{uuid.uuid4().hex[:8]}@example.com")
        delivery = card.get_by_test_id("delivery").first
        await expect(delivery.get_by_test_id("last-error")).to_contain_text(host, timeout=60_000)
        await expect(delivery.get_by_test_id("attempts")).not_to_have_text("0")
        await shoot(page, artifacts, "webhooks-en")
        assert await audit(page) == []

        await card.get_by_role("button", name="Disable").click()
        await expect(card.get_by_test_id("endpoint-status")).to_have_text("Disabled")
        await card.get_by_role("button", name="Rotate secret").click()
        await expect(card.get_by_test_id("rotated-secret")).to_contain_text("whsec_")
        await expect(card.get_by_test_id("rotated-at")).not_to_have_text("never")
        await card.get_by_role("button", name="Delete", exact=True).click()
        await card.get_by_role("button", name="Delete for good").click()
        await expect(card).to_have_count(0, timeout=30_000)
    clean(watch)


async def test_a_change_made_elsewhere_is_explained_as_a_conflict_and_shown(
    made_run: MakeRun, browser: Browser
) -> None:
    """The page (its live updates cut off) still shows the endpoint enabled when someone
    else disables it: its Disable, sent with the version shown, is refused as a CONFLICT,
    which the page explains, showing the current state."""
    url = f"http://hooks-{uuid.uuid4().hex[:8]}.invalid/stale"
    endpoint = (await graphql(made_run, REGISTER, url=url))["registerWebhookEndpoint"]
    async with guarded(browser) as watch:
        page = await open_as(watch, made_run, "Webhooks", live=False)
        card = page.get_by_test_id("endpoint").filter(has=page.get_by_text(url, exact=True))
        await expect(card.get_by_test_id("endpoint-status")).to_have_text("Enabled")
        await graphql(made_run, DISABLE, id=endpoint["webhookEndpoint"]["id"])
        await card.get_by_role("button", name="Disable").click()
        await expect(card.get_by_text("Someone else changed this endpoint")).to_be_visible()
        await expect(card.get_by_test_id("endpoint-status")).to_have_text("Disabled")
        await expect(card.get_by_role("button", name="Enable")).to_be_visible()
        await graphql(made_run, DELETE, id=endpoint["webhookEndpoint"]["id"])
    clean(watch)


async def test_roles_and_chinese(made_run: MakeRun, browser: Browser, artifacts: Path) -> None:
    """An ORGANIZER has no webhooks page; a VIEWER sees recipients hidden; both pages in
    Chinese from the browser's language."""
    async with guarded(browser) as watch:
        page = await open_as(watch, made_run, "Notifications", Role.ORGANIZER)
        nav = page.get_by_role("navigation").get_by_role("link")
        await expect(nav.filter(has_text="Notifications")).to_have_count(1)
        await expect(nav.filter(has_text="Webhooks")).to_have_count(0)
        await page.goto(f"{console_of(made_run)}webhooks")
        await expect(page.get_by_role("main")).to_have_text(re.compile("no page for your role"))

        page = await open_as(watch, made_run, "Notifications", Role.VIEWER)
        await expect(page.get_by_test_id("recipient").first).to_have_text("hidden", timeout=30_000)
        assert set(await page.get_by_test_id("recipient").all_inner_texts()) == {"hidden"}
        await expect(page.get_by_role("link", name="view the email")).to_have_count(0)
        await shoot(page, artifacts, "notifications-viewer-en")
    clean(watch)
    async with guarded(browser, locale="zh-CN") as watch:
        page = await open_as(watch, made_run, "通知")
        await expect(page.get_by_role("heading", level=1)).to_have_text("通知")
        await expect(page.get_by_role("link", name="查看邮件").first).to_be_visible(timeout=30_000)
        await expect(page.get_by_test_id("notification").first).to_contain_text(
            re.compile("已发送|已抑制|失败|已请求")
        )
        await shoot(page, artifacts, "notifications-zh-CN")
        assert await audit(page) == []
        url = f"http://hooks-{uuid.uuid4().hex[:8]}.invalid/zh"
        endpoint = await graphql(made_run, REGISTER, url=url)
        await page.get_by_role("navigation").get_by_role("link", name="Webhook").click()
        await expect(page.get_by_role("heading", level=2).first).to_have_text("注册端点")
        card = page.get_by_test_id("endpoint").filter(has=page.get_by_text(url, exact=True))
        await expect(card.get_by_test_id("endpoint-status")).to_have_text("已启用")
        await expect(card.get_by_role("button", name="停用")).to_be_visible()
        await shoot(page, artifacts, "webhooks-zh-CN")
        assert await audit(page) == []
        await graphql(
            made_run, DELETE, id=endpoint["registerWebhookEndpoint"]["webhookEndpoint"]["id"]
        )
    clean(watch)
