"""How the consumer classifies a handler's failure."""

from __future__ import annotations

import asyncpg
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from shared.contracts.envelope import EnvelopeError


class PermanentError(Exception):
    """An error that retrying cannot fix: the event goes to the dead-letter topic at once."""


def is_permanent(exc: BaseException) -> bool:
    """Malformed events never succeed on retry."""
    return isinstance(exc, PermanentError | EnvelopeError | ValidationError)


def is_transient(exc: BaseException) -> bool:
    """Infrastructure trouble (database down, connection lost): wait and retry, never dead-letter."""
    if isinstance(
        exc,
        OSError
        | ConnectionError
        | TimeoutError
        | asyncpg.InterfaceError
        | asyncpg.CannotConnectNowError
        | asyncpg.ConnectionDoesNotExistError,
    ):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError | InterfaceError)
