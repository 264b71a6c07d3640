"""Typed refusals every command API shares; each carries the code and HTTP status
callers see (pavilion_core.http turns them into error answers), and the error of a
setting that cannot be used."""


class ConfigError(ValueError):
    """A setting is missing, or present but unusable (the message names it)."""


class CommandRejected(Exception):
    """A rule refused the command; subclasses set `code`, `status` and, when one input
    field is at fault, `field`."""

    code = "INVALID_TRANSITION"
    status = 409
    field: str | None = None


class InvalidTransition(CommandRejected):
    """Not allowed in the record's current state (the message names it)."""


class NotFound(CommandRejected):
    code = "NOT_FOUND"
    status = 404


class Forbidden(CommandRejected):
    """The caller is who they say, but may not do this."""

    code = "FORBIDDEN"
    status = 403


class Duplicate(CommandRejected):
    code = "DUPLICATE"

    def __init__(self, message: str, existing_id: str) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class InvalidValue(CommandRejected):
    """Well-formed input that is not acceptable in this state or configuration."""

    code = "VALIDATION"
    status = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class Forgotten(CommandRejected):
    """The person was forgotten (GDPR art. 17): nothing more is recorded about them."""

    code = "FORGOTTEN"
    status = 410
