"""The authenticated user of a request: roles, region scope and programs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.regions import in_scope


class Role(StrEnum):
    """What a user may do."""

    intake_agent = "intake_agent"
    caseworker = "caseworker"
    supervisor = "supervisor"
    auditor = "auditor"
    admin = "admin"


class Program(StrEnum):
    """Which service's cases a user works on."""

    child_protection = "child_protection"
    assistance = "assistance"
    vagrant_rescue = "vagrant_rescue"


@dataclass(frozen=True)
class Principal:
    """A verified user; `region` is a GB/T 2260 code or a national scope ("86"/"000000")."""

    sub: str
    name: str
    roles: frozenset[Role]
    region: str
    programs: frozenset[Program]

    def has_role(self, *roles: Role) -> bool:
        """Whether the user holds any of `roles`."""
        return not self.roles.isdisjoint(roles)

    def has_program(self, program: Program) -> bool:
        """Whether the user works on `program`."""
        return program in self.programs

    def can_see_region(self, code: str) -> bool:
        """Whether a record in region `code` lies inside the user's scope."""
        return in_scope(code, self.region)

    def can_see_minors(self) -> bool:
        """Whether the user may read minors' records."""
        return Program.child_protection in self.programs or self.has_role(Role.auditor, Role.admin)

    @property
    def is_auditor(self) -> bool:
        """Whether the user is an auditor."""
        return Role.auditor in self.roles
