"""Build form workbooks for tests: the seed layout as a cell map, and the edits departments make to it.

A form is ``(cells, merges)``: ``cells`` maps 1-based ``(row, col)`` to a value, ``merges`` is a list
of 1-based inclusive ``(r0, c0, r1, c1)``. Every transformation returns a new form.
"""

from __future__ import annotations

import math
import numbers
import sys
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import range_boundaries

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import build_seed_data  # noqa: E402

Form = tuple[dict, list]


def same(a, b) -> bool:
    """Loaded value ``a`` equals expected ``b``: NaN/None alike, numbers within 1e-9, texts exactly."""
    na = a is None or (isinstance(a, float) and math.isnan(a))
    nb = b is None or (isinstance(b, float) and math.isnan(b))
    if na or nb:
        return na and nb
    if isinstance(b, numbers.Real) and not isinstance(b, bool):
        return isinstance(a, numbers.Real) and math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-9)
    return a == b


def seed_form(i: int) -> Form:
    """The i-th (0-based) seed form as written to data/huguan-2021."""
    text = (ROOT / "data" / "huguan-2021" / "seed.txt").read_text(encoding="utf-8")
    rows = build_seed_data.split_forms(text)[i]
    cells = build_seed_data.parse_rows(rows)
    refs = build_seed_data.merges_for(cells)
    cells = build_seed_data.spread_merged(cells, refs)
    merges = []
    for ref in refs:
        c0, r0, c1, r1 = range_boundaries(ref)
        merges.append((r0, c0, r1, c1))
    return cells, merges


def find(form: Form, text: str) -> tuple[int, int]:
    cells, _ = form
    return next(k for k, v in sorted(cells.items()) if isinstance(v, str) and v.strip() == text)


def shift(form: Form, dr: int, dc: int) -> Form:
    cells, merges = form
    return ({(r + dr, c + dc): v for (r, c), v in cells.items()},
            [(a + dr, b + dc, c + dr, d + dc) for a, b, c, d in merges])


def height(form: Form) -> int:
    return max(r for r, _ in form[0])


def replace(form: Form, mapping: dict) -> Form:
    """Replace whole cell values (after stripping) by a mapping; callables get the old value."""
    cells, merges = form
    out = {}
    for k, v in cells.items():
        key = v.strip() if isinstance(v, str) else v
        if isinstance(key, str) and key in mapping:
            new = mapping[key]
            out[k] = new(v) if callable(new) else new
        else:
            out[k] = v
    return out, list(merges)


def set_cells(form: Form, values: dict) -> Form:
    cells, merges = form
    out = dict(cells)
    for k, v in values.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out, list(merges)


def delete_col(form: Form, col: int, rows: range | None = None) -> Form:
    """Remove column ``col`` within ``rows`` (default: all), shifting cells right of it left."""
    cells, merges = form
    inside = (lambda r: True) if rows is None else (lambda r: r in rows)
    out = {}
    for (r, c), v in cells.items():
        if inside(r) and c == col:
            continue
        out[(r, c - 1 if inside(r) and c > col else c)] = v
    new_merges = []
    for r0, c0, r1, c1 in merges:
        if all(inside(r) for r in range(r0, r1 + 1)):
            if c0 == c1 == col:
                continue
            c0 = c0 - 1 if c0 > col else c0
            c1 = c1 - 1 if c1 >= col else c1
        if (r0, c0) != (r1, c1):
            new_merges.append((r0, c0, r1, c1))
    return out, new_merges


def insert_col(form: Form, col: int, rows: range) -> Form:
    """Insert an empty column before ``col`` within ``rows``."""
    cells, merges = form
    out = {}
    for (r, c), v in cells.items():
        out[(r, c + 1 if r in rows and c >= col else c)] = v
    new_merges = []
    for r0, c0, r1, c1 in merges:
        if all(r in rows for r in range(r0, r1 + 1)):
            c0 = c0 + 1 if c0 >= col else c0
            c1 = c1 + 1 if c1 >= col else c1
        new_merges.append((r0, c0, r1, c1))
    return out, new_merges


def stack(*forms: Form, gap: int = 3) -> Form:
    """Several forms one below the other in one sheet."""
    cells, merges, top = {}, [], 0
    for f in forms:
        f = shift(f, top, 0)
        cells.update(f[0])
        merges += f[1]
        top = height(f) + gap
    return cells, merges


def write_xlsx(path: Path, sheets: list[tuple[str, Form]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, (cells, merges) in sheets:
        ws = wb.create_sheet(name)
        for (r, c), v in cells.items():
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, str) and v.startswith(("=", "+", "-", "@")):
                cell.data_type = "s"
        for r0, c0, r1, c1 in merges:
            ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
    wb.save(path)
    return path


def write_xls(path: Path, sheets: list[tuple[str, Form]]) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    for name, (cells, merges) in sheets:
        ws = wb.add_sheet(name)
        origins = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in merges}
        for (r, c), v in cells.items():
            if (r, c) in origins:
                r1, c1 = origins[(r, c)]
                ws.write_merge(r - 1, r1 - 1, c - 1, c1 - 1, v)
            else:
                ws.write(r - 1, c - 1, v)
        for (r0, c0), (r1, c1) in origins.items():
            if (r0, c0) not in cells:
                ws.write_merge(r0 - 1, r1 - 1, c0 - 1, c1 - 1, "")
    wb.save(str(path))
    return path
