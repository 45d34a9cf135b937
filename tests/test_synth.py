"""Tests for ``evaltools.synth`` and its writers (``evaltools.synth.render``): real files on disk,
read back.

The truth is checked three ways: against the workbook cells (openpyxl, python-calamine, xlrd),
against a small reference implementation of the rules in rules.md (clean forms trigger none of
them; each injected anomaly triggers its rule), and for determinism.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import sys
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
import pytest
import python_calamine
import xlrd
from openpyxl.utils import column_index_from_string, coordinate_to_tuple

import evaltools
from evaltools import cli, synth
from evaltools.synth.render import MissingDependency, SheetSpec, write_xls, write_xlsx

# --------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    out = tmp_path_factory.mktemp("county")
    return synth.generate(out, **synth.SMALL_COUNTY)


@pytest.fixture(scope="module")
def books(county):
    """Every workbook opened once: path → {sheet name: SheetView}."""
    return {f: _open(county.out_dir / f) for f in {t["file"] for t in county.forms}}


class SheetView:
    """Cell values by 1-based (row, col) and merged ranges, from whichever reader fits."""

    def __init__(self, values: dict, merges: set, types: dict | None = None):
        self.values = values
        self.merges = merges
        self.types = types or {}

    def at(self, a1: str):
        return self.values.get(coordinate_to_tuple(a1))


def _open(path: Path) -> dict[str, SheetView]:
    if path.suffix == ".xls":
        return _open_xls(path)
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        values, types = {}, {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    values[(c.row, c.column)] = c.value
                    types[(c.row, c.column)] = c.data_type
        merges = {(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges}
        out[ws.title] = SheetView(values, merges, types)
    return out


def _open_xls(path: Path) -> dict[str, SheetView]:
    book = xlrd.open_workbook(str(path), formatting_info=True)
    out = {}
    for sh in book.sheets():
        values = {}
        for r in range(sh.nrows):
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                if cell.ctype in (xlrd.XL_CELL_TEXT, xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_BOOLEAN):
                    if cell.ctype == xlrd.XL_CELL_TEXT and cell.value == "":
                        continue
                    values[(r + 1, c + 1)] = cell.value
        merges = {(r0 + 1, c0 + 1, r1, c1) for r0, r1, c0, c1 in sh.merged_cells}
        out[sh.name] = SheetView(values, merges)
    return out


# --------------------------------------------------------------------------------------------
# Parsing printed values the way a reviewer reads them (reference implementation for tests)


def number(value) -> float | None:
    """A printed number: 24, "1,234.5", "85.09%", "50000" → float; n/a markers → None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").rstrip("%")
    if text in ("", "-", "--", "—", "/"):
        return None
    return float(text)


_OPS = (("≥", ">="), ("≤", "<="), ("＝", "="), ("＜", "<"), ("＞", ">"), (">=", ">="),
        ("<=", "<="), ("=", "="), ("<", "<"), (">", ">"))
_QUANT = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(.*)$")


def parse_value(text: str, nature: str = "") -> tuple[str, float, str] | None:
    """(op, number, unit) of a quantitative target/actual, None for qualitative text."""
    text = text.strip()
    op = ""
    for prefix, canonical in _OPS:
        if text.startswith(prefix):
            op, text = canonical, text[len(prefix):]
            break
    for word, canonical in (("不低于", ">="), ("不超过", "<=")):
        if text.startswith(word):
            op, text = canonical, text[len(word):]
    for word, canonical in (("以上", ">="), ("以内", "<=")):
        if text.endswith(word):
            op, text = canonical, text[: -len(word)]
    m = _QUANT.match(text)
    if not m or "年" in m.group(2) and "月" in m.group(2):
        return None
    if not op:
        op = "<=" if nature == "反向" else "="
    return op, float(m.group(1)), m.group(2).strip()


def met(op: str, actual: float, target: float) -> bool:
    return {"=": abs(actual - target) < 1e-9, ">=": actual >= target - 1e-9,
            ">": actual > target, "<=": actual <= target + 1e-9, "<": actual < target}[op]


def formula(op: str, actual: float, target: float, weight: float) -> float:
    if met(op, actual, target):
        return weight
    negative = op in ("<=", "<") or (op == "=" and actual > target)
    if negative:
        return target / actual * weight if actual else weight
    return actual / target * weight if target else weight


EMPTY_REASONS = {"", "无", "暂无", "/", "0"}


def reference_findings(form: dict) -> set[str]:
    """Rule ids from rules.md that fire on one form's truth record (a small reference audit)."""
    found: set[str] = set()
    p, funds, inds = form["project"], form["funds"], form["indicators"]
    total, children = funds[0], funds[1:]
    year = p["year"]
    for fld in ("budget_initial", "budget_full_year", "executed"):
        if abs(total[fld] - sum(c[fld] for c in children)) > 0.011:
            found.add("FUND-SUM")
    inconsistent = "FUND-SUM" in found
    for row in funds:
        if row["budget_full_year"]:
            rate = row["executed"] / row["budget_full_year"] * 100
            if abs(rate - row["exec_rate"]) > 0.0051:
                found.add("FUND-RATE")
            if row["executed"] > row["budget_full_year"] + 1e-9:
                found.add("FUND-OVERSPEND")
        elif row["executed"]:
            found.add("FUND-RATE")
        if row["budget_initial"] != row["budget_full_year"]:
            found.add("FUND-ADJUSTED")
    basis = children if inconsistent else [total]
    full = sum(r["budget_full_year"] for r in basis)
    executed = sum(r["executed"] for r in basis)
    rate = executed / full * 100 if full else 0.0
    if abs(min(rate, 100) / 10 - p["exec_score"]) > 0.0051:
        found.add("EXEC-SCORE")
    weights = [i["weight"] for i in inds]
    if p["exec_weight"] + sum(weights) != p["total_weight"]:
        found.add("WEIGHT-TOTAL")
    by_l1 = defaultdict(float)
    for i in inds:
        by_l1[i["level1"]] += i["weight"]
    for i in inds:
        if i["level1_weight"] is not None and i["level1_weight"] != by_l1[i["level1"]]:
            found.add("WEIGHT-INLINE")
    if dict(by_l1) != {"产出指标": 50, "效益指标": 30, "满意度指标": 10} or p["exec_weight"] != 10:
        found.add("WEIGHT-PROFILE")
    if abs(p["exec_score"] + sum(i["score"] for i in inds) - p["total_score"]) > 0.0051:
        found.add("SCORE-TOTAL")
    if p["total_score"] < p["total_weight"] and p["problems"] in EMPTY_REASONS:
        found.add("TXT-NO-PROBLEMS")
    for i in inds:
        if i["score"] < 0 or i["score"] > i["weight"]:
            found.add("SCORE-RANGE")
        if re.fullmatch(r"指标\d+", i["name"]) or "……" in i["name"] or "**" in i["name"]:
            found.add("STR-PLACEHOLDER")
        if ("满意" in i["name"]) != (i["level1"] == "满意度指标"):
            found.add("CLASS-SATISFACTION")
        _value_findings(i, year, found)
    quant = [(parse_value(i["adjusted_target"] or i["target"], i["nature"]),
              parse_value(i["actual"])) for i in inds]
    quant = [(t, a) for t, a in quant if t and a]
    if quant and sum(abs(t[1] - a[1]) < 1e-9 for t, a in quant) / len(quant) >= 0.9:
        found.add("VAL-COPIED")
    costs = [parse_value(i["actual"]) for i in inds if i["level2"] == "成本指标"]
    cost_targets = [parse_value(i["adjusted_target"] or i["target"]) for i in inds
                    if i["level2"] == "成本指标"]
    if costs and all(costs):
        if sum(c[1] for c in costs if c[2] == "万元") > p["executed"] + 0.011:
            found.add("COST-EXCEEDS-EXECUTED")
        planned = sum(c[1] for c in cost_targets if c and c[2] == "万元")
        if planned and 5000 < p["budget_full_year"] / planned < 20000:
            found.add("COST-UNIT-SCALE")
    sats = [i for i in inds if i["level1"] == "满意度指标" and "满意" in i["name"]]
    if not sats or all(i["weight"] == 0 for i in sats):
        found.add("SAT-MISSING")
    texts = [p[k] for k in synth._PROJECT_KEYS if isinstance(p[k], str)]
    if any("……" in t or "**" in t or "(100字以内)" in t for t in texts):
        found.add("STR-PLACEHOLDER")
    if p["goal_actual"] in ("已完成", "完成"):
        found.add("TXT-GOAL-BARE")
    if rate < 90 and "执行" not in p["problems"] and not any(i["deviation_reason"] for i in inds):
        found.add("EXEC-NO-REASON")
    if rate < 80 and p["total_score"] >= 90:
        found.add("EXEC-LOW-HIGH")
    out = {i["level2"] for i in inds if i["level1"] == "产出指标"}
    if not {"数量指标", "质量指标", "时效指标", "成本指标"} <= out:
        found.add("STR-CATEGORY-MISSING")
    return found


def _value_findings(i: dict, year: int, found: set[str]) -> None:
    target = parse_value(i["adjusted_target"] or i["target"], i["nature"])
    actual = parse_value(i["actual"])
    lost = i["score"] < i["weight"]
    missed = False
    if target and actual:
        op, t, unit = target
        missed = not met(op, actual[1], t)
        if missed and i["score"] >= i["weight"] and i["weight"] > 0:
            found.add("SCORE-MISSED-FULL")
        if i["score"] > formula(op, actual[1], t, i["weight"]) + 0.5:
            found.add("SCORE-INFLATED")
        if op in ("<=",) and t == 100 and unit == "%" and ("率" in i["name"] or "覆盖" in i["name"]
                                                          or "度" in i["name"]):
            found.add("VAL-VACUOUS")
        if "满意" in i["name"] and op in (">=", "=") and t >= 100:
            found.add("VAL-VACUOUS")
        if op in (">=", ">") and t and actual[1] >= 1.3 * t:
            missed = True  # overshoot needs an explanation too
        if unit != actual[2]:
            found.add("VAL-UNIT-MISMATCH")
    elif target is None and i["level2"] in ("数量指标", "成本指标"):
        found.add("VAL-VAGUE")
    elif target is None and re.search(r"率|数|成本|时间", i["name"]):
        found.add("VAL-VAGUE")
    if i["actual"] == "部分达成":
        missed = True
    if (lost or missed) and i["deviation_reason"] in EMPTY_REASONS:
        found.add("DEV-MISSING")
    if i["level2"] == "时效指标":
        years = {int(y) for y in re.findall(r"(20\d\d)年", i["target"] + i["actual"])}
        if years and years != {year}:
            found.add("YEAR-MISMATCH")


INFO_RULES = {"FUND-ADJUSTED", "TXT-GOAL-BARE", "VAL-COPIED"}


# --------------------------------------------------------------------------------------------
# The writers (synth.render: XlsxWriter for .xlsx, xlwt for .xls)


def test_xlsx_writer_keeps_text_and_merges(tmp_path):
    cells = {(1, 2): "标题", (2, 8): 2021, (3, 4): "=6人", (4, 4): "-", (4, 5): "+1", (4, 6): "@x",
             (5, 5): 93.63, (6, 6): "  其中：中央\n资金", (7, 7): True, (8, 8): "a&b<c>"}
    merges = [(1, 2, 1, 7), (3, 4, 3, 13)]
    path = write_xlsx(tmp_path / "t.xlsx", [SheetSpec("Sheet2", cells, merges, {2: 10}),
                                             SheetSpec("填表说明", {(1, 1): "说明"})])
    ws = openpyxl.load_workbook(path)["Sheet2"]
    for (r, c), value in cells.items():
        assert ws.cell(r, c).value == value
    for ref in ("D3", "D4", "E4", "F4"):
        assert ws[ref].data_type == "s"
    assert {str(m) for m in ws.merged_cells.ranges} == {"B1:G1", "D3:M3"}
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Sheet2")
    assert sorted(sheet.merged_cell_ranges) == [((0, 1), (0, 6)), ((2, 3), (2, 12))]
    grid = sheet.to_python(skip_empty_area=False)
    assert grid[2][3] == "=6人" and grid[4][4] == 93.63 and grid[1][7] == 2021
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert "xl/sharedStrings.xml" in names and "docProps/core.xml" in names
        assert b"<f>" not in zf.read("xl/worksheets/sheet1.xml")
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())
    again = write_xlsx(tmp_path / "u.xlsx", [SheetSpec("Sheet2", cells, merges, {2: 10}),
                                              SheetSpec("填表说明", {(1, 1): "说明"})])
    assert path.read_bytes() == again.read_bytes()


def test_xls_writer_round_trips(tmp_path):
    cells = {(1, 2): "标题", (2, 8): 2021, (3, 4): "=6人", (5, 5): 93.63}
    path = write_xls(tmp_path / "t.xls", [SheetSpec("Sheet2", cells, [(1, 2, 1, 7)])])
    sh = xlrd.open_workbook(str(path), formatting_info=True).sheet_by_name("Sheet2")
    assert sh.cell_value(2, 3) == "=6人" and sh.cell_value(4, 4) == 93.63
    assert sh.merged_cells == [(0, 1, 1, 7)]
    cal = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Sheet2")
    assert cal.merged_cell_ranges == [((0, 1), (0, 6))]
    again = write_xls(tmp_path / "u.xls", [SheetSpec("Sheet2", cells, [(1, 2, 1, 7)])])
    assert path.read_bytes() == again.read_bytes()


def _calamine_sheets(path: Path) -> dict:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    out = {}
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        out[name] = (sheet.to_python(skip_empty_area=False), sorted(sheet.merged_cell_ranges or []))
    return out


def test_excel_like_workbooks_read_back_identically(tmp_path):
    kwargs = dict(n_forms=14, n_departments=2, seed=1)  # xlsx files of every placement
    plain = synth.generate(tmp_path / "plain", **kwargs)
    excel = synth.generate(tmp_path / "excel", excel_like=True, **kwargs)
    assert excel.truth["params"].pop("excel_like") is True
    assert excel.truth == plain.truth
    rels = sorted(str(p.relative_to(plain.out_dir)) for p in plain.files)
    assert rels == sorted(str(p.relative_to(excel.out_dir)) for p in excel.files)
    layouts = set()
    for rel in rels:
        a, b = plain.out_dir / rel, excel.out_dir / rel
        if rel.endswith(".xls"):  # the legacy variant is written by xlwt either way
            assert a.read_bytes() == b.read_bytes()
            continue
        assert a.read_bytes() != b.read_bytes()
        assert _calamine_sheets(a) == _calamine_sheets(b), rel
        views_a, views_b = _open(a), _open(b)
        assert views_a.keys() == views_b.keys()
        for name in views_a:
            assert views_a[name].values == views_b[name].values, (rel, name)
            assert views_a[name].types == views_b[name].types, (rel, name)
            assert views_a[name].merges == views_b[name].merges, (rel, name)
        layouts.update(f["layout"] for f in excel.truth["files"] if f["file"] == rel)
    assert {"stacked", "multi-sheet"} <= layouts
    xlsx_forms = [f for f in excel.forms if f["file"].endswith(".xlsx")]
    assert {"shifted", "notes-sheet"} <= {v for f in xlsx_forms for v in f["variants"]}

    form = next(f for f in excel.forms if f["variants"] == ["seed"] and f["form_index"] == 0
                and not f["file"].endswith(".xls"))
    with zipfile.ZipFile(excel.out_dir / form["file"]) as zf:
        names = zf.namelist()
        sheet_no = next(i for i, s in enumerate(
            next(f for f in excel.truth["files"] if f["file"] == form["file"])["sheets"], 1)
            if s["name"] == form["sheet"])
        xml = zf.read(f"xl/worksheets/sheet{sheet_no}.xml").decode("utf-8")
        styles = zf.read("xl/styles.xml").decode("utf-8")
        plain_xml = zipfile.ZipFile(plain.out_dir / form["file"]).read(
            f"xl/worksheets/sheet{sheet_no}.xml").decode("utf-8")
    assert "xl/theme/theme1.xml" in names and "docProps/app.xml" in names
    assert "docProps/core.xml" in names and "xl/sharedStrings.xml" in names
    # Empty cells of the form are present with a style: the margin column, a merged
    # continuation cell of the title (B1:G1), and padding beyond the form out to column Y.
    for ref in ("A1", "C1", "G1", "N3", "Y3"):
        assert re.search(rf'<c r="{ref}" s="\d+"/>', xml), ref
        assert f'<c r="{ref}"' not in plain_xml
    last = form["indicators"][-1]["row"]
    assert re.search(rf'<c r="Y{last}" s="\d+"/>', xml)
    assert re.search(r'<row r="3" spans="1:25" ht="[\d.]+" customHeight="1">', xml)
    n_cells = xml.count("<c r=")
    assert n_cells >= 25 * (coordinate_to_tuple(form["form_range"].split(":")[1])[0] - 1)
    assert n_cells > 4 * plain_xml.count("<c r=")
    for part in ("<pageMargins", "<pageSetup", "<printOptions", "<cols>", "<mergeCells"):
        assert part in xml, part
    assert "<f>" not in xml
    assert "宋体" in styles and 'style="thin"' in styles and 'wrapText="1"' in styles
    assert 'orientation="landscape"' in xml and 'fitToPage="1"' in xml

    # The formats as a reader sees them: title, bordered body, long text, numbers, padding.
    ws = openpyxl.load_workbook(excel.out_dir / form["file"])[form["sheet"]]
    title, label, pad = ws["B1"], ws["B3"], ws["Y3"]
    assert (title.font.name, title.font.sz, title.font.b) == ("宋体", 16, True)
    assert title.border.left.style is None and title.alignment.horizontal == "center"
    assert (label.font.name, label.font.sz) == ("宋体", 10)
    assert [s.style for s in (label.border.left, label.border.right, label.border.top,
                              label.border.bottom)] == ["thin"] * 4
    assert (label.alignment.horizontal, label.alignment.vertical, label.alignment.wrap_text) == (
        "center", "center", True)
    # a merged continuation cell carries its anchor's format (openpyxl does not read it back)
    anchor_style = re.search(r'<c r="B1" (s="\d+")', xml).group(1)
    assert f'<c r="C1" {anchor_style}/>' in xml and f'<c r="G1" {anchor_style}/>' in xml
    assert pad.border.left.style is None and pad.font.sz == 10
    amount = ws[f"{form['fund_columns']['budget_full_year']}{form['funds'][0]['row']}"]
    if isinstance(amount.value, (int, float)):
        assert amount.alignment.horizontal == "right" and amount.number_format == "General"
    goal = ws[form["cells"]["goal_expected"]]
    assert goal.alignment.horizontal == "left" and goal.alignment.wrap_text
    assert {c.fill.fill_type for c in (title, label, pad, goal)} == {None}
    widths = {c: ws.column_dimensions[c].width for c in "ABE"}
    assert widths == {"A": 3, "B": 9, "E": 24}
    assert ws.row_dimensions[1].height == 30 and ws.row_dimensions[3].height >= 22.5
    assert all(ws.row_dimensions[r].height % 0.75 == 0 for r in range(1, last + 1))


def test_generate_corpus_is_excel_like_by_default(tmp_path):
    manifest = synth.generate_corpus(tmp_path, 8, seed=2)
    assert manifest.truth["params"]["excel_like"] is True
    xlsx = [p for p in manifest.files if p.suffix == ".xlsx"]
    assert xlsx
    for path in xlsx:
        with zipfile.ZipFile(path) as zf:
            assert "xl/theme/theme1.xml" in zf.namelist()
            sheets = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/")]
            assert any(re.search(r'<c r="Y\d+" s="\d+"/>', xml) for xml in sheets)


def test_writer_rejects_bad_sheet_names(tmp_path):
    with pytest.raises(ValueError):
        write_xlsx(tmp_path / "x.xlsx", [SheetSpec("a/b", {})])
    with pytest.raises(ValueError):
        write_xlsx(tmp_path / "x.xlsx", [SheetSpec("S", {}), SheetSpec("s", {})])


def test_plain_writer_formats_only_the_written_cells(tmp_path):
    cells = {(1, 2): "标题", (3, 4): "=36万元", (5, 5): 93.63}
    path = write_xlsx(tmp_path / "p.xlsx", [SheetSpec("Sheet2", cells, [(1, 2, 1, 7)], {2: 10, 5: 24}),
                                             SheetSpec("填表说明", {(1, 1): "说明"}, style=0)])
    book = openpyxl.load_workbook(path)
    ws = book["Sheet2"]
    for ref in ("B1", "D3", "E5"):
        cell = ws[ref]
        assert (cell.font.name, cell.font.sz) == ("宋体", 11)
        assert cell.border.top.style == "thin" and cell.alignment.wrap_text
        assert cell.alignment.horizontal == "center" and cell.alignment.vertical == "center"
    assert ws["D3"].data_type == "s" and ws["D3"].value == "=36万元"
    assert ws.column_dimensions["B"].width == 10 and ws.column_dimensions["E"].width == 24
    notes = book["填表说明"]["A1"]
    assert notes.border.top.style is None and notes.alignment.horizontal is None
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert '<c r="C1"' not in sheet  # a merge's empty continuation cells are not written


def test_xlsx_writer_same_input_same_bytes_and_dates(tmp_path):
    from datetime import datetime, timezone

    sheets = [SheetSpec("Sheet1", {(1, 1): "a", (2, 2): 1.5}, [(1, 1, 1, 3)], blocks=[(1, 1, 2, 3)])]
    when = datetime(2023, 1, 15, 8, 0, tzinfo=timezone.utc)
    paths = [write_xlsx(tmp_path / f"{k}.xlsx", sheets, created=when, excel_like=True) for k in "ab"]
    assert paths[0].read_bytes() == paths[1].read_bytes()
    with zipfile.ZipFile(paths[0]) as zf:
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())
        assert b"2023-01-15T08:00:00Z" in zf.read("docProps/core.xml")
    other = write_xlsx(tmp_path / "c.xlsx", sheets, excel_like=True)
    assert other.read_bytes() != paths[0].read_bytes()  # only the date differs


def test_excel_like_corpus_same_seed_same_bytes(tmp_path):
    a = synth.generate_corpus(tmp_path / "a", 12, seed=5)
    b = synth.generate_corpus(tmp_path / "b", 12, seed=5)
    assert _digest(a.out_dir) == _digest(b.out_dir)
    assert any(p.suffix == ".xlsx" for p in a.files)
    with zipfile.ZipFile(next(p for p in a.files if p.suffix == ".xlsx")) as zf:
        assert b"2022-01-15T08:00:00Z" in zf.read("docProps/core.xml")  # the year after 2021


def test_missing_writer_says_how_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "xlsxwriter", None)  # makes ``import xlsxwriter`` fail
    with pytest.raises(ImportError, match=r'pip install "evaltools\[synth\]"') as err:
        write_xlsx(tmp_path / "x.xlsx", [SheetSpec("S", {(1, 1): 1})])
    assert "尚未安装" in str(err.value) and isinstance(err.value, MissingDependency)
    with pytest.raises(MissingDependency):
        synth.generate(tmp_path / "county", n_forms=3, n_departments=1)
    assert not list((tmp_path / "county").rglob("*.xls*"))  # refused before the first file
    code = cli.main(["synth", str(tmp_path / "cli"), "--forms", "2"])
    assert code == cli.EXIT_USAGE
    assert 'pip install "evaltools[synth]"' in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# The truth is scored independently of the audit it checks


def _evaltools_imports(path: Path) -> set[str]:
    """Dotted evaltools modules ``path`` imports anywhere (lazy and TYPE_CHECKING imports too)."""
    pkg_root = Path(evaltools.__file__).resolve().parent
    package = ["evaltools", *path.resolve().relative_to(pkg_root).parent.parts]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = base + (node.module.split(".") if node.module else [])
                names = [".".join(target + [a.name]) for a in node.names] if not node.module else []
                found.update([".".join(target)] + names)
            elif node.module and node.module.startswith("evaltools"):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("evaltools"))
    return found


def _module_file(name: str) -> Path | None:
    root = Path(evaltools.__file__).resolve().parent.parent
    for candidate in (root / Path(*name.split(".")) / "__init__.py",
                      root / Path(*name.split(".")).with_suffix(".py")):
        if candidate.exists():
            return candidate
    return None


def test_truth_does_not_import_rules_or_audit():
    # Read from the source: any import of a submodule runs the package face evaltools/__init__,
    # which loads the audit, so sys.modules cannot tell what truth.py itself depends on.
    seen, todo = set(), ["evaltools.synth.truth"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name)
        if path is not None and name != "evaltools":  # the package face is not truth's import
            todo.extend(_evaltools_imports(path))
    assert "evaltools.synth.catalogue" in seen  # the walk does follow truth's imports
    product = {n for n in seen if n.split(".")[1:2] in (["rules"], ["audit"], ["scoring"])}
    assert product == set()


# --------------------------------------------------------------------------------------------
# Determinism


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_different_seed_different(tmp_path):
    kwargs = dict(n_departments=3, projects_per_department=(3, 6))
    a = synth.generate(tmp_path / "a", seed=7, **kwargs)
    b = synth.generate(tmp_path / "b", seed=7, **kwargs)
    c = synth.generate(tmp_path / "c", seed=8, **kwargs)
    assert _digest(a.out_dir) == _digest(b.out_dir)
    assert _digest(a.out_dir) != _digest(c.out_dir)
    assert a.truth == b.truth


# --------------------------------------------------------------------------------------------
# The small county


def test_every_variant_and_anomaly_kind_present(county):
    variants = Counter(v for f in county.forms for v in f["variants"])
    assert set(synth.VARIANTS) <= set(variants), set(synth.VARIANTS) - set(variants)
    kinds = Counter(a["rule"] for a in county.anomalies)
    assert set(synth.ANOMALY_KINDS) <= set(kinds), set(synth.ANOMALY_KINDS) - set(kinds)
    assert 30 <= len(county.forms) <= 60
    assert sum(f["clean"] for f in county.forms) >= len(county.forms) // 3


def test_truth_files_on_disk(county):
    truth = json.loads(county.truth_path.read_text(encoding="utf-8"))
    assert truth == county.truth
    assert county.anomalies_csv.read_text(encoding="utf-8").count("\n") == len(truth["anomalies"]) + 1
    for f in county.files:
        assert f.exists() and "synthetic" in f.name
        assert f.parent.name.startswith("synthetic_")
    for form in county.forms:
        assert set(synth._PROJECT_KEYS) <= set(form["project"])
        assert [i["seq"] for i in form["indicators"]] == list(range(1, len(form["indicators"]) + 1))
        assert 6 <= len(form["indicators"]) <= 12


def test_workbooks_open_with_every_reader(county):
    for path in county.files:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            grid = sheet.to_python(skip_empty_area=False)
            assert grid
            merges = {(r0 + 1, c0 + 1, r1 + 1, c1 + 1)
                      for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])}
            other = _open(path)[name]
            assert merges == other.merges, (path, name)


def test_seed_layout_form(county, books):
    form = next(f for f in county.forms if f["variants"] == ["seed"] and f["form_index"] == 0
                and f["sheet"] == "Sheet2")
    view = books[form["file"]]["Sheet2"]
    n_ind = len(form["indicators"])
    assert form["anchor"] == "B1"
    assert view.at("B1") == form["project"]["project_name"] and view.at("H1") == "项目绩效自评表"
    assert (view.at("G2"), view.at("H2"), view.at("I2")) == ("（", 2021, "年度）")
    assert view.at("B3") == "项目名称" and view.at("D3") == form["project"]["project_name"]
    assert view.at("B4") == "主管部门" and view.at("H4") == "实施单位"
    assert view.at("B5") == "项目资金（万元）"
    assert [view.at(f"{c}5") for c in "FHJKLM"] == ["年初预算数", "全年预算数", "全年执行数",
                                                    "分值", "执行率", "得分"]
    assert view.at("D6") == "年度资金总额" and view.at("D7") == "    其中：中央财政资金"
    assert view.at("K7") == "--" and view.at("M7") == "--"
    assert view.at("B12") == "年度总体目标" and view.at("C12") == "预期目标"
    assert [view.at(f"{c}15") for c in "CDEFGHJKL"] == [
        "一级指标", "二级指标", "三级指标", "年度指标值", "调整后指标值", "实际完成值", "分值",
        "得分", "偏差原因分析及改进措施"]
    assert view.at("B16") == "绩效目标"
    total_row = 16 + n_ind + 1
    assert view.at(f"B{total_row}") == "总分" and view.at(f"J{total_row}") == 100
    assert view.at(f"B{total_row + 2}") == "项目自评结论"
    assert view.at(f"E{total_row + 4}") == "对项目决策的建议："
    for merge in [(1, 2, 1, 7), (1, 8, 1, 13), (3, 2, 3, 3), (3, 4, 3, 13), (4, 4, 4, 7),
                  (4, 10, 4, 13), (5, 2, 11, 3), (5, 4, 5, 5), (6, 4, 6, 5), (6, 6, 6, 7),
                  (6, 8, 6, 9), (12, 2, 13, 2), (12, 3, 12, 7), (12, 8, 12, 13), (15, 8, 15, 9),
                  (15, 12, 15, 13), (16, 2, 15 + n_ind, 2),
                  (total_row + 2, 2, total_row + 9, 2), (total_row + 4, 3, total_row + 9, 4)]:
        assert merge in view.merges, merge


def test_text_values_stay_strings(county, books):
    seen = 0
    for path, sheets in books.items():
        for view in sheets.values():
            for key, value in view.values.items():
                if isinstance(value, str) and value[:1] in "=+-@<>":
                    seen += 1
                    if view.types:
                        assert view.types[key] == "s", (path, key, value)
    assert seen > 100
    targets = [i["target"] for f in county.forms for i in f["indicators"]]
    assert any(t.startswith("=") for t in targets)


def _a1(col: str, row: int) -> str:
    return f"{col}{row}"


def _same(printed, expected) -> bool:
    if expected is None:
        return number(printed) is None
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return printed is not None and abs(number(printed) - expected) < 1e-9
    return (str(printed).strip() if printed is not None else "") == expected


def test_truth_matches_cells(county, books):
    for form in county.forms:
        view = books[form["file"]][form["sheet"]]
        for fld, ref in form["cells"].items():
            if fld.startswith("label:") or fld in ("department", "department_code"):
                continue
            assert _same(view.at(ref), form["project"][fld]), (form["form"], fld, ref)
        dept_cell = str(view.at(form["cells"]["department"]))
        assert form["project"]["department"] in dept_cell
        assert form["project"]["department_code"] in dept_cell
        cols = form["fund_columns"]
        for row in form["funds"]:
            assert str(view.at(_a1(cols["label"], row["row"]))).strip() == row["label"]
            for fld in ("budget_initial", "budget_full_year", "executed", "weight", "exec_rate",
                        "score"):
                printed = view.at(_a1(cols[fld], row["row"]))
                assert _same(printed, row[fld]), (form["form"], row["source"], fld, printed)
        cols = form["indicator_columns"]
        for ind in form["indicators"]:
            for fld in ("name", "target", "actual", "weight", "score", "deviation_reason",
                        "adjusted_target", "nature"):
                if fld not in cols:
                    assert ind[fld] == ""
                    continue
                printed = view.at(_a1(cols[fld], ind["row"]))
                assert _same(printed, ind[fld]), (form["form"], ind["seq"], fld, printed)
            # 一级 and 二级 are printed once per vertical merge: the merge's top cell holds them.
            for fld in ("level1", "level2"):
                col = column_index_from_string(cols[fld])
                top = next((m[0] for m in view.merges if m[1] == col and m[0] <= ind["row"] <= m[2]
                            and m[3] == col), ind["row"])
                text = re.sub(r"\s+", "", str(view.values[(top, col)]))
                assert text.startswith(ind[fld]), (form["form"], fld, text)
                if fld == "level1" and ind["level1_weight"] is not None:
                    assert f"{ind['level1_weight']}分" in text


def test_anomaly_cells_point_at_values(county, books):
    for a in county.anomalies:
        form = county.form(a["form"])
        view = books[a["file"]][a["sheet"]]
        assert a["rule"] in synth.ANOMALY_KINDS and a["detail"]
        for ref in a["cells"]:
            # A missing deviation reason is an empty cell; every other anomaly cell holds a value.
            assert view.at(ref) is not None or a["rule"] == "DEV-MISSING", (a["form"], ref)
        value = view.at(a["cell"])
        p = form["project"]
        expected = {
            "SCORE-TOTAL": p["total_score"],
            "WEIGHT-TOTAL": p["total_weight"],
            "EXEC-SCORE": p["exec_score"],
            "FUND-RATE": p["exec_rate"],
            "COST-UNIT-SCALE": p["budget_full_year"],
            "FUND-OVERSPEND": p["executed"],
            "TXT-BOILERPLATE": synth.BOILERPLATE_TEXT,
        }.get(a["rule"])
        if expected is not None:
            assert _same(value, expected), (a["form"], a["rule"], value)
        if a["rule"] == "FUND-SUM":
            assert _same(value, p["budget_initial"])
        if a["rule"] in ("SCORE-RANGE", "SCORE-MISSED-FULL"):
            ind = next(i for i in form["indicators"] if i["row"] == int(a["cell"][1:]))
            assert _same(value, ind["score"])
        if a["rule"] == "DEV-MISSING":
            assert str(value).strip() in ("", "无") or value is None


def test_clean_forms_trigger_no_rule(county):
    for form in county.forms:
        if not form["clean"]:
            continue
        found = reference_findings(form) - INFO_RULES
        assert not found, (form["form"], found)
        assert set(reference_findings(form)) & INFO_RULES <= set(form["expected_info"])


def test_each_anomaly_triggers_its_rule(county):
    for form in county.forms:
        found = reference_findings(form)
        rules = {a["rule"] for a in form["anomalies"]} - {"TXT-BOILERPLATE"}
        assert rules <= found, (form["form"], rules - found)
        allowed = rules | {c for a in form["anomalies"] for c in a["collateral"]} | INFO_RULES
        assert found <= allowed | {"VAL-COPIED"} if "VAL-COPIED" in rules else found <= allowed, (
            form["form"], found - allowed)


def test_boilerplate_covers_a_whole_department(county):
    by_dept = defaultdict(list)
    for form in county.forms:
        by_dept[form["department_index"]].append(form)
    flagged = {a["form"] for a in county.anomalies if a["rule"] == "TXT-BOILERPLATE"}
    for forms in by_dept.values():
        texts = [f["project"]["suggestion_budget"] for f in forms]
        if any(f["form"] in flagged for f in forms):
            assert all(f["form"] in flagged for f in forms)
            assert set(texts) == {synth.BOILERPLATE_TEXT}
        else:
            for key in ("experience", "suggestion_decision", "suggestion_budget",
                        "suggestion_funds", "suggestion_management"):
                values = [f["project"][key] for f in forms]
                assert len(values) == len(set(values)), key


def test_layout_variants_are_recorded(county, books):
    for form in county.forms:
        v = set(form["variants"])
        view = books[form["file"]][form["sheet"]]
        top = coordinate_to_tuple(form["anchor"])
        assert ("shifted" in v) == (top != (1, 2)) or form["form_index"] > 0
        header = {view.values.get((form["indicators"][0]["row"] - 1, c)) for c in range(1, 40)}
        assert ("指标性质" in header) == ("nature-column" in v)
        assert ("调整后指标值" in header) == ("no-adjusted" not in v)
        assert ("权重" in header) == ("weight-header" in v)
        if "xls" in v:
            assert form["file"].endswith(".xls")
        if "stacked" in v:
            assert sum(f["file"] == form["file"] for f in county.forms) > 1
        if "notes-sheet" in v:
            assert "填表说明" in books[form["file"]]
        if "dept-no-code" in v:
            assert form["project"]["department_code"] == ""


def test_generate_corpus_200_forms(tmp_path):
    manifest = synth.generate_corpus(tmp_path, 200, seed=3)
    assert len(manifest.forms) == 200
    assert all(p.exists() for p in manifest.files)
    assert {v for f in manifest.forms for v in f["variants"]} >= set(synth.VARIANTS)


def test_seed_only_and_no_anomalies(tmp_path):
    manifest = synth.generate(tmp_path, n_forms=6, n_departments=2, variants="seed",
                              anomaly_rate=0)
    assert all(f["variants"] == ["seed"] and f["clean"] for f in manifest.forms)
    assert not manifest.anomalies
    for form in manifest.forms:
        assert not reference_findings(form) - INFO_RULES, form["form"]
