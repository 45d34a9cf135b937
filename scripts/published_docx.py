"""Word copies of the seed forms for ``data/published/docx`` (and a ``.doc`` by LibreOffice), as
departments put a form into a 绩效自评报告: the title lines as paragraphs, the form as a Word table
with its merged cells. Called by ``build_published_forms.py``; run alone:
``.venv/bin/python scripts/published_docx.py``.

Writes ``docx/<stem>.docx`` for each seed workbook, ``docx/report_two_forms.docx`` (prose, forms 01
and 02, prose between and after), ``doc/<stem of form 03>.doc``, and ``real-docx/<stem>.docx`` for
each real form under ``data/real`` (every sheet's form in one document). The same input gives the same
bytes (fixed document times and zip entry dates), except the ``.doc``, which LibreOffice writes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "huguan-2021"
REAL = ROOT / "data" / "real"
OUT = ROOT / "data" / "published"
_FIXED = dt.datetime(2022, 3, 1, 9, 0, 0)
_TITLE_END = re.compile(r"(绩效自评表|自评表)")  # 项目绩效自评表 closes up to the project name before it


def _text(value) -> str:
    from evaltools.cellvalues import to_text

    return to_text(value)


def first_table_row(grid) -> int:
    """The row of the form's 项目名称 label: the rows above it are the title lines (0 when none)."""
    from evaltools.cellvalues import label

    for r, row in enumerate(grid.rows):
        if any(label(v) == "项目名称" for v in row):
            return r
    return 0


def join_line(pieces: list[str]) -> str:
    """The cells of a title row as one line, as it is printed: ``（`` ``2021`` ``年度）`` close up
    into ``（2021年度）``, the title beside 项目绩效自评表 too; a ``label：value`` piece after the first
    (填报单位：…  填报日期：…) is set off by two spaces."""
    out = ""
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        closes = re.match(r"^[（(]?\s*\d{4}\s*年|^年度|^[)）]", piece) or re.search(r"[（(]\s*$", out)
        if out and (("：" in piece or ":" in piece) or not closes) and not _TITLE_END.search(piece):
            out += "  "
        out += piece
    return out


def add_form(doc, grid, *, title_paragraphs: bool = True) -> None:
    """The form of a workbook grid into ``doc``: the rows above 项目名称 as paragraphs (with
    ``title_paragraphs``; else they are table rows too), the rest as one table, merged cells
    merged, columns left empty by the whole form left out."""
    start = first_table_row(grid) if title_paragraphs else 0
    for row in grid.rows[:start]:
        line = join_line([_text(v) for v in row])
        if line:
            doc.add_paragraph(line)
    used = [c for c in range(grid.width) if any(_text(grid.value(r, c)).strip() for r in range(start, grid.height))]
    c_lo, c_hi = (min(used), max(used)) if used else (0, max(grid.width - 1, 0))
    merges = [m for m in grid.merges if m[2] >= start]
    for r0, c0, r1, c1 in merges:
        c_lo, c_hi = min(c_lo, c0), max(c_hi, c1)
    table = doc.add_table(rows=max(grid.height - start, 1), cols=c_hi - c_lo + 1)
    table.style = "Table Grid"
    for r0, c0, r1, c1 in merges:  # merge first: merging empty cells keeps no stray paragraphs
        r0 = max(r0, start)
        if (r0, c0) != (r1, c1):
            table.cell(r0 - start, c0 - c_lo).merge(table.cell(r1 - start, c1 - c_lo))
    percent = grid.percent_cells
    for r in range(start, grid.height):
        for c in range(c_lo, c_hi + 1):
            v = grid.value(r, c)
            # a percent-formatted 0.76 shows as 76% in the workbook, and so in Word
            text = f"{v * 100:.10g}%" if (r, c) in percent and isinstance(v, (int, float)) else _text(v).strip()
            if text:
                _set_text(table.cell(r - start, c - c_lo), text)


def _set_text(cell, text: str) -> None:
    """The cell's text, one paragraph a line (as typed in Word, Enter between lines)."""
    lines = text.split("\n")
    cell.paragraphs[0].text = lines[0]
    for extra in cell.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    for line in lines[1:]:
        cell.add_paragraph(line)


def new_document():
    import docx

    doc = docx.Document()
    doc.core_properties.created = _FIXED
    doc.core_properties.modified = _FIXED
    doc.core_properties.author = "evaltools fixtures"
    doc.core_properties.last_modified_by = ""
    doc.core_properties.revision = 1
    return doc


def save(doc, path: Path) -> None:
    """Save with fixed zip entry dates, so the same form gives the same bytes."""
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dest.writestr(fixed, src.read(info))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


def grid_to_docx(grid, path: Path, *, title_paragraphs: bool = True) -> Path:
    """A ``.docx`` at ``path`` holding the form of a workbook ``Grid`` (see ``add_form``)."""
    doc = new_document()
    add_form(doc, grid, title_paragraphs=title_paragraphs)
    save(doc, Path(path))
    return Path(path)


def report_docx(grids: list, path: Path) -> Path:
    """A 绩效自评报告: prose, then each form with prose between, and a closing paragraph."""
    doc = new_document()
    doc.add_paragraph("壶关县人民政府办公室2021年度项目支出绩效自评报告")
    doc.add_paragraph("一、项目基本情况。本报告附两个项目的绩效自评表。")
    for i, grid in enumerate(grids):
        if i:
            doc.add_paragraph("二、自评结论：项目总体完成预期目标。")
        add_form(doc, grid)
    doc.add_paragraph("三、下一步工作：加强预算执行管理。")
    save(doc, Path(path))
    return Path(path)


def docx_to_doc(src: Path, dest: Path) -> Path:
    """A legacy ``.doc`` of ``src`` as LibreOffice saves it. Through OpenDocument: LibreOffice's
    direct .docx → .doc export drops the table python-docx writes (seen with LibreOffice 7.x)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from build_published_forms import soffice_convert

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        copy = tmp / "form.docx"
        shutil.copyfile(src, copy)
        soffice_convert([copy], "odt", tmp)
        soffice_convert([tmp / "form.odt"], "doc:MS Word 97", tmp)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp / "form.doc", dest)
    return dest


def main() -> None:
    from evaltools.read import read_workbook

    out = OUT / "docx"
    seeds = sorted(SEED.glob("*.xlsx"))
    grids = {p.stem: read_workbook(p).sheets[0] for p in seeds}
    for stem, grid in grids.items():
        print(grid_to_docx(grid, out / f"{stem}.docx").relative_to(ROOT))
    stems = list(grids)
    print(report_docx([grids[stems[0]], grids[stems[1]]], out / "report_two_forms.docx").relative_to(ROOT))
    third = stems[2]
    print(docx_to_doc(out / f"{third}.docx", OUT / "doc" / f"{third}.doc").relative_to(ROOT))
    # the real forms of other provinces: every sheet's form in one document, as a report holds them
    real_out = OUT / "real-docx"
    for old in real_out.glob("*.docx"):
        old.unlink()
    for p in sorted(REAL.glob("*.xlsx")):
        doc = new_document()
        for grid in read_workbook(p).sheets:
            add_form(doc, grid)
        save(doc, real_out / f"{p.stem}.docx")
        print((real_out / f"{p.stem}.docx").relative_to(ROOT))


if __name__ == "__main__":
    main()
