"""Anomaly injection: which forms get which anomalies, and the rewrites that put them there.

Each kind in ``catalogue.ANOMALY_KINDS`` is what a correct audit reports for it (rules.md). A
form is planned clean (``content.py``), its anomalies rewrite it group by group, and only then
are the texts written, so that they agree with the broken numbers. Each injection returns a
``Mark``: the rule, the cell it shows in (resolved to A1 once the form is drawn), a Chinese
detail and the rules that may fire as a consequence.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Callable, Sequence

from .catalogue import (
    ANOMALY_KINDS, BOILERPLATE_TEXT, EFFECT, OUTPUT, QLT, SAT, SATISFACTION, SOC, TIME, Department,
)
from .content import (
    FormContent, Indicator, avoid_copied, cost_inds, first_indicator, miss, ordered, plan_adjusted,
    plan_funds, plan_indicators, plan_operator_in_actual, plan_texts, realise_actuals,
)
from .truth import dtext, effective_target, q2, rescore

if TYPE_CHECKING:
    from .corpus import FormPlan


# --------------------------------------------------------------------------------------------
# Which forms get which anomalies


# At most one anomaly per group on a form: members of a group rewrite the same numbers.
_ANOMALY_GROUPS = {
    "funds": (
        "FUND-SUM",
        "EXEC-SCORE",
        "FUND-RATE",
        "COST-UNIT-SCALE",
        "COST-EXCEEDS-EXECUTED",
        "FUND-OVERSPEND",
    ),
    "totals": ("SCORE-TOTAL", "WEIGHT-TOTAL", "SCORE-RANGE"),
    "values": ("SCORE-MISSED-FULL", "VAL-COPIED", "VAL-VACUOUS", "YEAR-MISMATCH", "DEV-MISSING"),
    "structure": ("CLASS-SATISFACTION", "SAT-MISSING", "STR-PLACEHOLDER"),
}
_GROUP_OF = {kind: group for group, kinds in _ANOMALY_GROUPS.items() for kind in kinds}
FORM_KINDS = tuple(k for k in ANOMALY_KINDS if k != "TXT-BOILERPLATE")  # TXT-BOILERPLATE is per department
# Applied in this order: structure first, then values, weights, funds; totals are computed last.
_APPLY_ORDER = ("structure", "values", "totals", "funds")


def _compatible(kind: str, chosen: list[str]) -> bool:
    return all(_GROUP_OF[kind] != _GROUP_OF[k] for k in chosen)


def assign_anomalies(plans: list[FormPlan], rate: float, rng: random.Random,
                     kinds: Sequence[str]) -> None:
    """Give about ``rate`` of the forms 1–3 anomalies of distinct groups, every kind once at least."""
    candidates = [p for p in plans if not p.reserved_seed]
    if rate <= 0 or not candidates or not kinds:
        return
    n_anom = min(len(candidates), max(1, round(len(plans) * rate)))
    chosen = rng.sample(candidates, n_anom)
    # Coverage first: every kind once, on the least loaded compatible form.
    order = list(kinds)
    rng.shuffle(order)
    for kind in order:
        options = [p for p in chosen if _compatible(kind, p.anomalies) and len(p.anomalies) < 3]
        if options:
            target = min(options, key=lambda p: (len(p.anomalies), rng.random()))
            target.anomalies.append(kind)
    for plan in chosen:
        if not plan.anomalies:
            plan.anomalies.append(rng.choice(kinds))
        if len(plan.anomalies) == 1 and rng.random() < 0.2:
            extra = [k for k in kinds if _compatible(k, plan.anomalies)]
            if extra:
                plan.anomalies.append(rng.choice(extra))


def boilerplate_departments(depts: list[Department], counts: list[int], rate: float,
                            rng: random.Random) -> set[int]:
    """The departments whose forms all get TXT-BOILERPLATE (one at least, at a positive rate)."""
    eligible = [d.index for d, n in zip(depts, counts) if n >= 2]
    if rate <= 0 or not eligible:
        return set()
    chosen = {i for i in eligible if rng.random() < rate / 3}
    return chosen or {rng.choice(eligible)}


# --------------------------------------------------------------------------------------------
# A form with its anomalies


@dataclass
class Mark:
    """An injected anomaly, pointing at a cell symbolically until the form is rendered."""

    kind: str
    where: tuple  # ("project", field) | ("fund", source, field) | ("ind", Indicator, field)
    detail: str
    also: list[tuple] = field(default_factory=list)
    collateral: list[str] = field(default_factory=list)


def build_content(plan: FormPlan, year: int, used: dict[str, set[str]]) -> FormContent:
    """Plan one form: funds, indicators, anomalies, then texts that agree with the result."""
    rng = random.Random(f"{plan.seed}/content/{plan.key}")
    kinds = set(plan.anomalies)
    c = FormContent(plan.key, plan.dept, plan.domain, year, plan.project_name, plan.unit,
                    plan.goal_expected, variants=set(plan.variants), options=dict(plan.options))
    plan_funds(c, rng, _rate_kind(kinds, rng))
    plan_indicators(c, rng)
    n_missed = 0 if kinds & {"VAL-COPIED"} else rng.choices((0, 1, 2), weights=(70, 22, 8))[0]
    realise_actuals(c, rng, n_missed)
    plan_adjusted(c, rng)
    rescore(c)
    for group in _APPLY_ORDER:
        for kind in plan.anomalies:
            if _GROUP_OF[kind] == group:
                c.marks.append(_ANOMALY_FUNCS[kind](c, rng))
                rescore(c)
    if "VAL-COPIED" not in kinds:
        avoid_copied(c, rng, _frozen(c, kinds))
        rescore(c)
    c.anomalies = list(plan.anomalies)
    plan_texts(c, rng, used)
    if c.problems == "无" and c.total_score < 100:
        # The printed total shows lost points that the form's problems text does not name.
        for mark in c.marks:
            if mark.kind in ("WEIGHT-TOTAL", "SCORE-TOTAL", "EXEC-SCORE"):
                mark.collateral.append("TXT-NO-PROBLEMS")
    if c.text_placeholder == "suggestion_other":
        c.suggestions["other"] = "……"
    plan_operator_in_actual(c, rng)
    return c


def _rate_kind(kinds: set[str], rng: random.Random) -> str:
    """Execution scenario, constrained by the anomalies planned for the form."""
    if "FUND-OVERSPEND" in kinds:
        return "over"
    if "COST-EXCEEDS-EXECUTED" in kinds:
        return "gap"
    if "VAL-COPIED" in kinds:
        return "full"  # copied cost actuals equal the budget, so all of it was spent
    if "EXEC-SCORE" in kinds:
        return rng.choice(("zero", "high", "mid"))
    if "FUND-RATE" in kinds:
        return rng.choice(("full", "high"))
    return rng.choices(("full", "high", "mid"), weights=(55, 33, 12))[0]


def _frozen(c: FormContent, kinds: set[str]) -> set[int]:
    """Indicators that an injected anomaly points at or depends on."""
    frozen = {id(w[1]) for m in c.marks for w in [m.where, *m.also] if w[0] == "ind"}
    if kinds & {"COST-EXCEEDS-EXECUTED", "FUND-OVERSPEND"}:
        frozen |= {id(i) for i in cost_inds(c)}
    return frozen


def apply_boilerplate(content: FormContent) -> None:
    """TXT-BOILERPLATE: the department's shared 对预算安排与执行的建议 on this form."""
    content.suggestions["budget"] = BOILERPLATE_TEXT
    content.marks.append(Mark("TXT-BOILERPLATE", ("project", "suggestion_budget"),
                              f"本部门各项目“对预算安排与执行的建议”均为"
                              f"“{BOILERPLATE_TEXT}”。"))


# --------------------------------------------------------------------------------------------
# The injections: each rewrites the planned form and says where the anomaly shows


def _an_fund_sum(c: FormContent, rng: random.Random) -> Mark:
    total = c.total
    if rng.random() < 0.5:
        total.printed_zero = True
        return Mark("FUND-SUM", ("fund", "total", "budget_initial"),
                    f"年度资金总额填报为0，而其中各项资金合计{dtext(total.full)}万元。",
                    also=[("fund", "total", "budget_full_year"), ("fund", "total", "executed")],
                    # the total row's printed rate (0) then contradicts its 其中 rows, as in the seed
                    collateral=["COST-EXCEEDS-EXECUTED", "EXEC-LOW-HIGH", "EXEC-NO-REASON", "FUND-RATE"])
    delta = max(Decimal("0.01"), q2(total.initial * Decimal(repr(rng.uniform(0.05, 0.3)))))
    total.initial += delta
    return Mark("FUND-SUM", ("fund", "total", "budget_initial"),
                f"年度资金总额年初预算数{dtext(total.initial)}万元，与其中各项合计"
                f"{dtext(total.initial - delta)}万元不符。",
                collateral=["FUND-ADJUSTED"])


def _an_exec_score(c: FormContent, rng: random.Random) -> Mark:
    total = c.total
    if total.executed == 0:
        c.exec_score_override = Decimal(10)
        return Mark("EXEC-SCORE", ("project", "exec_score"),
                    "全年执行数为0、执行率为0，预算执行率仍得10分。",
                    collateral=["EXEC-LOW-HIGH"])
    wrong = Decimal(10) if total.rate < 100 else Decimal(rng.choice(("8", "9", "9.5")))
    c.exec_score_override = wrong
    return Mark("EXEC-SCORE", ("project", "exec_score"),
                f"执行率{dtext(total.rate)}%，预算执行率得分应为{dtext(total.score)}分，"
                f"填报为{dtext(wrong)}分。")


def _an_fund_rate(c: FormContent, rng: random.Random) -> Mark:
    total = c.total
    wrong = Decimal(100) if total.rate < 99 else q2(total.rate - Decimal(rng.randint(3, 12)))
    c.total_rate_override = wrong
    return Mark("FUND-RATE", ("fund", "total", "exec_rate"),
                f"全年执行数{dtext(total.executed)}万元/全年预算数{dtext(total.full)}万元，"
                f"执行率应为{dtext(total.rate)}%，填报为{dtext(wrong)}%。")


def _an_cost_unit_scale(c: FormContent, rng: random.Random) -> Mark:
    c.amount_scale = 10000
    costs = cost_inds(c)
    cost_sum = sum(i.target for i in costs)
    return Mark("COST-UNIT-SCALE", ("fund", "total", "budget_full_year"),
                f"项目资金按元填入万元栏（全年预算数{dtext(c.total.full * 10000)}），"
                f"成本指标合计{dtext(cost_sum)}万元。",
                also=[("ind", i, "target") for i in costs])


def _an_cost_exceeds(c: FormContent, rng: random.Random) -> Mark:
    costs = cost_inds(c)
    for ind in costs:
        ind.op = "="
        ind.actual = effective_target(ind)
    spent = sum(i.actual for i in costs)
    return Mark("COST-EXCEEDS-EXECUTED", ("ind", costs[0], "actual"),
                f"成本指标实际完成值合计{dtext(spent)}万元，超过全年执行数"
                f"{dtext(c.total.executed)}万元。",
                also=[("ind", i, "actual") for i in costs[1:]] + [("fund", "total", "executed")])


def _an_overspend(c: FormContent, rng: random.Random) -> Mark:
    total = c.total
    holders = [l for l in c.funds[1:] if l.executed > l.full]
    for ind in cost_inds(c):
        ind.actual = effective_target(ind)  # the cost plan is the budget; spending beyond it is not costed
    return Mark("FUND-OVERSPEND", ("fund", "total", "executed"),
                f"全年执行数{dtext(total.executed)}万元超过全年预算数{dtext(total.full)}万元。",
                also=[("fund", l.source, "executed") for l in holders])


def _an_score_missed_full(c: FormContent, rng: random.Random) -> Mark:
    ind = (first_indicator(c, lambda i: i.level2 == QLT and not i.cost)
           or first_indicator(c, lambda i: not i.cost))
    if rng.random() < 0.5 or c.domain == "it":
        ind.name, ind.unit, ind.target = "故障修复处理时间", "小时", Decimal(1)
    else:
        ind.name, ind.unit, ind.target = "单位正常运转成本（降低百分点）", "点", Decimal(100)
    ind.kind, ind.op, ind.actual = "quant", "<", ind.target
    ind.score, ind.fixed_score, ind.deviation = Decimal(ind.weight), True, ""
    ind.word = ind.actual_word = ""
    return Mark("SCORE-MISSED-FULL", ("ind", ind, "score"),
                f"{ind.name}指标值<{dtext(ind.target)}{ind.unit}，实际完成值"
                f"{dtext(ind.actual)}{ind.unit}未达到，仍得满分{ind.weight}分。",
                also=[("ind", ind, "actual")], collateral=["DEV-MISSING", "TXT-NO-PROBLEMS"])


def _an_val_copied(c: FormContent, rng: random.Random) -> Mark:
    for ind in c.indicators:
        ind.deviation = ""
        if ind.adjusted is not None:  # copied from the plan as finally adjusted
            ind.target, ind.adjusted = ind.adjusted, None
        if ind.kind == "quant":
            # A strict target copied into its actual would also be a missed target: relax it.
            ind.op = {"<": "<=", ">": ">="}.get(ind.op, ind.op)
            ind.actual = effective_target(ind)
        else:
            ind.actual_word = ind.word
    first = first_indicator(c, lambda i: i.kind == "quant")
    return Mark("VAL-COPIED", ("ind", first, "actual"),
                "全部实际完成值与年度指标值完全一致，疑似照抄指标值。")


def _an_class_satisfaction(c: FormContent, rng: random.Random) -> Mark:
    if rng.random() < 0.5:
        host = first_indicator(c, lambda i: i.level1 == EFFECT and i.weight >= 8)
        if host is None:
            return _an_class_satisfaction_mgmt(c, rng)
        ind = Indicator(EFFECT, SOC, "公众满意度", "quant", op=">=", unit="%",
                        target=Decimal(95), actual=Decimal(96))
        ind.weight = host.weight // 2
        host.weight -= ind.weight
        c.indicators = ordered(c.indicators + [ind])
        return Mark("CLASS-SATISFACTION", ("ind", ind, "name"),
                    "满意度指标“公众满意度”填列在效益指标（社会效益）下。",
                    also=[("ind", ind, "level1")])
    return _an_class_satisfaction_mgmt(c, rng)


def _an_class_satisfaction_mgmt(c: FormContent, rng: random.Random) -> Mark:
    sat = first_indicator(c, lambda i: i.level1 == SATISFACTION)
    ind = Indicator(SATISFACTION, SAT, "长效管理制度健全性", "qual", word="健全", actual_word="健全")
    ind.weight = sat.weight // 2
    sat.weight -= ind.weight
    c.indicators = ordered(c.indicators + [ind])
    return Mark("CLASS-SATISFACTION", ("ind", ind, "name"),
                "满意度指标下填列“长效管理制度健全性”，不属于满意度。")


def _an_vacuous(c: FormContent, rng: random.Random) -> Mark:
    sat = first_indicator(c, lambda i: i.level1 == SATISFACTION and i.kind == "quant")
    if sat is not None and rng.random() < 0.5:
        ind = sat
        ind.op, ind.target, ind.actual = ">=", Decimal(100), Decimal(100)
        detail = "满意度指标值设为>=100%，无法不达成。"
    else:
        ind = first_indicator(c, lambda i: i.level2 == QLT and not i.cost)
        ind.name = rng.choice(("政策覆盖率", "项目覆盖率（%）", "资金使用效率提升度（%）"))
        ind.kind, ind.op, ind.unit = "quant", "<=", "%"
        ind.target = ind.actual = Decimal(100)
        ind.word = ind.actual_word = ""
        detail = f"{ind.name}指标值设为<=100%，任何结果都能达成。"
    ind.deviation = ""
    return Mark("VAL-VACUOUS", ("ind", ind, "target"), detail)


def _an_year_mismatch(c: FormContent, rng: random.Random) -> Mark:
    ind = first_indicator(c, lambda i: i.level2 == TIME)
    ind.name = rng.choice(("线路租赁期限", "项目实施期限", "资金支付期限"))
    ind.kind, ind.op, ind.unit, ind.target, ind.actual = "date", "", "", None, None
    ind.word = ind.actual_word = f"{c.year - 1}年1月1日—12月底"
    ind.deviation = ""
    return Mark("YEAR-MISMATCH", ("ind", ind, "target"),
                f"{c.year}年度自评表的时效指标期间为{ind.word}，不在评价年度内。",
                also=[("ind", ind, "actual")])


def _an_dev_missing(c: FormContent, rng: random.Random) -> Mark:
    ind = next((i for i in c.indicators if i.score < i.weight), None)
    if ind is None:
        cands = [i for i in c.indicators if not i.cost and i.level1 == OUTPUT]
        ind = rng.choice(cands)
        miss(ind, rng)
    ind.deviation = rng.choice(("", "无"))
    return Mark("DEV-MISSING", ("ind", ind, "deviation_reason"),
                f"{ind.name}未达到年度指标值（失分），偏差原因分析为空或“无”。")


def _an_placeholder(c: FormContent, rng: random.Random) -> Mark:
    if rng.random() < 0.6:
        ind = first_indicator(c, lambda i: i.level1 == EFFECT) or c.indicators[-1]
        ind.name = f"指标{rng.randint(1, 3)}"
        return Mark("STR-PLACEHOLDER", ("ind", ind, "name"),
                    f"三级指标名称为模板占位符“{ind.name}”。")
    c.text_placeholder = "suggestion_other"
    return Mark("STR-PLACEHOLDER", ("project", "suggestion_other"),
                "其他建议栏保留模板占位符“……”。")


def _an_sat_missing(c: FormContent, rng: random.Random) -> Mark:
    sat = first_indicator(c, lambda i: i.level1 == SATISFACTION)
    host = first_indicator(c, lambda i: i.level1 == EFFECT)
    if rng.random() < 0.5 and len(c.indicators) > 6:  # keep at least 6 indicators
        c.indicators.remove(sat)
        host.weight += sat.weight
        return Mark("SAT-MISSING", ("header", "level1"),
                    "绩效指标中没有满意度指标，满意度分值并入效益指标。",
                    collateral=["WEIGHT-PROFILE"])
    host.weight += sat.weight
    sat.weight = 0
    return Mark("SAT-MISSING", ("ind", sat, "weight"),
                f"满意度指标“{sat.name}”分值为0。", collateral=["WEIGHT-PROFILE"])


def _an_weight_total(c: FormContent, rng: random.Random) -> Mark:
    ind = max((i for i in c.indicators if i.level1 != SATISFACTION and not i.fixed_score),
              key=lambda i: i.weight)
    delta = 5 if rng.random() < 0.5 else -min(5, ind.weight - 2)
    ind.weight += delta
    return Mark("WEIGHT-TOTAL", ("project", "total_weight"),
                f"预算执行率分值与各指标分值合计{10 + sum(i.weight for i in c.indicators)}分，"
                "与总分100分不符。",
                also=[("ind", ind, "weight")], collateral=["WEIGHT-PROFILE"])


def _an_score_range(c: FormContent, rng: random.Random) -> Mark:
    met = [i for i in c.indicators if i.weight > 0 and i.score == i.weight and not i.fixed_score]
    ind = rng.choice(met or [i for i in c.indicators if i.weight > 0])
    ind.score = Decimal(ind.weight + rng.randint(1, 5))
    ind.fixed_score = True
    return Mark("SCORE-RANGE", ("ind", ind, "score"),
                f"{ind.name}得分{dtext(ind.score)}分，超过分值{ind.weight}分。",
                collateral=["SCORE-INFLATED"])


def _an_score_total(c: FormContent, rng: random.Random) -> Mark:
    delta = Decimal(rng.choice((-5, -3, -2, -1.5, -0.5, 0.5, 1, 2)))
    c.total_score_delta = delta
    return Mark("SCORE-TOTAL", ("project", "total_score"),
                f"总分与预算执行率得分加各指标得分之和相差{dtext(delta)}分。")


_ANOMALY_FUNCS: dict[str, Callable[[FormContent, random.Random], Mark]] = {
    "FUND-SUM": _an_fund_sum,
    "EXEC-SCORE": _an_exec_score,
    "FUND-RATE": _an_fund_rate,
    "COST-UNIT-SCALE": _an_cost_unit_scale,
    "COST-EXCEEDS-EXECUTED": _an_cost_exceeds,
    "FUND-OVERSPEND": _an_overspend,
    "SCORE-MISSED-FULL": _an_score_missed_full,
    "VAL-COPIED": _an_val_copied,
    "CLASS-SATISFACTION": _an_class_satisfaction,
    "VAL-VACUOUS": _an_vacuous,
    "YEAR-MISMATCH": _an_year_mismatch,
    "DEV-MISSING": _an_dev_missing,
    "STR-PLACEHOLDER": _an_placeholder,
    "SAT-MISSING": _an_sat_missing,
    "WEIGHT-TOTAL": _an_weight_total,
    "SCORE-RANGE": _an_score_range,
    "SCORE-TOTAL": _an_score_total,
}
