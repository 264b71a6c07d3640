"""Mutations of the notifications feature, ADMIN's only: webhook endpoints, and lifting
a recipient's opt-out on their request.

A secret is answered once (registration, rotation): receivers verify signatures with
it; it is never in an event, the read model or a log."""

from typing import Any

import strawberry
from pavilion_contracts.notifications.commands import COMMANDS, RedeliverWebhookDelivery

from gateway.commands import Refusal
from gateway.derived import Answer, including, mutations, plain_input_of
from gateway.mutations import Info, Payload, forbidden, metadata, user_error
from gateway.notifications.webhooks import WebhookDelivery, WebhookEndpoint
from gateway.policy import NotFound, decode, may_change, may_try

REDELIVER = RedeliverWebhookDelivery.route


@strawberry.type
class WebhookEndpointPayload(Payload):
    webhook_endpoint: WebhookEndpoint | None = None
    secret: str | None = strawberry.field(
        default=None, description="Shown once: receivers verify signatures with it."
    )


@strawberry.type
class WebhookDeliveryPayload(Payload):
    webhook_delivery: WebhookDelivery | None = None


@strawberry.type
class OptInPayload(Payload):
    opted_in: bool | None = strawberry.field(
        default=None, description="False when the address had not opted out."
    )


ANSWERS = {
    "WebhookEndpoint": Answer(WebhookEndpointPayload, "webhook_endpoint", ("secret",)),
    "optInRecipient": Answer(OptInPayload, None, ("opted_in",)),
}


async def redeliver(self: Any, info: Info, input: Any) -> WebhookDeliveryPayload:
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


redeliver.__annotations__["input"] = plain_input_of(RedeliverWebhookDelivery)


REDELIVERY = strawberry.mutation(
    resolver=redeliver, description=REDELIVER.description, metadata=metadata(REDELIVER)
)


@strawberry.type
@including(
    {
        **mutations(COMMANDS, ANSWERS, besides=frozenset({REDELIVER.mutation})),
        "redeliver_webhook_delivery": REDELIVERY,
    }
)
class NotificationMutations:
    pass
