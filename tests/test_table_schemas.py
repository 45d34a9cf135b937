"""Every table evaltools produces is declared once, in ``schema.TABLES``: the loaded and audited
frames have exactly the declared columns and dtypes, a column added to a score table reaches its
frame and its findings.xlsx sheet, and every column has a Chinese label."""

from __future__ import annotations

import dataclasses
import re

import openpyxl
import pytest
from conftest import ROOT, SEED_DIR

import evaltools
from evaltools import schema
from evaltools.excel import write_findings_workbook
from evaltools.export import write_book

REAL = ROOT / "data" / "real"
# a real form with a load error and an unmapped cell, so those tables have rows too
WITH_PROBLEMS = REAL / "15_hebei_chengan_2020.xlsx"
# one form printing no 总分: a score column holds nothing but missing values
NO_TOTAL = REAL / "12_beijing_haidian_2016.xlsx"
# one form the audit leaves out: the score tables have no rows
NOT_AUDITED = REAL / "22_anhui_jinzhai_2023.xlsx"

PROJECTS_HEADERS = ["部门", "项目", "文件", "工作表", "执行率%（表内）", "执行率%（重算）", "执行率口径", "执行得分（表内）",
                    "执行得分（重算）", "指标得分（表内）", "指标得分（重算）", "总分（表内）", "总分（加总）", "总分（重算）",
                    "等级（表内）", "等级（重算）", "错误", "警告", "提示", "表单编号"]
INDICATORS_HEADERS = ["部门", "项目", "序号", "一级指标", "二级指标", "三级指标", "年度指标值", "调整后指标值", "实际完成值",
                      "目标类型", "目标比较", "目标数值", "目标单位", "实际类型", "实际比较", "实际数值", "实际单位", "是否达成",
                      "方向", "分值", "得分（表内）", "得分（重算）", "计算方法", "表单编号"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def run():
    book = evaltools.load([SEED_DIR, WITH_PROBLEMS])
    return book, evaltools.audit(book)


def _frames(book, result) -> dict:
    return {name: getattr(book if name in schema.BOOK_TABLES else result, name) for name in schema.TABLES}


def _mismatches(name, df) -> list[str]:
    t = schema.table(name)
    if list(df.columns) != list(t.names):
        return [f"{name}: columns {list(df.columns)} != declared {list(t.names)}"]
    return [f"{name}.{c.name}: {df[c.name].dtype} != declared {c.dtype}" for c in t.columns
            if str(df[c.name].dtype) != c.dtype]


def test_every_table_has_the_declared_columns_and_dtypes(run):
    frames = _frames(*run)
    assert set(frames) == {"projects", "funds", "indicators", "load_errors", "unmapped", "cells", "sheets",
                           "form_scores", "indicator_scores", "findings"}
    # a dtype is only seen on rows: every table of this folder has some
    assert all(len(df) for df in frames.values()), {n: len(df) for n, df in frames.items()}
    assert [m for name, df in frames.items() for m in _mismatches(name, df)] == []


def test_score_tables_keep_their_dtypes_on_a_single_form_and_on_none():
    for source in (NO_TOTAL, NOT_AUDITED):
        book = evaltools.load(source)
        result = evaltools.audit(book)
        if source is NO_TOTAL:  # the case a frame built from rows alone gets wrong
            assert len(result.form_scores) == 1 and result.form_scores["total_printed"].isna().all()
        else:
            assert result.form_scores.empty and result.indicator_scores.empty
        for name in ("form_scores", "indicator_scores"):
            assert _mismatches(name, getattr(result, name)) == [], source.name


def test_names_tuples_are_read_from_the_declarations(run):
    book, _ = run
    assert schema.PROJECTS == schema.table("projects").contract
    assert schema.LOAD_ERRORS == ("source_file", "sheet", "cell", "code", "message", "level")
    assert schema.CELLS == schema.table("cells").names and schema.FUNDS == schema.table("funds").names
    # the loader's own columns come after the contract, which leaves them out
    appended = [c.name for c in schema.table("projects").columns if c.appended]
    assert appended == ["grade", "relative_file", "form_index", "anchor"]
    assert list(book.projects.columns) == list(schema.PROJECTS) + appended
    assert set(schema.PROJECT_NUMBER_FIELDS) == {c.name for c in schema.table("projects").columns
                                                  if c.dtype == "float64"}
    assert set(book.load_errors["code"]) and all(book.load_errors["code"].str.match(r"^[a-z0-9-]+$"))


def test_every_column_has_a_chinese_label():
    columns = [(name, c) for name, t in schema.TABLES.items() for c in t.columns]
    columns += [(f"sheet:{name}", c) for name in ("form_scores", "indicator_scores")
                for _, c in schema.sheet_view(name)]
    assert [f"{where}.{c.name}" for where, c in columns if not CJK.search(c.label or "")] == []
    for name, t in schema.TABLES.items():
        assert CJK.search(t.title) and len(set(t.names)) == len(t.names), name
    assert len({t.title for t in schema.TABLES.values()}) == len(schema.TABLES)


@pytest.fixture
def with_unit(monkeypatch):
    """A column added to form_scores and to indicator_scores through the schema."""
    unit = schema.Column("implementing_unit", "实施单位", 20, frozenset({"excel"}))
    reason = schema.Column("deviation_reason", "偏差原因", 30, frozenset({"excel"}))
    for name, col in (("form_scores", unit), ("indicator_scores", reason)):
        t = schema.TABLES[name]
        monkeypatch.setitem(schema.TABLES, name, dataclasses.replace(t, columns=t.columns + (col,)))


def _sheet(path, title):
    ws = openpyxl.load_workbook(path)[title]
    rows = list(ws.iter_rows(values_only=True))
    return ws, list(rows[0]), rows[1:]


def test_a_column_added_to_a_score_table_reaches_its_frame_and_sheet(with_unit, run, tmp_path):
    book = run[0]
    result = evaltools.audit(book)  # the score frames are built once per result: a fresh one sees the patch
    fs = result.form_scores
    assert list(fs.columns) == list(schema.table("form_scores").names) and fs.columns[-1] == "implementing_unit"
    units = dict(zip(book.projects["form_id"], book.projects["implementing_unit"]))
    assert list(fs["implementing_unit"]) == [units[f] for f in fs["form_id"]] and any(fs["implementing_unit"])
    ind = result.indicator_scores
    assert ind.columns[-1] == "deviation_reason"

    path = write_findings_workbook(result, book, tmp_path / "findings.xlsx").path
    ws, head, rows = _sheet(path, "项目")
    # after the form's own columns and counts, before the hidden form id
    assert head == PROJECTS_HEADERS[:-1] + ["实施单位", "表单编号"]
    assert ws.column_dimensions["T"].width == 20 and ws.column_dimensions["U"].hidden
    by_form = {r[-1]: r[head.index("实施单位")] for r in rows}
    assert by_form == {f: (units[f] or None) for f in fs["form_id"]}
    _, head, rows = _sheet(path, "指标")
    assert head == INDICATORS_HEADERS[:-1] + ["偏差原因", "表单编号"]
    printed = [r[head.index("偏差原因")] or "" for r in rows]
    assert printed == list(ind["deviation_reason"]) and any(printed)


def test_findings_xlsx_sheets_follow_the_schema(run, tmp_path):
    book, result = run
    path = write_findings_workbook(result, book, tmp_path / "findings.xlsx").path
    for title, headers, name in (("项目", PROJECTS_HEADERS, "form_scores"), ("指标", INDICATORS_HEADERS, "indicator_scores")):
        ws, head, rows = _sheet(path, title)
        assert head == headers and len(rows) == len(getattr(result, name))
        view = schema.sheet_view(name)
        assert [ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in range(1, len(view) + 1)] \
            == [c.width for _, c in view]
        assert ws.column_dimensions[openpyxl.utils.get_column_letter(len(view))].hidden


def test_a_relabelled_column_is_relabelled_in_the_sheet(monkeypatch, run, tmp_path):
    t = schema.TABLES["form_scores"]
    cols = tuple(dataclasses.replace(c, label="审核总分") if c.name == "total_recomputed" else c for c in t.columns)
    monkeypatch.setitem(schema.TABLES, "form_scores", dataclasses.replace(t, columns=cols))
    book = run[0]
    result = evaltools.audit(book)
    _, head, _ = _sheet(write_findings_workbook(result, book, tmp_path / "findings.xlsx").path, "项目")
    assert head == [("审核总分" if h == "总分（重算）" else h) for h in PROJECTS_HEADERS]


def test_the_findings_table_follows_findings(monkeypatch):
    col = schema.Column("basis", "依据", 24, frozenset({"excel"}))
    monkeypatch.setattr(schema, "FINDINGS", schema.FINDINGS + (col,))
    assert schema.table("findings").names == schema.finding_columns() and schema.table("findings").columns[-1] == col


def test_the_exported_workbook_titles_its_sheets_from_the_schema(run, tmp_path):
    book, _ = run
    (path,) = write_book(book, tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [schema.table(n).title for n in schema.BOOK_TABLES]
    for name in schema.BOOK_TABLES:
        ws = wb[schema.table(name).title]
        assert [c.value for c in ws[1]] == list(getattr(book, name).columns)
        assert [ws.column_dimensions[c.column_letter].width for c in ws[1]] == [c.width for c in schema.table(name).columns]


def test_labelled_shows_chinese_headers_and_severities_and_leaves_the_frame_alone():
    book = evaltools.load(SEED_DIR)
    f = evaltools.audit(book).findings
    shown = schema.labelled(f, "findings")
    assert list(shown.columns) == [c.label for c in schema.FINDINGS]
    assert set(shown["严重程度"]) <= set(schema.SEVERITY_LABELS.values()) and len(shown) == len(f)
    assert set(f["severity"]) <= set(schema.SEVERITY_ORDER)  # the DataFrame keeps its names for code
