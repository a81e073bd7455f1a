"""Dependencies of the child_protection API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from child_protection.domain.deadlines import StepRule
from child_protection.settings import ChildProtectionSettings
from shared.crypto import FieldCipher


def get_settings(request: Request) -> ChildProtectionSettings:
    settings: ChildProtectionSettings = request.app.state.settings
    return settings


def get_sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return sessions


def get_cipher(request: Request) -> FieldCipher:
    cipher: FieldCipher = request.app.state.cipher
    return cipher


def get_rules(request: Request) -> dict[str, dict[str, StepRule]]:
    rules: dict[str, dict[str, StepRule]] = request.app.state.deadline_rules
    return rules


SettingsDep = Annotated[ChildProtectionSettings, Depends(get_settings)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)]
CipherDep = Annotated[FieldCipher, Depends(get_cipher)]
RulesDep = Annotated[dict[str, dict[str, StepRule]], Depends(get_rules)]
