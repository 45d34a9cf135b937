"""Read a scanned form (a picture of the printed table) into a ``Grid``, cell by cell.

The picture is straightened (the turn that makes its row profile sharpest), its ruling lines are
found as long runs of dark pixels that end at a line across them, and those lines make the grid
exactly as a PDF's vector lines do (``read_pdf._grid``: the same merges, the same places). With
the rules erased, each non-empty cell is cut out to its ink (specks apart from the text left out)
and read by tesseract with the simplified-Chinese model; lines above and below the ruled area (the
title, the year) are cut into their runs and read the same way. A piece with no Chinese in it is
read again by the English model, which knows figures and signs; a thin bar is a dash. All the
pieces of a page go to a few tesseract runs, so the model loads a few times a page, not once a cell.

Every value carries ``Place.ocr`` (``book.cells.ocr``), every finding of a scanned form says
"OCR 识别值，请对照原件核对", and a misread label is corrected against the vocabulary with a note
(``forms/ocr_words.py``). On the seed scans (200 dpi, half a degree of skew, speckle, JPEG) 98.7%
of the loaded fields equal the workbook's (``tests/test_load_scan.py``).

Needs the ``tesseract`` command with the ``chi_sim`` language (Debian: ``tesseract-ocr
tesseract-ocr-chi-sim``); evaltools drives the command itself, so no Python wrapper is needed.
"""

from __future__ import annotations

import functools
import math
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import ReadError
from .read import Grid, Place
from .read_pdf import _CJK as _PDF_CJK

LANG = "chi_sim"
TIMEOUT = 600  # seconds for all the tesseract runs of one page
MAX_PIXELS = 40_000_000  # a page is rendered, a picture read, at most this large (A4 at 200 dpi is 3.9 M)
_H_MIN_PT = 14.0  # a horizontal dark run this long (points) is a ruling line, not a stroke of a character
_V_MIN_PT = 8.0
_BRIDGE_PT = 2.0  # pieces of one rule with a gap up to this (points) are one rule
_FRAME_PT = 3.0  # a rule ends this close (points) to the line across it
_RULE_DARKNESS = 150  # darkness (255 - grey) of three pixels across a printed rule, summed
_SPECK = 10  # a group of fewer dark pixels, apart from the text, is a speck
_MIN_INK = 12  # dark pixels a cell needs to be read (below: specks of dust, the cell is blank)
_WIDE = _PDF_CJK  # a Chinese character or full-width mark: where read_pdf joins wrapped lines without a space
_CJK = _PDF_CJK.pattern[1:-1]


def available() -> bool:
    """True when ``tesseract`` runs here and has the simplified-Chinese model."""
    return _has_lang(LANG)


@functools.lru_cache(maxsize=4)
def _has_lang(lang: str) -> bool:
    exe = shutil.which("tesseract")
    if not exe:
        return False
    try:
        proc = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return lang in proc.stdout.split()


def read_image(image, *, name: str, page: int, scale: float) -> Grid:
    """The form in ``image`` (a PIL image) as a ``Grid`` whose places are in PDF points.

    ``scale`` is pixels per point (a page rendered at 200 dpi: 200/72). A picture from a Word
    file has no page: pass ``page=0`` (``scale`` is then ignored); its resolution is taken from
    the picture (or 150 dpi) to size the line detector, and its places carry no box.

    Raises ``ReadError`` ``ocr-no-table`` when the picture has no ruled table.
    """
    from .read_pdf import _grid

    if not page:  # a picture in a Word file: its own resolution sizes the detector
        scale = _dpi(image) / 72
    r = ruling(image, page=page, scale=scale)
    lay, gray, unit = r.layout, r.gray, scale
    grid = _grid(lay) if lay.h and lay.v else None
    if grid is None:
        raise ReadError("ocr-no-table", sheet=name)
    grid.name = name
    # the rules are no text: with them erased, a cell can be cut out to its lines (printed text
    # often touches them) and tesseract does not read a border as 丨 or 1
    ink = _erase(r.dark, r.h_px, r.v_px)
    pieces: list[tuple[tuple[int, int], tuple[int, int, int, int]]] = []
    for (row, col), place in grid.places.items():
        x0, top, x1, bottom = (round(t * scale) for t in place.bbox)
        box = _ink_box(ink, x0, top, x1, bottom)
        if box is not None:
            pieces.append(((row, col), box))
    table_top = round(min(y for y, *_ in lay.h) * scale)
    table_bottom = round(max(y for y, *_ in lay.h) * scale)
    free = _free_runs(ink, 0, table_top, unit) + _free_runs(ink, table_bottom, gray.shape[0], unit)
    texts = _tesseract(ink, gray, [box for _, box in pieces] + free, unit)
    # the text outside the rules becomes rows above and below the table as a PDF's title and year
    # do: each piece handed to the PDF reader's grid as one run of characters
    lay.chars = [{"text": text, "x0": b[0] / scale, "x1": b[2] / scale, "top": b[1] / scale, "bottom": b[3] / scale,
                  "size": (b[3] - b[1]) / scale, "page": page} for b, text in zip(free, texts[len(pieces):]) if text]
    table = grid
    grid = _grid(lay)
    grid.name = name
    lead = _rows_above(table, grid)
    for ((row, col), _), text in zip(pieces, texts):
        grid.rows[row + lead][col] = text
    # boxes were found on the straightened picture: turned back, they fall on the page as scanned.
    # A Word picture has no page to point into: its cells carry no box.
    back = functools.partial(_unturn, angle=r.angle, centre=(gray.shape[1] / 2 / scale, gray.shape[0] / 2 / scale))
    grid.places = {key: Place(page=page, bbox=back(p.bbox) if page else (), ocr=True) for key, p in grid.places.items()}
    return grid


def _rows_above(table: Grid, full: Grid) -> int:
    """How many rows of free text ``full`` has above the ruled rows of ``table`` (the same rules)."""
    (r, c), place = next(iter(table.places.items()))
    for lead in range(len(full.rows) - len(table.rows) + 1):
        other = full.places.get((r + lead, c))
        if other is not None and other.bbox == place.bbox:
            return lead
    raise AssertionError("the ruled rows are not in the grid with its free lines")  # one layout, two calls


@dataclass
class Ruling:
    """A picture straightened, and the rules found on it (pixels), as ``read_pdf`` lays a page out
    (points)."""

    layout: object  # read_pdf._Layout: the rules in points, no characters
    gray: object  # the straightened picture (numpy, uint8)
    dark: object  # its ink, specks removed
    h_px: list
    v_px: list
    angle: float  # degrees the picture was turned by (PIL's sense)


def ruling(image, *, page: int, scale: float) -> Ruling:
    """Straighten ``image`` and find its ruling lines (no OCR: quick, and testable without tesseract)."""
    import numpy as np

    from .read_pdf import _Layout

    unit = scale
    gray = np.asarray(image.convert("L"), dtype=np.uint8)
    angle = _skew(_dark(gray))
    if abs(angle) >= 0.05:
        from PIL import Image

        straight = image.convert("L").rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
        gray = np.asarray(straight, dtype=np.uint8)
    else:
        angle = 0.0
    dark = _despeckle(_dark(gray))
    bridge = round(_BRIDGE_PT * unit)
    h_px = _lines(_rule_mask(gray), round(_H_MIN_PT * unit), bridge)
    v_px = _lines(_rule_mask(gray.T), round(_V_MIN_PT * unit), bridge)
    h_px = _framed(h_px, v_px, _FRAME_PT * unit)
    v_px = _framed(v_px, h_px, _FRAME_PT * unit)
    h = [(y / scale, a / scale, b / scale) for y, a, b, _, _ in h_px]
    v = [(x / scale, a / scale, b / scale) for x, a, b, _, _ in v_px]
    height, width = gray.shape
    lay = _Layout(pages=[page], h=h, v=v, offsets={page: (0.0, 0.0)}, sizes={page: (width / scale, height / scale)})
    return Ruling(layout=lay, gray=gray, dark=dark, h_px=h_px, v_px=v_px, angle=angle)


def _unturn(bbox, *, angle: float, centre: tuple[float, float]):
    """A box of the straightened picture as the box around it on the picture before turning."""
    if not bbox or not angle:
        return tuple(bbox)
    # PIL turned the picture counter-clockwise by ``angle`` about its centre (y pointing down): a
    # point of the straight picture came from the point turned clockwise by it
    t = math.radians(angle)
    cx, cy = centre
    xs, ys = [], []
    for x, y in ((bbox[0], bbox[1]), (bbox[2], bbox[1]), (bbox[0], bbox[3]), (bbox[2], bbox[3])):
        dx, dy = x - cx, y - cy
        xs.append(cx + dx * math.cos(t) - dy * math.sin(t))
        ys.append(cy + dx * math.sin(t) + dy * math.cos(t))
    return (min(xs), min(ys), max(xs), max(ys))


def fit_picture(image):
    """A picture no larger than ``MAX_PIXELS`` (read lazily: the size is known before the pixels
    are decoded). Raises ``ReadError`` ``ocr-failed`` for one too large to shrink sensibly."""
    w, h = image.size
    if w * h > 4 * MAX_PIXELS:
        raise ReadError("ocr-failed", detail=f"图片过大（{w}×{h} 像素），未识别")
    if w * h > MAX_PIXELS:
        factor = math.ceil(math.sqrt(w * h / MAX_PIXELS))
        image.draft(image.mode, (w // factor, h // factor))  # a JPEG decodes at the smaller size
        image = image.reduce(factor) if image.size[0] * image.size[1] > MAX_PIXELS else image
    return image


def render_scale(width_pt: float, height_pt: float, dpi: float) -> float:
    """Pixels per point to render a page at ``dpi``, lowered so the picture stays under ``MAX_PIXELS``."""
    scale = dpi / 72
    area = max(width_pt * height_pt, 1.0)
    return min(scale, math.sqrt(MAX_PIXELS / area))


def _dpi(image) -> float:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    return value if value >= 72 else 150.0


# --------------------------------------------------------------------------------------------
# Pixels


def _dark(gray):
    """Ink: darker than Otsu's threshold of the grey picture."""
    import numpy as np

    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    w1 = total - w0
    mean_all = m0[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_all * w0 / total - m0) ** 2 / (w0 * w1 / total)
    between = np.nan_to_num(between)
    t = int(np.argmax(between[:255]))
    return gray <= t


def _despeckle(dark):
    """Dark pixels with fewer than two dark neighbours removed (dust, sensor noise)."""
    import numpy as np

    d = dark.astype(np.uint8)
    p = np.pad(d, 1)
    n = sum(p[1 + dy:p.shape[0] - 1 + dy, 1 + dx:p.shape[1] - 1 + dx]
            for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx)
    return dark & (n >= 2)


def _skew(dark) -> float:
    """The angle (degrees, counter-clockwise positive as PIL rotates) that makes the rows level:
    the one whose row profile has the sharpest peaks (the ruling lines)."""
    import numpy as np

    ys, xs = np.nonzero(dark)
    if len(ys) < 100:
        return 0.0
    if len(ys) > 400_000:  # a sample is as good for the profile, and quicker
        pick = np.random.default_rng(0).choice(len(ys), 400_000, replace=False)
        ys, xs = ys[pick], xs[pick]
    ys = ys.astype(np.float64)
    xs = xs.astype(np.float64) - dark.shape[1] / 2
    n = dark.shape[0] + dark.shape[1]

    def score(deg: float) -> float:
        t = np.tan(np.radians(deg))
        rows = np.round(ys + xs * t).astype(np.int64) + dark.shape[1]
        counts = np.bincount(rows, minlength=n + dark.shape[1])
        return float(np.dot(counts, counts))

    best = max(np.arange(-3.0, 3.01, 0.2), key=score)
    best = max(np.arange(best - 0.2, best + 0.201, 0.02), key=score)
    # a pixel at (x, y) lies on row y + x·tan(a): turning the picture by -a levels it; PIL's rotate
    # turns counter-clockwise for a positive angle, with y pointing down
    return -float(best)


def _rule_mask(gray):
    """Pixels that may belong to a horizontal rule: the darkness of three rows together is that of
    one printed line. A thin rule falls between the scanner's pixels and prints as two light grey
    rows that a threshold alone would break into pieces. (The transpose gives the vertical ones.)"""
    import numpy as np

    d = 255 - gray.astype(np.int32)
    mask = np.zeros(gray.shape, dtype=bool)
    mask[1:-1] = (d[:-2] + d[1:-1] + d[2:]) >= _RULE_DARKNESS
    return mask


def _lines(mask, min_len: int, bridge: int) -> list[tuple[float, float, float, int, int]]:
    """Horizontal ruling lines of a rule mask (its transpose for the vertical ones): runs at least
    ``min_len`` long, the runs of neighbouring rows that overlap joined into one line, and pieces of
    one line with a gap up to ``bridge`` between them joined. Each as ``(y, x0, x1, first_row,
    last_row)`` in pixels."""
    import numpy as np

    runs: list[tuple[int, int, int]] = []
    for y in np.nonzero(mask.sum(axis=1) >= min_len)[0]:
        edges = np.diff(np.concatenate(([0], mask[y].view(np.uint8), [0])).astype(np.int8))
        starts = np.nonzero(edges == 1)[0]
        ends = np.nonzero(edges == -1)[0]
        for a, b in zip(starts, ends):
            if b - a >= min_len:
                runs.append((int(y), int(a), int(b)))
    # runs of one thick line: rows next to each other that overlap
    groups: list[list[int]] = []  # [first_row, last_row, x0, x1]
    open_: list[list[int]] = []
    for y, a, b in runs:  # sorted by row, then x
        hit = None
        for g in open_:
            if g[1] >= y - 1 and a <= g[3] and b >= g[2]:
                if hit is None:
                    g[1], g[2], g[3] = y, min(g[2], a), max(g[3], b)
                    hit = g
                else:  # the run joins two pieces: one line
                    hit[0], hit[2], hit[3] = min(hit[0], g[0]), min(hit[2], g[2]), max(hit[3], g[3])
                    g[1] = -10
        if hit is None:
            hit = [y, y, a, b]
            groups.append(hit)
        open_ = [g for g in open_ if g[1] >= y - 1 and g[1] != -10] + ([hit] if not any(g is hit for g in open_) else [])
    groups = [g for g in groups if g[1] != -10 and g[1] - g[0] <= 10]  # thicker: a filled area, not a rule
    # pieces of one line (a gap where the print is faint, or where text crosses it)
    groups.sort(key=lambda g: ((g[0] + g[1]) / 2, g[2]))
    out: list[list[float]] = []
    for g in groups:
        y = (g[0] + g[1]) / 2
        for o in reversed(out[-8:]):
            if abs(o[0] - y) <= 1.5 and g[2] - o[2] <= bridge and o[1] - g[3] <= bridge:
                o[1], o[2] = min(o[1], g[2]), max(o[2], g[3])
                o[3], o[4] = min(o[3], g[0]), max(o[4], g[1] + 1)
                break
        else:
            out.append([y, float(g[2]), float(g[3]), g[0], g[1] + 1])
    return [(o[0], o[1], o[2], int(o[3]), int(o[4])) for o in out]


def _framed(segs, across, tol: float):
    """The segments that end at a line across them at both ends: a table's rule runs from border
    to border, while the strokes of a text that touches a border (质量 written against the cell's
    left line) meet a line at one end only."""
    import bisect

    by_pos = sorted(across)
    keys = [a[0] for a in by_pos]

    def meets(at: float, pos: float) -> bool:
        i = bisect.bisect_left(keys, at - tol)
        while i < len(keys) and keys[i] <= at + tol:
            _, a, b, _, _ = by_pos[i]
            if a - tol <= pos <= b + tol:
                return True
            i += 1
        return False

    return [seg for seg in segs if meets(seg[1], seg[0]) and meets(seg[2], seg[0])]


def _erase(dark, h_px, v_px):
    """The ink with the ruling lines taken out (a pixel of each line's band, one pixel either side)."""
    ink = dark.copy()
    for _, a, b, first, last in h_px:
        ink[max(first - 1, 0):last + 1, int(a):int(b)] = False
    for _, a, b, first, last in v_px:
        ink[int(a):int(b), max(first - 1, 0):last + 1] = False
    return ink


def _ink_box(ink, x0: int, y0: int, x1: int, y1: int) -> tuple[int, int, int, int] | None:
    """The box of the text inside a cell, or None for a blank cell. Specks apart from the text
    (dust the scanner's JPEG blurred into a few pixels, the stub of a rule) are left out: a lone
    speck at the end of a cell is read as a ，or a 。"""
    import numpy as np

    x0, y0 = max(x0, 0), max(y0, 0)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    part = ink[y0:y1, x0:x1]
    if int(part.sum()) < _MIN_INK:
        return None
    row_ink = part.sum(axis=1)
    bands = [(a, b) for a, b in _bands(row_ink > 0, bridge=2) if row_ink[a:b].sum() >= _SPECK]
    if not bands:
        return None
    top, bottom = bands[0][0], bands[-1][1]
    tall = max(b - a for a, b in bands)
    col_ink = part[top:bottom].sum(axis=0)
    groups = [(a, b) for a, b in _bands(col_ink > 0, bridge=max(2, tall)) if col_ink[a:b].sum() >= _SPECK]
    if not groups or sum(int(col_ink[a:b].sum()) for a, b in groups) < _MIN_INK:
        return None
    left, right = groups[0][0], groups[-1][1]
    rows = np.nonzero(part[top:bottom, left:right].any(axis=1))[0]
    return (x0 + left, y0 + top + int(rows[0]), x0 + right, y0 + top + int(rows[-1]) + 1)


def _free_runs(dark, y0: int, y1: int, unit: float) -> list[tuple[int, int, int, int]]:
    """Boxes of the text outside the ruled area: its lines (bands of rows with ink), each cut where
    the gap between letters is wider than two characters (a title and a unit on one line are two)."""
    import numpy as np

    y0, y1 = max(y0, 0), min(y1, dark.shape[0])
    if y1 - y0 < 3:
        return []
    band = dark[y0:y1]
    ink_rows = band.sum(axis=1) >= 2
    out = []
    y = 0
    n = len(ink_rows)
    while y < n:
        if not ink_rows[y]:
            y += 1
            continue
        a = y
        while y < n and (ink_rows[y] or (y + 1 < n and ink_rows[y + 1])):
            y += 1
        b = y
        if b - a < 0.25 * 10 * unit:  # shorter than a quarter of a 10-pt letter: a speck or a page mark
            continue
        cols = band[a:b].any(axis=0)
        xs = np.nonzero(cols)[0]
        if len(xs) == 0:
            continue
        gap = max(4, round(2.0 * (b - a)))
        breaks = np.nonzero(np.diff(xs) > gap)[0]
        lefts = np.concatenate(([xs[0]], xs[breaks + 1]))
        rights = np.concatenate((xs[breaks], [xs[-1]]))
        for left, right in zip(lefts, rights):
            box = _ink_box(dark, int(left), y0 + a, int(right) + 1, y0 + b)
            if box is not None:
                out.append(box)
    return out


# --------------------------------------------------------------------------------------------
# tesseract


# Each piece is read twice, at two letter heights (tesseract's LSTM misses a short word at one size
# and reads it at another), and the reading it is surer of is kept.
_HEIGHTS = (32, 48)


def _tesseract(ink, gray, boxes: list[tuple[int, int, int, int]], unit: float) -> list[str]:
    """The text of each box of the picture. A box with one line of text is read as one line
    (``--psm 7``), others as a block (``--psm 6``); each at the letter heights of ``_HEIGHTS``,
    the more confident reading kept. A few tesseract runs a page, whatever its number of cells."""
    if not boxes:
        return []
    exe = shutil.which("tesseract")
    if not exe:
        raise ReadError("ocr-failed", detail="找不到 tesseract 命令")
    deadline = time.monotonic() + TIMEOUT
    with tempfile.TemporaryDirectory(prefix="evaltools-ocr-") as tmp:
        readings: list[list[tuple[float, str]]] = [[] for _ in boxes]
        shapes = []
        for k, box in enumerate(boxes):
            part = ink[box[1]:box[3], box[0]:box[2]]
            bands = _bands(part.any(axis=1))
            shapes.append((len(bands), max(b - a for a, b in bands), part.shape))
        for height in _HEIGHTS:
            jobs: dict[tuple[str, str], list[tuple[int, str]]] = {}
            for k, box in enumerate(boxes):
                n_lines, tall, _ = shapes[k]
                path = str(Path(tmp) / f"{height}-{k:05d}.png")
                _piece(ink, gray, box, tall, height).save(path)
                jobs.setdefault(("7" if n_lines == 1 else "6", LANG), []).append((k, path))
            for (psm, lang), items in jobs.items():
                for (k, _), reading in zip(items, _read(exe, Path(tmp), items, psm, lang, deadline)):
                    readings[k].append(reading)
        texts = [max(r)[1] if r else "" for r in readings]
        talls = sorted(t for n, t, _ in shapes if n == 1)
        em = float(talls[len(talls) // 2]) if talls else 10 * unit
        # the Chinese model reads small figures poorly (100% as 1009%, -- as ae) and a lone bracket
        # as 人: a piece with no Chinese in its reading, or one narrow glyph, is read again by the
        # English model, which knows figures and signs
        latin = [k for k, t in enumerate(texts) if t and (not _HAS_CJK.search(t) or _narrow(shapes[k]))]
        if latin and _has_lang("eng"):
            items = [(k, str(Path(tmp) / f"{_HEIGHTS[0]}-{k:05d}.png")) for k in latin]
            for (k, _), (conf, text) in zip(items, _read(exe, Path(tmp), items, "7", "eng", deadline)):
                # a letter where the Chinese model saw none is the English model guessing (0 as Q)
                if text and not _HAS_CJK.search(text) and not (_LETTER.search(text) and not _LETTER.search(texts[k])):
                    texts[k] = text
        for k, box in enumerate(boxes):
            dashes = _dashes(ink[box[1]:box[3], box[0]:box[2]], unit, em)
            if dashes:
                texts[k] = dashes
    return texts


def _dashes(part, unit: float, em: float) -> str:
    """``--`` for a piece that is only a thin bar or bars (the "not applicable" mark): too small for
    either model, which read it as =, | or ae. Touching hyphens print as one bar, so their number
    is the bar's length over a hyphen's (a third of the page's letter height ``em``)."""
    h, w = part.shape
    if h > 1.4 * unit or w < 1.5 * h:
        return ""
    cols = _bands(part.any(axis=0), bridge=0)
    if any((b - a) < 1.5 * h for a, b in cols):
        return ""  # a dot or a tick among them: no dash
    n = sum(max(1, round((b - a) / max(1.0, 0.32 * em))) for a, b in cols)
    return "-" * min(n, 3)


def _narrow(shape) -> bool:
    n_lines, tall, (h, w) = shape
    return n_lines == 1 and w <= 0.7 * tall


def _piece(ink, gray, box, tall: int, height: int):
    """A box cut out for tesseract: the grey of the ink pixels (their soft edges tell it more than a
    threshold does), white where there is no ink (no rule, no speck), scaled to a letter height of
    ``height`` pixels, on a white margin."""
    import numpy as np
    from PIL import Image

    x0, y0, x1, y1 = box
    part = ink[y0:y1, x0:x1]
    near = part.copy()
    near[1:] |= part[:-1]
    near[:-1] |= part[1:]
    near[:, 1:] |= near[:, :-1].copy()
    near[:, :-1] |= near[:, 1:].copy()
    piece = Image.fromarray(np.where(near, gray[y0:y1, x0:x1], 255).astype(np.uint8))
    factor = max(1.0, min(6.0, height / max(1, tall)))
    if factor > 1.05:
        piece = piece.resize((round(piece.width * factor), round(piece.height * factor)), Image.LANCZOS)
    pad = max(10, round(0.6 * tall * factor))
    canvas = Image.new("L", (piece.width + 2 * pad, piece.height + 2 * pad), 255)
    canvas.paste(piece, (pad, pad))
    return canvas


def _read(exe: str, tmp: Path, items: list[tuple[int, str]], psm: str, lang: str,
          deadline: float) -> list[tuple[float, str]]:
    """(mean confidence, text) of each picture in ``items``, read by one tesseract run (TSV out)."""
    listing = tmp / f"list-{psm}-{lang}-{len(items)}-{items[0][0]}.txt"
    listing.write_text("\n".join(path for _, path in items) + "\n", encoding="utf-8")
    out = _run(exe, listing, psm, lang, "tsv", deadline)
    words: dict[int, list[tuple[int, int, int, float, str]]] = {}
    for line in out.splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        try:
            page, block, par, ln, conf = int(cols[1]), int(cols[2]), int(cols[3]), int(cols[4]), float(cols[10])
        except ValueError:
            continue
        if conf >= 0 and cols[11].strip():
            words.setdefault(page, []).append((block, par, ln, conf, cols[11]))
    result = []
    for i in range(len(items)):
        ws = words.get(i + 1, [])  # tesseract numbers the pictures of a list from 1
        if not ws:
            result.append((-1.0, ""))
            continue
        lines: list[str] = []
        last = None
        for block, par, ln, _, text in ws:
            if (block, par, ln) != last:
                lines.append(text)
                last = (block, par, ln)
            else:
                lines[-1] += " " + text
        total = sum(len(t) for *_, t in ws)
        conf = sum(c * len(t) for *_, c, t in ws) / max(1, total)
        result.append((conf, clean("\n".join(lines))))
    return result


def _run(exe: str, listing: Path, psm: str, lang: str, config: str, deadline: float) -> str:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # pieces are small: threads cost more than they give
    cmd = [exe, str(listing), "stdout", "-l", lang, "--psm", psm] + ([config] if config else [])
    left = deadline - time.monotonic()
    if left <= 0:
        raise ReadError("ocr-failed", detail=f"识别超过 {TIMEOUT} 秒，已中止")
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=left, env=env)
    except subprocess.TimeoutExpired:
        raise ReadError("ocr-failed", detail=f"识别超过 {TIMEOUT} 秒，已中止") from None
    except OSError as exc:
        raise ReadError("ocr-failed", detail=str(exc)[:120]) from exc
    if proc.returncode != 0:
        raise ReadError("ocr-failed", detail=proc.stderr.decode("utf-8", "replace").strip()[:120])
    return proc.stdout.decode("utf-8", "replace")


def _bands(rows, bridge: int = 1) -> list[tuple[int, int]]:
    """Runs of inked rows (lines of text; or of columns), gaps up to ``bridge`` inside one bridged."""
    out: list[tuple[int, int]] = []
    start = end = None
    gap = 0
    for i, on in enumerate(rows):
        if on:
            if start is None:
                start = i
            gap = 0
            end = i + 1
        elif start is not None:
            gap += 1
            if gap > bridge:
                out.append((start, end))
                start = None
    if start is not None:
        out.append((start, end))
    return out or [(0, len(rows))]


# the Chinese model takes the = of <= and >= for 二 or 三
_EQUALS_READ_AS_CJK = re.compile(r"(?<=[<>≤≥＜＞])\s*[二三]")
_LETTER = re.compile(r"[A-Za-z]")
_HAS_CJK = re.compile(rf"[\u3400-\u9fff]")
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACE_AT_CJK = re.compile(rf"(?<=[{_CJK}]) +(?=[0-9A-Za-z%<>=≤≥.+-])|(?<=[0-9A-Za-z%<>=≤≥.+-]) +(?=[{_CJK}])")


def clean(text: str) -> str:
    """tesseract's text of one cell as the form holds it: the spaces it puts between Chinese
    characters removed, and wrapped lines joined as ``read_pdf`` joins a PDF's (no space where a
    Chinese character meets the wrap: the printer wrapped there, the department did not)."""
    out = ""
    text = _EQUALS_READ_AS_CJK.sub("=", text)
    for line in text.replace("\r", "").split("\n"):
        line = _SPACE_AT_CJK.sub("", _SPACE_IN_CJK.sub("", line.strip()))
        if not line:
            continue
        if out and not (_WIDE.match(out[-1]) or _WIDE.match(line[0])):
            out += " "
        out += line
    return out
