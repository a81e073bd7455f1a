"""Facts the benefit rules read and the results they give: plain frozen dataclasses, money in Decimal yuan."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from assistance.domain.money import ZERO
from assistance.domain.rule_errors import InvalidBenefitInput
from assistance.domain.standards import Name


class Area(StrEnum):
    """城市 or 农村: which 低保 standard applies (and which 分类施保 categories, SA-85)."""

    URBAN = "urban"
    RURAL = "rural"

    @property
    def label(self) -> str:
        return "城市" if self is Area.URBAN else "农村"

    @property
    def dibao_standard(self) -> Name:
        return Name.DIBAO_URBAN if self is Area.URBAN else Name.DIBAO_RURAL


def _check_money(value: Decimal, what: str) -> None:
    # Floats are refused at the boundary of the rules: money stays exact from input to result.
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise InvalidBenefitInput(f"{what}应为非负金额（Decimal）：{value!r}")


@dataclass(frozen=True)
class MemberFacts:
    """One member of the household as the verification found them; amounts are per month."""

    age: int
    monthly_income: Decimal = ZERO
    disability_grade: int | None = None  # 1–4 on the 《中华人民共和国残疾人证》; None without one
    serious_illness: bool = False
    student: bool = False
    rigid_expenditure: Decimal = ZERO  # SA-47: extra spending for disability, illness, non-compulsory school
    employment_cost: Decimal = ZERO  # SA-47: the necessary cost of working
    relies_on_family: bool = False  # SA-12: 靠家庭供养
    can_register_separately: bool = False  # SA-12: only those who cannot (无法单独立户) are enrolled alone
    label: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.age <= 150:
            raise InvalidBenefitInput(f"年龄应在 0 至 150 周岁之间：{self.age}")
        if self.disability_grade is not None and self.disability_grade not in (1, 2, 3, 4):
            raise InvalidBenefitInput(f"残疾等级应为一至四级：{self.disability_grade}")
        _check_money(self.monthly_income, "成员月收入")
        _check_money(self.rigid_expenditure, "刚性支出")
        _check_money(self.employment_cost, "就业成本")

    @property
    def severe(self) -> bool:
        """重残（一、二级残疾人证）或重病患者 (SA-83, SA-12)."""
        return self.disability_grade in (1, 2) or self.serious_illness

    @property
    def non_severe_disabled(self) -> bool:
        """非重度残疾人: a certificate of grade 3 or 4 (SA-86)."""
        return self.disability_grade in (3, 4)


@dataclass(frozen=True)
class HouseholdFacts:
    """A household applying for or receiving 低保, with the facts the income and asset tests read."""

    region: str
    area: Area
    members: tuple[MemberFacts, ...]
    other_monthly_income: Decimal = ZERO  # income not tied to one member (rent, transfers…)
    financial_assets: Decimal = ZERO  # the household's total deposits, securities and the like
    asset_conditions_failed: tuple[str, ...] = ()  # other asset conditions the verification found unmet
    single_parent: bool = False
    only_child: bool = False
    all_daughters: bool = False  # 符合计划生育政策的纯女户
    landless: bool = False  # 失地农村家庭

    def __post_init__(self) -> None:
        if not self.members:
            raise InvalidBenefitInput("家庭至少应有一名共同生活的成员")
        _check_money(self.other_monthly_income, "家庭其他月收入")
        _check_money(self.financial_assets, "家庭金融资产")


@dataclass(frozen=True)
class TopUp:
    """One 分类施保 amount for one member (SA-83..86)."""

    member: str
    kind: str
    amount: Decimal


@dataclass(frozen=True)
class DibaoResult:
    """低保 for a month: the 差额 part, the top-ups, and the lines that explain them (or the refusals)."""

    eligible: bool
    amount: Decimal
    gap_amount: Decimal
    top_ups: tuple[TopUp, ...]
    single_person: bool
    lines: tuple[str, ...]
    refusals: tuple[str, ...] = ()

    @property
    def top_up_total(self) -> Decimal:
        return sum((t.amount for t in self.top_ups), ZERO)


class SelfCare(StrEnum):
    """生活自理能力 of a 特困 person, which sets the care tier (SA-81)."""

    FULL_CARE = "full_care"  # 全护理
    SEMI = "semi"  # 半自理
    SELF = "self"  # 全自理


@dataclass(frozen=True)
class TekunFacts:
    """A person applying for or receiving 特困人员救助供养."""

    region: str
    area: Area
    age: int
    self_care: SelfCare
    centralised: bool = False  # 在政府设立供养服务机构集中供养
    disabled: bool = False  # a disability that qualifies for 特困 support
    label: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.age <= 150:
            raise InvalidBenefitInput(f"年龄应在 0 至 150 周岁之间：{self.age}")


@dataclass(frozen=True)
class TekunResult:
    """特困 support for a month: basic living plus the care allowance."""

    eligible: bool
    basic_living: Decimal
    care: Decimal
    amount: Decimal
    lines: tuple[str, ...]
    refusals: tuple[str, ...] = ()


class TemporaryCategory(StrEnum):
    """SA-17: 急难型 or 支出型 temporary assistance."""

    URGENT = "urgent"
    EXPENDITURE = "expenditure"

    @property
    def label(self) -> str:
        return "急难型" if self is TemporaryCategory.URGENT else "支出型"


class Recipient(StrEnum):
    """SA-67: a household is supported 1–6 months; an individual until family support arrives."""

    HOUSEHOLD = "household"
    INDIVIDUAL = "individual"


@dataclass(frozen=True)
class TemporaryFacts:
    """A request for 临时救助: the category and tier judged from the hardship, who, how many, how long."""

    region: str
    area: Area
    category: TemporaryCategory
    tier: int
    recipient: Recipient
    members: int
    months: int
    advance_requested: bool = False  # 先行救助 from the township's reserve fund

    def __post_init__(self) -> None:
        if self.tier not in (1, 2, 3):
            raise InvalidBenefitInput(f"临时救助档次应为一至三档：{self.tier}")
        if self.members < 1:
            raise InvalidBenefitInput(f"救助人数至少为 1：{self.members}")
        if self.recipient is Recipient.INDIVIDUAL and self.members != 1:
            raise InvalidBenefitInput("个人对象的救助人数应为 1")
        if self.months < 1:
            raise InvalidBenefitInput(f"保障月数至少为 1：{self.months}")


@dataclass(frozen=True)
class TemporaryResult:
    """临时救助 granted, with the cap, the approval route and the advance from the reserve fund."""

    amount: Decimal
    computed: Decimal
    capped: bool
    requires_case_deliberation: bool  # 一事一议 (SA-64): above the township's direct-approval limit
    advance_from_reserve: bool  # 先行救助 (SA-62, SA-65)
    advance_amount: Decimal
    follow_up_amount: Decimal  # 跟进救助 after the full approval
    lines: tuple[str, ...] = field(default=())


class Outcome(StrEnum):
    """What a change of income means for a 低保 case (SA-100, SA-101)."""

    CONTINUE = "continue"  # 继续保障
    PHASE_OUT = "phase_out"  # 渐退期
    GRACE = "grace"  # 就业创业缓退期
    END = "end"  # 停止保障

    @property
    def label(self) -> str:
        return {"continue": "继续保障", "phase_out": "渐退期", "grace": "缓退期", "end": "停止保障"}[
            self.value
        ]


@dataclass(frozen=True)
class PhaseOutDecision:
    """The outcome, and for a phase-out or grace period its length and last day (inclusive)."""

    outcome: Outcome
    months: int
    ends_on: date | None
    lines: tuple[str, ...]
