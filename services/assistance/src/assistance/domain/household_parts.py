"""The parts of a household file: members, incomes, assets, essential expenditures and the change facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from assistance.domain.errors import InvalidHouseholdData

# 老年人 (SA-84) is not defined in the seeds; 《老年人权益保障法》 counts people aged 60 and over.
ELDERLY_AGE = 60
ADULT_AGE = 18
# SA-83: 重残 means a valid disability certificate of grade 1 or 2.
SEVERE_GRADES = frozenset({1, 2})


class Relation(StrEnum):
    """How a member is related to the applicant (共同生活的家庭成员)."""

    APPLICANT = "applicant"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    GRANDCHILD = "grandchild"
    OTHER = "other"


RELATION_LABELS: dict[Relation, str] = {
    Relation.APPLICANT: "申请人",
    Relation.SPOUSE: "配偶",
    Relation.CHILD: "子女",
    Relation.PARENT: "父母",
    Relation.SIBLING: "兄弟姐妹",
    Relation.GRANDPARENT: "祖父母、外祖父母",
    Relation.GRANDCHILD: "孙子女、外孙子女",
    Relation.OTHER: "其他共同生活成员",
}


class WorkAbility(StrEnum):
    """SA-11: 完全或部分丧失劳动能力."""

    ABLE = "able"
    PARTLY_LOST = "partly_lost"
    LOST = "lost"


WORK_ABILITY_LABELS: dict[WorkAbility, str] = {
    WorkAbility.ABLE: "有劳动能力",
    WorkAbility.PARTLY_LOST: "部分丧失劳动能力",
    WorkAbility.LOST: "完全丧失劳动能力",
}


class IncomeSource(StrEnum):
    WAGE = "wage"
    BUSINESS = "business"
    PROPERTY = "property"
    TRANSFER = "transfer"
    OTHER = "other"


INCOME_LABELS: dict[IncomeSource, str] = {
    IncomeSource.WAGE: "工资性收入",
    IncomeSource.BUSINESS: "经营性收入",
    IncomeSource.PROPERTY: "财产性收入",
    IncomeSource.TRANSFER: "转移性收入",
    IncomeSource.OTHER: "其他收入",
}


class AssetKind(StrEnum):
    """SA-16: what the 财产限定标准 looks at."""

    DEPOSIT = "deposit"
    HOUSING = "housing"
    VEHICLE = "vehicle"
    SECURITIES = "securities"
    BUSINESS = "business"
    OTHER = "other"


ASSET_LABELS: dict[AssetKind, str] = {
    AssetKind.DEPOSIT: "存款",
    AssetKind.HOUSING: "房产",
    AssetKind.VEHICLE: "机动车辆",
    AssetKind.SECURITIES: "有价证券",
    AssetKind.BUSINESS: "经营性资产",
    AssetKind.OTHER: "其他财产",
}


class ExpenditureKind(StrEnum):
    """SA-47: the essential expenditures and work costs deducted when the household income is counted."""

    DISABILITY = "disability"
    ILLNESS = "illness"
    EDUCATION = "education"
    WORK_COST = "work_cost"


EXPENDITURE_LABELS: dict[ExpenditureKind, str] = {
    ExpenditureKind.DISABILITY: "因残疾增加的刚性支出",
    ExpenditureKind.ILLNESS: "因患重病或慢性病增加的刚性支出",
    ExpenditureKind.EDUCATION: "非义务教育阶段教育支出",
    ExpenditureKind.WORK_COST: "必要的就业成本",
}


class ChangeKind(StrEnum):
    """What changed in a household; the application layer re-checks the programmes it touches."""

    COMPOSITION = "composition"
    MEMBER = "member"
    INCOME = "income"
    ASSET = "asset"
    EXPENDITURE = "expenditure"
    RESIDENCE = "residence"
    FLAGS = "flags"


CHANGE_LABELS: dict[ChangeKind, str] = {
    ChangeKind.COMPOSITION: "家庭人员构成变化",
    ChangeKind.MEMBER: "家庭成员情况变化",
    ChangeKind.INCOME: "家庭收入变化",
    ChangeKind.ASSET: "家庭财产变化",
    ChangeKind.EXPENDITURE: "刚性支出变化",
    ChangeKind.RESIDENCE: "户籍地或居住地变化",
    ChangeKind.FLAGS: "家庭类别变化",
}


def _require_money(amount: Decimal, what: str) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        raise InvalidHouseholdData(f"{what}须为不小于0的金额")


def _require_month(month: date) -> None:
    if month.day != 1:
        raise InvalidHouseholdData("月份须写作该月1日")


@dataclass(frozen=True)
class Member:
    """A person living in the household; `personkey` stands for the ID number, never held by the domain."""

    member_id: str
    relation: Relation
    personkey: str
    name: str
    birth_date: date
    disability_grade: int | None = None
    serious_illness: bool = False
    student: bool = False
    single_parent: bool = False
    work_ability: WorkAbility = WorkAbility.ABLE
    # SA-12 (单人户): a severely disabled or seriously ill member who lives on the family and cannot
    # register a household of their own may be assisted alone when the whole family does not qualify.
    relies_on_family: bool = False
    can_register_separately: bool = False

    def __post_init__(self) -> None:
        if not self.member_id.strip() or not self.personkey.strip():
            raise InvalidHouseholdData("家庭成员须有成员编号和身份标识")
        if not self.name.strip():
            raise InvalidHouseholdData("请填写家庭成员姓名")
        if self.disability_grade is not None and self.disability_grade not in (1, 2, 3, 4):
            raise InvalidHouseholdData("残疾等级须为一级至四级")

    def age_on(self, day: date) -> int:
        """Full years of age on `day` (周岁)."""
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)

    def is_elderly(self, day: date, threshold: int = ELDERLY_AGE) -> bool:
        return self.age_on(day) >= threshold

    def is_minor(self, day: date) -> bool:
        return self.age_on(day) < ADULT_AGE

    @property
    def severely_disabled(self) -> bool:
        return self.disability_grade in SEVERE_GRADES

    @property
    def disabled(self) -> bool:
        return self.disability_grade is not None


@dataclass(frozen=True)
class IncomeItem:
    """One month's income of one member from one source (`month` is the first day of the month)."""

    item_id: str
    member_id: str
    source: IncomeSource
    month: date
    amount: Decimal

    def __post_init__(self) -> None:
        _require_month(self.month)
        _require_money(self.amount, "收入")


@dataclass(frozen=True)
class Asset:
    """A holding counted against the 财产限定标准; `member_id` is None for what the household owns jointly."""

    asset_id: str
    kind: AssetKind
    value: Decimal
    member_id: str | None = None

    def __post_init__(self) -> None:
        _require_money(self.value, "财产价值")


@dataclass(frozen=True)
class Expenditure:
    """One month's essential expenditure deducted by the rules (SA-47)."""

    item_id: str
    kind: ExpenditureKind
    month: date
    amount: Decimal
    member_id: str | None = None

    def __post_init__(self) -> None:
        _require_month(self.month)
        _require_money(self.amount, "刚性支出")


@dataclass(frozen=True)
class HouseholdChanged:
    """A change of the household file: the fact the application layer turns into programme re-checks."""

    at: datetime
    actor: str
    kind: ChangeKind
    summary: str
    member_id: str | None = None
