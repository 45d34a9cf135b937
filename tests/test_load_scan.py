"""Scanned forms (data/published/scan, built by scripts/published_scan.py: the seed PDFs rendered at
200 dpi, turned by half a degree, speckled and JPEG-compressed, with no text layer) read by OCR."""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

import evaltools
from conftest import need_system
from evaltools import ocr
from evaltools.errors import ReadError
from evaltools.forms import builtin
from evaltools.forms.ocr_words import correct
from evaltools.read import Grid, Place
from test_load_pdf import SEED, _rows_by_form, _stem

ROOT = Path(__file__).resolve().parents[1]
SCAN = ROOT / "data" / "published" / "scan"
sys.path.insert(0, str(ROOT / "scripts"))
import published_scan  # noqa: E402  (the fixture script: its list of scans and their skew)


def _need_ocr() -> None:
    need_system(ocr.available(), "tesseract with the chi_sim model (apt-get install tesseract-ocr tesseract-ocr-chi-sim)")


def _same(a, b) -> bool:
    def norm(v):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None
        try:
            import pandas as pd

            if pd.isna(v):
                return None
        except (TypeError, ValueError):
            pass
        if isinstance(v, float):
            return round(v, 6)
        if isinstance(v, str):  # a scan shows （ and ( alike; whitespace is the printer's
            return re.sub(r"\s", "", unicodedata.normalize("NFKC", v))
        return v

    return norm(a) == norm(b)


def field_share(want_book, got_book) -> tuple[int, int, list[str]]:
    """(right, all, what differs) over every field of projects, funds and indicators of the forms
    the scan holds, matched form by form (file stem) and row by row."""
    skip = {"form_id", "source_file", "sheet", "form_range", "relative_file", "anchor"}
    pcols = [c for c in want_book.projects.columns if c not in skip and not c.endswith("_cell")]
    stems = {_stem(s) for s in got_book.projects["source_file"]}
    right = total = 0
    wrong = []
    for table, cols in (("projects", pcols), ("funds", [c for c in want_book.funds.columns if c != "form_id"]),
                        ("indicators", [c for c in want_book.indicators.columns if c not in ("form_id", "row")])):
        want = _rows_by_form(want_book, table, cols)
        got = _rows_by_form(got_book, table, cols)
        for stem in sorted(stems):
            for i, row in enumerate(want[stem]):
                have = got.get(stem, [])[i] if i < len(got.get(stem, [])) else {}
                for c in cols:
                    total += 1
                    if _same(have.get(c), row[c]):
                        right += 1
                    else:
                        wrong.append(f"{stem[:4]} {table}[{i}].{c}: {row[c]!r} → {have.get(c)!r}")
    return right, total, wrong


# --------------------------------------------------------------------------------------------
# The fixtures (no OCR needed)


def test_the_scans_are_pictures_with_skew_and_noise():
    import numpy as np
    import pdfplumber
    import pypdfium2 as pdfium

    names = sorted(p.name for p in SCAN.glob("*.pdf"))
    assert names == sorted(n for n, _ in published_scan.SCANS) and len(names) == 3
    for name, skew in published_scan.SCANS:
        with pdfplumber.open(SCAN / name) as pdf:
            (page,) = pdf.pages
            assert page.chars == [] and len(page.images) == 1  # no text layer: a picture only
        image = pdfium.PdfDocument(str(SCAN / name))[0].render(scale=200 / 72).to_pil().convert("L")
        gray = np.asarray(image)
        # the straightening finds the turn the script gave the sheet (PIL turns counter-clockwise)
        assert abs(ocr._skew(ocr._dark(gray)) + skew) <= 0.1, name
        assert 0.001 < (gray < 90).mean() < 0.2  # ink and dust, not a blank or a black page


def test_the_rules_of_a_scan_make_the_grid_the_text_layer_has():
    """Line finding alone (no OCR): the ruled grid of each scan has the rows, columns and merged
    cells of the same form's text-layer PDF."""
    import pdfplumber
    import pypdfium2 as pdfium

    from evaltools import read_pdf as rp

    for name, _ in published_scan.SCANS:
        with pdfplumber.open(ROOT / "data" / "published" / "pdf-1page" / name) as pdf:
            layer = rp._page_layout(pdf.pages[0], 1)
        layer.chars = []  # the ruled structure only: no title rows above it
        want = rp._grid(layer)
        image = pdfium.PdfDocument(str(SCAN / name))[0].render(scale=200 / 72).to_pil()
        lay = ocr.ruling(image, page=1, scale=200 / 72).layout
        got = rp._grid(lay)
        assert (len(got.rows), len(got.rows[0])) == (len(want.rows), len(want.rows[0])), name
        assert got.merges == want.merges, name


def test_a_picture_without_a_table_is_ocr_no_table():
    from PIL import Image, ImageDraw

    image = Image.new("L", (800, 400), 255)
    ImageDraw.Draw(image).text((40, 40), "no table here, only words", fill=0)
    with pytest.raises(ReadError) as err:
        ocr.read_image(image, name="第1页", page=1, scale=200 / 72)
    assert err.value.code == "ocr-no-table" and err.value.sheet == "第1页"
    assert "表格线" in err.value.message


def test_dashes_and_clean_text():
    import numpy as np

    unit = 200 / 72
    two = np.zeros((2, 9), dtype=bool)
    two[:, :] = True
    assert ocr._dashes(two, unit, em=13) == "--"  # two touching hyphens print as one 9-px bar
    apart = np.zeros((2, 12), dtype=bool)
    apart[:, 0:4] = apart[:, 7:11] = True
    assert ocr._dashes(apart, unit, em=13) == "--"
    zero = np.ones((10, 7), dtype=bool)  # a 0 is no dash: too tall
    assert ocr._dashes(zero, unit, em=13) == ""
    assert ocr.clean("年 度 资 金\n总 额 \n") == "年度资金总额"
    assert ocr.clean("2020年1月1日一12\n月底") == "2020年1月1日一12月底"
    assert ocr.clean(">二96%") == ">=96%" and ocr.clean("<三5%") == "<=5%"
    assert ocr.clean("and\nmore") == "and more"


def test_ocr_readings_of_labels_are_corrected_against_the_vocabulary():
    rows = [["项目资金（万元）", "年初预算数.", "全年预算数", "全年执行数", "分值", "抉行率", "得分"],
            ["年度资金总额", "50000", "50000", "50000", "10", "100", "10"],
            ["数量指标", "合同工人数", "质量达标", "已完成", "牙量指标", "壶关县", "100%"],
            ["主要经验做法", "及时拨付资金", "", "", "", "", ""],
            ["对项趾决策的建议：", "加强管理", "", "", "", "", ""],
            ["对预算安排与执行的建议：", "无", "", "", "", "", ""]]
    grid = Grid(name="第1页", rows=[list(r) for r in rows],
                places={(r, c): Place(page=1, bbox=(0, 0, 1, 1), ocr=True) for r in range(6) for c in range(7)})
    found = correct(grid, builtin())
    # the heading row: 执行率 misread, and a speck read as a full stop; the conclusions' column
    assert grid.rows[0][1] == "年初预算数" and grid.rows[0][5] == "执行率" and grid.rows[4][0] == "对项目决策的建议："
    # values are left as read: 质量达标 is one letter from 质量指标 but stands among values; 已完成 is
    # no label; 牙量指标 is as near 数量指标 as 质量指标 (no telling)
    assert grid.rows[2] == rows[2] and grid.rows[1] == rows[1]
    assert [(cell, code) for cell, code, _, _ in found] == [("B1", "ocr-corrected"), ("F1", "ocr-corrected"),
                                                            ("A5", "ocr-corrected")]
    assert "抉行率" in found[1][2] and "执行率" in found[1][2] and found[1][3] == "info"
    # a value read from a text layer is never touched
    layer = Grid(name="第1页", rows=[list(r) for r in rows], places={(0, 5): Place(page=1, bbox=(0, 0, 1, 1))})
    assert correct(layer, builtin()) == [] and layer.rows[0][5] == "抉行率"
    # the words are the vocabulary's patterns, not its keys
    assert "other" not in builtin().ocr_words and "执行率" in builtin().ocr_words


# --------------------------------------------------------------------------------------------
# OCR (tesseract with chi_sim: CI installs it)


@pytest.fixture(scope="module")
def scan_book():
    _need_ocr()
    return evaltools.load(SCAN)


@pytest.mark.needs_system
def test_a_scan_loads_at_least_98_percent_of_fields_right(scan_book):
    seed = evaltools.load(SEED)
    assert len(scan_book.projects) == 3
    right, total, wrong = field_share(seed, scan_book)
    assert total > 1000
    # the issue asks 95%; 98.7% is measured here, and each of the label correction and the English
    # re-read of figures is worth more than a point of it: 98% fails when either breaks
    assert right / total >= 0.98, "\n".join(wrong)
    corrected = scan_book.load_errors[scan_book.load_errors["code"] == "ocr-corrected"]
    assert len(corrected) >= 3 and set(corrected["level"]) == {"info"}
    assert corrected["message"].str.contains("“执行率”").any()  # the heading whose misreading loses a column
    # the money of the forms is read to the cent on every scan (the fund table's figures)
    for stem in {_stem(s) for s in scan_book.projects["source_file"]}:
        want = seed.projects[seed.projects["source_file"].map(_stem) == stem].iloc[0]
        got = scan_book.projects[scan_book.projects["source_file"].map(_stem) == stem].iloc[0]
        assert got["budget_full_year"] == pytest.approx(want["budget_full_year"], abs=1e-6), stem
        assert got["executed"] == pytest.approx(want["executed"], abs=1e-6), stem


@pytest.mark.needs_system
def test_every_value_of_a_scan_is_marked_ocr_and_its_findings_say_verify(scan_book):
    cells = scan_book.cells
    assert len(cells) > 300 and bool(cells["ocr"].all())
    assert set(cells["page"]) == {1} and set(cells["sheet"].astype(str)) == {"第1页"}
    boxes = [tuple(map(float, b.split(","))) for b in cells["bbox"].astype(str)]
    assert all(0 <= x0 < x1 <= 700 and 0 <= y0 < y1 <= 900 for x0, y0, x1, y1 in boxes)
    # each value's box lies where the value is on the page as scanned: the text layer's box of the
    # same value, turned as the script turned the sheet (about the page centre, canvas grown)
    import pypdfium2 as pdfium

    for name, skew in published_scan.SCANS:
        layer = evaltools.load(ROOT / "data" / "published" / "pdf-1page" / name).cells
        w, h = pdfium.PdfDocument(str(ROOT / "data" / "published" / "pdf-1page" / name))[0].get_size()
        w2, h2 = pdfium.PdfDocument(str(SCAN / name))[0].get_size()
        t = math.radians(skew)

        def key(c):
            return list(zip(c["table"].astype(str), c["key"].astype(str), c["field"].astype(str)))

        want = dict(zip(key(layer), layer["bbox"].astype(str)))
        mine = cells[cells["source_file"].astype(str).str.endswith(name)]
        got = dict(zip(key(mine), mine["bbox"].astype(str)))
        misses = []
        for k in want.keys() & got.keys():
            x0, y0, x1, y1 = map(float, want[k].split(","))
            dx, dy = (x0 + x1) / 2 - w / 2, (y0 + y1) / 2 - h / 2
            ex, ey = w2 / 2 + dx * math.cos(t) + dy * math.sin(t), h2 / 2 - dx * math.sin(t) + dy * math.cos(t)
            gx0, gy0, gx1, gy1 = map(float, got[k].split(","))
            misses.append(math.hypot(ex - (gx0 + gx1) / 2, ey - (gy0 + gy1) / 2))
        misses.sort()
        assert len(misses) > 100, name
        # measured: median 0.1–0.3 pt, worst 1.8 pt (boxes left straight: median 1.5–2.9 pt)
        assert misses[len(misses) // 2] <= 0.6 and misses[-1] <= 2.5, (name, misses[len(misses) // 2], misses[-1])
    notes = scan_book.load_errors[scan_book.load_errors["code"] == "ocr-values"]
    assert len(notes) == 3 and set(notes["level"]) == {"info"}
    result = evaltools.audit(scan_book)
    assert len(result.findings) > 5
    assert result.findings["message"].str.endswith("（OCR 识别值，请对照原件核对）").all()
    # a workbook's findings carry no such note
    assert not evaltools.audit(evaltools.load(SEED)).findings["message"].str.contains("OCR").any()


@pytest.mark.needs_system
def test_a_word_file_whose_form_is_a_picture_is_read_by_ocr(tmp_path):
    _need_ocr()
    import docx
    import pypdfium2 as pdfium
    from docx.shared import Inches

    name = published_scan.SCANS[0][0]
    image = pdfium.PdfDocument(str(SCAN / name))[0].render(scale=200 / 72).to_pil()
    blob = io.BytesIO()
    image.save(blob, "PNG", dpi=(200, 200))
    blob.seek(0)
    d = docx.Document()
    d.add_paragraph("附件：项目支出绩效自评表（扫描件）")
    d.add_picture(blob, width=Inches(6.5))
    d.save(tmp_path / "picture.docx")
    book = evaltools.load(tmp_path / "picture.docx")
    seed = evaltools.load(SEED / f"{Path(name).stem}.xlsx")
    (p,) = book.projects.to_dict("records")
    want = seed.projects.iloc[0]
    assert p["sheet"] == "图1" and p["project_name"] == want["project_name"] and p["year"] == want["year"]
    assert p["budget_full_year"] == pytest.approx(want["budget_full_year"]) and len(book.indicators) == len(seed.indicators)
    assert bool(book.cells["ocr"].all()) and set(book.cells["page"]) == {0}


@pytest.mark.needs_system
def test_ocr_reads_each_page_in_a_few_tesseract_runs(monkeypatch):
    """The model loads once per run, not once per cell: a page is read in a handful of runs."""
    _need_ocr()
    import pypdfium2 as pdfium

    calls = []
    real = subprocess.run

    def counting(cmd, *a, **k):
        if cmd and str(cmd[0]).endswith("tesseract") and "--list-langs" not in cmd:
            calls.append(cmd)
        return real(cmd, *a, **k)

    monkeypatch.setattr(subprocess, "run", counting)
    image = pdfium.PdfDocument(str(SCAN / published_scan.SCANS[0][0]))[0].render(scale=200 / 72).to_pil()
    grid = ocr.read_image(image, name="第1页", page=1, scale=200 / 72)
    filled = sum(1 for r in grid.rows for v in r if v)
    assert filled > 100 and len(calls) <= 6
    assert shutil.which("tesseract")


@pytest.mark.needs_system
def test_the_parse_cache_keeps_a_scan_read_with_ocr_apart_from_one_read_without(tmp_path, monkeypatch):
    _need_ocr()
    scan = tmp_path / "in" / published_scan.SCANS[0][0]
    scan.parent.mkdir()
    shutil.copy(SCAN / scan.name, scan)
    cache = tmp_path / "cache"
    monkeypatch.setenv("EVALTOOLS_OCR", "off")
    off = evaltools.load(scan.parent, cache=cache)
    assert len(off.projects) == 0 and "pdf-needs-ocr" in set(off.load_errors["code"])
    monkeypatch.delenv("EVALTOOLS_OCR")
    on = evaltools.load(scan.parent, cache=cache)  # not the cached refusal: the page is read
    assert len(on.projects) == 1 and "pdf-needs-ocr" not in set(on.load_errors["code"])
