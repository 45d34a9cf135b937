"""The reviewer's findings.xlsx across runs of the real CLI: entries kept, backups, open-file locks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
from conftest import SEED_DIR

from evaltools.safeio import is_evaltools_output

FUPIN = "01_扶贫调研经费（2020年国库集中支付年终结余资金）.xlsx"
OWN = ["部门", "项目", "规则", "严重程度", "类别", "说明", "应为", "实际", "文件", "工作表", "单元格", "复核状态",
       "复核意见", "问题编号", "表单编号"]


def _audit(data: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evaltools", "audit", str(data), "-o", str(out)],
                          capture_output=True, text=True, encoding="utf-8", timeout=600)


def _table(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def _review(path: Path, entries: dict[tuple[str, str], dict], *, insert_at: int, added: str) -> dict[str, dict]:
    """Edit findings.xlsx as a reviewer does: a column ``added`` inserted before column ``insert_at``,
    rows sorted by 问题编号 descending, entries typed in. Returns the entries by finding id."""
    wb = openpyxl.load_workbook(path)
    ws = wb["问题清单"]
    rows = list(ws.iter_rows(values_only=True))
    head, body = list(rows[0]), [list(r) for r in rows[1:]]
    body.sort(key=lambda r: r[head.index("问题编号")], reverse=True)
    by_id = {}
    for r in body:
        fid, key = r[head.index("问题编号")], (r[head.index("规则")], r[head.index("单元格")])
        e = entries.get(key) if str(r[head.index("项目")]).startswith("扶贫调研经费") else None
        if e:
            r[head.index("复核状态")] = e.get("复核状态", r[head.index("复核状态")])
            r[head.index("复核意见")] = e.get("复核意见")
            by_id[fid] = e
        r.insert(insert_at - 1, e.get(added) if e else None)
    head.insert(insert_at - 1, added)
    ws.delete_rows(1, ws.max_row)
    for values in [head] + body:
        ws.append(values)
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("="):
                c.data_type = "s"  # text the reviewer typed as text ('=…), not a formula
    wb.save(path)
    return by_id


def test_reviewer_columns_survive_resorting_and_vanishing(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SEED_DIR, data)
    out = tmp_path / "out"
    first = _audit(data, out)
    assert first.returncode == 1, first.stderr
    entries = {
        ("EXEC-LOW-HIGH", "L6"): {"复核状态": "已排除", "复核意见": "年底追加资金", "复核人": "张三"},
        ("TXT-GOAL-BARE", "H13"): {"复核状态": "已确认", "复核意见": "=请补充实际完成内容", "复核人": "李四"},
        ("EXEC-NO-REASON", "E27"): {"复核人": "王五"},  # only the added column: still an entry
    }
    by_id = _review(out / "findings.xlsx", entries, insert_at=7, added="复核人")  # after 类别, before 说明
    assert len(by_id) == 3
    gone_id = next(fid for fid, e in by_id.items() if e["复核人"] == "李四")

    # the department fixes 实际完成情况, which removes exactly the TXT-GOAL-BARE finding
    src = openpyxl.load_workbook(data / FUPIN)
    src["Sheet2"]["H13"] = "完成定向扶持贫困人口6人，资金全部拨付到位"
    src.save(data / FUPIN)
    second = _audit(data, out)
    assert second.returncode == 1, second.stderr
    assert "复核记录：保留 2 条" in second.stdout
    assert "1 条问题本次未再出现，已移至“已整改”（该表共 1 条）" in second.stdout
    assert "保留自加列 复核人" in second.stdout

    wb = openpyxl.load_workbook(out / "findings.xlsx")
    ws = wb["问题清单"]
    assert [c.value for c in ws[1]] == OWN + ["复核人"]  # evaltools' columns, then the reviewer's
    rows = {r["问题编号"]: r for r in _table(ws)}
    for fid, e in by_id.items():
        if fid == gone_id:
            assert fid not in rows
            continue
        assert rows[fid]["复核人"] == e["复核人"], fid
        assert rows[fid]["复核状态"] == e.get("复核状态", "待核实")
        assert rows[fid]["复核意见"] == e.get("复核意见")
    assert sum(1 for r in rows.values() if r["复核人"]) == 2
    (fixed,) = _table(wb["已整改"])
    assert fixed["问题编号"] == gone_id and fixed["复核人"] == "李四" and fixed["原复核状态"] == "已确认"
    assert fixed["原复核意见"] == "=请补充实际完成内容" and fixed["状态"] == "已整改"
    assert wb["已整改"]["Q1"].value == "复核人"

    # the file it replaced is kept, dated, marked as an output, with the reviewer's edits in it
    (backup,) = sorted((out / "备份").glob("findings-*.xlsx"))
    assert f"上一版已备份为 {backup}" in second.stdout
    assert is_evaltools_output(backup) and is_evaltools_output(out / "findings.xlsx")
    assert [c.value for c in openpyxl.load_workbook(backup)["问题清单"][1]][6] == "复核人"

    # a third run changes nothing the reviewer wrote, and keeps 已整改's history with its column
    third = _audit(data, out)
    assert "复核记录：保留 2 条" in third.stdout and "0 条问题本次未再出现" in third.stdout
    wb = openpyxl.load_workbook(out / "findings.xlsx")
    assert {r["问题编号"]: r["复核人"] for r in _table(wb["问题清单"]) if r["复核人"]} == {
        fid: e["复核人"] for fid, e in by_id.items() if fid != gone_id}
    assert [(r["问题编号"], r["复核人"]) for r in _table(wb["已整改"])] == [(gone_id, "李四")]
    assert len(list((out / "备份").glob("findings-*.xlsx"))) == 2


def test_unnamed_columns_and_rows_without_id_are_kept(tmp_path):
    out = tmp_path / "out"
    assert _audit(SEED_DIR, out).returncode == 1
    path = out / "findings.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["问题清单"]
    ws["R2"] = "没有标题的列里的备注"  # column R, no header
    ws["P1"] = "备注"
    ws["P1"].data_type = "s"
    ws["P3"] = 42  # a number stays a number
    n = ws.max_row
    ws.cell(row=n + 2, column=6, value="复核小结：扶贫类项目普遍未说明偏差原因")
    wb.save(path)
    run = _audit(SEED_DIR, out)
    assert "保留自加列 备注、未命名列R" in run.stdout and "无问题编号的自加行 1 行" in run.stdout
    ws = openpyxl.load_workbook(path)["问题清单"]
    head = [c.value for c in ws[1]]
    assert head == OWN + ["备注", "未命名列R"]
    rows = _table(ws)
    assert rows[0]["未命名列R"] == "没有标题的列里的备注" and rows[1]["备注"] == 42
    assert rows[-1]["说明"] == "复核小结：扶贫类项目普遍未说明偏差原因" and rows[-1]["问题编号"] is None


def test_backup_of_a_previous_file_without_marks_is_marked(tmp_path):
    out = tmp_path / "out"
    assert _audit(SEED_DIR, out).returncode == 1
    path = out / "findings.xlsx"
    wb = openpyxl.load_workbook(path)  # as written by an evaltools that did not mark its outputs
    wb.properties.keywords = None
    del wb.custom_doc_props["evaltools_output"]
    wb.save(path)
    assert not is_evaltools_output(path)
    assert _audit(SEED_DIR, out).returncode == 1
    (backup,) = (out / "备份").glob("findings-*.xlsx")
    assert is_evaltools_output(backup)


def test_open_findings_workbook_stops_the_run_before_anything_is_written(tmp_path):
    out = tmp_path / "out"
    assert _audit(SEED_DIR, out).returncode == 1
    lock = out / "~$findings.xlsx"  # what Excel/WPS leave beside a workbook they have open
    lock.write_bytes(b"\x05reviewer")
    before = _mtimes(out)
    run = _audit(SEED_DIR, out)
    assert run.returncode == 3  # OutputError: an output could not be written
    assert "findings.xlsx" in run.stderr and "Excel/WPS" in run.stderr and "关闭" in run.stderr
    assert "~$findings.xlsx" in run.stderr
    assert _mtimes(out) == before  # not one CSV, copy or backup was written
    assert not (out / "备份").exists()


def test_open_annotated_copy_stops_the_run_too(tmp_path):
    out = tmp_path / "out"
    assert _audit(SEED_DIR, out).returncode == 1
    (out / "annotated" / f"~${FUPIN}").write_bytes(b"\x05reviewer")
    before = _mtimes(out)
    run = _audit(SEED_DIR, out)
    assert run.returncode == 3 and FUPIN in run.stderr and "关闭" in run.stderr
    assert _mtimes(out) == before
