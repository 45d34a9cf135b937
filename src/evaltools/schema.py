"""Column contracts of the DataFrames that ``evaltools.load`` returns.

These names are relied upon by the audit, the notebooks, the Excel outputs and outside checks:
add columns freely, never rename these.

Amounts (万元), weights, scores and rates are ``float64``; a printed value keeps its printed
precision in the ``raw`` column of the ``cells`` table, so comparisons can be made within the
printed precision (never ``==`` on floats). Rates are in percent: ``75`` or ``"99%"`` load as
``75.0`` / ``99.0``.
"""

from __future__ import annotations

PROJECT_NUMBER_FIELDS = (
    "budget_initial",
    "budget_full_year",
    "executed",
    "exec_weight",
    "exec_rate",
    "exec_score",
    "total_weight",
    "total_score",
    "header_score",
    "completion_rate",  # 总体完成率(%) where the goals block prints one
    "exec_rate_target",  # a planned 年度预算执行率 on a target table
    "indicators_weight",  # the points on the indicator block's label: 年度绩效目标(80分)
)

PROJECTS = (
    "form_id",
    "source_file",
    "sheet",
    "year",
    "project_name",
    "department",
    "department_code",
    "implementing_unit",
    "budget_initial",
    "budget_full_year",
    "executed",
    "exec_weight",
    "exec_rate",
    "exec_score",
    "total_weight",
    "total_score",
    "goal_expected",
    "goal_actual",
    "experience",
    "problems",
    "suggestion_decision",
    "suggestion_budget",
    "suggestion_funds",
    "suggestion_management",
    "suggestion_other",
    "remarks",
    # Extra columns (not part of the minimum contract, but always present):
    "title",
    "form_range",  # A1 range of the form's region in its sheet, e.g. "A1:M45"
    "template",  # which layout features were recognised, e.g. "seed" or "no-adjusted,inline-weight"
    "form_type",  # 项目支出绩效自评表, 绩效目标自评表, 部门整体支出绩效自评表, 绩效目标表
    "convention",  # scoring convention tokens, e.g. "exec-10" or "exec-none,no-weights,no-scores"
    "audited",  # whether the project audit checks this form (False for target tables, department-wide forms)
    "completion_rate",  # 总体完成率(%) of the goals block
    "exec_rate_target",  # a planned 年度预算执行率 (target tables)
    "indicators_weight",  # points on the indicator block's label: 年度绩效目标(80分)
    "improvement",  # 改进措施及结果应用方案 (Hubei), where the form has it
    "goal_adjusted",  # 全年(调整)绩效目标
    "footnote",  # instructions printed with the form (注：…)
    "fund_management",  # 资金管理情况 items with their 情况说明 ("item：text" lines)
    "labels",  # the header and conclusion fields whose label the form prints (a rule on an absent field stays silent)
    "header_score",  # a 自评得分 / 自评总分 printed in the header
    "extra",  # header values the contract has no field for ("label：value" lines: 联系电话, 项目类别 …)
)

FORM_TYPES = ("项目支出绩效自评表", "绩效目标自评表", "部门整体支出绩效自评表", "绩效目标表")
CONVENTION_TOKENS = ("exec-<n>", "exec-rate-weight", "exec-indicator", "exec-none", "exec-unknown", "no-weights",
                     "no-scores", "reweighted", "flat", "four-part")

FUND_SOURCES = ("total", "superior", "central", "provincial", "local", "city", "county", "current_year", "carryover",
                "other")

FUNDS = (
    "form_id",
    "source",
    "label",
    "budget_initial",
    "budget_full_year",
    "executed",
    "weight",
    "exec_rate",
    "score",
    "row",  # 1-based worksheet row of the fund line
    "key",  # the line's key in ``cells``: its source, or source#row for a second line of one source
    "received",  # 到位数, where the form has the column
    "method",  # 得分计算方法 text, where the form has the column
    "cell_errors",  # fields read from an Excel error cell: ``score=#DIV/0!`` (comma-separated)
)

INDICATORS = (
    "form_id",
    "seq",
    "level1",
    "level1_weight",
    "level2",
    "name",
    "target",
    "adjusted_target",
    "actual",
    "weight",
    "score",
    "deviation_reason",
    "nature",  # the separate 指标性质 column, when a form has one ("" otherwise)
    "row",  # 1-based worksheet row of the indicator
    "unit",  # a separate 度量单位 / 计量单位 column
    "method",  # 得分计算方法 / 指标解释 text
    "weight_share",  # 权重占比 (%), on re-weighted forms
    "weighted_score",  # 折算得分, on re-weighted forms
    "part",  # the block above 一级 on a checklist sheet (项目决策 / 项目管理 / 项目绩效)
    "part_weight",  # its points (项目决策 2分)
    "review_score",  # 复核分, where the form has the column
    "level2_weight",  # an inline weight on the 二级指标 ("数量指标(10分)")
    "level1_weight_range",  # a weight range on the 一级指标 ("0-20" from "成本指标(0-20)分")
    "parent",  # seq of the indicator a 其中… breakdown row belongs to (NaN for an indicator)
    "core",  # marked ★ as a core indicator
    "status",  # 单项指标完成情况 (完成 / 未完成), where printed
    "score_coefficient",  # 得分系数 (%), where printed
    "core_mark",  # the core-indicator mark as printed (★★★)
    "placeholder",  # the name or target still holds a template placeholder (**, XX, 指标1)
    "cell_errors",  # fields read from an Excel error cell: ``score=#DIV/0!`` (comma-separated)
)

LOAD_ERRORS = ("source_file", "sheet", "cell", "code", "message", "level")
"""``level`` is ``error`` (a problem with the input) or ``info`` (a note: a form type the project
audit leaves out)."""

UNMAPPED = ("form_id", "source_file", "sheet", "cell", "value")

CELLS = ("form_id", "table", "key", "field", "source_file", "sheet", "cell", "raw")
"""Provenance: one row per loaded value.

``table`` is ``projects``, ``funds`` or ``indicators``; ``key`` is empty for projects, the fund
``source`` for funds and the indicator ``seq`` (as text) for indicators; a ``columns`` row
(``key`` ``indicators``) names the heading cell of an indicator column, so a finding about an
empty cell (a missing 偏差原因) can point at it; ``raw`` is the cell's
value as stored in the workbook, as text.
"""


# ---------------------------------------------------------------------------------------------
# Findings: one table declared once. The audit builds its rows from these entries, the CSV keeps
# them all, findings.xlsx, the HTML report and the explorer show the ones whose ``views`` name
# them, in this order. A new column is one entry here plus the value in the rule's ``Hit``
# (a ``Hit`` field of the same name, or ``Hit.extra[name]``).

from dataclasses import dataclass, field  # noqa: E402 - the contracts above need nothing


@dataclass(frozen=True)
class Column:
    name: str  # the DataFrame column
    label: str  # its Chinese header in findings.xlsx and the HTML pages
    width: int = 12  # its width in findings.xlsx (characters)
    views: frozenset = field(default_factory=frozenset)  # "excel", "report", "explore" show it
    wrap: bool = False  # long text: wrapped in findings.xlsx
    source: str = "hit"  # "hit" (the rule's Hit), "rule", "form" or "audit" (made by the audit)


_X, _R, _E = "excel", "report", "explore"
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


def finding_columns() -> tuple[str, ...]:
    """The findings DataFrame's columns, in order (read at call time: a column added to FINDINGS
    reaches every output)."""
    return tuple(c.name for c in FINDINGS)


def finding_view(view: str) -> tuple[Column, ...]:
    """The findings columns ``view`` ("excel", "report", "explore") shows, in its order."""
    rank = {n: i for i, n in enumerate(_VIEW_ORDER.get(view, ()))}
    return tuple(sorted((c for c in FINDINGS if view in c.views), key=lambda c: rank.get(c.name, len(rank))))


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
