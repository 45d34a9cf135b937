"""Rebuild ``data/huguan-2021/*.xlsx`` from the seed text (the real forms of 壶关县人民政府办公室, 2021).

The seed holds each form twice: the Excel sheet's text (rows separated by blank lines, one tab pair
between adjacent columns, column A first, merged cells' values only in their first cell) and the
published PDF's text. This script turns the sheet text back into a workbook: sheet ``Sheet2``, each
value in the cell the text puts it, numbers as numbers, texts such as ``=6人`` as text (never a
formula), and the merged ranges the printed layout implies (the PDF text shows them: one
``绩效目标`` beside all indicator rows, one ``产出指标`` beside its rows, and so on).

Usage: python scripts/build_seed_data.py [SEED_TEXT] [OUT_DIR]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SEED = ROOT / "data" / "huguan-2021" / "seed.txt"
DEFAULT_OUT = ROOT / "data" / "huguan-2021"
SHEET = "Sheet2"
LAST_COL = 13  # M

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def split_forms(text: str) -> list[list[str]]:
    """The sheet-text part of each form, as its list of row strings."""
    sections = re.split(r"(?m)^\s*Sheet2\s*$", text)[1:]
    forms = []
    for sec in sections:
        sec = sec.strip("\n")
        # The sheet text ends at its last line holding a tab; the PDF text has none.
        lines = sec.split("\n")
        last = max(i for i, line in enumerate(lines) if "\t" in line)
        sheet_text = "\n".join(lines[: last + 1])
        forms.append(sheet_text.split("\n\n"))
    return forms


def parse_rows(rows: list[str]) -> dict[tuple[int, int], object]:
    """Row strings → {(row, col): value}, 1-based."""
    cells: dict[tuple[int, int], object] = {}
    for r, line in enumerate(rows, start=1):
        if not line.strip():
            continue
        for c, raw in enumerate(line.split("\t\t"), start=1):
            value = raw.strip("\n")
            if not value.strip():
                continue
            cells[(r, c)] = _typed(value)
    return cells


def _typed(value: str) -> object:
    if _NUMBER.match(value):
        return int(value) if "." not in value else float(value)
    return value


def _find_row(cells, predicate) -> int:
    return min(r for (r, _c), v in cells.items() if isinstance(v, str) and predicate(v.strip()))


def merges_for(cells: dict[tuple[int, int], object]) -> list[str]:
    """The merged ranges of the seed layout, found from where its labels stand."""
    m: list[str] = []
    col = openpyxl.utils.get_column_letter

    def rng(r0, c0, r1, c1):
        if (r0, c0) != (r1, c1):
            m.append(f"{col(c0)}{r0}:{col(c1)}{r1}")

    title = _find_row(cells, lambda s: s == "项目绩效自评表")
    rng(title, 2, title, 7)
    rng(title, 8, title, LAST_COL)
    name = _find_row(cells, lambda s: s == "项目名称")
    rng(name, 2, name, 3)
    rng(name, 4, name, LAST_COL)
    dept = _find_row(cells, lambda s: s == "主管部门")
    rng(dept, 2, dept, 3)
    rng(dept, 4, dept, 7)
    rng(dept, 8, dept, 9)
    rng(dept, 10, dept, LAST_COL)
    funds = _find_row(cells, lambda s: s.startswith("项目资金"))
    last_fund = _find_row(cells, lambda s: s.strip() == "其他资金")
    rng(funds, 2, last_fund, 3)
    for r in range(funds, last_fund + 1):
        rng(r, 4, r, 5)
        rng(r, 6, r, 7)
        rng(r, 8, r, 9)
    goal = _find_row(cells, lambda s: s == "年度总体目标")
    rng(goal, 2, goal + 1, 2)
    for r in (goal, goal + 1):
        rng(r, 3, r, 7)
        rng(r, 8, r, LAST_COL)
    hdr = _find_row(cells, lambda s: s == "一级指标")
    total = _find_row(cells, lambda s: s == "总分")
    ind_rows = [r for r in range(hdr + 1, total) if (r, 5) in cells]
    rng(hdr, 8, hdr, 9)
    rng(hdr, 12, hdr, LAST_COL)
    rng(ind_rows[0], 2, ind_rows[-1], 2)
    for c in (3, 4):  # 一级 and 二级: one merge per run of equal values
        start = ind_rows[0]
        for r in ind_rows[1:] + [None]:
            if r is None or cells.get((r, c)) != cells.get((start, c)):
                rng(start, c, (r - 1) if r else ind_rows[-1], c)
                start = r
    for r in ind_rows:
        rng(r, 8, r, 9)
        rng(r, 12, r, LAST_COL)
    rng(total, 2, total, 9)
    rng(total, 12, total, LAST_COL)
    concl = _find_row(cells, lambda s: s == "项目自评结论")
    remarks = _find_row(cells, lambda s: s.startswith("备注"))
    rng(concl, 2, remarks, 2)
    rng(concl, 3, concl, 4)
    rng(concl, 5, concl, LAST_COL)
    rng(concl + 1, 3, concl + 1, 4)
    rng(concl + 1, 5, concl + 1, LAST_COL)
    rng(concl + 2, 3, remarks, 4)
    for r in range(concl + 2, remarks + 1):
        rng(r, 6, r, LAST_COL)
    return m


def spread_merged(cells: dict[tuple[int, int], object], merges: list[str]) -> dict[tuple[int, int], object]:
    """The sheet text repeats a vertically merged value in every row; the workbook keeps only the first."""
    out = dict(cells)
    for ref in merges:
        (c0, r0, c1, r1) = openpyxl.utils.cell.range_boundaries(ref)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0) and (r, c) in out:
                    if out[(r, c)] != out[(r0, c0)]:
                        raise ValueError(f"merge {ref} would drop {out[(r, c)]!r}")
                    del out[(r, c)]
    return out


def write_form(path: Path, cells: dict[tuple[int, int], object], merges: list[str]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    thin = Side(style="thin")
    for (r, c), v in sorted(cells.items()):
        cell = ws.cell(row=r, column=c, value=v)
        if isinstance(v, str) and v.startswith(("=", "+", "-", "@")):
            cell.data_type = "s"  # the form's text, never a formula
            cell.quotePrefix = True
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.font = Font(name="宋体", size=10)
        if r > 2:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for ref in merges:
        ws.merge_cells(ref)
    for c, w in zip("ABCDEFGHIJKLM", (2, 8, 10, 12, 22, 14, 10, 10, 6, 8, 8, 8, 14)):
        ws.column_dimensions[c].width = w
    wb.save(path)


def safe_name(text: str, limit: int = 40) -> str:
    text = re.sub(r'[\\/:*?"<>|\s]+', "_", text)
    return text[:limit]


def main(argv: list[str]) -> int:
    seed = Path(argv[1]) if len(argv) > 1 else DEFAULT_SEED
    out = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    forms = split_forms(seed.read_text(encoding="utf-8"))
    for i, rows in enumerate(forms, start=1):
        cells = parse_rows(rows)
        merges = merges_for(cells)
        project = next(v for (r, c), v in cells.items() if r == 1 and c == 2)
        path = out / f"{i:02d}_{safe_name(str(project))}.xlsx"
        write_form(path, spread_merged(cells, merges), merges)
        print(path.relative_to(out.parent) if out.parent in path.parents else path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
