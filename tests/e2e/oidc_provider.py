"""A small OpenID Connect provider for the console's sign-in test, over real HTTP:
discovery, an authorization endpoint that signs "ada" in at once and redirects back
with a code, a token endpoint that checks the code's PKCE verifier and answers an RS256
access token (the claims the gateway wants), and the JWKS the gateway verifies it with."""

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse

CLIENT_ID = "pavilion-console"
KEY_ID = "test-key"
CORS = {"access-control-allow-origin": "*"}  # the console calls discovery and token


@dataclass
class Provider:
    subject: str = "oidc:ada"
    role: str = "ADMIN"
    audience: str = "pavilion-gateway"
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)
    app: FastAPI = field(default_factory=FastAPI)

    def __post_init__(self) -> None:
        app = self.app
        app.get("/.well-known/openid-configuration")(self.discovery)
        app.get("/authorize")(self.authorize)
        app.post("/token")(self.token)
        app.get("/jwks")(self.jwks)

    async def discovery(self, request: Request) -> JSONResponse:
        issuer = str(request.base_url).rstrip("/")
        return JSONResponse(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{issuer}/authorize",
                "token_endpoint": f"{issuer}/token",
                "jwks_uri": f"{issuer}/jwks",
                "code_challenge_methods_supported": ["S256"],
            },
            headers=CORS,
        )

    async def authorize(
        self,
        response_type: str,
        client_id: str,
        redirect_uri: str,
        state: str,
        code_challenge: str,
        code_challenge_method: str,
    ) -> RedirectResponse:
        assert (response_type, client_id, code_challenge_method) == ("code", CLIENT_ID, "S256")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"challenge": code_challenge, "redirect_uri": redirect_uri}
        return RedirectResponse(f"{redirect_uri}?code={code}&state={state}", status_code=302)

    async def token(self, request: Request) -> JSONResponse:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        code, verifier = form.get("code", ""), form.get("code_verifier", "")
        given = self.codes.pop(code, None)
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if (
            given is None
            or form.get("grant_type") != "authorization_code"
            or form.get("client_id") != CLIENT_ID
            or given["redirect_uri"] != form.get("redirect_uri")
            or given["challenge"] != challenge
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400, headers=CORS)
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": str(request.base_url).rstrip("/"),
            "aud": self.audience,
            "sub": self.subject,
            "role": self.role,
            "iat": now,
            "exp": now + 600,
        }
        access = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KEY_ID})
        self.issued.append(access)
        body = {"access_token": access, "token_type": "Bearer", "expires_in": 600}
        return JSONResponse(body, headers=CORS)

    async def jwks(self) -> JSONResponse:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return JSONResponse({"keys": [{**public, "kid": KEY_ID, "use": "sig", "alg": "RS256"}]})
