"""Rules on 分值 and 得分: weights add up, scores follow the formula, reasons are given."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from ..scoring import num, printed_tolerance
from . import Hit, meaningful, rows_of, rule

LEVEL1_GROUPS = (("output", "产出"), ("benefit", "效益"), ("satisfaction", "满意"))
TIER_NAMES = {"achieved": "达成", "partial": "部分达成", "not": "未达成"}


def level1_group(level1: str) -> str:
    for key, word in LEVEL1_GROUPS:
        if word in (level1 or ""):
            return key
    return "other"


@rule("WEIGHT-TOTAL", severity="error", category="分值", needs=('weights',))
def weight_total(form, profile):
    """预算执行分值与各指标分值之和不等于总分分值（100）。

    Why: the weights are the form's scale; if they do not add up to the printed total the total
    score cannot be read as a percentage of anything.
    Fails: 执行 10 + 指标 95 = 105, 总分分值 100.
    Passes: 执行 10 + 指标 90 = 100.
    """
    total = num(form.project.get("total_weight"))
    ew = num(form.project.get("exec_weight")) or 0.0
    if total is None or form.weight_sum is None:
        return
    if "exec-unknown" in form.convention or any(i.weight is None for i in form.all_indicators):
        return  # a 分值 the form left empty is unknown, not 0
    got = ew + form.weight_sum
    if abs(got - total) > profile["tolerances.points"]:
        yield Hit(f"预算执行分值 {ew:g} + 指标分值合计 {form.weight_sum:g} = {got:g}，与总分分值 {total:g} 不符",
                  field="total_weight", expected=f"{total:g}", actual=f"{got:g}")


@rule("WEIGHT-INLINE", severity="error", category="分值", needs=('weights',))
def weight_inline(form, profile):
    """一级指标下各指标分值之和不等于该一级指标单元格中写明的分值。

    Why: a form that prints 产出指标(50分) promises that split; indicators that add up to
    something else mean a weight was changed without the heading (or the other way round).
    Fails: 产出指标(50分) over indicators weighing 15 + 15 + 10 + 20 = 60.
    Passes: 产出指标(50分) over 15 + 15 + 10 + 10.
    """
    sums: dict[str, float] = defaultdict(float)
    stated: dict[str, tuple[float, int]] = {}
    unweighed: set[str] = set()
    for i in form.all_indicators:  # a 其中 row that carries points counts where the form counts it
        sums[i["level1"]] += i.weight or 0.0
        if i.weight is None:
            unweighed.add(i["level1"])
        lw = num(i["level1_weight"])
        if lw is not None and i["level1"] not in stated:
            stated[i["level1"]] = (lw, i.seq)
    for l1, (lw, seq) in stated.items():
        if l1 in unweighed and sums[l1] < lw:
            continue  # a row without 分值 (a cut or unfilled one) may hold the rest: not judged as 0
        if abs(sums[l1] - lw) > profile["tolerances.points"]:
            yield Hit(f"{l1}标明 {lw:g} 分，其下指标分值合计 {sums[l1]:g} 分", table="indicators", key=str(seq),
                      field="level1", expected=f"{lw:g}", actual=f"{sums[l1]:g}")


@rule("WEIGHT-PROFILE", severity="warning", category="分值", needs=('weights', 'execution'))
def weight_profile(form, profile):
    """一级指标分值结构（执行/产出/效益/满意度）与口径不同。

    Why: the national guidance weights 预算执行 10, 产出 50, 效益 30, 满意度 10; a different split is
    allowed in some provinces but shifts points towards what is easy to claim.
    Fails: 产出 70, 效益 10, 满意度 10 with 执行 10.
    Passes: 产出 50, 效益 30, 满意度 10 with 执行 10.
    """
    if not form.indicators:
        return
    if not profile["weights.check_split"]:
        return
    split = defaultdict(float)
    for i in form.all_indicators:
        split[level1_group(i["level1"])] += i.weight or 0.0
    split["execution"] = num(form.project.get("exec_weight")) or 0.0
    want = {k: profile[f"weights.{k}"] for k in ("execution", "output", "benefit", "satisfaction")}
    tol = profile["tolerances.points"]
    if all(abs(split[k] - v) <= tol for k, v in want.items()) and split.get("other", 0) <= tol:
        return
    got = "/".join(f"{split[k]:g}" for k in want)
    exp = "/".join(f"{v:g}" for v in want.values())
    extra = f"，另有未归类指标 {split['other']:g} 分" if split.get("other", 0) > tol else ""
    yield Hit(f"分值结构（执行/产出/效益/满意度）为 {got}{extra}，口径为 {exp}", table="indicators",
              key=str(form.indicators[0].seq), field="level1", expected=exp, actual=got)


@rule("WEIGHT-CONCENTRATED", severity="info", category="分值", needs=('weights',))
def weight_concentrated(form, profile):
    """单个指标分值占指标总分一半以上，或指标少于 3 个。

    Why: with one heavy indicator (or very few) the score rests on a single claim; reviewers
    look for a spread of measurable indicators.
    Fails: one indicator worth 50 of 90 indicator points; two indicators in all.
    Passes: eight indicators of 5–15 points each.
    """
    inds = [i for i in form.all_indicators if i.weight is not None]
    if not form.indicators:
        return
    if len(form.indicators) < profile["structure.min_indicators"]:
        yield Hit(f"全表仅 {len(form.indicators)} 个绩效指标", table="indicators", key=str(form.indicators[0].seq),
                  field="name", expected=f"≥ {profile['structure.min_indicators']}", actual=str(len(form.indicators)))
        return
    total = sum(i.weight for i in inds)
    if total <= 0:
        return
    top = max(inds, key=lambda i: i.weight)
    share = top.weight / total
    if share >= profile["structure.concentration_share"]:
        yield Hit(f"指标“{top['name']}”分值 {top.weight:g}，占指标总分 {total:g} 的 {share:.0%}", table="indicators",
                  key=str(top.seq), field="weight", expected=f"< {profile['structure.concentration_share']:.0%}",
                  actual=f"{share:.0%}")


@rule("SCORE-RANGE", severity="error", category="得分", needs=('scores',))
def score_range(form, profile):
    """指标得分小于 0 或大于其分值。

    Why: an indicator can earn at most its weight; more (or a negative score) is an arithmetic
    error that inflates or breaks the total.
    Fails: 分值 10, 得分 12.
    Passes: 分值 10, 得分 9.9.
    """
    for i in form.indicators:
        w, s = i.weight, i.score
        if s is None:
            continue
        if s < -1e-9 or (w is not None and s > w + 1e-9):
            bound = f"0–{w:g}" if w is not None else "≥ 0"
            yield Hit(f"指标“{i['name']}”得分 {s:g} 超出 {bound} 分", table="indicators", key=str(i.seq),
                      field="score", expected=f"0–{w:g}" if w is not None else "≥ 0", actual=f"{s:g}")


@rule("SCORE-TOTAL", severity="error", category="得分", needs=('scores',))
def score_total(form, profile):
    """总分不等于预算执行得分加各指标得分之和。

    Why: 总分 is a sum; if it does not add up, either a score or the total was typed by hand. A form
    with no 总分 row but a 自评得分 in its header is held to what its rows can add up to.
    Fails: 执行得分 7.5 + 指标得分 90 = 97.5, 总分 99; 自评得分 98 when the scores add to 84 and the one
    unscored row weighs 10.
    Passes: 执行得分 9.36 + 指标得分 90 = 99.36, 总分 99.36.
    """
    printed, arith = num(form.project.get("total_score")), form.arith_total
    if printed is None:
        yield from _header_score_reachable(form, profile)
        return
    if arith is None:
        return
    if abs(printed - arith) > printed_tolerance(printed, profile["tolerances.points"]):
        es = num(form.project.get("exec_score")) or 0.0
        yield Hit(f"总分印为 {printed:g}，执行得分 {es:g} + 指标得分合计 {form.indicator_sum or 0:g} = {arith:.2f}",
                  field="total_score", expected=f"{arith:.2f}", actual=f"{printed:g}")


def _header_score_reachable(form, profile):
    """Without a 总分 row, a 自评得分 printed in the header must be reachable from the rows' scores.

    A row without a score may still add at most its 分值, or the inline weight of a 二级 group it
    is alone in; a placeholder row (指标2：) that is otherwise empty adds nothing. A row that could add
    an unknown amount leaves the check silent.
    """
    header = num(form.project.get("header_score"))
    if header is None:
        return
    rows = form.all_indicators
    groups: dict[tuple, int] = defaultdict(int)
    for i in rows:
        groups[(i["level1"], i["level2"])] += 1
    most = num(form.project.get("exec_score")) or 0.0
    for i in rows:
        if i.score is not None:
            most += i.score
        elif _PLACEHOLDER.match(str(i["name"] or "")) and not (i["target"] or i["actual"]):
            continue
        elif i.weight is not None:
            most += i.weight
        elif num(i["level2_weight"]) is not None and groups[(i["level1"], i["level2"])] == 1:
            most += num(i["level2_weight"])
        else:
            return
    if header > most + printed_tolerance(header, profile["tolerances.points"]):
        yield Hit(f"表头自评得分 {header:g} 超过各项得分可能的最高合计 {most:g}（已填得分之和，加上未填得分行的分值）",
                  field="header_score", expected=f"≤ {most:g}", actual=f"{header:g}")


_PLACEHOLDER = __import__("re").compile(r"^指标\d+[:：]?$")


@rule("SCORE-GRADE", severity="error", category="得分", needs=('scores',))
def score_grade(form, profile):
    """印出的评价等级（优/良/中/差）与总分所在的等级区间不符。

    Why: the grade bands are fixed by the profile (优 ≥ 90, 良 80–<90, 中 60–<80, 差 < 60); a grade
    that does not follow from the total changes how the project is ranked.
    Fails: 总分 85, 等级 优.
    Passes: 总分 97.5, 等级 优.
    """
    printed = str(form.project.get("grade", "") or "").strip()
    total = num(form.project.get("total_score"))
    if not printed or total is None:
        return
    want = profile.grade(total)
    if want and printed.rstrip("级等") != want:  # "优" or "优等"; "优良" is not "优"
        yield Hit(f"总分 {total:g} 应评为“{want}”，表中写为“{printed}”", field="grade", expected=want, actual=printed)


@rule("SCORE-MISSED-FULL", severity="warning", category="得分", needs=('scores',))
def score_missed_full(form, profile):
    """实际完成值未达到指标值，却给了满分。

    Why: full marks are for targets met; strict targets count strictly (“<1小时” is not met by
    1小时, “<100点” not by 100点).
    Fails: 指标值 <1小时, 实际完成值 1小时, 分值 5, 得分 5.
    Passes: 指标值 >=98%, 实际完成值 98%, 得分 = 分值.
    """
    for i in form.indicators:
        w, s = i.weight, i.score
        if i.met is False and w and s is not None and s >= w - 1e-9:
            yield Hit(f"指标“{i['name']}”目标 {i.goal.text}，实际 {i.actual.text}，未达标却得满分 {s:g}",
                      table="indicators", key=str(i.seq), field="score", expected=f"< {w:g}", actual=f"{s:g}")


@rule("SCORE-INFLATED", severity="warning", category="得分", needs=('scores', 'weights'))
def score_inflated(form, profile):
    """得分高于按口径公式计算的得分 0.5 分以上。

    Why: a missed target earns 实际/目标 × 分值 (positive targets) or 目标/实际 × 分值 (negative
    ones); a printed score above that is inflated.
    Fails: 指标值 >=100人, 实际 80人, 分值 10, 得分 10 (formula: 8).
    Passes: 指标值 >=100人, 实际 80人, 分值 10, 得分 8.
    """
    tol = profile["scoring.inflated_tolerance"]
    for i in form.indicators:
        if i.calc is None or i.score is None:
            continue
        if i.score > i.calc + tol:
            yield Hit(f"指标“{i['name']}”得分 {i.score:g}，按“{i.formula}”应为 {i.calc:.2f}", table="indicators",
                      key=str(i.seq), field="score", expected=f"{i.calc:.2f}", actual=f"{i.score:g}")


@rule("SCORE-QUAL-BAND", severity="error", category="得分", needs=('scores', 'weights'))
def score_qual_band(form, profile):
    """定性结果（达成/部分达成/未达成）与得分所在区间不符。

    Why: qualitative indicators are scored in bands (达成 80–100%, 部分达成 60–80%, 未达成 0–60% of
    分值); a 部分达成 with full marks, or a 达成 scored at 50%, contradicts itself.
    Fails: 实际完成值 部分达成, 分值 10, 得分 10.
    Passes: 实际完成值 达成年度指标, 分值 10, 得分 9.
    """
    bands = profile["scoring.qualitative"]
    for i in form.indicators:
        tier = i.actual.tier if i.actual.kind == "qualitative" else None
        if tier not in bands or not i.weight or i.score is None or not 0 <= i.score <= i.weight:
            continue  # a score outside 0–分值 is SCORE-RANGE's finding, not a band question
        lo, hi = bands[tier]
        share = i.score / i.weight
        if share < lo - 1e-9 or share > hi + 1e-9:
            yield Hit(f"指标“{i['name']}”结果为“{TIER_NAMES[tier]}”，得分 {i.score:g}/{i.weight:g} 不在 "
                      f"{lo:.0%}–{hi:.0%} 区间", table="indicators", key=str(i.seq), field="score",
                      expected=f"{lo * i.weight:g}–{hi * i.weight:g}", actual=f"{i.score:g}")


@rule("DEV-MISSING", severity="warning", category="得分")
def dev_missing(form, profile):
    """扣了分、未达标或大幅超额完成，却没有填写偏差原因。

    Why: 偏差原因分析及改进措施 is how a department explains a shortfall (or a target set too low);
    无, 暂无, / or 0 explain nothing.
    Fails: 指标值 <1小时, 实际 1小时, 偏差原因 empty; 得分 9.9 of 10 with 偏差原因 “无”.
    Passes: 得分 9.9 of 10, 偏差原因 “故障处理的及时性有待提高”.
    """
    ratio = profile["scoring.overshoot_ratio"]
    for i in form.indicators:
        w, s = i.weight, i.score
        lost = w is not None and s is not None and s < w - 1e-9
        over = (i.direction == "positive" and i.goal.kind == "number" and i.actual.kind == "number"
                and i.goal.comparable(i.actual) and i.goal.number and i.actual.number is not None
                and i.goal.number > 0 and (i.actual.money_wan() or i.actual.number) >= ratio * (i.goal.money_wan() or i.goal.number))
        if not (lost or i.met is False or over):
            continue
        if meaningful(i["deviation_reason"], profile):
            continue
        why = "扣分" if lost else ("未达标" if i.met is False else f"实际超过目标 {ratio:.0%}")
        yield Hit(f"指标“{i['name']}”{why}（目标 {i.goal.text}，实际 {i.actual.text}），未填写偏差原因",
                  table="indicators", key=str(i.seq), field="deviation_reason",
                  expected="说明偏差原因及改进措施", actual=i["deviation_reason"] or "（空）")


# ---------------------------------------------------------------------------------------------
# Row twins: the rules above that look at one indicator at a time, as column operations over
# facts.indicator_table. Each yields the hits its form rule yields, in the same order.


def _present(x) -> float | None:
    return None if x != x else x  # NaN (no value printed) is None, as in scoring.Indicator


@rows_of("SCORE-RANGE")
def _score_range_rows(t, profile):
    w, s = t["weight"].to_numpy(), t["score"].to_numpy()
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(s) & ((s < -1e-9) | (s > w + 1e-9))
    for r in t[bad].itertuples(index=False):
        w = _present(r.weight)
        bound = f"0–{w:g}" if w is not None else "≥ 0"
        yield r.form_id, Hit(f"指标“{r.name}”得分 {r.score:g} 超出 {bound} 分", table="indicators", key=r.key,
                             field="score", expected=bound, actual=f"{r.score:g}")


@rows_of("SCORE-MISSED-FULL")
def _score_missed_full_rows(t, profile):
    w, s = t["weight"].to_numpy(), t["score"].to_numpy()
    with np.errstate(invalid="ignore"):
        bad = t["missed"].to_numpy() & ~np.isnan(w) & (w != 0) & ~np.isnan(s) & (s >= w - 1e-9)
    for r in t[bad].itertuples(index=False):
        yield r.form_id, Hit(f"指标“{r.name}”目标 {r.goal_text}，实际 {r.actual_text}，未达标却得满分 {r.score:g}",
                             table="indicators", key=r.key, field="score", expected=f"< {r.weight:g}",
                             actual=f"{r.score:g}")


@rows_of("SCORE-INFLATED")
def _score_inflated_rows(t, profile):
    tol = profile["scoring.inflated_tolerance"]
    with np.errstate(invalid="ignore"):
        bad = t["score"].to_numpy() > t["calc"].to_numpy() + tol  # False where either is NaN
    for r in t[bad].itertuples(index=False):
        yield r.form_id, Hit(f"指标“{r.name}”得分 {r.score:g}，按“{r.formula}”应为 {r.calc:.2f}", table="indicators",
                             key=r.key, field="score", expected=f"{r.calc:.2f}", actual=f"{r.score:g}")


@rows_of("SCORE-QUAL-BAND")
def _score_qual_band_rows(t, profile):
    bands = profile["scoring.qualitative"]
    qual = (t["actual_kind"] == "qualitative").to_numpy()
    if not qual.any():
        return
    t = t[qual]
    codes, tiers = pd.factorize(t["actual_tier"], use_na_sentinel=False)
    lo = np.array([bands[x][0] if x in bands else np.nan for x in tiers] or [np.nan], dtype=np.float64)[codes]
    hi = np.array([bands[x][1] if x in bands else np.nan for x in tiers] or [np.nan], dtype=np.float64)[codes]
    w, s = t["weight"].to_numpy(), t["score"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        judged = ~np.isnan(lo) & ~np.isnan(w) & (w != 0) & ~np.isnan(s) & (s >= 0) & (s <= w)
        share = s / w
        bad = judged & ((share < lo - 1e-9) | (share > hi + 1e-9))
    for r in t[bad].itertuples(index=False):
        lo_, hi_ = bands[r.actual_tier]
        yield r.form_id, Hit(f"指标“{r.name}”结果为“{TIER_NAMES[r.actual_tier]}”，得分 {r.score:g}/{r.weight:g} 不在 "
                             f"{lo_:.0%}–{hi_:.0%} 区间", table="indicators", key=r.key, field="score",
                             expected=f"{lo_ * r.weight:g}–{hi_ * r.weight:g}", actual=f"{r.score:g}")


@rows_of("DEV-MISSING")
def _dev_missing_rows(t, profile):
    ratio = profile["scoring.overshoot_ratio"]
    w, s = t["weight"].to_numpy(), t["score"].to_numpy()
    g, a = t["goal_number"].to_numpy(), t["actual_number"].to_numpy()
    gm, am = t["goal_money"].to_numpy(), t["actual_money"].to_numpy()
    with np.errstate(invalid="ignore"):
        lost = ~np.isnan(w) & ~np.isnan(s) & (s < w - 1e-9)
        # `money or number`: an amount of 0 (or none) falls back to the number, as in the form rule
        got = np.where(np.isnan(am) | (am == 0), a, am)
        want = np.where(np.isnan(gm) | (gm == 0), g, gm)
        over = ((t["direction"] == "positive").to_numpy() & (t["goal_kind"] == "number").to_numpy()
                & (t["actual_kind"] == "number").to_numpy() & t["comparable"].to_numpy()
                & ~np.isnan(g) & (g != 0) & ~np.isnan(a) & (g > 0) & (got >= ratio * want))
    missed = t["missed"].to_numpy()
    sel = lost | missed | over
    for r, lost_, missed_ in zip(t[sel].itertuples(index=False), lost[sel], missed[sel]):
        if meaningful(r.deviation_reason, profile):
            continue
        why = "扣分" if lost_ else ("未达标" if missed_ else f"实际超过目标 {ratio:.0%}")
        yield r.form_id, Hit(f"指标“{r.name}”{why}（目标 {r.goal_text}，实际 {r.actual_text}），未填写偏差原因",
                             table="indicators", key=r.key, field="deviation_reason",
                             expected="说明偏差原因及改进措施", actual=r.deviation_reason or "（空）")
