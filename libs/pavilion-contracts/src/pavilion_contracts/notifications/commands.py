"""The notifications service's commands, as its admin API takes them and the gateway's
ADMIN mutations send them: webhook endpoints, redelivery by hand, and the opt-in an
operator records on a recipient's request (pavilion_core.commanding).

The service is no event-sourced aggregate store: it posts each command itself and
answers what it changed (the endpoint's new version, a secret shown once), not the
`Accepted` of the other services. An `expectedVersion` pins an endpoint's version;
the other commands change no record whose version a caller can read."""

from collections.abc import Callable
from typing import Annotated, TypeVar
from uuid import UUID

from pavilion_core.commanding import Command, Contract
from pydantic import EmailStr, Field

COMMANDS = Contract("notifications")
ENDPOINT = "WebhookEndpoint"
EVIDENCE = "The recipient's request, as recorded."
EventType = Annotated[str, Field(pattern=r"^[A-Za-z0-9.*_-]{1,200}$")]


@COMMANDS.command(
    "/webhooks",
    "registerWebhookEndpoint",
    ENDPOINT,
    creates=True,
    description="The secret is shown once: receivers verify signatures with it.",
)
class RegisterWebhookEndpoint(Command):
    url: Annotated[str, Field(min_length=8, max_length=2000)]
    event_types: Annotated[list[EventType], Field(min_length=1, max_length=50)]
    description: Annotated[str, Field(max_length=500)] | None = None


class EndpointChange(Command):
    """A change of one endpoint (they share their GraphQL input)."""

    endpoint_id: UUID


C = TypeVar("C", bound=EndpointChange)


def _changes(action: str, mutation: str, description: str) -> Callable[[type[C]], type[C]]:
    return COMMANDS.command(
        f"/webhooks/{{endpoint_id}}/{action}",
        mutation,
        ENDPOINT,
        input="WebhookEndpointInput",
        description=description,
    )


@_changes(
    "disable", "disableWebhookEndpoint", "No new deliveries; pending ones wait until enabled."
)
class DisableWebhookEndpoint(EndpointChange):
    pass


@_changes("enable", "enableWebhookEndpoint", "Deliveries resume, pending ones first.")
class EnableWebhookEndpoint(EndpointChange):
    pass


@_changes("rotate-secret", "rotateWebhookSecret", "A new secret signs from now on; answered once.")
class RotateWebhookSecret(EndpointChange):
    pass


@_changes("delete", "deleteWebhookEndpoint", "Nothing more is delivered; its history stays.")
class DeleteWebhookEndpoint(EndpointChange):
    pass


@COMMANDS.command(
    "/webhooks/deliveries/{delivery_id}/redeliver",
    "redeliverWebhookDelivery",
    "",
    description="Try a delivery again now, with the same webhook-id.",
)
class RedeliverWebhookDelivery(Command):
    delivery_id: UUID


@COMMANDS.command(
    "/recipients/opt-in",
    "optInRecipient",
    "",
    description="Lift an opt-out on the recipient's own request.",
)
class OptInRecipient(Command):
    address: EmailStr
    evidence: Annotated[str, Field(min_length=1, max_length=1000, description=EVIDENCE)]
