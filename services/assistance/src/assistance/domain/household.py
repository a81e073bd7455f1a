"""The household file (家庭档案): who lives together, what they earn, own and must spend; every change is
recorded as a `HouseholdChanged` fact, so that the household's programmes are checked again (SA-102/113)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from assistance.domain.errors import InvalidHouseholdData
from assistance.domain.household_parts import (
    CHANGE_LABELS,
    INCOME_LABELS,
    Asset,
    ChangeKind,
    Expenditure,
    HouseholdChanged,
    IncomeItem,
    Member,
    Relation,
)
from shared.regions import is_region_code

__all__ = ["Household"]


def _require_county(code: str, what: str) -> None:
    if len(code) != 6 or not is_region_code(code):
        raise InvalidHouseholdData(f"{what}须为6位县级行政区划代码")


@dataclass
class Household:
    """One household applying for or receiving assistance; the members' ID numbers stay outside the domain."""

    id: uuid.UUID
    region_code: str
    township_code: str
    hukou_code: str
    residence_code: str
    residence_permit: bool = False
    rural: bool = False
    only_child: bool = False
    all_daughters: bool = False
    landless: bool = False
    members: list[Member] = field(default_factory=list)
    incomes: list[IncomeItem] = field(default_factory=list)
    assets: list[Asset] = field(default_factory=list)
    expenditures: list[Expenditure] = field(default_factory=list)
    # Facts recorded since the household was loaded; the application layer reads and clears them.
    changes: list[HouseholdChanged] = field(default_factory=list)
    # The kit's unit of work reads `events` on every tracked aggregate; a household announces nothing
    # itself (its changes reach Kafka as the applications' events).
    events: list[object] = field(default_factory=list)
    version: int = 0

    def __post_init__(self) -> None:
        _require_county(self.region_code, "所在县（市、区）")
        _require_county(self.hukou_code, "户籍地")
        _require_county(self.residence_code, "居住地")
        if len(self.township_code) != 9 or not self.township_code.startswith(self.region_code):
            raise InvalidHouseholdData("乡镇（街道）代码须为所在县（市、区）下的9位代码")
        if not is_region_code(self.township_code):
            raise InvalidHouseholdData("乡镇（街道）代码须为9位数字")

    # ---- reading -------------------------------------------------------------------------------------
    @property
    def applicant(self) -> Member | None:
        return next((m for m in self.members if m.relation == Relation.APPLICANT), None)

    @property
    def personkeys(self) -> tuple[str, ...]:
        return tuple(m.personkey for m in self.members)

    @property
    def size(self) -> int:
        return len(self.members)

    def member(self, member_id: str) -> Member:
        found = next((m for m in self.members if m.member_id == member_id), None)
        if found is None:
            raise InvalidHouseholdData("该家庭没有这名成员")
        return found

    def income_in(self, month: date) -> Decimal:
        """The household's total income of a month, all members and sources."""
        return sum((i.amount for i in self.incomes if i.month == month), Decimal(0))

    def expenditure_in(self, month: date) -> Decimal:
        return sum((e.amount for e in self.expenditures if e.month == month), Decimal(0))

    def asset_total(self) -> Decimal:
        return sum((a.value for a in self.assets), Decimal(0))

    # ---- composition ---------------------------------------------------------------------------------
    def add_member(self, member: Member, at: datetime, actor: str) -> HouseholdChanged:
        """A person joins the household (birth, marriage, moving in)."""
        if any(m.member_id == member.member_id or m.personkey == member.personkey for m in self.members):
            raise InvalidHouseholdData("该成员已在本家庭中")
        if member.relation == Relation.APPLICANT and self.applicant is not None:
            raise InvalidHouseholdData("一个家庭只能有一名申请人")
        self.members.append(member)
        return self._changed(at, actor, ChangeKind.COMPOSITION, "新增家庭成员", member.member_id)

    def remove_member(self, member_id: str, reason: str, at: datetime, actor: str) -> HouseholdChanged:
        """A person leaves (death, marriage out, moving away); their incomes and holdings leave with them."""
        member = self.member(member_id)
        if member.relation == Relation.APPLICANT:
            raise InvalidHouseholdData("申请人不能移出家庭，请先变更申请人")
        if not reason.strip():
            raise InvalidHouseholdData("请填写成员减少的原因")
        self.members.remove(member)
        self.incomes = [i for i in self.incomes if i.member_id != member_id]
        self.assets = [a for a in self.assets if a.member_id != member_id]
        self.expenditures = [e for e in self.expenditures if e.member_id != member_id]
        return self._changed(at, actor, ChangeKind.COMPOSITION, f"减少家庭成员：{reason.strip()}", member_id)

    def update_member(self, member: Member, at: datetime, actor: str) -> HouseholdChanged:
        """New facts about a member (a disability certificate, an illness, school, ability to work)."""
        current = self.member(member.member_id)
        if member.personkey != current.personkey:
            raise InvalidHouseholdData("成员身份不能修改，请减少该成员后重新添加")
        # At most one applicant, and only `change_applicant` moves the role.
        if (member.relation == Relation.APPLICANT) != (current.relation == Relation.APPLICANT):
            raise InvalidHouseholdData("变更申请人请使用“变更申请人”")
        self.members[self.members.index(current)] = member
        return self._changed(at, actor, ChangeKind.MEMBER, "家庭成员情况变更", member.member_id)

    def change_applicant(
        self, member_id: str, relation: Relation, at: datetime, actor: str
    ) -> HouseholdChanged:
        """Another member becomes the applicant; the former applicant takes `relation` to the new one."""
        new = self.member(member_id)
        old = self.applicant
        if relation == Relation.APPLICANT:
            raise InvalidHouseholdData("请填写原申请人与新申请人的关系")
        if old is not None and old.member_id != member_id:
            self.members[self.members.index(old)] = replace(old, relation=relation)
        self.members[self.members.index(new)] = replace(new, relation=Relation.APPLICANT)
        return self._changed(at, actor, ChangeKind.COMPOSITION, "变更申请人", member_id)

    # ---- incomes, assets, expenditures ---------------------------------------------------------------
    def record_income(self, item: IncomeItem, at: datetime, actor: str) -> HouseholdChanged:
        self.member(item.member_id)
        if any(i.item_id == item.item_id for i in self.incomes):
            raise InvalidHouseholdData("该收入记录已存在")
        self.incomes.append(item)
        summary = f"登记{INCOME_LABELS[item.source]}（{item.month:%Y年%m月}）"
        return self._changed(at, actor, ChangeKind.INCOME, summary, item.member_id)

    def remove_income(self, item_id: str, at: datetime, actor: str) -> HouseholdChanged:
        item = next((i for i in self.incomes if i.item_id == item_id), None)
        if item is None:
            raise InvalidHouseholdData("没有这条收入记录")
        self.incomes.remove(item)
        return self._changed(at, actor, ChangeKind.INCOME, "删除收入记录", item.member_id)

    def record_asset(self, asset: Asset, at: datetime, actor: str) -> HouseholdChanged:
        if asset.member_id is not None:
            self.member(asset.member_id)
        if any(a.asset_id == asset.asset_id for a in self.assets):
            raise InvalidHouseholdData("该财产记录已存在")
        self.assets.append(asset)
        return self._changed(at, actor, ChangeKind.ASSET, "登记家庭财产", asset.member_id)

    def remove_asset(self, asset_id: str, at: datetime, actor: str) -> HouseholdChanged:
        asset = next((a for a in self.assets if a.asset_id == asset_id), None)
        if asset is None:
            raise InvalidHouseholdData("没有这条财产记录")
        self.assets.remove(asset)
        return self._changed(at, actor, ChangeKind.ASSET, "删除财产记录", asset.member_id)

    def record_expenditure(self, item: Expenditure, at: datetime, actor: str) -> HouseholdChanged:
        if item.member_id is not None:
            self.member(item.member_id)
        if any(e.item_id == item.item_id for e in self.expenditures):
            raise InvalidHouseholdData("该支出记录已存在")
        self.expenditures.append(item)
        return self._changed(at, actor, ChangeKind.EXPENDITURE, "登记刚性支出", item.member_id)

    def remove_expenditure(self, item_id: str, at: datetime, actor: str) -> HouseholdChanged:
        item = next((e for e in self.expenditures if e.item_id == item_id), None)
        if item is None:
            raise InvalidHouseholdData("没有这条支出记录")
        self.expenditures.remove(item)
        return self._changed(at, actor, ChangeKind.EXPENDITURE, "删除刚性支出记录", item.member_id)

    # ---- residence and household category ------------------------------------------------------------
    def move(
        self, hukou_code: str, residence_code: str, residence_permit: bool, at: datetime, actor: str
    ) -> HouseholdChanged:
        """户籍地 or 居住地 changed, or a residence permit was issued or lapsed (SA-23)."""
        _require_county(hukou_code, "户籍地")
        _require_county(residence_code, "居住地")
        self.hukou_code, self.residence_code = hukou_code, residence_code
        self.residence_permit = residence_permit
        return self._changed(at, actor, ChangeKind.RESIDENCE, CHANGE_LABELS[ChangeKind.RESIDENCE])

    def set_category(
        self,
        *,
        rural: bool,
        only_child: bool,
        all_daughters: bool,
        landless: bool,
        at: datetime,
        actor: str,
    ) -> HouseholdChanged:
        """城市/农村 and the rural categories that earn a 15% supplement (SA-85)."""
        if not rural and (only_child or all_daughters or landless):
            raise InvalidHouseholdData("独生子女家庭、纯女户、失地农村家庭仅适用于农村家庭")
        self.rural, self.only_child, self.all_daughters = rural, only_child, all_daughters
        self.landless = landless
        return self._changed(at, actor, ChangeKind.FLAGS, CHANGE_LABELS[ChangeKind.FLAGS])

    def _changed(
        self, at: datetime, actor: str, kind: ChangeKind, summary: str, member_id: str | None = None
    ) -> HouseholdChanged:
        fact = HouseholdChanged(at, actor, kind, summary, member_id)
        self.changes.append(fact)
        return fact
