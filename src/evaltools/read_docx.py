"""Read Word forms (``.docx``; ``.doc`` through LibreOffice) into the grids the form readers take.

Each table of the document body is one grid (``表1``, ``表2`` …). Its cells are placed on the
table's grid columns (``w:gridSpan`` merges across, ``w:vMerge`` down, ``w:gridBefore`` /
``w:gridAfter`` leave columns empty), so a merged cell holds its text once, in its top-left
cell, as a workbook does. The paragraphs between the previous table and this one (the form's
title, its year, 填报单位) are rows above the table. The XML is read directly (python-docx's
``table.cell`` repeats a merged cell's text in every slot it spans).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from .errors import ReadError
from .read import Grid, Place, Workbook, sniff

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MAX_DOCUMENT_BYTES = 64 * 2**20
_DOC_TIMEOUT = 120


def read_docx(path: Path, data: bytes) -> Workbook:
    """Every table of a Word file as a ``Grid``. Raises ``ReadError`` (docx-encrypted, docx-corrupt,
    docx-no-table, docx-picture-only; for ``.doc``: doc-needs-libreoffice, doc-convert-failed)."""
    kind = sniff(data)
    if kind == "encrypted":
        raise ReadError("docx-encrypted")
    if kind == "ole":
        data = doc_to_docx(data)
    elif kind != "zip":
        raise ReadError("docx-corrupt", detail="文件内容不是 Word 文档" if data else "文件为空")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        info = zf.getinfo("word/document.xml")
        if info.file_size > _MAX_DOCUMENT_BYTES:
            raise ReadError("docx-corrupt", detail=f"document.xml 解压后超过 {_MAX_DOCUMENT_BYTES >> 20} MB")
        xml = zf.read(info)
    except ReadError:
        raise
    except KeyError as exc:
        raise ReadError("docx-corrupt", detail="缺少 word/document.xml") from exc
    except Exception as exc:  # a damaged zip in any of its ways
        raise ReadError("docx-corrupt", detail=_short(exc)) from exc
    from lxml import etree

    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, huge_tree=False))
    except etree.XMLSyntaxError as exc:
        raise ReadError("docx-corrupt", detail=_short(exc)) from exc
    body = root.find(f"{_W}body")
    if body is None:
        raise ReadError("docx-corrupt", detail="缺少 w:body")
    grids: list[Grid] = []
    above: list[str] = []
    n_tables = 0
    for child in body:
        if child.tag == f"{_W}p":
            text = _paragraph_text(child)
            if text:
                above.append(text)
        elif child.tag == f"{_W}tbl":
            grids.append(_table_grid(child, n_tables, above))
            n_tables += 1
            above = []
    if grids and above:  # paragraphs after the last table (a 备注, the report's closing): its rows below
        last = grids[-1]
        width = last.width
        for text in above:
            last.places[(last.height, 0)] = Place(page=0, ref=f"{n_tables - 1}:p:{last.height}")
            last.rows.append([text] + [""] * (width - 1))
    if not grids:
        pictures = len(root.findall(f".//{_W}drawing")) + len(root.findall(f".//{_W}pict"))
        if pictures:
            raise ReadError("docx-picture-only", n=pictures)
        raise ReadError("docx-no-table")
    return Workbook(path=path, sheets=grids)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def _paragraph_text(p) -> str:
    return "".join(t.text or "" for t in p.iter(f"{_W}t")).strip()


def _cell_text(tc) -> str:
    lines = []
    for p in tc.iter(f"{_W}p"):  # nested tables' paragraphs too: their text stays in the cell
        text = "".join(t.text or "" for t in p.iter(f"{_W}t"))
        if text.strip():
            lines.append(text.strip())
    return "\n".join(lines)


def _val(el, name: str, default=None):
    if el is None:
        return default
    found = el.find(f"{_W}{name}")
    if found is None:
        return default
    return found.get(f"{_W}val", "")


def _table_grid(tbl, index: int, above: list[str]) -> Grid:
    ncols = len(tbl.findall(f"{_W}tblGrid/{_W}gridCol"))
    body_rows: list[list[tuple[int, int, str, str]]] = []  # per row: (col, span, vmerge, text)
    for tr in tbl.findall(f"{_W}tr"):
        trpr = tr.find(f"{_W}trPr")
        col = int(_val(trpr, "gridBefore", 0) or 0)
        cells = []
        for tc in tr.findall(f"{_W}tc"):
            tcpr = tc.find(f"{_W}tcPr")
            span = max(1, int(_val(tcpr, "gridSpan", 1) or 1))
            vm = _val(tcpr, "vMerge")
            vmerge = "" if vm is None else ("restart" if vm == "restart" else "continue")
            cells.append((col, span, vmerge, _cell_text(tc)))
            col += span
        ncols = max(ncols, col)
        body_rows.append(cells)
    lead = len(above)
    rows: list[list[object]] = [[""] * max(ncols, 1) for _ in range(lead + len(body_rows))]
    places: dict[tuple[int, int], Place] = {}
    for k, text in enumerate(above):
        rows[k][0] = text
        places[(k, 0)] = Place(page=0, ref=f"{index}:p:{k}")
    merges: list[tuple[int, int, int, int]] = []
    open_down: dict[int, int] = {}  # grid column → index in merges of the vertical merge it continues
    for r, cells in enumerate(body_rows):
        gr = lead + r
        seen_cols = set()
        for col, span, vmerge, text in cells:
            seen_cols.add(col)
            if vmerge == "continue" and col in open_down:
                m = open_down[col]
                r0, c0, _, c1 = merges[m]
                merges[m] = (r0, c0, gr, c1)
                continue
            if text:
                rows[gr][col] = text
            places[(gr, col)] = Place(page=0, ref=f"{index}:{r}:{col}")
            merges.append((gr, col, gr, col + span - 1))
            if vmerge == "restart":
                open_down[col] = len(merges) - 1
            else:
                open_down.pop(col, None)
        for col in list(open_down):
            if col not in seen_cols:
                open_down.pop(col)
    merges = [m for m in merges if (m[0], m[1]) != (m[2], m[3])]
    return Grid(name=f"表{index + 1}", rows=rows, merges=merges, places=places)


def doc_to_docx(data: bytes) -> bytes:
    """A legacy ``.doc`` converted by LibreOffice headless (a private profile, a time-out)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise ReadError("doc-needs-libreoffice")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "form.doc"
        src.write_bytes(data)
        try:
            run = subprocess.run([exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                                  "--convert-to", "docx", "--outdir", tmp, str(src)],
                                 capture_output=True, timeout=_DOC_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ReadError("doc-convert-failed", detail=f"超过 {_DOC_TIMEOUT} 秒") from exc
        out = Path(tmp) / "form.docx"
        if run.returncode != 0 or not out.exists():
            detail = (run.stderr or run.stdout or b"").decode("utf-8", "replace").strip().splitlines()
            raise ReadError("doc-convert-failed", detail=(detail[-1] if detail else f"退出码 {run.returncode}")[:120])
        return out.read_bytes()
