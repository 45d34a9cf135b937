"""A grid with its labels and merges indexed once, so each form is read in a single pass."""

from __future__ import annotations

from ..cellvalues import _label
from ..read import Grid


class Sheet:
    """Read-only index of one grid: normalised labels and non-empty cells per row, merges."""

    def __init__(self, grid: Grid):
        self.grid = grid
        self.rows = grid.rows
        self.height = len(grid.rows)
        self.width = grid.width
        # row → [(col, normalised label)] for string cells, in column order
        self.labels: list[list[tuple[int, str]]] = []
        # row → [(col, value)] of non-empty cells: every scan walks these, not the full grid
        self.nonempty: list[list[tuple[int, object]]] = []
        no_cells: list = []
        for row in self.rows:
            if row.count("") == len(row):  # an empty row (most of a sheet's width is): no scan at all
                self.nonempty.append(no_cells)
                self.labels.append(no_cells)
                continue
            # calamine gives "" for an empty cell; a text of only spaces is empty too
            ne = [(c, v) for c, v in enumerate(row) if v != "" and v is not None
                  and (v.__class__ is not str or not v.isspace())]
            self.nonempty.append(ne)
            self.labels.append([(c, _label(v)) for c, v in ne if v.__class__ is str])
        self.merge_end: dict[tuple[int, int], tuple[int, int]] = {}
        self.merge_origin: dict[tuple[int, int], tuple[int, int]] = {}
        for r0, c0, r1, c1 in grid.merges:
            self.merge_end[(r0, c0)] = (r1, c1)
            if r1 > r0:  # only vertical spreads are read through (一级/二级 columns)
                for r in range(r0 + 1, r1 + 1):
                    for c in range(c0, c1 + 1):
                        self.merge_origin[(r, c)] = (r0, c0)

    def raw(self, r: int, c: int) -> object:
        row = self.rows[r] if 0 <= r < self.height else ()
        return row[c] if 0 <= c < len(row) else ""

    def spread(self, r: int, c: int) -> tuple[object, tuple[int, int]]:
        """The value shown at (r, c): a vertically merged cell shows its origin's value."""
        # called for every text cell of every indicator row: raw() and is_empty() inlined
        row = self.rows[r] if 0 <= r < self.height else ()
        v = row[c] if 0 <= c < len(row) else ""
        if v is None or v.__class__ is str and (not v or v.isspace()):
            o = self.merge_origin.get((r, c))
            if o is not None:
                return self.raw(*o), o
        return v, (r, c)

    def span_end_col(self, r: int, c: int) -> int:
        end = self.merge_end.get((r, c))
        return end[1] if end else c
