"""Published PDF forms (data/published, built by scripts/build_published_forms.py from the seed
workbooks with LibreOffice): the same values, the same findings, and locations on the page."""

from __future__ import annotations

import io
import math
import os
import re
from collections import Counter
from pathlib import Path

import pytest

import evaltools
from evaltools.errors import ReadError
from evaltools.load import records
from evaltools.read_pdf import read_pdf

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "huguan-2021"
PUBLISHED = ROOT / "data" / "published"
KINDS = ("pdf-1page", "pdf-2page")


def _norm(v):
    if isinstance(v, float):
        return None if math.isnan(v) else round(v, 6)
    if isinstance(v, str):
        return re.sub(r"\s", "", v)
    return v


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def _rows_by_form(book, table: str, columns) -> dict:
    p = book.projects
    stem_of = dict(zip(p["form_id"], p["source_file"].map(_stem)))
    out: dict = {}
    df = getattr(book, table)
    for row in records(df[["form_id", *columns]]):
        out.setdefault(stem_of[row.pop("form_id")], []).append({k: _norm(v) for k, v in row.items()})
    return out


@pytest.fixture(scope="module")
def workbook_book():
    return evaltools.load(SEED)


@pytest.fixture(scope="module", params=KINDS)
def pdf_book(request):
    return request.param, evaltools.load(PUBLISHED / request.param)


def test_fixtures_cover_every_seed_form():
    seeds = sorted(p.stem for p in SEED.glob("*.xlsx"))
    assert len(seeds) == 8
    for kind in KINDS:
        assert sorted(p.stem for p in (PUBLISHED / kind).glob("*.pdf")) == seeds
    # the unfitted print really is split: its forms span pages that are joined
    import pdfplumber

    with pdfplumber.open(next((PUBLISHED / "pdf-2page").glob("02_*.pdf"))) as pdf:
        assert len(pdf.pages) >= 2


def same_values(want_book, got_book, only=None) -> bool:
    """Every field of projects, funds and indicators equal form by form (matched by file stem);
    numbers to 1e-6, texts whitespace aside (a PDF wraps where the workbook has none)."""
    skip = {"form_id", "source_file", "sheet", "form_range", "relative_file", "anchor"}
    pcols = [c for c in want_book.projects.columns if c not in skip and not c.endswith("_cell")]
    for table, cols in (("projects", pcols), ("funds", [c for c in want_book.funds.columns if c != "form_id"]),
                        ("indicators", [c for c in want_book.indicators.columns if c not in ("form_id", "row")])):
        want = _rows_by_form(want_book, table, cols)
        got = _rows_by_form(got_book, table, cols)
        if only is None:
            assert got.keys() == want.keys(), table
        for stem in (only or want):
            assert got[stem] == want[stem], f"{stem}: {table} differs"
    return True


def findings_by_form(book) -> Counter:
    """(file stem, rule, message) of every finding of the audit of ``book``: comparable across readers."""
    r = evaltools.audit(book)
    stem_of = dict(zip(book.projects["form_id"], book.projects["source_file"].map(_stem)))
    return Counter((stem_of[f], rule, m) for f, rule, m in zip(r.findings["form_id"], r.findings["rule"],
                                                               r.findings["message"]))


def problems_by_file(book) -> Counter:
    return Counter((_stem(f), c) for f, c in zip(book.load_errors["source_file"], book.load_errors["code"]))


def test_every_value_is_the_workbooks(workbook_book, pdf_book):
    kind, book = pdf_book
    assert len(book.projects) == 8 and (book.load_errors["level"] == "error").sum() == 0
    assert same_values(workbook_book, book)


def test_the_audit_finds_the_same(workbook_book, pdf_book):
    kind, book = pdf_book
    want, got = findings_by_form(workbook_book), findings_by_form(book)
    assert sum(want.values()) > 20
    assert got == want
    pages = evaltools.audit(book).findings["sheet"].unique()
    assert all(re.fullmatch(r"第\d+(-\d+)?页", s) for s in pages)


REAL = ROOT / "data" / "real"


@pytest.fixture(scope="module")
def real_workbooks():
    return evaltools.load(REAL)


def _without_storage_flags(book):
    """``rate-fraction`` says how a workbook stores a rate (0.85 formatted as a percent); a print
    shows 85%, so a PDF has no such flag: it is left out of the comparison."""
    book.projects["template"] = book.projects["template"].map(
        lambda t: ",".join(f for f in str(t).split(",") if f != "rate-fraction"))
    return book


@pytest.mark.parametrize("kind", ["real-1page", "real-2page"])
def test_real_forms_of_other_provinces_read_from_their_prints(real_workbooks, kind):
    """The rebuilt real forms (fifteen layouts, 2016–2023) printed by LibreOffice: fit to a page,
    and unfitted (two to four pages joined): the same fields, findings and load problems."""
    book = evaltools.load(PUBLISHED / kind)
    want = _without_storage_flags(evaltools.load(REAL))
    assert len(book.projects) == len(want.projects) == 18
    assert same_values(want, _without_storage_flags(book))

    want_found = findings_by_form(want)
    assert findings_by_form(book) == want_found and sum(want_found.values()) > 50
    assert problems_by_file(book) == problems_by_file(want)
    if kind == "real-2page":  # the unfitted prints really run over several pages, joined into one grid
        assert (book.projects["sheet"].str.contains("-")).sum() >= 15


def test_cells_carry_page_and_box_on_the_printed_value():
    """Each value's box, cut from its page, holds the value's text (checked against the PDF itself)."""
    import pdfplumber

    book = evaltools.load(PUBLISHED / "pdf-1page")
    cells = book.cells
    assert (cells["page"] >= 1).all() and (cells["bbox"] != "").all() and not cells["ocr"].any()
    checked = 0
    for source, group in cells.groupby("source_file", observed=True):
        with pdfplumber.open(source) as pdf:
            page = pdf.pages[0]
            for bbox, raw in zip(group["bbox"], group["raw"]):
                text = re.sub(r"\s", "", str(raw))
                if not text:
                    continue
                x0, top, x1, bottom = (float(v) for v in str(bbox).split(","))
                inside = page.within_bbox((x0 - 1, top - 1, min(page.width, x1 + 1), min(page.height, bottom + 1)))
                printed = re.sub(r"\s", "", inside.extract_text() or "")
                assert text[:6] in printed, (source, bbox, raw, printed)
                checked += 1
    assert checked > 400


def test_two_page_cells_point_at_their_own_page():
    book = evaltools.load(PUBLISHED / "pdf-2page" / next((PUBLISHED / "pdf-2page").glob("02_*.pdf")).name)
    c = book.cells
    by_field = dict(zip(c["field"].astype(str) + "|" + c["key"].astype(str), c["page"]))
    assert by_field["project_name|"] == 1  # the left half
    assert by_field["score|1"] == 2  # the indicator scores are on the right half


def _pdf_without_table(path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(3, 2))
    fig.text(0.1, 0.5, "Annual report: no table here")
    fig.savefig(path, format="pdf")
    plt.close(fig)


def _encrypted_pdf(src: Path, path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(src))
    w.encrypt("secret", algorithm="AES-128")
    with open(path, "wb") as fh:
        w.write(fh)


def _scanned_pdf(path: Path) -> None:
    from PIL import Image, ImageDraw

    img = Image.new("L", (800, 600), 255)
    d = ImageDraw.Draw(img)
    for y in range(50, 550, 50):
        d.line([(50, y), (750, y)], fill=0, width=2)
    img.save(path, "PDF", resolution=100)


def test_bad_pdfs_give_chinese_errors_and_the_batch_goes_on(tmp_path):
    good = next((PUBLISHED / "pdf-1page").glob("03_*.pdf"))
    (tmp_path / "good.pdf").write_bytes(good.read_bytes())
    (tmp_path / "truncated.pdf").write_bytes(good.read_bytes()[:1500])
    (tmp_path / "renamed.pdf").write_bytes(b"PK\x03\x04 not a pdf")
    _pdf_without_table(tmp_path / "prose.pdf")
    _encrypted_pdf(good, tmp_path / "locked.pdf")
    book = evaltools.load(tmp_path)
    assert len(book.projects) == 1
    codes = dict(zip(book.load_errors["source_file"].map(lambda s: Path(s).name), book.load_errors["code"]))
    assert codes == {"truncated.pdf": "pdf-corrupt", "renamed.pdf": "pdf-corrupt", "prose.pdf": "pdf-no-table",
                     "locked.pdf": "pdf-encrypted"}
    for msg in book.load_errors["message"]:
        assert re.search(r"[\u4e00-\u9fff]", msg)


def test_a_scan_without_ocr_says_what_to_install(tmp_path, monkeypatch):
    _scanned_pdf(tmp_path / "scan.pdf")
    monkeypatch.setenv("EVALTOOLS_OCR", "off")  # as on a machine without the ocr extra
    wb = read_pdf(tmp_path / "scan.pdf", (tmp_path / "scan.pdf").read_bytes())
    (grid,) = wb.sheets
    assert grid.name == "第1页" and grid.refused and grid.problems[0][1] == "pdf-needs-ocr"
    assert "apt-get install tesseract-ocr tesseract-ocr-chi-sim" in grid.refused


def test_too_many_pages_are_refused(tmp_path):
    from pypdf import PdfWriter

    w = PdfWriter()
    for _ in range(5):
        w.add_blank_page(100, 100)
    buf = io.BytesIO()
    w.write(buf)
    with pytest.raises(ReadError) as exc:
        read_pdf(tmp_path / "x.pdf", buf.getvalue(), evaltools.Limits(max_pages=3))
    assert exc.value.code == "pdf-too-many-pages"


def test_annotated_pdf_highlights_each_flagged_cell_and_links_open_its_page(tmp_path):
    import openpyxl
    from pypdf import PdfReader

    from evaltools.excel import write_annotated_copies, write_findings_workbook

    src = tmp_path / "in"
    src.mkdir()
    for p in (PUBLISHED / "pdf-2page").glob("0[24]_*.pdf"):
        (src / p.name).write_bytes(p.read_bytes())
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    book = evaltools.load(src)
    result = evaltools.audit(book)
    out = tmp_path / "out"
    copies = write_annotated_copies(result, book, out)
    assert not copies.failed and len(copies) == 2
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before
    f = result.findings
    for copy in copies:
        assert copy.suffix == ".pdf"
        mine = f[f["source_file"].map(lambda s: Path(s).name) == copy.name]
        notes = []
        for page in PdfReader(copy).pages:
            for a in page.get("/Annots") or []:
                a = a.get_object()
                assert a["/Subtype"] == "/Highlight"
                notes.append(str(a["/Contents"]))
        cells = {(s, c) for s, c in zip(mine["sheet"], mine["cell"]) if c}
        assert len(notes) >= len(cells) * 0.9 and notes
        assert all(r in "".join(notes) for r in mine["rule"][mine["cell"] != ""])
    write_findings_workbook(result, book, out / "findings.xlsx")
    ws = openpyxl.load_workbook(out / "findings.xlsx")["问题清单"]
    targets = [c.hyperlink.target for row in ws.iter_rows() for c in row if c.hyperlink and c.hyperlink.target]
    assert any(re.search(r"annotated/.*\.pdf#page=\d$", t) for t in targets), targets[:5]


def test_the_fixtures_print_what_the_county_published():
    """The seed text holds each form's published PDF text: our LibreOffice prints of the workbooks
    carry the same characters (whitespace aside), but for the published files' picture placeholders
    (``image5.jpeg``-like words) and the one cell the published PDF cuts short."""
    import pdfplumber
    from test_load_seed import PDF, PDF_TRUNCATED

    cut = Counter(re.sub(r"\s", "", next(iter(PDF_TRUNCATED)))) - Counter(re.sub(r"\s", "", PDF_TRUNCATED[next(iter(PDF_TRUNCATED))]))
    files = sorted((PUBLISHED / "pdf-1page").glob("*.pdf"))
    assert len(files) == len(PDF) == 8
    for text, path in zip(PDF, files):
        with pdfplumber.open(path) as pdf:
            ours = Counter(re.sub(r"\s", "", "".join(p.extract_text() or "" for p in pdf.pages)))
        theirs = Counter(re.sub(r"\s", "", re.sub(r"image\d+\.\w+", "", text)))
        assert theirs - ours == Counter(), path.name
        assert sum((ours - theirs).values()) <= sum(cut.values()), (path.name, ours - theirs)
