"""The JSON API of the register of children under watch."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["register of children"])
