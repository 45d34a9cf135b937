"""Find forms in a grid and read each into a ``FormRecord``, locating every block by its labels.

No coordinate is fixed: a block is found by its header labels, and each value is read from the
column its header names (or from the first non-label cell to the right of its label). Every
non-empty cell of a form's region is either consumed by a field or label, or listed as unmapped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cellvalues import NumberError, clean_text, is_empty, label, parse_number, to_text
from .read import Grid, cell_name, range_name

# --------------------------------------------------------------------------------------------
# Labels


def _eq(*names: str):
    names_set = frozenset(names)
    return lambda s: s in names_set


def _starts(*prefixes: str):
    return lambda s: s.startswith(prefixes)


def _contains(*parts: str):
    return lambda s: any(p in s for p in parts)


# Project fields whose value stands to the right of (or inline after) their label.
VALUE_LABELS: tuple[tuple[str, object], ...] = (
    ("project_name", _eq("项目名称")),
    ("department", _starts("主管部门")),
    ("implementing_unit", _starts("实施单位")),
    ("experience", _starts("主要经验做法", "主要经验")),
    ("problems", _starts("项目管理中存在", "存在的主要问题", "主要问题", "存在问题")),
    ("suggestion_decision", _starts("对项目决策", "项目决策")),
    ("suggestion_budget", _starts("对预算安排", "预算安排")),
    ("suggestion_funds", _starts("对资金管理", "资金管理的建议", "资金管理建议")),
    ("suggestion_management", _starts("项目管理的建议", "对项目管理", "项目管理建议")),
    ("suggestion_other", _eq("其他", "其它")),
    ("remarks", _eq("备注")),
    ("grade", _eq("评价等级", "自评等级", "等级", "绩效等级", "自评结果", "评价结果")),
)
# Labels are short; a longer text that happens to start like one is a value.
_MAX_LABEL_LEN = 24

# Labels that name a block and carry no value of their own.
BLOCK_LABELS = (
    _starts("项目资金"),
    _starts("年度总体目标", "总体目标"),
    _eq("绩效目标", "绩效指标", "年度绩效指标", "年度绩效目标", "绩效目标完成情况"),
    _starts("项目自评结论", "自评结论"),
    _starts("下一步改进措施"),
)

_TITLE_MARK = "绩效自评表"
_CONCLUSION_BLOCKS = _starts("项目自评结论", "自评结论", "下一步改进措施")
_TOTAL_LABEL = _eq("总分", "总得分", "合计", "总计", "总分合计")
_YEAR_ROW_RE = re.compile(r"^[(（\[]?(\d{4})年度?[)）\]]?$")
_TITLE_YEAR_RE = re.compile(r"(20\d{2}|19\d{2})\s*年度")
_INLINE_WEIGHT_RE = re.compile(r"^(.*?)[(（\[【]?(\d+(?:\.\d+)?)分[)）\]】]?$")
_DEPT_NAME_CODE_RE = re.compile(r"^(.*?\D)\s*[-－—_–]\s*(\d{2,})$")
_DEPT_CODE_NAME_RE = re.compile(r"^[\[【(（]?(\d{2,})[\]】)）]?\s*[-－—_–]?\s*(\D.*)$")
_DEPT_PAREN_CODE_RE = re.compile(r"^(.*?)[(（\[【](\d{2,})[)）\]】]$")

_COLONS = ("：", ":")

# Fund lines: label → source. Order matters (the first match wins).
_FUND_SOURCES = (
    ("total", _contains("资金总额", "合计", "总计")),
    ("central", _contains("中央")),
    ("provincial", _contains("省级", "省财政", "省本级")),
    ("local", _contains("市县", "市级", "县级", "地方财政", "本级财政", "市县(区)")),
    ("current_year", _contains("当年财政拨款", "本年财政拨款", "财政拨款")),
    ("carryover", _contains("结转", "结余")),
    ("other", _contains("其他资金", "其它资金", "自筹", "其他", "其它")),
    ("current_year", _eq("财政资金")),
)

# Fund table headers: key → predicate on the header label.
_FUND_HEADERS = (
    ("budget_initial", _contains("年初预算")),
    ("budget_full_year", _contains("全年预算", "调整后预算")),
    ("executed", _contains("全年执行", "执行数", "实际执行", "支出数")),
    ("weight", _eq("分值", "权重", "分值(权重)")),
    ("exec_rate", _contains("执行率")),
    ("score", _eq("得分", "自评得分", "评分")),
)

# Indicator table headers, checked in order so that 调整后指标值 is not taken for 年度指标值.
_IND_HEADERS = (
    ("level1", _starts("一级指标")),
    ("level2", _starts("二级指标")),
    ("name", _starts("三级指标")),
    ("nature", _starts("指标性质", "指标方向")),
    ("adjusted_target", _contains("调整后")),
    ("actual", _contains("实际完成值", "全年实际值", "完成值", "实际值", "实际完成")),
    ("target", _contains("年度指标值", "年度目标值", "指标值", "目标值")),
    ("weight", _eq("分值", "权重", "分值(权重)", "指标分值")),
    ("score", _eq("得分", "自评得分", "评分")),
    ("deviation_reason", _contains("偏差原因", "未完成原因", "原因分析", "改进措施")),
)

_TOTAL_TO_PROJECT = {"budget_initial": "budget_initial", "budget_full_year": "budget_full_year",
                     "executed": "executed", "weight": "exec_weight", "exec_rate": "exec_rate", "score": "exec_score"}
_FUND_NUMBER_FIELDS = ("budget_initial", "budget_full_year", "executed", "weight", "exec_rate", "score")
_IND_TEXT_FIELDS = ("name", "nature", "target", "adjusted_target", "actual", "deviation_reason")


# --------------------------------------------------------------------------------------------
# Records


@dataclass
class FormRecord:
    """One form as read from its sheet; every value comes with the cell it was read from."""

    sheet: str
    index: int  # 0-based position of the form within its sheet
    anchor: str  # A1 of the form's first label (title or 项目名称)
    region: tuple[int, int, int, int]  # 0-based inclusive (r0, c0, r1, c1)
    project: dict[str, object] = field(default_factory=dict)
    funds: list[dict[str, object]] = field(default_factory=list)
    indicators: list[dict[str, object]] = field(default_factory=list)
    # (table, key, field, cell, raw)
    cells: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (cell, message)
    unmapped: list[tuple[str, str]] = field(default_factory=list)  # (cell, raw)
    template: list[str] = field(default_factory=list)
    n_cells: int = 0  # non-empty cells in the region


# --------------------------------------------------------------------------------------------
# The sheet index


class _Sheet:
    """A grid with its labels and merges indexed once, so each form is read in a single pass."""

    def __init__(self, grid: Grid):
        self.grid = grid
        self.rows = grid.rows
        self.height = len(grid.rows)
        self.width = grid.width
        # row → [(col, normalised label)] for string cells, in column order
        self.labels: list[list[tuple[int, str]]] = []
        # row → [(col, value)] of non-empty cells: every scan below walks these, not the full grid
        self.nonempty: list[list[tuple[int, object]]] = []
        for row in self.rows:
            # calamine gives "" for an empty cell; a text of only spaces is empty too
            ne = [(c, v) for c, v in enumerate(row) if v != "" and v is not None
                  and (v.__class__ is not str or not v.isspace())]
            self.nonempty.append(ne)
            self.labels.append([(c, label(v)) for c, v in ne if isinstance(v, str)])
        self.merge_end: dict[tuple[int, int], tuple[int, int]] = {}
        self.merge_origin: dict[tuple[int, int], tuple[int, int]] = {}
        for r0, c0, r1, c1 in grid.merges:
            self.merge_end[(r0, c0)] = (r1, c1)
            if r1 > r0:  # only vertical spreads are read through (一级/二级 columns)
                for r in range(r0 + 1, r1 + 1):
                    for c in range(c0, c1 + 1):
                        self.merge_origin[(r, c)] = (r0, c0)

    def raw(self, r: int, c: int) -> object:
        row = self.rows[r] if 0 <= r < self.height else ()
        return row[c] if 0 <= c < len(row) else ""

    def spread(self, r: int, c: int) -> tuple[object, tuple[int, int]]:
        """The value shown at (r, c): a vertically merged cell shows its origin's value."""
        v = self.raw(r, c)
        if is_empty(v) and (r, c) in self.merge_origin:
            o = self.merge_origin[(r, c)]
            return self.raw(*o), o
        return v, (r, c)

    def label_at(self, r: int, c: int) -> str:
        v = self.raw(r, c)
        return label(v) if isinstance(v, str) else ""

    def span_end_col(self, r: int, c: int) -> int:
        end = self.merge_end.get((r, c))
        return end[1] if end else c


def _is_known_label(s: str) -> bool:
    if not s or len(s) > _MAX_LABEL_LEN:
        return False
    return _is_value_label(s) or any(pred(s) for pred in BLOCK_LABELS) or s.startswith("总分")


# --------------------------------------------------------------------------------------------
# Finding forms


def find_forms(grid: Grid) -> list[tuple[int, int, int]]:
    """``(region_start, form_start, end)`` row spans of the forms in a sheet, top to bottom."""
    sh = _Sheet(grid)
    return _segments(sh)


def _segments(sh: _Sheet) -> list[tuple[int, int, int]]:
    titles, names, blocks = [], [], []
    for r, row in enumerate(sh.labels):
        for _, s in row:
            if _TITLE_MARK in s and len(s) < 120:
                titles.append(r)
            elif s == "项目名称" or (s.startswith("项目名称") and s[4:5] in _COLONS):
                names.append(r)
            elif s.startswith(("年初预算", "一级指标")):
                blocks.append(r)
    starts: list[int] = []
    for r in sorted(set(names)):
        above = [t for t in titles if r - 4 <= t < r and (not starts or t > starts[-1])]
        starts.append(above[0] if above else r)
    for t in sorted(set(titles)):
        # A title with no 项目名称 below it still starts a form (its header block is missing).
        if not any(t <= s_ <= t + 4 for s_ in starts) and not any(n - 4 <= t <= n for n in names):
            starts.append(t)
    starts = sorted(set(starts))
    if not starts and blocks:
        starts = [min(blocks)]
    if not starts:
        return []
    # Blocks above the first start belong to a form that lost its header.
    if blocks and min(blocks) < starts[0]:
        starts.insert(0, min(blocks))
    spans = []
    for i, s in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else sh.height
        # A title alone (a notes sheet's "绩效自评表填表说明") is not a form: it needs a block.
        if any(s <= r < end for r in names + blocks):
            spans.append((s, s, end))
    if spans:
        spans[0] = (0, spans[0][1], spans[0][2])  # rows above the first form are accounted to it
    return spans


# --------------------------------------------------------------------------------------------
# Reading one form


class _FormReader:
    def __init__(self, sh: _Sheet, r0: int, start: int, r1: int, index: int):
        self.sh = sh
        self.r0, self.r1 = r0, r1
        self.used: set[tuple[int, int]] = set()
        first = next(((r, c) for r in range(start, r1) for c, _ in sh.labels[r]), (start, 0))
        self.rec = FormRecord(
            sheet=sh.grid.name,
            index=index,
            anchor=cell_name(*first),
            region=(r0, 0, max(r0, r1 - 1), max(0, sh.width - 1)),
        )

    # -- helpers -------------------------------------------------------------------------------

    def _cell(self, r: int, c: int) -> str:
        return cell_name(r, c)

    def _put(self, table: str, key: str, fld: str, r: int, c: int, raw: object) -> None:
        self.used.add((r, c))
        self.rec.cells.append((table, key, fld, cell_name(r, c), to_text(raw)))

    def _error(self, r: int | None, c: int | None, message: str) -> None:
        where = cell_name(r, c) if r is not None and c is not None else self.rec.anchor
        self.rec.errors.append((where, message))

    def _number(self, table: str, key: str, fld: str, r: int, c: int, what: str, units=()) -> float | None:
        raw = self.sh.raw(r, c)
        if is_empty(raw):
            return None
        self._put(table, key, fld, r, c, raw)
        try:
            return parse_number(raw, units=units)
        except NumberError:
            self._error(r, c, f"{what}“{to_text(raw).strip()}”不是可识别的数值")
            return None

    def _find(self, pred, rows=None) -> tuple[int, int] | None:
        for r in rows if rows is not None else range(self.r0, self.r1):
            for c, s in self.sh.labels[r]:
                if pred(s):
                    return r, c
        return None

    def _value_right(self, r: int, c: int, stop_col: int | None = None) -> tuple[int, int] | None:
        """The first non-label, non-empty cell right of the label at (r, c)."""
        row = self.sh.rows[r]
        start = self.sh.span_end_col(r, c) + 1
        end = len(row) if stop_col is None else min(len(row), stop_col)
        for cc in range(start, end):
            v = row[cc]
            if is_empty(v):
                continue
            if isinstance(v, str) and _is_known_label(label(v)):
                return None
            return r, cc
        return None

    # -- blocks --------------------------------------------------------------------------------

    def read(self) -> FormRecord:
        # Tables first: their cells are consumed before free labels are matched, so an indicator
        # or goal text can never be taken for a label.
        self._title_and_year()
        self._funds()
        self._goals()
        total_row = self._indicators()
        self._total(total_row)
        self._value_fields()
        self._account()
        return self.rec

    def _title_and_year(self) -> None:
        p = self.rec.project
        hit = self._find(lambda s: _TITLE_MARK in s and len(s) < 120)
        if hit:
            r, _ = hit
            parts = []
            for c, _s in self.sh.labels[r]:
                parts.append(clean_text(self.sh.raw(r, c)))
                self._put("projects", "", "title", r, c, self.sh.raw(r, c))
            p["title"] = "".join(parts)
            rows = range(r, min(r + 4, self.r1))
        else:
            p["title"] = ""
            rows = range(self.r0, min(self.r0 + 4, self.r1))
        for r in rows:
            cells = self.sh.nonempty[r]
            if not cells or (r, cells[0][0]) in self.used:
                continue
            joined = label("".join(to_text(v) for _, v in cells))
            m = _YEAR_ROW_RE.match(joined)
            if m:
                p["year"] = int(m.group(1))
                for c, v in cells:  # （ 2021 年度）: the year is the cell holding its digits
                    if m.group(1) in to_text(v):
                        self._put("projects", "", "year", r, c, v)
                    else:
                        self.used.add((r, c))
                return
        # only "2021年度" in a title names the evaluation year; "2020年…" is usually the project's own
        m = _TITLE_YEAR_RE.search(p["title"])
        p["year"] = int(m.group(1)) if m else None
        if p["year"] is None:
            self._error(None, None, "未找到评价年度（如“（2021年度）”）")

    def _value_fields(self) -> None:
        p = self.rec.project
        seen: set[str] = set()
        for r in range(self.r0, self.r1):
            for c, s in self.sh.labels[r]:
                if (r, c) in self.used:
                    continue
                raw = self.sh.raw(r, c)
                head, tail = _split_inline(raw)
                if len(label(head)) > _MAX_LABEL_LEN:
                    continue
                if not tail and _CONCLUSION_BLOCKS(s):
                    self.used.add((r, c))
                    continue
                if s == "项目名称" and "project_name" in seen:
                    self._error(r, c, "同一区域出现第二个“项目名称”：可能有两张表左右并排，右侧的表未读取（其单元格列为未识别）")
                for key, pred in VALUE_LABELS:
                    if key in seen:
                        continue
                    if tail and pred(label(head)):
                        seen.add(key)
                        self._put("projects", "", key, r, c, raw)
                        p[key] = tail
                        break
                    if pred(s) and not tail:
                        seen.add(key)
                        self.used.add((r, c))
                        hit = self._value_right(r, c)
                        if hit:
                            v = self.sh.raw(*hit)
                            self._put("projects", "", key, hit[0], hit[1], v)
                            p[key] = clean_text(v)
                        else:
                            p[key] = ""
                        break
        for key, _ in VALUE_LABELS:
            p.setdefault(key, "")
        for key, what in (("project_name", "项目名称"), ("department", "主管部门")):
            if key in seen and not p.get(key):
                self._error(None, None, f"“{what}”栏为空")
        if "project_name" not in seen:
            self._error(None, None, "未找到“项目名称”栏")
            name = p.get("title", "")
            for suffix in ("项目绩效自评表", "项目支出绩效自评表", "绩效自评表"):
                if name.endswith(suffix):
                    p["project_name"] = name[: -len(suffix)].strip()
                    break
        if "department" not in seen:
            self._error(None, None, "未找到“主管部门”栏")
        dept, code = split_department(p.get("department", ""))
        p["department"], p["department_code"] = dept, code

    def _funds(self) -> None:
        p = self.rec.project
        hdr = None
        for r in range(self.r0, self.r1):
            found = {}
            for c, s in self.sh.labels[r]:
                for key, pred in _FUND_HEADERS:
                    if key not in found and pred(s):
                        found[key] = c
                        break
            if sum(k in found for k in ("budget_initial", "budget_full_year", "executed")) >= 2:
                hdr = (r, found)
                break
        for key in ("budget_initial", "budget_full_year", "executed", "exec_weight", "exec_rate", "exec_score"):
            p[key] = None
        if hdr is None:
            self._error(None, None, "未找到“项目资金”表（年初预算数、全年预算数、全年执行数表头）")
            return
        r, cols = hdr
        scale = 1.0
        for c, s in self.sh.labels[r]:
            if s.startswith("项目资金") or any(c == cc for cc in cols.values()):
                self.used.add((r, c))
                if s.startswith("项目资金") and "(元)" in s and "万元" not in s:
                    scale = 1e-4  # amounts printed in 元: the contract is 万元
                    self.rec.template.append("amounts-yuan")
            elif c < min(cols.values()) and _FUND_HEADER_FILLER(s):
                self.used.add((r, c))
        first_amount_col = min(cols.values())
        total = None
        rr = r + 1
        while rr < self.r1:
            lab_cells = [(c, s) for c, s in self.sh.labels[rr] if c < first_amount_col]
            if not self.sh.nonempty[rr]:
                rr += 1
                if rr - r > 12:
                    break
                continue
            if not lab_cells:
                break
            c_lab, s_lab = lab_cells[-1]
            source = classify_fund(s_lab)
            if source is None:
                amount_cols = [cols[k] for k in ("budget_initial", "budget_full_year", "executed") if k in cols]
                other_block = any(_is_known_label(x) or x.startswith(("一级指标", "预期目标")) for _, x in self.sh.labels[rr])
                if not other_block and any(_numberish(self.sh.raw(rr, cc)) for cc in amount_cols):
                    self._error(rr, c_lab, f"未识别的资金行“{clean_text(self.sh.raw(rr, c_lab))}”，未计入资金表")
                    rr += 1
                    continue
                break
            for c, s in lab_cells[:-1]:
                if s.startswith("项目资金"):
                    self.used.add((rr, c))
            line = {"source": source, "label": clean_text(self.sh.raw(rr, c_lab)), "row": rr + 1}
            self._put("funds", source, "label", rr, c_lab, self.sh.raw(rr, c_lab))
            for key in _FUND_NUMBER_FIELDS:
                if key in cols:
                    what = {"budget_initial": "年初预算数", "budget_full_year": "全年预算数", "executed": "全年执行数",
                            "weight": "分值", "exec_rate": "执行率", "score": "得分"}[key]
                    # "50000元" in a 万元 table is not silently read as 万元: it is reported
                    units = ("万元",) if key in ("budget_initial", "budget_full_year", "executed") else ("分",)
                    v = self._number("funds", source, key, rr, cols[key], what, units)
                    if v is not None and scale != 1.0 and key in ("budget_initial", "budget_full_year", "executed"):
                        v = v / 10000
                    line[key] = v
                else:
                    line[key] = None
            self._percent_formatted_rate(line, rr, cols)
            if "：" in s_lab.replace(":", "："):
                if s_lab.startswith("年度资金总额"):
                    self.rec.template.append("fund-colon")
            self.rec.funds.append(line)
            if source == "total" and total is None:
                total = line
            rr += 1
        if total is None:
            self._error(r, first_amount_col, "项目资金表缺少“年度资金总额”行")
            return
        # the project-level copies of the total row trace to the same cells
        for table, key, fld, cell, raw in list(self.rec.cells):
            if table == "funds" and key == "total" and fld in _TOTAL_TO_PROJECT:
                self.rec.cells.append(("projects", "", _TOTAL_TO_PROJECT[fld], cell, raw))
        p["budget_initial"] = total["budget_initial"]
        p["budget_full_year"] = total["budget_full_year"]
        p["executed"] = total["executed"]
        p["exec_weight"] = total["weight"]
        p["exec_rate"] = total["exec_rate"]
        p["exec_score"] = total["score"]
        if any(f["source"] == "current_year" for f in self.rec.funds):
            self.rec.template.append("fund-current-year")

    def _percent_formatted_rate(self, line: dict, r: int, cols: dict) -> None:
        """A rate cell formatted as a percentage stores 0.75 for "75%": the contract is percent.

        Only a numeric cell in (0, 1] is rescaled, and only when the amounts on its row say the
        percent reading is the right one; a text "0.75" or "0.75%" is taken as printed.
        """
        v, full, done = line.get("exec_rate"), line.get("budget_full_year"), line.get("executed")
        c = cols.get("exec_rate")
        if v is None or c is None or not isinstance(self.sh.raw(r, c), float) or not 0 < v <= 1:
            return
        if not full or done is None:
            return
        implied = done / full * 100
        if abs(v * 100 - implied) < abs(v - implied):
            line["exec_rate"] = v * 100
            if "rate-fraction" not in self.rec.template:
                self.rec.template.append("rate-fraction")

    def _goals(self) -> None:
        p = self.rec.project
        p["goal_expected"], p["goal_actual"] = "", ""
        hit = self._find(_starts("年度总体目标", "总体目标"))
        if hit is None:
            self._error(None, None, "未找到“年度总体目标”栏")
            return
        r, c = hit
        self.used.add(hit)
        exp = act = None
        for rr in range(r, min(r + 3, self.r1)):
            for cc, s in self.sh.labels[rr]:
                if exp is None and s.startswith("预期目标"):
                    exp = (rr, cc)
                elif act is None and s.startswith("实际完成情况"):
                    act = (rr, cc)
            if exp or act:
                break
        if exp is None and act is None:
            v = self._value_right(r, c)
            if v:
                self._put("projects", "", "goal_expected", *v, self.sh.raw(*v))
                p["goal_expected"] = clean_text(self.sh.raw(*v))
            return
        heads = [h for h in (exp, act) if h]
        for h in heads:
            self.used.add(h)
        hr = heads[0][0]
        # values are in the first non-empty row under the header, between header columns
        bounds = sorted(h[1] for h in heads) + [10**6]
        for rr in range(hr + 1, min(hr + 4, self.r1)):
            if not any(cc > c for cc, _ in self.sh.nonempty[rr]):
                continue
            if any(s_.startswith(("一级指标", "三级指标")) or _is_known_label(s_) for _, s_ in self.sh.labels[rr]):
                break  # the goal texts are empty: the next row is another block, not a goal
            for key, h in (("goal_expected", exp), ("goal_actual", act)):
                if h is None:
                    continue
                lo = h[1]
                hi = next(b for b in bounds if b > lo)
                for cc in range(lo, min(hi, len(self.sh.rows[rr]))):
                    v = self.sh.raw(rr, cc)
                    if not is_empty(v):
                        self._put("projects", "", key, rr, cc, v)
                        p[key] = clean_text(v)
                        break
            break

    def _indicators(self) -> int | None:
        hdr = None
        for r in range(self.r0, self.r1):
            labs = [s for _, s in self.sh.labels[r]]
            if any(s.startswith("一级指标") for s in labs) and any(s.startswith(("三级指标", "二级指标")) for s in labs):
                hdr = r
                break
        total_hit = self._find(_TOTAL_LABEL, rows=range(hdr + 1 if hdr is not None else self.r0, self.r1))
        if hdr is None:
            self._error(None, None, "未找到绩效指标表（一级指标、二级指标、三级指标表头）")
            return total_hit[0] if total_hit else None
        cols: dict[str, int] = {}
        for c, s in self.sh.labels[hdr]:
            for key, pred in _IND_HEADERS:
                if key not in cols and pred(s):
                    cols[key] = c
                    self.used.add((hdr, c))
                    break
        if "adjusted_target" not in cols:
            self.rec.template.append("no-adjusted")
        if "nature" in cols:
            self.rec.template.append("nature-column")
        for need, what in (("name", "三级指标"), ("target", "年度指标值"), ("actual", "实际完成值"),
                           ("weight", "分值"), ("score", "得分")):
            if need not in cols:
                self._error(hdr, min(cols.values()) if cols else 0, f"绩效指标表缺少“{what}”列")
        end = total_hit[0] if total_hit else self._end_of_indicators(hdr)
        lvl1_col = cols.get("level1", 0)
        prev1 = prev2 = ""
        prev1w = None
        seq = 0
        for r in range(hdr + 1, end):
            if not self.sh.nonempty[r]:
                continue
            if all(is_empty(self.sh.raw(r, cols[k])) for k in ("name", "target", "actual", "weight", "score") if k in cols):
                # a row with only category cells (or a repeated header): consume category labels
                if any(s.startswith(("一级指标", "三级指标")) for _, s in self.sh.labels[r]):
                    for c, _s in self.sh.labels[r]:
                        self.used.add((r, c))
                continue
            if all(is_empty(self.sh.spread(r, cols[k])[0]) for k in ("name", "target", "actual") if k in cols):
                # numbers without an indicator (a 总分 row that lost its label): not an indicator
                self._error(r, cols.get("weight", lvl1_col), "该行有分值或得分，但没有指标名称、指标值和实际完成值，未作为指标读取")
                continue
            seq += 1
            key = str(seq)
            ind: dict[str, object] = {"seq": seq, "row": r + 1}
            # block label to the left of 一级指标 (绩效目标, vertically merged)
            for c, s in self.sh.labels[r]:
                if c < lvl1_col and any(pred(s) for pred in BLOCK_LABELS):
                    self.used.add((r, c))
            for lvl in ("level1", "level2"):
                ind[lvl] = self._level(r, cols.get(lvl), key, lvl)
            ind["level1"], ind["level1_weight"] = split_inline_weight(str(ind["level1"]))
            if ind["level1_weight"] is not None and "inline-weight" not in self.rec.template:
                self.rec.template.append("inline-weight")
            # An unmerged blank category cell continues the one above, as a reader takes it.
            if not ind["level1"]:
                ind["level1"], ind["level1_weight"] = prev1, prev1w
            elif ind["level1"] != prev1:
                prev2 = ""
            if not ind["level2"]:
                ind["level2"] = prev2
            prev1, prev1w, prev2 = str(ind["level1"]), ind["level1_weight"], str(ind["level2"])
            for fld in _IND_TEXT_FIELDS:
                col = cols.get(fld)
                v, origin = self.sh.spread(r, col) if col is not None else ("", None)
                if col is not None and not is_empty(v):
                    if origin == (r, col):
                        self._put("indicators", key, fld, r, col, v)
                    else:  # one reason merged down over several rows applies to each of them
                        self.rec.cells.append(("indicators", key, fld, cell_name(*origin), to_text(v)))
                ind[fld] = clean_text(v)
            for fld, what in (("weight", "分值"), ("score", "得分")):
                col = cols.get(fld)
                ind[fld] = self._number("indicators", key, fld, r, col, what, ("分",)) if col is not None else None
            self.rec.indicators.append(ind)
        if not self.rec.indicators:
            self._error(hdr, lvl1_col, "绩效指标表中没有指标行")
        self._ind_cols = cols
        return total_hit[0] if total_hit else None

    def _level(self, r: int, col: int | None, key: str, fld: str) -> str:
        if col is None:
            return ""
        v, origin = self.sh.spread(r, col)
        if is_empty(v):
            return ""
        if origin == (r, col):
            self._put("indicators", key, fld, r, col, v)
        else:  # read through a vertical merge: provenance is the merge's origin cell
            self.rec.cells.append(("indicators", key, fld, cell_name(*origin), to_text(v)))
        return label(v)

    def _end_of_indicators(self, hdr: int) -> int:
        stop = self._find(_starts("项目自评结论", "自评结论", "主要经验做法"), rows=range(hdr + 1, self.r1))
        return stop[0] if stop else self.r1

    def _total(self, total_row: int | None) -> None:
        p = self.rec.project
        p["total_weight"] = p["total_score"] = None
        if total_row is None:
            self._error(None, None, "未找到“总分”行")
            return
        r = total_row
        c_lab = next(c for c, s in self.sh.labels[r] if _TOTAL_LABEL(s))
        self.used.add((r, c_lab))
        cols = getattr(self, "_ind_cols", {})
        cw, cs = cols.get("weight"), cols.get("score")
        if cw is None or cs is None or (is_empty(self.sh.raw(r, cw)) and is_empty(self.sh.raw(r, cs))):
            nums = [c for c, _ in self.sh.nonempty[r] if c > c_lab]
            cw, cs = (nums + [None, None])[:2]
        if cw is not None:
            p["total_weight"] = self._number("projects", "", "total_weight", r, cw, "总分分值")
        if cs is not None:
            p["total_score"] = self._number("projects", "", "total_score", r, cs, "总分得分")

    def _account(self) -> None:
        """List every non-empty cell of the region that no field or label took."""
        n = 0
        for r in range(self.r0, self.r1):
            for c, v in self.sh.nonempty[r]:
                n += 1
                if (r, c) in self.used:
                    continue
                # only what a reader took counts: a cell that merely looks like a label is listed
                self.rec.unmapped.append((cell_name(r, c), to_text(v)))
        self.rec.n_cells = n
        last_row = max((r for r in range(self.r0, self.r1) if self.sh.nonempty[r]),
                       default=self.r0)
        r0, c0, _, c1 = self.rec.region
        self.rec.region = (r0, c0, last_row, c1)


def _numberish(v) -> bool:
    try:
        return parse_number(v) is not None
    except NumberError:
        return False


def _FUND_HEADER_FILLER(s: str) -> bool:
    return s in ("资金来源", "项目", "来源")


def _is_value_label(s: str) -> bool:
    return len(s) <= _MAX_LABEL_LEN and any(pred(s) for _, pred in VALUE_LABELS)


def _split_inline(raw: object) -> tuple[str, str]:
    """``"项目名称：XX"`` → (``"项目名称"``, ``"XX"``); no colon → (raw, "")."""
    if not isinstance(raw, str):
        return "", ""
    text = raw.strip()
    for i, ch in enumerate(text):
        if ch in _COLONS:
            return text[:i], text[i + 1 :].strip()
    return text, ""


# --------------------------------------------------------------------------------------------
# Small public helpers


def split_department(text: str) -> tuple[str, str]:
    """``壶关县人民政府办公室-002`` → (``壶关县人民政府办公室``, ``002``); no code → (name, "")."""
    t = text.strip()
    if not t:
        return "", ""
    for rx, name_first in ((_DEPT_NAME_CODE_RE, True), (_DEPT_PAREN_CODE_RE, True), (_DEPT_CODE_NAME_RE, False)):
        m = rx.match(t)
        if m:
            a, b = m.group(1).strip(), m.group(2).strip()
            return (a, b) if name_first else (b, a)
    return t, ""


def split_inline_weight(level1: str) -> tuple[str, float | None]:
    """``产出指标(50分)`` → (``产出指标``, 50.0)."""
    s = label(level1)
    m = _INLINE_WEIGHT_RE.match(s)
    if m and m.group(1):
        return m.group(1).rstrip("(（[【"), float(m.group(2))
    return s, None


def classify_fund(text: str) -> str | None:
    """A fund line label → its ``source`` (``total``, ``central`` …), or ``None``."""
    s = label(text)
    if s.startswith("其中"):
        s = s[2:].lstrip(":：")
    if not s:
        return None
    for source, pred in _FUND_SOURCES:
        if pred(s):
            return source
    return None


def read_forms(grid: Grid) -> list[FormRecord]:
    """Every form in one sheet, in order."""
    sh = _Sheet(grid)
    return [_FormReader(sh, r0, start, r1, i).read() for i, (r0, start, r1) in enumerate(_segments(sh))]


__all__ = ["FormRecord", "read_forms", "find_forms", "split_department", "split_inline_weight", "classify_fund",
           "range_name"]
