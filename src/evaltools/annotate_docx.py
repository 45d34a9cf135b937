"""The annotated copy of a Word form: each flagged cell shaded by severity, with one Word comment
listing its findings (python-docx). The original is only read.

Cells are found again by the ``Place.ref`` that ``read_docx`` gave them (``"t:r:c"``: table, row,
grid column; ``"t:p:k"``: the ``k``-th non-empty paragraph before table ``t``), walking the XML the
same way the reader does. The copy's keywords carry ``evaltools-output``, as every workbook
evaltools writes does (``marks``), so a copy moved into a data folder can be told from a form.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

from .safeio import safe_text

AUTHOR = "evaltools"
INITIALS = "ET"
DEFAULT_FILL = "FFEB9C"
_HEX = re.compile(r"[0-9A-Fa-f]{6}")
# what may follow ``w:shd`` in ``w:tcPr`` and in ``w:pPr`` (ECMA-376 order: Word rejects others)
_AFTER_SHD_TC = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark", "w:headers",
                 "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")
_AFTER_SHD_P = ("w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
                "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
                "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
                "w:sectPr", "w:pPrChange")


def annotate_docx(src: Path, dest: Path, marks: list[dict]) -> int:
    """Write ``src`` to ``dest`` with each mark's cell shaded and commented; return the cells marked.

    A mark is ``{"ref": "t:r:c", "fill": "FFC7CE", "note": text}`` (``ref`` as ``read.Place.ref``
    gives it; ``fill`` a hex colour without ``#``). Several marks on one cell make one comment with
    all their notes, and the cell takes the first mark's fill. A paragraph (``t:p:k``) is shaded and
    commented the same way. A mark whose ref does not resolve is left out. A ``.doc`` source is
    converted by LibreOffice first (the copy is then a ``.docx``).
    """
    import docx

    from .read import sniff
    from .read_docx import doc_to_docx

    data = Path(src).read_bytes()
    if sniff(data) == "ole":
        data = doc_to_docx(data, ".doc")
    doc = docx.Document(io.BytesIO(data))
    index = _Index(doc.element.body)
    targets: dict[int, tuple[object, list[dict]]] = {}  # id(element) → (element, its marks), in mark order
    for m in marks:
        el = index.resolve(str(m.get("ref", "")))
        if el is not None:
            targets.setdefault(id(el), (el, []))[1].append(m)
    for el, ms in targets.values():
        _shade(el, _fill(ms[0].get("fill")))
        notes: list[str] = []
        for m in ms:
            note = str(m.get("note", "") or "").strip()
            if note and note not in notes:
                notes.append(note)
        doc.add_comment(_anchor_run(doc, el), text=safe_text("\n".join(notes)), author=AUTHOR, initials=INITIALS)
    _mark_output(doc)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=dest.name + ".", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        doc.save(tmp)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(targets)


def _fill(value) -> str:
    text = str(value or "").strip().lstrip("#")
    return text.upper() if _HEX.fullmatch(text) else DEFAULT_FILL


class _Index:
    """The body's tables and, per table, the non-empty paragraphs before it, as the reader counts them."""

    def __init__(self, body):
        from .read_docx import _P, blocks, paragraph_lines

        self.tables = []
        self.paragraphs: list[list] = [[]]
        for block in blocks(body):
            if block.tag == _P:
                if paragraph_lines(block):
                    self.paragraphs[-1].append(block)
            else:
                self.tables.append(block)
                self.paragraphs.append([])

    def resolve(self, ref: str):
        """The ``w:tc`` (or ``w:p``) a ref names, or None."""
        parts = ref.split(":")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
            return None
        t, row, col = int(parts[0]), parts[1], int(parts[2])
        if row == "p":
            group = self.paragraphs[t] if t < len(self.paragraphs) else []
            return group[col] if col < len(group) else None
        if not row.isdigit() or t >= len(self.tables):
            return None
        return _cell_at(self.tables[t], int(row), col)


def _cell_at(tbl, r: int, col: int):
    """The ``w:tc`` of row ``r`` covering grid column ``col``; a cell merged into the one above
    (``w:vMerge`` continue) gives the cell its merge starts at."""
    from .read_docx import cell_span, grid_before, row_cells, table_rows, vertical_merge

    rows = table_rows(tbl)
    if not 0 <= r < len(rows):
        return None

    def find(tr):
        c = grid_before(tr)
        for tc in row_cells(tr):
            span = cell_span(tc)
            if c <= col < c + span:
                return tc, c
            c += span
        return None, -1

    tc, start = find(rows[r])
    while tc is not None and vertical_merge(tc) == "continue" and r > 0:
        r -= 1
        above, above_start = find(rows[r])
        if above is None or above_start != start:
            break
        tc = above
    return tc


def _shade(el, fill: str) -> None:
    """``w:shd`` (clear, the fill) in the cell's ``w:tcPr`` or the paragraph's ``w:pPr``, in schema order."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if el.tag == qn("w:tc"):
        pr, after = el.get_or_add_tcPr(), _AFTER_SHD_TC
    else:
        pr, after = el.get_or_add_pPr(), _AFTER_SHD_P
    for old in pr.findall(qn("w:shd")):
        pr.remove(old)
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    pr.insert_element_before(shd, *after)


def _anchor_run(doc, el):
    """The run a comment is anchored on: the first run of the cell's first paragraph (an empty run
    added where it has none)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    if el.tag == qn("w:tc"):
        p = el.find(qn("w:p"))
        if p is None:
            p = OxmlElement("w:p")
            el.append(p)
    else:
        p = el
    para = Paragraph(p, doc._body)
    r = p.find(qn("w:r"))
    return Run(r, para) if r is not None else para.add_run("")


def _mark_output(doc) -> None:
    from .marks import OUTPUT_KEYWORD

    keyword = OUTPUT_KEYWORD.decode("ascii")
    props = doc.core_properties
    words = [w for w in re.split(r"[,;\s]+", props.keywords or "") if w]
    if keyword not in words:
        props.keywords = ", ".join(words + [keyword])
