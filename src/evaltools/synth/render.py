"""Drawing synthetic forms and writing them: a planned form becomes cells and merges on a
sheet, and sheets become workbooks (``.xlsx`` through XlsxWriter, legacy ``.xls`` through xlwt).

Both writer libraries are imported on first use; without them the error says, in Chinese, to
install the ``synth`` extra. The output is byte-for-byte deterministic: the workbook dates are
fixed and XlsxWriter dates every zip entry 1980-01-01. No string is ever written as a formula,
a number or a link, so a value such as ``"=6人"`` stays text.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence, Union

from ..errors import MissingDependency
from ..read import cell_name, range_name
from .catalogue import NOTES_LINES
from .truth import PROJECT_KEYS, dtext, jnum

if TYPE_CHECKING:
    from .content import FormContent, Indicator


# --------------------------------------------------------------------------------------------
# A form drawn: content + layout → cells, merges, its truth record


@dataclass
class Layout:
    """Printed-form choices derived from a form's content variants."""

    na: str = "--"
    weight_header: str = "分值"
    actual_header: str = "实际完成值"
    deviation_header: str = "偏差原因分析及改进措施"
    inline: str = ""  # "" | half | full | spaced
    ops: str = "ascii"  # ascii | fullwidth | words
    bare: bool = False
    nature: bool = False
    adjusted: bool = True
    as_text: bool = False
    thousands: bool = False  # "1,234.5" rather than "1234.5" when numbers are text
    spaced: bool = False
    punct: bool = False
    dept: str = "suffix"  # suffix | prefix | bracket | none


def _layout(content: FormContent) -> Layout:
    v, o = content.variants, content.options
    lay = Layout()
    if "na-marker" in v:
        lay.na = o["na"]
    if "weight-header" in v:
        lay.weight_header = "权重"
    if "actual-header" in v:
        lay.actual_header = o["actual_header"]
    if "deviation-header" in v:
        lay.deviation_header = o["deviation_header"]
    if "inline-weight" in v:
        lay.inline = o["inline"]
    if "fullwidth-operators" in v:
        lay.ops = "fullwidth"
    elif "word-operators" in v:
        lay.ops = "words"
    lay.bare = "bare-number" in v
    lay.nature = "nature-column" in v
    lay.adjusted = "no-adjusted" not in v
    lay.as_text = "numbers-as-text" in v
    lay.thousands = o.get("thousands") == "comma"
    lay.spaced = "spaced-labels" in v
    lay.punct = "fullwidth-punct" in v
    for name, style in (("dept-code-prefix", "prefix"), ("dept-code-bracket", "bracket"),
                        ("dept-no-code", "none")):
        if name in v:
            lay.dept = style
    return lay


_FULLWIDTH_OPS = {">=": "≥", "<=": "≤", "=": "＝", "<": "＜", ">": "＞"}


def _op_text(ind: Indicator, value: str, lay: Layout) -> str:
    op = ind.op
    if lay.ops == "fullwidth":
        return _FULLWIDTH_OPS[op] + value
    if lay.ops == "words" and op in (">=", "<="):
        # A stable choice per indicator name so target and actual read alike.
        first = (sum(map(ord, ind.name)) % 2) == 0
        if op == ">=":
            return f"不低于{value}" if first else f"{value}以上"
        return f"不超过{value}" if first else f"{value}以内"
    return op + value


def _target_text(ind: Indicator, lay: Layout, value: Decimal | None = None) -> str:
    if ind.kind != "quant":
        return ind.word
    value = ind.target if value is None else value
    number = dtext(value, ind.target_places) if value is ind.target else dtext(value)
    shown = f"{number}{ind.unit}"
    bare_ok = ind.op == "=" or (ind.op == ">=" and ind.actual == ind.target)
    if lay.bare and bare_ok and not ind.cost:
        return shown
    return _op_text(ind, shown, lay)


def _actual_text(ind: Indicator, lay: Layout) -> str:
    if ind.kind != "quant":
        return ind.actual_word
    shown = f"{dtext(ind.actual)}{ind.unit}"
    return _op_text(ind, shown, lay) if ind.op_in_actual else shown


def _nature(ind: Indicator) -> str:
    if ind.kind != "quant":
        return "定性"
    return "反向" if ind.op in ("<=", "<") else "正向"


def _spaced(text: str) -> str:
    return " ".join(text)


class Canvas:
    """Cells and merges of one sheet, written relative to a form's origin."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], object] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.r0 = 0
        self.c0 = 0

    def put(self, r: int, c: int, value, merge_to: tuple[int, int] | None = None) -> str:
        """Write ``value`` at form-relative (r, c); returns the absolute A1 reference."""
        ar, ac = r + self.r0, c + self.c0
        if value is not None and value != "":
            self.cells[(ar, ac)] = value
        if merge_to and merge_to != (r, c):
            self.merges.append((ar, ac, merge_to[0] + self.r0, merge_to[1] + self.c0))
        return cell_ref(ar, ac)


def _amount_cell(value: Decimal, lay: Layout) -> tuple[object, int | float]:
    """(cell value, truth number) for an amount in 万元."""
    number = jnum(value)
    if lay.as_text:
        text = f"{value:,}" if lay.thousands and abs(value) >= 1000 else dtext(value)
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text, number
    return number, number


def _rate_cell(value: Decimal, lay: Layout) -> tuple[object, int | float]:
    number = jnum(value)
    return (f"{dtext(value)}%" if lay.as_text else number), number


def _score_cell(value: Decimal | int, lay: Layout) -> tuple[object, int | float]:
    number = jnum(value)
    return (dtext(Decimal(number)) if lay.as_text else number), number


def _ind_columns(lay: Layout) -> dict[str, tuple[int, int]]:
    cols = {"level1": (3, 3), "level2": (4, 4), "name": (5, 5)}
    if lay.nature:
        cols["nature"] = (6, 6)
        cols["target"] = (7, 7)
        if lay.adjusted:
            cols["adjusted_target"] = (8, 8)
            cols["actual"] = (9, 9)
        else:
            cols["actual"] = (8, 9)
    elif lay.adjusted:
        cols.update(target=(6, 6), adjusted_target=(7, 7), actual=(8, 9))
    else:
        cols.update(target=(6, 7), actual=(8, 9))
    cols.update(weight=(10, 10), score=(11, 11), deviation_reason=(12, 13))
    return cols


_FUND_FIELD_COL = {"label": 4, "budget_initial": 6, "budget_full_year": 8, "executed": 10,
                   "weight": 11, "exec_rate": 12, "score": 13}
_PROJECT_FIELD_AT_TOTAL = {"budget_initial": 6, "budget_full_year": 8, "executed": 10,
                           "exec_weight": 11, "exec_rate": 12, "exec_score": 13}


@dataclass
class Rendered:
    """A form drawn on a canvas: its truth record and where things landed."""

    truth: dict
    height: int
    refs: dict  # symbolic location → A1


def _label(text: str, lay: Layout, colon: bool = False) -> str:
    shown = _spaced(text) if lay.spaced else text
    return shown + "：" if (colon and lay.punct) else shown


def render_form(content: FormContent, canvas: Canvas) -> Rendered:
    """Draw ``content`` at the canvas origin in the seed's layout, modified by its variants."""
    lay = _layout(content)
    put = canvas.put
    refs: dict = {}
    cells: dict[str, str] = {}
    project: dict = {}

    # Header.
    title_ref = put(1, 2, content.project_name, (1, 7))
    put(1, 8, "项目绩效自评表", (1, 13))
    put(2, 7, "（")
    year_value = str(content.year) if lay.as_text else content.year
    cells["year"] = put(2, 8, year_value)
    put(2, 9, "年度）")
    cells["label:项目名称"] = put(3, 2, _label("项目名称", lay, True), (3, 3))
    cells["project_name"] = put(3, 4, content.project_name, (3, 13))
    put(4, 2, _label("主管部门", lay, True), (4, 3))
    dept = content.dept
    dept_text = {"suffix": f"{dept.name}-{dept.code}", "prefix": f"{dept.code}-{dept.name}",
                 "bracket": f"[{dept.code}]{dept.name}", "none": dept.name}[lay.dept]
    cells["department"] = cells["department_code"] = put(4, 4, dept_text, (4, 7))
    put(4, 8, _label("实施单位", lay, True), (4, 9))
    cells["implementing_unit"] = put(4, 10, content.unit, (4, 13))
    project.update(project_name=content.project_name, department=dept.name,
                   department_code="" if lay.dept == "none" else dept.code,
                   implementing_unit=content.unit, year=content.year)

    # Funds.
    funds_truth = _render_funds(content, lay, canvas, refs, cells, project)
    n_fund = len(content.funds)

    # Goals.
    g = 6 + n_fund
    put(g, 2, _label("年度总体目标", lay), (g + 1, 2))
    put(g, 3, "预期目标", (g, 7))
    put(g, 8, "实际完成情况", (g, 13))
    cells["goal_expected"] = put(g + 1, 3, content.goal_expected, (g + 1, 7))
    cells["goal_actual"] = put(g + 1, 8, content.goal_actual, (g + 1, 13))
    project.update(goal_expected=content.goal_expected, goal_actual=content.goal_actual)

    # Indicators.
    h = g + 3
    ind_truth, ind_cols = _render_indicators(content, lay, canvas, h, refs)
    n = len(content.indicators)

    # Totals.
    t = h + n + 2
    put(t, 2, _label("总分", lay), (t, 9))
    weight_value, weight_num = _score_cell(100, lay)
    cells["total_weight"] = put(t, 10, weight_value)
    score_value, score_num = _score_cell(content.total_score, lay)
    cells["total_score"] = put(t, 11, score_value)
    project.update(total_weight=weight_num, total_score=score_num)
    refs[("project", "total_weight")] = cells["total_weight"]
    refs[("project", "total_score")] = cells["total_score"]

    # Conclusions.
    c = t + 2
    put(c, 2, _label("项目自评结论", lay), (c + 7, 2))
    put(c, 3, "主要经验做法", (c, 4))
    cells["experience"] = put(c, 5, content.experience, (c, 13))
    put(c + 1, 3, "项目管理中存在的\n主要问题及原因分析", (c + 1, 4))
    cells["problems"] = put(c + 1, 5, content.problems, (c + 1, 13))
    put(c + 2, 3, "下一步改进措施及\n管理建议", (c + 7, 4))
    project.update(experience=content.experience, problems=content.problems)
    s = content.suggestions
    for k, (label, key, fld) in enumerate((
        ("对项目决策的建议：", "decision", "suggestion_decision"),
        ("对预算安排与执行的建议：", "budget", "suggestion_budget"),
        ("对资金管理的建议：", "funds", "suggestion_funds"),
        ("项目管理的建议：", "management", "suggestion_management"),
        ("其他：", "other", "suggestion_other"),
        ("备注：", "remarks", "remarks"),
    )):
        put(c + 2 + k, 5, label)
        cells[fld] = put(c + 2 + k, 6, s[key], (c + 2 + k, 13))
        project[fld] = s[key]
    for fld in ("project_name", "experience", "problems", "suggestion_decision",
                "suggestion_budget", "suggestion_funds", "suggestion_management",
                "suggestion_other", "remarks", "goal_expected", "goal_actual"):
        refs[("project", fld)] = cells[fld]
    refs[("project", "exec_score")] = cells["exec_score"]

    height = c + 7
    top_left = (canvas.r0 + 1, canvas.c0 + 2)
    form_range = range_ref(top_left[0], top_left[1], canvas.r0 + height, canvas.c0 + 13)
    ordered_project = {k: project.get(k) for k in PROJECT_KEYS}
    ordered_project["title"] = f"{content.project_name}项目绩效自评表"
    truth = {
        "anchor": title_ref,
        "form_range": form_range,
        "project": ordered_project,
        "funds": funds_truth,
        "indicators": ind_truth,
        "cells": cells,
        "indicator_columns": {k: cell_ref(1, v[0] + canvas.c0)[:-1] for k, v in ind_cols.items()},
        "fund_columns": {k: cell_ref(1, v + canvas.c0)[:-1] for k, v in _FUND_FIELD_COL.items()},
    }
    refs[("header", "level1")] = cell_ref(canvas.r0 + h, canvas.c0 + 3)
    return Rendered(truth, height, refs)


def _render_funds(content: FormContent, lay: Layout, canvas: Canvas, refs: dict,
                  cells: dict, project: dict) -> list[dict]:
    put = canvas.put
    n_fund = len(content.funds)
    put(5, 2, "项目资金（万元）", (5 + n_fund, 3))
    canvas.merges.append((5 + canvas.r0, 4 + canvas.c0, 5 + canvas.r0, 5 + canvas.c0))
    put(5, 6, "年初预算数", (5, 7))
    put(5, 8, "全年预算数", (5, 9))
    put(5, 10, "全年执行数")
    put(5, 11, lay.weight_header)
    put(5, 12, "执行率")
    put(5, 13, "得分")
    scale = Decimal(content.amount_scale)
    rows = []
    for k, line in enumerate(content.funds):
        r = 6 + k
        is_total = line.source == "total"
        amounts = [line.initial, line.full, line.executed]
        if line.printed_zero:
            amounts = [Decimal(0)] * 3
        put(r, 4, line.label, (r, 5))
        row = {"source": line.source, "label": line.label.strip()}
        for fld, col, amount in zip(("budget_initial", "budget_full_year", "executed"),
                                    (6, 8, 10), amounts):
            value, number = _amount_cell(amount * scale, lay)
            ref = put(r, col, value, (r, col + 1) if col < 10 else None)
            row[fld] = number
            refs[("fund", line.source, fld)] = ref
        rate = line.rate
        if is_total and line.printed_zero:
            rate = Decimal(0)
        if is_total and content.total_rate_override is not None:
            rate = content.total_rate_override
        if is_total:
            w_value, w_num = _score_cell(10, lay)
            s_value, s_num = _score_cell(content.exec_score, lay)
        else:
            w_value = s_value = lay.na or None
            w_num = s_num = None
        refs[("fund", line.source, "weight")] = put(r, 11, w_value)
        rate_value, rate_num = _rate_cell(rate, lay)
        refs[("fund", line.source, "exec_rate")] = put(r, 12, rate_value)
        refs[("fund", line.source, "score")] = put(r, 13, s_value)
        row.update(weight=w_num, exec_rate=rate_num, score=s_num, row=r + canvas.r0)
        rows.append(row)
        if is_total:
            for fld, col in _PROJECT_FIELD_AT_TOTAL.items():
                cells[fld] = cell_ref(r + canvas.r0, col + canvas.c0)
            project.update(budget_initial=row["budget_initial"],
                           budget_full_year=row["budget_full_year"], executed=row["executed"],
                           exec_weight=w_num, exec_rate=rate_num, exec_score=s_num)
    return rows


def _level1_text(level1: str, weight: int, lay: Layout) -> str:
    if lay.inline == "half":
        return f"{level1}({weight}分)"
    if lay.inline == "full":
        return f"{level1}（{weight}分）"
    if lay.inline == "spaced":
        return f"{_spaced(level1)} （{weight}分）"
    return level1


def _render_indicators(content: FormContent, lay: Layout, canvas: Canvas, h: int,
                       refs: dict) -> tuple[list[dict], dict]:
    put = canvas.put
    cols = _ind_columns(lay)
    headers = {"level1": "一级指标", "level2": "二级指标", "name": "三级指标",
               "nature": "指标性质", "target": "年度指标值", "adjusted_target": "调整后指标值",
               "actual": lay.actual_header, "weight": lay.weight_header, "score": "得分",
               "deviation_reason": lay.deviation_header}
    for key, (c0, c1) in cols.items():
        put(h, c0, headers[key], (h, c1))
    inds = content.indicators
    n = len(inds)
    if n:
        put(h + 1, 2, "绩效目标", (h + n, 2))
    l1_weights: dict[str, int] = {}
    for ind in inds:
        l1_weights[ind.level1] = l1_weights.get(ind.level1, 0) + ind.weight
    rows = []
    l1_top = h + 1
    for k, ind in enumerate(inds):
        r = h + 1 + k
        if k == 0 or inds[k - 1].level1 != ind.level1:
            l1_top = r
            end = k
            while end + 1 < n and inds[end + 1].level1 == ind.level1:
                end += 1
            text = _level1_text(ind.level1, l1_weights[ind.level1], lay)
            put(r, 3, text, (h + 1 + end, 3))
        if k == 0 or (inds[k - 1].level2, inds[k - 1].level1) != (ind.level2, ind.level1):
            end = k
            while end + 1 < n and (inds[end + 1].level2, inds[end + 1].level1) == (
                    ind.level2, ind.level1):
                end += 1
            put(r, 4, ind.level2, (h + 1 + end, 4))
        values = {
            "name": ind.name,
            "nature": _nature(ind),
            "target": _target_text(ind, lay),
            "adjusted_target": _target_text(ind, lay, ind.adjusted) if ind.adjusted is not None
            and lay.adjusted else "",
            "actual": _actual_text(ind, lay),
            "deviation_reason": ind.deviation,
        }
        for key in ("name", "nature", "target", "adjusted_target", "actual", "deviation_reason"):
            if key in cols:
                c0, c1 = cols[key]
                refs[("ind", id(ind), key)] = put(r, c0, values[key], (r, c1))
        w_value, w_num = _score_cell(ind.weight, lay)
        s_value, s_num = _score_cell(ind.score, lay)
        refs[("ind", id(ind), "weight")] = put(r, 10, w_value)
        refs[("ind", id(ind), "score")] = put(r, 11, s_value)
        # The 一级 text sits in the top cell of its vertical merge.
        refs[("ind", id(ind), "level1")] = cell_ref(l1_top + canvas.r0, 3 + canvas.c0)
        rows.append({
            "seq": k + 1,
            "level1": ind.level1,
            "level1_weight": l1_weights[ind.level1] if lay.inline else None,
            "level2": ind.level2,
            "name": ind.name,
            "target": values["target"],
            "adjusted_target": values["adjusted_target"] if "adjusted_target" in cols else "",
            "actual": values["actual"],
            "weight": w_num,
            "score": s_num,
            "deviation_reason": ind.deviation,
            "nature": values["nature"] if lay.nature else "",
            "row": r + canvas.r0,
        })
    return rows, cols


# --------------------------------------------------------------------------------------------
# The form's column widths, and the notes sheet some workbooks carry


_COL_WIDTHS = {1: 3, 2: 9, 3: 11, 4: 13, 5: 24, 6: 14, 7: 12, 8: 10, 9: 8, 10: 8, 11: 8,
               12: 12, 13: 10}


def notes_sheet() -> SheetSpec:
    """The 填表说明 sheet some workbooks carry before or after their forms."""
    cells = {(k + 1, 1): line for k, line in enumerate(NOTES_LINES)}
    return SheetSpec("填表说明", cells, [(k + 1, 1, k + 1, 10) for k in range(len(NOTES_LINES))],
                     {1: 12}, style=0)


def form_widths(shift_c: int) -> dict[int, float]:
    """The form's column widths, moved right with a shifted form."""
    return {c + shift_c: w for c, w in _COL_WIDTHS.items()}


# --------------------------------------------------------------------------------------------
# Sheets and workbooks
#
# Rows and columns are 1-based here, as in the forms; XlsxWriter's are 0-based.

Value = Union[str, int, float, bool, Decimal, None]
Merge = tuple[int, int, int, int]  # (row0, col0, row1, col1), 1-based, ends included

# SheetSpec.style: 0 writes cells unformatted, 1 as the bordered, wrapped, centred form cell.
STYLE_DEFAULT = 0
STYLE_FORM = 1

# Every workbook of one generation carries the same dates, so its bytes depend on content only.
DEFAULT_CREATED = datetime(2022, 1, 15, 8, 0, 0, tzinfo=timezone.utc)


@dataclass
class SheetSpec:
    """One worksheet: cell values keyed by (row, col), merged ranges and optional widths."""

    name: str
    cells: dict[tuple[int, int], Value] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)
    col_widths: Mapping[int, float] | None = None
    style: int = STYLE_FORM  # style applied to every written cell
    # Only used by ``write_xlsx(..., excel_like=True)``:
    blocks: list[Merge] | None = None  # form rectangles; None → the used range (if styled)
    title_rows: int = 0  # leading rows of each block drawn without borders (title, subtitle)
    pad_cols: int = 25  # block rows are padded with styled empty cells up to this column


def _require(module: str):
    """Import a writer library on first use, or say in Chinese how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependency(
            f"生成合成自评表需要 {module}，但尚未安装。请运行：pip install \"evaltools[synth]\"") from exc


def require_writers(xls: bool = False) -> None:
    """Fail before anything is written when a writer ``generate`` will need is missing."""
    _require("xlsxwriter")
    if xls:
        _require("xlwt")


def cell_ref(row: int, col: int) -> str:
    """A1 name of a 1-based (row, col)."""
    return cell_name(row - 1, col - 1)


def range_ref(r0: int, c0: int, r1: int, c1: int) -> str:
    """A1 range such as ``B1:G1`` of 1-based corners."""
    return range_name(r0 - 1, c0 - 1, r1 - 1, c1 - 1)


def _check_sheet_names(sheets: Sequence[SheetSpec]) -> None:
    seen: set[str] = set()
    for sheet in sheets:
        name = sheet.name
        if not name or len(name) > 31 or any(ch in name for ch in '[]:*?/\\'):
            raise ValueError(f"invalid sheet name {name!r}")
        if name.lower() in seen:
            raise ValueError(f"duplicate sheet name {name!r}")
        seen.add(name.lower())


# What XlsxWriter is told for every workbook: a string is always the text it is ("=36万元" is no
# formula, "001" no number, nothing a link), and the package is built in memory, so there are
# no temporary files and every zip entry carries the same fixed date.
_WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "in_memory": True,
}


def write_xlsx(
    path: str | Path,
    sheets: Sequence[SheetSpec],
    *,
    created: datetime = DEFAULT_CREATED,
    creator: str = "evaltools",
    excel_like: bool = False,
) -> Path:
    """Write ``sheets`` to an ``.xlsx`` file at ``path`` with XlsxWriter; same input → same bytes.

    By default only the non-empty cells are written, in the form style (宋体 11, thin borders,
    centred, wrapped). ``excel_like``: write a sheet the way Excel and WPS save a bordered form,
    for benchmarks that must pay what real files cost: every cell of each form's rectangle
    (``SheetSpec.blocks``) is present with its format even when empty (merged continuation cells
    included), rows are padded with formatted empty cells to ``SheetSpec.pad_cols`` columns,
    every row has its height, columns their widths and format, and the sheet its print
    settings. Values and merges are the same either way, so every reader reads the same.
    Nothing is ever written as a formula.
    """
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    _check_sheet_names(sheets)
    xlsxwriter = _require("xlsxwriter")
    path = Path(path)
    defaults = _EXCEL_DEFAULT_FONT if excel_like else _PLAIN_DEFAULT_FONT
    book = xlsxwriter.Workbook(str(path), {**_WORKBOOK_OPTIONS, "default_format_properties": dict(defaults)})
    book.set_properties({"created": created, "author": creator})
    if excel_like:
        formats = {kind: book.add_format(props) for kind, props in _EXCEL_FORMATS.items()}
        # The default format given explicitly: a cell without one takes its column's (padding) format.
        formats[_XF_DEFAULT] = book.add_format()
        for sheet in sheets:
            _excel_like_sheet(book.add_worksheet(sheet.name), sheet, formats)
    else:
        form = book.add_format(_PLAIN_FORM)
        for sheet in sheets:
            _plain_sheet(book.add_worksheet(sheet.name), sheet, form if sheet.style else None)
    book.close()
    return path


def _put(ws, r: int, c: int, value: Value, fmt) -> None:
    """Write one 1-based cell by its type (never through ``write()``, which guesses types)."""
    if isinstance(value, str):
        ws.write_string(r - 1, c - 1, value, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r - 1, c - 1, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r - 1, c - 1, value, fmt)
    elif isinstance(value, Decimal):
        ws.write_number(r - 1, c - 1, float(value), fmt)
    elif value is None:
        ws.write_blank(r - 1, c - 1, None, fmt)  # a formatted empty cell (nothing without a format)
    else:
        raise TypeError(f"unsupported cell value at {cell_ref(r, c)}: {type(value).__name__}")


def _merge(ws, merges: Sequence[Merge]) -> None:
    # The range only: with no format XlsxWriter writes no cell, and the cells are written apart.
    for r0, c0, r1, c1 in merges:
        ws.merge_range(r0 - 1, c0 - 1, r1 - 1, c1 - 1, "", None)


def _column_pixels(width: float) -> int:
    # A width is stored in characters of 7 pixels (the default font's digit): pixels keep the
    # stored width what it was given as ("9" stays 9; XlsxWriter's character widths add padding).
    return round(width * 7)


_PLAIN_DEFAULT_FONT = {"font_name": "宋体", "font_size": 11, "font_charset": 134}
_PLAIN_FORM = {"border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}


def _plain_sheet(ws, sheet: SheetSpec, fmt) -> None:
    ws.set_default_row(14.25)
    for col in sorted(sheet.col_widths or {}):
        ws.set_column_pixels(col - 1, col - 1, _column_pixels(float(sheet.col_widths[col])))
    _merge(ws, sheet.merges)
    for (r, c), value in sheet.cells.items():
        if value is not None:
            _put(ws, r, c, value, fmt)


# --------------------------------------------------------------------------------------------
# Excel/WPS-like output (``write_xlsx(..., excel_like=True)``)
#
# What Excel and WPS save for a bordered form: every cell of the form's rectangle carries a
# format (so it is a ``<c r=".." s=".."/>`` element even when empty, merged continuation cells
# included), template rows are formatted well beyond the form, and every row has its height.
# Readers pay for all of it, which is the point: benchmarks on plain output flatter every reader.

# The cell formats, by kind.
_XF_DEFAULT = 0  # the workbook's default (宋体 11, vertically centred): unformatted cells
_XF_FORM = 1  # bordered, centred, wrapped (labels, short values, empty form cells)
_XF_TITLE = 2  # 宋体 16 bold, centred, no border (the form's first row)
_XF_SUBTITLE = 3  # no border, centred (the form's other title rows)
_XF_TEXT = 4  # bordered, left-aligned, wrapped (long text)
_XF_NUMBER = 5  # bordered, right-aligned, General
_XF_PAD = 6  # template columns beyond the form: font only, no border

_EXCEL_DEFAULT_FONT = {"font_name": "宋体", "font_size": 11, "font_charset": 134, "font_family": 0,
                       "valign": "vcenter"}
_BODY = {"font_size": 10, "font_scheme": "none", "valign": "vcenter"}  # the forms' 10-point text
_EXCEL_FORMATS = {
    _XF_FORM: {**_BODY, "border": 1, "align": "center", "text_wrap": True},
    _XF_TITLE: {"font_size": 16, "bold": True, "font_scheme": "none", "align": "center",
                "valign": "vcenter"},
    _XF_SUBTITLE: {**_BODY, "align": "center"},
    _XF_TEXT: {**_BODY, "border": 1, "align": "left", "text_wrap": True},
    _XF_NUMBER: {**_BODY, "border": 1, "align": "right"},
    _XF_PAD: dict(_BODY),
}

_DEFAULT_COL_WIDTH = 9.0
_LONG_TEXT = 16  # strings longer than this are left-aligned in their cell


def _text_units(text: str) -> float:
    """Display width of ``text`` in column-width units at the form's 10-point font."""
    return sum(0.95 if ord(ch) < 0x2E80 else 1.9 for ch in text)


def _text_lines(text: str, width: float) -> int:
    per_line = max(width - 0.6, 1.0)
    return sum(max(1, math.ceil(_text_units(part) / per_line)) for part in text.split("\n"))


def _row_height(points: float) -> float:
    """Round up to the 0.75-point (one pixel) steps Excel stores, capped at Excel's 409.5."""
    return min(409.5, math.ceil(points / 0.75 - 1e-9) * 0.75)


def _excel_like_sheet(ws, sheet: SheetSpec, formats: dict) -> None:
    values = {k: v for k, v in sheet.cells.items() if v is not None}
    widths = sheet.col_widths or {}

    def width(c: int) -> float:
        return float(widths.get(c, _DEFAULT_COL_WIDTH))

    # Which cells are written, and with which format.
    styles: dict[tuple[int, int], int] = {}
    row_kind: dict[int, int] = {}  # row → _XF_TITLE / _XF_SUBTITLE / _XF_FORM
    blocks = sheet.blocks
    if blocks is None:
        keys = list(values) + [(m[0], m[1]) for m in sheet.merges] + [
            (m[2], m[3]) for m in sheet.merges]
        if sheet.style and keys:
            blocks = [(min(r for r, _ in keys), min(c for _, c in keys),
                       max(r for r, _ in keys), max(c for _, c in keys))]
        else:
            blocks = []
    for r0, c0, r1, c1 in blocks:
        last = max(c1, sheet.pad_cols)
        for r in range(r0, r1 + 1):
            k = r - r0
            kind = _XF_FORM if k >= sheet.title_rows else _XF_TITLE if k == 0 else _XF_SUBTITLE
            row_kind.setdefault(r, kind)
            for c in range(1, last + 1):
                styles.setdefault((r, c), kind if c0 <= c <= c1 else _XF_PAD)
    for (r, c), value in values.items():
        base = styles.get((r, c), _XF_FORM if sheet.style else _XF_DEFAULT)
        if base in (_XF_FORM, _XF_PAD):
            if isinstance(value, str):
                base = _XF_TEXT if len(value) > _LONG_TEXT else _XF_FORM
            elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                base = _XF_NUMBER
            else:
                base = _XF_FORM
        styles[(r, c)] = base
    # A merged range carries its anchor's format on every cell, as Excel applies it.
    for r0, c0, r1, c1 in sheet.merges:
        anchor = styles.get((r0, c0))
        if anchor is None:
            continue
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) in styles:
                    styles[(r, c)] = anchor

    # Row heights: what the wrapped text needs (merged text spreads over its rows).
    span_of = {(m[0], m[1]): m for m in sheet.merges}
    need: dict[int, float] = {}
    for (r, c), value in values.items():
        if not isinstance(value, str):
            continue
        r0, c0, r1, c1 = span_of.get((r, c), (r, c, r, c))
        lines = _text_lines(value, sum(width(x) for x in range(c0, c1 + 1)))
        per_row = (lines * 13.5 + 4) / (r1 - r0 + 1)
        need[r] = max(need.get(r, 0.0), per_row)

    by_row: dict[int, list[int]] = {}
    for r, c in styles:
        by_row.setdefault(r, []).append(c)

    ws.set_default_row(13.5)
    last_col = max([c for _, c in styles] + list(widths) + [1])
    col = 1
    while col <= last_col:  # runs of equal width share one <col>, as Excel writes them
        end = col
        while end < last_col and width(end + 1) == width(col):
            end += 1
        ws.set_column_pixels(col - 1, end - 1, _column_pixels(width(col)), formats[_XF_PAD])
        col = end + 1
    _merge(ws, sheet.merges)
    floors = {_XF_TITLE: 30.0, _XF_SUBTITLE: 20.25, _XF_FORM: 22.5}
    for r in sorted(by_row):
        ws.set_row(r - 1, _row_height(max(floors.get(row_kind.get(r), 14.25), need.get(r, 0.0))))
        for c in sorted(by_row[r]):
            _put(ws, r, c, values.get((r, c)), formats[styles[(r, c)]])
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_print_scale(80)
    ws.fit_to_pages(1, 0)  # one page wide, as long as it takes (after the scale: it unsets fit)
    ws.center_horizontally()
    ws.set_margins(left=0.393055555555556, right=0.393055555555556, top=0.590277777777778,
                   bottom=0.590277777777778)
    ws.set_header("", {"margin": 0.314583333333333})
    ws.set_footer("", {"margin": 0.314583333333333})


# --------------------------------------------------------------------------------------------
# Legacy .xls


def write_xls(path: str | Path, sheets: Sequence[SheetSpec]) -> Path:
    """Write ``sheets`` to a legacy BIFF8 ``.xls`` file through xlwt (merges via write_merge)."""
    xlwt = _require("xlwt")  # only the legacy variant needs it
    _check_sheet_names(sheets)
    book = xlwt.Workbook(encoding="utf-8")
    form_style = xlwt.easyxf(
        "font: name 宋体, height 220; align: wrap on, vert centre, horiz centre; "
        "borders: left thin, right thin, top thin, bottom thin"
    )
    plain = xlwt.XFStyle()
    for sheet in sheets:
        ws = book.add_sheet(sheet.name, cell_overwrite_ok=False)
        style = form_style if sheet.style == STYLE_FORM else plain
        if sheet.col_widths:
            for col, width in sheet.col_widths.items():
                ws.col(col - 1).width = int(width * 256)
        covered: set[tuple[int, int]] = set()
        for r0, c0, r1, c1 in sheet.merges:
            value = sheet.cells.get((r0, c0))
            ws.write_merge(r0 - 1, r1 - 1, c0 - 1, c1 - 1, _xls_value(value), style)
            covered.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
        for (r, c), value in sorted(sheet.cells.items()):
            if value is None or (r, c) in covered:
                continue
            ws.write(r - 1, c - 1, _xls_value(value), style)
    path = Path(path)
    book.save(str(path))
    return path


def _xls_value(value: Value) -> str | float | bool | None:
    if value is None or isinstance(value, (str, bool)):
        return value if value is not None else ""
    if isinstance(value, Decimal):
        return float(value)
    return value
