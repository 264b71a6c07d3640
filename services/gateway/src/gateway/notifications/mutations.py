"""Mutations of the notifications feature (ADMIN only)."""

import strawberry

from gateway.auth import Role
from gateway.mutations import Command, CommandInput, Info, Payload, run
from gateway.notifications.types import WebhookEndpoint

REGISTER = Command("notifications", "/webhooks", "WebhookEndpoint", roles=frozenset({Role.ADMIN}))


@strawberry.type
class WebhookEndpointPayload(Payload):
    webhook_endpoint: WebhookEndpoint | None = None
    secret: str | None = strawberry.field(
        default=None, description="Shown once: receivers verify signatures with it."
    )


@strawberry.input
class RegisterWebhookEndpointInput(CommandInput):
    url: str
    event_types: list[str]
    description: str | None = None


@strawberry.type
class NotificationMutations:
    @strawberry.mutation
    async def register_webhook_endpoint(
        self, info: Info, input: RegisterWebhookEndpointInput
    ) -> WebhookEndpointPayload:
        outcome = await run(info, REGISTER, input)
        secret = outcome.answer.get("secret")
        return outcome.into(WebhookEndpointPayload, "webhook_endpoint", secret=secret)
