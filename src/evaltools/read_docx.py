"""Read Word forms (``.docx``; ``.doc``, ``.rtf`` and Word-saved HTML through LibreOffice) into the
grids the form readers take.

Each table of the document body is one grid (``表1``, ``表2`` …). Its cells are placed on the
table's grid columns (``w:gridSpan`` merges across, ``w:vMerge`` down, ``w:gridBefore`` /
``w:gridAfter`` leave columns empty, a row with fewer cells leaves its end empty), so a merged
cell holds its text once, in its top-left cell, as a workbook does; a nested table's text is part
of its cell's text. The non-empty paragraphs between the previous table (or the document's start)
and a table (the form's title, its year, 填报单位, a report's prose) are rows above that table's
rows, one a row, in column 0; paragraphs after the last table are rows below it, so nothing of the
document is lost. The XML is read directly with lxml (python-docx's ``table.cell`` repeats a
merged cell in every slot it spans, and it would inflate every part of the package).

``Place.ref`` of a grid cell says where it is in the document, for the annotated copy
(``annotate_docx``): ``"t:r:c"`` is table ``t`` (0-based among the body's tables, in document
order, a table inside a content control included), its ``w:tr`` ``r`` (0-based) and the grid column
``c`` its ``w:tc`` starts at; ``"t:p:k"`` is the ``k``-th (0-based) non-empty paragraph before
table ``t`` (``t`` one past the last table for the paragraphs after it). ``blocks``,
``table_rows``, ``row_cells`` and ``paragraph_lines`` walk the XML the same way for both.

A document without a table whose pictures hold the form goes to OCR when ``evaltools.ocr`` can run
(each picture a grid ``图1``, ``图2`` …); without it the error says what to install.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Iterator

from .errors import BoundsError, ReadError, problem
from .read import Grid, Place, Workbook, _short, sniff

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_V = "{urn:schemas-microsoft-com:vml}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_P, _TBL, _TR, _TC, _T = W + "p", W + "tbl", W + "tr", W + "tc", W + "t"
_R_RUN, _TAB, _BR, _CR = W + "r", W + "tab", W + "br", W + "cr"
_TXBX = W + "txbxContent"
# containers whose children are read as if they stood in their place (content controls, custom
# XML, tracked insertions, hyperlinks, fields …); deleted or moved-away content is skipped
_WRAPPERS = frozenset({W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag", W + "ins", W + "moveTo",
                       W + "hyperlink", W + "fldSimple", W + "bdo", W + "dir", _MC + "AlternateContent",
                       _MC + "Choice"})
_SKIP = frozenset({W + "del", W + "moveFrom", W + "pPr", W + "rPr", W + "sdtPr", W + "sdtEndPr", W + "tblPr",
                   W + "trPr", W + "tcPr", W + "tblGrid", W + "customXmlPr", _MC + "Fallback"})

MAX_DOCUMENT_BYTES = 64 * 2**20  # word/document.xml inflated
MAX_PICTURE_BYTES = 64 * 2**20  # one picture handed to OCR
_MAX_SPAN = 1024  # columns a cell may span, empty columns a row may leave before or after its cells
_MAX_COLUMNS = 1024  # grid columns kept from one table (a form has about 13)
_MAX_CELLS = 4_000_000  # rows × columns of one table's grid
DOC_TIMEOUT = 120  # seconds LibreOffice may take to convert one .doc

# --------------------------------------------------------------------------------------------
# Reading


def read_docx(path: Path, data: bytes) -> Workbook:
    """Every table of a Word file as a ``Grid`` (``表1`` …). Raises ``ReadError``: docx-encrypted,
    docx-corrupt, docx-no-table, docx-picture-only; for a ``.doc`` (or ``.rtf`` / HTML saved as
    ``.doc``) converted first: doc-needs-libreoffice, doc-convert-failed."""
    kind = sniff(data)
    if kind == "encrypted":
        raise ReadError("docx-encrypted")
    if kind == "empty":
        raise ReadError("docx-corrupt", detail="文件为空（0 字节）")
    if kind == "ole":
        data = doc_to_docx(data, ".doc")
    elif _is_rtf(data):
        data = doc_to_docx(_unlinked(data), ".rtf")
    elif kind == "html":  # Word's "save as web page" or its 2003 XML, named .doc
        data = doc_to_docx(_unlinked(data), ".xml" if data[:512].lstrip().lower().startswith(b"<?xml") and b"<html"
                           not in data[:4096].lower() else ".html")
    elif kind != "zip":
        raise ReadError("docx-corrupt", detail={"pdf": "文件内容是 PDF，不是 Word 文档"}.get(kind, "文件内容不是 Word 文档"))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ReadError("docx-corrupt", detail=_short(exc)) from exc
    with zf:
        root = _document_root(zf)
        body = root.find(W + "body")
        if body is None:
            raise ReadError("docx-corrupt", detail="document.xml 中没有 w:body")
        grids = _grids(body)
        if grids:
            return Workbook(path=path, sheets=grids)
        pictures = _pictures(zf, root)
        if not pictures:
            raise ReadError("docx-no-table")
        engine = _ocr_engine()
        if engine is None:
            raise ReadError("docx-picture-only", n=len(pictures))
        return Workbook(path=path, sheets=[_ocr_picture(engine, zf, part, n)
                                           for n, part in enumerate(pictures, start=1)])


def _is_rtf(data: bytes) -> bool:
    return data[:16].lstrip().startswith(b"{\\rtf")


def _read_part(zf: zipfile.ZipFile, name: str, limit: int, what: str) -> bytes:
    """A part inflated at most ``limit`` bytes, whatever its header claims (``ReadError`` beyond)."""
    from .bounds import read_part

    try:
        info = zf.getinfo(name)
    except KeyError:
        raise ReadError("docx-corrupt", detail=f"缺少 {name}（不是 Word 文档，或文件不完整）") from None
    try:
        return read_part(zf, info, limit)
    except BoundsError:
        raise ReadError("docx-corrupt", detail=f"{what}解压后超过 {limit >> 20} MB 上限（文件过大或为压缩炸弹），未读取") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError, zlib.error) as exc:
        raise ReadError("docx-corrupt", detail=_short(exc)) from exc


def _main_part(zf: zipfile.ZipFile) -> str:
    """The main document part: ``word/document.xml``, or where ``_rels/.rels`` points (a few
    writers name it otherwise)."""
    from lxml import etree

    names = set(zf.namelist())
    if "word/document.xml" in names:
        return "word/document.xml"
    if "_rels/.rels" in names:
        try:
            rels = _parse(_read_part(zf, "_rels/.rels", 1 << 20, "_rels/.rels"))
            for rel in rels.iter(_REL + "Relationship"):
                if rel.get("Type", "").endswith("/officeDocument"):
                    target = rel.get("Target", "").lstrip("/")
                    if target in names:
                        return target
        except (ReadError, etree.XMLSyntaxError):  # a damaged .rels: try the usual name
            pass
    return "word/document.xml"


def _parse(xml: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True,
                             remove_pis=True)
    return etree.fromstring(xml, parser=parser)


def _document_root(zf: zipfile.ZipFile):
    from lxml import etree

    part = _main_part(zf)
    xml = _read_part(zf, part, MAX_DOCUMENT_BYTES, "document.xml ")
    try:
        root = _parse(xml)
    except etree.XMLSyntaxError as exc:
        raise ReadError("docx-corrupt", detail=f"document.xml: {_short(exc)}") from exc
    # what a writer gives for readers that do not know the choice (the same content again)
    for fallback in list(root.iter(_MC + "Fallback")):
        parent = fallback.getparent()
        if parent is not None:  # a document that is nothing but a fallback keeps it
            parent.remove(fallback)
    return root


# --------------------------------------------------------------------------------------------
# Walking the XML (the annotator walks it the same way, so refs resolve)


def blocks(container) -> Iterator:
    """The paragraphs (``w:p``) and tables (``w:tbl``) of a body or a cell in document order,
    those inside content controls and custom XML included."""
    for child in container:
        tag = child.tag
        if tag == _P or tag == _TBL:
            yield child
        elif tag in _WRAPPERS:
            yield from blocks(child)


def table_rows(tbl) -> list:
    """A table's ``w:tr`` rows (in content controls too)."""
    return [el for el in _children(tbl, _TR)]


def row_cells(tr) -> list:
    """A row's ``w:tc`` cells (in content controls too)."""
    return [el for el in _children(tr, _TC)]


def _children(el, tag: str) -> Iterator:
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


def _val(parent, name: str):
    """``w:val`` of the child ``name`` of ``parent`` (a ``*Pr``): None when the child is absent,
    ``""`` when it has no value."""
    if parent is None:
        return None
    el = parent.find(W + name)
    if el is None:
        return None
    return el.get(W + "val", "")


def _int(text, default: int, limit: int) -> int:
    try:
        return min(max(int(text), 0), limit)
    except (TypeError, ValueError):
        return default


def grid_before(tr) -> int:
    return _int(_val(tr.find(W + "trPr"), "gridBefore"), 0, _MAX_SPAN)


def grid_after(tr) -> int:
    return _int(_val(tr.find(W + "trPr"), "gridAfter"), 0, _MAX_SPAN)


def cell_span(tc) -> int:
    return max(1, _int(_val(tc.find(W + "tcPr"), "gridSpan"), 1, _MAX_SPAN))


def vertical_merge(tc) -> str:
    """``restart``, ``continue`` (a ``w:vMerge`` without a value continues) or ``""``."""
    v = _val(tc.find(W + "tcPr"), "vMerge")
    return "" if v is None else ("restart" if v == "restart" else "continue")


_GRIDSPAN, _VMERGE, _HMERGE, _VAL = W + "gridSpan", W + "vMerge", W + "hMerge", W + "val"


def _cell_props(tc) -> tuple[int, str, str]:
    """``(span, vMerge, hMerge)`` of a cell in one pass over its ``w:tcPr`` (``w:hMerge`` is the
    horizontal merge of old Word files)."""
    span, vmerge, hmerge = 1, "", ""
    pr = tc.find(W + "tcPr")
    if pr is not None:
        for el in pr:
            tag = el.tag
            if tag == _GRIDSPAN:
                span = max(1, _int(el.get(_VAL), 1, _MAX_SPAN))
            elif tag == _VMERGE:
                vmerge = "restart" if el.get(_VAL) == "restart" else "continue"
            elif tag == _HMERGE:
                hmerge = "restart" if el.get(_VAL) == "restart" else "continue"
    return span, vmerge, hmerge


def paragraph_lines(p) -> list[str]:
    """The text of a paragraph (tabs as ``\\t``, line breaks as ``\\n``), then one line per
    paragraph of its text boxes; stripped, empty ones left out."""
    text: list[str] = []
    boxes: list[str] = []
    _inline(p, text, boxes)
    first = "".join(text).strip()
    return ([first] if first else []) + [b for b in boxes if b]


def _inline(el, text: list[str], boxes: list[str]) -> None:
    for child in el:
        tag = child.tag
        if tag == _T:
            text.append(child.text or "")
        elif tag == _R_RUN or tag in _WRAPPERS:
            _inline(child, text, boxes)
        elif tag == _TAB or tag == W + "ptab":
            text.append("\t")
        elif tag == _BR or tag == _CR:
            text.append("\n")
        elif tag == W + "noBreakHyphen":
            text.append("-")
        elif tag in _SKIP:
            continue
        elif tag in (W + "drawing", W + "pict", W + "object"):
            for box in child.iter(_TXBX):
                boxes.extend(_cell_lines(box))


def _cell_lines(container) -> list[str]:
    """The lines of a cell (or a text box): each paragraph's text (empty ones too, so a blank
    line stays), a nested table's non-empty cells each as lines of their own."""
    lines: list[str] = []
    for block in blocks(container):
        if block.tag == _P:
            text: list[str] = []
            boxes: list[str] = []
            _inline(block, text, boxes)
            lines.append("".join(text))
            lines.extend(b for b in boxes if b)
        else:
            for tr in table_rows(block):
                for tc in row_cells(tr):
                    inner = "\n".join(_cell_lines(tc)).strip()
                    if inner:
                        lines.append(inner)
    return lines


def cell_text(tc) -> str:
    """A cell's text: its paragraphs joined with ``\\n``, the whole stripped."""
    return "\n".join(_cell_lines(tc)).strip()


# --------------------------------------------------------------------------------------------
# Grids


def _grids(body) -> list[Grid]:
    grids: list[Grid] = []
    above: list[tuple[str, str]] = []  # (text, ref) of the paragraphs since the last table
    k = 0  # non-empty paragraphs since the last table
    for block in blocks(body):
        if block.tag == _P:
            lines = paragraph_lines(block)
            if lines:
                ref = f"{len(grids)}:p:{k}"
                above += [(line, ref) for line in lines]
                k += 1
        else:
            grids.append(_table_grid(block, len(grids), above))
            above, k = [], 0
    if grids and above:  # after the last table (a 备注, the report's closing): rows below it
        last = grids[-1]
        width = last.width
        for text, ref in above:
            pieces = line_pieces(text, width)
            for c in range(len(pieces)):
                last.places[(last.height, c)] = Place(page=0, ref=ref)
            last.rows.append(pieces + [""] * (width - len(pieces)))
    return grids


_GAP = re.compile(r"\t+|[ \u00a0]{2,}|\u3000+")


def line_pieces(text: str, width: int) -> list[str]:
    """A paragraph line as the cells it stands for: pieces set apart by a tab or a wide space
    (``部门：明朗中学    公开14表`` is two cells of the workbook, as a PDF's free line is two runs),
    one cell each, the last taking the rest when the line has more pieces than the table columns."""
    pieces = [p for p in _GAP.split(text.strip()) if p.strip()] or [text.strip()]
    width = max(width, 1)
    if len(pieces) > width:
        pieces = pieces[:width - 1] + ["  ".join(pieces[width - 1:])]
    return pieces


def _table_grid(tbl, index: int, above: list[tuple[str, str]]) -> Grid:
    n_grid = sum(1 for _ in tbl.iterfind(f"{W}tblGrid/{W}gridCol"))
    layout: list[list[tuple[int, int, str, str, str]]] = []  # per w:tr: (column, span, vMerge, hMerge, text)
    width = min(n_grid, _MAX_COLUMNS)
    for tr in table_rows(tbl):
        col = grid_before(tr)
        cells = []
        for tc in row_cells(tr):
            span, vmerge, hmerge = _cell_props(tc)
            if col < _MAX_COLUMNS:
                cells.append((col, min(span, _MAX_COLUMNS - col), vmerge, hmerge, cell_text(tc)))
            col += span
        width = max(width, min(col + grid_after(tr), _MAX_COLUMNS))
        layout.append(cells)
    width = max(width, 1)
    lead = len(above)
    if (lead + len(layout)) * width > _MAX_CELLS:
        raise ReadError("docx-corrupt", detail=f"第 {index + 1} 个表格过大（{len(layout)} 行 × {width} 列），未读取")
    rows: list[list[object]] = [[""] * width for _ in range(lead + len(layout))]
    places: dict[tuple[int, int], Place] = {}
    for r, (text, ref) in enumerate(above):
        for c, piece in enumerate(line_pieces(text, width)):
            rows[r][c] = piece
            places[(r, c)] = Place(page=0, ref=ref)
    merges: list[list[int]] = []  # [r0, c0, r1, c1] per cell placed
    extra: dict[int, list[str]] = {}  # merge index → text of the cells merged into it
    up: dict[int, int] = {}  # grid column → merge index of the cell that starts there in the row above
    for r, cells in enumerate(layout):
        gr = lead + r
        here: dict[int, int] = {}
        last = -1  # merge index of this row's previous cell
        for col, span, vmerge, hmerge, text in cells:
            if vmerge == "continue" and col in up:
                m = up[col]
                merges[m][2] = gr
                here[col] = m
                last = m
            elif hmerge == "continue" and last >= 0:
                m = last
                merges[m][3] = max(merges[m][3], col + span - 1)
            else:
                merges.append([gr, col, gr, col + span - 1])
                m = last = here[col] = len(merges) - 1
                rows[gr][col] = text
                places[(gr, col)] = Place(page=0, ref=f"{index}:{r}:{col}")
                continue
            if text:  # content in a merged-away cell (Word hides it): kept in the merged cell
                extra.setdefault(m, []).append(text)
        up = here
    for m, texts in extra.items():
        r0, c0 = merges[m][0], merges[m][1]
        rows[r0][c0] = "\n".join([str(rows[r0][c0])] * bool(rows[r0][c0]) + texts)
    spans = [tuple(m) for m in merges if (m[0], m[1]) != (m[2], m[3])]
    return Grid(name=f"表{index + 1}", rows=rows, merges=spans, places=places)


# --------------------------------------------------------------------------------------------
# Pictures (a form pasted as an image)


def _pictures(zf: zipfile.ZipFile, root) -> list[str]:
    """The image parts the document's pictures show, in document order (one per picture)."""
    refs: list[str] = []
    for el in root.iter(W + "drawing", W + "pict", W + "object"):
        rid = ""
        for blip in el.iter(_A + "blip"):
            rid = blip.get(_R + "embed", "")
            break
        if not rid:
            for data in el.iter(_V + "imagedata"):
                rid = data.get(_R + "id", "")
                break
        if rid:
            refs.append(rid)
    if not refs:
        return []
    targets = _image_targets(zf)
    names = set(zf.namelist())
    return [targets[rid] for rid in refs if targets.get(rid) in names]


def _image_targets(zf: zipfile.ZipFile) -> dict[str, str]:
    """Relationship id → image part name, from the main part's relationships."""
    part = _main_part(zf)
    folder, _, name = part.rpartition("/")
    rels_name = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    try:
        rels = _parse(_read_part(zf, rels_name, 8 << 20, "关系文件"))
    except Exception:  # no relationships, or damaged: no pictures to read
        return {}
    out = {}
    for rel in rels.iter(_REL + "Relationship"):
        if not rel.get("Type", "").endswith("/image") or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            parts = (folder.split("/") if folder else []) + target.split("/")
            stack: list[str] = []
            for p in parts:
                if p == "..":
                    if stack:
                        stack.pop()
                elif p and p != ".":
                    stack.append(p)
            path = "/".join(stack)
        out[rel.get("Id", "")] = path
    return out


def _ocr_engine():
    """``evaltools.ocr`` when it can run (as for scanned PDF pages: ``read_pdf.ocr_engine``)."""
    try:
        from .read_pdf import ocr_engine
    except ImportError:
        return None
    try:
        return ocr_engine()
    except Exception:  # a broken OCR install reads as none
        return None


def _ocr_picture(engine, zf: zipfile.ZipFile, part: str, n: int) -> Grid:
    name = f"图{n}"
    try:
        from PIL import Image

        blob = _read_part(zf, part, MAX_PICTURE_BYTES, f"图片 {part} ")
        image = engine.fit_picture(Image.open(io.BytesIO(blob)))  # its size is checked before it is decoded
        image.load()
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        return engine.read_image(image, name=name, page=0, scale=1.0)
    except ReadError as exc:
        row = problem(exc.code, name, exc.cell, **exc.fields)
    except Exception as exc:  # an image PIL cannot open (EMF, WMF), or the OCR engine's own failure
        row = problem("ocr-failed", name, detail=_short(exc))
    return Grid(name=name, rows=[], refused=row[3], problems=[row[1:]])


# --------------------------------------------------------------------------------------------
# Legacy .doc (and .rtf, HTML saved as .doc): LibreOffice headless


_ACTIVE_BLOCK = re.compile(rb"(?is)<(script|style|iframe|object|embed|frameset)\b.*?</\1\s*>")
_LINKING_TAG = re.compile(rb"(?is)<(img|link|meta|base|iframe|embed|object|frame|source|v:imagedata)\b[^>]*>")


def _unlinked(data: bytes) -> bytes:
    """A web page, Word 2003 XML or RTF file without what LibreOffice would fetch while it converts
    (pictures, style sheets and frames by address, RTF's INCLUDEPICTURE): a form's file is
    untrusted, and its conversion must not reach the network or other files. The tables stay."""
    data = _ACTIVE_BLOCK.sub(b"", data)
    data = _LINKING_TAG.sub(b"", data)
    return re.sub(rb"(?i)INCLUDEPICTURE|INCLUDETEXT|\\objautlink|\\objlink", b"NOLINK", data)


def doc_to_docx(data: bytes, suffix: str = ".doc") -> bytes:
    """A ``.doc`` (or ``.rtf``/``.html``: ``suffix``) converted to ``.docx`` bytes by LibreOffice
    headless, in a temporary folder with a private profile (concurrent runs do not clash), killed
    after ``DOC_TIMEOUT`` seconds."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise ReadError("doc-needs-libreoffice")
    with tempfile.TemporaryDirectory(prefix="evaltools-doc-") as tmp:
        tmp_path = Path(tmp)
        src = tmp_path / f"form{suffix}"
        src.write_bytes(data)
        out_dir = tmp_path / "out"
        out_dir.mkdir()
        profile = (tmp_path / "profile").as_uri()
        target = "docx:MS Word 2007 XML" if suffix in (".html", ".htm") else "docx"
        cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nologo",
               "--convert-to", target, "--outdir", str(out_dir), str(src)]
        env = dict(os.environ, HOME=tmp)  # LibreOffice writes under HOME too: keep it private
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=env, cwd=tmp, start_new_session=True)
        except OSError as exc:
            raise ReadError("doc-convert-failed", detail=_short(exc)) from exc
        try:
            stdout, stderr = proc.communicate(timeout=DOC_TIMEOUT)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ReadError("doc-convert-failed", detail=f"转换超过 {DOC_TIMEOUT} 秒，已中止") from None
        finally:
            if proc.poll() is None:
                _kill_group(proc)
        out = out_dir / "form.docx"
        if proc.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            said = (stderr or stdout or b"").decode("utf-8", "replace").strip().splitlines()
            said = [line for line in said if line.strip()]
            detail = said[-1].strip() if said else f"LibreOffice 退出码 {proc.returncode}，没有生成 .docx"
            raise ReadError("doc-convert-failed", detail=detail[:120])
        return out.read_bytes()


def _kill_group(proc: subprocess.Popen) -> None:
    """End LibreOffice and the process it started (``soffice`` runs ``soffice.bin``)."""
    killpg = getattr(os, "killpg", None)  # POSIX; elsewhere only the process itself can be ended
    try:
        if killpg is not None:
            killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass
    try:
        proc.communicate(timeout=10)
    except Exception:  # noqa: BLE001 - it is gone or cannot be waited for; nothing more to do
        pass
