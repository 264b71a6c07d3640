"""Sending a mutation's command to the service that owns the record, over its HTTP API,
with a service token naming the caller (the only identity the service accepts), the
correlation id, the idempotency key and the expected version. The service's typed
errors come back as user errors."""

from dataclasses import dataclass
from typing import Any

import httpx
import strawberry
from graphql import GraphQLError
from pavilion_core.logging import correlation_id
from pavilion_core.service_tokens import ServiceTokens

from gateway.auth import Viewer
from gateway.responses import not_from_read_model


@strawberry.type
class UserError:
    field: list[str] | None
    message: str
    code: str


@dataclass(frozen=True)
class Refusal:
    """A service's 4xx answer, as the user errors it names."""

    errors: list[UserError]


@dataclass(frozen=True)
class Sent:
    """What the service answered: the stream changed, its version, every stream the
    command appended to with its version, and the body. A command that changes no
    record of ours (a lifted opt-out) names none."""

    id: str | None
    version: int | None
    streams: dict[str, int]
    body: dict[str, Any]


class Unavailable(GraphQLError):
    """The service did not answer: a command may or may not have been made, and a retry
    with the same idempotency key (in the extensions) makes it at most once."""

    def __init__(self, service: str, idempotency_key: str | None = None) -> None:
        cid = correlation_id.get()
        extensions = {"code": "UNAVAILABLE", "correlationId": cid}
        if idempotency_key:
            extensions["idempotencyKey"] = idempotency_key
        super().__init__(
            f"the {service} service is unavailable; try again (correlation id {cid})",
            extensions=extensions,
        )


class CommandClient:
    def __init__(self, urls: dict[str, str], tokens: ServiceTokens, timeout: float = 10.0) -> None:
        self.tokens = tokens
        self.http = {
            service: httpx.AsyncClient(base_url=url, timeout=timeout)
            for service, url in urls.items()
        }

    async def close(self) -> None:
        for client in self.http.values():
            await client.aclose()

    async def call(
        self,
        actor: str,
        service: str,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """The service's JSON answer, or its refusal as user errors."""
        headers = {
            "authorization": f"Bearer {self.tokens.mint(actor, service)}",
            "x-correlation-id": correlation_id.get() or "",
        }
        if idempotency_key:
            headers["idempotency-key"] = idempotency_key
        try:
            response = await self.http[service].request(
                method, path, json=body, params=params, headers=headers
            )
        except httpx.TransportError:
            raise Unavailable(service, idempotency_key) from None
        if response.status_code >= 500:
            raise Unavailable(service, idempotency_key)
        answer = response.json()
        if response.status_code >= 400:
            return Refusal(user_errors(answer.get("error", {})))
        return answer

    async def send(
        self,
        viewer: Viewer,
        service: str,
        path: str,
        body: dict[str, Any],
        idempotency_key: str,
    ) -> Sent | list[UserError]:
        answer = await self.call(
            viewer.subject, service, "POST", path, body=body, idempotency_key=idempotency_key
        )
        if isinstance(answer, Refusal):
            return answer.errors
        if "id" not in answer:
            return Sent(None, None, {}, answer)
        stream, version = str(answer["id"]), int(answer.get("version", 1))
        # the notifications API changes one stream at a time and does not list them
        written = {str(s["id"]): int(s["version"]) for s in answer.get("streams", [])}
        return Sent(stream, version, written or {stream: version}, answer)

    async def get(
        self, service: str, path: str, params: dict[str, str] | None = None, actor: str = "gateway"
    ) -> Any:
        """A read from the service (its configuration, or state that changes by the
        second); a refusal is raised as a GraphQL error with the service's code."""
        not_from_read_model(f"{service} {path}")  # nobody announces its changes
        answer = await self.call(actor, service, "GET", path, params=params)
        if isinstance(answer, Refusal):
            raise Refused(answer.errors[0])
        return answer


class Refused(GraphQLError):
    def __init__(self, error: UserError) -> None:
        super().__init__(error.message, extensions={"code": error.code, "field": error.field})


def user_errors(error: dict[str, Any]) -> list[UserError]:
    code, message = error.get("code", "VALIDATION"), error.get("message", "refused")
    fields = error.get("fields") or []
    if not fields:
        return [UserError(field=None, message=message, code=code)]
    return [UserError(field=f.get("field"), message=f["message"], code=code) for f in fields]
