"""Pages of the register of children under watch (一人一档) and visits."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
