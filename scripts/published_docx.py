"""Word copies of the seed forms for ``data/published/docx`` (and a ``.doc`` by LibreOffice), as
departments put a form into a 绩效自评报告: the title lines as paragraphs, the form as a Word table
with its merged cells. Called by ``build_published_forms.py``."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "huguan-2021"
OUT = ROOT / "data" / "published"
_FIXED = dt.datetime(2022, 3, 1, 9, 0, 0)


def _first_table_row(grid) -> int:
    for r, row in enumerate(grid.rows):
        if any(str(v).replace(" ", "") == "项目名称" for v in row):
            return r
    return 0


def add_form(doc, grid) -> None:
    """The form of a workbook grid: rows above 项目名称 as paragraphs, the rest as a table."""
    from evaltools.cellvalues import to_text

    start = _first_table_row(grid)
    for row in grid.rows[:start]:
        text = "".join(to_text(v) for v in row if to_text(v).strip())
        if text:
            doc.add_paragraph(text)
    used = [c for c in range(grid.width) if any(to_text(grid.value(r, c)).strip() for r in range(start, grid.height))]
    c_lo, c_hi = (min(used), max(used)) if used else (0, grid.width - 1)
    for r0, c0, r1, c1 in grid.merges:
        if r1 >= start:
            c_lo, c_hi = min(c_lo, c0), max(c_hi, c1)
    rows = grid.height - start
    table = doc.add_table(rows=rows, cols=c_hi - c_lo + 1)
    table.style = "Table Grid"
    for r in range(start, grid.height):
        for c in range(c_lo, c_hi + 1):
            text = to_text(grid.value(r, c))
            if text.strip():
                table.cell(r - start, c - c_lo).text = text
    for r0, c0, r1, c1 in grid.merges:
        if r0 < start:
            continue
        a = table.cell(r0 - start, c0 - c_lo)
        b = table.cell(r1 - start, c1 - c_lo)
        keep = a.text
        a.merge(b)
        a.text = keep  # merge joins the cells' paragraphs; the others are empty, the text once


def new_document():
    import docx

    doc = docx.Document()
    doc.core_properties.created = _FIXED
    doc.core_properties.modified = _FIXED
    doc.core_properties.author = "evaltools fixtures"
    return doc


def main() -> None:
    from evaltools.read import read_workbook

    out = OUT / "docx"
    out.mkdir(parents=True, exist_ok=True)
    seeds = sorted(SEED.glob("*.xlsx"))
    grids = {p.stem: read_workbook(p).sheets[0] for p in seeds}
    for stem, grid in grids.items():
        doc = new_document()
        add_form(doc, grid)
        doc.save(out / f"{stem}.docx")
        print(out / f"{stem}.docx")
    # a 绩效自评报告 with prose and two forms
    doc = new_document()
    doc.add_paragraph("壶关县人民政府办公室2021年度项目支出绩效自评报告")
    doc.add_paragraph("一、项目基本情况。本报告附两个项目的绩效自评表。")
    first, second = list(grids)[:2]
    add_form(doc, grids[first])
    doc.add_paragraph("二、自评结论：项目总体完成预期目标。")
    add_form(doc, grids[second])
    doc.add_paragraph("三、下一步工作：加强预算执行管理。")
    doc.save(out / "report_two_forms.docx")
    # a legacy .doc of form 03, as LibreOffice saves it
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from build_published_forms import soffice_convert

    dest = OUT / "doc"
    dest.mkdir(parents=True, exist_ok=True)
    third = list(grids)[2]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{third}.docx"
        shutil.copyfile(out / f"{third}.docx", src)
        # through OpenDocument: LibreOffice's direct .docx → .doc export drops python-docx's table
        soffice_convert([src], "odt", Path(tmp))
        soffice_convert([src.with_suffix(".odt")], "doc:MS Word 97", Path(tmp))
        shutil.copyfile(Path(tmp) / f"{third}.doc", dest / f"{third}.doc")


if __name__ == "__main__":
    main()
