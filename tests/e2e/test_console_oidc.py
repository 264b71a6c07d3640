"""Signing in to the console with an OpenID Connect provider (a small one started here,
over real HTTP, in a real browser): the sign-in page offers it, authorization code +
PKCE brings back an RS256 access token, and the gateway (PAVILION_JWT_JWKS_URL on the
provider's keys) takes it as the bearer of the console's GraphQL requests."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pavilion_core.config import KafkaSettings
from playwright.async_api import Browser, expect

from tests.e2e.browser import guarded, shoot
from tests.e2e.oidc_provider import CLIENT_ID, Provider
from tests.e2e.stack import Stack, running, scratch
from tests.integration.webhook_support import receiving

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
async def provider() -> AsyncIterator[tuple[Provider, str]]:
    provider = Provider()
    async with receiving(provider) as port:  # type: ignore[arg-type]
        yield provider, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
async def stack(
    templates: dict[str, str],
    kafka: KafkaSettings,
    tmp_path_factory: pytest.TempPathFactory,
    provider: tuple[Provider, str],
) -> AsyncIterator[Stack]:
    """The gateway (and the exhibitors service and projector that make the editions'
    records it shows), verifying tokens with the provider's keys, and telling the
    console to sign in there."""
    _, issuer = provider
    async with scratch(templates, kafka) as env:
        oidc = {
            "PAVILION_JWT_JWKS_URL": f"{issuer}/jwks",
            "PAVILION_JWT_ISSUER": issuer,
            "PAVILION_CONSOLE_OIDC_ISSUER": issuer,
            "PAVILION_CONSOLE_OIDC_CLIENT_ID": CLIENT_ID,
            "PAVILION_GATEWAY_WORKERS": "1",
        }
        processes = [
            ("exhibitors", "api"),
            ("exhibitors", "relay"),
            ("gateway", "projector"),
            ("gateway", "api"),
        ]
        async with running(processes, {**env, **oidc}, tmp_path_factory.mktemp("logs")) as stack:
            yield stack


async def test_sign_in_with_the_provider_and_use_its_token(
    stack: Stack, provider: tuple[Provider, str], browser: Browser, artifacts: Path
) -> None:
    issued, issuer = provider
    async with guarded(browser) as watch:
        page = await watch.page()
        await page.goto(f"{stack.urls['gateway']}/console/")
        button = page.get_by_role("button", name=f"Sign in with {issuer.split('//')[1]}")
        await shoot(page, artifacts, "sign-in-oidc")
        await button.click()
        await expect(page.get_by_test_id("subject")).to_have_text("Signed in as oidc:ada")
        # answered: no demo (the seed's edition, once projected)
        await expect(page.get_by_test_id("booths-free")).to_have_text("0", timeout=30_000)
        assert page.url == f"{stack.urls['gateway']}/console/"  # the code is gone from it
        stored = await page.evaluate("sessionStorage.getItem('pavilion.token')")
        assert stored == issued.issued[-1]
    assert watch.off_host == [] and watch.violations == [], (watch.off_host, watch.violations)
    assert any(u.startswith(f"{issuer}/token") for u in watch.requested)
