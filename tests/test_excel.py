"""The Excel outputs: findings.xlsx for the reviewer and the annotated copies, read back with openpyxl."""

from __future__ import annotations

import re

import hashlib
import os
import shutil
import zipfile
from pathlib import Path
from urllib.parse import unquote

import formkit as fk
import openpyxl
import pytest
from conftest import SEED_DIR

import evaltools
from evaltools.cli import main as cli
from evaltools.excel import (
    SEVERITY_FILLS,
    ExcelOutputError,
    quote_sheet,
    write_annotated_copies,
    write_findings_workbook,
)

HEADERS = ["部门", "项目", "规则", "严重程度", "类别", "说明", "应为", "实际", "文件", "工作表", "单元格", "复核状态",
           "复核意见", "问题编号", "表单编号"]
SEVERITY_CN = {"error": "错误", "warning": "警告", "info": "提示"}
FUPIN = "01_扶贫调研经费（2020年国库集中支付年终结余资金）.xlsx"


def _sha(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(data: Path, out: Path, **kw):
    book = evaltools.load(data)
    result = evaltools.audit(book)
    path = write_findings_workbook(result, book, out / "findings.xlsx", **kw).path
    copies = write_annotated_copies(result, book, out)
    return book, result, path, copies


def _table(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    return [dict(zip(head, r)) for r in rows[1:]]


def _rgb(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:].upper()


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory):
    """The seed copied to a temporary folder, audited, with both outputs written beside it."""
    base = tmp_path_factory.mktemp("seed")
    data = base / "data" / "huguan-2021"
    shutil.copytree(SEED_DIR, data)
    before = _sha(data)
    book, result, path, copies = _run(data, base / "out")
    return {"base": base, "data": data, "before": before, "book": book, "result": result, "path": path,
            "copies": copies}


# ---------------------------------------------------------------------------------------------
# findings.xlsx


def test_sheets_and_headers(seed_run):
    wb = openpyxl.load_workbook(seed_run["path"])
    assert wb.sheetnames == ["问题清单", "项目", "指标", "汇总", "已整改"]
    ws = wb["问题清单"]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.column_dimensions["N"].hidden and ws.column_dimensions["O"].hidden  # ids: match reviewer entries
    assert wb.active.title == "问题清单"


def test_one_row_per_finding_with_its_fields(seed_run):
    f = seed_run["result"].findings
    rows = _table(openpyxl.load_workbook(seed_run["path"])["问题清单"])
    assert len(rows) == len(f) == 72
    for row, exp in zip(rows, f.itertuples()):
        assert row["问题编号"] == exp.finding_id and row["表单编号"] == exp.form_id
        assert (row["规则"], row["单元格"], row["工作表"]) == (exp.rule, exp.cell, exp.sheet)
        assert row["严重程度"] == SEVERITY_CN[exp.severity]
        assert row["说明"] == exp.message and row["项目"] == exp.project_name
        assert row["复核状态"] == "待核实" and row["复核意见"] is None
    assert rows[0]["文件"] == FUPIN  # the path under the loaded folder, not the long source path


def test_hyperlinks_point_to_source_cell(seed_run):
    path = seed_run["path"]
    ws = openpyxl.load_workbook(path)["问题清单"]
    f = seed_run["result"].findings
    for r, exp in enumerate(f.itertuples(), start=2):
        link = ws.cell(row=r, column=9).hyperlink  # 文件 links to the source; 单元格 to the annotated copy
        assert link is not None, r
        assert link.location == f"'{exp.sheet}'!{exp.cell}"
        assert not link.target.startswith(("/", "file:")), link.target  # relative to findings.xlsx
        assert (path.parent / unquote(link.target)).resolve() == Path(exp.source_file).resolve()
    assert ws["K2"].value == "L6" and unquote(ws["I2"].hyperlink.target) == f"../data/huguan-2021/{FUPIN}"
    # written as Excel writes a link to a place in another file: external relationship + location
    with zipfile.ZipFile(path) as z:
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert 'TargetMode="External"' in rels and f"Target=\"../data/huguan-2021/{FUPIN}\"" in rels
    assert "location=\"'Sheet2'!L6\"" in sheet


def test_project_sheet_links_to_form(seed_run):
    ws = openpyxl.load_workbook(seed_run["path"])["项目"]
    rows = _table(ws)
    assert len(rows) == 8
    fupin = next(r for r in rows if r["项目"].startswith("扶贫调研经费"))
    assert fupin["执行率%（表内）"] == 75 and fupin["总分（表内）"] == 97.5 and fupin["等级（重算）"] == "优"
    f = seed_run["result"].findings
    mine = f[f["project_name"] == fupin["项目"]]
    assert fupin["错误"] == (mine["severity"] == "error").sum()
    assert fupin["警告"] == (mine["severity"] == "warning").sum()
    assert fupin["提示"] == (mine["severity"] == "info").sum()
    link = ws["D2"].hyperlink
    assert link is not None and link.location == "'Sheet2'!B1"
    协同 = next(r for r in rows if r["项目"] == "全县政府系统协同办公平台建设")
    assert 协同["执行率%（表内）"] == 0 and abs(协同["执行率%（重算）"] - 100) < 1e-9


def test_indicator_sheet(seed_run):
    rows = _table(openpyxl.load_workbook(seed_run["path"])["指标"])
    assert len(rows) == len(seed_run["result"].indicator_scores)
    first = rows[0]
    assert first["三级指标"] == "定向扶持贫困人口数（人）"
    assert first["年度指标值"] == "=6人" and first["目标比较"] == "=" and first["目标数值"] == 6
    assert first["实际完成值"] == "6人" and first["是否达成"] == "是"
    assert first["得分（表内）"] == 15 and first["得分（重算）"] == 15 and first["计算方法"] == "达标：满分"


def test_summary_counts(seed_run):
    f = seed_run["result"].findings
    ws = openpyxl.load_workbook(seed_run["path"])["汇总"]
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert "72" in values[0][0]
    titles = [r[0] for r in values]
    dept = values[titles.index("按部门") + 2]
    assert dept[0] == "壶关县人民政府办公室" and dept[1] == 8 and dept[6] == len(f)
    by_rule = {r[0]: r for r in values[titles.index("按规则") + 2: titles.index("按严重程度") - 1]}
    counts = f.groupby("rule").size()
    assert {k: v[4] for k, v in by_rule.items()} == counts.to_dict()
    sev = {r[0]: r[1] for r in values[titles.index("按严重程度") + 2:]}
    assert sev == {SEVERITY_CN[s]: int((f["severity"] == s).sum()) for s in SEVERITY_CN}


def test_layout_frozen_filter_validation_fills(seed_run):
    wb = openpyxl.load_workbook(seed_run["path"])
    ws = wb["问题清单"]
    n = len(seed_run["result"].findings)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:O{n + 1}"
    for name in ("项目", "指标", "已整改"):
        assert wb[name].freeze_panes == "A2" and wb[name].auto_filter.ref
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == '"待核实,已确认,已排除"'
    assert str(dv.sqref) == f"L2:L{n + 1}"
    assert ws.cell(row=2, column=6).alignment.wrap_text  # 说明
    assert ws.column_dimensions["F"].width >= 40
    seen = set()
    for r, sev in enumerate(seed_run["result"].findings["severity"], start=2):
        assert _rgb(ws.cell(row=r, column=4)) == SEVERITY_FILLS[sev]
        seen.add(sev)
    assert seen == {"error", "warning", "info"}
    assert len(set(SEVERITY_FILLS.values())) == 3


def test_no_formula_anywhere(seed_run):
    wb = openpyxl.load_workbook(seed_run["path"])
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    with zipfile.ZipFile(seed_run["path"]) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in z.read(name).decode() and "<f " not in z.read(name).decode()


# ---------------------------------------------------------------------------------------------
# Form text that looks like a formula stays text


# cell → text: project name, two targets, an actual, a conclusion text
INJECTED = {"D3": '=HYPERLINK("x")', "F20": "+5%", "F22": "-3", "H19": "@x", "E26": "@经验", "H13": "=1+1"}


@pytest.fixture(scope="module")
def injected_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("inject")
    data = base / "data"
    data.mkdir()
    src = data / "注入.xlsx"
    wb = openpyxl.load_workbook(SEED_DIR / FUPIN)
    ws = wb["Sheet2"]
    ws.title = "自评 表'1"  # a sheet name that needs quoting in a link
    for ref, text in INJECTED.items():
        ws[ref] = text
        ws[ref].data_type = "s"
    ws["B1"] = '=HYPERLINK("x")'
    ws["B1"].data_type = "s"
    wb.save(src)
    book, result, path, copies = _run(data, base / "out")
    return {"book": book, "result": result, "path": path, "copies": copies, "src": src}


def test_injected_form_loads_as_text(injected_run):
    p = injected_run["book"].projects.iloc[0]
    assert p["project_name"] == '=HYPERLINK("x")'
    inds = injected_run["book"].indicators
    assert "+5%" in inds["target"].tolist() and "-3" in inds["target"].tolist()


def test_formula_like_text_is_written_as_text(injected_run):
    wb = openpyxl.load_workbook(injected_run["path"])
    texts = {}
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    assert c.data_type == "s"
                    texts.setdefault(c.value, (ws.title, c.coordinate))
    for text in ('=HYPERLINK("x")', "=6人", "+5%", "-3", "@x"):
        assert text in texts, text
    rows = _table(wb["问题清单"])
    assert rows and all(r["项目"] == '=HYPERLINK("x")' for r in rows)
    ind = _table(wb["指标"])
    assert [r["年度指标值"] for r in ind][:1] == ["=6人"]
    assert "+5%" in [r["年度指标值"] for r in ind] and "-3" in [r["年度指标值"] for r in ind]
    with zipfile.ZipFile(injected_run["path"]) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = z.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml, name


def test_link_location_quotes_sheet_name(injected_run):
    ws = openpyxl.load_workbook(injected_run["path"])["问题清单"]
    assert ws["K2"].hyperlink.location.startswith("'自评 表''1'!")
    assert quote_sheet("O'Neil") == "'O''Neil'" and quote_sheet("Sheet2") == "'Sheet2'"


def test_annotated_copy_keeps_injected_text(injected_run):
    (copy,) = injected_run["copies"]
    ws = openpyxl.load_workbook(copy)["自评 表'1"]
    for ref, text in INJECTED.items():
        assert ws[ref].value == text and ws[ref].data_type == "s", ref
    assert ws["F16"].value == "=6人" and ws["F16"].data_type == "s"


# ---------------------------------------------------------------------------------------------
# Annotated copies


def test_annotated_copies_mirror_the_loaded_folder(seed_run):
    out = seed_run["base"] / "out" / "annotated"
    f = seed_run["result"].findings
    files = {Path(s).name for s in f["source_file"]}
    assert sorted(p.relative_to(out).as_posix() for p in seed_run["copies"]) == sorted(files)
    assert (out / "README.txt").exists()


def test_annotated_cells_have_comment_and_fill(seed_run):
    f = seed_run["result"].findings
    for copy in seed_run["copies"]:
        ws_by = openpyxl.load_workbook(copy)
        mine = f[f["source_file"].map(lambda s: Path(s).name) == copy.name]
        assert len(mine)
        for (sheet, cell), group in mine.groupby(["sheet", "cell"]):
            c = ws_by[sheet][cell]
            assert c.comment is not None, (copy.name, cell)
            for rule, msg in zip(group["rule"], group["message"]):
                assert rule in c.comment.text and msg in c.comment.text
            worst = min(group["severity"], key=["error", "warning", "info"].index)
            assert _rgb(c) == SEVERITY_FILLS[worst], (copy.name, cell)


def test_several_findings_on_one_cell_share_one_comment(seed_run):
    copy = next(p for p in seed_run["copies"] if p.name == FUPIN)
    c = openpyxl.load_workbook(copy)["Sheet2"]["E27"]
    assert "EXEC-NO-REASON" in c.comment.text and "TXT-NO-PROBLEMS" in c.comment.text
    assert "2 条问题" in c.comment.text


def _unmarked_copy(src: Path, dest: Path) -> Path:
    """``src`` with its evaltools-output marks renamed (same bytes otherwise), so the loader reads it."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename in ("docProps/core.xml", "docProps/custom.xml"):
                data = data.replace(b"evaltools-output", b"evaltools-xxxxxx").replace(b"evaltools_output",
                                                                                        b"evaltools_xxxxxx")
            zout.writestr(item, data)
    return dest


def test_annotated_copy_is_the_original_otherwise(seed_run, tmp_path):
    """The annotated copies are skipped as outputs; unmarked, they load as the same forms."""
    out = seed_run["base"] / "out" / "annotated"
    skipped = evaltools.load(out)
    assert skipped.projects.empty and len(skipped.load_errors) == 8
    assert set(skipped.load_errors["level"]) == {"info"}
    for copy in sorted(out.glob("*.xlsx")):
        _unmarked_copy(copy, tmp_path / copy.name)
    a, b = seed_run["book"], evaltools.load(tmp_path)
    cols = [c for c in a.projects.columns if c != "source_file"]
    assert a.projects[cols].equals(b.projects[cols])
    assert a.indicators.equals(b.indicators) and a.funds.equals(b.funds)
    orig = openpyxl.load_workbook(seed_run["data"] / FUPIN)["Sheet2"]
    copy = openpyxl.load_workbook(out / FUPIN)["Sheet2"]
    assert {str(r) for r in orig.merged_cells.ranges} == {str(r) for r in copy.merged_cells.ranges}
    assert orig.column_dimensions["E"].width == copy.column_dimensions["E"].width
    for row in orig.iter_rows():
        for c in row:
            assert copy[c.coordinate].value == c.value and copy[c.coordinate].data_type == c.data_type


def test_originals_unchanged(seed_run, tmp_path):
    data = seed_run["data"]
    assert _sha(data) == seed_run["before"]
    # a second run on the same folder (reading the previous findings.xlsx) leaves them alone too
    _run(data, seed_run["base"] / "out")
    assert _sha(data) == seed_run["before"]


def test_xls_source_annotated_as_xlsx(tmp_path):
    data = tmp_path / "data" / "部门甲"
    data.mkdir(parents=True)
    src = fk.write_xls(data / "扶贫.xls", [("Sheet1", fk.seed_form(0))])
    before = _sha(tmp_path / "data")
    book, result, path, copies = _run(tmp_path / "data", tmp_path / "out")
    assert _sha(tmp_path / "data") == before
    assert copies == [tmp_path / "out" / "annotated" / "部门甲" / "扶贫.xlsx"]
    wb = openpyxl.load_workbook(copies[0])
    ws = wb["Sheet1"]
    f = result.findings
    assert len(f)
    for (sheet, cell), group in f.groupby(["sheet", "cell"]):
        c = ws[cell]
        assert c.comment is not None and all(r in c.comment.text for r in group["rule"])
        assert ".xls" in c.comment.text  # says it was converted
    readme = (tmp_path / "out" / "annotated" / "README.txt").read_text(encoding="utf-8")
    assert "部门甲/扶贫.xlsx" in readme and ".xls" in readme
    # values and merges are those of the original
    import python_calamine as pc

    orig = pc.CalamineWorkbook.from_path(str(src)).get_sheet_by_name("Sheet1")
    grid = orig.to_python(skip_empty_area=False)
    for r, row in enumerate(grid, start=1):
        for c, v in enumerate(row, start=1):
            if v != "":
                assert ws.cell(row=r, column=c).value == v, (r, c)
    merges = {((a[0], a[1]), (b[0], b[1])) for a, b in orig.merged_cell_ranges if a != b}
    assert len(ws.merged_cells.ranges) == len(merges)
    assert evaltools.load(copies[0]).projects.empty  # an evaltools output: the loader skips it
    again = evaltools.load(_unmarked_copy(copies[0], tmp_path / "again.xlsx"))
    assert again.projects["project_name"].tolist() == book.projects["project_name"].tolist()
    # the link in findings.xlsx goes to the original .xls
    link = openpyxl.load_workbook(path)["问题清单"]["I2"].hyperlink
    assert unquote(link.target) == "../data/部门甲/扶贫.xls"


def test_xlsm_copy_stays_xlsm(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    fk.write_xlsx(data / "表.xlsm", [("Sheet1", fk.seed_form(0))])
    _, result, _, copies = _run(data, tmp_path / "out")
    assert [p.name for p in copies] == ["表.xlsm"] and len(result.findings)
    ws = openpyxl.load_workbook(copies[0], keep_vba=True)["Sheet1"]
    assert any(c.comment for row in ws.iter_rows() for c in row)


def test_stale_copies_are_removed(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SEED_DIR, data)
    out = tmp_path / "out"
    _run(data, out)
    gone = out / "annotated" / "08_电子政务网络维护.xlsx"
    assert gone.exists()
    (data / "08_电子政务网络维护.xlsx").unlink()
    _, _, path, copies = _run(data, out)
    assert not gone.exists() and len(copies) == 7
    assert "08_电子政务网络维护.xlsx" not in (out / "annotated" / "README.txt").read_text(encoding="utf-8")
    # its findings are listed as gone, but not as fixed: the form was simply not loaded
    fixed = _table(openpyxl.load_workbook(path)["已整改"])
    assert fixed and all(r["文件"] == "08_电子政务网络维护.xlsx" for r in fixed)
    assert {r["状态"] for r in fixed} == {"所在表不在本次数据中"}
    unrelated = out / "annotated" / "mine.txt"  # a file evaltools did not write is never touched
    unrelated.write_text("x", encoding="utf-8")
    _run(data, out)
    assert unrelated.exists()


# ---------------------------------------------------------------------------------------------
# Reviewer entries across runs


def _row_of(ws, rule, project_prefix):
    head = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        vals = dict(zip(head, (c.value for c in ws[r])))
        if vals["规则"] == rule and str(vals["项目"]).startswith(project_prefix):
            return r, head
    raise AssertionError(f"{rule} not found")


def test_reviewer_entries_survive_and_vanished_findings_are_listed(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SEED_DIR, data)
    out = tmp_path / "out"
    _, first, path, _ = _run(data, out)

    # the reviewer works in findings.xlsx
    wb = openpyxl.load_workbook(path)
    ws = wb["问题清单"]
    r_keep, head = _row_of(ws, "EXEC-LOW-HIGH", "扶贫调研经费")
    r_gone, _ = _row_of(ws, "TXT-GOAL-BARE", "扶贫调研经费")
    status, comment = head.index("复核状态") + 1, head.index("复核意见") + 1
    ws.cell(row=r_keep, column=status, value="已排除")
    ws.cell(row=r_keep, column=comment, value="年底追加资金，执行率低有合理原因")
    ws.cell(row=r_gone, column=status, value="已确认")
    ws.cell(row=r_gone, column=comment, value="=请补充实际完成内容")  # formula-like reviewer text too
    ws.cell(row=r_gone, column=comment).data_type = "s"
    keep_id = ws.cell(row=r_keep, column=head.index("问题编号") + 1).value
    gone_id = ws.cell(row=r_gone, column=head.index("问题编号") + 1).value
    wb.save(path)

    # the department fixes 实际完成情况, which removes exactly the TXT-GOAL-BARE finding
    src = openpyxl.load_workbook(data / FUPIN)
    src["Sheet2"]["H13"] = "完成定向扶持贫困人口6人，资金全部拨付到位"
    src.save(data / FUPIN)

    _, second, path2, _ = _run(data, out)  # previous defaults to out/findings.xlsx itself
    assert path2 == path
    assert set(first.findings["finding_id"]) - set(second.findings["finding_id"]) == {gone_id}
    wb = openpyxl.load_workbook(path)
    rows = {r["问题编号"]: r for r in _table(wb["问题清单"])}
    assert len(rows) == len(second.findings) == len(first.findings) - 1
    assert rows[keep_id]["复核状态"] == "已排除"
    assert rows[keep_id]["复核意见"] == "年底追加资金，执行率低有合理原因"
    assert gone_id not in rows
    others = [r for fid, r in rows.items() if fid != keep_id]
    assert all(r["复核状态"] == "待核实" and r["复核意见"] is None for r in others)
    fixed = _table(wb["已整改"])
    assert len(fixed) == 1
    (row,) = fixed
    assert row["问题编号"] == gone_id and row["规则"] == "TXT-GOAL-BARE" and row["单元格"] == "H13"
    assert row["状态"] == "已整改" and row["原复核状态"] == "已确认" and row["原复核意见"] == "=请补充实际完成内容"
    assert all(c.data_type != "f" for ws_ in wb for line in ws_.iter_rows() for c in line)

    # a third run with nothing changed keeps both the entries and the 已整改 history
    _run(data, out)
    wb = openpyxl.load_workbook(path)
    rows = {r["问题编号"]: r for r in _table(wb["问题清单"])}
    assert rows[keep_id]["复核状态"] == "已排除"
    assert [r["问题编号"] for r in _table(wb["已整改"])] == [gone_id]


def test_previous_can_be_another_file_or_ignored(seed_run, tmp_path):
    book, result = seed_run["book"], seed_run["result"]
    first = write_findings_workbook(result, book, tmp_path / "a" / "findings.xlsx").path
    wb = openpyxl.load_workbook(first)
    wb["问题清单"]["L2"] = "已确认"
    wb.save(first)
    second = write_findings_workbook(result, book, tmp_path / "b" / "findings.xlsx", previous=first).path
    assert openpyxl.load_workbook(second)["问题清单"]["L2"].value == "已确认"
    third = write_findings_workbook(result, book, first, previous=False).path
    assert openpyxl.load_workbook(third)["问题清单"]["L2"].value == "待核实"


def test_unreadable_previous_is_not_overwritten(seed_run, tmp_path):
    path = tmp_path / "findings.xlsx"
    other = openpyxl.Workbook()
    other.active["A1"] = "别人的表"
    other.save(path)
    before = path.read_bytes()
    with pytest.raises(ExcelOutputError, match="问题清单"):
        write_findings_workbook(seed_run["result"], seed_run["book"], path)
    assert path.read_bytes() == before
    path.write_bytes(b"not a workbook")
    with pytest.raises(ExcelOutputError):
        write_findings_workbook(seed_run["result"], seed_run["book"], path)
    assert path.read_bytes() == b"not a workbook"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp.xlsx")]


def test_no_findings_still_writes_a_workbook(seed_run, tmp_path):
    book = seed_run["book"]
    result = evaltools.audit(book, only=[])
    assert result.findings.empty
    path = write_findings_workbook(result, book, tmp_path / "findings.xlsx").path
    wb = openpyxl.load_workbook(path)
    assert wb["问题清单"].max_row == 1 and len(_table(wb["项目"])) == 8
    assert write_annotated_copies(result, book, tmp_path) == []


# ---------------------------------------------------------------------------------------------
# CLI


def test_cli_audit_writes_excel_outputs(tmp_path, capsys):
    before = _sha(SEED_DIR)
    out = tmp_path / "out"
    code = cli(["audit", str(SEED_DIR), "-o", str(out)])
    assert code == 1  # the seed has error-level findings
    assert (out / "findings.csv").exists() and (out / "findings.xlsx").exists()
    copies = sorted(p.name for p in (out / "annotated").glob("*.xlsx"))
    assert len(copies) == 8 and FUPIN in copies
    assert "findings.xlsx" in capsys.readouterr().out
    assert _sha(SEED_DIR) == before
    ws = openpyxl.load_workbook(out / "findings.xlsx")["问题清单"]
    target = ws["I2"].hyperlink.target
    assert (out / unquote(target)).resolve() == (SEED_DIR / FUPIN).resolve()
    assert os.path.relpath(SEED_DIR / FUPIN, out).replace(os.sep, "/") == unquote(target)


def test_merged_cell_and_existing_comment(tmp_path):
    """A finding inside a merged range lands on its top-left cell; a comment already there is kept."""
    from types import SimpleNamespace

    from openpyxl.comments import Comment

    data = tmp_path / "data"
    data.mkdir()
    wb = openpyxl.load_workbook(SEED_DIR / FUPIN)
    assert "D3:M3" in {str(r) for r in wb["Sheet2"].merged_cells.ranges}
    wb["Sheet2"]["H13"].comment = Comment("科室备注：已电话核实", "张三")
    wb.save(data / FUPIN)
    book = evaltools.load(data)
    f = evaltools.audit(book).findings.copy()
    f.loc[0, ["rule", "cell", "severity"]] = ["MY-RULE", "G3", "error"]  # G3 is inside D3:M3
    copies = write_annotated_copies(SimpleNamespace(findings=f), book, tmp_path / "out")
    ws = openpyxl.load_workbook(copies[0])["Sheet2"]
    assert "MY-RULE" in ws["D3"].comment.text and _rgb(ws["D3"]) == SEVERITY_FILLS["error"]
    h13 = ws["H13"].comment.text
    assert h13.startswith("科室备注：已电话核实") and "TXT-GOAL-BARE" in h13


@pytest.mark.parametrize("lock", ["~$findings.xlsx", "~$ndings.xlsx", ".~lock.findings.xlsx#", ".~findings.xlsx"])
def test_every_lock_file_naming_stops_the_write(tmp_path, lock):
    """Excel/WPS on Windows, Word-style, LibreOffice, WPS for Linux."""
    from evaltools.errors import OutputError
    from evaltools.safeio import check_not_locked

    (tmp_path / lock).write_bytes(b"\x05")
    with pytest.raises(OutputError, match=f"锁文件 {re.escape(lock)}"):
        check_not_locked(tmp_path / "findings.xlsx")


def test_locked_or_unreadable_previous_raises_output_error_and_writes_nothing(seed_run, tmp_path):
    from evaltools.errors import OutputError
    from evaltools.excel import check_writable

    book, result = seed_run["book"], seed_run["result"]
    written = write_findings_workbook(result, book, tmp_path / "findings.xlsx")
    assert written.previous is None and "首次写出" in written.summary()
    before = written.path.read_bytes()
    lock = tmp_path / "~$findings.xlsx"
    lock.write_bytes(b"\x05")
    with pytest.raises(OutputError, match=r"findings\.xlsx.*Excel/WPS.*关闭"):
        write_findings_workbook(result, book, written.path)
    with pytest.raises(OutputError, match="锁文件"):
        check_writable(tmp_path)
    assert written.path.read_bytes() == before and not (tmp_path / "备份").exists()
    lock.unlink()
    check_writable(tmp_path)  # nothing open: no error
    again = write_findings_workbook(result, book, written.path)
    assert again.previous == written.path and again.kept == 0 and again.moved == 0
    assert again.backup is not None and again.backup.parent == tmp_path / "备份" and again.backup.read_bytes() == before
    assert issubclass(ExcelOutputError, OutputError)
