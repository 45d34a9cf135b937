"""A department's annotated copy of a workbook that holds other departments' forms too.

Departments do send such workbooks (a 主管部门 collecting its units' forms, a finance bureau's
bundle): one sheet per form, several forms stacked on a sheet, a notes sheet. With
``report --department X`` the copy must hold X's forms only, and every cell of X's forms as it was.
"""

from __future__ import annotations

import html
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

import evaltools
from conftest import ROOT
from evaltools.excel import write_annotated_copies
from formkit import replace, seed_form, stack, write_xlsx

MINE, THEIRS = "甲县教育局", "乙县卫生健康委员会"
SECRET = ("乙县秘密项目一", "乙县秘密项目二", "乙县联系人王某", "乙县卫生健康委员会单位")


def _form(i: int, department: str, name: str):
    cells, _ = form = seed_form(i)
    old_name = cells[(3, 4)]
    return replace(form, {old_name: name, "壶关县人民政府办公室-002": department,
                          "壶关县人民政府办公室": department + "单位"})


@pytest.fixture
def bundle(tmp_path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    notes = ({(1, 1): "说明", (2, 1): "乙县联系人王某", (3, 1): "电话 0355-0000000"}, [])
    write_xlsx(data / "汇总.xlsx", [
        ("甲县一", _form(0, MINE, "甲县项目一")),
        ("乙县一", _form(1, THEIRS, "乙县秘密项目一")),
        ("混合", stack(_form(2, MINE, "甲县项目二"), _form(3, THEIRS, "乙县秘密项目二"))),
        ("说明", notes),
    ])
    return data


def _texts(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "\n".join(html.unescape(z.read(n).decode("utf-8", "replace")) for n in z.namelist())


def _values(path: Path, sheet: str) -> dict[str, object]:
    wb = openpyxl.load_workbook(path)
    return {c.coordinate: c.value for row in wb[sheet].iter_rows() for c in row if c.value is not None}


def test_the_copy_holds_the_selected_forms_and_all_of_them(bundle, tmp_path):
    book = evaltools.load(bundle)
    p = book.projects
    assert sorted(set(p["department"])) == sorted([MINE, THEIRS]) and len(p) == 4
    mine = book.subset(p.loc[p["department"] == MINE, "form_id"])
    result = evaltools.audit(mine)
    assert len(result.findings), "no findings: no copy would be written and nothing tested"
    copies = write_annotated_copies(result, mine, tmp_path / "out", only_book=True)
    (copy,) = copies
    assert openpyxl.load_workbook(copy).sheetnames == ["甲县一", "混合"]
    text = _texts(copy)
    assert [s for s in SECRET if s in text] == []
    # every cell of the selected forms is still there, as it was in the original
    before = {s: _values(bundle / "汇总.xlsx", s) for s in ("甲县一", "混合")}
    after = {s: _values(copy, s) for s in ("甲县一", "混合")}
    assert after["甲县一"] == before["甲县一"]
    stacked_mine = {ref for ref, cell in zip(mine.cells["cell"], mine.cells["sheet"]) if cell == "混合"}
    assert stacked_mine and all(after["混合"].get(ref) == before["混合"][ref] for ref in stacked_mine)
    assert set(after["混合"]) < set(before["混合"])  # the other department's stacked form is gone
    readme = (tmp_path / "out" / "annotated" / "README.txt").read_text(encoding="utf-8")
    assert "只保留所选主管部门的表，删去其他工作表 2 张" in readme


def test_without_a_selection_the_copy_keeps_every_sheet(bundle, tmp_path):
    book = evaltools.load(bundle)
    (copy,) = write_annotated_copies(evaltools.audit(book), book, tmp_path / "out")
    assert openpyxl.load_workbook(copy).sheetnames == ["甲县一", "乙县一", "混合", "说明"]
    assert all(s in _texts(copy) for s in SECRET[:3])


def test_report_department_writes_such_a_copy(bundle, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "evaltools", "report", str(bundle), "--department", MINE,
                           "-o", str(out), "--no-progress"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    copies = list((out / "annotated").rglob("*.xlsx"))
    assert len(copies) == 1
    leaks = [(f.relative_to(out), s) for f in out.rglob("*") if f.is_file()
             for s in SECRET + (THEIRS,)
             if s in (_texts(f) if f.suffix == ".xlsx" else html.unescape(f.read_text("utf-8", "replace")))]
    assert leaks == []
