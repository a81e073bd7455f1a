"""Pieces of the read side that need no database: viewers, cursors, links to the services' UIs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.auth.principal import Principal, Program, Role
from timeline.domain.errors import BadCursor
from timeline.domain.viewer import Viewer
from timeline.service_layer.person_views import lookup_personkey
from timeline.service_layer.views import decode_cursor, encode_cursor, entry_link

UI = {"intake": "http://127.0.0.1:8001", "child_protection": "http://127.0.0.1:8003/"}


def principal(role: Role, region: str = "500154", programs: frozenset[Program] = frozenset()) -> Principal:
    return Principal("u", "用户", frozenset({role}), region, programs)


def test_viewer_rights() -> None:
    cp = Viewer.from_principal(principal(Role.caseworker, programs=frozenset({Program.child_protection})))
    assert cp.can_see_sensitive and not cp.can_see_traces
    agent = Viewer.from_principal(principal(Role.intake_agent))
    assert not agent.can_see_sensitive and not agent.can_see_traces
    auditor = Viewer.from_principal(principal(Role.auditor))
    assert auditor.can_see_sensitive and auditor.can_see_traces
    assert cp.can_see_region("500154001") and not cp.can_see_region("510104") and not cp.can_see_region(None)
    city = Viewer.from_principal(principal(Role.caseworker, region="500100"))
    assert city.can_see_region("500154") and not city.can_see_region("510104")


def test_links_to_each_services_ui() -> None:
    assert (
        entry_link("intake.work_order.routed", "intake/w-1", UI)
        == "http://127.0.0.1:8001/desk/work-orders/w-1"
    )
    assert entry_link("child_protection.case.closed", "child_protection/c-1", UI) == (
        "http://127.0.0.1:8003/cases/c-1"
    )
    assert entry_link("child_protection.child.updated", "child_protection/k-1", UI) == (
        "http://127.0.0.1:8003/children/k-1"
    )
    assert entry_link("assistance.case.opened", "assistance/a-1", UI) is None


def test_cursor_round_trip_and_rejects_garbage() -> None:
    at = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert decode_cursor(encode_cursor("e-1", at)) == ("e-1", at)
    for bad in ("###", "bm90IGpzb24", "e30"):
        with pytest.raises(BadCursor) as refused:
            decode_cursor(bad)
        assert refused.value.status == 400 and refused.value.message == "无效的分页游标"


def test_lookup_needs_a_valid_number() -> None:
    from stdnum.cn import ric

    base = "11010120100101123"
    number = base + ric.calc_check_digit(base + "0")
    key = lookup_personkey(number, "secret")
    assert (
        key is not None and key.startswith("pk_") and lookup_personkey(f" {number.lower()} ", "secret") == key
    )
    wrong = base + ("0" if number[-1] != "0" else "1")
    assert lookup_personkey(wrong, "secret") is None
