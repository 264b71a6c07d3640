"""Token verification (HS256 secret and RS256 through a JWKS endpoint), the dev token
command, and internal errors masked with a correlation id that the logs carry."""

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import asyncpg
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from gateway import cli
from gateway.auth import Authenticator, Role, Unauthenticated, Viewer
from gateway.config import AuthSettings, Limits
from gateway.context import Context, Services
from gateway.nodes import LOADERS
from gateway.policy import NODE_KINDS
from gateway.schema import schema
from graphql import GraphQLError
from jwt.algorithms import RSAAlgorithm
from pavilion_core.logging import correlation_id

from tests.support import free_port

CLAIMS = {
    "sub": "staff:kim",
    "role": "ORGANIZER",
    "iss": "pavilion",
    "aud": "pavilion-gateway",
    "exp": 4102444800,
}


@pytest.fixture
def jwks() -> Iterator[tuple[str, rsa.RSAPrivateKey]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Keys)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json", key
    server.shutdown()


async def test_rs256_tokens_are_verified_with_the_keys_of_the_jwks_endpoint(jwks):
    url, key = jwks
    auth = Authenticator(
        AuthSettings(secret="", jwks_url=url, issuer="pavilion", audience="pavilion-gateway")
    )
    signed = jwt.encode(CLAIMS, key, algorithm="RS256", headers={"kid": "k1"})
    viewer = await auth.viewer(f"Bearer {signed}")
    assert (viewer.subject, viewer.role) == ("staff:kim", Role.ORGANIZER)

    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(CLAIMS, stranger, algorithm="RS256", headers={"kid": "k1"})
    with pytest.raises(Unauthenticated):
        await auth.viewer(f"Bearer {forged}")
    hs = jwt.encode(CLAIMS, "x" * 40, algorithm="HS256", headers={"kid": "k1"})
    with pytest.raises(Unauthenticated):  # no algorithm confusion: RS256 only
        await auth.viewer(f"Bearer {hs}")


async def test_the_token_command_mints_what_the_gateway_accepts(monkeypatch, capsys):
    secret = "a-secret-for-this-test-of-32-characters"
    monkeypatch.setenv("PAVILION_JWT_SECRET", secret)
    assert cli.main(["token", "--role", "EXHIBITOR", "--application", "app-1"]) == 0
    minted = capsys.readouterr().out.strip()
    auth = Authenticator(
        AuthSettings(secret=secret, jwks_url=None, issuer="pavilion", audience="pavilion-gateway")
    )
    viewer = await auth.viewer(f"Bearer {minted}")
    assert viewer.role is Role.EXHIBITOR and viewer.applications == {"app-1"}
    no_role = jwt.encode({**CLAIMS, "role": "SUPERUSER"}, secret, algorithm="HS256")
    with pytest.raises(Unauthenticated):
        await auth.viewer(f"Bearer {no_role}")


class BuggyPool:
    """A read model whose every call fails in a way no resolver expects."""

    def __getattr__(self, name: str) -> object:
        raise ZeroDivisionError(f"a bug reached {name}")


COUNT = '{ exhibitors(edition: "CISCE-2026") { totalCount } }'


async def _execute(pool: object, query: str, cid: str) -> list[GraphQLError]:
    services = Services(pool=pool, commands=None, news=None, limits=Limits())  # type: ignore[arg-type]
    context = Context(services=services, viewer=Viewer("staff:test", Role.ADMIN))
    token = correlation_id.set(cid)
    try:
        result = await schema.execute(query, context_value=context)
    finally:
        correlation_id.reset(token)
    return list(result.errors or [])


async def test_an_internal_error_is_masked_and_its_correlation_id_is_logged(caplog):
    with caplog.at_level(logging.ERROR):
        [error] = await _execute(BuggyPool(), COUNT, "corr-masked-1")
    assert error.message == "internal error; correlation id corr-masked-1"
    assert error.extensions == {"code": "INTERNAL", "correlationId": "corr-masked-1"}
    assert "bug" not in error.message.lower()
    [record] = [r for r in caplog.records if r.getMessage() == "internal error in a resolver"]
    assert record.exc_info is not None


async def test_a_read_model_that_is_down_is_a_typed_unavailable_error():
    down = await asyncpg.create_pool(f"postgresql://postgres@127.0.0.1:{free_port()}/x", min_size=0)
    [error] = await _execute(down, COUNT, "corr-down")
    assert error.extensions == {"code": "UNAVAILABLE", "correlationId": "corr-down"}
    assert error.message.startswith("the read model is unavailable; try again shortly")
    await down.close()


def test_the_ids_the_policy_decodes_are_those_a_loader_loads():
    assert NODE_KINDS == set(LOADERS)  # else a valid id would reach no loader
