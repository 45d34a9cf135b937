"""Inputs a code review found mishandled: each must load (or audit) visibly right."""

from __future__ import annotations

import json
import shutil

import pandas as pd

import evaltools
import formkit as fk
from conftest import SEED_DIR
from evaltools.report import prepare, slug

SEED = sorted(SEED_DIR.glob("*.xlsx"))


def _load(tmp_path, form, name="f.xlsx"):
    return evaltools.load(fk.write_xlsx(tmp_path / name, [("Sheet1", form)]))


def test_same_file_name_in_two_folders(tmp_path):
    (tmp_path / "A").mkdir()
    (tmp_path / "B").mkdir()
    shutil.copy(SEED[0], tmp_path / "A" / "x.xlsx")
    shutil.copy(SEED[1], tmp_path / "B" / "x.xlsx")
    for src in ([tmp_path / "A", tmp_path / "B"], [tmp_path / "A" / "x.xlsx", tmp_path / "B" / "x.xlsx"], tmp_path):
        book = evaltools.load(src)
        assert book.projects["form_id"].is_unique and book.load_errors.empty
        res = evaltools.audit(book)
        assert sorted(len(f.indicators) for f in res.forms) == [7, 8]


def test_label_like_value_is_not_lost(tmp_path):
    form = fk.set_cells(fk.seed_form(0), {(3, 4): "项目资金管理专项"})
    book = _load(tmp_path, form)
    assert "D3" in set(book.unmapped["cell"])
    assert any("项目名称”栏为空" in m for m in book.load_errors["message"])


def test_side_by_side_forms_are_reported(tmp_path):
    cells = {**fk.seed_form(0)[0], **fk.shift(fk.seed_form(1), 0, 20)[0]}
    book = _load(tmp_path, (cells, fk.seed_form(0)[1]))
    assert any("左右并排" in m for m in book.load_errors["message"])
    assert len(book.unmapped) > 100  # the right-hand form is listed, not dropped


def test_amount_in_yuan_text_is_reported(tmp_path):
    form = fk.set_cells(fk.seed_form(0), {(6, 8): "240000元"})
    book = _load(tmp_path, form)
    err = book.load_errors
    assert (err["cell"] == "H6").any() and err["message"].str.contains("240000元").any()
    assert pd.isna(book.projects.iloc[0]["budget_full_year"])


def test_empty_goals_do_not_take_headers(tmp_path):
    form = fk.set_cells(fk.seed_form(0), {(13, 3): None, (13, 8): None})
    p = _load(tmp_path, form).projects.iloc[0]
    assert p["goal_expected"] == "" and p["goal_actual"] == ""


def test_total_row_without_label_is_not_an_indicator(tmp_path):
    form = fk.set_cells(fk.seed_form(0), {(24, 2): None})  # B24 总分
    book = _load(tmp_path, form)
    assert len(book.indicators) == 7
    assert book.load_errors["message"].str.contains("未作为指标读取").any()
    form = fk.replace(fk.seed_form(0), {"扶贫帮扶辐射范围": "总分达标率"})
    book = _load(tmp_path, form, "g.xlsx")
    assert len(book.indicators) == 7 and book.projects.iloc[0]["total_score"] == 97.5


def test_year_is_not_taken_from_a_project_name(tmp_path):
    form = fk.set_cells(fk.seed_form(0), {(2, 7): None, (2, 8): None, (2, 9): None})
    book = _load(tmp_path, form)
    assert pd.isna(book.projects.iloc[0]["year"])
    assert book.load_errors["message"].str.contains("评价年度").any()


def test_merged_reason_applies_to_every_row(tmp_path):
    cells, merges = fk.seed_form(0)
    merges = [m for m in merges if not (m[0] in (16, 17, 18) and m[1] == 12)] + [(16, 12, 18, 13)]
    cells = {**cells, (16, 12): "培训延期，次年补足", (16, 11): 14, (17, 11): 14}
    book = _load(tmp_path, (cells, merges))
    ind = book.indicators.set_index("seq")
    assert ind.loc[1, "deviation_reason"] == ind.loc[2, "deviation_reason"] == "培训延期，次年补足"
    assert "DEV-MISSING" not in set(evaltools.audit(book).findings["rule"])


def test_rules_do_not_crash_on_odd_values(tmp_path):
    form = fk.set_cells(fk.seed_form(1), {(16, 10): None, (16, 11): -1, (6, 8): -190, (9, 8): -190})
    res = evaltools.audit(_load(tmp_path, form))
    assert "AUDIT-CRASH" not in set(res.findings["rule"])
    assert "SCORE-RANGE" in set(res.findings["rule"])


def test_missing_amounts_do_not_claim_a_zero_score(tmp_path):
    cells, merges = fk.seed_form(0)
    cells = {k: ("--" if k[0] in range(6, 12) and k[1] in (6, 8, 10) else v) for k, v in cells.items()}
    res = evaltools.audit(_load(tmp_path, (cells, merges)))
    assert not res.findings["rule"].eq("EXEC-SCORE").any()


def test_exports_keep_text_safe(tmp_path):
    form = fk.replace(fk.seed_form(0), {"扶贫调研经费（2020年国库集中支付年终结余资金）": "扶贫_x000B_经费"})
    form = fk.replace(form, {"根据实际情况，精准帮扶。": '=HYPERLINK("http://x","y")'})
    book = _load(tmp_path, form)
    book.to_path(tmp_path / "out.xlsx")  # a control character must not abort the export
    book.to_path(tmp_path / "out.csv")
    text = (tmp_path / "out.projects.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text


def test_dict_profile_crosses_papermill_as_json():
    ctx = prepare(SEED_DIR, None, json.dumps({"execution": {"reason_threshold": 50, "low_rate_high_score": 50}}))
    assert "EXEC-NO-REASON" not in set(ctx.result.findings["rule"])


def test_department_file_names_are_unique():
    names = ["教育局/体育局", "教育局 体育局", "教育局:体育局", "教育局_体育局"]
    assert len({slug(n) for n in names}) == 4
    assert slug("壶关县人民政府办公室") == "壶关县人民政府办公室"
