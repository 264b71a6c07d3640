"""Mutations of the notifications feature: webhook endpoints, managed by ADMIN only.

A secret is answered once (registration, rotation): receivers verify signatures with
it; it is never in an event, the read model or a log."""

import strawberry

from gateway.auth import Role
from gateway.commands import Refusal
from gateway.mutations import (
    Command,
    CommandInput,
    Info,
    Payload,
    forbidden,
    run,
    user_error,
)
from gateway.notifications.webhooks import WebhookDelivery, WebhookEndpoint
from gateway.policy import NotFound, decode

ADMIN = frozenset({Role.ADMIN})
REGISTER = Command("notifications", "/webhooks", "WebhookEndpoint", roles=ADMIN)


def _change(action: str) -> Command:
    return Command("notifications", f"/webhooks/{{}}/{action}", "WebhookEndpoint", roles=ADMIN)


@strawberry.type
class WebhookEndpointPayload(Payload):
    webhook_endpoint: WebhookEndpoint | None = None
    secret: str | None = strawberry.field(
        default=None, description="Shown once: receivers verify signatures with it."
    )


@strawberry.type
class WebhookDeliveryPayload(Payload):
    webhook_delivery: WebhookDelivery | None = None


@strawberry.input
class RegisterWebhookEndpointInput(CommandInput):
    url: str
    event_types: list[str]
    description: str | None = None


@strawberry.input
class WebhookEndpointInput(CommandInput):
    endpoint_id: strawberry.ID


@strawberry.input
class RedeliverWebhookDeliveryInput:
    delivery_id: strawberry.ID


async def _endpoint(info: Info, action: str, input: WebhookEndpointInput) -> WebhookEndpointPayload:
    outcome = await run(info, _change(action), input, "endpoint_id")
    secret = outcome.answer.get("secret")
    return outcome.into(WebhookEndpointPayload, "webhook_endpoint", secret=secret)


@strawberry.type
class NotificationMutations:
    @strawberry.mutation
    async def register_webhook_endpoint(
        self, info: Info, input: RegisterWebhookEndpointInput
    ) -> WebhookEndpointPayload:
        outcome = await run(info, REGISTER, input)
        secret = outcome.answer.get("secret")
        return outcome.into(WebhookEndpointPayload, "webhook_endpoint", secret=secret)

    @strawberry.mutation(description="No new deliveries; pending ones wait until enabled.")
    async def disable_webhook_endpoint(
        self, info: Info, input: WebhookEndpointInput
    ) -> WebhookEndpointPayload:
        return await _endpoint(info, "disable", input)

    @strawberry.mutation(description="Deliveries resume, pending ones first.")
    async def enable_webhook_endpoint(
        self, info: Info, input: WebhookEndpointInput
    ) -> WebhookEndpointPayload:
        return await _endpoint(info, "enable", input)

    @strawberry.mutation(description="A new secret signs from now on; answered once.")
    async def rotate_webhook_secret(
        self, info: Info, input: WebhookEndpointInput
    ) -> WebhookEndpointPayload:
        return await _endpoint(info, "rotate-secret", input)

    @strawberry.mutation(description="Nothing more is delivered; its history stays.")
    async def delete_webhook_endpoint(
        self, info: Info, input: WebhookEndpointInput
    ) -> WebhookEndpointPayload:
        return await _endpoint(info, "delete", input)

    @strawberry.mutation(description="Try a delivery again now, with the same webhook-id.")
    async def redeliver_webhook_delivery(
        self, info: Info, input: RedeliverWebhookDeliveryInput
    ) -> WebhookDeliveryPayload:
        return await redeliver(info, input)


async def redeliver(info: Info, input: RedeliverWebhookDeliveryInput) -> WebhookDeliveryPayload:
    """Not a change of a stream (no read-your-writes wait): the delivery as it is now."""
    ctx = info.context
    if ctx.viewer.role is not Role.ADMIN:
        return WebhookDeliveryPayload(user_errors=[forbidden(ctx)])
    try:
        ref = decode(input.delivery_id, "WebhookDelivery", field="deliveryId")
    except NotFound as exc:
        return WebhookDeliveryPayload(user_errors=[user_error(exc)])
    path = f"/webhooks/deliveries/{ref.local}/redeliver"
    answer = await ctx.services.commands.call(ctx.viewer.subject, "notifications", "POST", path)
    if isinstance(answer, Refusal):
        return WebhookDeliveryPayload(user_errors=answer.errors)
    return WebhookDeliveryPayload(webhook_delivery=WebhookDelivery.from_answer(answer))
