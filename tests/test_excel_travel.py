"""findings.xlsx and the annotated copies travel and print.

The output folder is zipped alone and unzipped far from the data, and every hyperlink of
findings.xlsx is followed there: the links that stay inside the folder (the flagged cell in its
annotated copy) must land on a cell of the copy, and only the 文件 column may leave the folder
(the source cell, for where the data is at hand). Then LibreOffice prints the workbook to PDF and
the pages are measured: landscape A4, one page wide, the header on every page, every message whole.
"""

from __future__ import annotations

import dataclasses
import html
import math
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import formkit as fk
import openpyxl
import pytest
from conftest import SEED_DIR, need_system
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

import evaltools
from evaltools import outputs
from evaltools.excel import annotated_path, annotated_paths, write_findings_workbook

FINDINGS = "问题清单"
PROJECTS = "项目"
SOURCE_HEADER = "文件"  # the column whose link leaves the folder (the source cell)
FUPIN = "01_扶贫调研经费（2020年国库集中支付年终结余资金）.xlsx"
A4 = (841.89, 595.28)  # points, landscape

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


def _audit_out(data: Path, out: Path, *, result=None, book=None, only_book=False) -> outputs.Run:
    """What ``evaltools audit DATA -o OUT`` writes (the registry's audit outputs), and its Run."""
    book = book if book is not None else evaltools.load(data)
    result = result if result is not None else evaltools.audit(book)
    return outputs.write_outputs(outputs.Run(out, book, result, command="audit", only_book=only_book))


def _mail(out: Path, far: Path) -> Path:
    """Zip ``out`` alone and unzip it into ``far``: what the recipient of the folder gets."""
    archive = far.parent / "sent.zip"
    far.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w") as z:
        for p in sorted(out.rglob("*")):
            if p.is_file():
                z.write(p, p.relative_to(out.parent).as_posix())
    with zipfile.ZipFile(archive) as z:
        z.extractall(far)
    return far / out.name


# ---------------------------------------------------------------------------------------------
# Reading the links back: openpyxl, and the raw package parts Excel reads


@dataclasses.dataclass(frozen=True)
class Link:
    sheet: str
    cell: str  # where the link is, in findings.xlsx
    target: str  # as written (percent-encoded, relative to findings.xlsx)
    location: str  # 'Sheet2'!L6


def _raw_links(path: Path) -> set[Link]:
    """Every hyperlink of ``path`` from the XML: sheet → its part → <hyperlink r:id> → the rels target."""
    with zipfile.ZipFile(path) as z:
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
        found = set()
        for sheet in wb.find("m:sheets", _NS):
            part = rels[sheet.get(f"{{{_NS['r']}}}id")].lstrip("/")
            part = part if part.startswith("xl/") else f"xl/{part}"
            rel_part = str(PurePosixPath(part).parent / "_rels" / (PurePosixPath(part).name + ".rels"))
            links = ET.fromstring(z.read(part)).find("m:hyperlinks", _NS)
            if links is None:
                continue
            targets = {}
            for r in ET.fromstring(z.read(rel_part)).findall("p:Relationship", _NS):
                assert r.get("TargetMode") == "External", r.attrib  # a link to another file
                targets[r.get("Id")] = r.get("Target")
            for h in links:
                found.add(Link(sheet.get("name"), h.get("ref"), targets[h.get(f"{{{_NS['r']}}}id")],
                               h.get("location")))
    return found


def _openpyxl_links(path: Path) -> set[Link]:
    wb = openpyxl.load_workbook(path)
    return {Link(ws.title, c.coordinate, c.hyperlink.target, c.hyperlink.location)
            for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.hyperlink is not None}


def _split_location(location: str) -> tuple[str, str]:
    """``'O''Neil'!B3`` → (``O'Neil``, ``B3``)."""
    m = re.fullmatch(r"'((?:[^']|'')*)'!([A-Z]+[0-9]+)", location)
    assert m, location
    return m.group(1).replace("''", "'"), m.group(2)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


class _Workbooks(dict):
    def __missing__(self, path: Path):
        wb = self[path] = openpyxl.load_workbook(path)
        return wb


def _comment_at(ws, ref: str) -> str:
    """The comment shown for ``ref``: its own, or that of the merged range's top-left cell."""
    cell = ws[ref]
    if cell.comment is None:
        for m in ws.merged_cells.ranges:
            if ref in m:
                cell = ws.cell(row=m.min_row, column=m.min_col)
                break
    return cell.comment.text if cell.comment is not None else ""


def _check_links(findings_xlsx: Path, origin: Path, uncopied=frozenset()) -> dict[str, list]:
    """Follow every link of ``findings_xlsx``. Inside the folder: the file exists, the sheet is in
    it, the cell is inside the sheet's used range. Outside: only from the 文件 column (or to a
    source in ``uncopied``, files without a copy), to the source file as seen from ``origin``, the
    folder it was written in. Returns the links inside by (sheet, row), and those outside."""
    folder = findings_xlsx.parent.resolve()
    raw, ours = _raw_links(findings_xlsx), _openpyxl_links(findings_xlsx)
    assert raw == ours and raw  # openpyxl reads back what the package holds
    wb = openpyxl.load_workbook(findings_xlsx)
    headers = {ws.title: {c.column_letter: c.value for c in ws[1]} for ws in wb.worksheets}
    books = _Workbooks()
    inside: dict[tuple[str, int], list[Link]] = {}
    outside: list[Link] = []
    for link in sorted(raw, key=lambda k: (k.sheet, k.cell)):
        assert not link.target.startswith(("/", "file:", "http")), link  # relative, so the folder can move
        target = (folder / unquote(link.target)).resolve()
        letters, row = coordinate_from_string(link.cell)
        if not _inside(target, folder):
            source = (origin / unquote(link.target)).resolve()
            assert source.is_file(), link  # it works beside the data
            assert headers[link.sheet][letters] == SOURCE_HEADER or source in uncopied, link  # only the source links leave
            assert not target.exists(), link  # far from the data, as the recipient has it
            outside.append(link)
            continue
        assert target.is_file(), link
        sheet, ref = _split_location(link.location)
        tb = books[target]
        assert sheet in tb.sheetnames, link
        ws = tb[sheet]
        c_letters, c_row = coordinate_from_string(ref)
        col = column_index_from_string(c_letters)
        assert ws.min_row <= c_row <= ws.max_row and ws.min_column <= col <= ws.max_column, (link, ws.dimensions)
        inside.setdefault((link.sheet, row), []).append(link)
        if link.sheet == FINDINGS:  # the flagged cell: its copy shows the finding there
            rule = wb[FINDINGS].cell(row=row, column=_col(headers[FINDINGS], "规则")).value
            assert rule in _comment_at(ws, ref), (link, rule)
    return {"inside": inside, "outside": outside, "headers": headers}


def _col(headers: dict[str, str], name: str) -> int:
    return column_index_from_string(next(k for k, v in headers.items() if v == name))


@pytest.fixture(scope="module")
def seed_sent(tmp_path_factory):
    """The seed audited beside its data (``here/data``, ``here/out``), the folder mailed far away."""
    base = tmp_path_factory.mktemp("travel")
    data = base / "here" / "data" / "huguan-2021"
    shutil.copytree(SEED_DIR, data)
    run = _audit_out(data, base / "here" / "out")
    far = _mail(run.out, base / "elsewhere" / "inbox" / "mail")
    assert not (far.parent / "data").exists()
    return {"run": run, "far": far, "base": base}


# ---------------------------------------------------------------------------------------------
# (a) links that travel


def test_every_link_resolves_in_the_mailed_folder(seed_sent):
    run, far = seed_sent["run"], seed_sent["far"]
    found = _check_links(far / "findings.xlsx", origin=run.out)
    findings = run.result.findings
    heads = found["headers"][FINDINGS]
    rows = range(2, len(findings) + 2)
    # every finding row has its link inside the folder, on 单元格, to its own cell of its copy
    assert all((FINDINGS, r) in found["inside"] for r in rows)
    cell_col = get_column_letter(_col(heads, "单元格"))
    copies = annotated_paths(run.result, run.book)
    for r, f in zip(rows, findings.itertuples()):
        (link,) = found["inside"][(FINDINGS, r)]
        assert link.cell == f"{cell_col}{r}" and _split_location(link.location) == (f.sheet, f.cell)
        assert unquote(link.target) == copies[f.source_file].as_posix()
    # and its source link on 文件, out of the folder
    src_col = get_column_letter(_col(heads, SOURCE_HEADER))
    out_rows = {int(link.cell[len(src_col):]) for link in found["outside"] if link.sheet == FINDINGS}
    assert out_rows == set(rows)
    assert {unquote(k.target) for k in found["outside"] if k.sheet == FINDINGS} >= {f"../data/huguan-2021/{FUPIN}"}
    # 项目: each form's 工作表 opens its copy at the form's first cell; 文件 opens the source
    projects = run.book.projects
    assert all((PROJECTS, r) in found["inside"] for r in range(2, len(projects) + 2))
    assert len([k for k in found["outside"] if k.sheet == PROJECTS]) == len(projects)


def test_copy_paths_are_the_ones_written(seed_sent):
    run = seed_sent["run"]
    paths = annotated_paths(run.result, run.book, out_dir=run.out)
    copies = [p for p in run.written["annotated"] if p.suffix == ".xlsx"]
    assert sorted(run.out / p for p in paths.values()) == sorted(copies) and len(copies) == 8
    assert paths[str(seed_sent["base"] / "here" / "data" / "huguan-2021" / FUPIN)] == PurePosixPath("annotated", FUPIN)


def test_a_form_without_findings_links_to_its_source(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SEED_DIR, data)
    book = evaltools.load(data)
    result = evaltools.audit(book, only=["FUND-SUM"])
    flagged = set(result.findings["source_file"])
    assert 0 < len(flagged) < len(book.projects)
    run = _audit_out(data, tmp_path / "out", result=result, book=book)
    copies = {p for p in run.written["annotated"] if p.suffix == ".xlsx"}
    assert {run.out / p for p in annotated_paths(result, book).values()} == copies
    far = _mail(run.out, tmp_path / "far" / "away" / "inbox")
    uncopied = {Path(s).resolve() for s in book.projects["source_file"] if s not in flagged}
    found = _check_links(far / "findings.xlsx", origin=run.out, uncopied=uncopied)
    ws = openpyxl.load_workbook(far / "findings.xlsx")[PROJECTS]
    sheet_col = _col(found["headers"][PROJECTS], "工作表")
    by_name = dict(zip(book.projects["project_name"], book.projects["source_file"]))
    for r in range(2, len(book.projects) + 2):
        source = by_name[ws.cell(row=r, column=2).value]
        link = ws.cell(row=r, column=sheet_col).hyperlink
        if source in flagged:
            assert (PROJECTS, r) in found["inside"] and unquote(link.target).startswith("annotated/")
        else:  # no finding, no copy: both of its links go to the source
            assert annotated_path(result, book, source) is None and (PROJECTS, r) not in found["inside"]
            assert unquote(link.target).startswith("../data/")


def _unopenable_xlsm(path: Path) -> Path:
    """An .xlsm that calamine reads and openpyxl cannot open (its document properties are broken)."""
    good = path.with_name("good.xlsx")
    fk.write_xlsx(good, [("Sheet1", fk.seed_form(3))])
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for n in src.namelist():
            dst.writestr(n, b"<broken" if n == "docProps/core.xml" else src.read(n))
    good.unlink()
    return path


# openpyxl, failing on the broken .xlsm, drops the in-memory ZipFile it made for the macros
# unclosed; the garbage collector's complaint about it is no finding of this test
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_converted_cut_and_rebuilt_copies_are_linked_where_written(tmp_path):
    """A .xls (copied as .xlsx), a .xls beside a .xlsx of the same name, a name too long for the
    copy's temporary file, an .xlsm openpyxl cannot open (rebuilt, still .xlsm): findings.xlsx,
    written before the copies, links to each copy where it is then written."""
    data = tmp_path / "data"
    sub = data / "部门甲"
    sub.mkdir(parents=True)
    long_name = "关于" + "某某项目资金" * 12 + ".xls"  # 226 bytes: fits, but leaves no room for a temp name
    fk.write_xls(sub / long_name, [("Sheet1", fk.seed_form(0))])
    fk.write_xls(sub / "同名.xls", [("Sheet1", fk.seed_form(1))])
    fk.write_xlsx(sub / "同名.xlsx", [("Sheet1", fk.seed_form(2))])
    _unopenable_xlsm(data / "宏.xlsm")
    book = evaltools.load(data)
    result = evaltools.audit(book)
    assert set(result.findings["source_file"]) == {str(p) for p in (sub / long_name, sub / "同名.xls",
                                                                       sub / "同名.xlsx", data / "宏.xlsm")}
    paths = annotated_paths(result, book, out_dir=tmp_path / "out")
    run = _audit_out(data, tmp_path / "out", result=result, book=book)
    written = sorted(p for p in run.written["annotated"] if p.name != "README.txt")
    assert sorted(run.out / p for p in paths.values()) == written
    rel = {Path(s).name: p.as_posix() for s, p in paths.items()}
    assert rel["同名.xlsx"] == "annotated/部门甲/同名.xlsx" and rel["同名.xls"] == "annotated/部门甲/同名.xls.xlsx"
    assert rel["宏.xlsm"] == "annotated/宏.xlsm"
    cut = PurePosixPath(rel[long_name])
    assert cut.suffix == ".xlsx" and len(cut.name.encode()) < len(long_name.encode())
    # the names do not depend on the order of the findings (a selection names its copies alike)
    backwards = dataclasses.replace(result, findings=result.findings.iloc[::-1].reset_index(drop=True))
    assert annotated_paths(backwards, book, out_dir=tmp_path / "out") == paths
    # the rebuilt .xlsm is a macro-enabled workbook, as its name says (Excel checks the two agree)
    with zipfile.ZipFile(run.out / rel["宏.xlsm"]) as z:
        assert "macroEnabled.main+xml" in z.read("[Content_Types].xml").decode()
    assert openpyxl.load_workbook(run.out / rel["宏.xlsm"], keep_vba=True)["Sheet1"]["D3"].value
    readme = (run.out / "annotated" / "README.txt").read_text(encoding="utf-8")
    assert "宏.xlsm：openpyxl 无法打开原文件，副本由数值重建" in readme  # the rebuilt path was taken
    shortened = {line.split("：")[0].strip() for line in readme.splitlines() if "源文件名过长" in line}
    assert shortened == {cut.relative_to("annotated").as_posix()}  # not the renamed .xls, not the converted
    found = _check_links(_mail(run.out, tmp_path / "far" / "inbox").joinpath("findings.xlsx"), origin=run.out)
    assert len([k for k in found["inside"] if k[0] == FINDINGS]) == len(result.findings)


def test_department_selection_links_to_its_own_copies(tmp_path):
    """``report --department``: the book is a selection; its copies (holding its forms only) are
    where its findings.xlsx links, under the names the full run gives them."""
    data = tmp_path / "data"
    data.mkdir()
    fk.write_xlsx(data / "甲.xlsx", [("Sheet1", fk.seed_form(0))])
    fk.write_xls(data / "乙.xls", [("Sheet1", fk.replace(fk.seed_form(1), {"壶关县人民政府办公室-002": "乙县某局"}))])
    book = evaltools.load(data)
    p = book.projects
    assert p["department"].nunique() == 2
    mine = book.subset(p.loc[p["department"] != "乙县某局", "form_id"])
    result = evaltools.audit(mine)
    run = _audit_out(data, tmp_path / "out", result=result, book=mine, only_book=True)
    full = evaltools.audit(book)
    assert annotated_path(result, mine, str(data / "甲.xlsx")) == annotated_path(full, book, str(data / "甲.xlsx"))
    assert annotated_path(result, mine, str(data / "乙.xls")) is None
    assert [p.name for p in run.written["annotated"] if p.suffix == ".xlsx"] == ["甲.xlsx"]
    _check_links(_mail(run.out, tmp_path / "far" / "inbox") / "findings.xlsx", origin=run.out)


# ---------------------------------------------------------------------------------------------
# (b) printing, measured on LibreOffice's PDF


def _soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    need_system(exe is not None, "LibreOffice (Debian: libreoffice-calc)")
    need_system(shutil.which("pdftotext") is not None and shutil.which("pdfinfo") is not None,
                "pdftotext/pdfinfo (Debian: poppler-utils)")
    return exe


def _to_pdf(xlsx: Path, out_dir: Path) -> Path:
    """Print ``xlsx`` to PDF with LibreOffice headless, with a profile of its own (no clash with
    another LibreOffice running)."""
    exe = _soffice()
    profile = out_dir / "lo-profile"
    proc = subprocess.run([exe, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(out_dir), str(xlsx)],
                          capture_output=True, text=True, timeout=300)
    pdf = out_dir / (xlsx.stem + ".pdf")
    assert pdf.is_file(), (proc.stdout, proc.stderr)
    return pdf


def _page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "100000", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


@dataclasses.dataclass
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def _words(pdf: Path) -> list[Word]:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words, page = [], 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            words.append(Word(page, *map(float, m.groups()[:4]), html.unescape(m.group(5))))
    return words


def _lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into printed lines (top to bottom, each left to right)."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.page, (w.y0 + w.y1) / 2, w.x0)):
        last = lines[-1] if lines else None
        if last and last[0].page == w.page and abs((last[0].y0 + last[0].y1) / 2 - (w.y0 + w.y1) / 2) < 1.5:
            last.append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def _sheet_of_pages(words: list[Word], sizes) -> dict[int, str]:
    """Page → the sheet it prints, read from the footer (the sheet name at the bottom left)."""
    out = {}
    for page, (_, height) in enumerate(sizes, start=1):
        foot = [w for w in words if w.page == page and w.y0 > height - 0.7 * 72]
        foot.sort(key=lambda w: w.x0)
        assert foot and re.fullmatch(r"第\d+/\d+页", "".join(w.text for w in foot[1:])), [w.text for w in foot]
        out[page] = foot[0].text
    return out


def _visible_columns(ws) -> list[tuple[str, float]]:
    cols = []
    for i in range(1, ws.max_column + 1):
        dim = ws.column_dimensions.get(get_column_letter(i))
        if dim is not None and dim.hidden:
            continue
        cols.append((ws.cell(row=1, column=i).value, dim.width if dim is not None and dim.width else 8.43))
    return cols


def _page_bounds(ws, page: tuple[float, float]) -> tuple[int, int]:
    """The fewest and the most pages ``ws`` can print on at one page wide: the scale that makes
    the sheet's width the printable width (a column of width w is 7w+5 pixels, 0.75 pt each), the
    rows' heights at that scale packed onto pages below the repeated header row. LibreOffice
    measures a column a little differently and rounds its scale to a percent: a fifth of slack
    below, a page above."""
    m = ws.page_margins
    width = page[0] - (m.left + m.right) * 72
    height = page[1] - (m.top + m.bottom) * 72
    sheet_width = sum((7 * w + 5) * 0.75 for _, w in _visible_columns(ws))
    scale = min(1.0, width / sheet_width)
    heights = [(ws.row_dimensions[r].height or 15) * scale for r in range(1, ws.max_row + 1)]
    room = height - heights[0]
    pages, used = 1, 0.0
    for h in heights[1:]:
        if used + h > room:
            pages, used = pages + 1, 0.0
        used += h
    return max(1, math.ceil(0.8 * sum(heights[1:]) / room)), pages + 1


def test_findings_print_landscape_one_page_wide(seed_sent, tmp_path):
    far = seed_sent["far"]
    pdf = _to_pdf(far / "findings.xlsx", tmp_path)
    sizes = _page_sizes(pdf)
    assert sizes and all(w > h for w, h in sizes), sizes  # landscape: the MediaBox is wider than high
    assert all(abs(w - A4[0]) < 2 and abs(h - A4[1]) < 2 for w, h in sizes), sizes
    words = _words(pdf)
    sheet_of = _sheet_of_pages(words, sizes)
    wb = openpyxl.load_workbook(far / "findings.xlsx")
    assert set(sheet_of.values()) == set(wb.sheetnames)
    ws = wb[FINDINGS]
    pages = [p for p, s in sheet_of.items() if s == FINDINGS]
    fewest, most = _page_bounds(ws, sizes[0])
    # before: portrait strips of two or three columns, 11 pages for these 72 findings
    assert fewest <= len(pages) <= most, (len(pages), fewest, most)
    headers = [h for h, _ in _visible_columns(ws)]
    by_page = {p: [ln for ln in _lines(words) if ln[0].page == p] for p in pages}
    for p, lines in by_page.items():  # each page starts with the whole header row: one page wide
        top = "".join(w.text for w in lines[0])
        assert top == "".join(headers), (p, top)


def test_wrapped_text_is_printed_whole(seed_sent, tmp_path):
    """Every finding's 说明 is printed in full: a row too low for its text would lose its last lines."""
    far = seed_sent["far"]
    findings = seed_sent["run"].result.findings
    pdf = _to_pdf(far / "findings.xlsx", tmp_path)
    words = _words(pdf)
    sheet_of = _sheet_of_pages(words, _page_sizes(pdf))
    column = _message_column([w for w in words if sheet_of[w.page] == FINDINGS], findings["message"].iloc[0])
    missing = [m for m in findings["message"] if _flat(m) not in column]
    assert missing == []
    assert sum(len(_flat(m)) for m in findings["message"]) > 0.9 * len(column)  # the column, not the page


def _flat(text) -> str:
    return "".join(str(text).split())


def _message_column(words: list[Word], first_message: str) -> str:
    """The text printed in the 说明 column, top to bottom, without blanks: the words that start
    between where the first message starts and the mirror of that around the (centred) header."""
    first = _flat(first_message)
    start = min(w.x0 for w in words if len(w.text) >= 4 and first.startswith(_flat(w.text)))
    head = next(w for w in words if w.text == "说明")
    end = head.x0 + head.x1 - start
    return _flat("".join(w.text for line in _lines([w for w in words if start - 1 <= w.x0 < end]) for w in line))


# ---------------------------------------------------------------------------------------------
# (c) row heights


def test_row_heights_grow_with_the_text(seed_sent, tmp_path):
    ws = openpyxl.load_workbook(seed_sent["far"] / "findings.xlsx")[FINDINGS]
    for r in range(1, ws.max_row + 1):
        assert (ws.row_dimensions[r].height or 0) >= 15, r  # every row holds wrapped text: each is set
    # the same finding with a message 4, 8, 16, 32 times as long: each row taller than the one before
    book, result = seed_sent["run"].book, seed_sent["run"].result
    f = result.findings.iloc[[0, 0, 0, 0]].reset_index(drop=True)
    base = f.loc[0, "message"]
    f["message"] = [base * k for k in (4, 8, 16, 32)]
    f["finding_id"] = [f"{x}-{i}" for i, x in enumerate(f["finding_id"])]
    longer = dataclasses.replace(result, findings=f)
    path = write_findings_workbook(longer, book, tmp_path / "findings.xlsx").path
    ws = openpyxl.load_workbook(path)[FINDINGS]
    heights = [ws.row_dimensions[r].height for r in range(2, 6)]
    assert all(a < b for a, b in zip(heights, heights[1:])), heights
    words = _words(_to_pdf(path, tmp_path))  # and the longest is printed whole
    sheet_of = _sheet_of_pages(words, _page_sizes(tmp_path / "findings.pdf"))
    column = _message_column([w for w in words if sheet_of[w.page] == FINDINGS], base)
    assert _flat(base * 32) in column and _flat(base * 16) in column


# ---------------------------------------------------------------------------------------------
# The annotated copies print too, and keep a department's own page setup


def test_copies_print_landscape_and_keep_their_own_setup(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SEED_DIR, data)
    own = data / FUPIN
    wb = openpyxl.load_workbook(own)  # a department that set up its printing: portrait, 85%, an area
    ws = wb.active
    ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.scale = "portrait", ws.PAPERSIZE_A4, 85
    ws.print_area = "A1:M33"
    ws.print_title_rows = "1:2"
    ws.oddFooter.center.text = "壶关县政府办"
    wb.save(own)
    run = _audit_out(data, tmp_path / "out")
    copies = {p.name: p for p in run.written["annotated"] if p.suffix == ".xlsx"}
    kept = openpyxl.load_workbook(copies[FUPIN]).active
    assert (kept.page_setup.orientation, kept.page_setup.scale, kept.page_setup.fitToWidth) == ("portrait", 85, None)
    assert kept.print_area == "'Sheet2'!$A$1:$M$33" and kept.print_title_rows == "$1:$2"
    assert kept.oddFooter.center.text == "壶关县政府办" and not kept.sheet_properties.pageSetUpPr.fitToPage
    other = openpyxl.load_workbook(copies["03_日常办公经费.xlsx"]).active
    assert (other.page_setup.orientation, int(other.page_setup.paperSize)) == ("landscape", 9)  # A4
    assert (other.page_setup.fitToWidth, other.page_setup.fitToHeight) == (1, 0)
    assert other.sheet_properties.pageSetUpPr.fitToPage
    for name, portrait in ((FUPIN, True), ("03_日常办公经费.xlsx", False)):
        sizes = _page_sizes(_to_pdf(copies[name], tmp_path / name.split("_")[0]))
        assert sizes and all((w < h) == portrait for w, h in sizes), (name, sizes)
    # the copies, and findings.xlsx, still open and read back as forms
    assert openpyxl.load_workbook(run.out / "findings.xlsx")[FINDINGS].max_row == len(run.result.findings) + 1
    again = evaltools.load(_unmarked(copies["03_日常办公经费.xlsx"], tmp_path / "again.xlsx"))
    assert len(again.projects) == 1


def _unmarked(copy: Path, dest: Path) -> Path:
    """A copy without the evaltools mark, so the loader reads it as a form."""
    from evaltools.safeio import OUTPUT_PROPERTY

    wb = openpyxl.load_workbook(copy)
    wb.properties.keywords = None
    if OUTPUT_PROPERTY in wb.custom_doc_props.names:
        del wb.custom_doc_props[OUTPUT_PROPERTY]
    wb.save(dest)
    return dest
