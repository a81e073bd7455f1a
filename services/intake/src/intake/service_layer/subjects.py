"""The people a work order names: person keys from ID numbers, and the flags they raise."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from intake.domain.model import Subject
from shared.identity import key_of_id_number, provisional_personkey

ADULT_AGE = 18


def make_subject(raw: dict[str, Any], secret: str, at: datetime) -> tuple[Subject, list[str]]:
    """A subject with its personkey and the flags it raises (invalid ID, minor)."""
    flags: list[str] = []
    id_number = raw.get("id_number") or None
    key, info = key_of_id_number(id_number, secret)
    valid = info.valid if info is not None else None
    age_from_id = _age(info.birth_date, at.date()) if key and info and info.birth_date else None
    if info is not None and key is None:
        flags.append("id_number_invalid")
    age = raw.get("age")
    is_minor = (
        bool(raw.get("is_minor"))
        or (age is not None and age < ADULT_AGE)
        or (age_from_id is not None and age_from_id < ADULT_AGE)
    )
    if is_minor:
        flags.append("minor_involved")
    subject = Subject(
        personkey=key or provisional_personkey(),
        name=raw.get("name"),
        id_number=id_number,
        id_number_valid=valid,
        gender=raw.get("gender") or "unknown",
        age=age if age is not None else age_from_id,
        is_minor=is_minor,
        description=raw.get("description"),
    )
    return subject, flags


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def unique(flags: list[str]) -> list[str]:
    return list(dict.fromkeys(flags))
