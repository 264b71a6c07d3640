"""Who may see what: the one policy every resolver, loader and subscription consults.

Rights come from the record a request reaches, never from how its id is spelled: a
global id decodes to a known type and a UUID, or it is NOT_FOUND; its type must match
the record loaded with it. The policy is also applied to the schema itself (`secure`):
every field that returns a record (a node, an edge's node, a list of them) is screened
by `may_see` as its value goes out, and every field declared `@personal` is null for a
VIEWER — so a field added tomorrow cannot forget either.
"""

import base64
import binascii
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import strawberry
from graphql import (
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    default_field_resolver,
    get_named_type,
)
from strawberry.permission import BasePermission
from strawberry.schema_directive import Location

from gateway.auth import STAFF, Role, Viewer
from gateway.disclosure import disclosure
from gateway.relay import global_id

ANYONE = frozenset(Role)
READERS = STAFF | {Role.VIEWER}
ADMIN = frozenset({Role.ADMIN})
# Who may see each kind of record (an EXHIBITOR: only its own applications and their
# timelines). Kinds without a GraphQL type are streams whose timelines can be read.
SEES: dict[str, frozenset[Role]] = {
    "Exhibitor": ANYONE,
    "TimelineEntry": ANYONE,
    **dict.fromkeys(
        ["Organization", "Contact", "Delegation", "Trip", "OutreachEvent", "Interest"], READERS
    ),
    **dict.fromkeys(["FollowUp", "Notification", "FloorPlan", "Waitlist", "Edition"], READERS),
    **dict.fromkeys(["ContactEmail", "Recipient", "Reminder"], READERS),
    "WebhookEndpoint": ADMIN,
    "WebhookDelivery": ADMIN,
    "RebookingOffer": STAFF,
}
# The kinds with a GraphQL type, whose global ids we issue.
NODE_KINDS = frozenset(SEES) - {
    "FloorPlan",
    "Waitlist",
    "Edition",
    "ContactEmail",
    "Recipient",
    "Reminder",
}


# Who may run each mutation (by its GraphQL name): staff, unless named here. The
# webhook endpoints and a lifted opt-out are ADMIN's alone; an EXHIBITOR may also run
# these on its own application (the record the input's applicationId reaches).
ADMIN_MUTATIONS = frozenset(
    {
        "registerWebhookEndpoint",
        "disableWebhookEndpoint",
        "enableWebhookEndpoint",
        "rotateWebhookSecret",
        "deleteWebhookEndpoint",
        "redeliverWebhookDelivery",
        "optInRecipient",
        "forgetContact",
        "forgetExhibitorContact",
    }
)
OWNER_MUTATIONS = frozenset(
    {
        "signContract",
        "withdrawApplication",
        "updateExhibitorProfile",
        "addExhibitorContact",
        "removeExhibitorContact",
        "setSupplyChainAreas",
        "setProductCategories",
    }
)


class Forbidden(GraphQLError):
    def __init__(self, message: str = "you may not see or change this") -> None:
        super().__init__(message, extensions={"code": "FORBIDDEN"})


class NotFound(GraphQLError):
    def __init__(self, message: str, field: str = "id") -> None:
        super().__init__(message, extensions={"code": "NOT_FOUND", "field": field})


@dataclass(frozen=True)
class Ref:
    """What a global id stands for: a kind of record and its id."""

    kind: str
    id: UUID

    @property
    def local(self) -> str:
        return str(self.id)


def decode(value: str, *kinds: str, field: str = "id") -> Ref:
    """The record a global id names, if it is one we issue (of one of `kinds`, if
    given); anything else is NOT_FOUND — not another spelling of some record."""
    try:
        kind, local = base64.urlsafe_b64decode(value.encode("ascii")).decode().split(":", 1)
        ref = Ref(kind, UUID(local))
    except (binascii.Error, UnicodeError, ValueError):
        raise NotFound(f"{value!r} is not an id of ours", field) from None
    if global_id(kind, ref.id) != value or kind not in (kinds or NODE_KINDS):
        raise NotFound(f"{value!r} is not the id of a {' or '.join(kinds) or 'record'}", field)
    return ref


def may_see(viewer: Viewer, kind: str, local: str) -> bool:
    """Whether `viewer` may see the record of `kind` with id `local`."""
    if viewer.role not in SEES.get(kind, ADMIN):
        return False
    if viewer.role is Role.EXHIBITOR and kind != "TimelineEntry":  # see may_see_entry
        return kind == "Exhibitor" and local in viewer.applications
    return True


def may_try(viewer: Viewer, mutation: str) -> bool:
    """Whether `viewer` may run `mutation` on some record (checked before its input is
    read); may_change decides for the record it reaches."""
    if mutation in ADMIN_MUTATIONS:
        return viewer.role is Role.ADMIN
    return viewer.role in STAFF or (viewer.role is Role.EXHIBITOR and mutation in OWNER_MUTATIONS)


def may_change(viewer: Viewer, mutation: str, record: Ref | None) -> bool:
    """Whether `viewer` may run `mutation` on `record` (an EXHIBITOR: its own only)."""
    if not may_try(viewer, mutation):
        return False
    if viewer.role is not Role.EXHIBITOR:
        return True
    return record is not None and may_see(viewer, record.kind, record.local)


def may_see_entry(viewer: Viewer, subject: str, event_type: str) -> bool:
    """A timeline entry is seen by whoever may see the record (stream) it is about."""
    kinds = disclosure().stream_kinds(event_type) or ("unknown",)
    if viewer.role is Role.EXHIBITOR:
        return "Exhibitor" in kinds and subject in viewer.applications
    return all(viewer.role in SEES.get(kind, ADMIN) for kind in kinds)


def authorize(viewer: Viewer, ref: Ref) -> None:
    if not may_see(viewer, ref.kind, ref.local):
        raise Forbidden()


def refuse_personal_filter(viewer: Viewer, field: str) -> None:
    """A VIEWER may not narrow by personal data either: counts would spell it out."""
    if not viewer.sees_personal_data:
        raise Forbidden(f"a VIEWER may not filter by personal data ({field})")


def waitable(viewer: Viewer, streams: Mapping[str, int]) -> dict[str, int]:
    """Before waiting on streams' versions (`atLeast`): those `viewer` may wait on. An
    EXHIBITOR waits on its own applications only (its change that also moved a floor
    plan or the waitlist, which it cannot read, waits on its application); a token that
    names none of them is FORBIDDEN."""
    if viewer.role is not Role.EXHIBITOR:
        return dict(streams)
    own = {subject: v for subject, v in streams.items() if subject in viewer.applications}
    if not own:
        raise Forbidden()
    return own


class NotExhibitor(BasePermission):
    """Outreach, notifications and the dashboards are the organizer's business: an
    EXHIBITOR token sees only its own applications."""

    message = "an exhibitor may see only its own applications"
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 (the base declares it so)

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return info.context.viewer.role is not Role.EXHIBITOR


class OnlyAdmin(BasePermission):
    message = "only an ADMIN may do this"
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return info.context.viewer.role is Role.ADMIN


class OnlyStaff(BasePermission):
    """ADMIN and ORGANIZER only (a list of a kind SEES keeps to STAFF)."""

    message = "only staff (ADMIN, ORGANIZER) may see this"
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return info.context.viewer.role in STAFF


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Personal data: null for VIEWER tokens.",
)
class Personal:
    pass


PERSONAL = [Personal()]


def secure(schema: GraphQLSchema) -> None:
    """Screen every record-returning field and mask every personal one, in place."""
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for field in named.fields.values():
            if is_personal(field):
                field.resolve = _masked(field.resolve or default_field_resolver)
            elif returns_records(field):
                field.resolve = _screened(field.resolve or default_field_resolver)


def is_personal(field: GraphQLField) -> bool:
    definition = (field.extensions or {}).get("strawberry-definition")
    return any(isinstance(d, Personal) for d in getattr(definition, "directives", ()))


def returns_records(field: GraphQLField) -> bool:
    named = get_named_type(field.type)
    if isinstance(named, GraphQLInterfaceType):
        return named.name == "Node"
    return isinstance(named, GraphQLObjectType) and any(i.name == "Node" for i in named.interfaces)


Resolve = Callable[..., Any]


def _masked(resolve: Resolve) -> Resolve:
    def masked(root: Any, info: Any, **args: Any) -> Any:
        if not info.context.viewer.sees_personal_data:
            return None
        return resolve(root, info, **args)

    return masked


def _screened(resolve: Resolve) -> Resolve:
    def screened(root: Any, info: Any, **args: Any) -> Any:
        result, viewer = resolve(root, info, **args), info.context.viewer
        if viewer.role is Role.ADMIN:
            return result
        if inspect.isawaitable(result):
            return _screen_later(viewer, result)
        return screen(viewer, result)

    return screened


async def _screen_later(viewer: Viewer, result: Any) -> Any:
    return screen(viewer, await result)


def screen(viewer: Viewer, value: Any) -> Any:
    """`value` if `viewer` may see it; a list keeps only what it may see."""
    if value is None:
        return None
    if isinstance(value, list):
        return [item for item in value if _visible(viewer, item)]
    if not _visible(viewer, value):
        raise Forbidden()
    return value


def _visible(viewer: Viewer, record: Any) -> bool:
    kind = type(record).__strawberry_definition__.name
    if kind == "TimelineEntry":
        return may_see_entry(viewer, record.subject_id, record.type)
    return may_see(viewer, kind, getattr(record, "local_id", ""))
