"""Word forms (data/published/docx and doc, built by scripts/published_docx.py from the seed
workbooks): the same values and findings as the workbooks, several forms in one report, bad files
with Chinese errors, and annotated Word copies."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import need_system
from test_load_pdf import SEED, _stem, findings_by_form, problems_by_file, same_values

import evaltools

ROOT = Path(__file__).resolve().parents[1]
DOCX = ROOT / "data" / "published" / "docx"
DOC = ROOT / "data" / "published" / "doc"


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    forms = tmp_path_factory.mktemp("docx")
    for p in DOCX.glob("0*.docx"):
        shutil.copy(p, forms / p.name)
    return evaltools.load(SEED), evaltools.load(forms)


def test_every_seed_form_loads_from_word_with_the_workbooks_values(books):
    workbook, word = books
    assert len(word.projects) == 8 and (word.load_errors["level"] == "error").sum() == 0
    assert word.unmapped.empty
    assert same_values(workbook, word)
    assert set(word.projects["sheet"]) == {"表1"}
    c = word.cells
    assert (c["page"] == 0).all() and c["bbox"].astype(str).str.fullmatch(r"\d+:(\d+|p):\d+").all()


def test_the_audit_finds_the_same_in_word(books):
    want, got = findings_by_form(books[0]), findings_by_form(books[1])
    assert sum(want.values()) > 20 and got == want


def test_a_report_with_two_forms_and_prose_loads_both_and_keeps_the_prose():
    book = evaltools.load(DOCX / "report_two_forms.docx")
    assert sorted(book.projects["sheet"]) == ["表1", "表2"]
    seed = evaltools.load(SEED)
    names = dict(zip(seed.projects["source_file"].map(_stem), seed.projects["project_name"]))
    assert list(book.projects["project_name"]) == [names[s] for s in sorted(names)[:2]]
    prose = " ".join(book.unmapped["value"])
    assert "自评报告" in prose and "下一步工作" in prose  # before, between and after the tables: nothing lost


def test_a_legacy_doc_is_converted_by_libreoffice():
    need_system(shutil.which("soffice") is not None, "LibreOffice (soffice)")
    book = evaltools.load(DOC)
    assert len(book.projects) == 1 and (book.load_errors["level"] == "error").sum() == 0
    seed = evaltools.load(SEED)
    assert same_values(seed, book, only=[_stem(str(next(DOC.glob("*.doc"))))])


from test_read_docx import _docx as _docx_with  # noqa: E402  (a python-docx document built and saved)


def test_bad_word_files_give_chinese_errors_and_the_batch_goes_on(tmp_path, monkeypatch):
    from msoffcrypto.format.ooxml import OOXMLFile
    from PIL import Image

    good = next(DOCX.glob("02_*.docx"))
    shutil.copy(good, tmp_path / "good.docx")
    (tmp_path / "truncated.docx").write_bytes(good.read_bytes()[:3000])
    out = io.BytesIO()
    with open(good, "rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    (tmp_path / "locked.docx").write_bytes(out.getvalue())
    _docx_with(tmp_path, "prose.docx", lambda d: d.add_paragraph("本报告没有附表。"))
    png = tmp_path / "form.png"
    Image.new("RGB", (60, 40), "white").save(png)
    _docx_with(tmp_path, "picture.docx", lambda d: d.add_picture(str(png)))
    png.unlink()
    monkeypatch.setenv("EVALTOOLS_OCR", "off")  # as without tesseract: the picture is not read
    book = evaltools.load(tmp_path)
    assert len(book.projects) == 1
    codes = dict(zip(book.load_errors["source_file"].map(lambda s: Path(s).name), book.load_errors["code"]))
    assert codes == {"truncated.docx": "docx-corrupt", "locked.docx": "docx-encrypted", "prose.docx": "docx-no-table",
                     "picture.docx": "docx-picture-only"}
    assert all(re.search(r"[\u4e00-\u9fff]", m) for m in book.load_errors["message"])


def test_annotated_word_copy_shades_and_comments_each_flagged_cell(tmp_path):
    from evaltools.excel import write_annotated_copies
    from evaltools.read_docx import read_docx

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(next(DOCX.glob("04_*.docx")), src)
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    book = evaltools.load(src)
    result = evaltools.audit(book)
    (copy,) = write_annotated_copies(result, book, tmp_path / "out")
    assert copy.suffix == ".docx"
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before
    with zipfile.ZipFile(copy) as z:
        comments = z.read("word/comments.xml").decode()
        document = z.read("word/document.xml").decode()
    f = result.findings
    on_cells = f[f["cell"] != ""]
    assert len(on_cells) > 3
    for rule in on_cells["rule"]:
        assert rule in comments
    # the flagged cells are shaded in the copy, each at the cell the finding names
    (grid,) = read_docx(copy, copy.read_bytes()).sheets
    from evaltools.read import parse_cell_name

    import docx

    d = docx.Document(str(copy))
    tbl = d.tables[0]._tbl
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for cell in set(on_cells["cell"]):
        r, c = parse_cell_name(cell)
        place = next(pl for (rr, cc), pl in grid.places.items() if (rr, cc) == (r, c) or
                     any(m[0] <= r <= m[2] and m[1] <= c <= m[3] and (m[0], m[1]) == (rr, cc) for m in grid.merges))
        t, row, col = place.ref.split(":")
        if row == "p":
            continue
        tr = tbl.findall(f"{ns}tr")[int(row)]
        shaded = [tc for tc in tr.findall(f"{ns}tc") if tc.find(f"{ns}tcPr/{ns}shd") is not None]
        assert shaded, cell
    assert document.count("commentRangeStart") >= len(set(on_cells["cell"]))


def test_real_forms_of_other_provinces_read_from_word():
    """The rebuilt real forms (fifteen layouts) as Word tables, every sheet's form in one document
    (scripts/published_docx.py): the workbooks' fields, findings and load problems."""
    from test_load_pdf import PUBLISHED, REAL, _without_storage_flags

    book = evaltools.load(PUBLISHED / "real-docx")
    want = _without_storage_flags(evaltools.load(REAL))
    assert len(book.projects) == len(want.projects) == 18
    assert same_values(want, _without_storage_flags(book))

    assert findings_by_form(book) == findings_by_form(want)
    assert problems_by_file(book) == problems_by_file(want)
    # the Shanghai workbook's two sheets are two tables of one document
    two = book.projects[book.projects["source_file"].str.contains("11_shanghai")]
    assert sorted(two["sheet"]) == ["表1", "表2"]


def test_damaged_parts_are_load_errors_not_crashes(tmp_path):
    """A zip with no document part and an unreadable _rels/.rels, and a document that is nothing but
    a markup-compatibility fallback: each a load error of its file; the good file still loads."""
    import zipfile

    good = next(DOCX.glob("02_*.docx"))
    shutil.copy(good, tmp_path / "good.docx")
    with zipfile.ZipFile(tmp_path / "norels.docx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", "<Relationships><unclosed>")
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    with zipfile.ZipFile(tmp_path / "fallback.docx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f'<mc:Fallback xmlns:mc="{mc}"/>')
    book = evaltools.load(tmp_path)
    assert len(book.projects) == 1
    codes = dict(zip(book.load_errors["source_file"].map(lambda s: Path(s).name), book.load_errors["code"]))
    assert codes == {"norels.docx": "docx-corrupt", "fallback.docx": "docx-corrupt"}


def test_an_unforeseen_reader_failure_is_reported_and_the_batch_goes_on(tmp_path, monkeypatch):
    import sys

    load_module = sys.modules["evaltools.load"]  # the module (evaltools.load is also the function)

    shutil.copy(next(DOCX.glob("02_*.docx")), tmp_path / "good.docx")
    shutil.copy(next(DOCX.glob("03_*.docx")), tmp_path / "bad.docx")
    real = load_module.read_source

    def flaky(path, data, limits=None):
        if path.name == "bad.docx":
            raise KeyError("a reader bug")
        return real(path, data, limits)

    monkeypatch.setattr(load_module, "read_source", flaky)
    book = evaltools.load(tmp_path)
    assert len(book.projects) == 1
    (row,) = book.load_errors.to_dict("records")
    assert row["code"] == "file-reader-crash" and "KeyError" in row["message"] and row["source_file"].endswith("bad.docx")


def test_web_pages_and_rtf_lose_what_the_conversion_would_fetch():
    from evaltools.read_docx import _unlinked

    page = (b'<html><head><link rel="stylesheet" href="http://example.org/s.css"><script>fetch("x")</script></head>'
            b'<body><img src="file:///etc/passwd"><table><tr><td>\xe9\xa1\xb9\xe7\x9b\xae\xe5\x90\x8d\xe7\xa7\xb0</td>'
            b'</tr></table><iframe src="http://example.org/"></iframe></body></html>')
    out = _unlinked(page)
    assert b"http" not in out and b"file:" not in out and b"<script" not in out
    assert b"<table><tr><td>\xe9\xa1\xb9\xe7\x9b\xae\xe5\x90\x8d\xe7\xa7\xb0</td></tr></table>" in out
    rtf = rb'{\rtf1{\field{\*\fldinst INCLUDEPICTURE "http://example.org/a.png" \d}}\par}'
    assert b"INCLUDEPICTURE" not in _unlinked(rtf) and b"\\par" in _unlinked(rtf)
