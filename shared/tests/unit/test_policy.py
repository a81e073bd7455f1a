"""The access policy as a literal matrix: role × program × region (own, other county, other city, none)."""

from __future__ import annotations

import pytest

from shared.auth.policy import CHILD_PROTECTION, INTAKE_DESK, Action, Grant, Policy
from shared.auth.principal import Principal, Program, Role
from shared.kit.errors import Forbidden, NotFound

CP = frozenset({Program.child_protection})


def who(
    roles: set[Role], region: str = "500154", programs: frozenset[Program] = CP, sub: str = "u"
) -> Principal:
    return Principal(sub, "某人", frozenset(roles), region, programs)


# (principal, read, act, supervise, audit) on a child-protection case in 500154.
CASES = [
    ("caseworker of the county", who({Role.caseworker}), True, True, False, False),
    ("审核人 of the county", who({Role.supervisor}), True, True, True, False),
    ("admin of the county", who({Role.admin}), True, True, True, True),
    (
        "auditor of the county, no program",
        who({Role.auditor}, programs=frozenset()),
        True,
        False,
        False,
        True,
    ),
    ("caseworker of the city", who({Role.caseworker}, region="500100"), True, True, False, False),
    ("caseworker of the province", who({Role.caseworker}, region="500000"), True, True, False, False),
    ("caseworker of the whole country", who({Role.caseworker}, region="86"), True, True, False, False),
    ("caseworker of another county", who({Role.caseworker}, region="500155"), False, False, False, False),
    ("caseworker of another city", who({Role.caseworker}, region="510104"), False, False, False, False),
    ("caseworker of a township", who({Role.caseworker}, region="500154101"), False, False, False, False),
    (
        "caseworker without the program",
        who({Role.caseworker}, programs=frozenset()),
        False,
        False,
        False,
        False,
    ),
    (
        "caseworker of assistance",
        who({Role.caseworker}, programs=frozenset({Program.assistance})),
        False,
        False,
        False,
        False,
    ),
    ("program but no role", who(set()), False, False, False, False),
    ("intake agent with the program", who({Role.intake_agent}), False, False, False, False),
    ("a malformed scope", who({Role.admin}, region="50015"), False, False, False, False),
]


@pytest.mark.parametrize(
    ("label", "principal", "read", "act", "supervise", "audit"), CASES, ids=[c[0] for c in CASES]
)
def test_child_protection_matrix(
    label: str, principal: Principal, read: bool, act: bool, supervise: bool, audit: bool
) -> None:
    got = [CHILD_PROTECTION.allows(principal, a, "500154", sensitive=True) for a in Action]
    assert got == [read, act, supervise, audit], label


def test_a_township_record_is_inside_its_county() -> None:
    assert CHILD_PROTECTION.allows(who({Role.caseworker}), Action.act, "500154101")
    assert not CHILD_PROTECTION.allows(who({Role.caseworker}, region="500154102"), Action.read, "500154101")


def test_unreadable_looks_missing_and_read_only_is_forbidden() -> None:
    with pytest.raises(NotFound):
        CHILD_PROTECTION.check(
            who({Role.caseworker}, region="500155"), Action.act, "500154", missing="案件不存在"
        )
    with pytest.raises(Forbidden):
        CHILD_PROTECTION.check(
            who({Role.auditor}, programs=frozenset()), Action.act, "500154", missing="案件不存在"
        )
    CHILD_PROTECTION.check(who({Role.caseworker}), Action.act, "500154", missing="案件不存在")


def test_sensitive_records_of_the_intake_desk_follow_child_protection_readers() -> None:
    agent = who({Role.intake_agent}, programs=frozenset())
    assert INTAKE_DESK.allows(agent, Action.act, "500154")
    assert not INTAKE_DESK.allows(who({Role.caseworker}), Action.read, "500154")


def test_the_scope_of_lists_is_a_prefix_or_nothing() -> None:
    assert CHILD_PROTECTION.scope(who({Role.caseworker}, region="500100")) == "5001"
    assert CHILD_PROTECTION.scope(who({Role.caseworker}, region="86")) == ""
    assert CHILD_PROTECTION.scope(who(set())) is None
    assert CHILD_PROTECTION.scope(who({Role.auditor}, programs=frozenset()), Action.act) is None


def test_an_owner_only_grant_lets_supervisors_through() -> None:
    policy = Policy(
        "p",
        Program.assistance,
        {Action.act: (Grant(frozenset({Role.caseworker, Role.supervisor}), owner_only=True),)},
    )
    mine = who({Role.caseworker}, programs=frozenset({Program.assistance}), sub="a")
    boss = who({Role.supervisor}, programs=frozenset({Program.assistance}), sub="b")
    assert policy.allows(mine, Action.act, "500154", owner="a")
    assert not policy.allows(mine, Action.act, "500154", owner="z")
    assert policy.allows(boss, Action.act, "500154", owner="z")
