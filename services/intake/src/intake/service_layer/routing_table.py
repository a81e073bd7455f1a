"""The versioned routing table: seeded from data/routing.v1.json, edited by admins, every change kept."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import routing_table_version
from intake.domain.errors import IntakeError
from intake.domain.routing import TARGETS, RoutingRule, RoutingTable


def seed_rules() -> dict[str, Any]:
    """The routing table shipped with the service."""
    text = resources.files("intake").joinpath("data/routing.v1.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _table(version: int, rules: list[dict[str, Any]]) -> RoutingTable:
    return RoutingTable(version, {r["code"]: RoutingRule(r["code"], r["name"], r["target"]) for r in rules})


async def current_table(session: AsyncSession) -> RoutingTable:
    """The newest version, seeding version 1 from the data file on first use."""
    row = (
        (
            await session.execute(
                select(routing_table_version).order_by(routing_table_version.c.version.desc()).limit(1)
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        seed = seed_rules()
        # Concurrent first requests may both seed; only one row can win.
        await session.execute(
            pg_insert(routing_table_version)
            .values(
                version=seed["version"], rules=seed["rules"], changed_by="system", comment=seed.get("comment")
            )
            .on_conflict_do_nothing()
        )
        return _table(seed["version"], seed["rules"])
    return _table(row["version"], row["rules"])


async def history(session: AsyncSession) -> list[dict[str, Any]]:
    """Every version, newest first (who changed what, when)."""
    rows = await session.execute(
        select(routing_table_version).order_by(routing_table_version.c.version.desc())
    )
    return [dict(r) for r in rows.mappings()]


def validate_rules(rules: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Clean rules or raise IntakeError in Chinese: unique codes, known targets, names present."""
    cleaned: list[dict[str, str]] = []
    seen: set[str] = set()
    for rule in rules:
        code = str(rule.get("code", "")).strip()
        name = str(rule.get("name", "")).strip()
        target = str(rule.get("target", "")).strip()
        if not code and not name:
            continue
        if not code or len(code) > 32:
            raise IntakeError("分类编码不能为空且不超过 32 个字符")
        if code in seen:
            raise IntakeError(f"分类编码 {code} 重复")
        if target not in TARGETS:
            raise IntakeError(f"分类 {code} 的去向“{target}”无效")
        if not name or len(name) > 100:
            raise IntakeError(f"分类 {code} 的名称不能为空且不超过 100 个字符")
        seen.add(code)
        cleaned.append({"code": code, "name": name, "target": target})
    if not cleaned:
        raise IntakeError("分拨表至少需要一条规则")
    return cleaned


async def save_new_version(
    session: AsyncSession, rules: list[dict[str, Any]], *, changed_by: str, comment: str | None
) -> int:
    """Store the rules as the next version; the previous ones stay as the audit trail."""
    current = await current_table(session)
    version = current.version + 1
    await session.execute(
        insert(routing_table_version).values(
            version=version, rules=validate_rules(rules), changed_by=changed_by, comment=comment
        )
    )
    return version
