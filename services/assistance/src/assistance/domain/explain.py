"""Explanation lines in Simplified Chinese, in the seeds' own terms, each rule citing its seed line."""

from __future__ import annotations

from assistance.domain.money import percent, plain, yuan
from assistance.domain.standards import StandardValue, Unit

SEEDS = {
    "000": ("000_214ec3ba2cad3ade.txt", "重庆市开州区民政事业发展“十四五”规划"),
    "001": ("001_b1dd25efef1e4a60.txt", "潼南区民政事业发展和养老服务体系建设“十四五”规划"),
    "002": ("002_40302db4414c6858.txt", "九原区“十四五”民政事业发展规划"),
    "003": ("003_c7886d1e84283090.txt", "六盘水市“十四五”民政事业发展规划"),
    "004": ("004_096043ba0ab7ff7b.txt", "四川省“十四五”民政事业发展规划"),
}


def seed(tag: str, line: int) -> str:
    """A citation of one seed line: the document's title, its file and the line number."""
    file_name, title = SEEDS[tag]
    return f"《{title}》（{file_name} 第 {line} 行）"


# Rules that are not numbers (so not in the standards data) cite their seed here.
GAP_RULE = "种子文件未载差额公式；按国家规定以家庭成员人均收入低于当地低保标准的差额按月发放"
DEDUCTION_RULE = (
    f"刚性支出、必要的就业成本在核算家庭收入时适当扣减——来源：{seed('003', 461)}、{seed('004', 169)}"
)
SINGLE_PERSON_RULE = (
    "低收入家庭中靠家庭供养且无法单独立户的重度残疾人和重病患者，参照单人户纳入低保"
    f"——来源：{seed('003', 461)}、{seed('004', 169)}"
)
ASSET_RULE = f"低保家庭财产限定标准或条件——来源：{seed('002', 167)}"
TOP_UP_RULE = f"调整优化低保分类施保政策——来源：{seed('003', 461)}"
STACKING_RULE = "同一成员符合多项特殊困难补助金条件的，按最高比例发放一项，不叠加（种子文件未规定是否叠加）"
TEKUN_RULE = f"特困人员基本生活标准不低于当地低保标准的1.3倍——来源：{seed('004', 177)}、{seed('003', 463)}"
TEKUN_MINOR_RULE = (
    f"特困供养覆盖的未成年人年龄从16周岁延长至18周岁——来源：{seed('004', 175)}、{seed('003', 463)}"
)
TEMPORARY_RULE = f"依据困难情况分类分档予以救助——来源：{seed('000', 441)}、{seed('003', 465)}"
INDIVIDUAL_RULE = f"个人对象保障从发生特殊困难至获得家庭支持前的基本生活——来源：{seed('003', 465)}"
DELIBERATION_RULE = f"启动区级困难群众基本生活保障工作协调机制，进行“一事一议”审批——来源：{seed('000', 441)}"
ADVANCE_RULE = (
    f"乡镇（街道）临时救助备用金，“小金额先行救助”“跟进救助”——来源：{seed('001', 364)}、{seed('003', 465)}"
)
PHASE_OUT_RULE = (
    f"月人均收入超过低保标准但低于1.5倍的，给予6个月渐退期——来源：{seed('001', 346)}、{seed('001', 362)}"
)
GRACE_RULE = f"就业创业后人均收入超过低保标准的，给予3—12个月缓退期——来源：{seed('003', 461)}"


def quantity(item: StandardValue) -> str:
    """A standard's number in its unit: 每人每月 ¥780.00, 30%, 1.3 倍, 6 个月."""
    match item.unit:
        case Unit.YUAN_PER_PERSON_MONTH:
            return f"每人每月 {yuan(item.value)}"
        case Unit.YUAN_PER_MONTH:
            return f"每月 {yuan(item.value)}"
        case Unit.YUAN:
            return yuan(item.value)
        case Unit.RATIO:
            return percent(item.value)
        case Unit.MULTIPLE:
            return f"{plain(item.value)} 倍"
        case Unit.MONTHS | Unit.AGE:
            return f"{plain(item.value)} {item.unit.value}"


def describe(item: StandardValue) -> str:
    """One line for a standard in force: its label, since when, its number and where it comes from."""
    return (
        f"{item.label}（{item.effective.isoformat()} 起，地区 {item.region}）：{quantity(item)}"
        f" ——来源：{item.source}"
    )
