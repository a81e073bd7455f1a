"""Commands: what an HTTP route, a page form, a consumer route or a test asks a service to do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Command:
    """Base of every command: an immutable request, imperative name (`AcceptCase`), handled once."""
