"""Who is looking at a timeline and how they narrow it: region scope, sensitive entries, traces, filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.auth.policy import MINORS, POLICIES, Action
from shared.auth.principal import Principal, Role
from shared.regions import in_scope


@dataclass(frozen=True)
class Viewer:
    """Who is looking: region scope, whether sensitive (minor-related) entries and trace ids are shown."""

    sub: str
    region: str
    can_see_sensitive: bool
    can_see_traces: bool
    # The services whose entries the viewer may read: those whose own policy lets them read (the same
    # rule each service applies), and intake's work-order entries for anyone who reads any of them.
    sources: frozenset[str] = frozenset()

    @classmethod
    def from_principal(cls, principal: Principal) -> Viewer:
        """What each producing service would let this caller read; sensitive (minor-related) entries only
        for those child protection lets read a minor's case; trace ids for auditors and admins."""
        readable = {name for name, policy in POLICIES.items() if policy.uses(principal, Action.read)}
        if readable:
            readable.add("intake")
        return cls(
            sub=principal.sub,
            region=principal.region,
            can_see_sensitive=MINORS.uses(principal, Action.read),
            can_see_traces=principal.has_role(Role.auditor, Role.admin),
            sources=frozenset(readable),
        )

    @property
    def reads_anything(self) -> bool:
        """Whether any service's entries are readable at all (otherwise the timeline refuses with 403)."""
        return bool(self.sources)

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
