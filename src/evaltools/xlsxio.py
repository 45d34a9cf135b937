"""A small, fast, dependency-free workbook writer.

``write_xlsx`` writes Office Open XML the way Excel and WPS do: every string goes to the shared
string table (``xl/sharedStrings.xml``), numbers are ``<v>`` values, merged ranges are
``<mergeCells>``, with a minimal ``styles.xml`` and ``docProps``. Nothing is ever written as a
formula, so a value such as ``"=6人"`` stays text. The output is byte-for-byte deterministic: zip
entry timestamps and the document dates are fixed.

``write_xls`` writes the legacy BIFF8 ``.xls`` format through xlwt (imported lazily).

Rows and columns are 1-based everywhere in this module.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Mapping, Sequence, Union
from xml.sax.saxutils import escape

Value = Union[str, int, float, bool, Decimal, None]
Merge = tuple[int, int, int, int]  # (row0, col0, row1, col1), 1-based, ends included

# Zip entries carry the earliest timestamp zip can express, so output depends on content only.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
DEFAULT_CREATED = "2022-01-15T08:00:00Z"

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Style ids in cellXfs: 0 is the default, 1 is the bordered, wrapped, centred form cell.
STYLE_DEFAULT = 0
STYLE_FORM = 1


@dataclass
class SheetSpec:
    """One worksheet: cell values keyed by (row, col), merged ranges and optional widths."""

    name: str
    cells: dict[tuple[int, int], Value] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)
    col_widths: Mapping[int, float] | None = None
    style: int = STYLE_FORM  # style applied to every written cell


def column_letter(col: int) -> str:
    """1 → ``A``, 27 → ``AA``."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_LETTERS = [""] + [column_letter(c) for c in range(1, 703)]


def cell_ref(row: int, col: int) -> str:
    """A1 reference of a 1-based (row, col)."""
    letters = _LETTERS[col] if col < len(_LETTERS) else column_letter(col)
    return f"{letters}{row}"


def range_ref(r0: int, c0: int, r1: int, c1: int) -> str:
    """A1 range reference such as ``B1:G1``."""
    return f"{cell_ref(r0, c0)}:{cell_ref(r1, c1)}"


def format_number(value: int | float | Decimal) -> str:
    """Shortest text that round-trips, without a trailing ``.0`` (as Excel stores numbers)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"cannot write non-finite number {value!r}")
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _xml_text(text: str) -> str:
    # Characters XML 1.0 forbids are dropped rather than producing a file Excel refuses to open.
    cleaned = "".join(ch for ch in text if ch >= " " or ch in "\t\n\r")
    return escape(cleaned)


class _SharedStrings:
    """The workbook-wide shared string table, in order of first use."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def add(self, text: str) -> int:
        self.count += 1
        idx = self.index.get(text)
        if idx is None:
            idx = self.index[text] = len(self.index)
        return idx

    def xml(self) -> str:
        parts = [
            _XML_HEAD,
            f'<sst xmlns="{_MAIN_NS}" count="{self.count}" uniqueCount="{len(self.index)}">',
        ]
        for text in self.index:
            body = _xml_text(text)
            if text != text.strip() or "\n" in text:
                parts.append(f'<si><t xml:space="preserve">{body}</t></si>')
            else:
                parts.append(f"<si><t>{body}</t></si>")
        parts.append("</sst>")
        return "".join(parts)


def _sheet_xml(sheet: SheetSpec, strings: _SharedStrings, selected: bool) -> str:
    rows: dict[int, list[tuple[int, Value]]] = {}
    for (r, c), value in sheet.cells.items():
        if value is None:
            continue
        rows.setdefault(r, []).append((c, value))
    max_r = max([r for r, _ in sheet.cells] + [m[2] for m in sheet.merges] + [1])
    max_c = max([c for _, c in sheet.cells] + [m[3] for m in sheet.merges] + [1])
    min_r = min([r for r, _ in sheet.cells] + [m[0] for m in sheet.merges] + [max_r])
    min_c = min([c for _, c in sheet.cells] + [m[1] for m in sheet.merges] + [max_c])
    style = f' s="{sheet.style}"' if sheet.style else ""
    parts = [
        _XML_HEAD,
        f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">',
        f'<dimension ref="{range_ref(min_r, min_c, max_r, max_c)}"/>',
        '<sheetViews><sheetView workbookViewId="0"%s/></sheetViews>'
        % (' tabSelected="1"' if selected else ""),
        '<sheetFormatPr defaultRowHeight="14.25"/>',
    ]
    if sheet.col_widths:
        parts.append("<cols>")
        for col in sorted(sheet.col_widths):
            width = format_number(float(sheet.col_widths[col]))
            parts.append(f'<col min="{col}" max="{col}" width="{width}" customWidth="1"/>')
        parts.append("</cols>")
    parts.append("<sheetData>")
    for r in sorted(rows):
        parts.append(f'<row r="{r}">')
        for c, value in sorted(rows[r], key=lambda item: item[0]):
            ref = cell_ref(r, c)
            if isinstance(value, str):
                parts.append(f'<c r="{ref}"{style} t="s"><v>{strings.add(value)}</v></c>')
            elif isinstance(value, bool):
                parts.append(f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, (int, float, Decimal)):
                parts.append(f'<c r="{ref}"{style}><v>{format_number(value)}</v></c>')
            else:
                raise TypeError(f"unsupported cell value at {ref}: {type(value).__name__}")
        parts.append("</row>")
    parts.append("</sheetData>")
    if sheet.merges:
        parts.append(f'<mergeCells count="{len(sheet.merges)}">')
        for r0, c0, r1, c1 in sheet.merges:
            parts.append(f'<mergeCell ref="{range_ref(r0, c0, r1, c1)}"/>')
        parts.append("</mergeCells>")
    parts.append(
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        "</worksheet>"
    )
    return "".join(parts)


_STYLES_XML = (
    _XML_HEAD
    + f'<styleSheet xmlns="{_MAIN_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="宋体"/><family val="2"/>'
    '<charset val="134"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"/><right style="thin"/><top style="thin"/>'
    '<bottom style="thin"/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" '
    'applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _content_types(n_sheets: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n_sheets + 1)
    )
    return (
        _XML_HEAD
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        + sheets
        + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.extended-properties+xml"/>'
        "</Types>"
    )


_ROOT_RELS = (
    _XML_HEAD
    + f'<Relationships xmlns="{_PKG_REL_NS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
    'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)


def _workbook_xml(names: Sequence[str]) -> str:
    sheets = "".join(
        f'<sheet name="{_xml_text(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(names, 1)
    )
    return (
        _XML_HEAD
        + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{sheets}</sheets></workbook>"
    )


def _workbook_rels(n_sheets: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n_sheets + 1)
    )
    n = n_sheets
    return (
        _XML_HEAD
        + f'<Relationships xmlns="{_PKG_REL_NS}">'
        + rels
        + f'<Relationship Id="rId{n + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{n + 2}" Type="{_REL_NS}/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'
    )


def _core_xml(created: str, creator: str) -> str:
    return (
        _XML_HEAD
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{_xml_text(creator)}</dc:creator>"
        f"<cp:lastModifiedBy>{_xml_text(creator)}</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{created}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _app_xml(names: Sequence[str]) -> str:
    titles = "".join(f"<vt:lpstr>{_xml_text(n)}</vt:lpstr>" for n in names)
    return (
        _XML_HEAD
        + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"><Application>evaltools.xlsxio</Application>'
        "<HeadingPairs><vt:vector size=\"2\" baseType=\"variant\"><vt:variant><vt:lpstr>"
        f"工作表</vt:lpstr></vt:variant><vt:variant><vt:i4>{len(names)}</vt:i4></vt:variant>"
        f'</vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="{len(names)}" '
        f'baseType="lpstr">{titles}</vt:vector></TitlesOfParts></Properties>'
    )


def _check_sheet_names(sheets: Sequence[SheetSpec]) -> None:
    seen: set[str] = set()
    for sheet in sheets:
        name = sheet.name
        if not name or len(name) > 31 or any(ch in name for ch in '[]:*?/\\'):
            raise ValueError(f"invalid sheet name {name!r}")
        if name.lower() in seen:
            raise ValueError(f"duplicate sheet name {name!r}")
        seen.add(name.lower())


def xlsx_bytes_parts(
    sheets: Sequence[SheetSpec], *, created: str = DEFAULT_CREATED, creator: str = "evaltools"
) -> list[tuple[str, str]]:
    """The (part name, XML text) pairs of a workbook, in the order they are zipped."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    _check_sheet_names(sheets)
    strings = _SharedStrings()
    sheet_parts = [
        (f"xl/worksheets/sheet{i}.xml", _sheet_xml(sheet, strings, selected=(i == 1)))
        for i, sheet in enumerate(sheets, 1)
    ]
    names = [s.name for s in sheets]
    return [
        ("[Content_Types].xml", _content_types(len(sheets))),
        ("_rels/.rels", _ROOT_RELS),
        ("docProps/app.xml", _app_xml(names)),
        ("docProps/core.xml", _core_xml(created, creator)),
        ("xl/workbook.xml", _workbook_xml(names)),
        ("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets))),
        ("xl/styles.xml", _STYLES_XML),
        *sheet_parts,
        ("xl/sharedStrings.xml", strings.xml()),
    ]


def write_xlsx(
    path: str | Path,
    sheets: Sequence[SheetSpec],
    *,
    created: str = DEFAULT_CREATED,
    creator: str = "evaltools",
    compresslevel: int = 6,
) -> Path:
    """Write ``sheets`` to an ``.xlsx`` file at ``path``; same input → same bytes."""
    path = Path(path)
    parts = xlsx_bytes_parts(sheets, created=created, creator=creator)
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, text.encode("utf-8"), compresslevel=compresslevel)
    return path


def write_xls(path: str | Path, sheets: Sequence[SheetSpec]) -> Path:
    """Write ``sheets`` to a legacy BIFF8 ``.xls`` file through xlwt (merges via write_merge)."""
    import xlwt  # lazy: only the legacy variant needs it

    _check_sheet_names(sheets)
    book = xlwt.Workbook(encoding="utf-8")
    form_style = xlwt.easyxf(
        "font: name 宋体, height 220; align: wrap on, vert centre, horiz centre; "
        "borders: left thin, right thin, top thin, bottom thin"
    )
    plain = xlwt.XFStyle()
    for sheet in sheets:
        ws = book.add_sheet(sheet.name, cell_overwrite_ok=False)
        style = form_style if sheet.style == STYLE_FORM else plain
        if sheet.col_widths:
            for col, width in sheet.col_widths.items():
                ws.col(col - 1).width = int(width * 256)
        covered: set[tuple[int, int]] = set()
        for r0, c0, r1, c1 in sheet.merges:
            value = sheet.cells.get((r0, c0))
            ws.write_merge(r0 - 1, r1 - 1, c0 - 1, c1 - 1, _xls_value(value), style)
            covered.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
        for (r, c), value in sorted(sheet.cells.items()):
            if value is None or (r, c) in covered:
                continue
            ws.write(r - 1, c - 1, _xls_value(value), style)
    path = Path(path)
    book.save(str(path))
    return path


def _xls_value(value: Value) -> str | float | bool | None:
    if value is None or isinstance(value, (str, bool)):
        return value if value is not None else ""
    if isinstance(value, Decimal):
        return float(value)
    return value
