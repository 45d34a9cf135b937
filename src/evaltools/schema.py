"""Column contracts of the DataFrames that ``evaltools.load`` returns.

These names are relied upon by the audit, the notebooks, the Excel outputs and outside checks:
add columns freely, never rename these.

Amounts (万元), weights, scores and rates are ``float64``; a printed value keeps its printed
precision in the ``raw`` column of the ``cells`` table, so comparisons can be made within the
printed precision (never ``==`` on floats). Rates are in percent: ``75`` or ``"99%"`` load as
``75.0`` / ``99.0``.
"""

from __future__ import annotations

PROJECT_TEXT_FIELDS = (
    "project_name",
    "department",
    "department_code",
    "implementing_unit",
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
)

PROJECT_NUMBER_FIELDS = (
    "budget_initial",
    "budget_full_year",
    "executed",
    "exec_weight",
    "exec_rate",
    "exec_score",
    "total_weight",
    "total_score",
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
)

FUND_SOURCES = ("total", "central", "provincial", "local", "current_year", "carryover", "other")

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
)

LOAD_ERRORS = ("source_file", "sheet", "cell", "message")

UNMAPPED = ("form_id", "source_file", "sheet", "cell", "value")

CELLS = ("form_id", "table", "key", "field", "source_file", "sheet", "cell", "raw")
"""Provenance: one row per loaded value.

``table`` is ``projects``, ``funds`` or ``indicators``; ``key`` is empty for projects, the fund
``source`` for funds and the indicator ``seq`` (as text) for indicators; ``raw`` is the cell's
value as stored in the workbook, as text.
"""
