"""The gateway serves the console's build at /console/: its assets with their types,
index.html (with a strict Content-Security-Policy) for every client-side route,
config.json with the OIDC provider when one is set, nothing outside the build, and a
clear 503 page (not a crash) when the console is not built."""

import json
import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from gateway import console
from gateway.config import ConfigError, ConsoleSettings, OidcSettings
from starlette.requests import Request

INDEX = '<!doctype html><html><head><script type="module" src="/console/assets/a.js"></script>'

CONSOLE = Path(__file__).parents[2] / "console"
# how the source names a dictionary key: t("area.key"…) or a page's title: "area.key"
NAMED_KEY = re.compile(r'\b(?:t\(|title:)\s*"([a-zA-Z]+\.[\w.]+)"')


def built(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "graphiql.html").write_text("<html><head><title>GraphiQL</title></head></html>")
    (dist / "assets" / "a.js").write_text("export {}")
    (dist / "assets" / "a.css").write_text("body {}")
    (tmp_path / "secret.txt").write_text("outside the build")
    return dist


def client(settings: ConsoleSettings) -> httpx.AsyncClient:
    app = FastAPI()
    app.include_router(console.router(settings))
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000")


async def test_assets_with_their_types_and_index_for_every_route(tmp_path: Path) -> None:
    async with client(ConsoleSettings(built(tmp_path))) as http:
        script = await http.get("/console/assets/a.js")
        style = await http.get("/console/assets/a.css")
        page = await http.get("/console/exhibitors/some-id")
        root = await http.get("/console/")
        bare = await http.get("/console")
        missing = await http.get("/console/assets/gone.js")
        outside = await http.get("/console/..%2Fsecret.txt")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "immutable" in script.headers["cache-control"]
    assert style.headers["content-type"].startswith("text/css")
    for answer in (page, root):
        assert answer.status_code == 200 and answer.text == INDEX
        assert answer.headers["content-type"].startswith("text/html")
    assert bare.status_code == 308 and bare.headers["location"] == "/console/"
    assert missing.status_code == 404
    assert "outside the build" not in outside.text


async def test_the_pages_policy_allows_this_origin_and_its_websocket_only(tmp_path: Path) -> None:
    async with client(ConsoleSettings(built(tmp_path))) as http:
        csp = (await http.get("/console/")).headers["content-security-policy"]
    directives = dict(d.split(" ", 1) for d in csp.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline script
    assert directives["connect-src"] == "'self' ws://127.0.0.1:8000"


async def test_without_a_provider_config_says_none(tmp_path: Path) -> None:
    async with client(ConsoleSettings(built(tmp_path))) as http:
        assert (await http.get("/console/config.json")).json() == {"oidc": None}


async def test_an_oidc_provider_is_offered_and_may_be_reached(tmp_path: Path) -> None:
    oidc = OidcSettings("https://id.example.org/realms/expo", "pavilion-console")
    async with client(ConsoleSettings(built(tmp_path), oidc)) as http:
        config = (await http.get("/console/config.json")).json()
        csp = (await http.get("/console/")).headers["content-security-policy"]
    assert config["oidc"] == {
        "issuer": "https://id.example.org/realms/expo",
        "clientId": "pavilion-console",
        "scope": "openid",
    }
    assert "connect-src 'self' ws://127.0.0.1:8000 https://id.example.org;" in csp


async def test_no_build_is_a_clear_503_page(tmp_path: Path) -> None:
    async with client(ConsoleSettings(tmp_path / "nowhere")) as http:
        answer = await http.get("/console/")
    assert answer.status_code == 503
    assert "make install" in answer.text and "not built" in answer.text


def test_graphiqls_page_is_the_build_with_its_policy(tmp_path: Path) -> None:
    settings = ConsoleSettings(built(tmp_path))
    request = httpx.Request("GET", "http://127.0.0.1:8000/graphql")
    scope = {"type": "http", "headers": request.headers.raw, "scheme": "http", "path": "/graphql"}
    page = console.graphiql_page(settings, Request(scope))
    assert page.body == (settings.dist / "graphiql.html").read_bytes()
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_oidc_needs_both_issuer_and_client_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAVILION_CONSOLE_OIDC_ISSUER", "https://id.example.org")
    monkeypatch.delenv("PAVILION_CONSOLE_OIDC_CLIENT_ID", raising=False)
    with pytest.raises(ConfigError, match="both"):
        ConsoleSettings.from_env()


def test_every_language_has_the_same_keys_in_each_area() -> None:
    words = CONSOLE / "src" / "i18n"
    areas = {path.name for path in (words / "en").glob("*.json")}
    seen: dict[str, str] = {}
    for area in sorted(areas):
        english = json.loads((words / "en" / area).read_text())
        chinese = json.loads((words / "zh-CN" / area).read_text())
        assert sorted(english) == sorted(chinese), area
        assert all(v.strip() for v in (*english.values(), *chinese.values())), area
        twice = {key: seen[key] for key in english if key in seen}
        assert not twice, f"{area} repeats keys of other areas: {twice}"
        seen |= dict.fromkeys(english, area)
    assert {path.name for path in (words / "zh-CN").glob("*.json")} == areas


def test_every_key_the_source_names_is_in_the_dictionaries() -> None:
    english: dict[str, str] = {}
    for path in (CONSOLE / "src" / "i18n" / "en").glob("*.json"):
        english |= json.loads(path.read_text())
    named = {
        key
        for path in (CONSOLE / "src").rglob("*.ts*")
        for key in NAMED_KEY.findall(path.read_text())
    }
    assert named, "no key found: the pattern no longer matches how the source names them"
    assert sorted(named - set(english)) == []
