"""The Word reader (read_docx) and the annotated Word copy (annotate_docx), below the loader: the
grids read from the seed forms' .docx (data/published/docx, built by scripts/published_docx.py)
give the workbooks' records field by field; the table XML (gridSpan, vMerge, gridBefore/After,
short rows, nested tables, content controls) lands on the right grid cells; bad files raise the
right codes; the copy shades and comments the cells its refs name and leaves the source alone."""

from __future__ import annotations

import io
import math
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import need_system

from evaltools.errors import ReadError
from evaltools.forms import read_forms
from evaltools.read import read_workbook
from evaltools.read_docx import MAX_DOCUMENT_BYTES, doc_to_docx, read_docx

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "huguan-2021"
DOCX = ROOT / "data" / "published" / "docx"
DOC = ROOT / "data" / "published" / "doc"
SEEDS = sorted(SEED.glob("*.xlsx"))
NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _read(path: Path):
    return read_docx(path, path.read_bytes())


def _same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= 1e-9
    if isinstance(a, str) and isinstance(b, str):
        return re.sub(r"\s", "", a) == re.sub(r"\s", "", b)
    return a == b


def _differences(want: dict, got: dict, where: str, skip=()) -> list[str]:
    return [f"{where}.{k}: workbook {want[k]!r}, Word {got.get(k)!r}" for k in want
            if k not in skip and (k not in got or not _same(want[k], got[k]))]


def _compare(want, got, name: str, skip=()) -> list[str]:
    """Every field of the project, each funds line and each indicator (``skip``: fields left out)."""
    out = _differences(want.project, got.project, f"{name} project", skip)
    for table in ("funds", "indicators"):
        a, b = getattr(want, table), getattr(got, table)
        if len(a) != len(b):
            out.append(f"{name} {table}: {len(a)} lines in the workbook, {len(b)} in Word")
        for i, (x, y) in enumerate(zip(a, b)):
            out += _differences(x, y, f"{name} {table}[{i}]", skip)
    return out


def _workbook_form(path: Path):
    (form,) = read_forms(read_workbook(path).sheets[0])
    return form


# --------------------------------------------------------------------------------------------
# The seed forms


def test_fixtures_cover_every_seed_form():
    assert len(SEEDS) == 8
    assert sorted(p.stem for p in DOCX.glob("0*.docx")) == [p.stem for p in SEEDS]
    assert (DOCX / "report_two_forms.docx").is_file() and len(list(DOC.glob("*.doc"))) == 1


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:2])
def test_each_seed_docx_gives_the_workbooks_records(seed):
    book = _read(DOCX / f"{seed.stem}.docx")
    assert [g.name for g in book.sheets] == ["表1"]
    (grid,) = book.sheets
    forms = read_forms(grid)
    assert len(forms) == 1
    want, got = _workbook_form(seed), forms[0]
    assert _compare(want, got, seed.stem[:2]) == []
    assert got.project["year"] == 2021 and "自评表" in got.project["title"]
    assert not [e for e in got.errors if e[3] == "error"]
    # the grid as the brief says: rectangular text, merges on top-left cells, a place per top-left cell
    assert len({len(r) for r in grid.rows}) == 1 and all(isinstance(v, str) for r in grid.rows for v in r)
    assert all(v == v.strip() for r in grid.rows for v in r)
    covered = {(r, c) for r0, c0, r1, c1 in grid.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
               if (r, c) != (r0, c0)}
    assert all(grid.rows[r][c] == "" for r, c in covered)
    for r, row in enumerate(grid.rows):
        for c, v in enumerate(row):
            if v:
                assert (r, c) in grid.places and grid.places[(r, c)].page == 0
    assert grid.places[(0, 0)].ref == "0:p:0" and grid.places[(1, 0)].ref == "0:p:1"
    assert re.fullmatch(r"0:0:\d+", grid.places[(2, 0)].ref)


def test_title_lines_keep_the_year():
    (grid,) = _read(DOCX / f"{SEEDS[0].stem}.docx").sheets
    assert grid.rows[1][0] == "（2021年度）"
    assert grid.rows[0][0].endswith("项目绩效自评表")


def test_a_table_holding_the_title_rows_reads_the_same(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from published_docx import grid_to_docx

    seed = SEEDS[4]
    path = grid_to_docx(read_workbook(seed).sheets[0], tmp_path / "whole.docx", title_paragraphs=False)
    (grid,) = _read(path).sheets
    assert grid.places[(0, 0)].ref.startswith("0:0:")  # no paragraph rows: the title is in the table
    (form,) = read_forms(grid)
    want = _workbook_form(seed)
    assert _differences(want.project, form.project, "project") == []
    assert len(form.indicators) == len(want.indicators)


def test_the_fixture_builder_is_deterministic(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from published_docx import grid_to_docx

    grid = read_workbook(SEEDS[1]).sheets[0]
    a = grid_to_docx(grid, tmp_path / "a.docx").read_bytes()
    b = grid_to_docx(grid, tmp_path / "b.docx").read_bytes()
    assert a == b


def test_a_report_with_two_forms_gives_two_grids_and_two_forms():
    book = _read(DOCX / "report_two_forms.docx")
    assert [g.name for g in book.sheets] == ["表1", "表2"]
    forms = [read_forms(g) for g in book.sheets]
    assert [len(f) for f in forms] == [1, 1]
    names = [f[0].project["project_name"] for f in forms]
    assert names == [_workbook_form(p).project["project_name"] for p in SEEDS[:2]]
    for f, seed in zip(forms, SEEDS[:2]):  # the prose above shifts the rows: ``row`` aside, all the same
        assert _compare(_workbook_form(seed), f[0], seed.stem[:2], skip={"row"}) == []
    first, second = book.sheets
    assert first.rows[0][0].endswith("自评报告")
    assert any(r[0].startswith("二、自评结论") for r in second.rows[:3])  # the prose between: above form 2
    assert second.rows[-1][0].startswith("三、下一步工作")  # after the last table: below it
    assert second.places[(second.height - 1, 0)].ref == "2:p:0"


@pytest.mark.needs_system
def test_a_legacy_doc_is_converted_and_read():
    import shutil as sh

    need_system(sh.which("soffice") is not None, "LibreOffice (soffice)")
    doc = next(DOC.glob("*.doc"))
    assert doc.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    book = _read(doc)
    (form,) = read_forms(book.sheets[0])
    seed = SEED / f"{doc.stem}.xlsx"
    assert _compare(_workbook_form(seed), form, doc.stem[:2]) == []


@pytest.mark.needs_system
def test_a_doc_libreoffice_cannot_open_is_doc_convert_failed():
    need_system(shutil.which("soffice") is not None, "LibreOffice (soffice)")
    with pytest.raises(ReadError) as err:
        read_docx(Path("broken.doc"), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000)
    assert err.value.code == "doc-convert-failed" and 0 < len(err.value.fields["detail"]) <= 120


def test_without_libreoffice_a_doc_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH holding no soffice
    with pytest.raises(ReadError) as err:
        doc_to_docx(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert err.value.code == "doc-needs-libreoffice" and "LibreOffice" in err.value.message


# --------------------------------------------------------------------------------------------
# Bad files


def _docx(tmp_path: Path, name: str, build) -> Path:
    import docx

    doc = docx.Document()
    build(doc)
    path = tmp_path / name
    doc.save(path)
    return path


def _code(path_or_bytes, name="x.docx") -> str:
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    with pytest.raises(ReadError) as err:
        read_docx(Path(name), data)
    assert re.search(r"[\u4e00-\u9fff]", err.value.message)
    return err.value.code


def test_an_encrypted_docx_is_docx_encrypted():
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(DOCX / f"{SEEDS[1].stem}.docx", "rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    assert _code(out.getvalue()) == "docx-encrypted"


def test_damaged_files_are_docx_corrupt(tmp_path):
    good = (DOCX / f"{SEEDS[1].stem}.docx").read_bytes()
    assert _code(good[:3000]) == "docx-corrupt"
    assert _code(b"") == "docx-corrupt"
    assert _code(b"%PDF-1.4 not a Word file") == "docx-corrupt"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/styles.xml", "<x/>")
    assert _code(buf.getvalue()) == "docx-corrupt"  # no word/document.xml
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document " + W_NS + "><w:body><w:p>")
    assert _code(buf.getvalue()) == "docx-corrupt"  # the XML breaks off


def test_a_document_xml_inflating_past_the_limit_is_refused_unread():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w:document " + W_NS.encode() + b">" + b" " * MAX_DOCUMENT_BYTES)
    assert len(buf.getvalue()) < 1 << 20
    with pytest.raises(ReadError) as err:
        read_docx(Path("bomb.docx"), buf.getvalue())
    assert err.value.code == "docx-corrupt" and "64 MB" in err.value.fields["detail"]
    assert len(err.value.fields["detail"]) <= 120


def test_a_document_without_a_table_is_docx_no_table(tmp_path):
    path = _docx(tmp_path, "prose.docx", lambda d: (d.add_paragraph("本报告没有附表。"), d.add_paragraph("二、结论")))
    assert _code(path) == "docx-no-table"


def _ocr_can_run() -> bool:
    from evaltools.read_docx import _ocr_engine

    return _ocr_engine() is not None


def _two_blank_pictures(tmp_path: Path) -> Path:
    from PIL import Image

    png = tmp_path / "form.png"
    Image.new("RGB", (60, 40), "white").save(png)

    def build(d):
        d.add_paragraph("项目支出绩效自评表")
        d.add_picture(str(png))
        d.add_picture(str(png))

    return _docx(tmp_path, "picture.docx", build)


def test_a_form_pasted_as_a_picture_is_docx_picture_only(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALTOOLS_OCR", "off")  # as where tesseract is not installed
    with pytest.raises(ReadError) as err:
        _read(_two_blank_pictures(tmp_path))
    assert err.value.code == "docx-picture-only" and err.value.fields["n"] == 2
    assert "apt-get install tesseract-ocr tesseract-ocr-chi-sim" in err.value.message


@pytest.mark.needs_system
def test_with_ocr_each_picture_is_a_grid_of_its_own(tmp_path):
    from conftest import need_system

    need_system(_ocr_can_run(), "tesseract with the chi_sim model")
    book = _read(_two_blank_pictures(tmp_path))
    assert [g.name for g in book.sheets] == ["图1", "图2"]
    # a blank picture holds no ruled table: each is refused with the reason, not read as empty
    assert [(g.refused != "", g.problems[0][1]) for g in book.sheets] == [(True, "ocr-no-table")] * 2


# --------------------------------------------------------------------------------------------
# Table XML


def _body_docx(tmp_path: Path, body_xml: str, name: str = "t.docx") -> Path:
    """A python-docx document whose body is ``body_xml`` (``w:`` elements), its section kept."""
    import docx
    from docx.oxml import parse_xml

    doc = docx.Document()
    body = doc.element.body
    for child in list(body):
        if child.tag != NS + "sectPr":
            body.remove(child)
    wrapper = parse_xml(f"<w:body {W_NS}>{body_xml}</w:body>")
    for i, child in enumerate(list(wrapper)):
        body.insert(i, child)
    path = tmp_path / name
    doc.save(path)
    return path


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t xml:space='preserve'>{text}</w:t></w:r></w:p>"


def _tc(text: str = "", span: int = 1, vmerge: str | None = None, body: str | None = None) -> str:
    pr = (f"<w:gridSpan w:val='{span}'/>" if span > 1 else "") + (
        "" if vmerge is None else (f"<w:vMerge w:val='{vmerge}'/>" if vmerge else "<w:vMerge/>"))
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{body if body is not None else _p(text)}</w:tc>"


def _tbl(rows: list[str], cols: int) -> str:
    grid = "".join("<w:gridCol w:w='1000'/>" for _ in range(cols))
    return f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


def test_spans_vertical_merges_and_missing_cells_land_on_grid_columns(tmp_path):
    rows = [
        "<w:tr>" + _tc("项目名称", span=2) + _tc("甲", span=3) + "</w:tr>",
        "<w:tr>" + _tc("项目资金", vmerge="restart") + _tc("年初") + _tc("全年", span=2) + _tc("执行") + "</w:tr>",
        "<w:tr>" + _tc(vmerge="") + _tc("1") + _tc("2", span=2) + _tc("3") + "</w:tr>",
        "<w:tr>" + _tc(vmerge="continue") + _tc("4") + "</w:tr>",  # a short row: its end stays empty
        "<w:tr><w:trPr><w:gridBefore w:val='2'/><w:gridAfter w:val='1'/></w:trPr>" + _tc("右", span=2) + "</w:tr>",
    ]
    path = _body_docx(tmp_path, _p("项目支出绩效自评表") + _p("  ") + _p("（2021年度）") + _tbl(rows, 5))
    (grid,) = _read(path).sheets
    assert grid.rows == [
        ["项目支出绩效自评表", "", "", "", ""],
        ["（2021年度）", "", "", "", ""],
        ["项目名称", "", "甲", "", ""],
        ["项目资金", "年初", "全年", "", "执行"],
        ["", "1", "2", "", "3"],
        ["", "4", "", "", ""],
        ["", "", "右", "", ""],
    ]
    assert sorted(grid.merges) == sorted([(2, 0, 2, 1), (2, 2, 2, 4), (3, 0, 5, 0), (3, 2, 3, 3), (4, 2, 4, 3),
                                          (6, 2, 6, 3)])
    refs = {rc: pl.ref for rc, pl in grid.places.items()}
    assert refs[(0, 0)] == "0:p:0" and refs[(1, 0)] == "0:p:1"  # the blank paragraph is not counted
    assert refs[(2, 0)] == "0:0:0" and refs[(2, 2)] == "0:0:2" and refs[(3, 4)] == "0:1:4"
    assert refs[(6, 2)] == "0:4:2" and (4, 0) not in refs and (5, 0) not in refs  # merged away
    assert refs[(5, 1)] == "0:3:1"


def test_cell_text_paragraphs_breaks_nested_tables_and_content_controls(tmp_path):
    two_paragraphs = _p("  项目管理中存在的") + _p("主要问题 ") + "<w:p/>"
    with_break = "<w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t><w:tab/><w:t>末</w:t></w:r></w:p>"
    tracked = ("<w:p><w:r><w:t>留</w:t></w:r><w:del w:id='1' w:author='a'><w:r><w:delText>删</w:delText></w:r>"
               "</w:del><w:ins w:id='2' w:author='a'><w:r><w:t>增</w:t></w:r></w:ins></w:p>")
    nested = _p("外") + _tbl(["<w:tr>" + _tc("内1") + _tc("") + _tc("内2") + "</w:tr>"], 3) + _p("")
    rows = ["<w:tr>" + _tc(body=two_paragraphs) + _tc(body=with_break) + "</w:tr>",
            "<w:tr>" + _tc(body=tracked) + _tc(body=nested) + "</w:tr>",
            "<w:tr><w:sdt><w:sdtPr/><w:sdtContent>" + _tc("控件") + "</w:sdtContent></w:sdt>" + _tc("") + "</w:tr>"]
    sdt_table = "<w:sdt><w:sdtPr/><w:sdtContent>" + _tbl(["<w:tr>" + _tc("第二表") + "</w:tr>"], 1) + \
        "</w:sdtContent></w:sdt>"
    path = _body_docx(tmp_path, _tbl(rows, 2) + _p("中间") + sdt_table + _p("结尾"))
    first, second = _read(path).sheets
    assert first.rows == [["项目管理中存在的\n主要问题", "第一行\n第二行\t末"], ["留增", "外\n内1\n内2"], ["控件", ""]]
    assert second.rows == [["中间"], ["第二表"], ["结尾"]]
    assert second.places[(1, 0)].ref == "1:0:0" and second.places[(2, 0)].ref == "2:p:0"


def test_a_huge_span_is_bounded(tmp_path):
    rows = ["<w:tr>" + _tc("a", span=10**9) + _tc("b") + "</w:tr>"]
    (grid,) = _read(_body_docx(tmp_path, _tbl(rows, 2))).sheets
    assert grid.width <= 1024 and grid.rows[0][0] == "a"


# --------------------------------------------------------------------------------------------
# The annotated copy


def _tc_at(path: Path, ref: str):
    """The ``w:tc`` element (python-docx/lxml) at a ``t:r:c`` ref of the copy."""
    import docx

    t, r, c = (int(x) for x in ref.split(":"))
    tbl = docx.Document(str(path)).tables[t]._tbl
    tr = tbl.findall(f"{NS}tr")[r]
    trpr = tr.find(f"{NS}trPr")
    col = 0
    if trpr is not None and trpr.find(f"{NS}gridBefore") is not None:
        col = int(trpr.find(f"{NS}gridBefore").get(f"{NS}val"))
    for tc in tr.findall(f"{NS}tc"):
        if col == c:
            return tc
        span = tc.find(f"{NS}tcPr/{NS}gridSpan")
        col += int(span.get(f"{NS}val")) if span is not None else 1
    raise AssertionError(ref)


def test_the_annotated_copy_shades_and_comments_the_referenced_cells(tmp_path):
    from evaltools.annotate_docx import annotate_docx

    src = tmp_path / "form.docx"
    shutil.copy(DOCX / f"{SEEDS[0].stem}.docx", src)
    before = src.read_bytes()
    (grid,) = _read(src).sheets
    name_cell = grid.places[(2, 2)].ref  # the project name
    score_cell = next(pl.ref for (r, c), pl in grid.places.items() if grid.rows[r][c] == "97.5")
    empty_cell = next(pl.ref for (r, c), pl in grid.places.items() if grid.rows[r][c] == "" and ":p:" not in pl.ref)
    title = grid.places[(0, 0)].ref
    marks = [
        {"ref": name_cell, "fill": "FFC7CE", "note": "R-NAME 项目名称与标题不一致"},
        {"ref": score_cell, "fill": "FFEB9C", "note": "R-SCORE 总分与各项得分之和不符\n差 2.5 分"},
        {"ref": name_cell, "fill": "C6EFCE", "note": "R-OTHER 第二条意见"},
        {"ref": empty_cell, "fill": "#ffc7ce", "note": "R-EMPTY 应填未填"},
        {"ref": title, "fill": "BDD7EE", "note": "R-TITLE 标题缺少年度"},
        {"ref": "0:999:0", "fill": "FFC7CE", "note": "R-GONE 不存在的行"},
        {"ref": "7:0:0", "fill": "FFC7CE", "note": "R-GONE 不存在的表"},
        {"ref": "garbage", "fill": "FFC7CE", "note": "R-GONE"},
    ]
    dest = tmp_path / "out" / "form_批注.docx"
    assert annotate_docx(src, dest, marks) == 4
    assert src.read_bytes() == before
    for ref, fill in ((name_cell, "FFC7CE"), (score_cell, "FFEB9C"), (empty_cell, "FFC7CE")):
        tc = _tc_at(dest, ref)
        (shd,) = tc.findall(f"{NS}tcPr/{NS}shd")
        assert shd.get(f"{NS}fill") == fill and shd.get(f"{NS}val") == "clear"
        order = [child.tag for child in tc.find(f"{NS}tcPr")]
        assert order.index(f"{NS}shd") > order.index(f"{NS}tcW")  # schema order kept
        p = tc.find(f"{NS}p")
        assert p.find(f"{NS}commentRangeStart") is not None
    with zipfile.ZipFile(dest) as z:
        comments = z.read("word/comments.xml").decode()
        document = z.read("word/document.xml").decode()
        core = z.read("docProps/core.xml").decode()
    assert comments.count("<w:comment ") == 4 and 'w:author="evaltools"' in comments
    for text in ("R-NAME 项目名称与标题不一致", "R-OTHER 第二条意见", "总分与各项得分之和不符", "差 2.5 分",
                 "R-EMPTY", "R-TITLE"):
        assert text in comments
    assert "R-GONE" not in comments and document.count("<w:commentRangeStart") == 4
    assert "evaltools-output" in core
    # the comment on the cell marked twice holds both notes
    import docx

    copy = docx.Document(str(dest))
    texts = [c.text for c in copy.comments]
    assert any("R-NAME" in t and "R-OTHER" in t for t in texts)
    # the copy reads as the source did: same rows, same refs
    (again,) = _read(dest).sheets
    assert again.rows == grid.rows and {k: v.ref for k, v in again.places.items()} == \
        {k: v.ref for k, v in grid.places.items()}


def test_a_cell_without_a_run_gets_an_empty_run_for_its_comment(tmp_path):
    from evaltools.annotate_docx import annotate_docx

    rows = ["<w:tr>" + _tc("项目名称") + _tc(body="<w:p/>") + "</w:tr>",
            "<w:tr>" + _tc("甲", vmerge="restart") + _tc("x") + "</w:tr>",
            "<w:tr>" + _tc(vmerge="continue") + _tc("y") + "</w:tr>"]
    src = _body_docx(tmp_path, _tbl(rows, 2))
    dest = tmp_path / "copy.docx"
    # the empty cell, and a ref inside a vertical merge (goes to the merge's top cell)
    assert annotate_docx(src, dest, [{"ref": "0:0:1", "fill": "FFC7CE", "note": "空"},
                                     {"ref": "0:2:0", "fill": "FFEB9C", "note": "合并"}]) == 2
    tc = _tc_at(dest, "0:0:1")
    assert tc.find(f"{NS}p/{NS}r") is not None and tc.find(f"{NS}p/{NS}commentRangeStart") is not None
    assert _tc_at(dest, "0:1:0").find(f"{NS}tcPr/{NS}shd").get(f"{NS}fill") == "FFEB9C"
    assert _tc_at(dest, "0:2:0").find(f"{NS}tcPr/{NS}shd") is None
