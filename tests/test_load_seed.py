"""The eight real seed forms load with every field equal to the seed text.

``tests/data/seed_expected.json`` was transcribed from the seed's *sheet text*
(``data/huguan-2021/seed.txt``) by column position, independently of evaltools, and reviewed by
hand. The PDF text of the same forms is a second, independent source: the amounts, totals,
indicator rows and conclusion texts printed there must match too.
"""

from __future__ import annotations

import json
import math
import re

import openpyxl
import pytest

from evaltools.cellvalues import label

from formkit import same
from conftest import ROOT, SEED_DIR

EXPECTED = json.loads((ROOT / "tests" / "data" / "seed_expected.json").read_text(encoding="utf-8"))
PROJECT_TEXT = [
    "project_name", "department", "department_code", "implementing_unit", "goal_expected", "goal_actual",
    "experience", "problems", "suggestion_decision", "suggestion_budget", "suggestion_funds",
    "suggestion_management", "suggestion_other", "remarks",
]
FUND_FIELDS = ["label", "budget_initial", "budget_full_year", "executed", "weight", "exec_rate", "score"]
IND_FIELDS = ["level1", "level2", "name", "target", "adjusted_target", "actual", "weight", "score", "deviation_reason"]




def _form(book, prefix):
    p = book.projects
    rows = p[p["relative_file"].str.startswith(prefix + "_")]
    assert len(rows) == 1, f"expected one form in file {prefix}_*, got {len(rows)}"
    return rows.iloc[0]


def test_eight_forms_no_errors(seed_book):
    assert len(seed_book.projects) == 8
    assert seed_book.load_errors.empty, seed_book.load_errors
    assert seed_book.projects["form_id"].is_unique


@pytest.mark.parametrize("field", PROJECT_TEXT + ["year", "total_weight", "total_score"])
@pytest.mark.parametrize("exp", EXPECTED, ids=[e["file_prefix"] for e in EXPECTED])
def test_project_field(seed_book, exp, field):
    row = _form(seed_book, exp["file_prefix"])
    assert same(row[field], exp[field]), f"{field}: loaded {row[field]!r}, seed {exp[field]!r}"


@pytest.mark.parametrize("exp", EXPECTED, ids=[e["file_prefix"] for e in EXPECTED])
def test_project_amounts_are_total_row(seed_book, exp):
    row = _form(seed_book, exp["file_prefix"])
    total = exp["funds"][0]
    for proj_col, fund_col in (("budget_initial", "budget_initial"), ("budget_full_year", "budget_full_year"),
                               ("executed", "executed"), ("exec_weight", "weight"), ("exec_rate", "exec_rate"),
                               ("exec_score", "score")):
        assert same(row[proj_col], total[fund_col]), proj_col


@pytest.mark.parametrize("field", FUND_FIELDS)
@pytest.mark.parametrize("exp", EXPECTED, ids=[e["file_prefix"] for e in EXPECTED])
def test_fund_field(seed_book, exp, field):
    fid = _form(seed_book, exp["file_prefix"])["form_id"]
    funds = seed_book.funds[seed_book.funds["form_id"] == fid]
    assert list(funds["source"]) == [f["source"] for f in exp["funds"]]
    for (_, got), want in zip(funds.iterrows(), exp["funds"]):
        assert same(got[field], want[field]), f"{want['source']}.{field}: {got[field]!r} != {want[field]!r}"


@pytest.mark.parametrize("field", IND_FIELDS)
@pytest.mark.parametrize("exp", EXPECTED, ids=[e["file_prefix"] for e in EXPECTED])
def test_indicator_field(seed_book, exp, field):
    fid = _form(seed_book, exp["file_prefix"])["form_id"]
    inds = seed_book.indicators[seed_book.indicators["form_id"] == fid].sort_values("seq")
    assert len(inds) == len(exp["indicators"])
    assert list(inds["seq"]) == list(range(1, len(inds) + 1))
    for (_, got), want in zip(inds.iterrows(), exp["indicators"]):
        assert same(got[field], want[field]), f"#{got['seq']} {field}: {got[field]!r} != {want[field]!r}"


# ---------------------------------------------------------------------------------------------
# The PDF text: a second, independent rendering of the same forms


def _pdf_texts() -> list[str]:
    text = (SEED_DIR / "seed.txt").read_text(encoding="utf-8")
    out = []
    for sec in re.split(r"(?m)^\s*Sheet2\s*$", text)[1:]:
        lines = sec.strip("\n").split("\n")
        last = max(i for i, line in enumerate(lines) if "\t" in line)
        out.append("\n".join(lines[last + 1 :]))
    return out


PDF = _pdf_texts()
# The published PDF cuts one cell short; the sheet text (our ground truth) has the whole value.
PDF_TRUNCATED = {"2020年1月1日—12月底": "2020年1月1日—12月"}


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


@pytest.mark.parametrize("i", range(8), ids=[e["file_prefix"] for e in EXPECTED])
def test_pdf_fund_lines(seed_book, i):
    fid = _form(seed_book, EXPECTED[i]["file_prefix"])["form_id"]
    funds = seed_book.funds[seed_book.funds["form_id"] == fid]
    for f in funds.itertuples():
        nums = [f.budget_initial, f.budget_full_year, f.executed, f.weight, f.exec_rate, f.score]
        printed = " ".join("--" if (x is None or math.isnan(x)) else _fmt(x) for x in nums)
        assert f"{f.label} {printed}" in PDF[i], f"{f.label} {printed}"


@pytest.mark.parametrize("i", range(8), ids=[e["file_prefix"] for e in EXPECTED])
def test_pdf_header_total_and_conclusion(seed_book, i):
    row = _form(seed_book, EXPECTED[i]["file_prefix"])
    pdf = PDF[i]
    assert f"项目名称 {row.project_name}" in pdf
    assert f"主管部门 {row.department}-{row.department_code} 实施单位 {row.implementing_unit}" in pdf
    assert f"总分 {_fmt(row.total_weight)} {_fmt(row.total_score)}" in pdf
    assert f"（{row.year} 年度）" in pdf
    flat = re.sub(r"\s+", "", pdf)
    for field in ("experience", "problems", "suggestion_decision", "suggestion_budget", "suggestion_funds",
                  "suggestion_management", "suggestion_other", "remarks", "goal_expected", "goal_actual"):
        assert re.sub(r"\s+", "", row[field]) in flat, field


@pytest.mark.parametrize("i", range(8), ids=[e["file_prefix"] for e in EXPECTED])
def test_pdf_indicator_rows(seed_book, i):
    fid = _form(seed_book, EXPECTED[i]["file_prefix"])["form_id"]
    inds = seed_book.indicators[seed_book.indicators["form_id"] == fid]
    flat = re.sub(r"\s+", "", PDF[i])
    for ind in inds.itertuples():
        actual = PDF_TRUNCATED.get(ind.actual, ind.actual)
        printed = f"{ind.target}{ind.adjusted_target}{actual}{_fmt(ind.weight)}{_fmt(ind.score)}"
        assert printed in flat, printed
        assert re.sub(r"\s+", "", ind.name) in flat
        assert ind.level2 in flat.replace("可持续影响指标", "可持续影响指标")


# ---------------------------------------------------------------------------------------------
# Provenance and cell accounting, checked with a second reader (openpyxl)


SEED_LABELS = {label(x) for x in (
    "项目名称", "主管部门", "实施单位", "项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率",
    "得分", "年度总体目标", "预期目标", "实际完成情况", "一级指标", "二级指标", "三级指标", "年度指标值", "调整后指标值",
    "实际完成值", "偏差原因分析及改进措施", "绩效目标", "总分", "项目自评结论", "主要经验做法",
    "项目管理中存在的主要问题及原因分析", "下一步改进措施及管理建议", "对项目决策的建议", "对预算安排与执行的建议",
    "对资金管理的建议", "项目管理的建议", "其他", "备注", "（", "年度）")}


def _openpyxl_cells(path):
    ws = openpyxl.load_workbook(path)["Sheet2"]
    out = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None and str(c.value).strip():
                out[c.coordinate] = c.value
    return out


def test_every_value_traces_to_its_cell(seed_book):
    cells = seed_book.cells
    assert not cells.empty
    by_file = {}
    for r in cells.itertuples():
        if r.source_file not in by_file:
            by_file[r.source_file] = _openpyxl_cells(r.source_file)
        grid = by_file[r.source_file]
        assert r.cell in grid, f"{r.field} points at empty {r.cell}"
        v = grid[r.cell]
        text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
        assert text == r.raw, (r.field, r.cell, text, r.raw)


def test_locate_points_at_printed_cells(seed_book):
    row = _form(seed_book, "08")
    fid = row["form_id"]
    assert seed_book.locate(fid, "executed", "total")[1:] == ("Sheet2", "J6")
    assert seed_book.locate(fid, "project_name")[2] == "D3"
    assert seed_book.locate(fid, "actual", 4)[2] == "H19"  # 故障修复处理时间 → 1小时
    assert seed_book.locate(fid, "level1", 4)[2] == "C16"  # through the vertical merge to its origin
    assert seed_book.locate(fid, "total_score")[2] == "K28"
    assert seed_book.locate(fid, "adjusted_target", 1) is None  # not printed


@pytest.mark.parametrize("exp", EXPECTED, ids=[e["file_prefix"] for e in EXPECTED])
def test_every_nonempty_cell_is_accounted_for(seed_book, exp):
    row = _form(seed_book, exp["file_prefix"])
    fid = row["form_id"]
    grid = _openpyxl_cells(row["source_file"])
    taken = set(seed_book.cells.loc[seed_book.cells["form_id"] == fid, "cell"])
    unmapped = set(seed_book.unmapped.loc[seed_book.unmapped["form_id"] == fid, "cell"])
    labels = set(grid) - taken - unmapped
    # whatever is neither a value nor unmapped must be one of the form's printed labels
    assert seed_book.cell_counts[fid] == len(grid)
    assert unmapped == set(), unmapped
    for cell in labels:
        assert label(grid[cell]) in SEED_LABELS, (cell, grid[cell])
