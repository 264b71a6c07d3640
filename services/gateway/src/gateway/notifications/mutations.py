"""Mutations of the notifications feature, ADMIN's only: webhook endpoints, and lifting
a recipient's opt-out on their request.

A secret is answered once (registration, rotation): receivers verify signatures with
it; it is never in an event, the read model or a log."""

from typing import Any

import strawberry
from pavilion_core.commanding import Route

from gateway.commands import Refusal
from gateway.mutations import (
    CommandInput,
    Info,
    Payload,
    forbidden,
    metadata,
    mutation,
    user_error,
)
from gateway.notifications.webhooks import WebhookDelivery, WebhookEndpoint
from gateway.policy import NotFound, decode, may_change, may_try

REGISTER = Route("notifications", "/webhooks", "registerWebhookEndpoint", "WebhookEndpoint")
REDELIVER = Route(
    "notifications", "/webhooks/deliveries/{delivery_id}/redeliver", "redeliverWebhookDelivery", ""
)
OPT_IN = Route("notifications", "/recipients/opt-in", "optInRecipient", "")


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


@strawberry.type
class OptInPayload(Payload):
    opted_in: bool | None = strawberry.field(
        default=None, description="False when the address had not opted out."
    )


@strawberry.input
class OptInRecipientInput(CommandInput):
    address: str
    evidence: str = strawberry.field(description="The recipient's request, as recorded.")


def _endpoint(action: str, description: str) -> Any:
    return mutation(
        Route("notifications", f"/webhooks/{{endpoint_id}}/{action}", "", "WebhookEndpoint"),
        WebhookEndpointInput,
        WebhookEndpointPayload,
        "webhook_endpoint",
        answered=("secret",),
        description=description,
    )


@strawberry.type
class NotificationMutations:
    register_webhook_endpoint = mutation(
        REGISTER,
        RegisterWebhookEndpointInput,
        WebhookEndpointPayload,
        "webhook_endpoint",
        answered=("secret",),
    )
    disable_webhook_endpoint = _endpoint(
        "disable", "No new deliveries; pending ones wait until enabled."
    )
    enable_webhook_endpoint = _endpoint("enable", "Deliveries resume, pending ones first.")
    rotate_webhook_secret = _endpoint(
        "rotate-secret", "A new secret signs from now on; answered once."
    )
    delete_webhook_endpoint = _endpoint("delete", "Nothing more is delivered; its history stays.")
    opt_in_recipient = mutation(
        OPT_IN,
        OptInRecipientInput,
        OptInPayload,
        None,
        answered=("opted_in",),
        description="Lift an opt-out on the recipient's own request.",
    )

    @strawberry.mutation(
        description="Try a delivery again now, with the same webhook-id.",
        metadata=metadata(REDELIVER),
    )
    async def redeliver_webhook_delivery(
        self, info: Info, input: RedeliverWebhookDeliveryInput
    ) -> WebhookDeliveryPayload:
        return await redeliver(info, input)


async def redeliver(info: Info, input: RedeliverWebhookDeliveryInput) -> WebhookDeliveryPayload:
    """Not a change of a stream (no read-your-writes wait): the delivery as it is now."""
    ctx = info.context
    if not may_try(ctx.viewer, info.field_name):
        return WebhookDeliveryPayload(user_errors=[forbidden(ctx)])
    try:
        ref = decode(input.delivery_id, "WebhookDelivery", field="deliveryId")
    except NotFound as exc:
        return WebhookDeliveryPayload(user_errors=[user_error(exc)])
    if not may_change(ctx.viewer, info.field_name, ref):
        return WebhookDeliveryPayload(user_errors=[forbidden(ctx)])
    path = REDELIVER.path.format(delivery_id=ref.local)
    answer = await ctx.services.commands.call(ctx.viewer.subject, "notifications", "POST", path)
    if isinstance(answer, Refusal):
        return WebhookDeliveryPayload(user_errors=answer.errors)
    return WebhookDeliveryPayload(webhook_delivery=WebhookDelivery.from_answer(answer))
