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
            # opened in Excel, a cell starting with = + - @ would run as a formula: keep it text
            safe = df.apply(lambda col: col.map(_csv_text) if col.dtype == object or str(col.dtype).startswith(
                ("str", "string", "category")) else col)
            safe.to_csv(target, index=False, encoding="utf-8-sig")
        else:
            raise ValueError(f"unsupported output format {suffix!r}: use .xlsx, .parquet or .csv")
        out.append(target)
    return out


def write_xlsx_tables(frames: dict, path: Path) -> None:
    """One sheet per table, header frozen, every string stored as a string cell."""
    import openpyxl

    from .excel import _put

    wb = openpyxl.Workbook(write_only=False)
    wb.remove(wb.active)
    for name, df in frames.items():
        ws = wb.create_sheet(SHEET_TITLES.get(name, name)[:31])
        ws.append([str(c) for c in df.columns])
        for r, row in enumerate(df.itertuples(index=False), start=2):
            for c, v in enumerate(row, start=1):
                _put(ws.cell(row=r, column=c), _plain(v))  # text stays text, control characters dropped
        ws.freeze_panes = "A2"
    tmp = path.with_name(path.name + ".tmp")
    try:
        wb.save(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _csv_text(v):
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        return "'" + v
    return v


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
