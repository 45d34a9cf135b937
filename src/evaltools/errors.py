"""The exception tree for misuse of evaltools.

Bad *data* never raises (it becomes a ``load_errors`` row or a finding); these are raised for
misuse, and by ``load(..., strict=True)``. Every error is picklable so it can cross process and
Dask boundaries.
"""

from __future__ import annotations


class EvaltoolsError(Exception):
    """Root of every error evaltools raises on purpose."""


class LoadError(EvaltoolsError):
    """A problem reading a workbook, raised only with ``strict=True``.

    Carries the same location fields as a ``load_errors`` row.
    """

    def __init__(self, message: str, source_file: str = "", sheet: str = "", cell: str = ""):
        super().__init__(message, source_file, sheet, cell)
        self.message = message
        self.source_file = source_file
        self.sheet = sheet
        self.cell = cell

    def __str__(self) -> str:
        where = "!".join(p for p in (self.source_file, self.sheet, self.cell) if p)
        return f"{where}: {self.message}" if where else self.message


class VocabularyError(EvaltoolsError):
    """A vocabulary file that cannot be used: unreadable, unknown section or key, bad pattern."""


class OutputError(EvaltoolsError):
    """An output that cannot be written: a read-only folder, a workbook open in Excel/WPS (its lock
    file ``~$name`` is present), a full disk. The CLI exits 3 on it; nothing half-written is left."""
