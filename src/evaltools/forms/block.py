"""What a block reader returns, and the read-only region it reads from.

Each reader (header, funds, goals, indicators, total, conclusions) takes a ``Region`` and the
cells earlier readers took, and returns a ``Block``: the values it read, the cells it consumed,
the provenance of every value and its errors. Nothing is left on a shared object; the form record
is assembled from the blocks in ``record.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..bounds import CellError
from ..cellvalues import is_empty, label, parse_number, to_text
from ..errors import NumberError, problem
from ..read import _LETTERS, cell_name
from .sheet import Sheet
from .vocabulary import Vocabulary


@dataclass(frozen=True)
class Region:
    """The rows ``r0 … r1-1`` of a sheet that hold one form, with the vocabulary to read them."""

    sh: Sheet
    r0: int
    r1: int
    vocab: Vocabulary
    anchor: str

    @property
    def rows(self) -> range:
        return range(self.r0, self.r1)

    def find(self, pred, rows=None) -> tuple[int, int] | None:
        for r in rows if rows is not None else self.rows:
            for c, s in self.sh.labels[r]:
                if pred(s):
                    return r, c
        return None

    def value_right(self, r: int, c: int, stop_col: int | None = None) -> tuple[int, int] | None:
        """The first non-label, non-empty cell right of the label at (r, c)."""
        row = self.sh.rows[r]
        start = self.sh.span_end_col(r, c) + 1
        end = len(row) if stop_col is None else min(len(row), stop_col)
        for cc in range(start, end):
            v = row[cc]
            if is_empty(v):
                continue
            if isinstance(v, str) and self.vocab.is_known_label(label(v)):
                return None
            return r, cc
        return None


@dataclass
class Block:
    """What one reader read."""

    region: Region = field(repr=False)
    values: dict[str, object] = field(default_factory=dict)  # project fields
    rows: list[dict[str, object]] = field(default_factory=list)  # fund lines or indicators
    cells: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # (table, key, field, cell, raw)
    used: set[tuple[int, int]] = field(default_factory=set)
    errors: list[tuple[str, str, str, str]] = field(default_factory=list)  # (cell, code, message, level)
    flags: list[str] = field(default_factory=list)  # layout features recognised (projects.template)
    info: dict[str, object] = field(default_factory=dict)  # what a later reader needs to know

    def put(self, table: str, key: str, fld: str, r: int, c: int, raw: object) -> None:
        # the hottest call of the loader (one per value read): cell_name and to_text inlined
        self.used.add((r, c))
        self.cells.append((table, key, fld, f"{_LETTERS[c]}{r + 1}" if c < 1024 else cell_name(r, c),
                           raw if raw.__class__ is str else to_text(raw)))

    def error(self, r: int | None, c: int | None, code: str, **fields) -> None:
        """A load problem at (r, c), or at the form's anchor when no cell is named (``errors.PROBLEMS``)."""
        where = cell_name(r, c) if r is not None and c is not None else self.region.anchor
        self.errors.append(problem(code, cell=where, **fields)[1:])

    def flag(self, name: str) -> None:
        if name not in self.flags:
            self.flags.append(name)

    def number(self, table: str, key: str, fld: str, r: int, c: int, what: str, units=()) -> float | None:
        raw = self.region.sh.raw(r, c)
        if raw.__class__ is float:  # most numbers are numbers: no text to parse
            self.put(table, key, fld, r, c, raw)
            return None if raw != raw else raw
        if raw.__class__ is CellError:  # #DIV/0! and kin: no number, and no rule may treat it as one
            self.put(table, key, fld, r, c, raw)
            self.info.setdefault("cell_errors", []).append((table, key, fld, str(raw)))
            return None
        if is_empty(raw):
            return None
        self.put(table, key, fld, r, c, raw)
        if "万元" in units and isinstance(raw, str) and raw.strip().startswith((".", "．")):
            # an amount typed as text without its integer part (".32"): digits were lost, not 0.32
            self.error(r, c, "number-no-integer-part", what=what, text=raw.strip())
            return None
        try:
            return parse_number(raw, units=units)
        except NumberError:
            self.error(r, c, "number-unreadable", what=what, text=to_text(raw).strip())
            return None


def numberish(v) -> bool:
    try:
        return parse_number(v) is not None
    except NumberError:
        return False
