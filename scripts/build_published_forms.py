"""Rebuild ``data/published/``: the seed forms as departments publish them.

- ``pdf-1page/``: each seed workbook printed by LibreOffice headless, fit to one page;
- ``pdf-2page/``: printed as it is (no fit-to-width): the right-hand columns go to a second page;
- ``real-1page/``, ``real-2page/``: the same two prints of the real forms under ``data/real``
  (fifteen layouts of other provinces; an unfitted one runs to two, three or four pages);
- ``docx/`` and ``doc/``: Word files (``published_docx.py``);
- ``scan/``: a raster scan with some skew and noise (``published_scan.py``).

Before printing, rows whose wrapped text is taller than the row get the height the text needs,
as a department does before it prints: LibreOffice leaves out the lines that fall outside a cell,
so a PDF of the workbook as saved lacks part of a long 年度总体目标 (seed form 05). The original
workbooks under ``data/huguan-2021`` and ``data/real`` are only read.

Needs LibreOffice (``soffice``). Run: ``.venv/bin/python scripts/build_published_forms.py``.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "huguan-2021"
REAL = ROOT / "data" / "real"  # the real forms of other provinces, rebuilt as workbooks
OUT = ROOT / "data" / "published"

_POINTS_PER_LINE = 14.5  # an 11-pt line with LibreOffice's leading
_CHARS_PER_UNIT = 0.5  # a CJK character is about two of Excel's width units


def _fit_rows(ws) -> None:
    """Give each row the height its wrapped text needs (never lower a row)."""
    from openpyxl.utils import get_column_letter

    widths = {}
    for c in range(1, ws.max_column + 1):
        dim = ws.column_dimensions.get(get_column_letter(c))
        widths[c] = (dim.width if dim is not None and dim.width else 8.43)
    spans = {}
    for rng in ws.merged_cells.ranges:
        spans[(rng.min_row, rng.min_col)] = (rng.max_row - rng.min_row + 1, rng.min_col, rng.max_col)
    need: dict[int, float] = {}
    for row in ws.iter_rows():
        for cell in row:
            if not isinstance(cell.value, str) or not cell.value.strip():
                continue
            n_rows, c0, c1 = spans.get((cell.row, cell.column), (1, cell.column, cell.column))
            width = sum(widths.get(c, 8.43) for c in range(c0, c1 + 1))
            per_line = max(1, int(width * _CHARS_PER_UNIT) - 1)
            lines = sum(max(1, math.ceil(len(part) / per_line)) for part in cell.value.split("\n"))
            if lines > 1:
                h = lines * _POINTS_PER_LINE / n_rows
                need[cell.row] = max(need.get(cell.row, 0.0), h)
                for r in range(cell.row + 1, cell.row + n_rows):
                    need[r] = max(need.get(r, 0.0), h)
    for r, h in need.items():
        dim = ws.row_dimensions[r]
        if (dim.height or 13.5) < h:
            dim.height = h


def _prepare(src: Path, dest: Path, *, fit_page: bool) -> None:
    import openpyxl
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        _fit_rows(ws)
        if fit_page:
            ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
            ws.page_setup.fitToWidth = 1
            ws.page_setup.fitToHeight = 1
    wb.save(dest)


def soffice_convert(files: list[Path], fmt: str, out_dir: Path) -> None:
    """Convert with LibreOffice headless in a private profile (concurrent runs do not clash)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        sys.exit("LibreOffice (soffice) is needed: apt-get install libreoffice-calc libreoffice-writer")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                        "--outdir", str(out_dir), *map(str, files)], check=True, capture_output=True, timeout=600)


def build_pdfs(out: Path = OUT) -> list[Path]:
    written = []
    for kind, fit, source in (("pdf-1page", True, SEED), ("pdf-2page", False, SEED),
                              ("real-1page", True, REAL), ("real-2page", False, REAL)):
        dest = out / kind
        dest.mkdir(parents=True, exist_ok=True)
        for old in dest.glob("*.pdf"):
            old.unlink()
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            prepared = []
            for src in sorted(source.glob("*.xlsx")):
                p = tmp / src.name
                _prepare(src, p, fit_page=fit)
                prepared.append(p)
            soffice_convert(prepared, "pdf", tmp)
            for p in prepared:
                pdf = p.with_suffix(".pdf")
                target = dest / pdf.name
                shutil.copyfile(pdf, target)
                written.append(target)
    return written


def main() -> None:
    os.chdir(ROOT)
    for p in build_pdfs():
        print(p.relative_to(ROOT), p.stat().st_size)
    sys.path.insert(0, str(ROOT / "scripts"))
    for name in ("published_docx", "published_scan"):
        try:
            module = __import__(name)
        except ImportError:
            continue
        module.main()


if __name__ == "__main__":
    main()
