"""What a workbook holds, measured before any reader allocates it.

python-calamine builds each sheet as one dense grid spanning its used range: a single stray value in
XFD1048576 asks for 17 billion cells and the process aborts in native code, where nothing can catch
it. So before calamine opens a sheet we measure it from the file itself:

- ``.xlsx``: every zip part's inflated size (a part that claims few bytes but inflates to gigabytes is
  refused; small parts are bounded by deflate's 1:1032 ratio without inflating them), then each
  sheet's XML: one regex search says whether any cell lies beyond column Z or row 9999 (the usual
  form never does); only then are the cell references read to find the real extent.
- ``.xls``: the BIFF cell records of each sheet (``olefile`` opens the container).

A sheet within ``Limits`` goes to calamine as before. A sheet whose extent is too large because of a
few far-off cells is read sparsely (only the cells that exist, by this module's own XML reader) and
each far cell becomes a load message naming it; a sheet with too many cells is refused with a load
message naming its farthest cell. Error cells (``#DIV/0!``, ``#REF!`` …), which calamine reads as
empty, are found here too and marked in the grid as ``CellError``.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from .errors import BoundsError, problem
from .read import cell_name as _name, col_index

_DEFLATE_MAX_RATIO = 1032  # deflate cannot inflate more than ~1032× (RFC 1951: 258 bytes per 2-bit code)


@dataclass(frozen=True)
class Limits:
    """How much one workbook may hold before it is read. Defaults fit every real form with a wide margin.

    ``max_rows`` / ``max_columns``: cells beyond are "far" (a typo far off in a sheet); ``max_cells``:
    the grid a sheet may span (rows × columns of its used range) and the cells it may hold;
    ``max_far_cells``: more far cells than this and the sheet is refused, not read sparsely;
    ``max_part_bytes`` / ``max_workbook_bytes``: inflated size of one zip part / of all of them;
    ``max_pages``: pages of a PDF (a form is one to a few; a volume of hundreds is not read).
    """

    max_rows: int = 20_000
    max_columns: int = 500
    max_cells: int = 1_000_000
    max_far_cells: int = 200
    max_part_bytes: int = 100 * 2**20
    max_workbook_bytes: int = 300 * 2**20
    max_pages: int = 200


DEFAULT_LIMITS = Limits()


class CellError(str):
    """An Excel error value (``#DIV/0!``, ``#REF!``, ``#N/A``, ``#VALUE!`` …) read from a cell.

    A ``str`` so that it prints as the reviewer sees it, but never ``str`` exactly: readers that take
    labels (``v.__class__ is str``) skip it, and number readers report it as an error cell.
    """

    __slots__ = ()


@dataclass
class SheetPlan:
    """How one sheet is to be read."""

    mode: str = "calamine"  # "calamine" | "sparse" | "refused"
    errors: dict = field(default_factory=dict)  # (row, col) → CellError
    far: list = field(default_factory=list)  # (row, col) of far cells with content (sparse mode)
    problem: tuple = ()  # why it was refused: an ``errors.problem`` row naming the far cell
    keep: tuple[int, int] = (0, 0)  # sparse mode: rows × columns of the kept core


# ---------------------------------------------------------------------------------------------
# xlsx


# column AA+ or row 10000+: measure properly (the literal start lets re skip ahead at C speed)
_MAYBE_FAR = re.compile(rb' r="[A-Z](?:[A-Z]|\d{5})')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ATTR_R = re.compile(rb'\br="([A-Z]+)(\d+)"')
_ATTR_T = re.compile(rb'\bt="(\w+)"')
_V = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_T = re.compile(rb"<(?:\w+:)?t\b[^>]*>([^<]*)</(?:\w+:)?t>")
_RPH = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_SI = re.compile(rb"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>", re.S)
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?name=\"([^\"]*)\"[^>]*?r:id=\"([^\"]*)\"")
_REL = re.compile(rb"<Relationship\b([^>]*)>")
_REL_ID = re.compile(rb'\bId="([^"]*)"')
_REL_TARGET = re.compile(rb'\bTarget="([^"]*)"')


def read_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A part's bytes, inflating at most ``limit`` bytes whatever its header claims."""
    data = _inflate(zf, info, limit)
    if data is None:  # a part only zipfile knows how to read: let it, still bounded
        data = _inflate_with_zipfile(zf, info, limit)
    if len(data) > limit:
        raise BoundsError("zip-part-too-large", part=info.filename, limit_mb=limit // 2**20, claimed=info.file_size)
    return data


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """Stored or deflated bytes read straight from the archive (at most ``limit + 1`` of them).

    Every sheet is inflated here before calamine inflates it again, so this skips zipfile's
    per-read machinery (its ZipExtFile, 4 KB-chunked reads and CRC) that cost as much as the
    inflating itself. ``None`` for what it does not handle (encryption, other methods).
    """
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    fp = zf.fp
    if fp is None or getattr(zf, "_writing", False):
        return None
    fp.seek(info.header_offset)
    header = fp.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != zipfile.stringFileHeader:
        raise zipfile.BadZipFile(f"Bad magic number for file header: {info.filename}")
    fields = _LOCAL_HEADER.unpack(header)
    fp.seek(fields[10] + fields[11], 1)  # past the local name and extra field
    raw = fp.read(info.compress_size)
    if len(raw) != info.compress_size:
        raise EOFError(f"truncated part: {info.filename}")
    if info.compress_type == zipfile.ZIP_STORED:
        return raw[: limit + 1]
    return zlib.decompressobj(-15).decompress(raw, limit + 1)


def _inflate_with_zipfile(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    bounded = zipfile.ZipInfo(info.filename)
    for attr in ("compress_type", "compress_size", "header_offset", "flag_bits", "CRC", "extra", "date_time"):
        setattr(bounded, attr, getattr(info, attr))
    # zipfile stops at file_size and checks the CRC there: let it run past the limit without reaching it
    bounded.file_size = limit + 2
    with zf.open(bounded) as fh:
        return fh.read(limit + 1)


def check_parts(zf: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a workbook whose parts inflate beyond the limits; small parts cost nothing to check."""
    total = 0
    for info in zf.infolist():
        if info.compress_type == zipfile.ZIP_STORED:
            size = info.compress_size
        elif info.compress_type == zipfile.ZIP_DEFLATED and info.compress_size * _DEFLATE_MAX_RATIO <= limits.max_part_bytes:
            size = info.compress_size * _DEFLATE_MAX_RATIO  # an upper bound, no inflating needed
            if total + size > limits.max_workbook_bytes:  # the bound is too loose here: measure
                size = len(read_part(zf, info, limits.max_part_bytes))
        else:
            size = len(read_part(zf, info, limits.max_part_bytes))
        total += size
        if total > limits.max_workbook_bytes:
            raise BoundsError("workbook-too-large", limit_mb=limits.max_workbook_bytes // 2**20, part=info.filename)


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part's path in the zip (from workbook.xml and its relationships)."""
    try:
        wbx = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {}
    for attrs in _REL.findall(rels):
        i, t = _REL_ID.search(attrs), _REL_TARGET.search(attrs)
        if i and t:
            targets[i.group(1)] = t.group(1).decode("utf-8", "replace")
    out = {}
    for name, rid in _SHEET.findall(wbx):
        target = targets.get(rid, "")
        if target:
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            out[html.unescape(name.decode("utf-8", "replace"))] = path
    return out


def plan_xlsx_sheet(xml: bytes, limits: Limits) -> SheetPlan:
    """Measure one sheet's XML: the usual form costs one regex search and one ``find``."""
    plan = SheetPlan()
    if b't="e"' in xml:
        plan.errors = _error_cells(xml)
    if _MAYBE_FAR.search(xml) is None:
        return plan  # every cell within A…Z and rows 1…9999: at most 260,000 cells of grid
    cells = [(int(r) - 1, col_index(c)) for c, r, content in _content_refs(xml)]
    if not cells:
        return plan
    n = len(cells)
    rows = 1 + max(r for r, _ in cells)
    cols = 1 + max(c for _, c in cells)
    if n > limits.max_cells:
        far = max(cells)
        return SheetPlan("refused", plan.errors, problem=problem(
            "sheet-too-many-cells", cell=_name(*far), n=n, limit=limits.max_cells, far=_name(*far)))
    if rows <= limits.max_rows and cols <= limits.max_columns and rows * cols <= limits.max_cells:
        return plan
    keep_r, keep_c = _core(cells, limits)
    far = [(r, c) for r, c in cells if r >= keep_r or c >= keep_c]
    if len(far) > limits.max_far_cells or keep_r * keep_c > limits.max_cells:
        last = max(far, key=lambda rc: (rc[0], rc[1]))
        return SheetPlan("refused", plan.errors, problem=problem(
            "sheet-used-range-too-large", cell=_name(*last), n=len(far), far=_name(*last), max_rows=limits.max_rows,
            max_columns=limits.max_columns, max_far=limits.max_far_cells))
    return SheetPlan("sparse", plan.errors, far=sorted(far), keep=(keep_r, keep_c))


def _content_refs(xml: bytes):
    """(column letters, row digits, content) of every cell that holds something (value, text or formula)."""
    for m in _CELL.finditer(xml):
        content = m.group(3)
        if not content:
            continue
        ref = _ATTR_R.search(m.group(1))
        if ref:
            yield ref.group(1), ref.group(2), content


def _core(cells: list[tuple[int, int]], limits: Limits) -> tuple[int, int]:
    """Rows × columns of the dense part: up to the first wide gap, never beyond the limits.

    A form's rows and columns follow each other; a stray value stands far off, after a gap."""
    def extent(values: list[int], cap: int, gap: int) -> int:
        end = 0
        for v in sorted(set(values)):
            if v >= cap or (end and v - end > gap):
                break
            end = v + 1
        return end

    return (extent([r for r, _ in cells], limits.max_rows, 1000),
            extent([c for _, c in cells], limits.max_columns, 50))


_ERROR_CODES = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
                "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}


def _error_cells(xml: bytes) -> dict:
    out = {}
    for m in _CELL.finditer(xml):
        attrs = m.group(1)
        t = _ATTR_T.search(attrs)
        if not t or t.group(1) != b"e":
            continue
        ref = _ATTR_R.search(attrs)
        v = _V.search(m.group(3) or b"")
        if ref:
            code = html.unescape(v.group(1).decode("utf-8", "replace")) if v else "#ERROR"
            out[(int(ref.group(2)) - 1, col_index(ref.group(1)))] = CellError(code or "#ERROR")
    return out


def shared_strings(zf: zipfile.ZipFile, limits: Limits) -> list[str]:
    try:
        info = zf.getinfo("xl/sharedStrings.xml")
    except KeyError:
        return []
    xml = read_part(zf, info, limits.max_part_bytes)
    return [_text_of(si) for si in _SI.findall(xml)]


def _text_of(fragment: bytes) -> str:
    fragment = _RPH.sub(b"", fragment)  # phonetic guides are not the cell's text
    return html.unescape(b"".join(_T.findall(fragment)).decode("utf-8", "replace"))


def read_sparse(xml: bytes, strings: list[str], plan: SheetPlan) -> tuple[list[list[object]], list[tuple], list[tuple]]:
    """The kept core of a sheet as a grid, its merges within the core, and its far cells' texts."""
    keep_r, keep_c = plan.keep
    grid: list[list[object]] = [[""] * keep_c for _ in range(keep_r)]
    far: list[tuple[int, int, str]] = []
    for m in _CELL.finditer(xml):
        content = m.group(3)
        if not content:
            continue
        attrs = m.group(1)
        ref = _ATTR_R.search(attrs)
        if not ref:
            continue
        r, c = int(ref.group(2)) - 1, col_index(ref.group(1))
        t = _ATTR_T.search(attrs)
        value = _value(t.group(1).decode() if t else "n", content, strings)
        if r < keep_r and c < keep_c:
            grid[r][c] = value
        elif value != "":
            from .cellvalues import to_text

            far.append((r, c, to_text(value)))
    merges = []
    for a, r0, b, r1 in _MERGE.findall(xml):
        rr0, cc0 = int(r0) - 1, col_index(a)
        rr1, cc1 = (int(r1) - 1, col_index(b)) if b else (rr0, cc0)
        if rr0 < keep_r and cc0 < keep_c:
            merges.append((rr0, cc0, min(rr1, keep_r - 1), min(cc1, keep_c - 1)))
    return grid, merges, far


def _value(kind: str, content: bytes, strings: list[str]) -> object:
    v = _V.search(content)
    raw = html.unescape(v.group(1).decode("utf-8", "replace")) if v else ""
    if kind == "s":
        try:
            return strings[int(raw)]
        except (ValueError, IndexError):
            return ""
    if kind == "inlineStr":
        return _text_of(content)
    if kind in ("str", "d"):
        return raw
    if kind == "b":
        return raw == "1"
    if kind == "e":
        return CellError(raw or "#ERROR")
    try:
        return float(raw) if raw else ""
    except ValueError:
        return raw


def clamp_merges(merges: list[tuple[int, int, int, int]], height: int, width: int) -> list[tuple[int, int, int, int]]:
    """Merged ranges cut to the grid: a merge over A1:XFD1048576 must not make readers walk it all."""
    out = []
    for r0, c0, r1, c1 in merges:
        if r0 < height and c0 < width:
            out.append((r0, c0, min(r1, height - 1), min(c1, width - 1)))
    return out


# ---------------------------------------------------------------------------------------------
# xls (BIFF8 in an OLE container)

_BIFF_CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0204, 0x0205, 0x00D6}  # FORMULA LABELSST NUMBER RK LABEL BOOLERR RSTRING
_BIFF_MULRK = 0x00BD
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A"}


def plan_xls(data: bytes, limits: Limits) -> dict[str, SheetPlan]:
    """Sheet name → plan for a BIFF8 workbook; ``{}`` when the container cannot be walked (calamine decides)."""
    try:
        import olefile

        ole = olefile.OleFileIO(io.BytesIO(data))
        stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
        if stream is None:
            return {}
        if ole.get_size(stream) > limits.max_part_bytes:
            raise BoundsError("xls-stream-too-large", limit_mb=limits.max_part_bytes // 2**20)
        buf = ole.openstream(stream).read()
    except BoundsError:
        raise
    except Exception:  # not ours to judge: calamine reports a damaged file in its own words
        return {}
    sheets = _boundsheets(buf)
    plans: dict[str, SheetPlan] = {}
    for name, offset in sheets:
        plans[name] = _plan_biff_sheet(buf, offset, limits)
    return plans


def _boundsheets(buf: bytes) -> list[tuple[str, int]]:
    out, pos, n = [], 0, len(buf)
    while pos + 4 <= n:
        rtype, rlen = struct.unpack_from("<HH", buf, pos)
        body = pos + 4
        if rtype == 0x0085 and rlen >= 8:  # BOUNDSHEET8: offset, state, type, name
            offset = struct.unpack_from("<I", buf, body)[0]
            cch, flags = buf[body + 6], buf[body + 7]
            raw = buf[body + 8: body + 8 + (cch * 2 if flags & 1 else cch)]
            name = raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
            out.append((name, offset))
        elif rtype == 0x000A:  # EOF of the globals substream
            break
        pos = body + rlen
    return out


def _plan_biff_sheet(buf: bytes, offset: int, limits: Limits) -> SheetPlan:
    plan = SheetPlan()
    pos, n = offset, len(buf)
    max_r = max_c = -1
    count = 0
    far_cell = (0, 0)
    while pos + 4 <= n:
        rtype, rlen = struct.unpack_from("<HH", buf, pos)
        body = pos + 4
        pos = body + rlen
        if rtype == 0x000A:
            break
        if rtype in _BIFF_CELLS and rlen >= 6:
            r, c = struct.unpack_from("<HH", buf, body)
            count += 1
            if rtype == 0x0205 and rlen >= 8 and buf[body + 7] == 1:  # BOOLERR holding an error
                plan.errors[(r, c)] = CellError(_BIFF_ERRORS.get(buf[body + 6], "#ERROR"))
            elif rtype == 0x0006 and rlen >= 14 and buf[body + 12: body + 14] == b"\xff\xff" and buf[body + 6] == 2:
                plan.errors[(r, c)] = CellError(_BIFF_ERRORS.get(buf[body + 8], "#ERROR"))
        elif rtype == _BIFF_MULRK and rlen >= 6:
            r, c = struct.unpack_from("<HH", buf, body)
            c = struct.unpack_from("<H", buf, body + rlen - 2)[0]
            count += 1 + (rlen - 6) // 6
        else:
            continue
        if (r, c) > far_cell:
            far_cell = (r, c)
        max_r, max_c = max(max_r, r), max(max_c, c)
    rows, cols = max_r + 1, max_c + 1
    if count > limits.max_cells or rows > limits.max_rows or cols > limits.max_columns or rows * cols > limits.max_cells:
        plan.mode = "refused"
        far = _name(*far_cell)
        plan.problem = problem("xls-sheet-too-large", cell=far, rows=rows, cols=cols, n=count, far=far,
                               max_rows=limits.max_rows, max_columns=limits.max_columns, limit=limits.max_cells)
    return plan
