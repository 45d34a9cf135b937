"""Rebuild ``data/real/*.xlsx`` from the seventeen published forms of ``shared/real-forms/``.

Each form is rebuilt as the workbook its publisher most plausibly had: labels in merged cells,
numbers as numbers where the form prints them plainly, text where the cell is text (``≥90%``,
``854万``), percent-formatted rates where the template formats them so. The layout of each form
is one spec module in ``scripts/real_forms/`` (``NN_slug.py``), transcribed by hand from the
published text; its truth (what evaltools must load, the findings a reviewer writes, the rules
that must stay quiet) is ``data/real/NN_slug.truth.toml``, whose first line is the source.

A spec module defines:

- ``SOURCE``: line 1 of the published text (the page's address, or the placeholder it has);
- ``FILE``: the workbook's name under ``data/real/``;
- ``SHEETS``: a list of ``Sheet(name, rows, merges=[], formats={}, widths={})``; ``rows`` is a
  list of rows, each a list of cell values from column A (``None`` or ``""`` for empty; ``int`` /
  ``float`` for numeric cells; ``str`` for text, never a formula); ``merges`` are A1 ranges;
  ``formats`` maps an A1 cell to a number format (``"0.00%"``: the cell holds 0.8619 and shows
  86.19%).

Where the published text is cut off, the workbook ends where the text does.

Usage: python scripts/build_real_forms.py [OUT_DIR]
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

ROOT = Path(__file__).resolve().parents[1]
SPECS = Path(__file__).resolve().parent / "real_forms"
DEFAULT_OUT = ROOT / "data" / "real"


@dataclass
class Sheet:
    name: str
    rows: list[list[object]]
    merges: list[str] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)
    widths: dict[str, float] = field(default_factory=dict)


def grid(cells: dict[str, object]) -> list[list[object]]:
    """{"A1": value, …} → rows of values from column A (the specs write their cells by name)."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    pos = {}
    for ref, v in cells.items():
        col, row = coordinate_from_string(ref)
        pos[(row, column_index_from_string(col))] = v
    nrows = max(r for r, _ in pos)
    ncols = max(c for _, c in pos)
    return [[pos.get((r, c)) for c in range(1, ncols + 1)] for r in range(1, nrows + 1)]


def load_spec(path: Path):
    spec = importlib.util.spec_from_file_location(f"real_forms.{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def check_merges(sheet: Sheet) -> None:
    """A merge must not hide a value: only its first cell may hold one (as in Excel)."""
    for ref in sheet.merges:
        c0, r0, c1, r1 = range_boundaries(ref)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) == (r0, c0):
                    continue
                row = sheet.rows[r - 1] if r - 1 < len(sheet.rows) else []
                v = row[c - 1] if c - 1 < len(row) else None
                if v not in (None, ""):
                    raise ValueError(f"{sheet.name}: merge {ref} would hide {get_column_letter(c)}{r}={v!r}")


def write_workbook(path: Path, sheets: list[Sheet]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin")
    for sheet in sheets:
        check_merges(sheet)
        ws = wb.create_sheet(sheet.name)
        for r, row in enumerate(sheet.rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is None or v == "":
                    continue
                cell = ws.cell(row=r, column=c, value=v)
                if isinstance(v, str):
                    cell.data_type = "s"  # the form's text, never a formula
                    if v.startswith(("=", "+", "-", "@")):
                        cell.quotePrefix = True
                cell.alignment = Alignment(wrap_text=True, vertical="center")
                cell.font = Font(name="宋体", size=10)
                cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        for ref, fmt in sheet.formats.items():
            ws[ref].number_format = fmt
        for ref in sheet.merges:
            ws.merge_cells(ref)
        for col, width in sheet.widths.items():
            ws.column_dimensions[col].width = width
    wb.save(path)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(SPECS.glob("[0-9][0-9]_*.py")):
        mod = load_spec(path)
        target = out / mod.FILE
        write_workbook(target, mod.SHEETS)
        print(target.relative_to(ROOT) if ROOT in target.parents else target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
