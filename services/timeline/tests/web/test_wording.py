"""What a caseworker reads on the timeline pages: Chinese names, never codes.

No raw event type, person key or the word personkey; a 12345 urge is 催办 (nothing says 督办); regions by
name; actors by name without their login; an unrendered type as a plain sentence naming its service; a
case found by its reference (CP-500154-2026-000005) as by its id, and shown by it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from infra import Database
from shared.contracts import child_protection as cpc
from shared.contracts import intake as ic
from shared.contracts.envelope import CloudEvent
from shared.messaging.outbox import make_event

pytestmark = pytest.mark.integration
CHILD_KEY = "pp_0123456789abcdef0123456789abcdef"
CODE = re.compile(r"[a-z]+[._][a-z]+")


class _Text(HTMLParser):
    """The text a reader sees: every text node outside <style> and <script>, the <title> included."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def title_of(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match is not None
    return match[1].strip()


def more_events(s: Any) -> list[CloudEvent]:
    """A 12345 urge, a case event by an older producer (`login（name）`), an overdue step and a type the
    timeline has no renderer for, all on the story's work order."""
    at = s.start + timedelta(minutes=10)

    def event(contract: Any, service: str) -> CloudEvent:
        made = make_event(
            contract,
            source=f"/services/{service}",
            subject=str(s.work_order_id),
            correlationid=str(s.work_order_id),
            personkey=s.child_key,
            regioncode=s.region,
        )
        return replace(made, time=at)

    case = {"case_id": s.case_id, "case_ref": s.case_no, "region_code": s.region, "occurred_at": at}
    unknown = CloudEvent(
        type="assistance.case.opened",
        source="/services/assistance",
        data={"case_id": str(uuid.uuid4()), "region_code": s.region},
        time=at,
        correlationid=str(s.work_order_id),
        regioncode=s.region,
    )
    return [
        event(
            ic.WorkOrderUrged(
                work_order_id=s.work_order_id,
                order_no=s.order_no,
                status="routed",
                occurred_at=at,
                urge_count=1,
            ),
            "intake",
        ),
        event(
            cpc.CaseRiskChanged(**case, previous="yellow", current="red", actor="dev:张三（张三）"),
            "child_protection",
        ),
        event(cpc.CaseDeadlineBreached(**case, step="assessment", due_at=at), "child_protection"),
        unknown,
    ]


@pytest.fixture
async def child(tl_db: Database, story: Any, project: Any) -> Any:
    s = story(child_key=CHILD_KEY).full()
    await project(tl_db, [*s.events, *more_events(s)])
    return s


async def test_the_work_order_page_names_everything_in_chinese(
    tl_http: httpx.AsyncClient, child: Any, login: Any
) -> None:
    # Both programs: the story holds a social-assistance entry too.
    both = login("caseworker", programs=["child_protection", "assistance"])
    page = await tl_http.get(f"/timeline/work-orders/{child.order_no}", headers=both)
    assert page.status_code == 200
    text = visible_text(page.text)
    assert text.count("\n") > 20
    assert CODE.search(text) is None, CODE.findall(text)
    assert "personkey" not in text and "pk_" not in text and "pp_" not in text
    assert f"12345催办工单 {child.order_no}（第 1 次）" in text and "督办" not in text
    assert "“评估”环节超期未办" in text
    assert "社会救助：有一条新的办理记录" in text
    # The filter names the types too.
    assert "一门受理 · 催办" in text and "未成年人保护 · 儿童档案 · 风险等级变更" in text
    # Regions by name: the routed county, every entry's region, the user's scope.
    assert "承办区县：重庆市开州区" in text and "地区：重庆市开州区" in text
    assert "地区：500154" not in text and "李社工 · 重庆市开州区" in text
    # Actors by name only, whatever form the event gave.
    assert "经办：张三" in text and "经办：李社工" in text
    assert "dev:" not in text and "test:caseworker" not in text and "（张三）" not in text
    assert f"未成年人保护案件 {child.case_no}" in text and str(child.case_id) not in text
    assert f"已签收，对应未成年人保护案件 {child.case_no}" in text


async def test_the_person_page_shows_no_key(tl_http: httpx.AsyncClient, child: Any, login: Any) -> None:
    page = await tl_http.get(f"/timeline/persons/{CHILD_KEY}", headers=login("caseworker"))
    assert page.status_code == 200 and title_of(page.text) == "人员时间线 · 民政时间线"
    text = visible_text(page.text)
    assert "人员时间线" in text and "人员记录 ABCDEF（临时登记，身份未核实）" in text
    assert CHILD_KEY not in text and "pp_" not in text and "pk_" not in text and "personkey" not in text
    assert CODE.search(text) is None, CODE.findall(text)
    search = visible_text((await tl_http.get("/timeline", headers=login("caseworker"))).text)
    assert "人员编号" in search and "personkey" not in search


async def test_a_case_is_searched_by_its_reference_and_shown_by_it(
    tl_http: httpx.AsyncClient, child: Any, login: Any
) -> None:
    headers = login("caseworker")
    # Typed with a Chinese input method: full-width letters, digits and dashes.
    typed = child.case_no.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    search = await tl_http.get(
        "/timeline/cases", params={"service": "child_protection", "case_id": typed}, headers=headers
    )
    assert search.status_code == 303
    assert search.headers["location"] == f"/timeline/cases/child_protection/{child.case_no}"
    by_reference = await tl_http.get(search.headers["location"], headers=headers)
    by_id = await tl_http.get(f"/timeline/cases/child_protection/{child.case_id}", headers=headers)
    for page in (by_reference, by_id):
        assert page.status_code == 200 and page.text.count('class="entry ') == 8
        text = visible_text(page.text)
        assert (
            f"未成年人保护案件 {child.case_no}" in text.split("\n")[text.split("\n").index("案件时间线") + 1]
        )
        assert str(child.case_id) not in text
    order = await tl_http.get(
        "/timeline/cases", params={"service": "intake", "case_id": child.order_no}, headers=headers
    )
    work_order = await tl_http.get(order.headers["location"], headers=headers)
    assert work_order.text.count('class="entry svc-intake"') == 5
    nowhere = await tl_http.get(
        f"/timeline/cases/child_protection/{child.case_no}", headers=login("caseworker", "510104")
    )
    assert 'class="entry ' not in nowhere.text and "没有可显示的记录" in nowhere.text
