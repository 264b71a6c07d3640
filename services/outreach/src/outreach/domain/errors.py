"""What the outreach domain refuses, each with the code callers see."""

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
    code = "VALIDATION"
    status = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class Merged(DomainError):
    """The record was merged into another: commands go to the survivor."""

    code = "MERGED"
    status = 409

    def __init__(self, kind: str, merged_id: str, survivor_id: str) -> None:
        super().__init__(f"{kind} {merged_id} was merged into {survivor_id}; use {survivor_id}")
        self.survivor_id = survivor_id
