"""Bad input never stops a batch: each problem is a load_errors row naming file, sheet and cell."""

from __future__ import annotations

import hashlib
import io
import os
import shutil

import openpyxl
import pytest

import evaltools
import formkit as fk
from conftest import SEED_DIR
from evaltools.cli import main as cli

GOOD = sorted(SEED_DIR.glob("*.xlsx"))


def _only_error(book):
    assert len(book.load_errors) == 1, book.load_errors.to_dict("records")
    return book.load_errors.iloc[0]


def _bad_files(d):
    d.mkdir(parents=True, exist_ok=True)
    (d / "random.xlsx").write_bytes(os.urandom(2000) + b"\x00")
    (d / "truncated.xlsx").write_bytes(GOOD[0].read_bytes()[:3000])
    (d / "report.pdf.xlsx").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    (d / "table.csv.xlsx").write_text("项目名称,金额\n扶贫,24\n", encoding="utf-8")
    (d / "zero.xlsx").write_bytes(b"")
    (d / "page.xls").write_text("<html><body><table><tr><td>项目名称</td></tr></table></body></html>",
                                encoding="utf-8")
    wb = openpyxl.Workbook()
    wb.save(d / "empty_workbook.xlsx")
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.active.append(["张三", "123"])
    wb.save(d / "not_a_form.xlsx")
    return d


@pytest.mark.parametrize("name,words,code", [
    ("random.xlsx", "已损坏", "file-unknown-format"),
    ("truncated.xlsx", "已损坏或不完整", "file-corrupt"),
    ("report.pdf.xlsx", "PDF", "file-pdf"),
    ("table.csv.xlsx", "CSV", "file-text"),
    ("zero.xlsx", "为空", "file-empty"),
    ("page.xls", "HTML", "file-html"),
    ("empty_workbook.xlsx", "没有找到绩效自评表", "no-form"),
    ("not_a_form.xlsx", "没有找到绩效自评表", "no-form"),
])
def test_bad_file_gives_one_clear_error(tmp_path, name, words, code):
    d = _bad_files(tmp_path / "in")
    book = evaltools.load(d / name)
    err = _only_error(book)
    assert words in err["message"]
    assert err["code"] == code  # the stable code beside the message (errors.PROBLEMS)
    assert err["source_file"] == str(d / name)
    assert book.projects.empty


def test_password_protected_workbook(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(GOOD[0], "rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    path = tmp_path / "locked.xlsx"
    path.write_bytes(out.getvalue())
    err = _only_error(evaltools.load(path))
    assert "密码" in err["message"]


def test_batch_goes_on_past_bad_files(tmp_path):
    d = _bad_files(tmp_path / "in")
    for p in GOOD[:2]:
        shutil.copy(p, d / p.name)
    (d / "~$01_open_in_excel.xlsx").write_bytes(b"owner file")
    (d / ".~01_open_in_wps.xlsx").write_bytes(b"owner file")
    book = evaltools.load(d)
    assert len(book.projects) == 2
    files = set(book.load_errors["source_file"])
    assert len(files) == 8  # one row per bad file …
    assert not any("~$" in f or ".~" in f for f in files)  # … and the lock files are skipped silently
    assert all(book.load_errors["message"].str.len() > 0)


def test_strict_raises_the_same_message(tmp_path):
    d = _bad_files(tmp_path / "in")
    row = _only_error(evaltools.load(d / "report.pdf.xlsx"))
    with pytest.raises(evaltools.LoadError) as exc:
        evaltools.load(d / "report.pdf.xlsx", strict=True)
    assert exc.value.message == row["message"]
    assert exc.value.source_file == row["source_file"]
    assert row["message"] in str(exc.value)


def test_form_missing_funds_block_loads_the_rest(tmp_path):
    form = fk.seed_form(0)
    top, _ = fk.find(form, "项目资金（万元）")
    bottom, _ = fk.find(form, "其他资金")
    form = fk.set_cells(form, {(r, c): None for r in range(top, bottom + 1) for c in range(1, 14)})
    form = (form[0], [m for m in form[1] if not (top <= m[0] <= bottom)])
    path = fk.write_xlsx(tmp_path / "no_funds.xlsx", [("Sheet1", form)])
    book = evaltools.load(path)
    err = _only_error(book)
    assert "项目资金" in err["message"] and err["sheet"] == "Sheet1" and err["cell"]
    p = book.projects.iloc[0]
    assert p.project_name == "扶贫调研经费（2020年国库集中支付年终结余资金）"
    assert p.total_score == 97.5
    assert len(book.indicators) == 7 and book.funds.empty


def test_form_missing_indicator_table(tmp_path):
    form = fk.seed_form(2)
    hdr, _ = fk.find(form, "一级指标")
    total, _ = fk.find(form, "总分")
    form = fk.set_cells(form, {(r, c): None for r in range(hdr, total) for c in range(1, 14)})
    form = (form[0], [m for m in form[1] if not (hdr <= m[0] < total)])
    book = evaltools.load(fk.write_xlsx(tmp_path / "no_ind.xlsx", [("Sheet1", form)]))
    err = _only_error(book)
    assert "绩效指标表" in err["message"]
    assert book.projects.iloc[0].executed == 50000
    assert book.indicators.empty and len(book.funds) == 6


def test_unparseable_number_names_its_cell(tmp_path):
    form = fk.seed_form(7)
    r, c = fk.find(form, "租用电子政务网线数")
    form = fk.set_cells(form, {(r, 10): "五分"})  # 分值 of the first indicator, column J
    book = evaltools.load(fk.write_xlsx(tmp_path / "bad_number.xlsx", [("Sheet1", form)]))
    err = _only_error(book)
    assert err["cell"] == f"J{r}" and "五分" in err["message"] and "分值" in err["message"]
    ind = book.indicators.set_index("seq")
    assert ind.loc[1, "weight"] != ind.loc[1, "weight"]  # NaN: not invented
    assert ind.loc[1, "score"] == 5 and len(ind) == 11


def test_missing_path_and_unsupported_type(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n")
    book = evaltools.load([tmp_path / "nope", tmp_path / "x.csv", GOOD[0]])
    msgs = list(book.load_errors["message"])
    assert any("不存在" in m for m in msgs) and any("不支持的文件类型" in m for m in msgs)
    assert len(book.projects) == 1


def test_glob_and_list_sources(tmp_path):
    book = evaltools.load(str(SEED_DIR / "0[1-3]_*.xlsx"))
    assert len(book.projects) == 3
    book = evaltools.load([GOOD[0], GOOD[1], GOOD[0]])
    assert len(book.projects) == 2  # a file named twice is read once


def test_sources_are_never_written(tmp_path):
    d = tmp_path / "in"
    shutil.copytree(SEED_DIR, d)
    _bad_files(d)

    def state():
        return {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in d.rglob("*")
                if p.is_file()}

    before = state()
    evaltools.load(d)
    assert state() == before


def test_cli_load_summary_and_exports(tmp_path, capsys):
    out = tmp_path / "out.xlsx"
    assert cli(["load", str(SEED_DIR), "--to", str(out)]) == 0
    text = capsys.readouterr().out
    assert "绩效自评表 8 份" in text and "壶关县人民政府办公室：8 份" in text
    wb = openpyxl.load_workbook(out)
    ws = wb["指标"]
    header = [c.value for c in ws[1]]
    col = header.index("target")
    targets = [row[col] for row in ws.iter_rows(min_row=2)]
    assert any(c.value == "=6人" and c.data_type == "s" for c in targets)
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    assert cli(["load", str(SEED_DIR), "--to", str(tmp_path / "t.parquet")]) == 0
    import pandas as pd

    assert len(pd.read_parquet(tmp_path / "t.indicators.parquet")) == 62
    assert cli(["load", str(SEED_DIR), "--to", str(tmp_path / "t.csv")]) == 0
    assert len(pd.read_csv(tmp_path / "t.projects.csv")) == 8


def test_cli_exit_codes(tmp_path, capsys):
    d = _bad_files(tmp_path / "in")
    assert cli(["load", str(d)]) == 1
    assert "读取问题" in capsys.readouterr().out
    assert cli(["load", str(SEED_DIR), "--to", str(tmp_path / "x.json")]) == 2
    assert cli(["frobnicate"]) == 2
    assert cli(["load", str(d / "zero.xlsx"), "--strict"]) == 1


def test_parallel_load_gives_the_same_book(tmp_path):
    """jobs>1 and an explicit executor give exactly the single-process result, bad files included."""
    from concurrent.futures import ThreadPoolExecutor

    import pandas.testing as pdt

    d = _bad_files(tmp_path / "in")
    for i in range(70):
        shutil.copy(GOOD[i % 8], d / f"copy{i:02d}_{GOOD[i % 8].name}")
    one = evaltools.load(d)
    two = evaltools.load(d, jobs=2)
    with ThreadPoolExecutor(2) as ex:
        three = evaltools.load(d, executor=ex)
    for other in (two, three):
        for name in ("projects", "funds", "indicators", "load_errors", "cells", "unmapped", "sheets"):
            pdt.assert_frame_equal(getattr(one, name), getattr(other, name))
    assert len(one.projects) == 70 and len(one.load_errors) == 8


def test_summary_prints_one_line_per_name_whatever_the_form_says(tmp_path):
    """A department or message with a newline or an escape sequence cannot forge summary lines."""
    from formkit import replace, seed_form, write_xlsx

    # openpyxl refuses ESC in a cell; a bidi override (U+202E) reorders a terminal line just as well
    form = replace(seed_form(0), {"壶关县人民政府办公室-002": "壶关县\n按主管部门：\u202e伪造-002"})
    book = evaltools.load(write_xlsx(tmp_path / "f.xlsx", [("自评表", form)]))
    summary = book.summary()
    assert "\u202e" not in summary
    (line,) = [s for s in summary.splitlines() if "伪造" in s]
    assert line.startswith("  壶关县\\x0a按主管部门：\\u202e伪造")
