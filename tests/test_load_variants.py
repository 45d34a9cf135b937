"""Every layout variant a department produces loads to the same records as the seed layout."""

from __future__ import annotations


import pandas as pd
import pytest

import evaltools
import formkit as fk
from formkit import same
from conftest import SEED_DIR

SEED_FILES = sorted(SEED_DIR.glob("*.xlsx"))
PROJECT_FIELDS = [
    "year", "project_name", "department", "department_code", "implementing_unit", "budget_initial",
    "budget_full_year", "executed", "exec_weight", "exec_rate", "exec_score", "total_weight", "total_score",
    "goal_expected", "goal_actual", "experience", "problems", "suggestion_decision", "suggestion_budget",
    "suggestion_funds", "suggestion_management", "suggestion_other", "remarks",
]
FUND_NUMBERS = ["budget_initial", "budget_full_year", "executed", "weight", "exec_rate", "score"]
IND_FIELDS = ["seq", "level1", "level1_weight", "level2", "name", "target", "adjusted_target", "actual", "weight",
              "score", "deviation_reason"]


@pytest.fixture(scope="module")
def reference():
    """The seed forms as loaded from data/ (test_load_seed proves these equal the seed text)."""
    return [evaltools.load(p) for p in SEED_FILES]




def assert_same_form(book, fid, ref, *, skip_project=(), skip_ind=(), fund_labels=True, sources=None):
    ref_id = ref.projects["form_id"].iloc[0]
    got = book.projects.set_index("form_id").loc[fid]
    want = ref.projects.set_index("form_id").loc[ref_id]
    for f in PROJECT_FIELDS:
        if f not in skip_project:
            assert same(got[f], want[f]), f"{f}: {got[f]!r} != {want[f]!r}"
    gf = book.funds[book.funds["form_id"] == fid].reset_index(drop=True)
    wf = ref.funds[ref.funds["form_id"] == ref_id].reset_index(drop=True)
    if sources is not None:
        wf = wf[wf["source"].isin(sources)].reset_index(drop=True)
    assert len(gf) == len(wf)
    for (_, g), (_, w) in zip(gf.iterrows(), wf.iterrows()):
        for f in FUND_NUMBERS:
            assert same(g[f], w[f]), f"fund {w['source']}.{f}: {g[f]!r} != {w[f]!r}"
        if fund_labels:
            assert g["label"] == w["label"] and g["source"] == w["source"]
    gi = book.indicators[book.indicators["form_id"] == fid].reset_index(drop=True)
    wi = ref.indicators[ref.indicators["form_id"] == ref_id].reset_index(drop=True)
    assert len(gi) == len(wi)
    for (_, g), (_, w) in zip(gi.iterrows(), wi.iterrows()):
        for f in IND_FIELDS:
            if f not in skip_ind:
                assert same(g[f], w[f]), f"#{w['seq']} {f}: {g[f]!r} != {w[f]!r}"


def _load_one(path):
    book = evaltools.load(path)
    assert book.load_errors.empty, book.load_errors.to_dict("records")
    assert book.unmapped.empty, book.unmapped.to_dict("records")
    assert len(book.projects) == 1
    return book, book.projects["form_id"].iloc[0]


@pytest.mark.parametrize("i", range(8))
def test_shifted_down_and_right(tmp_path, reference, i):
    path = fk.write_xlsx(tmp_path / "shifted.xlsx", [("自评表", fk.shift(fk.seed_form(i), 5, 3))])
    book, fid = _load_one(path)
    assert_same_form(book, fid, reference[i])
    assert book.locate(fid, "project_name")[2] == "G8"  # D3 moved by 5 rows and 3 columns


def test_notes_sheet_beside_the_form(tmp_path, reference):
    notes = ({(1, 1): "项目支出绩效自评表填表说明", (2, 1): "1. 项目名称：填写项目全称。",
              (3, 1): "2. 金额单位为万元，保留两位小数。"}, [])
    path = fk.write_xlsx(tmp_path / "with_notes.xlsx", [("填表说明", notes), ("Sheet1", fk.seed_form(3))])
    book, fid = _load_one(path)
    assert_same_form(book, fid, reference[3])
    sheets = book.sheets.set_index("sheet")
    assert sheets.loc["填表说明", "forms"] == 0 and sheets.loc["Sheet1", "forms"] == 1


def test_several_forms_as_several_sheets(tmp_path, reference):
    path = fk.write_xlsx(tmp_path / "three.xlsx", [(f"表{i}", fk.seed_form(i)) for i in (0, 4, 7)])
    book = evaltools.load(path)
    assert book.load_errors.empty and len(book.projects) == 3
    assert book.projects["form_id"].is_unique
    for i, row in zip((0, 4, 7), book.projects.itertuples()):
        assert row.sheet == f"表{i}"
        assert_same_form(book, row.form_id, reference[i])


def test_several_forms_stacked_in_one_sheet(tmp_path, reference):
    path = fk.write_xlsx(tmp_path / "stacked.xlsx", [("Sheet1", fk.stack(*(fk.seed_form(i) for i in (1, 3, 7))))])
    book = evaltools.load(path)
    assert book.load_errors.empty, book.load_errors
    assert book.unmapped.empty
    assert list(book.projects["sheet"]) == ["Sheet1"] * 3
    for i, row in zip((1, 3, 7), book.projects.itertuples()):
        assert_same_form(book, row.form_id, reference[i])
    assert sum(book.cell_counts.values()) == sum(len(fk.seed_form(i)[0]) for i in (1, 3, 7))


@pytest.mark.parametrize("i", [0, 4, 7])
def test_legacy_xls(tmp_path, reference, i):
    path = fk.write_xls(tmp_path / "legacy.xls", [("Sheet2", fk.seed_form(i))])
    book, fid = _load_one(path)
    assert_same_form(book, fid, reference[i])


def test_renamed_headers_and_no_adjusted_column(tmp_path, reference):
    form = fk.seed_form(7)
    hdr, _ = fk.find(form, "一级指标")
    total, _ = fk.find(form, "总分")
    form = fk.replace(form, {"分值": "权重", "实际完成值": "全年实际值", "偏差原因分析及改进措施": "未完成原因及拟采取的改进措施"})
    form = fk.delete_col(form, 7, rows=range(hdr, total + 1))  # 调整后指标值 (G) goes; H… move left
    book, fid = _load_one(fk.write_xlsx(tmp_path / "renamed.xlsx", [("Sheet1", form)]))
    assert_same_form(book, fid, reference[7])
    assert "no-adjusted" in book.projects["template"].iloc[0]


@pytest.mark.parametrize("header", ["完成值", "实际值"])
def test_actual_header_variants(tmp_path, reference, header):
    form = fk.replace(fk.seed_form(2), {"实际完成值": header, "偏差原因分析及改进措施": "未完成原因分析"})
    book, fid = _load_one(fk.write_xlsx(tmp_path / "v.xlsx", [("Sheet1", form)]))
    assert_same_form(book, fid, reference[2])


@pytest.mark.parametrize("style", ["产出指标(50分)", "产 出 指 标 （50分）", "产出指标（50分）"])
def test_inline_weights_in_level1(tmp_path, reference, style):
    form = fk.replace(fk.seed_form(6), {"产出指标": style, "效益指标": "效益指标（30分）", "满意度指标": "满意度指标(10分)"})
    book, fid = _load_one(fk.write_xlsx(tmp_path / "inline.xlsx", [("Sheet1", form)]))
    assert_same_form(book, fid, reference[6], skip_ind=("level1_weight",))
    ind = book.indicators
    assert set(ind["level1"]) == {"产出指标", "效益指标", "满意度指标"}
    weights = ind.groupby("level1")["level1_weight"].first().to_dict()
    assert weights == {"产出指标": 50.0, "效益指标": 30.0, "满意度指标": 10.0}


def test_current_year_fund_rows_and_colon(tmp_path, reference):
    form = fk.seed_form(4)
    r_c, _ = fk.find(form, "其中：中央财政资金")
    form = fk.set_cells(form, {(r_c, c): None for c in range(4, 14)})  # the 中央 row is dropped …
    form = fk.replace(form, {"省级财政资金": "其中：当年财政拨款", "年度资金总额": "年度资金总额：",
                             "市县(区)财政资金": "本年财政拨款"})
    book, fid = _load_one(fk.write_xlsx(tmp_path / "cy.xlsx", [("Sheet1", form)]))
    funds = book.funds[book.funds["form_id"] == fid]
    assert list(funds["source"]) == ["total", "current_year", "current_year", "carryover", "other"]
    assert funds.iloc[0]["label"] == "年度资金总额："
    assert_same_form(book, fid, reference[4], fund_labels=False,
                     sources=["total", "provincial", "local", "carryover", "other"])


@pytest.mark.parametrize("token", ["—", "-", "/", "", "——", "－"])
def test_not_applicable_tokens(tmp_path, reference, token):
    form = fk.replace(fk.seed_form(0), {"--": token or None})
    book, fid = _load_one(fk.write_xlsx(tmp_path / "na.xlsx", [("Sheet1", form)]))
    assert_same_form(book, fid, reference[0])


def test_numbers_stored_as_text(tmp_path, reference):
    form = fk.seed_form(4)  # 80.32 / 75.2 / 93.63 / 9.36
    cells, merges = form
    as_text = {}
    for (r, c), v in cells.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            text = str(v)
            if c == 12 and r < 13:
                text += "%"  # 执行率 93.63%
            as_text[(r, c)] = text
    form = fk.set_cells(form, as_text)
    form = fk.set_cells(form, {fk.find(form, "80.32"): "'80.32"})
    book, fid = _load_one(fk.write_xlsx(tmp_path / "text_numbers.xlsx", [("Sheet1", form)]))
    assert_same_form(book, fid, reference[4])


def test_thousands_separator_and_fullwidth_digits(tmp_path):
    form = fk.seed_form(2)
    r, _ = fk.find(form, "年度资金总额")
    form = fk.set_cells(form, {(r, 6): "1,234.5", (r, 8): "１２３４.５", (r, 10): "1 234.5万元"})
    book = evaltools.load(fk.write_xlsx(tmp_path / "t.xlsx", [("Sheet1", form)]))
    p = book.projects.iloc[0]
    assert (p.budget_initial, p.budget_full_year, p.executed) == (1234.5, 1234.5, 1234.5)


def test_spaced_out_and_fullwidth_labels(tmp_path, reference):
    form = fk.replace(fk.seed_form(1), {
        "项目名称": "项 目 名 称", "主管部门": "主 管 部 门", "实施单位": "实　施　单　位",
        "年初预算数": "年 初 预 算 数", "一级指标": "一 级 指 标", "总分": "总　分",
        "主要经验做法": "主 要 经 验 做 法", "备注：": "备注:", "其他：": "其　他：",
    })
    book, fid = _load_one(fk.write_xlsx(tmp_path / "spaced.xlsx", [("Sheet1", form)]))
    assert_same_form(book, fid, reference[1])


def test_nature_column(tmp_path, reference):
    form = fk.seed_form(3)
    hdr, _ = fk.find(form, "一级指标")
    total, _ = fk.find(form, "总分")
    form = fk.insert_col(form, 6, rows=range(hdr, total + 1))
    values = {(hdr, 6): "指标性质"}
    for r in range(hdr + 1, total):
        if (r, 5) in form[0]:
            values[(r, 6)] = "定性" if not str(form[0].get((r, 7), "")).startswith(("=", ">", "<")) else "正向"
    form = fk.set_cells(form, values)
    book, fid = _load_one(fk.write_xlsx(tmp_path / "nature.xlsx", [("Sheet1", form)]))
    assert_same_form(book, fid, reference[3])
    assert set(book.indicators["nature"]) == {"定性", "正向"}


@pytest.mark.parametrize("printed,name,code", [
    ("002-壶关县人民政府办公室", "壶关县人民政府办公室", "002"),
    ("[002]壶关县人民政府办公室", "壶关县人民政府办公室", "002"),
    ("壶关县人民政府办公室（002）", "壶关县人民政府办公室", "002"),
    ("壶关县人民政府办公室", "壶关县人民政府办公室", ""),
])
def test_department_code_forms(tmp_path, printed, name, code):
    form = fk.replace(fk.seed_form(0), {"壶关县人民政府办公室-002": printed})
    book = evaltools.load(fk.write_xlsx(tmp_path / "d.xlsx", [("Sheet1", form)]))
    p = book.projects.iloc[0]
    assert (p.department, p.department_code) == (name, code)


def test_label_and_value_in_one_cell(tmp_path, reference):
    form = fk.seed_form(5)
    r, c = fk.find(form, "项目名称")
    name = form[0][(r, c + 2)]
    form = fk.set_cells(form, {(r, c): f"项目名称：{name}", (r, c + 2): None})
    r2, c2 = fk.find(form, "对资金管理的建议：")
    text = form[0][(r2, c2 + 1)]
    form = fk.set_cells(form, {(r2, c2): f"对资金管理的建议：{text}", (r2, c2 + 1): None})
    book, fid = _load_one(fk.write_xlsx(tmp_path / "inline_label.xlsx", [("Sheet1", form)]))
    assert_same_form(book, fid, reference[5])


def test_form_ids_are_stable_and_relative(tmp_path):
    import shutil

    a = tmp_path / "a" / "sub"
    b = tmp_path / "b" / "sub"
    shutil.copytree(SEED_DIR, a)
    shutil.copytree(SEED_DIR, b)
    ids_a = evaltools.load(tmp_path / "a").projects["form_id"]
    ids_b = evaltools.load(tmp_path / "b").projects["form_id"]
    assert list(ids_a) == list(ids_b)
    assert list(ids_a) == list(evaltools.load(tmp_path / "a").projects["form_id"])
    assert pd.Series(ids_a).is_unique


def test_percent_formatted_rate_cell(tmp_path, reference):
    """Excel stores 0.9363 for a rate cell formatted as "93.63%": it loads as 93.63 percent."""
    form = fk.seed_form(4)
    cells = form[0]
    fracs = {k: v / 100 for k, v in cells.items() if k[1] == 12 and isinstance(v, (int, float)) and v > 0 and k[0] < 13}
    assert fracs  # the 年度资金总额 and 市县 rows
    form = fk.set_cells(form, fracs)
    book, fid = _load_one(fk.write_xlsx(tmp_path / "pct.xlsx", [("Sheet1", form)]))
    assert_same_form(book, fid, reference[4])
    assert "rate-fraction" in book.projects["template"].iloc[0]


def test_xlsm_and_hidden_sheet(tmp_path, reference):
    wb_path = fk.write_xlsx(tmp_path / "macro.xlsx", [("Sheet2", fk.seed_form(0)), ("旧版", fk.seed_form(1))])
    import openpyxl

    wb = openpyxl.load_workbook(wb_path)
    wb["旧版"].sheet_state = "hidden"
    wb.save(wb_path)
    xlsm = wb_path.with_suffix(".xlsm")
    wb_path.rename(xlsm)
    book = evaltools.load(tmp_path)
    assert len(book.projects) == 2 and book.load_errors.empty
    assert_same_form(book, book.projects["form_id"].iloc[0], reference[0])
    vis = book.sheets.set_index("sheet")["visible"].to_dict()
    assert vis == {"Sheet2": True, "旧版": False}
