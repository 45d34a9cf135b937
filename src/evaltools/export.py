"""Write a loaded ``Book``'s tables to ``.xlsx``, ``.parquet`` or ``.csv``.

Form text is written as text: a target such as ``=6人`` must never become a formula.
"""

from __future__ import annotations

from pathlib import Path

TABLES = ("projects", "funds", "indicators", "load_errors", "unmapped", "cells", "sheets")
SHEET_TITLES = {
    "projects": "项目",
    "funds": "资金",
    "indicators": "指标",
    "load_errors": "读取问题",
    "unmapped": "未识别单元格",
    "cells": "单元格来源",
    "sheets": "工作表",
}


def write_book(book, path: Path) -> list[Path]:
    """Write every table; returns the files written. The suffix of ``path`` picks the format."""
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = {name: getattr(book, name) for name in TABLES}
    if suffix == ".xlsx":
        write_xlsx_tables(frames, path)
        return [path]
    out = []
    for name, df in frames.items():
        target = path.with_name(f"{path.stem}.{name}{suffix}")
        if suffix == ".parquet":
            df.to_parquet(target, index=False)
        elif suffix == ".csv":
            df.to_csv(target, index=False, encoding="utf-8-sig")
        else:
            raise ValueError(f"unsupported output format {suffix!r}: use .xlsx, .parquet or .csv")
        out.append(target)
    return out


def write_xlsx_tables(frames: dict, path: Path) -> None:
    """One sheet per table, header frozen, every string stored as a string cell."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=False)
    wb.remove(wb.active)
    for name, df in frames.items():
        ws = wb.create_sheet(SHEET_TITLES.get(name, name)[:31])
        ws.append([str(c) for c in df.columns])
        for row in df.itertuples(index=False):
            ws.append([_plain(v) for v in row])
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never let "=6人" become a formula
        ws.freeze_panes = "A2"
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)


def _plain(v):
    try:
        import pandas as pd

        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):
        return v.item()
    return v
