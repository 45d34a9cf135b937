"""The annotated copy of a Word form: each flagged cell shaded by severity, with a Word comment
listing its findings (python-docx). The original is only read."""

from __future__ import annotations

from pathlib import Path

from .safeio import safe_text


def annotate_docx(src: Path, dest: Path, marks: list[dict]) -> int:
    """Write ``src`` to ``dest`` with each mark's cell shaded and commented; return the cells marked.

    A mark is ``{"ref": "table:row:column", "fill": "FFC7CE", "note": text}``, ``ref`` as
    ``read.Place.ref`` gives it (``table:p:k`` for a paragraph above a table: commented, not shaded).
    A ref that does not resolve is left out.
    """
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    doc = docx.Document(str(src))
    body = doc.element.body
    tables = body.findall(qn("w:tbl"))
    paragraphs_above: dict[int, list] = {}
    seen = []
    for child in body:
        if child.tag == qn("w:p"):
            if "".join(t.text or "" for t in child.iter(qn("w:t"))).strip():
                seen.append(child)
        elif child.tag == qn("w:tbl"):
            paragraphs_above[len(paragraphs_above)] = seen
            seen = []
    placed = 0
    for m in marks:
        target = _resolve(tables, paragraphs_above, str(m.get("ref", "")))
        if target is None:
            continue
        kind, el = target
        if kind == "tc":
            tcpr = el.get_or_add_tcPr()
            for old in tcpr.findall(qn("w:shd")):
                tcpr.remove(old)
            shd = OxmlElement("w:shd")
            shd.set(qn("w:val"), "clear")
            shd.set(qn("w:color"), "auto")
            shd.set(qn("w:fill"), str(m.get("fill") or "FFEB9C"))
            tcpr.append(shd)
            p_el = el.find(qn("w:p"))
            if p_el is None:
                p_el = OxmlElement("w:p")
                el.append(p_el)
        else:
            p_el = el
        para = Paragraph(p_el, doc)
        runs = [Run(r, para) for r in p_el.findall(qn("w:r"))] or [para.add_run("")]
        doc.add_comment(runs, text=safe_text(str(m.get("note", ""))), author="evaltools", initials="ET")
        placed += 1
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    doc.save(str(tmp))
    tmp.replace(dest)
    return placed


def _resolve(tables, paragraphs_above, ref: str):
    from docx.oxml.ns import qn

    parts = ref.split(":")
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    t = int(parts[0])
    if not 0 <= t < len(tables):
        return None
    if parts[1] == "p":
        above = paragraphs_above.get(t, [])
        k = int(parts[2])
        return ("p", above[k]) if 0 <= k < len(above) else None
    r, col = int(parts[1]), int(parts[2])
    rows = tables[t].findall(qn("w:tr"))
    if not 0 <= r < len(rows):
        return None
    tr = rows[r]
    trpr = tr.find(qn("w:trPr"))
    c = 0
    if trpr is not None and trpr.find(qn("w:gridBefore")) is not None:
        c = int(trpr.find(qn("w:gridBefore")).get(qn("w:val"), "0") or 0)
    for tc in tr.findall(qn("w:tc")):
        if c == col:
            return ("tc", tc)
        tcpr = tc.find(qn("w:tcPr"))
        span = tcpr.find(qn("w:gridSpan")) if tcpr is not None else None
        c += int(span.get(qn("w:val"), "1")) if span is not None else 1
    return None
