"""One access policy for every read, write, look-up, duplicate check, link, list and page.

A decision combines jurisdiction (the record's region inside the caller's scope), role, program,
sensitivity (minors' records) and relationship (the record's owner, where a grant asks for it). Each
service names its policy (`CHILD_PROTECTION`, `INTAKE_DESK`, …) and asks it the same way everywhere:
`policy.allows(...)` for one record, `policy.check(...)` to raise (out of scope or unreadable looks
missing: 404, readable but not this action: 403), and `policy.scope(...)` for the SQL condition a list,
search or duplicate look-up must carry, so a query cannot forget it. The matrix is in docs/security.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from shared.auth.principal import Principal, Program, Role
from shared.kit.errors import Forbidden, NotFound
from shared.regions import in_scope, is_region_code, is_scope, region_prefix


class Action(StrEnum):
    """What a caller wants to do with a record."""

    read = "read"
    act = "act"
    supervise = "supervise"
    audit = "audit"


@dataclass(frozen=True)
class Grant:
    """Roles that may do an action; `program` says whether they must also work on the policy's program;
    `owner_only` restricts it to the record's owner (supervisors of the same grant excepted)."""

    roles: frozenset[Role]
    program: bool = True
    owner_only: bool = False


@dataclass(frozen=True)
class Policy:
    """Who may do what to the records of one program (or of the intake desk, `program=None`)."""

    name: str
    program: Program | None
    grants: Mapping[Action, tuple[Grant, ...]]
    # Records flagged sensitive (a minor's) are readable only by child-protection staff and auditors.
    sensitive_readers: tuple[Grant, ...] = field(default_factory=tuple)

    def _granted(self, principal: Principal, grants: tuple[Grant, ...], owner: str | None) -> bool:
        for grant in grants:
            if not principal.has_role(*grant.roles):
                continue
            if grant.program and self.program is not None and not principal.has_program(self.program):
                continue
            others = grant.owner_only and owner is not None and owner != principal.sub
            if others and not principal.has_role(Role.supervisor, Role.admin):
                continue
            return True
        return False

    def uses(self, principal: Principal, action: Action = Action.read) -> bool:
        """Whether the caller could do `action` on some record of this policy (its pages, its lists)."""
        return is_scope(principal.region) and self._granted(principal, self.grants.get(action, ()), None)

    def allows(
        self,
        principal: Principal,
        action: Action,
        region_code: str | None,
        *,
        sensitive: bool = False,
        owner: str | None = None,
    ) -> bool:
        """Whether the caller may do `action` on one record in `region_code`; fails closed."""
        if (
            region_code is None
            or not is_region_code(region_code)
            or not in_scope(region_code, principal.region)
        ):
            return False
        readers = self.sensitive_readers or self.grants.get(Action.read, ())
        if sensitive and not self._granted(principal, readers, None):
            return False
        return self._granted(principal, self.grants.get(action, ()), owner)

    def check(
        self,
        principal: Principal,
        action: Action,
        region_code: str | None,
        *,
        missing: str,
        refused: str = "您没有执行此操作的权限",
        sensitive: bool = False,
        owner: str | None = None,
    ) -> None:
        """Raise NotFound (the record looks missing) unless it is readable, Forbidden unless `action` is."""
        if not self.allows(principal, Action.read, region_code, sensitive=sensitive):
            raise NotFound(missing)
        if action != Action.read and not self.allows(
            principal, action, region_code, sensitive=sensitive, owner=owner
        ):
            raise Forbidden(refused)

    def scope(self, principal: Principal, action: Action = Action.read) -> str | None:
        """The region prefix every record of a list or look-up must start with ("" everywhere), or None
        when the caller may see none at all (the query then returns nothing)."""
        if not self.uses(principal, action):
            return None
        return region_prefix(principal.region)


_WORKERS = frozenset({Role.caseworker, Role.supervisor, Role.admin})
_SUPERVISORS = frozenset({Role.supervisor, Role.admin})
_AUDITORS = frozenset({Role.auditor, Role.admin})


def program_policy(program: Program, *, sensitive: bool = False) -> Policy:
    """The platform's rule for a program's records: its caseworkers, 审核人 and admins read and act,
    审核人 and admins also supervise, auditors (any program) read and audit."""
    readers = (Grant(_WORKERS), Grant(frozenset({Role.auditor}), program=False))
    return Policy(
        name=program.value,
        program=program,
        grants={
            Action.read: readers,
            Action.act: (Grant(_WORKERS),),
            Action.supervise: (Grant(_SUPERVISORS),),
            Action.audit: (Grant(_AUDITORS, program=False),),
        },
        sensitive_readers=readers if sensitive else (),
    )


CHILD_PROTECTION = program_policy(Program.child_protection, sensitive=True)
ASSISTANCE = program_policy(Program.assistance)
VAGRANT_RESCUE = program_policy(Program.vagrant_rescue)
# The intake desk: 受理员, 审核人 and admins of the reported or the responsible region.
INTAKE_DESK = Policy(
    name="intake",
    program=None,
    grants={
        Action.read: (Grant(frozenset({Role.intake_agent, Role.supervisor, Role.admin})),),
        Action.act: (Grant(frozenset({Role.intake_agent, Role.supervisor, Role.admin})),),
        Action.supervise: (Grant(_SUPERVISORS),),
        Action.audit: (Grant(_AUDITORS),),
    },
)
POLICIES: dict[str, Policy] = {
    "intake": INTAKE_DESK,
    "child_protection": CHILD_PROTECTION,
    "assistance": ASSISTANCE,
    "vagrant_rescue": VAGRANT_RESCUE,
}
# Minors' records anywhere (a work order about a child, a child's timeline entry) follow this policy.
MINORS = CHILD_PROTECTION
