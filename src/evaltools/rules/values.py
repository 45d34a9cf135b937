"""Rules on 指标值 and 实际完成值: readable, comparable, able to fail, consistent with the money."""

from __future__ import annotations

import math
import re

import numpy as np

from ..facts import each_distinct
from ..scoring import num
from . import Hit, rows_of, rule

RATE_WORDS = ("率", "覆盖", "范围", "度", "比例", "占比")
NUMBER_NAME = re.compile(r"率|数|成本|时间|金额|费用|面积|人次")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def _is_cost(i) -> bool:
    return "成本" in str(i["level2"])


@rule("VAL-UNPARSED", severity="info", category="指标值")
def val_unparsed(form, profile):
    """指标值或实际完成值既不是带单位的数值，也不是可识别的定性表述。

    Why: a value that cannot be read cannot be checked; the reviewer has to judge it by hand
    (and the department should state it measurably).
    Fails: 年度指标值 “全县各乡镇、各单位”.
    Passes: 年度指标值 “>=98%”, “及时”, “一月一次”.
    """
    for i in form.indicators:
        for fld, v in (("target", i.target), ("adjusted_target", i.adjusted), ("actual", i.actual)):
            if v.kind == "unparsed":
                yield Hit(f"指标“{i['name']}”的{_FIELD_NAMES[fld]}“{v.text}”无法识别为数值或定性结论",
                          table="indicators", key=str(i.seq), field=fld, actual=v.text)


_FIELD_NAMES = {"target": "年度指标值", "adjusted_target": "调整后指标值", "actual": "实际完成值"}


@rule("VAL-UNIT-MISMATCH", severity="warning", category="指标值")
def val_unit_mismatch(form, profile):
    """指标值与实际完成值单位不同，无法比较。

    Why: a target of “一月一次” met by “100%”, or “6人” by “100%”, cannot be checked: the
    completion was restated instead of measured.
    Fails: 指标值 一月一次, 实际完成值 100%.
    Passes: 指标值 >=3年, 实际完成值 3年.
    """
    for i in form.indicators:
        g, a = i.goal, i.actual
        if g.kind in ("number", "frequency") and a.kind in ("number", "frequency") and not g.comparable(a):
            yield Hit(f"指标“{i['name']}”指标值“{g.text}”与实际完成值“{a.text}”单位不一致，无法比较",
                      table="indicators", key=str(i.seq), field="actual", expected=g.unit or g.kind,
                      actual=a.unit or a.kind)


@rule("VAL-VACUOUS", severity="warning", category="指标值")
def val_vacuous(form, profile):
    """指标值不可能不达成：比率类指标 <=100%，满意度 >=100% 或 =100%，>=0。

    Why: a target that cannot fail measures nothing; full marks for it are free.
    Fails: 扶贫帮扶辐射范围 <=100%; 公众满意度 >=100%.
    Passes: 故障降低率 <=5%; 使用人员满意度 >=96%.
    """
    for i in form.indicators:
        g = i.goal
        if g.kind != "number" or g.number is None:
            continue
        name = str(i["name"])
        why = _vacuous(name, g.op, g.dimension, g.number, g.text)
        if why:
            yield Hit(f"指标“{name}”：{why}", table="indicators", key=str(i.seq),
                      field="adjusted_target" if i.adjusted.kind != "empty" else "target", actual=g.text)


def _vacuous(name: str, op, dimension: str, number: float, text: str) -> str:
    """Why a numeric target cannot fail, or ""."""
    if op in ("<=", "<") and dimension == "percent" and number >= 100 and any(w in name for w in RATE_WORDS):
        return f"比率类指标“{text}”总能达成"
    if "满意" in name and op in (">=", "=") and dimension == "percent" and number >= 100:
        return f"满意度目标“{text}”只能以 100% 达成，无实际意义"
    if op == ">=" and number == 0:
        return f"指标值“{text}”总能达成"
    return ""


@rule("VAL-COPIED", severity="info", category="指标值")
def val_copied(form, profile):
    """九成以上的定量实际完成值与指标值完全相同（把计划抄成了完成）。

    Why: real measurements rarely land exactly on every target; a form whose actuals all equal
    its targets was probably filled from the plan.
    Fails: =6人 → 6人, <=100% → 100%, >=12% → 12%, >=100% → 100%.
    Passes: >=98% → 99.2%, =1套 → 1套, <=5% → 3.1%.
    """
    pairs = [i for i in form.indicators
             if i.goal.kind == "number" and i.actual.kind == "number" and i.goal.comparable(i.actual)]
    if len(pairs) < profile["structure.min_copied_count"]:
        return
    same = [i for i in pairs if _close(i.goal, i.actual)]
    share = len(same) / len(pairs)
    if share >= profile["structure.copied_share"]:
        yield Hit(f"{len(pairs)} 个定量指标中 {len(same)} 个实际完成值与指标值完全相同（{share:.0%}）",
                  table="indicators", key=str(pairs[0].seq), field="actual",
                  expected=f"< {profile['structure.copied_share']:.0%}", actual=f"{share:.0%}")


def _close(g, a) -> bool:
    x, y = g.money_wan(), a.money_wan()
    if x is None or y is None:
        x, y = g.number, a.number
    return x is not None and y is not None and abs(x - y) <= 1e-9 * max(1.0, abs(x))


@rule("VAL-VAGUE", severity="info", category="指标值")
def val_vague(form, profile):
    """数量、成本指标或名称要求数值的指标（率、数、成本、时间）用了定性表述。

    Why: “及时”, “提升”, “保障” cannot be measured; a quantity, a cost or a rate needs a number.
    Fails: 扶贫资金支付准确率: 准确到位.
    Passes: 资金发放准确率: =100%.
    """
    for i in form.indicators:
        if i.goal.kind != "qualitative":
            continue
        lvl2 = str(i["level2"])
        if "数量" in lvl2 or "成本" in lvl2 or NUMBER_NAME.search(str(i["name"])):
            yield Hit(f"指标“{i['name']}”（{lvl2}）的指标值“{i.goal.text}”是定性表述，无法计量", table="indicators",
                      key=str(i.seq), field="target", expected="可计量的数值", actual=i.goal.text)


@rule("COST-EXCEEDS-EXECUTED", severity="error", category="成本")
def cost_exceeds_executed(form, profile):
    """成本指标实际完成值合计超过全年执行数。

    Why: a project cannot have cost more than was spent on it; cost indicators that claim the
    whole budget while less was executed restate the plan instead of the cost.
    Fails: 成本指标 36万元 + 3.5万元, 全年执行数 33.61万元.
    Passes: 成本指标 114万元, 全年执行数 114万元.
    """
    costs = [i for i in form.indicators if _is_cost(i) and i.actual.money_wan() is not None]
    if not costs or form.executed is None:
        return
    total = sum(i.actual.money_wan() for i in costs)
    if total > form.executed + profile["tolerances.money"]:
        parts = " + ".join(f"{i.actual.money_wan():g}" for i in costs)
        yield Hit(f"成本指标实际完成值合计 {total:.2f} 万元（{parts}），超过全年执行数 {form.executed:.2f} 万元",
                  table="indicators", key=str(costs[0].seq), field="actual", expected=f"≤ {form.executed:.2f}",
                  actual=f"{total:.2f}")


@rule("COST-UNIT-SCALE", severity="error", category="成本")
def cost_unit_scale(form, profile):
    """资金金额与成本指标金额相差约一万倍（把元当成万元填写）。

    Why: the fund block is in 万元; amounts in 元 typed there overstate the budget ten-thousand
    fold, which the cost indicators (in 万元) give away.
    Fails: 全年预算数 50000, 成本指标 4.83万元 + 0.17万元.
    Passes: 全年预算数 5, 成本指标 4.83万元 + 0.17万元.
    """
    costs = [i for i in form.indicators if _is_cost(i)]
    amounts = [i.goal.money_wan() for i in costs if i.goal.money_wan() is not None]
    if not amounts:
        amounts = [i.actual.money_wan() for i in costs if i.actual.money_wan() is not None]
    budget = form.full_year
    planned = sum(amounts)
    if not amounts or budget is None or budget <= 0 or planned <= 0:
        return
    ratio = budget / planned
    factor = math.log10(profile["structure.unit_scale_factor"])
    if abs(math.log10(ratio) - factor) <= profile["structure.unit_scale_tolerance"]:
        yield Hit(f"全年预算数 {budget:g} 万元是成本指标合计 {planned:g} 万元的 {ratio:,.0f} 倍，金额可能以元填写",
                  table="funds", key="total", field="budget_full_year", expected=f"约 {budget / 10000:g} 万元",
                  actual=f"{budget:g}")


@rule("YEAR-MISMATCH", severity="warning", category="指标值")
def year_mismatch(form, profile):
    """时效指标的期间或日期不在评价年度内。

    Why: a 2021 form that measures “2020年1月1日—12月底” reports last year's work (the target was
    copied from the previous form).
    Fails: 2021 年度表，租赁线路时间 2020年1月1日—12月底.
    Passes: 2021 年度表，租赁线路时间 2021年1月1日—12月底.
    """
    year = num(form.project.get("year"))  # None, NaN and pandas' NA alike: a form without a year
    if year is None:
        return
    year = int(year)
    for i in form.indicators:
        if "时效" not in str(i["level2"]):
            continue
        for fld, v in (("target", i.target), ("adjusted_target", i.adjusted), ("actual", i.actual)):
            years = {d.year for d in (v.start, v.end) if d is not None}
            years |= {int(y) for y in _YEAR.findall(v.text)}
            bad = sorted(y for y in years if y != year)
            if bad:
                yield Hit(f"{year} 年度表的时效指标“{i['name']}”{_FIELD_NAMES[fld]}为“{v.text}”，不在评价年度内",
                          table="indicators", key=str(i.seq), field=fld, expected=str(year),
                          actual="、".join(map(str, bad)))
                break


# ---------------------------------------------------------------------------------------------
# Row twins (see rules.scores): the same hits from column operations over facts.indicator_table.


@rows_of("VAL-UNPARSED")
def _val_unparsed_rows(t, profile):
    kinds = [(fld, (t[f"{col}_kind"] == "unparsed").to_numpy()) for fld, col in
             (("target", "target"), ("adjusted_target", "adjusted"), ("actual", "actual"))]
    any_ = kinds[0][1] | kinds[1][1] | kinds[2][1]
    sub = t[any_]
    flags = [k[any_] for _, k in kinds]
    for n, r in enumerate(sub.itertuples(index=False)):
        for (fld, _), flag in zip(kinds, flags):
            if flag[n]:
                text = getattr(r, f"{'adjusted' if fld == 'adjusted_target' else fld}_text")
                yield r.form_id, Hit(f"指标“{r.name}”的{_FIELD_NAMES[fld]}“{text}”无法识别为数值或定性结论",
                                     table="indicators", key=r.key, field=fld, actual=text)


@rows_of("VAL-UNIT-MISMATCH")
def _val_unit_mismatch_rows(t, profile):
    both = t["goal_kind"].isin(("number", "frequency")) & t["actual_kind"].isin(("number", "frequency"))
    for r in t[both.to_numpy() & ~t["comparable"].to_numpy()].itertuples(index=False):
        yield r.form_id, Hit(f"指标“{r.name}”指标值“{r.goal_text}”与实际完成值“{r.actual_text}”单位不一致，无法比较",
                             table="indicators", key=r.key, field="actual", expected=r.goal_unit or r.goal_kind,
                             actual=r.actual_unit or r.actual_kind)


@rows_of("VAL-VACUOUS")
def _val_vacuous_rows(t, profile):
    g = t["goal_number"].to_numpy()
    op, dim = t["goal_op"], (t["goal_dimension"] == "percent").to_numpy()
    with np.errstate(invalid="ignore"):
        # the form rule's three cases, before their name tests (done on these rows only)
        maybe = (t["goal_kind"] == "number").to_numpy() & ~np.isnan(g) & (
            (op.isin(("<=", "<", ">=", "=")).to_numpy() & dim & (g >= 100)) | ((op == ">=").to_numpy() & (g == 0)))
    for r in t[maybe].itertuples(index=False):
        name = str(r.name)
        why = _vacuous(name, r.goal_op, r.goal_dimension, r.goal_number, r.goal_text)
        if why:
            yield r.form_id, Hit(f"指标“{name}”：{why}", table="indicators", key=r.key,
                                 field="adjusted_target" if r.adjusted_kind != "empty" else "target",
                                 actual=r.goal_text)


@rows_of("VAL-VAGUE")
def _val_vague_rows(t, profile):
    qual = (t["goal_kind"] == "qualitative").to_numpy()
    if not qual.any():
        return
    q = t[qual]
    asks = (each_distinct(q["level2"], lambda x: "数量" in str(x) or "成本" in str(x))
            | each_distinct(q["name"], lambda x: NUMBER_NAME.search(str(x)) is not None))
    for r in q[asks].itertuples(index=False):
        yield r.form_id, Hit(f"指标“{r.name}”（{r.level2}）的指标值“{r.goal_text}”是定性表述，无法计量",
                             table="indicators", key=r.key, field="target", expected="可计量的数值",
                             actual=r.goal_text)


@rows_of("YEAR-MISMATCH")
def _year_mismatch_rows(t, profile):
    timely = each_distinct(t["level2"], lambda x: "时效" in str(x)) & t["year"].notna().to_numpy()
    for r in t[timely].itertuples(index=False):
        year = int(r.year)
        for fld, v in (("target", r.target_value), ("adjusted_target", r.adjusted_value), ("actual", r.actual_value)):
            years = {d.year for d in (v.start, v.end) if d is not None}
            years |= {int(y) for y in _YEAR.findall(v.text)}
            bad = sorted(y for y in years if y != year)
            if bad:
                yield r.form_id, Hit(f"{year} 年度表的时效指标“{r.name}”{_FIELD_NAMES[fld]}为“{v.text}”，不在评价年度内",
                                     table="indicators", key=r.key, field=fld, expected=str(year),
                                     actual="、".join(map(str, bad)))
                break
