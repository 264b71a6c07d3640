"""What the exhibitors domain refuses, each with the code callers see."""

from pavilion_core.http import CommandRejected


class DomainError(CommandRejected):
    """A command that the rules refuse."""


class InvalidTransition(DomainError):
    code = "INVALID_TRANSITION"


class NotFound(DomainError):
    code = "NOT_FOUND"
    status = 404


class Duplicate(DomainError):
    code = "DUPLICATE"

    def __init__(self, message: str, existing_id: str) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class InvalidValue(DomainError):
    """Input that is well-formed but not acceptable in this state or edition."""

    code = "VALIDATION"
    status = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
