"""A synthetic form's content before it is drawn: its funds, indicators and texts.

Everything is planned consistent (the numbers add up, the scores follow the formula in
``truth.py``, the texts name the points lost); ``anomalies.build_content`` then breaks it on
purpose. Randomness comes only from the ``random.Random`` passed in, so the same seed and form
key give the same content.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Callable, Sequence

from .catalogue import (
    BUDGET_RANGES, COST, COST_NAMES, DEVIATION_REASONS, DOMAIN_INDICATORS, ECO, ECON, EFFECT,
    EFFECT_DONE, EXPERIENCE, GENERIC_INDICATORS, GOAL_DONE, LEVEL1_OF, LEVEL2_ORDER, OUTPUT, QLT,
    QTY, SAT, SATISFACTION, SATISFACTION_NAMES, SOC, SUGGEST_BUDGET, SUGGEST_DECISION,
    SUGGEST_FUNDS, SUGGEST_MANAGEMENT, SUST, TIME, Department, IndicatorTemplate,
)
from .truth import compute_rates, copied_share, dtext, effective_target, met, q2, true_rate

if TYPE_CHECKING:
    from .anomalies import Mark


# --------------------------------------------------------------------------------------------
# The planned form


@dataclass
class FundLine:
    """One row of 项目资金 (amounts in 万元 before any scaling)."""

    source: str
    label: str  # as printed (with leading spaces)
    initial: Decimal
    full: Decimal
    executed: Decimal
    weight: int | None = None  # 10 on the total row
    rate: Decimal | None = None
    score: Decimal | None = None
    printed_zero: bool = False  # FUND-SUM: the row prints 0 for every amount


@dataclass
class Indicator:
    """One 三级指标 with its structured values; texts are formatted at render time."""

    level1: str
    level2: str
    name: str
    kind: str  # quant | qual | date
    op: str = ""  # canonical: = >= <= < >
    unit: str = ""
    target: Decimal | None = None
    actual: Decimal | None = None
    word: str = ""  # qualitative or date target text
    actual_word: str = ""
    weight: int = 0
    score: Decimal = Decimal(0)
    deviation: str = ""
    adjusted: Decimal | None = None  # 调整后指标值 (same op and unit)
    cost: bool = False
    target_places: int | None = None  # print the target with this many decimals ("3.50万元")
    fixed_score: bool = False  # an anomaly set the score; do not recompute
    op_in_actual: bool = False


@dataclass
class FormContent:
    """One form as planned: header facts, funds, indicators, texts, and what anomalies changed."""

    key: str
    dept: Department
    domain: str
    year: int
    project_name: str
    unit: str
    goal_expected: str
    goal_actual: str = ""
    experience: str = ""
    problems: str = ""
    suggestions: dict[str, str] = field(default_factory=dict)
    funds: list[FundLine] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    amount_scale: int = 1  # COST-UNIT-SCALE prints amounts in 元
    exec_score_override: Decimal | None = None
    total_rate_override: Decimal | None = None
    total_score_delta: Decimal = Decimal(0)
    anomalies: list[str] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    text_placeholder: str = ""  # STR-PLACEHOLDER in a text field: the field name
    variants: set[str] = field(default_factory=set)
    options: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> FundLine:
        return self.funds[0]

    @property
    def exec_score(self) -> Decimal:
        if self.exec_score_override is not None:
            return self.exec_score_override
        return self.total.score or Decimal(0)

    @property
    def total_score(self) -> Decimal:
        return self.exec_score + sum(i.score for i in self.indicators) + self.total_score_delta

    @property
    def lost_points(self) -> bool:
        """Points lost on the recomputed execution score or on any indicator."""
        true_exec = self.total.score if self.total.score is not None else Decimal(0)
        return true_exec < 10 or any(i.score < i.weight for i in self.indicators)


def cost_inds(content: FormContent) -> list[Indicator]:
    return [i for i in content.indicators if i.cost]


def first_indicator(content: FormContent, pred: Callable[[Indicator], bool]) -> Indicator | None:
    return next((i for i in content.indicators if pred(i)), None)


def ordered(indicators: list[Indicator]) -> list[Indicator]:
    """Group rows by 一级 then 二级 (stable), as the forms print them."""
    rank = {lv: i for i, lv in enumerate(LEVEL2_ORDER)}
    l1_rank = {OUTPUT: 0, EFFECT: 1, SATISFACTION: 2}
    return sorted(indicators, key=lambda i: (l1_rank.get(i.level1, 3), rank.get(i.level2, 9)))


def short_name(project: str) -> str:
    """A short form of a project name for inserting into texts."""
    text = re.sub(r"[（(][^）)]*[）)]", "", project)
    text = re.sub(r"^\d{4}年度?", "", text)
    return text[:14] or project[:14]


def decimal_places(value: Decimal) -> int:
    exp = value.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


# --------------------------------------------------------------------------------------------
# Amounts


def _rand_amount(rng: random.Random, lo: float, hi: float, decimals: int) -> Decimal:
    """A log-uniform amount in [lo, hi] with ``decimals`` places (at least 0.01)."""
    x = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    step = Decimal(1).scaleb(-decimals)
    return max(Decimal(repr(x)).quantize(step, rounding=ROUND_HALF_UP), step)


def _rand_decimals(rng: random.Random) -> int:
    return rng.choices((0, 1, 2, 3, 4), weights=(30, 15, 40, 8, 7))[0]


def _split_amount(total: Decimal, n: int, rng: random.Random, places: int) -> list[Decimal]:
    """Split ``total`` into ``n`` positive parts with ``places`` decimals, summing exactly."""
    step = Decimal(1).scaleb(-places)
    if n == 1 or total < step * n:
        return [total] + [Decimal(0)] * (n - 1)
    shares = sorted(rng.uniform(0.15, 0.85) for _ in range(n - 1))
    parts, prev = [], Decimal(0)
    for s in shares:
        cut = (total * Decimal(repr(s))).quantize(step, rounding=ROUND_HALF_UP)
        cut = min(max(cut, prev + step), total - step)
        parts.append(cut - prev)
        prev = cut
    parts.append(total - prev)
    return parts


# --------------------------------------------------------------------------------------------
# Funds


_STANDARD_LABELS = (
    ("central", "    其中：中央财政资金"),
    ("provincial", "          省级财政资金"),
    ("local", "          市县(区)财政资金"),
    ("carryover", "          上年结转资金"),
    ("other", "          其他资金"),
)


def _fund_labels(content: FormContent) -> list[tuple[str, str]]:
    if "fund-current-year" in content.variants:
        label = content.options.setdefault("fund_label", "当年财政拨款")
        return [("current_year", f"    其中：{label}"), ("carryover", "          上年结转资金"),
                ("other", "          其他资金")]
    labels = list(_STANDARD_LABELS)
    if "fullwidth-punct" in content.variants:
        labels[2] = ("local", "          市县（区）财政资金")
    return labels


def plan_funds(content: FormContent, rng: random.Random, rate_kind: str) -> None:
    """The fund block: children hold the money, the total row sums them."""
    labels = _fund_labels(content)
    sources = [s for s, _ in labels]
    main = "local" if "local" in sources else "current_year"
    holders = [main]
    for extra in ("central", "provincial", "carryover", "other"):
        if extra in sources and rng.random() < 0.18:
            holders.append(extra)
    lo, hi = BUDGET_RANGES[content.domain]
    decimals = _rand_decimals(rng)
    lines = []
    for source, label in labels:
        full = _rand_amount(rng, lo, hi, decimals) if source in holders else Decimal(0)
        if source != main and full:
            full = _rand_amount(rng, lo / 3, hi / 3, decimals)
        lines.append(FundLine(source, label, full, full, full))
    if rng.random() < 0.15:  # budget adjusted during the year (FUND-ADJUSTED, info)
        line = next(l for l in lines if l.source == main)
        line.initial = _rand_amount(rng, float(line.full) * 0.7, float(line.full) * 0.95, decimals)
    ratio = {"full": 1.0, "high": rng.uniform(0.9, 0.9995), "mid": rng.uniform(0.8, 0.9),
             "over": rng.uniform(1.02, 1.15), "zero": 0.0,
             "gap": rng.uniform(0.85, 0.97)}[rate_kind]
    step = Decimal(1).scaleb(-max(decimals, 2))
    for line in lines:
        line.executed = (line.full * Decimal(repr(ratio))).quantize(step, rounding=ROUND_HALF_UP)
        if rate_kind in ("high", "mid", "gap") and line.full and line.executed == line.full:
            line.executed -= step
        line.executed = Decimal(dtext(line.executed))
    total_label = "年度资金总额：" if "fund-total-colon" in content.variants else "年度资金总额"
    total = FundLine("total", total_label,
                     sum(l.initial for l in lines), sum(l.full for l in lines),
                     sum(l.executed for l in lines), weight=10)
    content.funds = [total] + lines
    compute_rates(content)


# --------------------------------------------------------------------------------------------
# Indicators


def _ind_from_template(t: IndicatorTemplate, rng: random.Random, year: int) -> Indicator:
    level1 = LEVEL1_OF[t.level2]
    if t.kind == "qual":
        return Indicator(level1, t.level2, t.name, "qual", word=t.word, actual_word=t.word)
    if t.kind == "date":
        word = rng.choice((f"{year}年12月底前", f"{year}年1月1日—12月底"))
        actual = word if "—" in word else f"{year}年12月"
        return Indicator(level1, t.level2, t.name, "date", word=word, actual_word=actual)
    if t.unit == "M":
        value = Decimal(rng.choice((100, 200, 500, 1000)))
    elif t.lo == t.hi:
        value = Decimal(repr(t.lo)).normalize()
    elif t.unit == "%":
        value = Decimal(rng.randint(int(t.lo), int(t.hi)))
    else:
        value = Decimal(int(math.exp(rng.uniform(math.log(t.lo), math.log(t.hi)))))
        if value >= 100:  # plans use round numbers
            value = (value / 10).to_integral_value() * 10
    return Indicator(level1, t.level2, t.name, "quant", op=t.op, unit=t.unit,
                     target=value, actual=value)


def _split_weights(total: int, n: int, rng: random.Random, cap: int = 20) -> list[int]:
    """Integer weights summing to ``total``, in steps of 5 when they fit, none above ``cap``."""
    if n == 1:
        return [total]
    step = 5 if n * 5 <= total and total % 5 == 0 and rng.random() < 0.75 else 1
    base = 5 if step == 5 else max(3, min(5, total // n))
    weights = [base] * n
    remaining = total - base * n
    cap = max(cap, math.ceil(total / n))
    while remaining > 0:
        i = rng.randrange(n)
        if weights[i] + step <= cap:
            weights[i] += step
            remaining -= step
    return weights


def _pick_templates(domain: str, project: str,
                    rng: random.Random) -> dict[str, list[IndicatorTemplate]]:
    pool = [t for t in DOMAIN_INDICATORS[domain] + GENERIC_INDICATORS
            if not t.only or any(k in project for k in t.only)]
    by_level2: dict[str, list[IndicatorTemplate]] = {}
    for t in pool:
        by_level2.setdefault(t.level2, []).append(t)
    for level2 in by_level2:
        rng.shuffle(by_level2[level2])
    return by_level2


def plan_indicators(content: FormContent, rng: random.Random) -> None:
    """6–12 indicators: every 产出 category, 1–3 效益, one 满意度; weights 50/30/10."""
    pool = _pick_templates(content.domain, content.project_name, rng)
    n_out = rng.randint(4, 7)
    n_eff = rng.randint(1, 3)
    extra_out = n_out - 4
    chosen: list[Indicator] = []
    counts = {QTY: 1, QLT: 1, TIME: 1, COST: 1}
    for _ in range(extra_out):
        counts[rng.choice((QTY, QTY, QLT, QLT, COST))] += 1
    counts[COST] = min(counts[COST], 2)
    for level2 in (QTY, QLT, TIME):
        for t in pool.get(level2, [])[: counts[level2]]:
            chosen.append(_ind_from_template(t, rng, content.year))
    chosen.extend(_plan_costs(content, rng, counts[COST]))
    effect_levels = [lv for lv in (ECON, SOC, ECO, SUST) if pool.get(lv)]
    eff_picks: list[IndicatorTemplate] = []
    used: set[str] = set()
    for i in range(n_eff):
        level2 = SOC if i == 0 and pool.get(SOC) else rng.choice(effect_levels)
        options = [t for t in pool[level2] if t.name not in used]
        if options:
            eff_picks.append(options[0])
            used.add(options[0].name)
    chosen.extend(_ind_from_template(t, rng, content.year) for t in eff_picks)
    chosen.append(_plan_satisfaction(content, rng))
    _assign_weights(chosen, rng)
    content.indicators = ordered(chosen)


def _plan_satisfaction(content: FormContent, rng: random.Random) -> Indicator:
    name = rng.choice(SATISFACTION_NAMES[content.domain])
    target = Decimal(rng.choice((85, 90, 90, 95, 95, 96, 97, 98)))
    return Indicator(SATISFACTION, SAT, name, "quant", op=">=", unit="%",
                     target=target, actual=target)


def _assign_weights(indicators: list[Indicator], rng: random.Random) -> None:
    for level1, total in ((OUTPUT, 50), (EFFECT, 30), (SATISFACTION, 10)):
        group = [i for i in indicators if i.level1 == level1]
        if group:
            for ind, w in zip(group, _split_weights(total, len(group), rng)):
                ind.weight = w


def _plan_costs(content: FormContent, rng: random.Random, n: int) -> list[Indicator]:
    """成本指标 in 万元 splitting the full-year budget; actuals split the executed amount."""
    total = content.total
    places = max(2, decimal_places(total.full))
    names = list(COST_NAMES[content.domain])
    rng.shuffle(names)
    n = 1 if total.full < Decimal("0.1") else n
    targets = _split_amount(total.full, n, rng, places)
    costs = []
    for name, target in zip(names, targets):
        ind = Indicator(OUTPUT, COST, name, "quant", op="<=", unit="万元", target=target,
                        actual=target, cost=True)
        if rng.random() < 0.15 and decimal_places(target) <= 2:
            ind.target_places = 2
        costs.append(ind)
    _set_cost_actuals(costs, min(total.executed, total.full))
    if total.executed == total.full and rng.random() < 0.3:
        for ind in costs:
            ind.op = "="
    return costs


def _set_cost_actuals(costs: list[Indicator], spent: Decimal) -> None:
    """Actuals proportional to targets, summing exactly to ``spent``, none above its target."""
    budget = sum(c.target for c in costs) or Decimal(1)
    places = max([decimal_places(c.target) for c in costs] + [decimal_places(spent), 2])
    step = Decimal(1).scaleb(-places)
    remaining = spent
    for i, c in enumerate(costs):
        if i == len(costs) - 1:
            c.actual = remaining
        else:
            share = (c.target * spent / budget).quantize(step, rounding=ROUND_HALF_UP)
            c.actual = min(share, c.target, remaining)
            remaining -= c.actual
    overflow = costs[-1].actual - costs[-1].target
    for c in costs[:-1]:
        if overflow <= 0:
            break
        room = min(c.target - c.actual, overflow)
        c.actual += room
        costs[-1].actual -= room
        overflow -= room


def realise_actuals(content: FormContent, rng: random.Random, n_missed: int) -> None:
    """Turn planned targets into actual values: most met (some overshoot), ``n_missed`` missed."""
    candidates = [i for i in content.indicators if not i.cost and i.level1 != SATISFACTION]
    missed = set(id(i) for i in rng.sample(candidates, min(n_missed, len(candidates))))
    for ind in content.indicators:
        if ind.cost:
            continue
        if id(ind) in missed:
            miss(ind, rng)
        else:
            _meet(ind, rng)


_COUNT_UNITS = ("人", "个", "次", "条", "套", "台", "所", "座", "处", "场", "户", "人次")


def _meet(ind: Indicator, rng: random.Random) -> None:
    """A met actual: ``=`` exactly, ``>=`` at or a little above (never 130%), ``<`` strictly."""
    if ind.kind != "quant":
        if ind.kind == "qual" and rng.random() < 0.35:
            ind.actual_word = rng.choice(("达成年度指标", "已达成", "已完成"))
        return
    t = ind.target
    if ind.op == ">=":
        if ind.unit == "%":
            room = Decimal(100) - t
            bump = Decimal(repr(rng.choice((0, 0.5, 1, 1.5, 2, 3))))
            if ind.level1 == SATISFACTION:
                bump = max(bump, Decimal("0.5"))
            ind.actual = min(Decimal(100), t + bump) if room > 0 else t
        else:
            factor = Decimal(repr(rng.choice((1, 1, 1.02, 1.05, 1.1))))
            ind.actual = max((t * factor).to_integral_value(), t)
    elif ind.op in ("<=", "<"):
        if ind.unit in _COUNT_UNITS:
            ind.actual = t - 1 if (t >= 2 and (ind.op == "<" or rng.random() < 0.5)) else t
        elif ind.op == "<" or rng.random() < 0.5:
            value = (t * Decimal(repr(rng.uniform(0.4, 0.9)))).quantize(Decimal("0.1"))
            ind.actual = Decimal(dtext(value if Decimal(0) < value < t else t / 2))
        else:
            ind.actual = t
    else:
        ind.actual = t


def miss(ind: Indicator, rng: random.Random) -> None:
    if ind.kind == "date":
        ind.kind, ind.word = "qual", "按期完成"
        ind.actual_word = "部分达成"
    elif ind.kind == "qual":
        ind.actual_word = "部分达成"
    elif ind.op in ("<=", "<"):
        if ind.unit in _COUNT_UNITS:
            ind.actual = ind.target + 1
        else:
            over = ind.target * Decimal(repr(rng.uniform(1.05, 1.25)))
            ind.actual = Decimal(dtext(q2(over)))
    else:
        factor = Decimal(repr(rng.uniform(0.85, 0.98)))
        if ind.unit == "%":
            ind.actual = Decimal(dtext(q2(ind.target * factor).quantize(Decimal("0.1"))))
        else:
            ind.actual = min((ind.target * factor).to_integral_value(), ind.target - 1)
    ind.deviation = rng.choice(DEVIATION_REASONS)


def avoid_copied(content: FormContent, rng: random.Random, frozen: set[int]) -> None:
    """Keep forms off VAL-COPIED: some ``=`` plans read ``>=`` and overshoot a little, some
    cost lines come in under budget. Indicators an anomaly relies on (``frozen``) stay as they are.
    """
    quant = [i for i in content.indicators
             if i.kind == "quant" and id(i) not in frozen and not i.fixed_score]
    for ind in [i for i in quant if i.op == "=" and not i.cost]:
        if copied_share(content) < 0.7:
            return
        if ind.unit == "%" and ind.target >= 99:
            continue
        if ind.unit != "%" and ind.target < 10:
            continue  # +1 on a small count would overshoot by 10% or more
        ind.op = ">="
        if ind.unit == "%":
            ind.actual = ind.target + Decimal("0.5")
        else:
            bump = max(Decimal(1), (ind.target * Decimal("0.05")).to_integral_value())
            ind.actual = ind.target + bump
    for ind in [i for i in quant if i.cost and i.actual == effective_target(i)]:
        if copied_share(content) < 0.7:
            return
        target = effective_target(ind)
        step = Decimal(1).scaleb(-max(2, decimal_places(target)))
        if target > step * 10:
            ind.op = "<="
            ind.actual = target - step * rng.randint(1, 9)


def plan_adjusted(c: FormContent, rng: random.Random) -> None:
    """When the budget was adjusted, cost targets were planned on 年初预算数 and adjusted later."""
    total = c.total
    if "no-adjusted" in c.variants or total.initial == total.full:
        return
    for ind in cost_inds(c):
        ind.adjusted = ind.target
        ind.target = Decimal(dtext(q2(ind.target * total.initial / total.full)))


def plan_operator_in_actual(c: FormContent, rng: random.Random) -> None:
    if "operator-in-actual" not in c.variants:
        return
    quant = [i for i in c.indicators
             if i.kind == "quant" and i.op in (">=", "<=") and met(i) and not i.fixed_score]
    for ind in rng.sample(quant, max(1, len(quant) // 2)) if quant else []:
        ind.op_in_actual = True


# --------------------------------------------------------------------------------------------
# Texts


def _compose(parts: Sequence[Sequence[str]], rng: random.Random, short: str, sep="，") -> str:
    return sep.join(rng.choice(p) for p in parts).replace("{s}", short) + "。"


def _unique(make: Callable[[], str], used: set[str]) -> str:
    text = make()
    for _ in range(8):
        if text not in used:
            break
        text = make()
    used.add(text)
    return text


def plan_texts(content: FormContent, rng: random.Random, used: dict[str, set[str]]) -> None:
    """Conclusion texts that agree with the numbers (problems named when points were lost)."""
    short = short_name(content.project_name)
    has_sat = any("满意" in i.name and i.level1 == SATISFACTION for i in content.indicators)
    survey = ""
    if has_sat:
        n = rng.choice((50, 80, 100, 120, 150, 200, 300))
        survey = f"发放满意度调查问卷{n}份，收回有效问卷{n - rng.randint(0, 5)}份"
    bare = rng.random() < 0.3
    if bare:
        content.goal_actual = "已完成"
    else:
        text = rng.choice(GOAL_DONE).format(s=short, e=EFFECT_DONE[content.domain])
        content.goal_actual = text[:-1] + (f"；{survey}。" if survey else "。")
    exp = _unique(lambda: _compose(EXPERIENCE, rng, short), used["experience"])
    if bare and survey:
        exp = exp[:-1] + f"；{survey}。"
    content.experience = exp
    content.problems = _problems_text(content, rng)
    s = content.suggestions
    s["decision"] = _unique(lambda: _compose(SUGGEST_DECISION, rng, short), used["decision"])
    s["budget"] = _unique(lambda: _compose(SUGGEST_BUDGET, rng, short), used["budget"])
    s["funds"] = _unique(lambda: _compose(SUGGEST_FUNDS, rng, short), used["funds"])
    s["management"] = _unique(lambda: _compose(SUGGEST_MANAGEMENT, rng, short),
                              used["management"])
    s["other"] = "无" if rng.random() < 0.85 else f"继续做好{short}绩效跟踪管理。"
    s["remarks"] = "无"


def _problems_text(content: FormContent, rng: random.Random) -> str:
    if not content.lost_points and (content.total.rate or 0) >= 90:
        return "无"
    parts = []
    rate = true_rate(content)
    if rate < 100:
        parts.append(f"部分资金尚未支付，预算执行率为{dtext(rate)}%，未达到100%")
    missed = [i for i in content.indicators if i.score < i.weight]
    if missed:
        parts.append(f"{missed[0].name}未完全达到年度指标值")
    if not parts:
        parts.append("项目前期准备不够充分，绩效目标设置还需进一步细化")
    return "；".join(parts) + "。"
