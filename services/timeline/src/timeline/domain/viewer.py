"""Who is looking at a timeline and how they narrow it: region scope, sensitive entries, traces, filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.auth.principal import Principal, Program, Role
from shared.regions import in_scope


@dataclass(frozen=True)
class Viewer:
    """Who is looking: region scope, whether sensitive (minor-related) entries and trace ids are shown."""

    sub: str
    region: str
    can_see_sensitive: bool
    can_see_traces: bool

    @classmethod
    def from_principal(cls, principal: Principal) -> Viewer:
        """Sensitive entries: child-protection staff, auditors and admins; trace ids: auditors and admins."""
        return cls(
            sub=principal.sub,
            region=principal.region,
            can_see_sensitive=principal.has_program(Program.child_protection)
            or principal.has_role(Role.auditor, Role.admin),
            can_see_traces=principal.has_role(Role.auditor, Role.admin),
        )

    def can_see_region(self, code: str | None) -> bool:
        """The same rule as Principal.can_see_region; an entry without a region is seen by nobody."""
        return code is not None and in_scope(code, self.region)


@dataclass(frozen=True)
class Filters:
    """Optional narrowing: producing services, event types, event time range [since, until)."""

    services: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
