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
    plots.findings(result, width=3.8)                        # the phone version
    uri = plots.figure_to_data_uri(plots.findings(result))   # for the HTML report

Every figure function takes ``width`` (inches): ``None`` is the 10-inch page figure; below
6.5 inches the figure takes a one-column layout for a phone (charts stacked instead of side by
side, legends below their chart, fewer x ticks where they would touch), tested down to 3.5 inches.
At any width every text is at least 8 pt, nothing is drawn outside the figure and the figure grows
in height until no two row labels touch. Long project names and rule titles are wrapped (CJK-aware,
by display width: a Chinese character counts two columns) onto up to three lines and cut with …
only beyond that; titles are wrapped to the figure's width.

Chinese is drawn with the font ``evaltools.fonts.setup_cjk_fonts()`` chooses (a system CJK font, or
the Noto Sans CJK that evaltools depends on). Empty input gives a figure that says 无数据.
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
_MAX_HEIGHT_NARROW = 120.0  # a phone scrolls: a stacked figure may grow further
_NARROW_BELOW = 6.5  # inches: narrower figures stack their charts in one column
_MIN_FONT = 8.0  # points: the smallest text any figure draws
_LABEL_LINES = 3  # a name wraps onto this many lines before it is cut with …


# ---------------------------------------------------------------------------------------------
# helpers


_FIGURE_CLASS = None


def _figure_class():
    """A ``Figure`` subclass that displays itself in a notebook (``_repr_png_``) without pyplot."""
    global _FIGURE_CLASS
    if _FIGURE_CLASS is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        class EvalFigure(Figure):
            """A matplotlib Figure that shows as a PNG when it is a notebook cell's value."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                # an Agg canvas, not the inert base one: fig.canvas.draw() really lays the figure
                # out and measures text, headless, as the layout fitting below needs
                FigureCanvasAgg(self)

            def __setstate__(self, state):
                super().__setstate__(state)
                FigureCanvasAgg(self)

            def _repr_png_(self):
                buf = io.BytesIO()
                save_png(self, buf, dpi=100, facecolor=self.get_facecolor())
                return buf.getvalue()

        EvalFigure.__module__ = __name__
        EvalFigure.__qualname__ = "EvalFigure"
        _FIGURE_CLASS = EvalFigure
    return _FIGURE_CLASS


def __getattr__(name):  # lets pickle find evaltools.plots.EvalFigure
    if name == "EvalFigure":
        return _figure_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Geom:
    """What a figure's width implies: one or several columns, font sizes, label widths."""

    def __init__(self, width: float | None):
        if width is None:
            w = _WIDTH
        else:
            try:
                w = float(width)
            except (TypeError, ValueError):
                raise TypeError(f"width must be a number of inches, not {width!r}") from None
            if not (math.isfinite(w) and w > 0):
                raise ValueError(f"width must be a positive number of inches, not {width!r}")
        self.width = w
        self.narrow = w < _NARROW_BELOW
        self.row_font = 8.0 if self.narrow else 9.0  # project / indicator row labels
        self.small = _MIN_FONT
        self.title = 10.5 if self.narrow else 12.0
        self.suptitle = 12.0 if self.narrow else 13.0
        self.axis_label = 9.0 if self.narrow else 10.0
        # 32 columns take the longest seed name (89 columns) in three lines; on a phone the
        # label column may take about half of the width, the bars the rest
        self.name_cols = 32 if not self.narrow else self.share_cols(self.row_font, 0.48, lo=20, hi=32)

    def font(self, size: float) -> dict:
        """``fontsize`` for a narrow figure; matplotlib's own size for the page figure."""
        return {"fontsize": size} if self.narrow else {}

    def share_cols(self, fontsize: float, share: float, *, lo: int = 8, hi: int = 400) -> int:
        """Display columns of ``fontsize`` text that fit in ``share`` of the figure's width."""
        return max(lo, min(hi, int(self.width * share * 144 / fontsize)))


def _label_height(lines: int, fontsize: float) -> float:
    """Inches a ``lines``-line label of ``fontsize`` needs, with a gap to the next row's."""
    return (max(lines, 1) * fontsize * 1.25 + 4) / 72


def _lines(labels) -> int:
    return max([str(lab).count("\n") + 1 for lab in labels] or [1])


def _new_figure(n_rows: int, *, base: float = 1.8, row: float = _ROW, width: float = _WIDTH,
                height: float | None = None):
    from .fonts import setup_cjk_fonts

    setup_cjk_fonts()
    if height is None:
        height = base + row * max(n_rows, 1)
    cap = _MAX_HEIGHT_NARROW if width < _NARROW_BELOW else _MAX_HEIGHT
    return _figure_class()(figsize=(width, min(cap, height)), layout="constrained")


def _t(text) -> str:
    """Text for matplotlib: ``$`` would start mathtext."""
    return str(text).replace("$", r"\$")


def _cols(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _width(text: str) -> int:
    return sum(_cols(c) for c in text)


def _truncate(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` display columns (a Chinese character is 2), ending in …."""
    text = " ".join(str(text).split())
    if _width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        if used + _cols(c) > width - 2:
            break
        out.append(c)
        used += _cols(c)
    return "".join(out) + "…"


# Punctuation that may not start a line (held to the character before it) and that may not end
# one (held to the character after it): the usual Chinese line-breaking rule (禁则).
_NO_LINE_START = set("，。、；：！？）》」』】〕〉”’,.;:!?)]}%％·…—～")
_NO_LINE_END = set("（《「『【〔〈“‘([{")


def _atoms(text: str) -> list[tuple[int, int, int]]:
    """Pieces a line may break between, as ``(start, end, spaces before)`` offsets into ``text``:
    each Chinese character alone, a run of Latin letters and digits whole (a rule id, a number),
    closing punctuation held to what precedes it and opening punctuation to what follows."""
    atoms: list[list[int]] = []
    spaces = 0
    glue = False  # the previous character was opening punctuation
    for i, c in enumerate(text):
        if c == " ":
            spaces += 1
            glue = False
            continue
        wide = _cols(c) == 2
        last = text[atoms[-1][1] - 1] if atoms else ""
        # a Latin run stays whole, except between a hyphen and a letter (COST-|EXCEEDS-|EXECUTED)
        prev_narrow = bool(last) and _cols(last) == 1 and not (last == "-" and c.isalpha())
        join = bool(atoms) and not spaces and (glue or c in _NO_LINE_START or (not wide and prev_narrow))
        if join:
            atoms[-1][1] = i + 1
        else:
            atoms.append([i, i + 1, spaces])
        spaces = 0
        glue = c in _NO_LINE_END
    return [tuple(a) for a in atoms]


def _wrap_lines(text: str, width: int) -> list[tuple[int, str]]:
    """``text`` broken into lines of at most ``width`` display columns: ``(start offset, line)``.
    The spaces a break falls on are dropped; a piece longer than a line is cut where it must."""
    lines: list[tuple[int, str]] = []
    cur, used, start = "", 0, 0
    for a, b, spaces in _atoms(text):
        piece = text[a:b]
        w = _width(piece)
        gap = spaces if cur else 0
        if cur and used + gap + w > width:
            lines.append((start, cur))
            cur, used, gap = "", 0, 0
        if not cur:
            start = a
        if used + gap + w <= width:
            cur += " " * gap + piece
            used += gap + w
            continue
        cur += " " * gap  # a piece wider than the line: character by character
        used += gap
        for k, c in enumerate(piece):
            if used + _cols(c) > width and cur.strip():
                lines.append((start, cur))
                cur, used, start = "", 0, a + k
            cur += c
            used += _cols(c)
    if cur:
        lines.append((start, cur))
    return lines


def _wrap(text, width: int = 32, lines: int = _LABEL_LINES, *, placeholder: str = "（未命名）",
          squeeze: bool = True) -> str:
    """``text`` wrapped onto at most ``lines`` lines of ``width`` display columns (CJK-aware: a
    Chinese character counts two); only what does not fit in them is cut, with … on the last.
    Lines are balanced (the narrowest width that needs no more lines), so that a name does not
    leave one character alone on its last line. ``squeeze`` turns runs of whitespace into one
    space; without it only line breaks and tabs become spaces."""
    text = str(text if text is not None else "")
    text = " ".join(text.split()) if squeeze else " ".join(text.replace("\t", " ").splitlines()).strip()
    text = text or placeholder
    if not text:
        return ""
    width = max(int(width), 4)
    out = _wrap_lines(text, width)
    if len(out) > lines:
        last_start = out[lines - 1][0]
        out = [*out[:lines - 1], (last_start, _truncate(text[last_start:], width))]
    elif len(out) > 1:
        for narrower in range(width - 1, 3, -1):
            trial = _wrap_lines(text, narrower)
            if len(trial) > len(out):
                break
            out = trial
    return _t("\n".join(line for _, line in out))


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
    """The title's （…） part, unescaped: the title is wrapped (and escaped) as a whole."""
    if form_id is not None:
        return f"（{' '.join(str(name).split())}）" if name else f"（表 {form_id}）"
    if department is not None:
        deps = sorted(_as_set(department) or [])
        return f"（{'、'.join(deps)}）"
    return ""


def _empty(title: str, message: str = "无数据", geom: _Geom | None = None):
    g = geom or _Geom(None)
    fig = _new_figure(1, base=1.6 if not g.narrow else 1.9, width=g.width)
    ax = fig.add_subplot()
    head = ax.set_title(_t(title), fontsize=g.title)
    body = ax.text(0.5, 0.5, _t(message), ha="center", va="center", fontsize=16 if not g.narrow else 14,
                   color="#666666", transform=ax.transAxes)
    ax.set_axis_off()
    return _finish(fig, texts=[(head, title, None, _LABEL_LINES), (body, message, None, _LABEL_LINES)])


def _names(projects, ids) -> dict[str, str]:
    if projects is None or len(projects) == 0 or "project_name" not in projects:
        return {}
    return dict(zip(projects["form_id"].astype(str), projects["project_name"].fillna("").astype(str)))


def _row_labels(names, departments=None, cols: int = 32) -> list[str]:
    """Project tick labels: the name wrapped onto up to three lines, and, when the rows span
    several 主管部门, the department on a line under it (same-named projects of two departments
    are common)."""
    names = ["" if v is None or _isnan(v) else str(v) for v in names]
    deps = None if departments is None else ["" if v is None or _isnan(v) else str(v) for v in departments]
    if deps is not None and len(set(deps)) > 1:
        labels = [f"{_wrap(n, cols)}\n{_wrap(d, cols, 2, placeholder='')}".rstrip("\n")
                  for n, d in zip(names, deps)]
    else:
        labels = [_wrap(n, cols) for n in names]
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


def _legend_ncol(labels, width: float, fontsize: float = _MIN_FONT) -> int:
    """Legend columns that fit across ``width`` inches: each entry is its text plus a handle
    (2 em), the pad after it (0.8 em) and the spacing to the next column (2 em)."""
    labels = list(labels)
    if not labels:
        return 1
    entry = (max(_width(str(lab)) for lab in labels) / 2 + 4.8) * fontsize / 72 * 1.1  # inches
    return max(1, min(len(labels), int((width - 0.2) // entry)))


# ---------------------------------------------------------------------------------------------
# fitting a laid-out figure


def _layout(fig):
    fig.get_layout_engine().execute(fig)
    return fig.canvas.get_renderer()


def _shown_ticklabels(axis) -> list:
    """The tick labels matplotlib draws: visible, non-empty, of ticks inside the view."""
    lo, hi = sorted(axis.get_view_interval())
    tol = (hi - lo) * 1e-9
    out = []
    for tick in axis.get_major_ticks():
        if tick.get_visible() and lo - tol <= tick.get_loc() <= hi + tol:
            out += [lab for lab in (tick.label1, tick.label2) if lab.get_visible() and lab.get_text()]
    return out


def _panel_spec(fig, ax):
    """Where ``ax`` sits in the figure's own grid: its subplotspec, or its subfigure's."""
    try:
        holder = ax.get_figure(root=False)
    except TypeError:  # matplotlib < 3.10: .figure is the subfigure
        holder = ax.figure
    if holder is not fig:
        return getattr(holder, "_subplotspec", None)
    return ax.get_subplotspec()


def _grow_rows(fig, rows, renderer) -> bool:
    """Make the figure taller where row labels would touch: each row gets the height of its
    tallest label and a gap. When the rows sit in stacked panels (subfigures or a gridspec of
    several rows), the panel that lacks the room gets it."""
    dpi = fig.dpi
    need: dict[int, tuple] = {}
    for ax, n in rows:
        labels = _shown_ticklabels(ax.yaxis)
        if not labels or n <= 0:
            continue
        tallest = max(t.get_window_extent(renderer).height for t in labels) / dpi
        pitch = ax.bbox.height / dpi / n
        deficit = n * (tallest + 4 / 72 - pitch)
        if deficit > 0.02:
            need[id(ax)] = (ax, deficit)
    if not need:
        return False
    w, h = fig.get_size_inches()
    extra = 0.0
    grids: dict[int, tuple] = {}
    for ax, deficit in need.values():
        spec = _panel_spec(fig, ax)
        gs = spec.get_gridspec() if spec is not None else None
        if gs is None or gs.nrows == 1:  # the only panel in height: it grows with the figure
            extra = max(extra, deficit)
            continue
        add = grids.setdefault(id(gs), (gs, {}))[1]
        add[spec.rowspan.start] = max(add.get(spec.rowspan.start, 0.0), deficit)
    for gs, add in grids.values():
        ratios = list(gs.get_height_ratios() or [1] * gs.nrows)
        total = sum(ratios)
        heights = [r / total * h for r in ratios]  # a row's share of the figure, near enough
        for i, d in add.items():
            heights[i] += d
        gs.set_height_ratios(heights)
        extra = max(extra, sum(add.values()))
    new_h = min(_MAX_HEIGHT_NARROW if w < _NARROW_BELOW else _MAX_HEIGHT, h + extra)
    if new_h <= h + 1e-3:
        return False
    fig.set_size_inches(w, new_h)
    return True


def _scaled(transform, v: float) -> float:
    return float(transform.transform([[v]])[0][0])


def _fit_tails(tails, renderer) -> bool:
    """Widen x limits so that the texts after each bar's end (values, notes) end inside the
    axes: on a narrow figure a text takes a larger share of the axes than the limits allowed."""
    changed = False
    for ax, texts in tails:
        texts = [t for t in texts if t.get_visible() and t.get_text() and t.get_ha() == "left"]
        width_px = ax.bbox.width
        if not texts or width_px <= 0:
            continue
        scale = ax.xaxis.get_transform()  # data → linear or log space: where pixels are linear
        lo, hi = ax.get_xlim()
        slo, shi = _scaled(scale, lo), _scaled(scale, hi)
        want = shi
        for t in texts:
            sx = _scaled(scale, t.get_position()[0])
            room = width_px - t.get_window_extent(renderer).width - 6
            if room <= width_px * 0.2:  # no limits could fit it: leave the rest of the chart legible
                room = width_px * 0.2
            want = max(want, slo + (sx - slo) * width_px / room)
        if want > shi + (shi - slo) * 1e-3:
            ax.set_xlim(lo, _scaled(scale.inverted(), want))
            changed = True
    return changed


def _fit_inside(inside, renderer) -> bool:
    """A value drawn inside its bar moves after the bar's end (or, without a place there, is
    left out) when the bar is too short for it."""
    changed = False
    for text, x0, x1, outside in inside:
        if not text.get_visible():
            continue
        ax = text.axes
        px = abs(ax.transData.transform([[x1, 0]])[0, 0] - ax.transData.transform([[x0, 0]])[0, 0])
        if text.get_window_extent(renderer).width + 4 <= px:
            continue
        if outside is None:
            text.set_visible(False)
        else:
            x, color = outside
            text.set_x(x)
            text.set_ha("left")
            text.set_color(color)
        changed = True
    return changed


def _thin_xticks(fig, renderer) -> bool:
    """Every other x tick goes where neighbouring tick labels would touch."""
    from matplotlib.ticker import NullLocator

    changed = False
    for ax in fig.axes:
        if not ax.axison or not ax.xaxis.get_visible():
            continue
        labels = _shown_ticklabels(ax.xaxis)
        boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda b: b.x0)
        if len(boxes) < 3 or all(a.x1 + 3 <= b.x0 for a, b in zip(boxes, boxes[1:])):
            continue
        lo, hi = sorted(ax.get_xlim())
        ticks = [(tick.get_loc(), tick.label1.get_text()) for tick in ax.xaxis.get_major_ticks()
                 if lo <= tick.get_loc() <= hi and tick.label1.get_text()]
        keep = ticks[::2]
        ax.set_xticks([loc for loc, _ in keep], [lab for _, lab in keep])
        ax.xaxis.set_minor_locator(NullLocator())
        changed = True
    return changed


def _fit_texts(fig, texts, renderer) -> bool:
    """Wrap titles and axis labels wider than their axes (or, for ``ax=None``, the figure) to its
    width, measured: a title centred over a narrow chart would otherwise run out of the figure."""
    changed = False
    for artist, raw, ax, lines in texts:
        if not artist.get_visible() or not raw:
            continue
        avail = (ax.bbox.width if ax is not None else fig.bbox.width) - 6
        if artist.get_window_extent(renderer).width <= avail:
            continue
        cols = int(avail / (artist.get_fontsize() * fig.dpi / 72 / 2))
        for _ in range(10):
            artist.set_text(_wrap(raw, cols, lines, placeholder=""))
            if cols <= 8 or artist.get_window_extent(renderer).width <= avail:
                break
            cols -= max(1, cols // 10)
        changed = True
    return changed


def _finish(fig, *, rows=(), tails=(), inside=(), texts=()):
    """Lay the figure out and fix what only a laid-out figure shows: titles and labels wider than
    their chart, rows too close for their labels, texts running past the axes, values too long
    for their bars, x tick labels that touch. Each fix changes the layout, so it runs until
    nothing changes (a few rounds)."""
    for _ in range(8):
        renderer = _layout(fig)
        if _fit_texts(fig, texts, renderer) or _grow_rows(fig, rows, renderer):
            continue
        changed = _fit_inside(inside, renderer)
        changed |= _fit_tails(tails, renderer)
        changed |= _thin_xticks(fig, renderer)
        if not changed:
            break
    fig._laid_out_at = fig.dpi  # save_png need not lay it out again at this dpi
    return fig


# ---------------------------------------------------------------------------------------------
# 预算执行


def execution(book_or_projects, result=None, *, department=None, profile=None, form_id=None, width=None):
    """预算执行: per project 全年预算数 vs 全年执行数 (万元) and the 执行率, sorted by rate.

    The rate is the recomputed one from ``result.form_scores`` when ``result`` is given (the
    printed one is shown beside it where they differ), else the printed 执行率 (or 执行数/预算数).
    The profile's thresholds (``execution.low_rate_high_score``, 80%; ``execution.reason_threshold``,
    90%) are drawn on the rate axis. Amounts spanning more than three orders of magnitude are drawn
    on a log scale. ``book_or_projects`` is a Book, its ``projects`` DataFrame or an AuditResult.
    ``width`` (inches, default 10): below 6.5 the amounts and the rates are stacked, each chart
    with its project labels and its legend below it.
    """
    import numpy as np

    g = _Geom(width)
    if result is None and getattr(book_or_projects, "forms", None) is not None \
            and getattr(book_or_projects, "projects", None) is None:
        result = book_or_projects
    prof = _profile(profile, result)
    low = float(prof["execution.low_rate_high_score"])
    reason = float(prof["execution.reason_threshold"])
    projects = _projects_of(book_or_projects)
    title = "预算执行情况"
    if projects is None or len(projects) == 0:
        return _empty(title + _scope(department, form_id), geom=g)
    df = _filter(projects, department=department, form_id=form_id)
    if df is None or len(df) == 0:
        return _empty(title + _scope(department, form_id), geom=g)
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
    labels = _row_labels(df.get("project_name", df["form_id"]), df.get("department"), g.name_cols)
    need = _label_height(_lines(labels), g.row_font)

    from matplotlib.patches import Patch

    rate_handles = [Patch(color=_RATE_LOW, label=f"低于 {low:g}%（执行率偏低）"),
                    Patch(color=_RATE_MID, label=f"{low:g}%–{reason:g}%（需说明原因）"),
                    Patch(color=_RATE_OK, label=f"不低于 {reason:g}%")]
    if g.narrow:
        row = max(0.30, need)
        rate_ncol = _legend_ncol([h.get_label() for h in rate_handles], g.width)
        h_amt = 1.5 + row * n
        h_rate = 1.5 + 0.2 * math.ceil(3 / rate_ncol) + row * n
        fig = _new_figure(n, width=g.width, height=0.45 + h_amt + h_rate)
        panel_amt, panel_rate = fig.subfigures(2, 1, height_ratios=[h_amt, h_rate])
        ax_amt, ax_rate = panel_amt.add_subplot(), panel_rate.add_subplot()
    else:
        fig = _new_figure(n, base=2.2, row=max(0.46, need), width=g.width)
        panel_amt = panel_rate = fig
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
    xlabel = "金额（万元，对数刻度）" if log else "金额（万元）"
    texts = [(ax_amt.set_title("全年预算数与全年执行数", pad=16 if not g.narrow else 8, **g.font(g.title)),
              "全年预算数与全年执行数", ax_amt, _LABEL_LINES)]
    ax_amt.set_yticks(y)
    ax_amt.set_yticklabels(labels, fontsize=g.row_font)
    _rows_ylim(ax_amt, n)  # lowest rate on top
    ax_amt.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax_amt.set_axisbelow(True)
    if g.narrow:
        panel_amt.legend(*ax_amt.get_legend_handles_labels(), loc="outside lower center", ncol=2,
                         fontsize=g.small, frameon=False)
    else:
        ax_amt.legend(loc="best", fontsize=g.small, framealpha=0.9)

    notes = []
    for yy, v, note in zip(y, np.fmax(np.nan_to_num(b), np.nan_to_num(e)), df["_basis"]):
        if note:
            x = v if v > 0 else (ax_amt.get_xlim()[0] if log else 0)
            x = x * 1.15 if log else x + 0.01 * np.nanmax(pos if len(pos) else [1])
            # on a phone the note would take half the chart: a mark, explained under the axis
            notes.append(ax_amt.text(x, yy, "*" if g.narrow else f"（{note}）", va="center", fontsize=g.small,
                                     color="#666666"))
    if notes and g.narrow:
        xlabel += "\n* 金额按其中各行合计"
    ax_amt.set_xlabel(xlabel, **g.font(g.axis_label))

    rate = df["_rate"].to_numpy(dtype=float)
    colors = [_RATE_LOW if r < low else _RATE_MID if r < reason else _RATE_OK if not _isnan(r) else "#cccccc"
              for r in rate.tolist()]
    ax_rate.barh(y, np.nan_to_num(rate), height=0.6, color=colors)
    top = max(100.0, float(np.nanmax(rate)) if np.isfinite(rate).any() else 100.0)
    has_note = False
    tails, inside = [], []
    for yy, r, p in zip(y, rate.tolist(), df["_printed"].to_numpy(dtype=float).tolist()):
        if _isnan(r):
            tails.append(ax_rate.text(1, yy, "无法计算", va="center", fontsize=g.small, color="#666666"))
            continue
        after = max(r, 0) + top * 0.015
        if r >= 22:  # inside the bar's end, clear of the threshold lines' labels
            t = ax_rate.text(r - top * 0.015, yy, f"{r:.1f}%", va="center", ha="right", fontsize=g.small,
                             color="white")
            inside.append((t, 0, r, (after, "#333333")))
        else:
            t = ax_rate.text(after, yy, f"{r:.1f}%", va="center", fontsize=g.small, color="#333333")
        tails.append(t)
        if has_recomputed and not _isnan(p) and abs(p - r) > 0.05:
            has_note = True
            tails.append(ax_rate.text(top * 1.03, yy, f"表内 {p:.1f}%", va="center", fontsize=g.small,
                                      color=_RATE_LOW))
    ax_rate.set_xlim(0, top * (1.32 if has_note else 1.04))
    from matplotlib.transforms import blended_transform_factory

    tr = blended_transform_factory(ax_rate.transData, ax_rate.transAxes)
    for x, color, ha in ((low, _RATE_LOW, "right"), (reason, _RATE_MID, "left")):
        ax_rate.axvline(x, color=color, linestyle="--", linewidth=1, zorder=0.5)  # under the bars
        ax_rate.text(x, 1.005, f"{x:g}%", transform=tr, ha=ha, va="bottom", fontsize=g.small, color=color)
    ax_rate.axvline(100, color="#999999", linestyle=":", linewidth=0.8, zorder=0.5)
    ticks = [t for t in (0, 25, 50, 75, 100) if t <= top * 1.3]
    ax_rate.set_xticks(ticks)
    ax_rate.set_xticklabels([f"{v:g}%" for v in ticks], fontsize=g.small)
    ax_rate.set_xlabel("预算执行率" + ("（复算）" if has_recomputed else "（表内）"), **g.font(g.axis_label))
    ax_rate.set_title("预算执行率", pad=16, loc="left", **g.font(g.title))
    ax_rate.grid(axis="x", color="#eeeeee", linewidth=0.6)
    ax_rate.set_axisbelow(True)
    if g.narrow:
        ax_rate.set_yticks(y)
        ax_rate.set_yticklabels(labels, fontsize=g.row_font)
        _rows_ylim(ax_rate, n)
        panel_rate.legend(handles=rate_handles, loc="outside lower center", ncol=rate_ncol, fontsize=g.small,
                          frameon=False)
    else:
        ax_rate.tick_params(axis="y", left=False)
        fig.legend(handles=rate_handles, loc="outside lower center", ncol=3, fontsize=g.small, frameon=False)
    scope = _scope(department, form_id, name) or f"（{n} 个项目）"
    texts.append((fig.suptitle(_t(f"{title}{scope}"), fontsize=g.suptitle), f"{title}{scope}", None, _LABEL_LINES))
    rows = [(ax_amt, n), (ax_rate, n)] if g.narrow else [(ax_amt, n)]
    return _finish(fig, rows=rows, tails=[(ax_amt, notes), (ax_rate, tails)], inside=inside, texts=texts)


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


def weights(book, *, form_id=None, department=None, profile=None, width=None):
    """指标权重: per project, 分值 stacked by 一级 (预算执行/产出/效益/满意度) and within by 二级.

    The profile's split (``weights.*``, 10/50/30/10) is drawn as dashed reference lines at its
    running totals, and each row ends with the form's own split, in red where it differs from the
    profile, so a skewed form stands out; skewed forms are listed first. ``book`` is a Book, an
    AuditResult or an indicators DataFrame (then 预算执行 is left out unless it has ``exec_weight``).
    ``width`` (inches, default 10): below 6.5 the form's split is the last line of its label, so
    that the bars keep the width, and the legend takes as many columns as fit.
    """
    import numpy as np
    import pandas as pd

    g = _Geom(width)
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
        return _empty(title + _scope(department, form_id), geom=g)
    names = _names(proj, ids) or _names(ind, ids)
    exec_w = {}
    if proj is not None and "exec_weight" in proj:
        exec_w = dict(zip(proj["form_id"].astype(str), proj["exec_weight"].map(_num)))

    # (form, group, kind) → points, in template order
    seg: dict[str, list[tuple[str, str, float]]] = {f: [] for f in ids}
    split: dict[str, dict[str, float]] = {f: dict.fromkeys(_GROUP_ORDER, 0.0) for f in ids}
    for f in ids:
        w = exec_w.get(f, math.nan)
        if not _isnan(w) and w:
            seg[f].append(("execution", "预算执行率", w))
            split[f]["execution"] = w
    if ind is not None and len(ind):
        d = ind.assign(_f=ind["form_id"].astype(str), _w=ind["weight"].map(_num).fillna(0.0))
        d["_g"] = d["level1"].map(_level1_group)
        d["_k"] = [_level2_kind(grp, l2) for grp, l2 in zip(d["_g"], d.get("level2", pd.Series("", index=d.index)))]
        sums: dict[str, dict[tuple[str, str], float]] = {}
        for (f, grp, k), w in d.groupby(["_f", "_g", "_k"], sort=False)["_w"].sum().items():
            sums.setdefault(f, {})[(grp, k)] = float(w)
        for f, parts in sums.items():
            if f not in seg:
                continue
            for grp in _GROUP_ORDER[1:]:
                for k in [k for _, k in _LEVEL2_KINDS[grp]] + ["其他"]:
                    w = parts.get((grp, k), 0.0)
                    split[f][grp] += w
                    if w:
                        seg[f].append((grp, k, w))

    def skew(f: str) -> float:
        s = split[f]
        dev = sum(abs(s[k] - v) for k, v in want.items() if k != "execution" or exec_w) + s["other"]
        return dev

    def split_text(f: str) -> str:
        s = split[f]
        parts = [s["execution"] if exec_w else None, s["output"], s["benefit"], s["satisfaction"]]
        text = "/".join(_fmt(p, 1) for p in parts if p is not None)
        if s["other"]:
            text += f" +其他{_fmt(s['other'], 1)}"
        return text

    skews = {f: skew(f) for f in ids}
    ids = sorted(ids, key=lambda f: (skews[f] <= tol * 4, ids.index(f)))  # skewed first, else as loaded
    n = len(ids)
    name = names.get(ids[0]) if form_id is not None else None
    deps = dict(zip(proj["form_id"].astype(str), proj["department"])) if proj is not None and "department" in proj \
        else {}
    labels = _row_labels([names.get(f) or f for f in ids], [deps.get(f, "") for f in ids] if deps else None,
                         g.name_cols)
    if g.narrow:
        labels = _unique_labels([f"{lab}\n{_t(split_text(f))}" for lab, f in zip(labels, ids)])
    need = _label_height(_lines(labels), g.row_font)
    fig = _new_figure(n, base=2.6 if not g.narrow else 3.0, row=max(0.42 if not g.narrow else 0.3, need),
                      width=g.width)
    ax = fig.add_subplot()
    colors = _segment_colors()
    y = np.arange(n)
    used: dict[tuple[str, str], object] = {}
    totals = []
    inside = []
    pieces: dict[tuple[str, str], tuple[list, list, list]] = {}  # one barh call per 二级 kind
    for yy, f in zip(y, ids):
        left = 0.0
        for grp, k, w in seg[f]:
            ys, ws, ls = pieces.setdefault((grp, k), ([], [], []))
            ys.append(yy)
            ws.append(w)
            ls.append(left)
            if w >= 5:
                t = ax.text(left + w / 2, yy, _fmt(w, 1), ha="center", va="center", fontsize=g.small, zorder=4,
                            color="white" if grp in ("execution", "output", "benefit", "satisfaction") else "#222222")
                inside.append((t, left, left + w, None))  # a segment too short for its value shows none
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
    for i, (x, lab) in enumerate(ref_labels):
        # on a phone neighbouring labels are wider than their segments: two staggered lines
        rise = 2 + (11 if g.narrow and i % 2 else 0)
        ax.annotate(lab, (x, 1), xycoords=tr, xytext=(0, rise), textcoords="offset points", ha="center",
                    va="bottom", fontsize=g.small, color="#333333")
    tails = []
    ax.set_xlim(0, xmax * (1.22 if not g.narrow else 1.03))
    ax.set_xticks([t for t in range(0, int(xmax) + 1, 10 if xmax <= 120 and not g.narrow else 20)])
    if not g.narrow:
        for yy, f in zip(y, ids):
            bad = skews[f] > tol * 4
            tails.append(ax.text(xmax * 1.015, yy, split_text(f), va="center", fontsize=g.small,
                                 color=_RATE_LOW if bad else "#555555"))
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=g.row_font)
    for tick, f in zip(ax.get_yticklabels(), ids):
        if skews[f] > tol * 4:
            tick.set_color(_RATE_LOW)
    _rows_ylim(ax, n)
    where = "标签末行" if g.narrow else "行末"
    xlabel = ("分值（虚线为口径：" + "/".join(f"{LEVEL1_LABELS[k]}{v:g}" for k, v in want.items())
              + f"；{where}为本表 执行/产出/效益/满意度，红色为与口径不符）" if exec_w else
              f"分值（虚线为口径累计；{where}为本表 产出/效益/满意度）")
    texts = [(ax.set_xlabel(_t(xlabel), fontsize=g.small), xlabel, ax, 5)]
    ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
    ax.set_axisbelow(True)
    order = [(grp, k) for grp in _GROUP_ORDER for k in (["预算执行率"] if grp == "execution" else
                                                        [k for _, k in _LEVEL2_KINDS[grp]] + ["其他"])]
    keys = [key for key in order if key in used]
    handles = [used[key] for key in keys]
    legend = ["预算执行" if grp == "execution" else f"{LEVEL1_LABELS[grp]}·{k}" for grp, k in keys]
    if handles:
        ncol = min(6, len(handles)) if not g.narrow else _legend_ncol(legend, g.width)
        fig.legend(handles, legend, loc="outside lower center", ncol=ncol, fontsize=g.small, frameon=False)
    scope = _scope(department, form_id, name) or f"（{n} 个项目）"
    if g.narrow:  # the figure's title, over the label column too, not squeezed over the bars
        texts.append((fig.suptitle(_t(f"{title}{scope}"), fontsize=g.suptitle), f"{title}{scope}", None,
                      _LABEL_LINES))
    else:
        texts.append((ax.set_title(_t(f"{title}{scope}"), pad=18), f"{title}{scope}", ax, _LABEL_LINES))
    return _finish(fig, rows=[(ax, n)], tails=[(ax, tails)], inside=inside, texts=texts)


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


def lost_points(result, *, form_id=None, department=None, top: int = 15, width=None):
    """失分: where points were lost (分值 − 得分), printed vs recomputed.

    Top: 失分 per project (sum over 预算执行率 and the indicators), printed and recomputed; bottom:
    the ``top`` indicators that lost most. A recomputed loss larger than the printed one means the
    form claimed points its own numbers do not support. A negative loss is a 得分 above its 分值.
    ``width`` (inches, default 10): below 6.5 the legend sits under the first chart, not in it.
    """
    import numpy as np

    g = _Geom(width)
    title = "失分分析"
    rows = _lost_table(result, form_id=form_id, department=department)
    name = None
    if rows is not None and len(rows) and form_id is not None:
        name = rows["project_name"].iloc[0]
    scope = _scope(department, form_id, name)
    if rows is None or len(rows) == 0:
        return _empty(title + scope, geom=g)
    eps = 0.005
    lp = rows["lost_printed"].fillna(0.0)
    lr = rows["lost_recomputed"].fillna(0.0)
    rows = rows.assign(_lp=lp, _lr=lr, _key=np.maximum(lp.abs(), lr.abs()))
    lossy = rows[rows["_key"] > eps]
    if lossy.empty:
        return _empty(title + scope, "未发现失分：各项得分均为满分", geom=g)
    per = (lossy.groupby("form_id", sort=False)
           .agg(project_name=("project_name", "first"), department=("department", "first"), _lp=("_lp", "sum"), _lr=("_lr", "sum"))
           .reset_index())
    per = per.assign(_key=np.maximum(per["_lp"].abs(), per["_lr"].abs())).sort_values("_key", ascending=False)
    show_per = form_id is None and len(per) > 1
    worst = lossy.sort_values("_key", ascending=False, kind="stable").head(max(int(top), 1))
    n_per = len(per) if show_per else 0
    n_ind = len(worst)
    cols = g.name_cols
    per_labels = _row_labels(per["project_name"], per["department"], cols) if show_per else []
    if form_id is None:
        ind_labels = _unique_labels([f"{_wrap(p, cols)}\n{_wrap(nm, cols)}"
                                     for p, nm in zip(worst["project_name"].fillna(""), worst["name"].fillna(""))])
    else:
        ind_labels = _unique_labels([_wrap(nm, cols) for nm in worst["name"].fillna("")])
    row = max(0.40 if not g.narrow else 0.3, _label_height(_lines(per_labels + ind_labels), g.row_font))
    if not show_per:
        fig = _new_figure(n_ind, base=2.4 if not g.narrow else 2.8, row=row, width=g.width)
        ax_p, ax_i = None, fig.add_subplot()
        panel_p = fig
    elif g.narrow:
        h_p, h_i = 1.6 + row * n_per, 1.2 + row * n_ind
        fig = _new_figure(0, width=g.width, height=0.45 + h_p + h_i)
        panel_p, panel_i = fig.subfigures(2, 1, height_ratios=[h_p, h_i])
        ax_p, ax_i = panel_p.add_subplot(), panel_i.add_subplot()
    else:
        fig = _new_figure(n_per + n_ind + 2, base=2.4, row=row, width=g.width)
        ax_p, ax_i = fig.subplots(2, 1, gridspec_kw={"height_ratios": [max(n_per, 1) + 1, n_ind + 1]})
        panel_p = fig
    tails, texts = [], []

    def pair(ax, labels, printed, recomputed, what):
        y = np.arange(len(labels))
        h = 0.38
        ax.barh(y - h / 2, printed, height=h, color=_PRINTED_COLOR, label="表内失分（按表内得分）")
        ax.barh(y + h / 2, recomputed, height=h, color=_RECOMPUTED_COLOR, label="复算失分（按复算得分）")
        ax.axvline(0, color="#555555", linewidth=0.8)
        span = max(float(np.nanmax(np.abs(np.concatenate([printed, recomputed])))), 0.1)
        lo = min(0.0, float(np.nanmin(np.concatenate([printed, recomputed]))))
        ax.set_xlim(lo - (span * 0.05 if lo < 0 else 0), span * (1.45 if not g.narrow else 1.15))
        values = []
        for yy, p, r in zip(y, printed, recomputed):
            label = _fmt(p) if abs(p - r) <= 0.05 else f"{_fmt(p)} → {_fmt(r)}"
            color = _RECOMPUTED_COLOR if r - p > 0.05 else "#333333"
            values.append(ax.text(max(p, r, 0) + span * 0.02, yy, label, va="center", fontsize=g.small, color=color))
        tails.append((ax, values))
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize=g.row_font)
        _rows_ylim(ax, len(labels))
        texts.append((ax.set_xlabel(_t(f"失分 = 分值 - 得分（分）{what}"), fontsize=9), f"失分 = 分值 - 得分（分）{what}",
                      ax, 5))
        ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
        ax.set_axisbelow(True)

    def legend(ax):
        if g.narrow:
            panel_p.legend(*ax.get_legend_handles_labels(), loc="outside lower center",
                           ncol=_legend_ncol(ax.get_legend_handles_labels()[1], g.width), fontsize=g.small,
                           frameon=False)
        else:
            ax.legend(loc="best", fontsize=g.small, framealpha=0.9)

    if show_per:
        pair(ax_p, per_labels, per["_lp"].to_numpy(float), per["_lr"].to_numpy(float), "：预算执行率与各指标合计")
        head = f"各项目失分{_scope(department)}"
        texts.append((ax_p.set_title(_t(head), **g.font(g.title)), head, ax_p, _LABEL_LINES))
        legend(ax_p)
    pair(ax_i, ind_labels, worst["_lp"].to_numpy(float), worst["_lr"].to_numpy(float), "")
    ax_i.set_title(f"失分最多的 {n_ind} 项指标" if len(lossy) > n_ind else f"失分的指标（{n_ind} 项）",
                   **g.font(g.title))
    if not show_per:
        legend(ax_i)
    texts.append((fig.suptitle(_t(f"{title}{scope}"), fontsize=g.suptitle), f"{title}{scope}", None, _LABEL_LINES))
    rows_ = [(ax_i, n_ind)] + ([(ax_p, n_per)] if show_per else [])
    return _finish(fig, rows=rows_, tails=tails, texts=texts)


# ---------------------------------------------------------------------------------------------
# 发现


def findings(result, *, department=None, form_id=None, width=None):
    """发现: the number of findings per rule, stacked by severity (错误 red, 警告 orange, 提示 blue).

    ``result`` is an AuditResult or its ``findings`` DataFrame. Rules are ordered by their worst
    severity, then by count; each label gives the rule id and its Chinese title, wrapped onto up
    to three lines. ``width`` (inches, default 10): below 6.5 the legend sits under the chart.
    """
    import numpy as np

    g = _Geom(width)
    title = "审核发现（按规则）"
    df = result if _is_frame(result) else getattr(result, "findings", None)
    if df is None:
        raise TypeError(f"expected an AuditResult or a findings DataFrame, not {type(result).__name__}")
    df = _filter(df, department=department, form_id=form_id)
    name = df["project_name"].iloc[0] if form_id is not None and len(df) and "project_name" in df else None
    scope = _scope(department, form_id, name)
    if df is None or len(df) == 0:
        return _empty(title + scope, "无数据：未发现问题", geom=g)
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
    # 44 columns give every rule's id and title in at most two lines on the page figure; on a
    # phone the labels take a little over half of the width and three lines
    cols = 44 if not g.narrow else g.share_cols(g.small, 0.55, lo=24, hi=44)
    labels = [_wrap(f"{rid}  {' '.join(titles.get(rid, '').split())}".rstrip(), cols, squeeze=False)
              for rid in counts.index]
    row = max(0.34 if not g.narrow else 0.3, _label_height(_lines(labels), g.small))
    fig = _new_figure(n, base=2.0 if not g.narrow else 2.4, row=row, width=g.width)
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
    tails = [ax.text(tot + xmax * 0.01, yy, f"{int(tot)}", va="center", fontsize=g.small, color="#333333")
             for yy, tot in zip(y, left)]
    ax.set_xlim(0, xmax * 1.1 + 0.5)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=g.small)
    _rows_ylim(ax, n)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("发现条数", **g.font(g.axis_label))
    ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
    ax.set_axisbelow(True)
    if g.narrow:
        handles, names = ax.get_legend_handles_labels()
        fig.legend(handles, names, loc="outside lower center", ncol=_legend_ncol(names, g.width, 9), fontsize=9,
                   title="严重程度", title_fontsize=9, frameon=False)
    else:
        ax.legend(loc="best", fontsize=9, framealpha=0.9, title="严重程度", title_fontsize=9)
    head = f"{title}{scope}：共 {len(df)} 条"
    if g.narrow:  # the figure's title, over the label column too, not squeezed over the bars
        texts = [(fig.suptitle(_t(head), fontsize=g.suptitle), head, None, _LABEL_LINES)]
    else:
        texts = [(ax.set_title(_t(head)), head, ax, _LABEL_LINES)]
    return _finish(fig, rows=[(ax, n)], tails=[(ax, tails)], texts=texts)


# ---------------------------------------------------------------------------------------------
# HTML


_PAD_INCHES = 0.1  # savefig's pad around a tight box


def render_rgb(fig, *, dpi: int, facecolor="white"):
    """The figure drawn once at ``dpi`` and cropped to its ink with savefig's 0.1-inch pad: an
    ``(h, w, 3)`` uint8 array, or None when ink touches the canvas edge (something may lie beyond
    it, which only ``savefig(bbox_inches="tight")`` shows) or the background is not opaque.

    ``savefig(bbox_inches="tight")`` draws a figure twice (once to measure every artist for the
    tight box, once to render it), and a constrained layout runs again at each draw. Here the
    layout runs once, at the file's resolution (text measures differently at another dpi; reused
    when ``_finish`` laid the figure out at that dpi), and the one draw's pixels give the box:
    the same content for about half the time (``tests/test_plots_render.py`` compares them)."""
    import numpy as np
    from matplotlib.colors import to_rgba

    if to_rgba(facecolor)[3] < 1:  # ink on a see-through background cannot be told from it
        return None
    engine = fig.get_layout_engine()
    constrained = engine is not None and getattr(engine, "adjust_compatible", True) is False
    own_dpi, own_face = fig.dpi, fig.get_facecolor()
    try:
        if fig.dpi != dpi:
            fig.set_dpi(dpi)
        if constrained and getattr(fig, "_laid_out_at", None) != dpi:
            engine.execute(fig)
            fig._laid_out_at = dpi
        fig.set_facecolor(facecolor)
        if constrained:
            fig.set_layout_engine("none")
        try:
            fig.canvas.draw()
        finally:
            if constrained:
                fig.set_layout_engine(engine)
        rgba = np.asarray(fig.canvas.buffer_rgba())
    finally:  # the figure stays as it was: a later change to it is laid out again
        fig.set_facecolor(own_face)
        if fig.dpi != own_dpi:
            fig.set_dpi(own_dpi)
    bg = np.array([round(c * 255) for c in to_rgba(facecolor)[:3]], dtype=np.uint8)
    rgb = rgba[..., :3]
    ink = (rgb != bg).any(axis=2)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return None
    h, w = ink.shape
    pad = max(1, int(round(_PAD_INCHES * dpi)))
    if rows[0] == 0 or cols[0] == 0 or rows[-1] == h - 1 or cols[-1] == w - 1:
        return None
    out = np.empty((rows[-1] + 1 - rows[0] + 2 * pad, cols[-1] + 1 - cols[0] + 2 * pad, 3), dtype=np.uint8)
    out[...] = bg  # the pad may reach past the canvas, as savefig's does
    out[pad:-pad, pad:-pad] = rgb[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    return out


def render_image(fig, *, dpi: int, facecolor="white"):
    """The figure as a PIL image at ``dpi``, cropped to its content and drawn once (``render_rgb``):
    ``RGB``, or ``RGBA`` on a see-through ``facecolor``. A figure whose ink reaches its edge (or
    whose background is see-through) goes through ``savefig(bbox_inches="tight")``, which draws
    it twice but sees beyond the canvas."""
    from matplotlib.colors import to_rgba
    from PIL import Image

    rgb = render_rgb(fig, dpi=dpi, facecolor=facecolor)
    if rgb is not None:
        return Image.fromarray(rgb)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", facecolor=facecolor)
    buf.seek(0)
    with Image.open(buf) as img:
        return img.convert("RGB" if to_rgba(facecolor)[3] == 1 else "RGBA")


def save_png(fig, buf, *, dpi: int, facecolor="white") -> None:
    """Write the figure as a PNG at ``dpi``, cropped to its content (``render_image``)."""
    render_image(fig, dpi=dpi, facecolor=facecolor).save(buf, format="PNG", dpi=(dpi, dpi))


def figure_to_data_uri(fig, *, dpi: int = 110) -> str:
    """The figure as a PNG ``data:image/png;base64,…`` URI, for an ``<img src>`` in the HTML report."""
    buf = io.BytesIO()
    save_png(fig, buf, dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
