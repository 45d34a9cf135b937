"""Recompute every score of a form next to the printed one, under a profile's formulas.

One pass per form over plain dicts (the rules read the same ``Form`` objects). For each form:
执行率 from the amounts (from the ``其中`` rows when the total row disagrees with them), the
execution score, each indicator's score and the formula used, 总分 and grade. Printed values are
kept beside the recomputed ones; nothing is overwritten.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from . import schema
from .profile import Profile
from .targets import Value, direction, meets, parse_value

AMOUNTS = ("budget_initial", "budget_full_year", "executed")
_NATURE_OPS = {"正向": ">=", "反向": "<=", "≥": ">=", "≤": "<=", ">=": ">=", "<=": "<="}


def num(x) -> float | None:
    """A loaded number, or None for NaN/None."""
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def full_budget(row: dict) -> float | None:
    """The budget a rate is computed against: 全年预算数, or 年初预算数 on a form that prints no 全年预算数."""
    full = num(row.get("budget_full_year"))
    return full if full is not None else num(row.get("budget_initial"))


def matches_printed(printed: float, exact: float) -> bool:
    """A printed value is the exact one rounded or truncated to the decimals it shows.

    86.183 printed as 86.18 (rounded or truncated) matches; as 86.19 it does not. A value printed
    without decimals may be rounded to an integer (half a point either way).
    """
    d = decimals(printed)
    if d == 0:
        return abs(printed - exact) <= 0.5 + 1e-9
    unit = 10.0 ** -d
    eps = unit * 1e-6  # 7.05 / 8 is 88.12499999… in floating point: 88.13 is its rounding
    rounded = abs(printed - exact) <= unit / 2 + eps
    truncated = -eps <= exact - printed < unit + eps
    return rounded or truncated


def decimals(x: float | None) -> int:
    """Decimals a number shows in its shortest form: 93.63 → 2, 75.0 → 0, 7.5 → 1."""
    if x is None:
        return 0
    s = repr(round(float(x), 10))  # 0.8619 × 100 is 86.19000000000001: it shows 2 decimals
    if "e" in s or "E" in s:
        return 6
    whole, _, frac = s.partition(".")
    frac = frac.rstrip("0")
    return len(frac)


def printed_tolerance(printed: float | None, extra: float = 0.0) -> float:
    """How far a printed value may be from the exact one and still be "the same".

    Forms round, and some truncate, to what they print: one unit in the last printed decimal.
    A value printed without decimals is taken as rounded to an integer (half a unit): an integer
    cannot say whether it was rounded, and truncating to integers is not a convention forms use.
    """
    d = decimals(printed)
    if d == 0:  # 四舍五入 to an integer moves a value by less than half a point
        return 0.5 - 1e-9
    return 10.0 ** -d + extra + 1e-9


@dataclass
class Indicator:
    """One indicator row with its parsed values and recomputed score."""

    row: dict
    target: Value
    adjusted: Value
    actual: Value
    goal: Value  # the target that counts: 调整后指标值 when printed, else 年度指标值
    met: bool | None = None
    direction: str | None = None
    calc: float | None = None
    formula: str = ""
    tier: str | None = None
    # what the texts alone decide (``_judge``), shared by the indicators printing the same texts
    judged: tuple | None = field(default=None, repr=False, compare=False)
    seq: int = field(init=False)
    weight: float | None = field(init=False)  # read once: rules ask for them many times
    score: float | None = field(init=False)

    def __post_init__(self) -> None:
        self.seq = int(self.row["seq"])
        self.weight = num(self.row["weight"])
        self.score = num(self.row["score"])

    def __getitem__(self, key):
        return self.row[key]

    def is_error(self, fld: str) -> bool:
        """The form prints this field as an Excel error (``#DIV/0!`` …): its value is unknown, not missing."""
        marks = str(self.row.get("cell_errors") or "")
        return bool(marks) and any(m.split("=", 1)[0] == fld for m in marks.split(","))


@dataclass
class Form:
    """Everything the rules need about one form, read once."""

    form_id: str
    project: dict
    funds: list[dict]
    indicators: list[Indicator]
    total: dict | None = None
    children: list[dict] = field(default_factory=list)
    child_sums: dict = field(default_factory=dict)
    total_consistent: bool = True
    rate_basis: str = "total"  # "total" or "children"
    full_year: float | None = None  # the amounts the rate is computed from
    executed: float | None = None
    rate: float | None = None  # recomputed 执行率, percent
    exec_score: float | None = None
    indicator_sum: float | None = None  # Σ printed 得分
    indicator_calc: float | None = None  # Σ recomputed 得分 (printed where not computable)
    weight_sum: float | None = None  # Σ indicator 分值
    arith_total: float | None = None  # printed execution score + Σ printed indicator scores
    total_calc: float | None = None
    grade_calc: str = ""
    convention: frozenset = frozenset()  # the form's scoring convention tokens (exec-10, no-weights …)
    profile_name: str = ""  # the profile the form was audited with
    breakdowns: list[Indicator] = field(default_factory=list)  # 其中… rows: counted in sums, not audited

    @property
    def all_indicators(self) -> list[Indicator]:
        """Indicators and their breakdown rows, in form order (for sums of 分值 and 得分)."""
        return sorted(self.indicators + self.breakdowns, key=lambda i: i.seq)

    @property
    def department(self) -> str:
        return self.project.get("department", "")


def score_form(project: dict, funds: list[dict], rows: list[dict], profile: Profile, memo: dict | None = None) -> Form:
    """The form scored under ``profile``. ``memo`` (one dict per profile, kept by the caller across
    forms) holds what was judged of each distinct target/actual text."""
    scored = [_score_indicator(r, profile, memo) for r in rows]
    inds = [i for i in scored if num(i.row.get("parent")) is None]
    f = Form(form_id=project["form_id"], project=project, funds=funds, indicators=inds,
             breakdowns=[i for i in scored if num(i.row.get("parent")) is not None],
             convention=frozenset(t for t in str(project.get("convention") or "").split(",") if t),
             profile_name=profile.name)
    _execution(f, profile)
    weights = [i.weight for i in scored if i.weight is not None]
    scores = [i.score for i in scored if i.score is not None]
    f.weight_sum = sum(weights) if weights else None
    f.indicator_sum = sum(scores) if scores else None
    calcs = [i.calc if i.calc is not None else i.score for i in scored]
    calcs = [c for c in calcs if c is not None]
    f.indicator_calc = sum(calcs) if calcs else None
    es = num(project.get("exec_score"))
    if f.indicator_sum is not None or es is not None:
        f.arith_total = (es or 0.0) + (f.indicator_sum or 0.0)
    if f.exec_score is not None or f.indicator_calc is not None:
        f.total_calc = (f.exec_score if f.exec_score is not None else (es or 0.0)) + (f.indicator_calc or 0.0)
    f.grade_calc = profile.grade(f.total_calc)
    return f


def _execution(f: Form, profile: Profile) -> None:
    tol = profile["tolerances.money"]
    total = next((x for x in f.funds if x["source"] == "total"), None)
    children = [x for x in f.funds if x["source"] != "total"]
    f.total, f.children = total, children
    for col in AMOUNTS:
        vals = [num(c[col]) for c in children]
        vals = [v for v in vals if v is not None]
        f.child_sums[col] = sum(vals) if vals else None
    if total is not None and children:
        f.total_consistent = all(
            num(total[col]) is None or f.child_sums[col] is None or abs(num(total[col]) - f.child_sums[col]) <= tol
            for col in AMOUNTS
        )
    basis = "total"
    full, done = (full_budget(total), num(total["executed"])) if total else (None, None)
    if not f.total_consistent and (f.child_sums.get("budget_full_year") or f.child_sums.get("executed")):
        basis, full, done = "children", f.child_sums["budget_full_year"], f.child_sums["executed"]
    f.rate_basis, f.full_year, f.executed = basis, full, done
    if full is not None and done is not None and full > tol:
        f.rate = done / full * 100
    else:
        f.rate = None  # nothing budgeted (or amounts missing): no rate to score
    weight = num(f.project.get("exec_weight"))
    if weight is not None:
        cap = profile["execution.score_cap"]
        if f.rate is not None:
            f.exec_score = min(f.rate, cap) / 100 * weight
        elif full is not None and done is not None and abs(full) <= tol and abs(done) <= tol:
            f.exec_score = 0.0  # nothing budgeted and nothing spent earns no execution points
        else:
            f.exec_score = None  # the amounts are missing: the score cannot be recomputed


def _score_indicator(row: dict, profile: Profile, memo: dict | None = None) -> Indicator:
    texts = (row.get("target", ""), row.get("adjusted_target", ""), row.get("actual", ""),
             str(row.get("nature", "")).strip()[:2])
    # what follows from the texts alone is judged once per distinct texts: a province's forms print
    # the same few hundred targets and actuals thousands of times
    judged = memo.get(texts) if memo is not None else None
    if judged is None:
        judged = _judge(*texts, profile)
        if memo is not None:
            memo[texts] = judged
    target, adjusted, actual, goal, way, met, (tier, factor, formula) = judged
    ind = Indicator(row=row, target=target, adjusted=adjusted, actual=actual, goal=goal, met=met, direction=way,
                    judged=judged)
    w = ind.weight
    if w is None:
        ind.formula = "分值缺失，无法计算"
        return ind
    ind.tier, ind.formula = tier, formula
    if factor is not None:
        ind.calc = w if factor == "full" else factor * w
    return ind


def _judge(target_text, adjusted_text, actual_text, nature: str, profile: Profile) -> tuple:
    """The parsed values, direction and verdict of one indicator's texts, and how its score follows
    from its 分值: ``(tier, factor, formula)``, the score being ``factor × 分值`` ("full": the 分值
    itself; None: not computable)."""
    target = parse_value(target_text)
    adjusted = parse_value(adjusted_text)
    actual = parse_value(actual_text)
    goal = adjusted if adjusted.kind != "empty" else target
    if goal.kind == "number" and goal.op is None:
        # a bare number takes its direction from the 指标性质 column when the form has one
        op = _NATURE_OPS.get(nature)
        if op:
            goal = replace(goal, op=op)
    way = direction(goal)
    met = meets(goal, actual)
    return target, adjusted, actual, goal, way, met, _recipe(goal, actual, way, met, profile)


def _recipe(goal: Value, actual: Value, way: str | None, met: bool | None, profile: Profile) -> tuple:
    if goal.kind == "number" and actual.kind == "number":
        if not goal.comparable(actual):
            return None, None, "目标与实际单位不一致，无法计算"
        if met:
            return None, "full", "达标：满分"
        g, a = _amount(goal), _amount(actual)
        if g is None or a is None:
            return None, None, "无法计算"
        if way == "positive" or (way in ("equal", None) and a < g):
            ratio = a / g if g else 0.0
            formula = "未达标（正向）：实际/目标×分值"
        elif profile["scoring.negative_formula"] == "linear":
            ratio = max(0.0, 1 - (a - g) / g) if g else 0.0
            formula = "未达标（反向）：线性扣分，超出一倍为0"
        else:
            ratio = g / a if a else 0.0
            formula = "未达标（反向）：目标/实际×分值"
        return None, max(0.0, min(1.0, ratio)), formula
    if goal.kind in ("qualitative", "frequency", "period") or actual.kind == "qualitative":
        if actual.kind == "number" and actual.dimension == "percent" and actual.number is not None:
            ratio = max(0.0, min(1.0, actual.number / 100))
            return ("achieved" if ratio >= 1 - 1e-9 else None), ratio, "定性目标：按完成比例 实际%×分值"
        tier = actual.tier
        if tier is None and met:
            tier = "achieved"
        if tier in profile["scoring.qualitative"]:
            lo, hi = profile["scoring.qualitative"][tier]
            label = {"achieved": "达成", "partial": "部分达成", "not": "未达成"}[tier]
            return tier, hi, f"定性：{label}（{lo * 100:.0f}–{hi * 100:.0f}%分值）"
        return tier, None, "无法计算"
    return None, None, "无法计算"


def _amount(v: Value) -> float | None:
    m = v.money_wan()
    return m if m is not None else v.number


# ---------------------------------------------------------------------------------------------
# DataFrames for the reviewer: printed and recomputed side by side


def form_scores_frame(forms: list[Form]):
    """One row per form, the columns of ``schema.table("form_scores")`` (read at call time)."""
    import pandas as pd

    columns = schema.table("form_scores").columns
    rows = []
    for f in forms:
        p = f.project
        made = {
            "form_id": f.form_id,
            "profile": f.profile_name,
            "department": p.get("department", ""),
            "project_name": p.get("project_name", ""),
            "exec_rate_printed": num(p.get("exec_rate")),
            "exec_rate_recomputed": f.rate,
            "exec_rate_basis": "其中各行合计" if f.rate_basis == "children" else "年度资金总额",
            "exec_score_printed": num(p.get("exec_score")),
            "exec_score_recomputed": f.exec_score,
            "indicator_score_printed": f.indicator_sum,
            "indicator_score_recomputed": f.indicator_calc,
            "total_printed": num(p.get("total_score")),
            "total_arithmetic": f.arith_total,
            "total_recomputed": f.total_calc,
            "grade_printed": p.get("grade", ""),
            "grade_recomputed": f.grade_calc,
        }
        # a column the schema adds is the form's loaded field of that name
        rows.append({c.name: made[c.name] if c.name in made else p.get(c.name) for c in columns})
    return _typed(pd.DataFrame(rows, columns=[c.name for c in columns]), columns)


def indicator_scores_frame(forms: list[Form]):
    """One row per indicator, the columns of ``schema.table("indicator_scores")`` (read at call time)."""
    import pandas as pd

    columns = schema.table("indicator_scores").columns
    rows = []
    for f in forms:
        for i in f.indicators:
            g, a = i.goal, i.actual
            made = {
                "form_id": f.form_id, "seq": i.seq, "level1": i["level1"], "level2": i["level2"], "name": i["name"],
                "target": i["target"], "adjusted_target": i["adjusted_target"], "actual": i["actual"],
                "target_kind": g.kind, "target_op": g.op or "", "target_number": g.number, "target_unit": g.unit,
                "actual_kind": a.kind, "actual_op": a.op or "", "actual_number": a.number, "actual_unit": a.unit,
                "met": i.met, "direction": i.direction or "", "weight": i.weight, "score_printed": i.score,
                "score_recomputed": i.calc, "formula": i.formula,
            }
            # a column the schema adds is the indicator's loaded field of that name
            rows.append({c.name: made[c.name] if c.name in made else i.row.get(c.name) for c in columns})
    return _typed(pd.DataFrame(rows, columns=[c.name for c in columns]), columns)


_CAST = ("float64", "int64", "Int64", "boolean", "bool")


def _typed(df, columns):
    """The declared dtypes where inference misses them: a column of None only (one form without a
    printed total) would be ``object``, and so would every column of a frame without rows. Texts
    of a frame with rows keep pandas' inference (a cast would turn None into "None" on pandas 2)."""
    cast = {c.name: c.dtype for c in columns if (c.dtype in _CAST or not len(df)) and str(df[c.name].dtype) != c.dtype}
    return df.astype(cast) if cast else df
