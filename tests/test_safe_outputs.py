"""Every CSV and Excel file evaltools writes keeps hostile form text inert, and is marked as an output.

The hostile texts are typed into real workbooks (project name, indicator name, 偏差原因), the real
CLI writes every output, and every output is read back: CSV with the csv module, xlsx with openpyxl
and as raw XML. The checks below use their own predicates, not the ones of ``evaltools.safeio``.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import formkit as fk
import openpyxl
import pandas as pd
import pytest

from evaltools.safeio import (
    TRUNCATED_MARK,
    is_evaltools_output,
    needs_guard,
    put_cell,
    write_csv,
)

ROOT = Path(__file__).resolve().parents[1]
LONG = "长" * 40000
ORDINARY = "按计划完成全部调研任务"
CONTROL = "控制\x01字符\x1f文本"
HOSTILE = ['=HYPERLINK("http://x","点我")', "@SUM(1+1)", "+cmd|' /C calc'!A0", "-2+3", "\t=1", "\r=1", "=36万元",
           "＝1+1", CONTROL, LONG]
NUMBER = -5  # typed as the 得分 of the first indicator: a number, never quoted
LIMIT = 32767
NUMBER_RE = re.compile(r"-?\d+(\.\d+)?(e[-+]?\d+)?")
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# the loader trims leading blanks, so "\t=1" and "\r=1" arrive as "=1"; the guard must hold either way
LOADED = {h: h.strip() for h in HOSTILE if h not in (CONTROL, LONG)}
LOADED_CONTROL = "控制字符文本"


def _formula_like(text: str) -> bool:
    """A text a spreadsheet could evaluate: OWASP's leading characters, after blanks, or full-width."""
    if text[:1] in ("\t", "\r"):
        return True
    return text.lstrip(" \t\r\n\u3000\u00a0")[:1] in tuple("=+-@＝＋－＠")


def _forms(texts) -> list[tuple[str, fk.Form]]:
    sheets = []
    for i, text in enumerate(texts):
        form = fk.set_cells(fk.seed_form(0), {(3, 4): text, (16, 5): text, (16, 12): text, (17, 12): ORDINARY,
                                              (16, 11): NUMBER})
        sheets.append((f"S{i}", form))
    return sheets


def _cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evaltools", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=600)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """A folder of hostile forms, and every output the CLI writes from it."""
    base = tmp_path_factory.mktemp("hostile")
    data = base / "data"
    data.mkdir()
    # .xls carries control characters (openpyxl refuses them), .xlsx the 40,000-character text (.xls cannot)
    fk.write_xls(data / "敌意甲.xls", _forms([h for h in HOSTILE if h != LONG]))
    fk.write_xlsx(data / "敌意乙.xlsx", _forms([h for h in HOSTILE if h != CONTROL]))
    out = base / "out"
    runs = [_cli("audit", data, "-o", out, cwd=base), _cli("load", data, "--to", out / "x.csv", cwd=base),
            _cli("load", data, "--to", out / "x.xlsx", cwd=base)]
    for run in runs:
        assert run.returncode in (0, 1), run.stderr  # 1: the forms have problems, as intended
    return {"data": data, "out": out, "runs": runs}


def _csv_cells(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _csv_column(path: Path, name: str) -> list[str]:
    rows = _csv_cells(path)
    i = rows[0].index(name)
    return [r[i] for r in rows[1:]]


def _xlsx_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.xlsx") if not p.name.startswith(("~$", ".")))


def test_every_output_was_written(outputs):
    out = outputs["out"]
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    for name in ("findings.csv", "form_scores.csv", "indicator_scores.csv", "load_errors.csv", "findings.xlsx",
                 "x.xlsx", "x.projects.csv", "x.indicators.csv", "x.cells.csv", "annotated/敌意甲.xlsx",
                 "annotated/敌意乙.xlsx"):
        assert name in names, (name, sorted(names))


def test_no_csv_cell_is_formula_like_or_dirty(outputs):
    csvs = sorted(outputs["out"].glob("*.csv"))
    assert len(csvs) == 4 + 7
    for path in csvs:
        for r, row in enumerate(_csv_cells(path)):
            for c, cell in enumerate(row):
                where = (path.name, r, c, cell[:40])
                assert NUMBER_RE.fullmatch(cell) or not _formula_like(cell), where  # -5.0 is a number
                assert not CONTROL_RE.search(cell.replace("\t", "").replace("\r", "")), where
                assert "\x01" not in cell and "\x1f" not in cell, where
                assert len(cell) <= LIMIT, where


def test_csv_keeps_hostile_text_quoted_and_ordinary_text_and_numbers_as_they_are(outputs):
    out = outputs["out"]
    for path in (out / "x.projects.csv", out / "form_scores.csv"):
        names = _csv_column(path, "project_name")
        for loaded in LOADED.values():
            assert "'" + loaded in names, (path.name, loaded)
        assert LOADED_CONTROL in names
        assert "长" * 100 in "".join(names) and all(len(n) <= LIMIT for n in names)
    indicators = pd.read_csv(out / "x.indicators.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert ORDINARY in indicators["deviation_reason"].tolist()
    assert "'=36万元" in indicators["deviation_reason"].tolist() and "'＝1+1" in indicators["name"].tolist()
    assert set(indicators.loc[indicators["name"] == "'-2+3", "score"]) == {"-5.0"}  # the number: no quote
    scores = _csv_column(out / "indicator_scores.csv", "score_printed")
    assert "-5.0" in scores and not any(s.startswith("'") for s in scores)
    # the seed's own target "=6人" too
    assert "'=6人" in _csv_column(out / "indicator_scores.csv", "target")
    # a message quoting the 32,767-character project name is cut, and says so
    messages = _csv_column(out / "findings.csv", "message")
    long = [m for m in messages if len(m) > 30000]
    assert long and all(len(m) == LIMIT and m.endswith(TRUNCATED_MARK) for m in long)


def test_no_xlsx_cell_is_a_formula_or_dirty(outputs):
    files = _xlsx_files(outputs["out"])
    assert len(files) == 4  # findings.xlsx, x.xlsx and the two annotated copies
    for path in files:
        wb = openpyxl.load_workbook(path)
        for ws in wb:
            for row in ws.iter_rows():
                for c in row:
                    where = (path.name, ws.title, c.coordinate, str(c.value)[:40])
                    assert c.data_type != "f", where
                    if isinstance(c.value, str):
                        assert c.data_type == "s", where
                        assert not CONTROL_RE.search(c.value), where
                        assert len(c.value) <= LIMIT, where
                        if _formula_like(c.value):
                            assert c.quotePrefix, where  # stays text when the reviewer edits the cell
                    if c.comment is not None:
                        assert not CONTROL_RE.search(c.comment.text) and len(c.comment.text) <= LIMIT, where
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    xml = z.read(name).decode("utf-8")
                    assert "<f>" not in xml and "<f " not in xml, (path.name, name)


def test_xlsx_keeps_hostile_text_exactly_and_numbers_as_numbers(outputs):
    out = outputs["out"]
    x = openpyxl.load_workbook(out / "x.xlsx")
    head = [c.value for c in x["项目"][1]]
    names = [r[head.index("project_name")] for r in x["项目"].iter_rows(min_row=2, values_only=True)]
    for loaded in LOADED.values():
        assert loaded in names, loaded  # string cells: no visible quote, the text exactly as typed
    assert LOADED_CONTROL in names and ("长" * LIMIT) in names
    f = openpyxl.load_workbook(out / "findings.xlsx")
    ind = f["指标"]
    head = [c.value for c in ind[1]]
    rows = [dict(zip(head, r)) for r in ind.iter_rows(min_row=2, values_only=True)]
    hostile_rows = [r for r in rows if r["三级指标"] == "-2+3"]
    assert hostile_rows and all(r["得分（表内）"] == NUMBER for r in hostile_rows)
    assert ORDINARY not in [r["三级指标"] for r in rows] and "扶贫帮扶辐射范围" in [r["三级指标"] for r in rows]
    messages = [c.value for c in f["问题清单"]["F"] if isinstance(c.value, str)]
    long = [m for m in messages if len(m) > 30000]
    assert long and all(len(m) == LIMIT and m.endswith(TRUNCATED_MARK) for m in long)


def test_annotated_copies_keep_form_text_and_comments_clean(outputs):
    out = outputs["out"] / "annotated"
    xls_copy = openpyxl.load_workbook(out / "敌意甲.xlsx")  # rebuilt from values: written cell by cell
    assert xls_copy["S0"]["D3"].value == LOADED[HOSTILE[0]] and xls_copy["S0"]["D3"].quotePrefix
    assert xls_copy["S8"]["D3"].value == LOADED_CONTROL
    assert xls_copy["S0"]["K16"].value == NUMBER and xls_copy["S0"]["K16"].data_type == "n"
    copy = openpyxl.load_workbook(out / "敌意乙.xlsx")  # the original workbook with comments added
    assert copy["S0"]["E16"].value == HOSTILE[0] and copy["S0"]["E16"].data_type == "s"
    comments = [c.comment.text for ws in copy for row in ws.iter_rows() for c in row if c.comment]
    assert comments and any(HOSTILE[0] in t for t in comments)


def test_every_workbook_written_is_marked_and_sources_are_not(outputs):
    out, data = outputs["out"], outputs["data"]
    for path in _xlsx_files(out):
        assert is_evaltools_output(path), path
    assert not is_evaltools_output(data / "敌意乙.xlsx")
    assert not is_evaltools_output(data / "敌意甲.xls")  # not a zip at all
    assert not is_evaltools_output(out / "findings.csv")
    assert not is_evaltools_output(out / "does-not-exist.xlsx")
    broken = out.parent / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert not is_evaltools_output(broken)


def test_marker_survives_an_editor_that_keeps_only_one_of_the_two_marks(outputs, tmp_path):
    src = outputs["out"] / "x.xlsx"
    for drop in ("docProps/custom.xml", "docProps/core.xml"):
        dest = tmp_path / f"without-{Path(drop).stem}.xlsx"
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
            for item in zin.infolist():
                if item.filename != drop:
                    zout.writestr(item, zin.read(item.filename))
        assert is_evaltools_output(dest), drop
    with zipfile.ZipFile(src) as z:
        assert "evaltools-output" in z.read("docProps/core.xml").decode("utf-8")
        assert 'name="evaltools_output"' in z.read("docProps/custom.xml").decode("utf-8")


# ---------------------------------------------------------------------------------------------
# The writers themselves, on values the loader would have trimmed


WRITER_CASES = [  # (value, expected in CSV)
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("  =1", "'  =1"),
    ("\u3000＋1", "'\u3000＋1"),
    ("＠x", "'＠x"),
    ("-2+3", "'-2+3"),
    ("a-b", "a-b"),
    ("说明：=1", "说明：=1"),
    (ORDINARY, ORDINARY),
    ("", ""),
]


def test_write_csv_guards_text_and_leaves_numbers(tmp_path):
    df = pd.DataFrame({"text": [v for v, _ in WRITER_CASES], "amount": [-5.0] * len(WRITER_CASES),
                       "count": [-5] * len(WRITER_CASES)})
    df.loc[0, "text"] = "=1" + "x" * 40000
    path = write_csv(df, tmp_path / "t.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = _csv_cells(path)
    assert rows[0] == ["text", "amount", "count"]
    got = [r[0] for r in rows[1:]]
    assert got[0].startswith("'=1x") and len(got[0]) == LIMIT and got[0].endswith(TRUNCATED_MARK)
    assert got[1:] == [e for _, e in WRITER_CASES[1:]]
    assert {r[1] for r in rows[1:]} == {"-5.0"} and {r[2] for r in rows[1:]} == {"-5"}


def test_put_cell_stores_text_as_text(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    values = [v for v, _ in WRITER_CASES] + [-5, 2.5, "a\x00b\x0bc\ud800d", "=" + "y" * 40000]
    for r, v in enumerate(values, start=1):
        put_cell(ws.cell(row=r, column=1), v)
    wb.save(tmp_path / "t.xlsx")
    back = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    cells = [back.cell(row=r, column=1) for r in range(1, len(values) + 1)]
    for c, (v, _) in zip(cells, WRITER_CASES):
        if v:  # a carriage return comes back as itself or, where the XML writer left it bare, as a line feed
            assert c.value in (v, v.replace("\r", "\n")) and c.data_type == "s", repr(v)
            assert bool(c.quotePrefix) == _formula_like(v), repr(v)
        else:
            assert c.value is None
    n = len(WRITER_CASES)
    assert cells[n].value == -5 and cells[n].data_type == "n" and not cells[n].quotePrefix
    assert cells[n + 1].value == 2.5
    assert cells[n + 2].value == "abcd"
    assert len(cells[n + 3].value) == LIMIT and cells[n + 3].value.endswith(TRUNCATED_MARK)
    assert cells[n + 3].data_type == "s"


@pytest.mark.parametrize("text,expected", [("=1", True), ("+1", True), ("-1", True), ("@a", True), ("\t1", True),
                                           ("\r1", True), (" =1", True), ("\u00a0@a", True), ("＝1", True),
                                           ("'=1", False), ("1-2", False), ("", False), ("   ", False),
                                           ("\n=1", True), ("中文", False)])
def test_needs_guard(text, expected):
    assert needs_guard(text) is expected
    assert _formula_like(text) is expected
