"""Read a published PDF form into the same grids the workbook reader gives.

A page's ruling lines make the grid: their x positions are the column boundaries, their y
positions the row boundaries, and two neighbouring slots with no line between them are one
merged cell. Text is placed by where each run of characters starts, so text that overflows a
cell (printed, or clipped but still in the text layer) stays with the cell it was typed in.
Lines above or below the ruled area (the title, the year, 填报人) become rows of their own.

A form printed without fit-to-width continues sideways on the next page (its rows line up); a
long one continues downward (its columns line up). Such pages are joined into one grid before
the form readers see it; a cell cut by the page edge is drawn on both pages and read once.

pdfplumber (pdfminer.six, MIT) gives characters and ruling lines; see ``docs/design.md`` for the
measurements that chose it. A page without a text layer is a scan: it is read by OCR when the
``ocr`` extra is installed (``ocr.py``), else it gets a load error saying what to install.
"""

from __future__ import annotations

import bisect
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ReadError, problem
from .read import Grid, Place, Workbook, _short, cell_name

_TOL = 1.0  # points: lines closer than this are one line
_MIN_EDGE = 4.0  # a shorter segment is a tick, not a ruling line
_OCR_DPI = 200
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@dataclass
class _Run:
    """Characters of one line of text that belong together (no gap, no ruling line between)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int


@dataclass
class _Layout:
    """One page, or several joined: ruling segments and text runs in one coordinate space."""

    pages: list[int]
    h: list[tuple[float, float, float]] = field(default_factory=list)  # (y, x0, x1)
    v: list[tuple[float, float, float]] = field(default_factory=list)  # (x, y0, y1)
    chars: list[dict] = field(default_factory=list)
    offsets: dict[int, tuple[float, float]] = field(default_factory=dict)  # page → (dx, dy) into this space
    sizes: dict[int, tuple[float, float]] = field(default_factory=dict)  # page → (width, height)
    seams: list[float] = field(default_factory=list)  # x of a sideways join
    seam_rows: set = field(default_factory=set)  # (seam x, y-centre) of cells drawn on both sides of a seam
    raw: dict[int, tuple[list[float], list[float]]] = field(default_factory=dict)  # page → its own (ys, xs) of lines
    text: str = ""


def read_pdf(path: Path, data: bytes, limits=None) -> Workbook:
    """Every form-bearing page (or run of joined pages) of a PDF as a ``Grid``.

    Raises ``ReadError`` (pdf-encrypted, pdf-corrupt, pdf-too-many-pages, pdf-no-table).
    """
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    from .bounds import DEFAULT_LIMITS

    max_pages = (limits or DEFAULT_LIMITS).max_pages
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise ReadError("pdf-encrypted") from exc
    except Exception as exc:  # pdfminer raises many types for damaged files (pdfplumber wraps them)
        if _encrypted(exc, data):
            raise ReadError("pdf-encrypted") from exc
        raise ReadError("pdf-corrupt", detail=_short(exc)) from exc
    with pdf:
        try:
            n = len(pdf.pages)
        except Exception as exc:
            if _encrypted(exc, data):
                raise ReadError("pdf-encrypted") from exc
            raise ReadError("pdf-corrupt", detail=_short(exc)) from exc
        if n > max_pages:
            raise ReadError("pdf-too-many-pages", pages=n, limit=max_pages)
        layouts: list[_Layout] = []
        scans: list[Grid] = []
        for i, page in enumerate(pdf.pages, start=1):
            try:
                lay = _page_layout(page, i)
            except Exception as exc:
                raise ReadError("pdf-corrupt", sheet=f"第{i}页", detail=_short(exc)) from exc
            if not lay.chars and page.images:
                scans.append(_scan_page(data, i))
                continue
            layouts.append(lay)
    grids = [_grid(lay) for lay in _join(layouts)]
    grids = [g for g in grids if g is not None]
    sheets = sorted(grids + scans, key=lambda g: _first_page(g.name))
    if not sheets:
        raise ReadError("pdf-no-table", pages=n)
    return Workbook(path=path, sheets=sheets)


def _first_page(name: str) -> int:
    m = re.search(r"\d+", name)
    return int(m.group()) if m else 0


def page_name(pages: list[int]) -> str:
    """``第3页``; joined pages ``第1-2页``."""
    return f"第{pages[0]}页" if len(pages) == 1 else f"第{pages[0]}-{pages[-1]}页"


def _encrypted(exc: BaseException, data: bytes) -> bool:
    """An open failure of an encrypted PDF (its trailer names an /Encrypt dictionary)."""
    words = f"{type(exc).__name__} {exc} {exc.__cause__!r}".lower()
    return "password" in words or "encrypt" in words or b"/Encrypt" in data


def first_page(sheet: str) -> int | None:
    """The page a PDF grid's name starts at (``第1-2页`` → 1), None for a name that is no page."""
    m = re.fullmatch(r"第(\d+)(?:-\d+)?页", str(sheet or ""))
    return int(m.group(1)) if m else None


# --------------------------------------------------------------------------------------------
# One page


def _page_layout(page, number: int) -> _Layout:
    lay = _Layout(pages=[number], offsets={number: (0.0, 0.0)}, sizes={number: (float(page.width), float(page.height))})
    for e in page.edges:
        if e["orientation"] == "h" and e["x1"] - e["x0"] >= _MIN_EDGE:
            lay.h.append((float(e["top"]), float(e["x0"]), float(e["x1"])))
        elif e["orientation"] == "v" and e["bottom"] - e["top"] >= _MIN_EDGE:
            lay.v.append((float(e["x0"]), float(e["top"]), float(e["bottom"])))
    for c in page.chars:
        if c["text"].strip():
            lay.chars.append({"text": c["text"], "x0": float(c["x0"]), "x1": float(c["x1"]), "top": float(c["top"]),
                              "bottom": float(c["bottom"]), "size": float(c["size"] or 1.0), "page": number})
    lay.text = "".join(c["text"] for c in lay.chars)
    lay.raw[number] = (_positions([y for y, *_ in lay.h]), _positions([x for x, *_ in lay.v]))
    return lay


def ocr_engine():
    """``evaltools.ocr`` when it can run here (the ``ocr`` extra and tesseract with chi_sim), else
    None. ``EVALTOOLS_OCR=off`` turns it off (a batch that must not spend a minute a page)."""
    import os

    if os.environ.get("EVALTOOLS_OCR", "").lower() in ("off", "0", "no", "false"):
        return None
    try:
        from . import ocr
    except ImportError:
        return None
    return ocr if ocr.available() else None


def _scan_page(data: bytes, number: int) -> Grid:
    """A page with pictures and no text: OCR when installed, else a refused grid with the reason."""
    name = page_name([number])
    ocr = ocr_engine()
    if ocr is None:
        row = problem("pdf-needs-ocr", name)
        return Grid(name=name, rows=[], refused=row[3], problems=[row[1:]])
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
        try:
            page = doc[number - 1]
            scale = ocr.render_scale(*page.get_size(), _OCR_DPI)  # a poster-sized page is rendered coarser
            image = page.render(scale=scale).to_pil()
        finally:
            doc.close()
        return ocr.read_image(image, name=name, page=number, scale=scale)
    except ReadError as exc:
        row = problem(exc.code, name, exc.cell, **exc.fields)
        return Grid(name=name, rows=[], refused=row[3], problems=[row[1:]])
    except Exception as exc:  # the OCR engine's own failure: this page is lost, the file goes on
        row = problem("ocr-failed", name, detail=_short(exc))
        return Grid(name=name, rows=[], refused=row[3], problems=[row[1:]])


# --------------------------------------------------------------------------------------------
# Joining pages


_NEW_FORM = ("项目名称", "部门名称", "单位名称")


def _starts_form(lay: _Layout) -> bool:
    text = re.sub(r"\s", "", lay.text)
    return any(w in text for w in _NEW_FORM)


def _positions(values: list[float]) -> list[float]:
    """Sorted distinct positions, those within ``_TOL`` merged."""
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= _TOL:
            continue
        out.append(v)
    return out


def _matches(a: list[float], b: list[float]) -> float:
    """Share of ``b``'s positions that ``a`` also has."""
    if not b:
        return 0.0
    hits = sum(1 for y in b if _near(a, y))
    return hits / len(b)


def _shared(a: list[float], b: list[float]) -> float:
    """Share of the sparser page's positions that the other has too. A page whose cells are merged
    down (一级指标 over five rows) draws fewer row lines than the page that continues it sideways,
    and every one of them is a line of that page."""
    if not a or not b:
        return 0.0
    few, many = (a, b) if len(a) <= len(b) else (b, a)
    return _matches(many, few)


def _near(sorted_values: list[float], y: float, tol: float = _TOL) -> bool:
    i = bisect.bisect_left(sorted_values, y - tol)
    return i < len(sorted_values) and sorted_values[i] <= y + tol


def _join(layouts: list[_Layout]) -> list[_Layout]:
    """Pages that continue a page before (sideways or downward) joined to it.

    A page is compared with each page already in the group, newest first, by its own ruling lines:
    LibreOffice and Excel print a sheet too big for a page down, then across (or across, then down),
    so page 4 of a 2 × 2 print continues page 3 downward and page 2 sideways.
    """
    out: list[_Layout] = []
    for lay in layouts:
        group = out[-1] if out and (out[-1].h or out[-1].v) else None
        if not (lay.h or lay.v) or group is None or _starts_form(lay):
            out.append(lay)
            continue
        nh, nv = _positions([y for y, *_ in lay.h]), _positions([x for x, *_ in lay.v])
        for page in reversed(group.pages):
            ph, pv = group.raw[page]
            dx, dy = group.offsets[page]
            if len(nh) >= 3 and _shared(ph, nh) >= 0.8 and _matches(pv, nv) < 0.8:
                _append(group, lay, dx=dx + max(pv) - min(nv), dy=dy, seam=dx + max(pv))
                break
            if nv and _shared(pv, nv) >= 0.8 and _matches(ph, nh) < 0.8:
                _append(group, lay, dx=dx, dy=dy + max(ph) - min(nh), seam=None)
                break
        else:
            out.append(lay)
    return out


def _append(into: _Layout, lay: _Layout, *, dx: float, dy: float, seam: float | None) -> None:
    page = lay.pages[0]
    if seam is not None:
        into.seams.append(seam)
    into.pages.append(page)
    into.offsets[page] = (dx, dy)
    into.sizes.update(lay.sizes)
    into.raw.update(lay.raw)
    into.h += [(y + dy, x0 + dx, x1 + dx) for y, x0, x1 in lay.h]
    into.v += [(x + dx, y0 + dy, y1 + dy) for x, y0, y1 in lay.v]
    # a cell cut by the page edge is drawn on both pages: keep one copy of each character, and
    # remember its row, where the seam is no border of the cell
    seen = {(c["text"], round(c["x0"] * 2), round(c["top"] * 2)) for c in into.chars}
    for c in lay.chars:
        moved = dict(c, x0=c["x0"] + dx, x1=c["x1"] + dx, top=c["top"] + dy, bottom=c["bottom"] + dy)
        key = (moved["text"], round(moved["x0"] * 2), round(moved["top"] * 2))
        if any((key[0], key[1] + a, key[2] + b) in seen for a in (-1, 0, 1) for b in (-1, 0, 1)):
            if seam is not None:
                into.seam_rows.add((seam, (moved["top"] + moved["bottom"]) / 2))
            continue
        into.chars.append(moved)
    into.text += lay.text


# --------------------------------------------------------------------------------------------
# The grid


def _runs(chars: list[dict], v: list[tuple[float, float, float]]) -> list[_Run]:
    """Characters grouped into runs: one line, no gap wider than a character's spacing, and no
    ruling line between two characters that have space between them."""
    lines: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: (round((c["top"] + c["bottom"]) / 2, 1), c["x0"])):
        mid = (c["top"] + c["bottom"]) / 2
        for line in reversed(lines[-4:]):
            lm = (line[0]["top"] + line[0]["bottom"]) / 2
            if abs(mid - lm) <= 0.3 * min(c["size"], line[0]["size"]):
                line.append(c)
                break
        else:
            lines.append([c])
    vx = sorted(v)
    runs: list[_Run] = []
    for line in lines:
        line.sort(key=lambda c: c["x0"])
        cur: list[dict] = []
        for c in line:
            if cur:
                last = cur[-1]
                gap = c["x0"] - last["x1"]
                mid = (c["top"] + c["bottom"]) / 2
                # a string's characters touch; two cells' texts have the cells' padding between
                if gap > 0.6 * c["size"] or (gap > 0.2 and _ruled_between(vx, last["x1"], c["x0"], mid)):
                    runs.append(_make_run(cur))
                    cur = []
                elif c["x0"] < last["x1"] - 0.5 * c["size"]:  # overprinted (two texts drawn on each other)
                    runs.append(_make_run(cur))
                    cur = []
            cur.append(c)
        if cur:
            runs.append(_make_run(cur))
    return runs


def _ruled_between(v, a: float, b: float, y: float) -> bool:
    i = bisect.bisect_left(v, (a - 0.5,))
    while i < len(v) and v[i][0] <= b + 0.5:
        if v[i][1] - _TOL <= y <= v[i][2] + _TOL:
            return True
        i += 1
    return False


def _make_run(chars: list[dict]) -> _Run:
    text = ""
    for i, c in enumerate(chars):
        if i and c["x0"] - chars[i - 1]["x1"] > 0.2 * c["size"] and not (_CJK.match(c["text"]) and _CJK.match(chars[i - 1]["text"])):
            text += " "
        text += c["text"]
    return _Run(text=text, x0=chars[0]["x0"], x1=chars[-1]["x1"], top=min(c["top"] for c in chars),
                bottom=max(c["bottom"] for c in chars), size=max(c["size"] for c in chars), page=chars[0]["page"])


def _grid(lay: _Layout) -> Grid | None:
    name = page_name(lay.pages)
    if not lay.h or not lay.v:
        return None  # prose: no table on this page
    xs = _positions([x for x, *_ in lay.v])
    ys = _positions([y for y, *_ in lay.h])
    if len(xs) < 3 or len(ys) < 3:
        return None  # a frame or a rule under a heading, not a table of cells
    runs = _runs(lay.chars, lay.v)
    nrow, ncol = len(ys) - 1, len(xs) - 1
    h_by = _segments_at(lay.h, ys)
    v_by = _segments_at(lay.v, xs)
    # a cell drawn on both sides of one seam is open there, not at another seam on its row
    seam_col = {s: j for j, x in enumerate(xs) for s in lay.seams if abs(x - s) <= _TOL}
    seam_rows = {(seam_col[s], bisect.bisect_right(ys, y) - 1) for s, y in lay.seam_rows if s in seam_col}

    def open_right(i: int, j: int) -> bool:  # no line between slot (i, j) and (i, j + 1)
        if (j + 1, i) in seam_rows:
            return True
        return not _covers(v_by[j + 1], (ys[i] + ys[i + 1]) / 2)

    def open_down(i: int, j: int) -> bool:
        return not _covers(h_by[i + 1], (xs[j] + xs[j + 1]) / 2)

    parent = list(range(nrow * ncol))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i in range(nrow):
        for j in range(ncol):
            if j + 1 < ncol and open_right(i, j):
                parent[find(i * ncol + j)] = find(i * ncol + j + 1)
            if i + 1 < nrow and open_down(i, j):
                parent[find(i * ncol + j)] = find((i + 1) * ncol + j)
    comps: dict[int, list[tuple[int, int]]] = {}
    for i in range(nrow):
        for j in range(ncol):
            comps.setdefault(find(i * ncol + j), []).append((i, j))
    owner: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for slots in comps.values():
        r0, c0 = min(s[0] for s in slots), min(s[1] for s in slots)
        r1, c1 = max(s[0] for s in slots), max(s[1] for s in slots)
        rect = (r0, c0, r1, c1)
        if len(slots) != (r1 - r0 + 1) * (c1 - c0 + 1):
            # not a rectangle (a border missing on one side only): each slot on its own
            for s in slots:
                owner[s] = (s[0], s[1], s[0], s[1])
        else:
            for s in slots:
                owner[s] = rect
    # free lines above and below the ruled area are rows of their own
    top_lines = _free_lines([r for r in runs if (r.top + r.bottom) / 2 < ys[0] - _TOL])
    bottom_lines = _free_lines([r for r in runs if (r.top + r.bottom) / 2 > ys[-1] + _TOL])
    inside = [r for r in runs if ys[0] - _TOL <= (r.top + r.bottom) / 2 <= ys[-1] + _TOL]
    lead = len(top_lines)
    height = lead + nrow + len(bottom_lines)
    rows: list[list[object]] = [[""] * ncol for _ in range(height)]
    places: dict[tuple[int, int], Place] = {}
    texts: dict[tuple[int, int], list[_Run]] = {}
    for block in _blocks(inside, xs, ys, h_by):
        mid = (block[0].top + block[-1].bottom) / 2
        i = min(max(bisect.bisect_right(ys, mid) - 1, 0), nrow - 1)
        j = min(max(bisect.bisect_right(xs, block[0].x0 + 0.5) - 1, 0), ncol - 1)
        r0, c0, _, _ = owner[(i, j)]
        texts.setdefault((r0, c0), []).extend(block)
    for rect in set(owner.values()):  # every cell, empty ones too: a finding may point at a blank
        r0, c0, r1, c1 = rect
        items = texts.get((r0, c0))
        if items:
            rows[lead + r0][c0] = _cell_text(items)
            page = min(items, key=lambda r: (r.top, r.x0)).page
        else:
            page = _page_at(lay, xs[c0] + _TOL, ys[r0] + _TOL)
        places[(lead + r0, c0)] = _place(lay, page, xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])
    for k, line in enumerate(top_lines + bottom_lines):
        row = k if k < lead else lead + nrow + (k - lead)
        for r in line:
            j = min(max(bisect.bisect_right(xs, r.x0 + 0.5) - 1, 0), ncol - 1)
            rows[row][j] = (rows[row][j] + " " + r.text).strip() if rows[row][j] else r.text
            if (row, j) not in places:
                places[(row, j)] = _place(lay, r.page, r.x0, r.top, r.x1, r.bottom)
    merges = sorted({(lead + a, b, lead + c, d) for a, b, c, d in owner.values() if (a, b) != (c, d)})
    return Grid(name=name, rows=rows, merges=merges, places=places)


def _blocks(runs: list[_Run], xs: list[float], ys: list[float], h_by) -> list[list[_Run]]:
    """Runs grouped as a cell prints them: a wrapped text taller than its row overflows above and
    below the cell, so its lines are placed by the middle of the whole block, not one by one.

    Lines chain into a block when they start at the same x (or share a centre), follow at one line
    spacing, and one of them is cut by a ruling line (a line that sits inside its own cell is no
    sign of overflow: tight rows of one-line cells chain the same way and must stay apart).
    """
    order = sorted(runs, key=lambda r: ((r.top + r.bottom) / 2, r.x0))
    used = [False] * len(order)
    out: list[list[_Run]] = []
    for k, r in enumerate(order):
        if used[k]:
            continue
        chain, used[k] = [r], True
        last = r
        for m in range(k + 1, len(order)):
            if used[m]:
                continue
            b = order[m]
            step = (b.top + b.bottom) / 2 - (last.top + last.bottom) / 2
            if step > 1.6 * last.size:
                break
            aligned = abs(b.x0 - last.x0) <= 1.5 or abs((b.x0 + b.x1) - (last.x0 + last.x1)) <= 3.0
            if aligned and 1.15 * last.size <= step:  # closer is overprint: two texts, not a wrap
                chain.append(b)
                used[m] = True
                last = b
        out += _split_chain(chain, ys, h_by)
    return out


def _split_chain(chain: list[_Run], ys, h_by) -> list[list[_Run]]:
    """The overflowing block of a chain: its lines cut by a ruling line (a lone cut line with the
    line after it, or before it), every other line on its own."""
    cut = [_cut(x, ys, h_by) for x in chain]
    if not any(cut):
        return [[x] for x in chain]
    a = cut.index(True)
    b = len(cut) - 1 - cut[::-1].index(True)
    if a == b:
        if b + 1 < len(chain):
            b += 1
        elif a > 0:
            a -= 1
    else:  # a long text: the lines before and after the cut ones at the same pitch are the same block
        mid = [(x.top + x.bottom) / 2 for x in chain]
        pitch = sorted(mid[k + 1] - mid[k] for k in range(a, b))[(b - a) // 2]
        while a > 0 and abs(mid[a] - mid[a - 1] - pitch) <= 0.15:
            a -= 1
        while b + 1 < len(chain) and abs(mid[b + 1] - mid[b] - pitch) <= 0.15:
            b += 1
    return [[x] for x in chain[:a]] + [chain[a:b + 1]] + [[x] for x in chain[b + 1:]]


def _cut(r: _Run, ys: list[float], h_by) -> bool:
    """A ruling line passes through the run's letters (its middle 60%)."""
    a, b = r.top + 0.2 * (r.bottom - r.top), r.bottom - 0.2 * (r.bottom - r.top)
    i = bisect.bisect_left(ys, a)
    while i < len(ys) and ys[i] <= b:
        if _covers(h_by[i], (r.x0 + r.x1) / 2):
            return True
        i += 1
    return False


def _segments_at(segs: list[tuple[float, float, float]], positions: list[float]) -> list[list[tuple[float, float]]]:
    """For each boundary position, the spans its segments cover."""
    out: list[list[tuple[float, float]]] = [[] for _ in positions]
    for pos, a, b in segs:
        i = bisect.bisect_left(positions, pos - _TOL)
        if i < len(positions) and abs(positions[i] - pos) <= _TOL:
            out[i].append((a, b))
    return out


def _covers(spans: list[tuple[float, float]], at: float) -> bool:
    return any(a - _TOL <= at <= b + _TOL for a, b in spans)


def _free_lines(runs: list[_Run], share: float = 0.5) -> list[list[_Run]]:
    """Runs grouped into lines, top to bottom: a run whose middle is within ``share`` of its size of
    the line's first run is on that line."""
    lines: list[list[_Run]] = []
    for r in sorted(runs, key=lambda r: ((r.top + r.bottom) / 2, r.x0)):
        mid = (r.top + r.bottom) / 2
        if lines and abs(mid - (lines[-1][0].top + lines[-1][0].bottom) / 2) <= share * r.size:
            lines[-1].append(r)
        else:
            lines.append([r])
    return lines


def _cell_text(items: list[_Run]) -> str:
    """A cell's runs in reading order: runs of one line side by side, wrapped lines joined (no
    space between Chinese characters, where a soft wrap fell)."""
    lines = _free_lines(items, share=0.3)
    text = ""
    for line in lines:
        part = " ".join(r.text for r in sorted(line, key=lambda r: r.x0))
        if text and not (_CJK.match(text[-1]) or _CJK.match(part[0])):
            text += " "
        text += part
    return text.strip()


def _page_at(lay: _Layout, x: float, y: float) -> int:
    """The page a point of the joined space was printed on."""
    best = lay.pages[0]
    for page in lay.pages:
        dx, dy = lay.offsets[page]
        w, h = lay.sizes[page]
        if dx <= x <= dx + w and dy <= y <= dy + h:
            best = page
    return best


def _place(lay: _Layout, page: int, x0: float, top: float, x1: float, bottom: float) -> Place:
    dx, dy = lay.offsets.get(page, (0.0, 0.0))
    w, h = lay.sizes.get(page, (x1, bottom))
    box = (max(0.0, x0 - dx), max(0.0, top - dy), min(w, x1 - dx), min(h, bottom - dy))
    return Place(page=page, bbox=tuple(round(v, 2) for v in box))


def cell_of(grid: Grid, r: int, c: int) -> str:
    """The A1 name of a grid cell (for messages)."""
    return cell_name(r, c)
