"""Who a child on the register is: the person key of a valid ID number (a provisional one without), and
the birth date and gender the number tells."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from child_protection.domain.errors import InvalidChildData
from shared.identity import key_of_id_number, provisional_personkey


@dataclass(frozen=True)
class Identity:
    """Who the child is for matching: the personkey, the checked ID number, and what it tells."""

    personkey: str
    id_number: str | None
    birth_date: date | None = None
    gender: str | None = None


def identify(id_number: str | None, secret: str) -> Identity:
    """A valid ID number gives the stable personkey; none gives a provisional key; a bad one is refused."""
    key, info = key_of_id_number((id_number or "").strip() or None, secret)
    if info is None:
        return Identity(provisional_personkey(), None)
    if key is None:
        raise InvalidChildData("身份证号校验未通过，请核对；没有身份证号的儿童可以先留空")
    return Identity(key, info.normalized, info.birth_date, info.sex)


def consistent(identity: Identity, birth_date: date | None, gender: str) -> tuple[date | None, str]:
    """Birth date and gender as entered, checked against (or filled from) the ID number."""
    if identity.birth_date is not None:
        if birth_date is not None and birth_date != identity.birth_date:
            raise InvalidChildData("出生日期与身份证号不一致，请核对")
        birth_date = identity.birth_date
    if identity.gender is not None:
        if gender not in ("unknown", identity.gender):
            raise InvalidChildData("性别与身份证号不一致，请核对")
        gender = identity.gender
    return birth_date, gender
