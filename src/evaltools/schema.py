"""Every table evaltools produces, declared once: its columns, their Chinese labels, widths and dtypes.

The names are relied upon by the audit, the notebooks, the Excel outputs and outside checks:
add columns freely, never rename these.

Amounts (万元), weights, scores and rates are ``float64``; a printed value keeps its printed
precision in the ``raw`` column of the ``cells`` table, so comparisons can be made within the
printed precision (never ``==`` on floats). Rates are in percent: ``75`` or ``"99%"`` load as
``75.0`` / ``99.0``.

A column's ``dtype`` is the one a loaded (non-empty) frame has under the pinned pandas: ``str`` is
pandas' string dtype, ``category`` a long table's repeated text; a loaded table without rows has
``object`` columns (the audit's tables keep their dtypes). The names tuples (``PROJECTS``, ``FUNDS`` …) are read from the declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Column:
    name: str  # the DataFrame column
    label: str  # its Chinese header in findings.xlsx and the HTML pages
    width: int = 12  # its width in findings.xlsx and an exported .xlsx (characters)
    views: frozenset = field(default_factory=frozenset)  # "excel", "report", "explore" show it
    wrap: bool = False  # long text: wrapped in findings.xlsx
    source: str = "hit"  # findings: "hit" (the rule's Hit), "rule", "form" or "audit" (made by the audit)
    dtype: str = "str"  # the pandas dtype of the loaded frame's column
    doc: str = ""  # what the value means, where the name does not say it
    appended: bool = False  # written after the table's names tuple, and left out of it (projects)


@dataclass(frozen=True)
class Table:
    name: str  # the Book / AuditResult attribute, and the file stem its CSV/Parquet is written to
    title: str  # its Chinese sheet title
    columns: tuple[Column, ...]
    doc: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """Every column of the frame, in order."""
        return tuple(c.name for c in self.columns)

    @property
    def contract(self) -> tuple[str, ...]:
        """The names tuple: every column but the ``appended`` ones."""
        return tuple(c.name for c in self.columns if not c.appended)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}")


def _text(name: str, label: str, width: int = 12, doc: str = "", **kw) -> Column:
    return Column(name, label, width, doc=doc, **kw)


def _number(name: str, label: str, width: int = 10, doc: str = "", **kw) -> Column:
    return Column(name, label, width, dtype="float64", doc=doc, **kw)


def _form_id() -> Column:
    return Column("form_id", "表单编号", 14, doc="stable id: the file's path relative to the loaded folder, sheet, anchor")


# ---------------------------------------------------------------------------------------------
# The loaded tables (``evaltools.load`` → ``Book``)

PROJECTS_TABLE = Table("projects", "项目", (
    _form_id(),
    _text("source_file", "文件", 30, "the workbook's path as given to load()"),
    _text("sheet", "工作表", 12),
    Column("year", "年度", 6, dtype="Int64"),
    _text("project_name", "项目名称", 30),
    _text("department", "主管部门", 18),
    _text("department_code", "部门编码", 10),
    _text("implementing_unit", "实施单位", 18),
    _number("budget_initial", "年初预算数", doc="万元"),
    _number("budget_full_year", "全年预算数", doc="万元"),
    _number("executed", "全年执行数", doc="万元"),
    _number("exec_weight", "执行率分值"),
    _number("exec_rate", "执行率", doc="percent"),
    _number("exec_score", "执行率得分"),
    _number("total_weight", "总分值"),
    _number("total_score", "总分"),
    _text("goal_expected", "预期目标", 40, wrap=True),
    _text("goal_actual", "实际完成情况", 40, wrap=True),
    _text("experience", "主要经验做法", 40, wrap=True),
    _text("problems", "存在问题", 40, wrap=True),
    _text("suggestion_decision", "对项目决策的建议", 30, wrap=True),
    _text("suggestion_budget", "对预算安排的建议", 30, wrap=True),
    _text("suggestion_funds", "对资金管理的建议", 30, wrap=True),
    _text("suggestion_management", "对项目管理的建议", 30, wrap=True),
    _text("suggestion_other", "其他建议", 30, wrap=True),
    _text("remarks", "备注", 30, wrap=True),
    # Extra columns (not part of the minimum contract, but always present):
    _text("title", "表名", 30),
    _text("form_range", "表格区域", 10, "A1 range of the form's region in its sheet, e.g. \"A1:M45\""),
    _text("template", "版式特征", 20,
          "which layout features were recognised, e.g. \"seed\" or \"no-adjusted,inline-weight\""),
    _text("form_type", "表式", 20, "项目支出绩效自评表, 绩效目标自评表, 部门整体支出绩效自评表, 绩效目标表"),
    _text("convention", "计分口径", 20,
          "scoring convention tokens, e.g. \"exec-10\" or \"exec-none,no-weights,no-scores\""),
    Column("audited", "参加审核", 8, dtype="bool",
           doc="whether the project audit checks this form (False for target tables, department-wide forms)"),
    _number("completion_rate", "总体完成率", doc="总体完成率(%) of the goals block"),
    _number("exec_rate_target", "计划预算执行率", doc="a planned 年度预算执行率 (target tables)"),
    _number("indicators_weight", "绩效指标分值", doc="points on the indicator block's label: 年度绩效目标(80分)"),
    _text("improvement", "改进措施及结果应用方案", 30, "改进措施及结果应用方案 (Hubei), where the form has it", wrap=True),
    _text("goal_adjusted", "全年（调整）绩效目标", 40, "全年(调整)绩效目标", wrap=True),
    _text("footnote", "表下注释", 40, "instructions printed with the form (注：…)", wrap=True),
    _text("fund_management", "资金管理情况", 40, "资金管理情况 items with their 情况说明 (\"item：text\" lines)",
          wrap=True),
    _text("labels", "表内已印字段", 30,
          "the header and conclusion fields whose label the form prints (a rule on an absent field stays silent)"),
    _number("header_score", "表头自评得分", doc="a 自评得分 / 自评总分 printed in the header"),
    _text("extra", "其他表头信息", 30,
          "header values the contract has no field for (\"label：value\" lines: 联系电话, 项目类别 …)", wrap=True),
    # appended by the loader after the names tuple: where the form lies, and its printed grade
    _text("grade", "自评等级", 8, "the grade the form prints (优 / 良 / 中 / 差), where it prints one", appended=True),
    _text("relative_file", "相对路径", 30, "source_file relative to the loaded folder (part of the form id)",
          appended=True),
    Column("form_index", "表内序号", 8, dtype="int64", doc="0-based position of the form among its sheet's forms",
           appended=True),
    _text("anchor", "起始单元格", 10, "the form's top-left cell (part of the form id)", appended=True),
), "One row per form.")

FORM_TYPES = ("项目支出绩效自评表", "绩效目标自评表", "部门整体支出绩效自评表", "绩效目标表")
CONVENTION_TOKENS = ("exec-<n>", "exec-rate-weight", "exec-indicator", "exec-none", "exec-unknown", "no-weights",
                     "no-scores", "reweighted", "flat", "four-part")

FUND_SOURCES = ("total", "superior", "central", "provincial", "local", "city", "county", "current_year", "carryover",
                "other")

FUNDS_TABLE = Table("funds", "资金", (
    _form_id(),
    _text("source", "资金来源", 12, "one of FUND_SOURCES: total for 年度资金总额"),
    _text("label", "资金来源（表内）", 20, "the line's label as printed"),
    _number("budget_initial", "年初预算数", doc="万元"),
    _number("budget_full_year", "全年预算数", doc="万元"),
    _number("executed", "全年执行数", doc="万元"),
    _number("weight", "分值"),
    _number("exec_rate", "执行率", doc="percent"),
    _number("score", "得分"),
    Column("row", "行号", 6, dtype="int64", doc="1-based worksheet row of the fund line"),
    _text("key", "来源键", 12,
          "the line's key in ``cells``: its source, or source#row for a second line of one source"),
    _number("received", "到位数", doc="到位数, where the form has the column"),
    _text("method", "得分计算方法", 30, "得分计算方法 text, where the form has the column", wrap=True),
    _text("cell_errors", "错误值单元格", 20,
          "fields read from an Excel error cell: ``score=#DIV/0!`` (comma-separated)"),
), "One row per fund line (年度资金总额 and its 其中 rows).")

INDICATORS_TABLE = Table("indicators", "指标", (
    _form_id(),
    Column("seq", "序号", 6, dtype="int64"),
    _text("level1", "一级指标", 10),
    _number("level1_weight", "一级指标分值"),
    _text("level2", "二级指标", 12),
    _text("name", "三级指标", 28, wrap=True),
    _text("target", "年度指标值", 16),
    _text("adjusted_target", "调整后指标值", 14),
    _text("actual", "实际完成值", 16),
    _number("weight", "分值", 7),
    _number("score", "得分", 7),
    _text("deviation_reason", "偏差原因", 30, wrap=True),
    _text("nature", "指标性质", 8, "the separate 指标性质 column, when a form has one (\"\" otherwise)"),
    Column("row", "行号", 6, dtype="int64", doc="1-based worksheet row of the indicator"),
    _text("unit", "度量单位", 8, "a separate 度量单位 / 计量单位 column"),
    _text("method", "得分计算方法", 30, "得分计算方法 / 指标解释 text", wrap=True),
    _number("weight_share", "权重占比", doc="权重占比 (%), on re-weighted forms"),
    _number("weighted_score", "折算得分", doc="折算得分, on re-weighted forms"),
    _text("part", "评价部分", 10, "the block above 一级 on a checklist sheet (项目决策 / 项目管理 / 项目绩效)"),
    _number("part_weight", "评价部分分值", doc="its points (项目决策 2分)"),
    _number("review_score", "复核分", doc="复核分, where the form has the column"),
    _number("level2_weight", "二级指标分值", doc="an inline weight on the 二级指标 (\"数量指标(10分)\")"),
    _text("level1_weight_range", "一级指标分值范围", 10,
          "a weight range on the 一级指标 (\"0-20\" from \"成本指标(0-20)分\")"),
    _number("parent", "所属指标序号", doc="seq of the indicator a 其中… breakdown row belongs to (NaN for an indicator)"),
    Column("core", "核心指标", 8, dtype="bool", doc="marked ★ as a core indicator"),
    _text("status", "单项指标完成情况", 10, "单项指标完成情况 (完成 / 未完成), where printed"),
    _number("score_coefficient", "得分系数", doc="得分系数 (%), where printed"),
    _text("core_mark", "核心指标标记", 8, "the core-indicator mark as printed (★★★)"),
    Column("placeholder", "含模板占位符", 8, dtype="bool",
           doc="the name or target still holds a template placeholder (**, XX, 指标1)"),
    _text("cell_errors", "错误值单元格", 20,
          "fields read from an Excel error cell: ``score=#DIV/0!`` (comma-separated)"),
), "One row per indicator (and per 其中… breakdown row, which names its ``parent``).")

LOAD_ERRORS_TABLE = Table("load_errors", "读取问题", (
    _text("source_file", "文件", 30),
    _text("sheet", "工作表", 12),
    _text("cell", "单元格", 9),
    _text("code", "代码", 16, "the problem's stable code (``errors.PROBLEMS``), e.g. file-corrupt"),
    _text("message", "说明", 60, "in Chinese", wrap=True),
    _text("level", "级别", 6, "error (a problem with the input) or info (a note: a form type the project audit "
                               "leaves out)"),
), "One row per problem met while loading; every column is text.")

UNMAPPED_TABLE = Table("unmapped", "未识别单元格", (
    Column("form_id", "表单编号", 14, dtype="category"),
    Column("source_file", "文件", 30, dtype="category"),
    Column("sheet", "工作表", 12, dtype="category"),
    _text("cell", "单元格", 9),
    _text("value", "单元格内容", 40, wrap=True),
), "Non-empty cells of a form that no field took.")

CELLS_TABLE = Table("cells", "单元格来源", (
    Column("form_id", "表单编号", 14, dtype="category"),
    Column("table", "所属表", 10, dtype="category", doc="projects, funds or indicators"),
    Column("key", "键", 10, dtype="category",
           doc="empty for projects, the fund ``source`` for funds, the indicator ``seq`` (as text) for indicators; "
               "a ``columns`` row (``key`` ``indicators``) names the heading cell of an indicator column, so a "
               "finding about an empty cell (a missing 偏差原因) can point at it"),
    Column("field", "字段", 16, dtype="category"),
    Column("source_file", "文件", 30, dtype="category"),
    Column("sheet", "工作表", 12, dtype="category"),
    _text("cell", "单元格", 9),
    _text("raw", "原值", 30, "the cell's value as stored in the workbook, as text"),
    Column("page", "页码", 6, dtype="int64", doc="a PDF's 1-based page the value was printed on (0 for a workbook "
                                                 "or a Word file)"),
    Column("bbox", "页面位置", 20, dtype="category",
           doc="a PDF: the cell's box ``x0,top,x1,bottom`` in points from the page's top-left corner; a Word file: "
               "``table:row:column`` of the cell; empty for a workbook"),
    Column("ocr", "OCR识别", 6, dtype="bool", doc="the value was read by OCR from a scan or picture: verify it"),
), "Provenance: one row per loaded value.")

SHEETS_TABLE = Table("sheets", "工作表", (
    _text("source_file", "文件", 30),
    _text("sheet", "工作表", 12),
    Column("forms", "自评表数", 8, dtype="int64", doc="how many forms the sheet held (a notes sheet shows 0)"),
    _text("status", "状态", 10, "form, no form, refused (beyond the reader's limits) or error"),
    Column("visible", "可见", 6, dtype="bool", doc="a hidden sheet's forms load too: the reviewer sees them flagged"),
), "Every sheet read.")

BOOK_TABLES = ("projects", "funds", "indicators", "load_errors", "unmapped", "cells", "sheets")

PROJECTS = PROJECTS_TABLE.contract
FUNDS = FUNDS_TABLE.contract
INDICATORS = INDICATORS_TABLE.contract
LOAD_ERRORS = LOAD_ERRORS_TABLE.contract
UNMAPPED = UNMAPPED_TABLE.contract
CELLS = CELLS_TABLE.contract


def _number_fields(t: Table) -> tuple[str, ...]:
    """The table's float64 columns, the header's printed score beside the totals (the order callers know)."""
    names = [c.name for c in t.columns if c.dtype == "float64" and c.name != "header_score"]
    names.insert(names.index("total_score") + 1, "header_score")
    return tuple(names)


PROJECT_NUMBER_FIELDS = _number_fields(PROJECTS_TABLE)


# ---------------------------------------------------------------------------------------------
# The audit's score tables (``evaltools.audit`` → ``AuditResult``): printed and recomputed side by
# side. A column added here reaches the frame (the form's ``projects`` field of the same name, or
# the indicator's ``indicators`` field) and, with the "excel" view, findings.xlsx's sheet.

_X, _R, _E = "excel", "report", "explore"
_XS = frozenset({_X})

FORM_SCORES_TABLE = Table("form_scores", "项目得分", (
    _form_id(),
    _text("profile", "审核口径", 12, "the profile the form was audited with"),
    _text("department", "部门", 18, views=_XS),
    _text("project_name", "项目", 30, views=_XS),
    _number("exec_rate_printed", "执行率%（表内）", views=_XS),
    _number("exec_rate_recomputed", "执行率%（重算）", doc="from the amounts (the 其中 rows' sums when the total "
                                                           "row disagrees with them)", views=_XS),
    _text("exec_rate_basis", "执行率口径", 12, "年度资金总额 or 其中各行合计: the amounts the rate is computed from",
          views=_XS),
    _number("exec_score_printed", "执行得分（表内）", views=_XS),
    _number("exec_score_recomputed", "执行得分（重算）", views=_XS),
    _number("indicator_score_printed", "指标得分（表内）", doc="Σ printed 得分", views=_XS),
    _number("indicator_score_recomputed", "指标得分（重算）",
            doc="Σ recomputed 得分 (printed where not computable)", views=_XS),
    _number("total_printed", "总分（表内）", 9, views=_XS),
    _number("total_arithmetic", "总分（加总）", 9, doc="printed execution score + Σ printed indicator scores",
            views=_XS),
    _number("total_recomputed", "总分（重算）", 9, views=_XS),
    _text("grade_printed", "等级（表内）", 8, views=_XS),
    _text("grade_recomputed", "等级（重算）", 8, views=_XS),
), "One row per audited form.")

INDICATOR_SCORES_TABLE = Table("indicator_scores", "指标得分", (
    _form_id(),
    Column("seq", "序号", 6, _XS, dtype="int64"),
    _text("level1", "一级指标", 10, views=_XS),
    _text("level2", "二级指标", 12, views=_XS),
    _text("name", "三级指标", 28, views=_XS),
    _text("target", "年度指标值", 16, views=_XS),
    _text("adjusted_target", "调整后指标值", 14, views=_XS),
    _text("actual", "实际完成值", 16, views=_XS),
    _text("target_kind", "目标类型", 9, "number, qualitative, period, frequency, empty or unparsed", views=_XS),
    _text("target_op", "目标比较", 8, views=_XS),
    _number("target_number", "目标数值", views=_XS),
    _text("target_unit", "目标单位", 8, views=_XS),
    _text("actual_kind", "实际类型", 9, views=_XS),
    _text("actual_op", "实际比较", 8, views=_XS),
    _number("actual_number", "实际数值", views=_XS),
    _text("actual_unit", "实际单位", 8, views=_XS),
    Column("met", "是否达成", 8, _XS, dtype="boolean", doc="NA where it cannot be told"),
    _text("direction", "方向", 6, "positive, negative or equal", views=_XS),
    _number("weight", "分值", 7, views=_XS),
    _number("score_printed", "得分（表内）", 9, views=_XS),
    _number("score_recomputed", "得分（重算）", 9, views=_XS),
    _text("formula", "计算方法", 34, views=_XS),
), "One row per audited indicator (breakdown rows are counted in the sums, not listed).")


# ---------------------------------------------------------------------------------------------
# Findings: one table declared once. The audit builds its rows from these entries, the CSV keeps
# them all, findings.xlsx, the HTML report and the explorer show the ones whose ``views`` name
# them, in this order. A new column is one entry here plus the value in the rule's ``Hit``
# (a ``Hit`` field of the same name, or ``Hit.extra[name]``).

FINDINGS = (
    Column("finding_id", "问题编号", 14, source="audit"),
    Column("form_id", "表单编号", 14, source="form"),
    Column("department", "部门", 18, frozenset({_X}), source="form"),
    Column("project_name", "项目", 30, frozenset({_X}), wrap=True, source="form"),
    Column("rule", "规则", 22, frozenset({_X, _R, _E}), source="rule"),
    Column("severity", "严重程度", 9, frozenset({_X, _R, _E}), source="rule"),
    Column("category", "类别", 8, frozenset({_X}), source="rule"),
    Column("message", "说明", 60, frozenset({_X, _R, _E}), wrap=True),
    Column("expected", "应为", 22, frozenset({_X, _R}), wrap=True),
    Column("actual", "实际", 22, frozenset({_X, _R}), wrap=True),
    Column("source_file", "文件", 30, frozenset({_X}), source="form"),
    Column("sheet", "工作表", 12, frozenset({_X}), source="form"),
    Column("cell", "单元格", 9, frozenset({_X, _R, _E}), source="audit"),
)
# the order each view reads them in; a column added to FINDINGS comes after these, in its order
_VIEW_ORDER = {
    "excel": ("department", "project_name", "rule", "severity", "category", "message", "expected", "actual",
              "source_file", "sheet", "cell"),
    "report": ("severity", "rule", "message", "expected", "actual", "cell"),
    "explore": ("severity", "rule", "cell", "message"),
}
_FINDINGS_DOC = "One row per finding; every column is text."


def finding_columns() -> tuple[str, ...]:
    """The findings DataFrame's columns, in order (read at call time: a column added to FINDINGS
    reaches every output)."""
    return tuple(c.name for c in FINDINGS)


def finding_view(view: str) -> tuple[Column, ...]:
    """The findings columns ``view`` ("excel", "report", "explore") shows, in its order."""
    rank = {n: i for i, n in enumerate(_VIEW_ORDER.get(view, ()))}
    return tuple(sorted((c for c in FINDINGS if view in c.views), key=lambda c: rank.get(c.name, len(rank))))


# ---------------------------------------------------------------------------------------------
# Every table by name

TABLES = {t.name: t for t in (PROJECTS_TABLE, FUNDS_TABLE, INDICATORS_TABLE, LOAD_ERRORS_TABLE, UNMAPPED_TABLE,
                              CELLS_TABLE, SHEETS_TABLE, FORM_SCORES_TABLE, INDICATOR_SCORES_TABLE,
                              Table("findings", "问题清单", FINDINGS, _FINDINGS_DOC))}


def table(name: str) -> Table:
    """The table ``name``, read at call time (a test or a plug-in may replace an entry of TABLES);
    the findings table has the columns of FINDINGS, whatever extended it."""
    try:
        t = TABLES[name]
    except KeyError:
        raise KeyError(f"no table {name!r}: one of {', '.join(TABLES)}") from None
    return replace(t, columns=FINDINGS) if name == "findings" else t


def labelled(frame, name: str):
    """``frame`` (a DataFrame of table ``name``) with its declared columns under their Chinese
    labels, for a reader in JupyterLab; columns the table does not declare keep their names."""
    labels = {c.name: c.label for c in table(name).columns}
    if "severity" in frame.columns:  # 错误 / 警告 / 提示, as every other output says them
        frame = frame.assign(severity=frame["severity"].map(lambda s: SEVERITY_LABELS.get(s, s)))
    return frame.rename(columns=labels)


@dataclass(frozen=True)
class Severity:
    key: str
    label: str  # Chinese, everywhere a user reads it
    colour: str  # plots and the HTML pages
    fill: str  # findings.xlsx and annotated copies (ARGB without alpha)
    background: str  # a light cell background on the HTML pages and in the explorer


SEVERITIES = (
    Severity("error", "错误", "#d62728", "FFC7CE", "#fde2e1"),
    Severity("warning", "警告", "#ff7f0e", "FFD8A8", "#fff1d6"),
    Severity("info", "提示", "#1f77b4", "DDEBF7", "#e3edff"),
)
SEVERITY_ORDER = {s.key: i for i, s in enumerate(SEVERITIES)}  # most severe first
SEVERITY_LABELS = {s.key: s.label for s in SEVERITIES}
SEVERITY_COLORS = {s.key: s.colour for s in SEVERITIES}
SEVERITY_FILLS = {s.key: s.fill for s in SEVERITIES}
SEVERITY_BACKGROUNDS = {s.key: s.background for s in SEVERITIES}


# ---------------------------------------------------------------------------------------------
# findings.xlsx's 项目 and 指标 sheets: a row of form_scores / indicator_scores beside a few columns
# of other tables ("table.column"; "counts.<severity>" is the form's number of findings of that
# severity). A column of the table whose views name "excel" and that is not listed comes after
# these, in its order; the form id comes last (the sheet hides it).
_SHEET_ORDER = {
    "form_scores": ("department", "project_name", "projects.source_file", "projects.sheet", "exec_rate_printed",
                    "exec_rate_recomputed", "exec_rate_basis", "exec_score_printed", "exec_score_recomputed",
                    "indicator_score_printed", "indicator_score_recomputed", "total_printed", "total_arithmetic",
                    "total_recomputed", "grade_printed", "grade_recomputed", "counts.error", "counts.warning",
                    "counts.info"),
    "indicator_scores": ("form_scores.department", "form_scores.project_name", "seq", "level1", "level2", "name",
                         "target", "adjusted_target", "actual", "target_kind", "target_op", "target_number",
                         "target_unit", "actual_kind", "actual_op", "actual_number", "actual_unit", "met",
                         "direction", "weight", "score_printed", "score_recomputed", "formula"),
}


def _joined(name: str, column: str) -> Column:
    if name == "counts":
        s = SEVERITIES[SEVERITY_ORDER[column]]
        return Column(s.key, s.label, 7, dtype="int64", source="audit", doc="the form's findings of this severity")
    return table(name).column(column)


def sheet_view(name: str) -> tuple[tuple[str, Column], ...]:
    """``(table, column)`` for each column of findings.xlsx's sheet of table ``name``, in order."""
    own = table(name)
    shown = {c.name: c for c in own.columns if _X in c.views and c.name != "form_id"}
    out = []
    for ref in _SHEET_ORDER.get(name, ()):
        other, _, col = ref.rpartition(".")
        if other:
            out.append((other, _joined(other, col)))
        elif col in shown:
            out.append((name, shown.pop(col)))
    out += [(name, c) for c in shown.values()]
    return tuple(out) + ((name, own.column("form_id")),)
