"""Read workbook files into grids: cell values, merged ranges and cell names. Nothing else.

python-calamine (Rust) does the reading: it is ~30x faster than openpyxl's value reader, gives
merged ranges, and reads legacy ``.xls`` with the same API (see ``docs/design.md``). The file is
only ever opened for reading.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BoundsError, OwnOutput, ReadError, problem

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
# published forms: PDF (read_pdf.py) and Word (read_docx.py), read into the same grids
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".doc")
SOURCE_SUFFIXES = WORKBOOK_SUFFIXES + DOCUMENT_SUFFIXES

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted OOXML workbook is an OLE container holding these streams; names are UTF-16LE.
_ENCRYPTED_MARKERS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))


@dataclass(frozen=True)
class Place:
    """Where a grid cell was printed, for a grid read from a PDF or a Word file.

    ``page`` is 1-based (a PDF's page; a Word file's is 0: Word lays pages out itself). ``bbox`` is
    ``(x0, top, x1, bottom)`` in PDF points from the page's top-left corner (empty for Word).
    ``ocr``: the value was read by OCR from a picture, not from a text layer. ``ref`` locates the
    cell in a Word file, ``"table:row:column"`` (0-based ``w:tbl`` among the body's tables, ``w:tr``,
    and the grid column the cell starts at), for the annotated copy.
    """

    page: int
    bbox: tuple[float, float, float, float] | tuple = ()
    ocr: bool = False
    ref: str = ""


@dataclass
class Grid:
    """One worksheet: values from A1 (row 0, column 0) and its merged ranges (0-based, inclusive)."""

    name: str
    rows: list[list[object]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    visible: bool = True
    # where the percent-formatted cells are, worked out on first use (see ``percent_cells``)
    percents: "PercentCells | None" = field(default=None, repr=False, compare=False)
    # what the bounded reader found (see bounds.py): (cell, code, message, level) rows for load_errors,
    # and a whole-sheet refusal (the sheet's rows are then empty)
    problems: list[tuple[str, str, str, str]] = field(default_factory=list, repr=False, compare=False)
    refused: str = ""
    # a grid read from a PDF or Word file: where each non-empty (row, col) was printed
    places: "dict[tuple[int, int], Place] | None" = field(default=None, repr=False, compare=False)

    @property
    def percent_cells(self) -> frozenset:
        """0-based (row, col) of numeric cells formatted as a percentage (a 100% cell stores 1)."""
        return self.percents.of(self.name) if self.percents is not None else frozenset()

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def value(self, r: int, c: int) -> object:
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            if 0 <= c < len(row):
                return row[c]
        return ""


@dataclass
class Workbook:
    path: Path
    sheets: list[Grid]


def column_letter(c: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_LETTERS = [column_letter(i) for i in range(1024)]


def cell_name(r: int, c: int) -> str:
    """0-based (row, column) → A1 name."""
    return f"{_LETTERS[c] if c < 1024 else column_letter(c)}{r + 1}"


def range_name(r0: int, c0: int, r1: int, c1: int) -> str:
    return f"{cell_name(r0, c0)}:{cell_name(r1, c1)}"


def col_index(letters: bytes | str) -> int:
    """Excel letters → 0-based column index (A → 0, AA → 26)."""
    c = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        c = c * 26 + ord(ch) - 64
    return c - 1


def parse_cell_name(name: str) -> tuple[int, int]:
    """A1 name → 0-based (row, column)."""
    letters = "".join(ch for ch in name if ch.isalpha()).upper()
    digits = "".join(ch for ch in name if ch.isdigit())
    return int(digits) - 1, col_index(letters)


LOCK_PREFIXES = ("~$", ".~")


def is_lock_file(path: Path) -> bool:
    """Lock files beside open workbooks, not data: Excel's and WPS's ``~$name.xlsx``, and the
    hidden ``.~name.xlsx`` that WPS for Linux is reported to leave (not seen on a WPS install here)."""
    return path.name.startswith(LOCK_PREFIXES)


def sniff(data: bytes) -> str:
    """What the bytes are: ``zip``, ``ole``, ``encrypted``, ``pdf``, ``html``, ``empty`` or ``text``."""
    if not data:
        return "empty"
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    if data.startswith(_OLE_MAGIC):
        head = data[: 1 << 20]
        if any(m in head for m in _ENCRYPTED_MARKERS):
            return "encrypted"
        return "ole"
    if data.startswith(b"%PDF"):
        return "pdf"
    start = data[:512].lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return "html"
    head = data[:4096]
    if b"\x00" in head:
        return "binary"
    for enc in ("utf-8", "gb18030"):
        try:
            head.decode(enc)
            return "text"
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the sample's end
                return "text"
    return "binary"


# what ``sniff`` found → the code of a file that is no workbook
_KIND_CODES = {"empty": "file-empty", "pdf": "file-pdf", "html": "file-html", "text": "file-text",
               "encrypted": "file-encrypted", "binary": "file-unknown-format"}


def read_workbook(path: Path, data: bytes | None = None, limits=None) -> Workbook:
    """Read every sheet of a workbook. Raises ``ReadError`` with a Chinese message on failure.

    ``limits`` (``bounds.Limits``) bound what a sheet may hold; every sheet is measured before it
    is read (see ``bounds.py``), so no file can make the reader allocate without bound.
    """
    import python_calamine as pc

    from . import bounds

    if data is None:
        data = path.read_bytes()
    kind = sniff(data)
    if kind in _KIND_CODES:
        raise ReadError(_KIND_CODES[kind])
    limits = limits or bounds.DEFAULT_LIMITS
    try:
        plans, sparse = _plan(data, kind, limits)
    except OwnOutput:
        raise ReadError("file-own-output") from None
    except BoundsError as exc:
        raise ReadError(exc.code, exc.sheet, exc.cell, **exc.fields) from None
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError as exc:
        raise ReadError("file-encrypted") from exc
    except (pc.ZipError, pc.XmlError, pc.CalamineError, ValueError, OSError) as exc:
        raise ReadError("file-corrupt", detail=_short(exc)) from exc
    except Exception as exc:  # calamine raises plain exceptions for some malformed files
        if "password" in str(exc).lower():
            raise ReadError("file-encrypted") from exc
        raise ReadError("file-corrupt", detail=_short(exc)) from exc
    sheets: list[Grid] = []
    percents = PercentCells(data) if kind == "zip" else None
    visibility = {m.name: str(m.visible).endswith(".Visible") for m in wb.sheets_metadata}
    with wb:
        for name in wb.sheet_names:
            plan = plans.get(name) or bounds.SheetPlan()
            problems: list[tuple[str, str, str, str]] = []
            if plan.mode == "refused":
                sheets.append(Grid(name=name, rows=[], visible=visibility.get(name, True), refused=plan.problem[3],
                                   problems=[plan.problem[1:]]))
                continue
            try:
                if plan.mode == "sparse":
                    rows, merges, far = bounds.read_sparse(sparse[name], sparse["\0strings"], plan)
                    problems += _far_messages(far, plan)
                else:
                    sh = wb.get_sheet_by_name(name)
                    rows = sh.to_python(skip_empty_area=False)
                    merges = [(a[0], a[1], b[0], b[1]) for a, b in (sh.merged_cell_ranges or [])]
            except Exception as exc:
                if "password" in str(exc).lower():
                    raise ReadError("file-encrypted", sheet=name) from exc
                raise ReadError("sheet-corrupt", sheet=name, detail=_short(exc)) from exc
            merges = bounds.clamp_merges(merges, len(rows), max((len(r) for r in rows), default=0))
            for (r, c), err in sorted(plan.errors.items()):
                if r < len(rows) and c < len(rows[r]):
                    rows[r][c] = err  # calamine reads an error cell as empty: the error is the value
                    problems.append(problem("cell-error-value", cell=cell_name(r, c), value=err)[1:])
            sheets.append(Grid(name=name, rows=rows, merges=merges, visible=visibility.get(name, True),
                               percents=percents, problems=problems))
    return Workbook(path=path, sheets=sheets)


_FAR_LISTED = 20  # far cells named one by one; the rest are counted


def _far_messages(far: list[tuple[int, int, str]], plan) -> list[tuple[str, str, str, str]]:
    keep_r, keep_c = plan.keep
    core = range_name(0, 0, keep_r - 1, keep_c - 1)
    out = [problem("cell-far-outside", cell=cell_name(r, c), range=core, text=text.strip()[:40])[1:]
           for r, c, text in far[:_FAR_LISTED]]
    if len(far) > _FAR_LISTED:
        out.append(problem("cell-far-outside-more", cell=cell_name(*far[-1][:2]), n=len(far) - _FAR_LISTED)[1:])
    return out


def _sheet_of(zf, part: str) -> str:
    from . import bounds

    return next((n for n, p in bounds.sheet_parts(zf).items() if p == part), "")


def _plan(data: bytes, kind: str, limits):
    """Per-sheet plans (bounds.SheetPlan) and, for sheets read sparsely, their XML and the shared strings."""
    import zipfile
    import zlib

    from . import bounds, marks

    if kind == "ole":
        return bounds.plan_xls(data, limits), {}
    if kind != "zip":
        return {}, {}
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}, {}  # calamine names the damage in its own words
    plans, sparse = {}, {}
    with zf:
        if marks.is_output_zip(zf):
            raise OwnOutput()
        try:
            bounds.check_parts(zf, limits)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError, zlib.error):
            return {}, {}  # damaged: calamine names the damage in its own words
        by_part = {}
        for info in zf.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            try:
                xml = bounds.read_part(zf, info, limits.max_part_bytes)
            except BoundsError as exc:
                raise BoundsError(exc.code, _sheet_of(zf, info.filename), exc.cell, **exc.fields) from None
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error):
                continue  # damaged: calamine reports it
            plan = bounds.plan_xlsx_sheet(xml, limits)
            if plan.mode != "calamine" or plan.errors:
                by_part[info.filename] = (plan, xml)
        if by_part:  # names only where a sheet needs more than calamine: most workbooks never get here
            for name, part in bounds.sheet_parts(zf).items():
                if part in by_part:
                    plans[name], xml = by_part[part]
                    if plans[name].mode == "sparse":
                        sparse[name] = xml
        if sparse:
            sparse["\0strings"] = bounds.shared_strings(zf, limits)
    return plans, sparse


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


# --------------------------------------------------------------------------------------------
# Percent-formatted cells (calamine gives values, not formats: a 100% cell reads as 1)

_XF_RE = re.compile(rb"<xf\b[^>]*?numFmtId=\"(\d+)\"[^>]*?(/>|>)")
_NUMFMT_RE = re.compile(rb"<numFmt\b[^>]*?numFmtId=\"(\d+)\"[^>]*?formatCode=\"([^\"]*)\"")
_ATTR_R = re.compile(rb"\br=\"([A-Z]+)(\d+)\"")
_ATTR_S = re.compile(rb"\bs=\"(\d+)\"")
_ATTR_T = re.compile(rb"\bt=\"([^\"]*)\"")
_PERCENT_BUILTIN = {9, 10}


def _is_percent_format(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\\.', "", code)  # quoted literals and escapes are not the format
    return "%" in code


class PercentCells:
    """The percent-formatted cells of a workbook's sheets, read from its XML only when a reader asks
    (a rate or value stored as a fraction): most forms never need it."""

    def __init__(self, data: bytes):
        self._data: bytes | None = data
        self._cells: dict[str, frozenset] | None = None

    def of(self, sheet: str) -> frozenset:
        if self._cells is None:
            self._cells = percent_cells(self._data or b"")
            self._data = None
        return self._cells.get(sheet, frozenset())


def percent_cells(data: bytes) -> dict[str, frozenset]:
    """Sheet name → 0-based (row, col) of numeric cells whose number format is a percentage.

    Only OOXML workbooks; a workbook without any percent style costs one read of styles.xml.
    """
    import html
    import zipfile

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        styles = zf.read("xl/styles.xml")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return {}
    custom = {int(i): html.unescape(c.decode("utf-8", "replace")) for i, c in _NUMFMT_RE.findall(styles)}
    start = styles.find(b"<cellXfs")
    end = styles.find(b"</cellXfs>", start)
    if start < 0:
        return {}
    percent_xf = set()
    for i, m in enumerate(_XF_RE.finditer(styles, start, end if end > 0 else len(styles))):
        fid = int(m.group(1))
        if fid in _PERCENT_BUILTIN or (fid in custom and _is_percent_format(custom[fid])):
            percent_xf.add(i)
    if not percent_xf:
        return {}
    from .bounds import sheet_parts

    needles = [b' s="' + str(i).encode() + b'"' for i in sorted(percent_xf)]
    out: dict[str, frozenset] = {}
    for name, path in sheet_parts(zf).items():
        try:
            xml = zf.read(path)
        except KeyError:
            continue
        cells = set()
        # find the style attribute itself (a C-speed scan), then the cell tag around it
        for needle in needles:
            pos = xml.find(needle)
            while pos >= 0:
                start = xml.rfind(b"<c ", 0, pos)
                end = xml.find(b">", pos)
                attrs = xml[start:end]
                pos = xml.find(needle, pos + 1)
                if start < 0 or b">" in attrs:
                    continue  # the attribute of some other tag
                t = _ATTR_T.search(attrs)
                if t and t.group(1) != b"n":
                    continue
                ref = _ATTR_R.search(attrs)
                if ref:
                    cells.add((int(ref.group(2)) - 1, col_index(ref.group(1))))
        if cells:
            out[name] = frozenset(cells)
    return out
