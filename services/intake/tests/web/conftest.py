"""Fixtures of the intake desk page tests: development login tokens for desk users."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from intake.settings import IntakeSettings
from shared.auth.tokens import issue_dev_token

Login = Callable[..., dict[str, str]]


@pytest.fixture
def login() -> Login:
    """`login(role, region, name=…)` → headers carrying a development bearer token for that user."""
    settings = IntakeSettings()

    def headers(role: str, region: str, *, name: str = "张受理", sub: str | None = None) -> dict[str, str]:
        token = issue_dev_token(
            settings, sub=sub or f"test:{role}:{region}", name=name, roles=[role], region=region
        )
        return {"Authorization": f"Bearer {token}"}

    return headers
