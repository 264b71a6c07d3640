"""Driving the console in a real browser: Playwright for Python on Debian's chromium
(Playwright's own browser download is not reachable here). Every page is opened in a
`Guarded` context: each request it makes is recorded, any to a host other than
127.0.0.1/localhost is blocked (a CDN reference fails the page at once instead of
hanging) and kept for the test to assert on, and Content-Security-Policy violations are
collected. `audit` runs axe-core (npm, console/node_modules) in the page; `shoot` writes
a screenshot under the artifacts directory (PAVILION_ARTIFACTS_DIR, else a temporary
directory the test session prints)."""

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserContext, Page, Route, async_playwright

ROOT = Path(__file__).parents[2]
CHROMIUM = os.environ.get("PAVILION_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"
LOCAL = {"127.0.0.1", "localhost"}
# headless and sandbox-less (CI runs as root), and none of chromium's own traffic
# (updates, sync, safe browsing) which would leave the machine
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class Guarded:
    context: BrowserContext
    requested: list[str] = field(default_factory=list)  # every URL, WebSockets included
    blocked: list[str] = field(default_factory=list)  # those off 127.0.0.1, refused
    violations: list[str] = field(default_factory=list)  # Content-Security-Policy's

    async def page(self) -> Page:
        page = await self.context.new_page()
        page.on("websocket", lambda ws: self.requested.append(ws.url))
        page.on("console", self._console)
        return page

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)

    async def _route(self, route: Route) -> None:
        url = route.request.url
        self.requested.append(url)
        if urlsplit(url).hostname in LOCAL or url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            self.blocked.append(url)
            await route.abort("blockedbyclient")

    @property
    def off_host(self) -> list[str]:
        hosts = (urlsplit(u).hostname for u in self.requested)
        return [u for u, h in zip(self.requested, hosts, strict=True) if h and h not in LOCAL]


@asynccontextmanager
async def guarded(browser: Browser, locale: str = "en-US") -> AsyncIterator[Guarded]:
    context = await browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    watch = Guarded(context)
    await context.route("**/*", watch._route)
    try:
        yield watch
    finally:
        await context.close()


async def audit(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now. (Evaluated
    through the DevTools protocol, which the page's CSP does not govern.)"""
    await page.evaluate(AXE.read_text())
    result = await page.evaluate("axe.run(document).then(r => JSON.stringify(r.violations))")
    return [v for v in json.loads(result) if v["impact"] in ("serious", "critical")]


async def shoot(page: Page, artifacts: Path, name: str) -> Path:
    path = artifacts / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
