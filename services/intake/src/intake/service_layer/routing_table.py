"""The versioned routing table: seeded from data/routing.v1.json, edited by admins, every change kept."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from intake.domain.errors import IntakeError
from intake.domain.routing import TARGETS


@cache
def seed_rules() -> dict[str, Any]:
    """The routing table shipped with the service."""
    text = resources.files("intake").joinpath("data/routing.v1.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


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
