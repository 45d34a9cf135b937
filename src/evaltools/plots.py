"""Figures for the audit: 预算执行, 指标权重, 失分 and 发现, with Chinese titles, labels and legends.

Every function takes the loaded objects (a ``Book``, an ``AuditResult``) or their DataFrames and
returns a ``matplotlib.figure.Figure``; none calls ``plt.show()`` or touches pyplot's figure list,
so they work headless (Agg) and in a notebook, where the figure displays as the cell's value::

    import evaltools
    from evaltools import plots

    book = evaltools.load("data/synthetic")
    result = evaltools.audit(book)
    plots.execution(book, result, department="示例县财政局")
    plots.weights(book)
    plots.lost_points(result)
    plots.findings(result)
    uri = plots.figure_to_data_uri(plots.findings(result))   # for the HTML report

Chinese is drawn with the font ``evaltools.fonts.setup_cjk_fonts()`` chooses (a system CJK font, or
the Noto Sans CJK that evaltools depends on). Empty input gives a figure that says 无数据; long
project names are wrapped to two lines and cut with …; the figure grows with the number of rows.
matplotlib is imported when a function runs, not when evaltools is imported.
"""

from __future__ import annotations

import base64
import io
import math
import unicodedata
from collections.abc import Iterable

from .rules import rule_titles
from .schema import SEVERITY_COLORS, SEVERITY_LABELS
from .schema import SEVERITY_ORDER as _SEVERITY_RANK

__all__ = ["LEVEL1_LABELS", "SEVERITY_COLORS", "SEVERITY_LABELS", "execution", "figure_to_data_uri", "findings",
           "lost_points", "weights"]

# the severities' colours (SEVERITY_COLORS) and order come from schema.SEVERITIES, as everywhere
SEVERITY_ORDER = tuple(_SEVERITY_RANK)

#: 一级 groups of the weight split, in the order the forms print them.
LEVEL1_LABELS = {"execution": "预算执行", "output": "产出", "benefit": "效益", "satisfaction": "满意度",
                 "other": "其他"}
_GROUP_ORDER = ("execution", "output", "benefit", "satisfaction", "other")
# 二级 kinds within each group (keyword in the printed 二级 name → short label), in template order.
_LEVEL2_KINDS = {
    "output": (("数量", "数量"), ("质量", "质量"), ("时效", "时效"), ("成本", "成本")),
    "benefit": (("经济", "经济"), ("社会", "社会"), ("生态", "生态"), ("可持续", "可持续影响")),
    "satisfaction": (("满意", "服务对象"),),
    "other": (),
}
_GROUP_CMAP = {"output": "Blues", "benefit": "Greens", "satisfaction": "Purples", "other": "Greys"}
_EXEC_COLOR = "#8c8c8c"

_BUDGET_COLOR, _EXECUTED_COLOR = "#a6c8e6", "#1f5fa8"
_RATE_LOW, _RATE_MID, _RATE_OK = "#d62728", "#ff7f0e", "#2ca02c"
_PRINTED_COLOR, _RECOMPUTED_COLOR = "#f4a582", "#b2182b"

_WIDTH = 10.0  # inches
_ROW = 0.36  # inches per row of a bar chart
_MAX_HEIGHT = 80.0


# ---------------------------------------------------------------------------------------------
# helpers


_FIGURE_CLASS = None


def _figure_class():
    """A ``Figure`` subclass that displays itself in a notebook (``_repr_png_``) without pyplot."""
    global _FIGURE_CLASS
    if _FIGURE_CLASS is None:
        from matplotlib.figure import Figure

        class EvalFigure(Figure):
            """A matplotlib Figure that shows as a PNG when it is a notebook cell's value."""

            def _repr_png_(self):
                buf = io.BytesIO()
                self.savefig(buf, format="png", dpi=100, bbox_inches="tight")
                return buf.getvalue()

        EvalFigure.__module__ = __name__
        EvalFigure.__qualname__ = "EvalFigure"
        _FIGURE_CLASS = EvalFigure
    return _FIGURE_CLASS


def __getattr__(name):  # lets pickle find evaltools.plots.EvalFigure
    if name == "EvalFigure":
        return _figure_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _new_figure(n_rows: int, *, base: float = 1.8, row: float = _ROW, width: float = _WIDTH):
    from .fonts import setup_cjk_fonts

    setup_cjk_fonts()
    height = min(_MAX_HEIGHT, base + row * max(n_rows, 1))
    return _figure_class()(figsize=(width, height), layout="constrained")


def _t(text) -> str:
    """Text for matplotlib: ``$`` would start mathtext."""
    return str(text).replace("$", r"\$")


def _cols(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _truncate(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` display columns (a Chinese character is 2), ending in …."""
    text = " ".join(str(text).split())
    if sum(_cols(c) for c in text) <= width:
        return text
    out, used = [], 0
    for c in text:
        if used + _cols(c) > width - 2:
            break
        out.append(c)
        used += _cols(c)
    return "".join(out) + "…"


def _wrap(text, width: int = 24, lines: int = 2) -> str:
    """Wrap ``text`` to ``lines`` lines of ``width`` display columns, the last one cut with …."""
    text = " ".join(str(text if text is not None else "").split()) or "（未命名）"
    out: list[str] = []
    rest = text
    while rest and len(out) < lines - 1:
        line, used = [], 0
        for c in rest:
            if used + _cols(c) > width:
                break
            line.append(c)
            used += _cols(c)
        if len(line) == len(rest):
            break
        out.append("".join(line))
        rest = rest[len(line):].lstrip()
    if rest:
        out.append(_truncate(rest, width))
    return _t("\n".join(out))


def _num(x) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def _isnan(v) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _fmt(v: float, digits: int = 2) -> str:
    if _isnan(v):
        return "—"
    s = f"{v:,.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _profile(profile, result=None):
    from .profile import Profile, load_profile

    if profile is not None:
        return profile if isinstance(profile, Profile) else load_profile(profile)
    if result is not None and getattr(result, "profile", None) is not None:
        return result.profile
    return load_profile("national")


def _is_frame(obj) -> bool:
    import pandas as pd

    return isinstance(obj, pd.DataFrame)


def _projects_of(obj):
    """The projects table of a Book, an AuditResult (from its forms) or a DataFrame."""
    import pandas as pd

    if obj is None:
        return None
    if _is_frame(obj):
        return obj
    if getattr(obj, "projects", None) is not None:
        return obj.projects
    forms = getattr(obj, "forms", None)
    if forms is not None:
        return pd.DataFrame([f.project for f in forms])
    raise TypeError(f"expected a Book, an AuditResult or a DataFrame, not {type(obj).__name__}")


def _indicators_of(obj):
    """The indicators of a Book, an AuditResult (indicator_scores) or a DataFrame."""
    if _is_frame(obj):
        return obj
    if getattr(obj, "indicators", None) is not None:
        return obj.indicators
    if getattr(obj, "indicator_scores", None) is not None:
        return obj.indicator_scores
    raise TypeError(f"expected a Book, an AuditResult or a DataFrame, not {type(obj).__name__}")


def _as_set(value) -> set[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {value}
    if isinstance(value, Iterable):
        return {str(v) for v in value}
    return {str(value)}


def _filter(df, *, department=None, form_id=None):
    """Rows of ``df`` of the given 主管部门 (name or code) and/or form ids; ``None`` keeps all."""
    if df is None or len(df) == 0:
        return df
    mask = None
    deps = _as_set(department)
    if deps is not None:
        m = df["department"].astype(str).isin(deps) if "department" in df else None
        if "department_code" in df:
            mc = df["department_code"].astype(str).isin(deps)
            m = mc if m is None else (m | mc)
        if m is None:
            m = df.index.to_series().map(lambda _: False)
        mask = m
    ids = _as_set(form_id)
    if ids is not None and "form_id" in df:
        m = df["form_id"].astype(str).isin(ids)
        mask = m if mask is None else (mask & m)
    return df if mask is None else df[mask.to_numpy()]


def _scope(department=None, form_id=None, name: str | None = None) -> str:
    if form_id is not None:
        return f"（{_t(_truncate(name, 40))}）" if name else f"（表 {_t(form_id)}）"
    if department is not None:
        deps = sorted(_as_set(department) or [])
        return f"（{_t(_truncate('、'.join(deps), 40))}）"
    return ""


def _empty(title: str, message: str = "无数据"):
    fig = _new_figure(1, base=1.6)
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=16, color="#666666", transform=ax.transAxes)
    ax.set_axis_off()
    return fig


def _names(projects, ids) -> dict[str, str]:
    if projects is None or len(projects) == 0 or "project_name" not in projects:
        return {}
    return dict(zip(projects["form_id"].astype(str), projects["project_name"].fillna("").astype(str)))


def _row_labels(names, departments=None) -> list[str]:
    """Project tick labels: the name wrapped to two lines, or, when the rows span several
    主管部门, the name on one line and the department under it (same-named projects of two
    departments are common)."""
    names = ["" if v is None or _isnan(v) else str(v) for v in names]
    deps = None if departments is None else ["" if v is None or _isnan(v) else str(v) for v in departments]
    if deps is not None and len(set(deps)) > 1:
        labels = [_t(f"{_truncate(n or '（未命名）', 26)}\n{_truncate(d, 26)}") for n, d in zip(names, deps)]
    else:
        labels = [_wrap(n) for n in names]
    return _unique_labels(labels)


def _rows_ylim(ax, n: int) -> None:
    """Rows 0..n-1 top to bottom, without matplotlib's empty margins."""
    ax.set_ylim(n - 0.5, -0.5)


def _unique_labels(labels: list[str]) -> list[str]:
    """Tick labels of two same-named projects stay apart (matplotlib does not care, readers do)."""
    seen: dict[str, int] = {}
    out = []
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
        out.append(lab if seen[lab] == 1 else f"{lab}（{seen[lab]}）")
    return out


# ---------------------------------------------------------------------------------------------
# 预算执行


def execution(book_or_projects, result=None, *, department=None, profile=None, form_id=None):
    """预算执行: per project 全年预算数 vs 全年执行数 (万元) and the 执行率, sorted by rate.

    The rate is the recomputed one from ``result.form_scores`` when ``result`` is given (the
    printed one is shown beside it where they differ), else the printed 执行率 (or 执行数/预算数).
    The profile's thresholds (``execution.low_rate_high_score``, 80%; ``execution.reason_threshold``,
    90%) are drawn on the rate axis. Amounts spanning more than three orders of magnitude are drawn
    on a log scale. ``book_or_projects`` is a Book, its ``projects`` DataFrame or an AuditResult.
    """
    import numpy as np

    if result is None and getattr(book_or_projects, "forms", None) is not None \
            and getattr(book_or_projects, "projects", None) is None:
        result = book_or_projects
    prof = _profile(profile, result)
    low = float(prof["execution.low_rate_high_score"])
    reason = float(prof["execution.reason_threshold"])
    projects = _projects_of(book_or_projects)
    title = "预算执行情况"
    if projects is None or len(projects) == 0:
        return _empty(title + _scope(department, form_id))
    df = _filter(projects, department=department, form_id=form_id)
    if df is None or len(df) == 0:
        return _empty(title + _scope(department, form_id))
    df = df.copy()
    df["form_id"] = df["form_id"].astype(str)
    budget = df["budget_full_year"].map(_num) if "budget_full_year" in df else df.index.map(lambda _: math.nan)
    executed = df["executed"].map(_num) if "executed" in df else df.index.map(lambda _: math.nan)
    df["_budget"] = np.asarray(budget, dtype=float)
    df["_executed"] = np.asarray(executed, dtype=float)
    printed = df["exec_rate"].map(_num) if "exec_rate" in df else df["_budget"] * math.nan
    df["_printed"] = np.asarray(printed, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        derived = np.where(df["_budget"] > 0, df["_executed"] / df["_budget"] * 100, np.nan)
    df["_rate"] = np.where(np.isnan(df["_printed"]), derived, df["_printed"])
    has_recomputed = False
    df["_basis"] = ""
    if result is not None:
        fs = result.form_scores
        rec = dict(zip(fs["form_id"].astype(str), fs["exec_rate_recomputed"].map(_num)))
        r = df["form_id"].map(lambda f: rec.get(f, math.nan)).astype(float)
        has_recomputed = bool(r.notna().any())
        df["_rate"] = np.where(r.isna(), df["_rate"], r)
        # the amounts the recomputed rate rests on: 其中各行合计 where the 年度资金总额 row does not add up
        basis = {str(f.form_id): (_num(f.full_year), _num(f.executed), f.rate_basis)
                 for f in getattr(result, "forms", None) or []}
        for i, fid in enumerate(df["form_id"]):
            fy, ex, how = basis.get(fid, (math.nan, math.nan, ""))
            if how == "children" and not _isnan(fy):
                df.iloc[i, df.columns.get_loc("_budget")] = fy
                df.iloc[i, df.columns.get_loc("_executed")] = ex
                df.iloc[i, df.columns.get_loc("_basis")] = "按其中各行合计"
    df = df.sort_values("_rate", ascending=True, na_position="last", kind="stable").reset_index(drop=True)
    n = len(df)
    name = df["project_name"].iloc[0] if form_id is not None and "project_name" in df else None

    fig = _new_figure(n, base=2.2, row=0.46)
    ax_amt, ax_rate = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 2]})
    y = np.arange(n)
    h = 0.38
    b = df["_budget"].to_numpy()
    e = df["_executed"].to_numpy()
    ax_amt.barh(y - h / 2, np.nan_to_num(b), height=h, color=_BUDGET_COLOR, label="全年预算数")
    ax_amt.barh(y + h / 2, np.nan_to_num(e), height=h, color=_EXECUTED_COLOR, label="全年执行数")
    vals = np.concatenate([b, e])
    pos = vals[np.isfinite(vals) & (vals > 0)]
    log = len(pos) > 0 and pos.max() / pos.min() > 1000
    if log:
        ax_amt.set_xscale("log")
        ax_amt.set_xlim(pos.min() / 2, pos.max() * 3)
    ax_amt.set_xlabel("金额（万元，对数刻度）" if log else "金额（万元）")
    ax_amt.set_title("全年预算数与全年执行数", pad=16)
    ax_amt.set_yticks(y)
    ax_amt.set_yticklabels(_row_labels(df.get("project_name", df["form_id"]), df.get("department")), fontsize=9)
    _rows_ylim(ax_amt, n)  # lowest rate on top
    ax_amt.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax_amt.set_axisbelow(True)
    ax_amt.legend(loc="best", fontsize=8, framealpha=0.9)

    for yy, v, note in zip(y, np.fmax(np.nan_to_num(b), np.nan_to_num(e)), df["_basis"]):
        if note:
            x = v if v > 0 else (ax_amt.get_xlim()[0] if log else 0)
            ax_amt.text(x * (1.15 if log else 1) + (0 if log else 0.01 * np.nanmax(pos if len(pos) else [1])),
                        yy, f"（{note}）", va="center", fontsize=7, color="#666666")

    rate = df["_rate"].to_numpy(dtype=float)
    colors = [_RATE_LOW if r < low else _RATE_MID if r < reason else _RATE_OK if not _isnan(r) else "#cccccc"
              for r in rate.tolist()]
    ax_rate.barh(y, np.nan_to_num(rate), height=0.6, color=colors)
    top = max(100.0, float(np.nanmax(rate)) if np.isfinite(rate).any() else 100.0)
    has_note = False
    for yy, r, p in zip(y, rate.tolist(), df["_printed"].to_numpy(dtype=float).tolist()):
        if _isnan(r):
            ax_rate.text(1, yy, "无法计算", va="center", fontsize=8, color="#666666")
            continue
        if r >= 22:  # inside the bar's end, clear of the threshold lines' labels
            ax_rate.text(r - top * 0.015, yy, f"{r:.1f}%", va="center", ha="right", fontsize=8, color="white")
        else:
            ax_rate.text(max(r, 0) + top * 0.015, yy, f"{r:.1f}%", va="center", fontsize=8, color="#333333")
        if has_recomputed and not _isnan(p) and abs(p - r) > 0.05:
            has_note = True
            ax_rate.text(top * 1.03, yy, f"表内 {p:.1f}%", va="center", fontsize=8, color=_RATE_LOW)
    ax_rate.set_xlim(0, top * (1.32 if has_note else 1.04))
    from matplotlib.transforms import blended_transform_factory

    tr = blended_transform_factory(ax_rate.transData, ax_rate.transAxes)
    for x, color, ha in ((low, _RATE_LOW, "right"), (reason, _RATE_MID, "left")):
        ax_rate.axvline(x, color=color, linestyle="--", linewidth=1, zorder=0.5)  # under the bars
        ax_rate.text(x, 1.005, f"{x:g}%", transform=tr, ha=ha, va="bottom", fontsize=8, color=color)
    ax_rate.axvline(100, color="#999999", linestyle=":", linewidth=0.8, zorder=0.5)
    ticks = [t for t in (0, 25, 50, 75, 100) if t <= top * 1.3]
    ax_rate.set_xticks(ticks)
    ax_rate.set_xticklabels([f"{v:g}%" for v in ticks], fontsize=8)
    ax_rate.set_xlabel("预算执行率" + ("（复算）" if has_recomputed else "（表内）"))
    ax_rate.set_title("预算执行率", pad=16, loc="left")
    ax_rate.tick_params(axis="y", left=False)
    ax_rate.grid(axis="x", color="#eeeeee", linewidth=0.6)
    ax_rate.set_axisbelow(True)
    from matplotlib.patches import Patch

    handles = [Patch(color=_RATE_LOW, label=f"低于 {low:g}%（执行率偏低）"),
               Patch(color=_RATE_MID, label=f"{low:g}%–{reason:g}%（需说明原因）"),
               Patch(color=_RATE_OK, label=f"不低于 {reason:g}%")]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    scope = _scope(department, form_id, name) or f"（{n} 个项目）"
    fig.suptitle(f"{title}{scope}", fontsize=13)
    return fig


# ---------------------------------------------------------------------------------------------
# 指标权重


def _level1_group(level1) -> str:
    from .rules.scores import level1_group

    return level1_group(str(level1 if level1 is not None else ""))


def _level2_kind(group: str, level2) -> str:
    text = str(level2 if level2 is not None else "")
    for word, label in _LEVEL2_KINDS.get(group, ()):
        if word in text:
            return label
    return "其他"


def _segment_colors():
    from matplotlib import colormaps

    colors = {("execution", "预算执行率"): _EXEC_COLOR}
    for group, kinds in _LEVEL2_KINDS.items():
        labels = [k for _, k in kinds] + ["其他"]
        cmap = colormaps[_GROUP_CMAP[group]]
        for i, lab in enumerate(labels):
            pos = 0.85 - 0.5 * i / max(len(labels) - 1, 1) if group != "other" else 0.55
            colors[(group, lab)] = cmap(pos)
    return colors


def weights(book, *, form_id=None, department=None, profile=None):
    """指标权重: per project, 分值 stacked by 一级 (预算执行/产出/效益/满意度) and within by 二级.

    The profile's split (``weights.*``, 10/50/30/10) is drawn as dashed reference lines at its
    running totals, and each row ends with the form's own split, in red where it differs from the
    profile, so a skewed form stands out; skewed forms are listed first. ``book`` is a Book, an
    AuditResult or an indicators DataFrame (then 预算执行 is left out unless it has ``exec_weight``).
    """
    import numpy as np
    import pandas as pd

    prof = _profile(profile, book if getattr(book, "profile", None) is not None else None)
    want = {k: float(prof[f"weights.{k}"]) for k in ("execution", "output", "benefit", "satisfaction")}
    tol = float(prof.get("tolerances.points", 0.01) or 0.01)
    title = "指标权重结构"
    indicators = _indicators_of(book)
    projects = None if _is_frame(book) else _projects_of(book)
    ind = _filter(indicators, form_id=form_id) if indicators is not None else None
    if projects is not None and len(projects):
        proj = _filter(projects, department=department, form_id=form_id)
        if ind is not None and len(ind):
            ind = ind[ind["form_id"].astype(str).isin(proj["form_id"].astype(str))]
    else:
        proj = None
        if ind is not None and department is not None:
            ind = _filter(ind, department=department)
    ids: list[str] = []
    if proj is not None:
        ids = list(proj["form_id"].astype(str))
    if ind is not None and len(ind):
        ids += [f for f in pd.unique(ind["form_id"].astype(str)) if f not in ids]
    if not ids:
        return _empty(title + _scope(department, form_id))
    names = _names(proj, ids) or _names(ind, ids)
    exec_w = {}
    if proj is not None and "exec_weight" in proj:
        exec_w = dict(zip(proj["form_id"].astype(str), proj["exec_weight"].map(_num)))

    # (form, group, kind) → points, in template order
    seg: dict[str, list[tuple[str, str, float]]] = {f: [] for f in ids}
    split: dict[str, dict[str, float]] = {f: {g: 0.0 for g in _GROUP_ORDER} for f in ids}
    for f in ids:
        w = exec_w.get(f, math.nan)
        if not _isnan(w) and w:
            seg[f].append(("execution", "预算执行率", w))
            split[f]["execution"] = w
    if ind is not None and len(ind):
        d = ind.assign(_f=ind["form_id"].astype(str), _w=ind["weight"].map(_num).fillna(0.0))
        d["_g"] = d["level1"].map(_level1_group)
        d["_k"] = [_level2_kind(g, l2) for g, l2 in zip(d["_g"], d.get("level2", pd.Series("", index=d.index)))]
        sums: dict[str, dict[tuple[str, str], float]] = {}
        for (f, g, k), w in d.groupby(["_f", "_g", "_k"], sort=False)["_w"].sum().items():
            sums.setdefault(f, {})[(g, k)] = float(w)
        for f, parts in sums.items():
            if f not in seg:
                continue
            for g in _GROUP_ORDER[1:]:
                for k in [k for _, k in _LEVEL2_KINDS[g]] + ["其他"]:
                    w = parts.get((g, k), 0.0)
                    split[f][g] += w
                    if w:
                        seg[f].append((g, k, w))

    def skew(f: str) -> float:
        s = split[f]
        dev = sum(abs(s[k] - v) for k, v in want.items() if k != "execution" or exec_w) + s["other"]
        return dev

    skews = {f: skew(f) for f in ids}
    ids = sorted(ids, key=lambda f: (skews[f] <= tol * 4, ids.index(f)))  # skewed first, else as loaded
    n = len(ids)
    name = names.get(ids[0]) if form_id is not None else None
    fig = _new_figure(n, base=2.6, row=0.42)
    ax = fig.add_subplot()
    colors = _segment_colors()
    y = np.arange(n)
    used: dict[tuple[str, str], object] = {}
    totals = []
    pieces: dict[tuple[str, str], tuple[list, list, list]] = {}  # one barh call per 二级 kind
    for yy, f in zip(y, ids):
        left = 0.0
        for g, k, w in seg[f]:
            ys, ws, ls = pieces.setdefault((g, k), ([], [], []))
            ys.append(yy)
            ws.append(w)
            ls.append(left)
            if w >= 5:
                ax.text(left + w / 2, yy, _fmt(w, 1), ha="center", va="center", fontsize=7, zorder=4,
                        color="white" if g in ("execution", "output", "benefit", "satisfaction") else "#222222")
            left += w
        totals.append(left)
    for key, (ys, ws, ls) in pieces.items():
        used[key] = ax.barh(ys, ws, left=ls, height=0.62, color=colors.get(key, "#cccccc"), edgecolor="white",
                            linewidth=0.8)
    xmax = max([*totals, sum(want.values())])
    running = 0.0
    ref_labels = []
    for k in ("execution", "output", "benefit", "satisfaction"):
        lo, running = running, running + want[k]
        ax.axvline(running, color="#333333", linestyle="--", linewidth=0.9, zorder=2.5)  # over bars, under text
        ref_labels.append(((lo + running) / 2, f"{LEVEL1_LABELS[k]} {want[k]:g}"))
    from matplotlib.transforms import blended_transform_factory

    tr = blended_transform_factory(ax.transData, ax.transAxes)
    for x, lab in ref_labels:
        ax.text(x, 1.005, lab, transform=tr, ha="center", va="bottom", fontsize=8, color="#333333")
    ax.set_xlim(0, xmax * 1.22)
    ax.set_xticks([t for t in range(0, int(xmax) + 1, 10 if xmax <= 120 else 20)])
    for yy, f, tot in zip(y, ids, totals):
        s = split[f]
        parts = [s["execution"] if exec_w else None, s["output"], s["benefit"], s["satisfaction"]]
        text = "/".join(_fmt(p, 1) for p in parts if p is not None)
        if s["other"]:
            text += f" +其他{_fmt(s['other'], 1)}"
        bad = skews[f] > tol * 4
        ax.text(xmax * 1.015, yy, text, va="center", fontsize=8, color=_RATE_LOW if bad else "#555555")
    ax.set_yticks(y)
    deps = dict(zip(proj["form_id"].astype(str), proj["department"])) if proj is not None and "department" in proj \
        else {}
    labels = _row_labels([names.get(f) or f for f in ids], [deps.get(f, "") for f in ids] if deps else None)
    ax.set_yticklabels(labels, fontsize=9)
    for tick, f in zip(ax.get_yticklabels(), ids):
        if skews[f] > tol * 4:
            tick.set_color(_RATE_LOW)
    _rows_ylim(ax, n)
    ax.set_xlabel("分值（虚线为口径：" + "/".join(f"{LEVEL1_LABELS[k]}{v:g}" for k, v in want.items())
                  + "；行末为本表 执行/产出/效益/满意度，红色为与口径不符）" if exec_w else
                  "分值（虚线为口径累计；行末为本表 产出/效益/满意度）", fontsize=8)
    ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
    ax.set_axisbelow(True)
    order = [(g, k) for g in _GROUP_ORDER for k in (["预算执行率"] if g == "execution" else
                                                    [k for _, k in _LEVEL2_KINDS[g]] + ["其他"])]
    keys = [key for key in order if key in used]
    handles = [used[key] for key in keys]
    labels = ["预算执行" if g == "execution" else f"{LEVEL1_LABELS[g]}·{k}" for g, k in keys]
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncol=min(6, len(handles)), fontsize=8,
                   frameon=False)
    scope = _scope(department, form_id, name) or f"（{n} 个项目）"
    ax.set_title(f"{title}{scope}", pad=18)
    return fig


# ---------------------------------------------------------------------------------------------
# 失分


def _lost_table(result, *, form_id=None, department=None):
    """One row per indicator (and 预算执行率) with 分值, printed and recomputed 得分 and 失分."""
    import pandas as pd

    fs = result.form_scores
    ind = result.indicator_scores
    meta = fs[["form_id", "department", "project_name"]].astype({"form_id": str})
    rows = ind.assign(form_id=ind["form_id"].astype(str))[["form_id", "seq", "level1", "name", "weight",
                                                            "score_printed", "score_recomputed"]]
    execs = []
    for f in getattr(result, "forms", None) or []:
        w = _num(f.project.get("exec_weight"))
        if not _isnan(w):
            execs.append({"form_id": str(f.form_id), "seq": 0, "level1": "预算执行", "name": "预算执行率",
                          "weight": w, "score_printed": _num(f.project.get("exec_score")),
                          "score_recomputed": _num(f.exec_score)})
    if execs:
        rows = pd.concat([pd.DataFrame(execs), rows], ignore_index=True)
    rows = rows.merge(meta, on="form_id", how="left")
    rows = _filter(rows, department=department, form_id=form_id)
    if rows is None or rows.empty:
        return rows
    rows = rows.copy()
    w = rows["weight"].map(_num)
    sp = rows["score_printed"].map(_num)
    sr = rows["score_recomputed"].map(_num)
    sr = sr.where(sr.notna(), sp)  # not computable: the printed score stands, as in the total
    rows["lost_printed"] = w - sp
    rows["lost_recomputed"] = w - sr
    return rows


def lost_points(result, *, form_id=None, department=None, top: int = 15):
    """失分: where points were lost (分值 − 得分), printed vs recomputed.

    Top: 失分 per project (sum over 预算执行率 and the indicators), printed and recomputed; bottom:
    the ``top`` indicators that lost most. A recomputed loss larger than the printed one means the
    form claimed points its own numbers do not support. A negative loss is a 得分 above its 分值.
    """
    import numpy as np

    title = "失分分析"
    rows = _lost_table(result, form_id=form_id, department=department)
    name = None
    if rows is not None and len(rows) and form_id is not None:
        name = rows["project_name"].iloc[0]
    scope = _scope(department, form_id, name)
    if rows is None or len(rows) == 0:
        return _empty(title + scope)
    eps = 0.005
    lp = rows["lost_printed"].fillna(0.0)
    lr = rows["lost_recomputed"].fillna(0.0)
    rows = rows.assign(_lp=lp, _lr=lr, _key=np.maximum(lp.abs(), lr.abs()))
    lossy = rows[rows["_key"] > eps]
    if lossy.empty:
        return _empty(title + scope, "未发现失分：各项得分均为满分")
    per = (lossy.groupby("form_id", sort=False)
           .agg(project_name=("project_name", "first"), department=("department", "first"), _lp=("_lp", "sum"), _lr=("_lr", "sum"))
           .reset_index())
    per = per.assign(_key=np.maximum(per["_lp"].abs(), per["_lr"].abs())).sort_values("_key", ascending=False)
    show_per = form_id is None and len(per) > 1
    worst = lossy.sort_values("_key", ascending=False, kind="stable").head(max(int(top), 1))
    n_per = len(per) if show_per else 0
    n_ind = len(worst)
    fig = _new_figure(n_per + n_ind + (2 if show_per else 0), base=2.4, row=0.40)
    if show_per:
        ax_p, ax_i = fig.subplots(2, 1, gridspec_kw={"height_ratios": [max(n_per, 1) + 1, n_ind + 1]})
    else:
        ax_p, ax_i = None, fig.add_subplot()

    def pair(ax, labels, printed, recomputed, what):
        y = np.arange(len(labels))
        h = 0.38
        ax.barh(y - h / 2, printed, height=h, color=_PRINTED_COLOR, label="表内失分（按表内得分）")
        ax.barh(y + h / 2, recomputed, height=h, color=_RECOMPUTED_COLOR, label="复算失分（按复算得分）")
        ax.axvline(0, color="#555555", linewidth=0.8)
        span = max(float(np.nanmax(np.abs(np.concatenate([printed, recomputed])))), 0.1)
        lo = min(0.0, float(np.nanmin(np.concatenate([printed, recomputed]))))
        ax.set_xlim(lo - (span * 0.05 if lo < 0 else 0), span * 1.45)
        for yy, p, r in zip(y, printed, recomputed):
            label = _fmt(p) if abs(p - r) <= 0.05 else f"{_fmt(p)} → {_fmt(r)}"
            color = _RECOMPUTED_COLOR if r - p > 0.05 else "#333333"
            ax.text(max(p, r, 0) + span * 0.02, yy, label, va="center", fontsize=8, color=color)
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize=9)
        _rows_ylim(ax, len(labels))
        ax.set_xlabel(f"失分 = 分值 - 得分（分）{what}", fontsize=9)
        ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
        ax.set_axisbelow(True)

    if show_per:
        pair(ax_p, _row_labels(per["project_name"], per["department"]), per["_lp"].to_numpy(float), per["_lr"].to_numpy(float),
             "：预算执行率与各指标合计")
        ax_p.set_title(f"各项目失分{_scope(department)}")
        ax_p.legend(loc="best", fontsize=8, framealpha=0.9)
    if form_id is None:
        labels = _unique_labels([_t(f"{_truncate(p, 26)}\n{_truncate(nm, 26)}")
                                 for p, nm in zip(worst["project_name"].fillna(""), worst["name"].fillna(""))])
    else:
        labels = _unique_labels([_wrap(nm, width=26) for nm in worst["name"].fillna("")])
    pair(ax_i, labels, worst["_lp"].to_numpy(float), worst["_lr"].to_numpy(float), "")
    ax_i.set_title(f"失分最多的 {n_ind} 项指标" if len(lossy) > n_ind else f"失分的指标（{n_ind} 项）")
    if not show_per:
        ax_i.legend(loc="best", fontsize=8, framealpha=0.9)
    fig.suptitle(f"{title}{scope}", fontsize=13)
    return fig


# ---------------------------------------------------------------------------------------------
# 发现


def findings(result, *, department=None, form_id=None):
    """发现: the number of findings per rule, stacked by severity (错误 red, 警告 orange, 提示 blue).

    ``result`` is an AuditResult or its ``findings`` DataFrame. Rules are ordered by their worst
    severity, then by count; each label gives the rule id and its Chinese title.
    """
    import numpy as np

    title = "审核发现（按规则）"
    df = result if _is_frame(result) else getattr(result, "findings", None)
    if df is None:
        raise TypeError(f"expected an AuditResult or a findings DataFrame, not {type(result).__name__}")
    df = _filter(df, department=department, form_id=form_id)
    name = df["project_name"].iloc[0] if form_id is not None and len(df) and "project_name" in df else None
    scope = _scope(department, form_id, name)
    if df is None or len(df) == 0:
        return _empty(title + scope, "无数据：未发现问题")
    counts = df.groupby(["rule", "severity"]).size().unstack(fill_value=0)
    for s in SEVERITY_ORDER:
        if s not in counts:
            counts[s] = 0
    extra = [c for c in counts.columns if c not in SEVERITY_ORDER]
    counts = counts[list(SEVERITY_ORDER) + extra]
    counts["_total"] = counts.sum(axis=1)
    counts["_worst"] = [next((i for i, s in enumerate(SEVERITY_ORDER) if row[s] > 0), 3)
                        for _, row in counts.iterrows()]
    counts = counts.sort_values(["_worst", "_total"], ascending=[True, False], kind="stable")
    titles = {k: v.rstrip("。") for k, v in rule_titles().items()}
    n = len(counts)
    fig = _new_figure(n, base=2.0, row=0.34)
    ax = fig.add_subplot()
    y = np.arange(n)
    left = np.zeros(n)
    for s in list(SEVERITY_ORDER) + extra:
        v = counts[s].to_numpy(float)
        total_s = int(v.sum())
        label = f"{SEVERITY_LABELS.get(s, s)}（{total_s}）"
        ax.barh(y, v, left=left, height=0.62, color=SEVERITY_COLORS.get(s, "#999999"), label=label,
                edgecolor="white", linewidth=0.6)
        left += v
    xmax = float(left.max()) if n else 1.0
    for yy, tot in zip(y, left):
        ax.text(tot + xmax * 0.01, yy, f"{int(tot)}", va="center", fontsize=8, color="#333333")
    ax.set_xlim(0, xmax * 1.1 + 0.5)
    ax.set_yticks(y)
    ax.set_yticklabels([_t(f"{rid}  {_truncate(titles.get(rid, ''), 30)}".rstrip()) for rid in counts.index],
                       fontsize=8)
    _rows_ylim(ax, n)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("发现条数")
    ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="best", fontsize=9, framealpha=0.9, title="严重程度", title_fontsize=9)
    ax.set_title(f"{title}{scope}：共 {len(df)} 条")
    return fig


# ---------------------------------------------------------------------------------------------
# HTML


def figure_to_data_uri(fig, *, dpi: int = 110) -> str:
    """The figure as a PNG ``data:image/png;base64,…`` URI, for an ``<img src>`` in the HTML report."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
