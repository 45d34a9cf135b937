"""What kind of form it is, and how it scores: named from what the form itself prints.

``form_type`` comes from the title (the vocabulary's ``form_types``, tried in order), or from the
header when there is no title (a department-wide form names a 部门 and no 项目名称). The scoring
convention lists what the audit needs to know before it judges a score:

- ``exec-10`` / ``exec-20`` / ``exec-<n>``: budget execution scored out of n points (the 分值 on
  the 年度资金总额 row, or the points in the block's label ``预算执行情况(20分)`` / ``得分(20分*执行率)``);
- ``exec-rate-weight``: execution scored as 执行率 × a printed 执行率权重 (with ``exec-<n>``, its weight);
- ``exec-indicator``: execution scored as a 预算执行率 row of the indicator table;
- ``exec-none``: the form scores no execution; ``exec-unknown``: it has a 分值 / 得分 column for
  execution but prints no points (rules on the execution score stay silent);
- ``no-weights`` / ``no-scores``: no 分值 / 得分 column in the indicator table;
- ``reweighted``: indicator scores re-weighted (权重占比, 折算得分); ``flat``: no 一级 / 二级;
- ``four-part``: the 决策 / 管理 / 产出 / 效益 framework (its own split of the points).
"""

from __future__ import annotations

from ..cellvalues import label
from .vocabulary import Vocabulary


def form_type(vocab: Vocabulary, title: str, header_seen: set[str], header_labels) -> tuple[str, bool]:
    """``(type name, audited)``; ``header_labels()`` gives the form's labels (asked only without a title)."""
    types = vocab.form_types
    if title:
        for ft in types:
            if ft.title(label(title)):
                return ft.name, ft.audited
    if "project_name" not in header_seen:
        labels = header_labels()
        for ft in types:
            if any(ft.header(s) for s in labels):
                return ft.name, ft.audited
    default = types[-1]
    return default.name, default.audited


_ERROR_NEEDS = {"weight": "error-weights", "score": "error-scores", "total_score": "error-scores",
                "total_weight": "error-weights"}
_EXEC_FIELDS = ("budget_initial", "budget_full_year", "executed", "exec_rate", "exec_score", "exec_weight")


def error_tokens(cell_errors) -> list[str]:
    """Convention tokens for values the form prints as Excel errors: rules needing them stay quiet."""
    tokens: list[str] = []
    for table, _key, fld, _code in cell_errors:
        if table == "funds" or fld in _EXEC_FIELDS:
            token = "error-execution"
        else:
            token = _ERROR_NEEDS.get(fld)
        if token and token not in tokens:
            tokens.append(token)
    return tokens


def convention(funds_info: dict, fund_total: dict | None, ind_cols: dict, flat: bool,
               indicators: list[dict] = (), exec_row: bool = False) -> list[str]:
    tokens: list[str] = []
    fund_cols = funds_info.get("columns") or {}
    weight_head = funds_info.get("weight_heading", "")
    points = None
    if fund_total is not None and fund_total.get("weight") is not None:
        points = fund_total["weight"]
    elif funds_info.get("block_points") is not None:
        points = funds_info["block_points"]
    if weight_head.startswith("执行率权重"):
        tokens.append("exec-rate-weight")
        if points is not None and points > 0:
            tokens.append(f"exec-{points:g}")
    elif exec_row and points is None:
        tokens.append("exec-indicator")  # execution scored as a row of the indicator table
    elif points is not None and points > 0:
        tokens.append(f"exec-{points:g}")
    elif "score" in fund_cols or "weight" in fund_cols:
        # a 分值 / 得分 column with nothing printed in it: execution is scored, out of an unknown number
        tokens.append("exec-unknown")
    else:
        tokens.append("exec-none")
    if ind_cols:
        # a column that no indicator fills is as good as none: the form cannot be weighed by it
        if "weight" not in ind_cols or (indicators and all(i.get("weight") is None for i in indicators)):
            tokens.append("no-weights")
        if "score" not in ind_cols or (indicators and all(i.get("score") is None for i in indicators)):
            tokens.append("no-scores")
        if "weight_share" in ind_cols or "weighted_score" in ind_cols:
            tokens.append("reweighted")
    if flat:
        tokens.append("flat")
    level1 = {str(i.get("level1", "")) for i in indicators} | {str(i.get("part", "")) for i in indicators}
    if any("决策" in s for s in level1) and any("管理" in s or "过程" in s for s in level1):
        tokens.append("four-part")  # 决策 / 管理(过程) / 产出 / 效益: a split of its own, not 10/50/30/10
    return tokens
