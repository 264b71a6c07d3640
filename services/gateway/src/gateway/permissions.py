"""Who may read what, as permission classes and checks the resolvers share."""

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.permission import BasePermission

from gateway.auth import Role


class Forbidden(GraphQLError):
    def __init__(self, message: str = "you may not see or change this") -> None:
        super().__init__(message, extensions={"code": "FORBIDDEN"})


class NotExhibitor(BasePermission):
    """Outreach, notifications and the dashboards are the organizer's business: an
    EXHIBITOR token sees only its own applications."""

    message = "an exhibitor may see only its own applications"
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 (the base declares it so)

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return info.context.viewer.role is not Role.EXHIBITOR


def personal(info: strawberry.Info, value: str | None) -> str | None:
    """A contact's personal detail (email, phone, address), or None for VIEWER tokens."""
    return value if info.context.viewer.sees_personal_data else None
