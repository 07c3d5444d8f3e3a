"""Domain errors that the UI turns into clear messages."""


class DomainError(Exception):
    """A user-facing failure; `str(err)` is safe to show."""


class ValidationFailed(DomainError):
    """Input that cannot be accepted; `field_errors` maps field -> message."""

    def __init__(self, message: str, field_errors: dict[str, str] | None = None):
        super().__init__(message)
        self.field_errors = field_errors or {}


class NotAuthenticated(DomainError):
    """No valid session."""


class PermissionDenied(DomainError):
    """The user may not do this (or the object does not exist for them)."""


class RateLimited(DomainError):
    """Too many attempts; try again later."""


class ServiceUnavailable(DomainError):
    """A backing service (the session store, the queue) cannot be reached right now."""
