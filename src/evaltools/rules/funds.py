"""Rules on the 项目资金 block: sums, rates, the execution score."""

from __future__ import annotations

from ..scoring import AMOUNTS, full_budget, matches_printed, num, printed_tolerance
from . import Hit, meaningful, rule

AMOUNT_NAMES = {"budget_initial": "年初预算数", "budget_full_year": "全年预算数", "executed": "全年执行数"}
EXPLAINS_EXECUTION = ("执行", "资金", "支付", "拨付", "预算", "结余", "进度", "未支", "延迟", "滞后", "结转")


def _w(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


@rule("FUND-SUM", severity="error", category="资金")
def fund_sum(form, profile):
    """年度资金总额不等于其中各行之和。

    Why: the total row is what the execution rate and score are computed from; a total that
    disagrees with its 其中 rows (often printed as 0 while the children hold the money) makes the
    rate, the score and every comparison with the cost indicators wrong.
    Fails: 年度资金总额 0 / 0 / 0 while 市县(区)财政资金 is 190 / 190 / 190.
    Passes: 年度资金总额 24 / 24 / 18 with 市县(区)财政资金 24 / 24 / 18 and the other rows 0.
    """
    t = form.total
    if t is None or not form.children:
        return
    tol = profile["tolerances.money"]
    for col in AMOUNTS:
        total, sums = num(t[col]), form.child_sums.get(col)
        if total is None or sums is None:
            continue
        if abs(total - sums) > tol:
            yield Hit(f"年度资金总额的{AMOUNT_NAMES[col]} {_w(total)} 万元与其中各行合计 {_w(sums)} 万元不符",
                      table="funds", key="total", field=col, expected=_w(sums), actual=_w(total))


@rule("FUND-RATE", severity="error", category="资金")
def fund_rate(form, profile):
    """印出的执行率与全年执行数 / 全年预算数不符。

    Why: 执行率 must be computed from the adjusted full-year budget (全年预算数), not typed in; a
    rate that disagrees with the amounts, or a rate of 0 on a total row whose money sits in the
    其中 rows while the execution score was given in full, misstates how the money was used.
    Fails: 全年预算数 39.5, 全年执行数 33.61, 执行率 95 (should be 85.09); 年度资金总额 0/0/0 with 执行率 0
    while the 其中 rows give 100%.
    Passes: 全年预算数 80.32, 全年执行数 75.2, 执行率 93.63.
    """
    for row in form.funds:
        printed, full, done = num(row["exec_rate"]), full_budget(row), num(row["executed"])
        if printed is None or full is None or done is None:
            continue
        if full > 0:
            rate = done / full * 100
            if not matches_printed(printed, rate):
                yield Hit(f"{row['label'] or '资金行'}执行率印为 {printed:g}%，按全年执行数 {done:g} / 全年预算数 "
                          f"{full:g} 应为 {rate:.2f}%", table="funds", key=row.get("key") or row["source"], field="exec_rate",
                          expected=f"{rate:.2f}", actual=f"{printed:g}")
        elif done > 0:
            yield Hit(f"{row['label'] or '资金行'}全年预算数为 0，却有全年执行数 {done:g} 万元，执行率无从计算",
                      table="funds", key=row.get("key") or row["source"], field="budget_full_year", expected="> 0", actual="0")
        elif row["source"] == "total" and form.rate_basis == "children" and form.rate is not None:
            if abs(printed - form.rate) > printed_tolerance(printed):
                score = num(form.project.get("exec_score"))
                given = f"，执行得分却按 {score:g} 分给出" if score else ""
                yield Hit(f"年度资金总额金额为 0，执行率印为 {printed:g}%，按其中各行金额应为 {form.rate:.2f}%{given}",
                          table="funds", key="total", field="exec_rate", expected=f"{form.rate:.2f}",
                          actual=f"{printed:g}")


@rule("FUND-OVERSPEND", severity="warning", category="资金")
def fund_overspend(form, profile):
    """全年执行数超过全年预算数。

    Why: spending beyond the adjusted budget needs an approved adjustment; it also caps the
    execution rate above 100%, which a form must not score above full marks.
    Fails: 全年预算数 114, 全年执行数 120.
    Passes: 全年预算数 114, 全年执行数 114.
    """
    tol = profile["tolerances.money"]
    for row in form.funds:
        full, done = num(row["budget_full_year"]), num(row["executed"])
        if full is not None and done is not None and done > full + tol:
            yield Hit(f"{row['label'] or '资金行'}全年执行数 {done:g} 万元超过全年预算数 {full:g} 万元",
                      table="funds", key=row.get("key") or row["source"], field="executed", expected=f"≤ {full:g}", actual=f"{done:g}")


@rule("FUND-ADJUSTED", severity="info", category="资金")
def fund_adjusted(form, profile):
    """年初预算数与全年预算数不同（年内调整了预算）。

    Why: an adjusted budget is legitimate but worth a look: targets set against the initial
    budget (成本指标) should be read against the adjusted one.
    Fails: 年初预算数 100, 全年预算数 120.
    Passes: 年初预算数 114, 全年预算数 114.
    """
    row = form.total
    if row is None:
        return
    a, b = num(row["budget_initial"]), num(row["budget_full_year"])
    if a is not None and b is not None and abs(a - b) > profile["tolerances.money"]:
        yield Hit(f"年初预算数 {a:g} 万元调整为全年预算数 {b:g} 万元", table="funds", key="total",
                  field="budget_full_year", expected=f"{a:g}", actual=f"{b:g}")


@rule("EXEC-SCORE", severity="error", category="资金", needs=('execution',))
def exec_score(form, profile):
    """预算执行得分不等于 min(执行率, 100%) × 分值。

    Why: the execution score is arithmetic, not judgement; it must follow from the rate
    recomputed from the amounts (from the 其中 rows when the total row is inconsistent).
    Full marks for a rate below 100% are always reported (9.88 printed as 10 is not rounding).
    Fails: 执行率 75%, 分值 10, 得分 10 (should be 7.5); 执行率 98.81%, 得分 10 (should be 9.88).
    Passes: 执行率 93.63%, 分值 10, 得分 9.36.
    """
    printed, calc = num(form.project.get("exec_score")), form.exec_score
    weight = num(form.project.get("exec_weight"))
    if printed is None or calc is None:
        return
    # full marks for less than full execution is never a rounding: 9.88 printed as 10 hides a shortfall
    rounded_up = weight is not None and printed >= weight - 1e-9 and calc < weight - 0.005
    if rounded_up or abs(printed - calc) > printed_tolerance(printed, 0.005):
        rate = "—" if form.rate is None else f"{form.rate:.2f}%"
        basis = "（按其中各行金额）" if form.rate_basis == "children" else ""
        yield Hit(f"执行得分印为 {printed:g}，按执行率 {rate}{basis} × 分值 {num(form.project.get('exec_weight')):g} "
                  f"应为 {calc:.2f}", field="exec_score", expected=f"{calc:.2f}", actual=f"{printed:g}")


@rule("EXEC-LOW-HIGH", severity="warning", category="资金")
def exec_low_high(form, profile):
    """预算执行率偏低，但总分很高或产出指标全部满分。

    Why: money not spent usually means output not delivered; a form that executed little yet
    scores near full marks claims results its funds do not support.
    Fails: 执行率 75%, 总分 97.5.
    Passes: 执行率 100%, 总分 100.
    """
    rate = form.rate
    if rate is None or rate >= profile["execution.low_rate_high_score"]:
        return
    total = num(form.project.get("total_score"))
    outputs = [i for i in form.indicators if "产出" in str(i["level1"])]
    all_full = bool(outputs) and all(i.score is not None and i.weight is not None and i.score >= i.weight - 1e-9
                                     for i in outputs)
    if (total is not None and total >= profile["execution.high_total_score"]) or all_full:
        why = f"总分 {total:g}" if total is not None and total >= profile["execution.high_total_score"] else "产出指标全部满分"
        yield Hit(f"预算执行率仅 {rate:.2f}%，{why}", field="exec_rate",
                  expected=f"执行率 ≥ {profile['execution.low_rate_high_score']}% 或相应扣分", actual=f"{rate:.2f}%")


@rule("EXEC-NO-REASON", severity="warning", category="资金")
def exec_no_reason(form, profile):
    """执行率偏低，偏差原因和存在的问题都没有说明原因。

    Why: a reviewer needs to know why money was not spent (procurement delay, savings, a
    cancelled activity) to judge whether the budget should be cut next year.
    Fails: 执行率 75%, every 偏差原因 empty, 存在的主要问题 “无”.
    Passes: 执行率 75%, 存在的主要问题 “部分资金因采购延迟未支付”.
    """
    rate = form.rate
    if rate is None or rate >= profile["execution.reason_threshold"]:
        return
    texts = [form.project.get("problems", "")] + [i["deviation_reason"] for i in form.indicators]
    if any(meaningful(t, profile) and any(w in t for w in EXPLAINS_EXECUTION) for t in texts):
        return
    yield Hit(f"预算执行率 {rate:.2f}% 低于 {profile['execution.reason_threshold']}%，但未说明原因", field="problems",
              expected="说明资金未执行的原因", actual=form.project.get("problems", "") or "（空）")
