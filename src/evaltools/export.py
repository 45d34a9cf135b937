"""Write a loaded ``Book``'s tables to ``.xlsx``, ``.parquet`` or ``.csv``.

Form text is written as text: a target such as ``=6人`` must never become a formula. Every cell
goes through ``safeio`` (CSV: formula-like text quoted; xlsx: string cells), and the ``.xlsx`` is
marked as an evaltools output so the loader can skip it.
"""

from __future__ import annotations

from pathlib import Path

from . import schema
from .read import column_letter

TABLES = schema.BOOK_TABLES
SHEET_TITLES = {t.name: t.title for t in schema.TABLES.values()}


FORMATS = (".xlsx", ".parquet", ".csv")


def targets_of(path: Path) -> list[Path]:
    """The files ``write_book(book, path)`` writes: the workbook itself for ``.xlsx``, one file per
    table (``x.projects.parquet`` …) for ``.parquet`` and ``.csv``. ``ValueError`` for another suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"unsupported output format {suffix!r}: use .xlsx, .parquet or .csv")
    return [path] if suffix == ".xlsx" else [path.with_name(f"{path.stem}.{name}{suffix}") for name in TABLES]


def write_book(book, path: Path) -> list[Path]:
    """Write every table; returns the files written. The suffix of ``path`` picks the format.

    A target open in Excel/WPS raises ``OutputError`` before any file is written."""
    from .safeio import check_not_locked, write_csv

    suffix = path.suffix.lower()
    frames = {name: getattr(book, name) for name in TABLES}
    if suffix == ".xlsx":
        write_xlsx_tables(frames, path)
        return [path]
    targets = dict(zip(TABLES, targets_of(path)))
    for target in targets.values():
        check_not_locked(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    for name, df in frames.items():
        if suffix == ".parquet":
            df.to_parquet(targets[name], index=False)
        else:
            write_csv(df, targets[name])
    return list(targets.values())


def write_xlsx_tables(frames: dict, path: Path) -> None:
    """One sheet per table, header frozen, every value stored through ``safeio.put_cell``."""
    import openpyxl

    from .safeio import put_cell, save_workbook

    wb = openpyxl.Workbook(write_only=False)
    wb.remove(wb.active)
    for name, df in frames.items():
        ws = wb.create_sheet(SHEET_TITLES.get(name, name)[:31])
        declared = {c.name: c for c in schema.table(name).columns} if name in schema.TABLES else {}
        for c, header in enumerate(df.columns, start=1):
            put_cell(ws.cell(row=1, column=c), str(header))
            if header in declared:
                ws.column_dimensions[column_letter(c - 1)].width = declared[header].width
        for r, row in enumerate(df.itertuples(index=False), start=2):
            for c, v in enumerate(row, start=1):
                put_cell(ws.cell(row=r, column=c), v)
        ws.freeze_panes = "A2"
    save_workbook(wb, path)
