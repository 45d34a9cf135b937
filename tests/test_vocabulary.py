"""The label vocabulary is data: a province's own words load through a user file, no Python edit.

Also: template debris is recognised (``……`` rows, ``其中…`` breakdowns, ★ marks, placeholders),
a form type the project audit leaves out is named and not audited, and what the vocabulary does not
know is reported with its cell instead of vanishing.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import evaltools
import formkit as fk
from evaltools.forms import Matcher, load_vocabulary
from formkit import same
from conftest import ROOT

ROOT_REAL = ROOT / "data" / "real"

# Invented labels no built-in vocabulary knows, standing for a province's own template.
INVENTED = {
    "项目名称": "工程名号",
    "主管部门": "上级管理机关",
    "实施单位": "承办机构",
    "年初预算数": "年头盘子数",
    "全年预算数": "全年盘子数",
    "全年执行数": "花掉的钱",
    "年度资金总额": "资金大盘",
    "一级指标": "第一层级",
    "二级指标": "第二层级",
    "三级指标": "第三层级",
    "年度指标值": "打算做到",
    "实际完成值": "实际做到",
}
USER_VOCABULARY = """\
# A province whose template names every field its own way.
[segments]
name = ["工程名号"]
block = ["第一层级*"]

[header]
project_name = ["工程名号"]
department = ["上级管理机关"]
implementing_unit = ["承办机构"]

[fund_columns]
budget_initial = ["年头盘子数"]
budget_full_year = ["全年盘子数"]
executed = ["花掉的钱"]

[[fund_lines]]
key = "total"
labels = ["资金大盘"]

[indicator_columns]
level1 = ["第一层级*"]
level2 = ["第二层级*"]
name = ["第三层级*"]
target = ["打算做到"]
actual = ["实际做到"]
"""
FIELDS = ["project_name", "department", "department_code", "implementing_unit", "year", "budget_initial",
          "budget_full_year", "executed", "exec_rate", "exec_score", "total_weight", "total_score", "goal_expected",
          "goal_actual", "problems"]


def _renamed(tmp_path):
    form = fk.replace(fk.seed_form(0), INVENTED)
    return fk.write_xlsx(tmp_path / "province.xlsx", [("Sheet1", form)])


@pytest.fixture(scope="module")
def reference():
    from conftest import SEED_DIR

    return evaltools.load(sorted(SEED_DIR.glob("01_*.xlsx"))[0])


def test_invented_labels_do_not_load_with_the_builtin_vocabulary(tmp_path):
    book = evaltools.load(_renamed(tmp_path))
    assert book.projects.empty or book.projects["project_name"].iloc[0] == ""
    assert not book.load_errors.empty


def test_a_user_vocabulary_file_loads_them_exactly(tmp_path, reference):
    vocab = tmp_path / "province.toml"
    vocab.write_text(USER_VOCABULARY, encoding="utf-8")
    book = evaltools.load(_renamed(tmp_path), vocabulary=vocab)
    assert len(book.projects) == 1
    assert (book.load_errors["level"] == "error").sum() == 0, book.load_errors
    got, want = book.projects.iloc[0], reference.projects.iloc[0]
    for f in FIELDS:
        assert same(got[f], want[f]), f"{f}: {got[f]!r} != {want[f]!r}"
    ind = book.indicators[["level1", "level2", "name", "target", "actual", "weight", "score"]]
    ref = reference.indicators[["level1", "level2", "name", "target", "actual", "weight", "score"]]
    assert ind.reset_index(drop=True).equals(ref.reset_index(drop=True))
    assert list(book.funds["source"]) == list(reference.funds["source"])
    assert book.funds["label"].iloc[0] == "资金大盘"
    assert book.unmapped.empty


def test_user_words_come_first_and_builtin_words_still_work(tmp_path, reference):
    vocab = tmp_path / "province.toml"
    vocab.write_text(USER_VOCABULARY, encoding="utf-8")
    v = load_vocabulary(vocab)
    assert dict(v.header)["project_name"].patterns[0] == "工程名号"
    assert dict(v.header)["project_name"]("项目名称")
    seed = evaltools.load(sorted((reference.projects["source_file"].map(lambda s: s)).tolist()), vocabulary=vocab)
    assert seed.projects["project_name"].iloc[0] == reference.projects["project_name"].iloc[0]


def test_the_cli_takes_a_vocabulary_file(tmp_path):
    vocab = tmp_path / "province.toml"
    vocab.write_text(USER_VOCABULARY, encoding="utf-8")
    path = _renamed(tmp_path)
    run = subprocess.run([sys.executable, "-m", "evaltools", "load", str(path), "--vocabulary", str(vocab)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "项目支出绩效自评表：1 份" in run.stdout and "exec-10" in run.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text("[headr]\nproject_name = ['x']\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "evaltools", "load", str(path), "--vocabulary", str(bad)],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "headr" in run.stderr  # a bad vocabulary file is a usage error


@pytest.mark.parametrize("text,needle", [
    ("[headr]\nproject_name = ['x']\n", "headr"),  # a typo in a section
    ("[header]\nprojct_name = ['x']\n", "projct_name"),  # a field the contract does not have
    ("[header]\nproject_name = 'x'\n", "类型"),  # a word instead of a list
    ("[header]\nproject_name = ['re:(']\n", "正则"),  # a pattern that does not compile
    ("[header\n", "TOML"),
    ("[header]\nproject_name = ['*']\n", "匹配所有"),
    ("[header]\nproject_name = ['re:(?i)abc', 're:x']\n", "合并"),
    ("[[form_types]]\ntitle = ['x']\n", "name"),
    ("[[form_types]]\nname = 'x'\naudited = 'no'\n", "audited"),
    ("[[fund_lines]]\nkey = 'totl'\nlabels = ['x']\n", "totl"),
    ("[[fund_lines]]\nkey = 'total'\n", "labels"),
    ("[limits]\nmax_label_length = 'abc'\n", "整数"),
    ("[title]\nyear_row = '('\n", "year_row"),
])
def test_a_bad_vocabulary_file_is_refused_with_a_reason(tmp_path, text, needle):
    p = tmp_path / "v.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(evaltools.VocabularyError, match=needle):
        load_vocabulary(p)


def test_the_parse_cache_keys_on_the_vocabulary(tmp_path):
    vocab = tmp_path / "province.toml"
    vocab.write_text(USER_VOCABULARY, encoding="utf-8")
    path = _renamed(tmp_path)
    cache = tmp_path / "cache"
    plain = evaltools.load(path, cache=cache)
    extended = evaltools.load(path, cache=cache, vocabulary=vocab)  # not the plain parse from the cache
    assert (extended.load_errors["level"] == "error").sum() == 0 < (plain.load_errors["level"] == "error").sum()
    again = evaltools.load(path, cache=cache, vocabulary=vocab)
    assert again.projects["project_name"].iloc[0] == extended.projects["project_name"].iloc[0] != ""


@pytest.mark.parametrize("pattern,yes,no", [
    ("项目名称", ["项目名称"], ["项目名称(全称)", "名称"]),
    ("主管部门*", ["主管部门及代码", "主管部门"], ["县级主管部门"]),
    ("*资金总额*", ["年度资金总额", "资金总额:"], ["资金"]),
    ("*自评表", ["绩效自评表"], ["自评表说明"]),
    ("re:^指标\\d+$", ["指标1"], ["指标"]),
])
def test_patterns(pattern, yes, no):
    from evaltools.cellvalues import label

    m = Matcher.compile([pattern])
    assert all(m(label(s)) for s in yes) and not any(m(label(s)) for s in no)


# ---------------------------------------------------------------------------------------------
# Debris, form types, the unknown


def _with_first_name(form, text):
    """The form with its first indicator's 三级指标 cell replaced by ``text``."""
    name_col = fk.find(form, "三级指标")[1]
    hdr, _ = fk.find(form, "一级指标")
    r = min(r for (r, c) in form[0] if r > hdr and c == name_col)
    return {**form[0], (r, name_col): text}, form[1]


def test_template_debris_is_recognised(tmp_path):
    form = fk.seed_form(0)
    first = form[0]
    # the first indicator's row: put a breakdown row, a …… row and a ★ mark in the indicator table
    hdr, _ = fk.find(form, "一级指标")
    name_col = fk.find(form, "三级指标")[1]
    rows = sorted({r for (r, c) in first if r > hdr and c == name_col})
    l2_col = fk.find(form, "二级指标")[1]
    book0 = evaltools.load(fk.write_xlsx(tmp_path / "plain.xlsx", [("Sheet1", form)]))
    by_row = dict(zip(book0.indicators["row"], book0.indicators["level2"]))
    # a breakdown row belongs to the indicator above it in the same 二级: take two rows of one group
    r1, r2 = next((a, b) for a, b in zip(rows, rows[1:]) if by_row.get(a) == by_row.get(b))
    r3 = next(r for r in rows if r not in (r1, r2))
    assert l2_col
    cells = dict(first)
    cells[(r1, name_col)] = "★" + str(cells[(r1, name_col)])
    cells[(r2, name_col)] = "其中：" + str(cells[(r2, name_col)])
    target_col = fk.find(form, "年度指标值")[1]
    actual_col = fk.find(form, "实际完成值")[1]
    for c in list(cells):
        if c[0] == r3 and c[1] >= name_col:
            del cells[c]
    cells[(r3, name_col)] = "……"
    cells[(r3, target_col)] = "……"
    cells[(r3, actual_col)] = "……"
    book = evaltools.load(fk.write_xlsx(tmp_path / "debris.xlsx", [("Sheet1", (cells, form[1]))]))
    inds = book.indicators.sort_values("seq")
    assert "……" not in set(inds["name"])  # the continuation row is no indicator …
    assert any(v == "……" for v in book.unmapped["value"])  # … and its cells are listed, not dropped
    core = inds[inds["core"]]
    assert len(core) == 1 and core["core_mark"].iloc[0] == "★" and not core["name"].iloc[0].startswith("★")
    child = inds[inds["parent"].notna()]
    assert len(child) == 1 and child["name"].iloc[0].startswith("其中")
    assert child["parent"].iloc[0] == core["seq"].iloc[0]
    res = evaltools.audit(book)
    row = int(child["row"].iloc[0])
    on_row = [c for c in res.findings["cell"] if c and "".join(ch for ch in c if ch.isdigit()) == str(row)]
    assert not on_row, res.findings  # a breakdown row is not audited as an indicator of its own


def test_placeholders_fire_str_placeholder(tmp_path):
    book = evaltools.load(fk.write_xlsx(tmp_path / "p.xlsx", [("Sheet1", _with_first_name(fk.seed_form(0),
                                                                                          "办公设备数量（≥**台）"))]))
    assert bool(book.indicators.sort_values("seq")["placeholder"].iloc[0])
    f = evaltools.audit(book).findings
    assert "STR-PLACEHOLDER" in set(f["rule"])


def test_a_department_wide_form_is_named_and_not_audited(tmp_path):
    form = fk.replace(fk.seed_form(0), {"项目绩效自评表": "部门整体支出绩效自评表"})
    book = evaltools.load(fk.write_xlsx(tmp_path / "dept.xlsx", [("Sheet1", form)]))
    row = book.projects.iloc[0]
    assert row["form_type"] == "部门整体支出绩效自评表" and not row["audited"]
    notes = book.load_errors[book.load_errors["level"] == "info"]
    assert len(notes) == 1 and "不参加项目审核" in notes["message"].iloc[0]
    assert evaltools.audit(book).findings.empty


def test_a_form_without_weights_gets_no_weight_findings(tmp_path):
    form = fk.seed_form(0)
    hdr, _ = fk.find(form, "一级指标")
    wcol = next(c for (r, c), v in form[0].items() if r == hdr and v == "分值")
    total_r, _ = fk.find(form, "总分")
    # the column goes (heading and every indicator's 分值); the 总分 row keeps its printed 100
    cells = {k: v for k, v in form[0].items() if not (k[1] == wcol and hdr <= k[0] < total_r)}
    book = evaltools.load(fk.write_xlsx(tmp_path / "nw.xlsx", [("Sheet1", (cells, form[1]))]))
    assert "no-weights" in book.projects["convention"].iloc[0].split(",")
    rules = set(evaltools.audit(book).findings["rule"])
    assert not rules & {"WEIGHT-TOTAL", "WEIGHT-INLINE", "WEIGHT-PROFILE", "WEIGHT-CONCENTRATED", "SCORE-INFLATED"}


def test_a_20_point_form_is_audited_with_the_exec20_profile(tmp_path):
    form = fk.seed_form(0)
    r, _ = fk.find(form, "年度资金总额")
    wcol = fk.find(form, "分值")[1]
    cells = dict(form[0])
    cells[(r, wcol)] = 20
    book = evaltools.load(fk.write_xlsx(tmp_path / "e20.xlsx", [("Sheet1", (cells, form[1]))]))
    assert "exec-20" in book.projects["convention"].iloc[0]
    res = evaltools.audit(book)
    assert list(res.form_scores["profile"]) == ["exec20"]
    assert "WEIGHT-PROFILE" not in set(res.findings["rule"])
    fixed = evaltools.audit(book, "national")  # a profile the user names is used for every form
    assert list(fixed.form_scores["profile"]) == ["national"]


def test_an_unknown_header_label_is_reported_with_its_cell(tmp_path):
    form = fk.seed_form(0)
    r, c = fk.find(form, "主管部门")
    cells = dict(form[0])
    cells[(r - 1, 2)] = "项目经办科室"
    cells[(r - 1, 4)] = "综合科"
    cells.pop((r - 1, 3), None)
    book = evaltools.load(fk.write_xlsx(tmp_path / "u.xlsx", [("Sheet1", (cells, [m for m in form[1] if m[0] != r - 1]))]))
    msgs = book.load_errors[book.load_errors["message"].str.contains("项目经办科室")]
    assert len(msgs) == 1 and "不在词表中" in msgs["message"].iloc[0]
    assert "综合科" in set(book.unmapped["value"])


def test_a_breakdown_row_in_another_group_is_an_indicator_of_its_own(tmp_path):
    form = fk.seed_form(0)
    hdr, _ = fk.find(form, "一级指标")
    name_col = fk.find(form, "三级指标")[1]
    plain = evaltools.load(fk.write_xlsx(tmp_path / "plain.xlsx", [("Sheet1", form)]))
    inds = plain.indicators.sort_values("seq")
    # the first row of the second 二级 group, right under the last row of the first
    second = inds[inds["level2"] != inds["level2"].iloc[0]].iloc[0]
    cells = dict(form[0])
    cells[(int(second["row"]), name_col)] = "其中：" + str(second["name"])
    book = evaltools.load(fk.write_xlsx(tmp_path / "b.xlsx", [("Sheet1", (cells, form[1]))]))
    row = book.indicators[book.indicators["row"] == second["row"]].iloc[0]
    assert row["parent"] != row["parent"]  # NaN: no parent across a 二级 boundary


def test_fields_read_from_merged_labels_trace_to_their_cells():
    real = evaltools.load(ROOT_REAL / "15_hebei_chengan_2020.xlsx")
    fid = real.projects["form_id"].iloc[0]
    assert real.locate(fid, "department")[2] == real.locate(fid, "implementing_unit")[2] == "I2"


def test_a_header_grade_is_read_and_not_reported_unknown(tmp_path):
    form = fk.seed_form(0)
    r, _ = fk.find(form, "主管部门")
    cells = dict(form[0])
    cells[(r - 1, 2)] = "自评等级"
    cells[(r - 1, 4)] = "优"
    for c in (3, 5, 6, 7, 8, 9, 10, 11, 12, 13):
        cells.pop((r - 1, c), None)
    merges = [m for m in form[1] if m[0] != r - 1]
    book = evaltools.load(fk.write_xlsx(tmp_path / "g.xlsx", [("Sheet1", (cells, merges))]))
    assert book.projects["grade"].iloc[0] == "优"
    assert not book.load_errors["message"].str.contains("自评等级").any()


@pytest.mark.parametrize("title", ["部门整体运转保障经费项目绩效自评表", "行政审批表格印制经费项目绩效自评表"])
def test_a_project_named_like_a_form_type_is_still_a_project_form(tmp_path, title):
    form = fk.replace(fk.seed_form(0), {"扶贫调研经费（2020年国库集中支付年终结余资金）": title.replace("项目绩效自评表", "")})
    book = evaltools.load(fk.write_xlsx(tmp_path / "t.xlsx", [("Sheet1", form)]))
    assert list(book.projects["form_type"]) == ["项目支出绩效自评表"] and bool(book.projects["audited"].iloc[0])


def test_an_indicator_named_like_a_title_does_not_cut_the_form(tmp_path):
    form = fk.seed_form(0)
    plain = evaltools.load(fk.write_xlsx(tmp_path / "p.xlsx", [("Sheet1", form)]))
    book = evaltools.load(fk.write_xlsx(tmp_path / "t.xlsx", [("Sheet1", _with_first_name(form, "按时报送绩效目标申报表"))]))
    assert len(book.projects) == 1 and len(book.indicators) == len(plain.indicators)
    assert book.projects["total_score"].iloc[0] == plain.projects["total_score"].iloc[0]
