"""The annotated copy of a PDF form: a highlight on each flagged cell, coloured by severity, with
the findings as its note (pypdf, BSD). The original is only read; its pages are copied as they are.
"""

from __future__ import annotations

from pathlib import Path


def annotate_pdf(src: Path, dest: Path, marks: list[dict]) -> int:
    """Write ``src`` to ``dest`` with one highlight per mark and return how many were placed.

    A mark is ``{"page": 1-based page, "bbox": (x0, top, x1, bottom) in points from the page's
    top-left, "fill": "FFC7CE", "note": text}`` (``read.Place`` gives page and box). A mark on a page
    the file does not have is left out.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Highlight
    from pypdf.generic import ArrayObject, FloatObject, NameObject, TextStringObject

    reader = PdfReader(src)
    writer = PdfWriter(clone_from=reader)
    placed = 0
    for m in marks:
        index = int(m["page"]) - 1
        if not 0 <= index < len(writer.pages) or len(m.get("bbox") or ()) != 4:
            continue
        box = writer.pages[index].mediabox
        x0, top, x1, bottom = (float(v) for v in m["bbox"])
        left, right = float(box.left) + x0, float(box.left) + x1
        upper, lower = float(box.top) - top, float(box.top) - bottom
        quad = ArrayObject([FloatObject(v) for v in (left, upper, right, upper, left, lower, right, lower)])
        note = Highlight(rect=(left, lower, right, upper), quad_points=quad,
                         highlight_color=str(m.get("fill") or "FFEB9C").lower(), printing=True)
        note[NameObject("/Contents")] = TextStringObject(str(m.get("note", "")))
        note[NameObject("/T")] = TextStringObject("evaltools")
        note[NameObject("/CA")] = FloatObject(0.45)  # the printed value stays legible under the colour
        writer.add_annotation(index, note)
        placed += 1
    writer.add_metadata({"/Producer": "evaltools (annotated copy)"})
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    with open(tmp, "wb") as fh:
        writer.write(fh)
    tmp.replace(dest)
    return placed
