"""Bounded reading: no workbook can make the reader allocate without bound, and error cells are errors.

Each hostile workbook is built here, on disk, from a real seed form. Loads that could abort the
process run in a child with its address space capped (4 GB), so a regression fails this test with
the child's output instead of killing pytest.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import evaltools
from evaltools import CellError, Limits

from formkit import seed_form, write_xls, write_xlsx

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
import evaltools
book = evaltools.load(sys.argv[1])
print(json.dumps({
    "projects": book.projects[["sheet", "project_name", "executed", "total_score"]].astype(str).to_dict("records"),
    "indicators": len(book.indicators),
    "errors": book.load_errors[["sheet", "cell", "message", "level"]].to_dict("records"),
}, ensure_ascii=False))
"""


def load_in_child(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, f"the load aborted (exit {out.returncode}): {out.stderr[-2000:]}"
    return json.loads(out.stdout.strip().splitlines()[-1])


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _write_parts(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in parts.items():
            z.writestr(n, d)
    return path


def _patch_sheet(src: Path, dst: Path, edit, sheet: str = "xl/worksheets/sheet1.xml") -> Path:
    parts = _parts(src)
    parts[sheet] = edit(parts[sheet].decode("utf-8")).encode("utf-8")
    return _write_parts(dst, parts)


def _append_rows(xml: str, rows: str) -> str:
    return xml.replace("</sheetData>", rows + "</sheetData>", 1)


@pytest.fixture
def seed_xlsx(tmp_path) -> Path:
    return write_xlsx(tmp_path / "seed.xlsx", [("自评表", seed_form(0))])


def _seed_values(path: Path) -> dict:
    book = evaltools.load(path)
    return {"projects": book.projects[["sheet", "project_name", "executed", "total_score"]].astype(str).to_dict("records"),
            "indicators": len(book.indicators)}


# --------------------------------------------------------------------------------------------
# Far cells, huge sheets, huge merges


def test_a_stray_value_in_xfd1048576_is_named_and_the_form_still_loads(seed_xlsx, tmp_path):
    far = _patch_sheet(seed_xlsx, tmp_path / "far.xlsx", lambda x: _append_rows(
        x, '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>误填</t></is></c></row>'))
    got = load_in_child(far)
    want = _seed_values(seed_xlsx)
    assert got["projects"] == want["projects"] and got["indicators"] == want["indicators"]
    far_rows = [e for e in got["errors"] if e["cell"] == "XFD1048576"]
    assert len(far_rows) == 1 and "误填" in far_rows[0]["message"] and "远在表格之外" in far_rows[0]["message"]
    assert far_rows[0]["sheet"] == "自评表" and far_rows[0]["level"] == "error"


def test_a_sheet_of_1048576_rows_is_refused_by_name_and_the_other_sheet_loads(tmp_path):
    book = write_xlsx(tmp_path / "two.xlsx", [("自评表", seed_form(0)), ("明细", ({(1, 1): "x"}, []))])
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>' for r in range(2, 1_048_577))
    huge = _patch_sheet(book, tmp_path / "huge.xlsx", lambda x: _append_rows(x, rows), sheet="xl/worksheets/sheet2.xml")
    got = load_in_child(huge)
    assert [p["sheet"] for p in got["projects"]] == ["自评表"]
    refused = [e for e in got["errors"] if e["sheet"] == "明细"]
    assert len(refused) == 1 and refused[0]["cell"] == "A1048576" and "未读取" in refused[0]["message"]


def test_a_merge_over_the_whole_sheet_is_cut_to_the_grid(seed_xlsx, tmp_path):
    def add_merge(x: str) -> str:
        if "<mergeCells" in x:
            return re.sub(r"(<mergeCells[^>]*>)", r'\1<mergeCell ref="Z1:XFD1048576"/>', x, count=1)
        return x.replace("</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="Z1:XFD1048576"/></mergeCells>', 1)

    merged = _patch_sheet(seed_xlsx, tmp_path / "merge.xlsx", add_merge)
    assert b"XFD1048576" in _parts(merged)["xl/worksheets/sheet1.xml"]
    got = load_in_child(merged)
    assert got["indicators"] == _seed_values(seed_xlsx)["indicators"]


def test_more_far_cells_than_the_limit_refuse_the_sheet(seed_xlsx, tmp_path):
    limits = Limits(max_far_cells=5)
    rows = "".join(f'<row r="{50000 + i}"><c r="A{50000 + i}"><v>{i}</v></c></row>' for i in range(10))
    many = _patch_sheet(seed_xlsx, tmp_path / "many.xlsx", lambda x: _append_rows(x, rows))
    book = evaltools.load(many, limits=limits)
    assert book.projects.empty
    (msg,) = book.load_errors.loc[book.load_errors["sheet"] == "自评表", "message"]
    assert "10 个单元格远在表格之外" in msg and "A50009" in msg
    # the default limits read the same sheet sparsely: ten far cells, each named
    book = evaltools.load(many)
    assert len(book.projects) == 1
    named = book.load_errors[book.load_errors["message"].str.contains("远在表格之外")]
    assert sorted(named["cell"]) == sorted(f"A{50000 + i}" for i in range(10))


def test_sparse_reading_keeps_every_value_calamine_reads(seed_xlsx, tmp_path):
    """The sparse reader (used only for far-off cells) loads the form exactly as calamine does."""
    far = _patch_sheet(seed_xlsx, tmp_path / "far.xlsx", lambda x: _append_rows(
        x, '<row r="30000"><c r="A30000"><v>5</v></c></row>'))
    a, b = evaltools.load(seed_xlsx), evaltools.load(far)
    for table in ("projects", "funds", "indicators"):
        left = getattr(a, table).drop(columns=["form_id", "source_file", "relative_file"], errors="ignore")
        right = getattr(b, table).drop(columns=["form_id", "source_file", "relative_file"], errors="ignore")
        assert left.astype(str).equals(right.astype(str)), table
    assert b.load_errors["cell"].tolist() == ["A30000"]


# --------------------------------------------------------------------------------------------
# Inflated sizes


def _lie_about_size(path: Path, member: str, claimed: int) -> None:
    """Rewrite the uncompressed size of ``member`` in its local header and central directory entry."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = data.find(sig)
        while pos >= 0:
            name_len_at = 26 if sig == b"PK\x03\x04" else 28
            start = pos + (30 if sig == b"PK\x03\x04" else 46)
            n = int.from_bytes(data[pos + name_len_at: pos + name_len_at + 2], "little")
            if bytes(data[start: start + n]) == name:
                data[pos + size_at: pos + size_at + 4] = claimed.to_bytes(4, "little")
            pos = data.find(sig, pos + 4)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("limits,size", [(Limits(max_part_bytes=4 << 20), 8 << 20), (None, 110 << 20)])
def test_a_part_that_claims_little_but_inflates_huge_is_refused(seed_xlsx, tmp_path, limits, size):
    parts = _parts(seed_xlsx)
    pad = " " * size  # whitespace between elements: valid XML, and deflate shrinks it 1000-fold
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b"<sheetData>", b"<sheetData>" + pad.encode(), 1)
    bomb = _write_parts(tmp_path / "bomb.xlsx", parts)
    assert bomb.stat().st_size < size // 100
    _lie_about_size(bomb, "xl/worksheets/sheet1.xml", 2000)
    book = evaltools.load(bomb, limits=limits)
    assert book.projects.empty
    (msg,) = book.load_errors["message"]
    assert "压缩炸弹" in msg and "xl/worksheets/sheet1.xml" in msg


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_read_part_gives_zipfiles_bytes_and_stops_at_the_limit(seed_xlsx, tmp_path, method):
    from evaltools.bounds import BoundsError, read_part

    parts = _parts(seed_xlsx)
    path = tmp_path / "m.xlsx"
    with zipfile.ZipFile(path, "w", method) as z:
        for n, d in parts.items():
            z.writestr(n, d)
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            assert read_part(z, info, 1 << 20) == z.read(info), info.filename
        sheet = z.getinfo("xl/worksheets/sheet1.xml")
        with pytest.raises(BoundsError, match="压缩炸弹"):
            read_part(z, sheet, sheet.file_size - 1)
        assert read_part(z, sheet, sheet.file_size) == z.read(sheet)


def test_limits_reach_the_parse_cache_key(seed_xlsx, tmp_path):
    rows = '<row r="30000"><c r="A30000"><v>5</v></c></row>'
    far = _patch_sheet(seed_xlsx, tmp_path / "far.xlsx", lambda x: _append_rows(x, rows))
    cache = tmp_path / "cache"
    assert len(evaltools.load(far, cache=cache).projects) == 1
    assert evaltools.load(far, cache=cache, limits=Limits(max_far_cells=0)).projects.empty


# --------------------------------------------------------------------------------------------
# Error cells


def _error_cell(xml: str, ref: str, code: str) -> str:
    cell = re.search(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', xml, re.S)
    assert cell, ref
    return xml[: cell.start()] + f'<c r="{ref}" t="e"><f>1/0</f><v>{code}</v></c>' + xml[cell.end():]


@pytest.mark.parametrize("code", ["#DIV/0!", "#REF!", "#N/A", "#VALUE!"])
def test_an_error_in_a_score_is_an_error_not_an_empty_cell(seed_xlsx, tmp_path, code):
    book = evaltools.load(seed_xlsx)
    cells = book.cells
    score = cells[(cells["table"] == "indicators") & (cells["field"] == "score")].iloc[0]
    bad = _patch_sheet(seed_xlsx, tmp_path / "err.xlsx", lambda x: _error_cell(x, score["cell"], code))
    got = evaltools.load(bad)
    (row,) = got.load_errors.to_dict("records")
    assert row["cell"] == score["cell"] and code in row["message"] and row["level"] == "error"
    ind = got.indicators.set_index("seq").loc[int(score["key"])]
    assert math.isnan(ind["score"]) and ind["cell_errors"] == f"score={code}"
    assert "error-scores" in got.projects["convention"].iloc[0].split(",")
    before = evaltools.audit(book).findings
    after = evaltools.audit(got).findings
    # nothing claims the score is missing, and no score rule judges the form on an unknown score
    assert not (set(after["rule"]) - set(before["rule"])), after[~after["rule"].isin(before["rule"])]
    assert not after["rule"].str.startswith("SCORE-").any()


def test_grid_holds_the_error_value(seed_xlsx, tmp_path):
    from evaltools.read import read_workbook

    bad = _patch_sheet(seed_xlsx, tmp_path / "err.xlsx", lambda x: _error_cell(x, "A1", "#NAME?") if 'r="A1"' in x
                       else _append_rows(x, '<row r="60"><c r="A60" t="e"><v>#NAME?</v></c></row>'))
    wb = read_workbook(bad)
    values = [v for row in wb.sheets[0].rows for v in row if isinstance(v, CellError)]
    assert values == ["#NAME?"] and type(values[0]) is CellError


# --------------------------------------------------------------------------------------------
# .xls


def test_xls_with_a_far_cell_is_refused_by_name_and_the_rest_loads(tmp_path):
    sheets = [("自评表", seed_form(0)), ("远处", ({(1, 1): "x", (65536, 256): "误填"}, []))]
    path = write_xls(tmp_path / "far.xls", sheets)
    got = load_in_child(path)
    assert [p["sheet"] for p in got["projects"]] == ["自评表"]
    (msg,) = [e for e in got["errors"] if e["sheet"] == "远处"]
    assert msg["cell"] == "IV65536" and "未读取" in msg["message"]


def test_xls_error_cell_is_read_as_an_error(tmp_path):
    import xlwt

    path = write_xls(tmp_path / "e.xls", [("自评表", seed_form(0))])
    book = evaltools.load(path)
    score = book.cells[(book.cells["table"] == "indicators") & (book.cells["field"] == "score")].iloc[0]
    # rewrite the workbook with the score cell holding #DIV/0! (xlwt writes BOOLERR records)
    cells, merges = seed_form(0)
    from evaltools.read import parse_cell_name

    r, c = parse_cell_name(score["cell"])
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("自评表")
    for (rr, cc), v in cells.items():
        if (rr - 1, cc - 1) != (r, c):
            ws.write(rr - 1, cc - 1, v)
    ws.row(r).set_cell_error(c, "#DIV/0!")
    wb.save(str(tmp_path / "err.xls"))
    got = evaltools.load(tmp_path / "err.xls")
    rows = got.load_errors[got.load_errors["cell"] == score["cell"]]
    assert len(rows) == 1 and "#DIV/0!" in rows["message"].iloc[0]
    assert got.indicators["cell_errors"].str.contains("score=#DIV/0!").sum() == 1


# --------------------------------------------------------------------------------------------
# Outputs never become inputs (the loader's side; the writers mark what they write)


def test_marked_workbooks_and_output_folders_are_skipped_with_one_info_line(seed_xlsx, tmp_path):
    import shutil

    import openpyxl

    from evaltools.marks import mark_output_dir

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(seed_xlsx, data / "form.xlsx")
    wb = openpyxl.load_workbook(seed_xlsx)
    wb.properties.keywords = "evaltools-output"
    wb.save(data / "copy.xlsx")  # a form's annotated copy: the same form, marked as ours
    out = data / "审核结果"
    mark_output_dir(out)
    (out / "annotated").mkdir()
    shutil.copy(seed_xlsx, out / "annotated" / "form.xlsx")
    shutil.copy(seed_xlsx, out / "findings.xlsx")
    book = evaltools.load(data)
    assert len(book.projects) == 1 and book.projects["relative_file"].tolist() == ["form.xlsx"]
    errors = book.load_errors
    assert (errors["level"] == "info").all(), errors
    assert len(errors) == 2
    folder = errors[errors["source_file"].str.endswith("审核结果")]
    assert "2 个工作簿" in folder["message"].iloc[0]
    marked = errors[errors["source_file"].str.endswith("copy.xlsx")]
    assert len(marked) == 1 and "evaltools 写出的结果文件" in marked["message"].iloc[0]


def test_audit_into_the_data_folder_twice_reads_the_same_forms(tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "huguan-2021", data, ignore=shutil.ignore_patterns("*.txt", "*.md"))
    runs = []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-m", "evaltools", "audit", str(data), "-o", str(data / "审核结果")],
                             capture_output=True, text=True, timeout=300)
        assert out.returncode in (0, 1), out.stderr
        runs.append(out.stdout.splitlines()[:2])
    assert (data / "审核结果" / ".evaltools-output").exists()
    assert any((data / "审核结果" / "annotated").rglob("*.xlsx"))
    assert runs[0] == runs[1] and "8 份" in runs[0][0], runs
