"""A small, fast, dependency-free workbook writer.

``write_xlsx`` writes Office Open XML the way Excel and WPS do: every string goes to the shared
string table (``xl/sharedStrings.xml``), numbers are ``<v>`` values, merged ranges are
``<mergeCells>``, with a minimal ``styles.xml`` and ``docProps``. Nothing is ever written as a
formula, so a value such as ``"=6人"`` stays text. The output is byte-for-byte deterministic: zip
entry timestamps and the document dates are fixed.

By default only the non-empty cells are written. ``write_xlsx(..., excel_like=True)`` writes a
sheet the way Excel and WPS save a bordered form, for benchmarks that must pay what real files
cost: every cell of each form's rectangle (``SheetSpec.blocks``) is present with its border
style even when empty (merged continuation cells included), rows are padded with styled empty
cells to ``SheetSpec.pad_cols`` columns, rows carry ``spans``/``ht``/``customHeight``, and the
package has a WPS-sized ``styles.xml`` (the built-in named styles, several fonts incl. 宋体),
``theme1.xml``, print settings and full ``docProps``. Values, shared strings and merges are the
same as in the plain output, so every reader returns the same values and merged ranges.

``write_xls`` writes the legacy BIFF8 ``.xls`` format through xlwt (imported lazily).

Rows and columns are 1-based everywhere in this module.
"""

from __future__ import annotations

import math
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
    # Only used by ``write_xlsx(..., excel_like=True)``:
    blocks: list[Merge] | None = None  # form rectangles; None → the used range (if styled)
    title_rows: int = 0  # leading rows of each block drawn without borders (title, subtitle)
    pad_cols: int = 25  # block rows are padded with styled empty cells up to this column


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


def _cell_xml(ref: str, style: str, value, strings) -> str:
    """One ``<c>`` element; ``None`` is a styled empty cell (Excel writes those for bordered forms)."""
    if value is None:
        return f'<c r="{ref}"{style}/>'
    if isinstance(value, str):
        return f'<c r="{ref}"{style} t="s"><v>{strings.add(value)}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float, Decimal)):
        return f'<c r="{ref}"{style}><v>{format_number(value)}</v></c>'
    raise TypeError(f"unsupported cell value at {ref}: {type(value).__name__}")


def _merges_xml(merges) -> str:
    if not merges:
        return ""
    refs = "".join(f'<mergeCell ref="{range_ref(r0, c0, r1, c1)}"/>' for r0, c0, r1, c1 in merges)
    return f'<mergeCells count="{len(merges)}">{refs}</mergeCells>'


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
            parts.append(_cell_xml(cell_ref(r, c), style, value, strings))
        parts.append("</row>")
    parts.append("</sheetData>")
    parts.append(_merges_xml(sheet.merges))
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


def _sheet_list(names: Sequence[str]) -> str:
    return "".join(f'<sheet name="{_xml_text(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, 1))


def _workbook_xml(names: Sequence[str]) -> str:
    sheets = _sheet_list(names)
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
    sheets: Sequence[SheetSpec],
    *,
    created: str = DEFAULT_CREATED,
    creator: str = "evaltools",
    excel_like: bool = False,
) -> list[tuple[str, str]]:
    """The (part name, XML text) pairs of a workbook, in the order they are zipped."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    _check_sheet_names(sheets)
    if excel_like:
        return _excel_like_parts(sheets, created, creator)
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
    excel_like: bool = False,
) -> Path:
    """Write ``sheets`` to an ``.xlsx`` file at ``path``; same input → same bytes.

    ``excel_like``: write every cell of the forms' rectangles with its style, and the styles,
    theme and print settings Excel/WPS write (see the module docstring). Same values and merges.
    """
    path = Path(path)
    parts = xlsx_bytes_parts(sheets, created=created, creator=creator, excel_like=excel_like)
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


# --------------------------------------------------------------------------------------------
# Excel/WPS-like output (``write_xlsx(..., excel_like=True)``)
#
# What Excel and WPS save for a bordered form: every cell of the form's rectangle carries a
# style (so it is a ``<c r=".." s=".."/>`` element even when empty, merged continuation cells
# included), template rows are styled well beyond the form, every row has ``spans``, ``ht`` and
# ``customHeight``, and ``styles.xml`` holds the application's built-in named styles. Readers pay
# for all of it, which is the point: benchmarks on plain output flatter every reader.

# cellXfs of the Excel-like styles.xml.
_XF_DEFAULT = 0
_XF_FORM = 1  # bordered, centred, wrapped (labels, short values, empty form cells)
_XF_TITLE = 2  # 宋体 16 bold, centred, no border (the form's first row)
_XF_SUBTITLE = 3  # no border, centred (the form's other title rows)
_XF_TEXT = 4  # bordered, left-aligned, wrapped (long text)
_XF_NUMBER = 5  # bordered, right-aligned, General
_XF_PAD = 6  # template columns beyond the form: font only, no border
_XF_PERCENT = 7  # bordered, numFmtId 10 (0.00%) — defined, as in templates, not used on values
_XF_AMOUNT = 8  # bordered, custom "0.00_ " — defined, not used on values

_DEFAULT_COL_WIDTH = 9.0
_LONG_TEXT = 16  # strings longer than this are left-aligned in their cell


def _font(size: float, *, bold=False, italic=False, underline=False, color: str = 'theme="1"',
          name: str = "宋体", scheme: str | None = "minor") -> str:
    return (
        "<font>" + ("<b/>" if bold else "") + ("<i/>" if italic else "")
        + ('<u/>' if underline else "") + f'<sz val="{format_number(size)}"/><color {color}/>'
        f'<name val="{name}"/><charset val="134"/>'
        + (f'<scheme val="{scheme}"/>' if scheme else "") + "</font>"
    )


_FONTS = [
    _font(11),  # 0 常规
    _font(11, color='theme="0"'),  # 1 强调文字颜色 (white)
    _font(11, color='rgb="FF9C0006"'),  # 2 差
    _font(11, color='rgb="FF006100"'),  # 3 好
    _font(11, color='rgb="FF9C6500"'),  # 4 适中
    _font(11, color='rgb="FF3F3F76"'),  # 5 输入
    _font(11, bold=True, color='rgb="FF3F3F3F"'),  # 6 输出
    _font(11, bold=True, color='rgb="FFFA7D00"'),  # 7 计算
    _font(11, bold=True, color='theme="0"'),  # 8 检查单元格
    _font(11, color='rgb="FFFA7D00"'),  # 9 链接单元格
    _font(11, bold=True),  # 10 汇总
    _font(11, color='rgb="FFFF0000"'),  # 11 警告文本
    _font(11, italic=True, color='rgb="FF7F7F7F"'),  # 12 解释性文本
    _font(11, underline=True, color='rgb="FF0000FF"'),  # 13 超链接
    _font(11, underline=True, color='rgb="FF800080"'),  # 14 已访问的超链接
    _font(18, bold=True, color='theme="3"', scheme="major"),  # 15 标题
    _font(15, bold=True, color='theme="3"'),  # 16 标题 1
    _font(13, bold=True, color='theme="3"'),  # 17 标题 2
    _font(11, bold=True, color='theme="3"'),  # 18 标题 3, 标题 4
    _font(16, bold=True, color='theme="1"', scheme=None),  # 19 form title
    _font(10, scheme=None),  # 20 form body
    _font(12, name="仿宋_GB2312", scheme=None),  # 21
    _font(9, scheme=None),  # 22 phonetic
]

_ACCENT_TINTS = ("0", "0.799981688894314", "0.599993896298105", "0.399975585192419")


def _solid(color: str) -> str:
    return (f'<fill><patternFill patternType="solid"><fgColor {color}/><bgColor indexed="64"/>'
            "</patternFill></fill>")


_FILLS = [
    '<fill><patternFill patternType="none"/></fill>',
    '<fill><patternFill patternType="gray125"/></fill>',
    _solid('rgb="FFFFFFCC"'),  # 2 注释
    _solid('rgb="FFFFCC99"'),  # 3 输入
    _solid('rgb="FFF2F2F2"'),  # 4 输出, 计算
    _solid('rgb="FFA5A5A5"'),  # 5 检查单元格
    _solid('rgb="FFC6EFCE"'),  # 6 好
    _solid('rgb="FFFFC7CE"'),  # 7 差
    _solid('rgb="FFFFEB9C"'),  # 8 适中
] + [  # 9..32: 强调文字颜色 k, then its 20% / 40% / 60% tints
    _solid(f'theme="{theme}"' + (f' tint="{tint}"' if tint != "0" else ""))
    for theme in range(4, 10) for tint in _ACCENT_TINTS
]


_AUTO = 'auto="1"'


def _border(left="", right="", top="", bottom="") -> str:
    def side(tag: str, spec: str) -> str:
        if not spec:
            return f"<{tag}/>"
        style, _, color = spec.partition(" ")
        return f'<{tag} style="{style}"><color {color or _AUTO}/></{tag}>'

    return ("<border>" + side("left", left) + side("right", right) + side("top", top)
            + side("bottom", bottom) + "<diagonal/></border>")


def _box(spec: str) -> str:
    return _border(spec, spec, spec, spec)


_BORDERS = [
    _border(),
    _box("thin"),  # 1 form cells
    _box('thin rgb="FFB2B2B2"'),  # 2 注释
    _box('thin rgb="FF7F7F7F"'),  # 3 输入, 计算
    _box('thin rgb="FF3F3F3F"'),  # 4 输出
    _box('double rgb="FF3F3F3F"'),  # 5 检查单元格
    _border(bottom='double rgb="FFFF8001"'),  # 6 链接单元格
    _border(bottom='thick theme="4"'),  # 7 标题 1
    _border(bottom='thick theme="4" tint="0.499984740745262"'),  # 8 标题 2
    _border(bottom='medium theme="4" tint="0.399975585192419"'),  # 9 标题 3
    _border(top='thin theme="4"', bottom='double theme="4"'),  # 10 汇总
]

_NUM_FMTS = (
    (176, "0.00_ "),
    (41, '_ * #,##0_ ;_ * \\-#,##0_ ;_ * "-"_ ;_ @_ '),
    (42, '_ "￥"* #,##0_ ;_ "￥"* \\-#,##0_ ;_ "￥"* "-"_ ;_ @_ '),
    (43, '_ * #,##0.00_ ;_ * \\-#,##0.00_ ;_ * "-"??_ ;_ @_ '),
    (44, '_ "￥"* #,##0.00_ ;_ "￥"* \\-#,##0.00_ ;_ "￥"* "-"??_ ;_ @_ '),
)

# The built-in named cell styles WPS/Excel put in every workbook: (name, builtinId, numFmtId,
# fontId, fillId, borderId).
_NAMED_STYLES = [
    ("常规", 0, 0, 0, 0, 0),
    ("千位分隔", 3, 43, 0, 0, 0),
    ("货币", 4, 44, 0, 0, 0),
    ("百分比", 5, 9, 0, 0, 0),
    ("千位分隔[0]", 6, 41, 0, 0, 0),
    ("货币[0]", 7, 42, 0, 0, 0),
    ("超链接", 8, 0, 13, 0, 0),
    ("已访问的超链接", 9, 0, 14, 0, 0),
    ("注释", 10, 0, 0, 2, 2),
    ("警告文本", 11, 0, 11, 0, 0),
    ("标题", 15, 0, 15, 0, 0),
    ("标题 1", 16, 0, 16, 0, 7),
    ("标题 2", 17, 0, 17, 0, 8),
    ("标题 3", 18, 0, 18, 0, 9),
    ("标题 4", 19, 0, 18, 0, 0),
    ("输入", 20, 0, 5, 3, 3),
    ("输出", 21, 0, 6, 4, 4),
    ("计算", 22, 0, 7, 4, 3),
    ("检查单元格", 23, 0, 8, 5, 5),
    ("链接单元格", 24, 0, 9, 0, 6),
    ("汇总", 25, 0, 10, 0, 10),
    ("好", 26, 0, 3, 6, 0),
    ("差", 27, 0, 2, 7, 0),
    ("适中", 28, 0, 4, 8, 0),
] + [
    (name, 29 + 4 * k + j, 0, 1 if j in (0, 3) else 0, 9 + 4 * k + j, 0)
    for k in range(6)
    for j, name in enumerate((f"强调文字颜色 {k + 1}", f"20% - 强调文字颜色 {k + 1}",
                              f"40% - 强调文字颜色 {k + 1}", f"60% - 强调文字颜色 {k + 1}"))
] + [("解释性文本", 53, 0, 12, 0, 0)]

_CENTRE = '<alignment horizontal="center" vertical="center" wrapText="1"/>'
# (numFmtId, fontId, borderId, alignment) of each cellXfs entry, indexed by the _XF_* ids.
_CELL_XFS = [
    (0, 0, 0, '<alignment vertical="center"/>'),
    (0, 20, 1, _CENTRE),
    (0, 19, 0, '<alignment horizontal="center" vertical="center"/>'),
    (0, 20, 0, '<alignment horizontal="center" vertical="center"/>'),
    (0, 20, 1, '<alignment horizontal="left" vertical="center" wrapText="1"/>'),
    (0, 20, 1, '<alignment horizontal="right" vertical="center"/>'),
    (0, 20, 0, '<alignment vertical="center"/>'),
    (10, 20, 1, _CENTRE),
    (176, 20, 1, '<alignment horizontal="right" vertical="center"/>'),
]


def _excel_styles_xml() -> str:
    parts = [_XML_HEAD, f'<styleSheet xmlns="{_MAIN_NS}">']
    parts.append(f'<numFmts count="{len(_NUM_FMTS)}">')
    parts.extend(f'<numFmt numFmtId="{i}" formatCode="{escape(code, {chr(34): "&quot;"})}"/>'
                 for i, code in _NUM_FMTS)
    parts.append("</numFmts>")
    parts.append(f'<fonts count="{len(_FONTS)}">{"".join(_FONTS)}</fonts>')
    parts.append(f'<fills count="{len(_FILLS)}">{"".join(_FILLS)}</fills>')
    parts.append(f'<borders count="{len(_BORDERS)}">{"".join(_BORDERS)}</borders>')
    parts.append(f'<cellStyleXfs count="{len(_NAMED_STYLES)}">')
    for _name, _bid, fmt, font, fill, border in _NAMED_STYLES:
        # In cellStyleXfs, Excel flags what a named style leaves alone with apply*="0".
        applies = "" if not (fmt or font or fill or border) else "".join(
            f' {attr}="0"' for attr, used in (("applyNumberFormat", fmt), ("applyFont", font),
                                               ("applyFill", fill), ("applyBorder", border))
            if not used)
        parts.append(f'<xf numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="{border}"'
                     f'{applies}><alignment vertical="center"/></xf>')
    parts.append("</cellStyleXfs>")
    parts.append(f'<cellXfs count="{len(_CELL_XFS)}">')
    for fmt, font, border, alignment in _CELL_XFS:
        applies = (' applyNumberFormat="1"' if fmt else "") + (' applyFont="1"' if font else "") \
            + (' applyBorder="1"' if border else "") + ' applyAlignment="1"'
        parts.append(f'<xf numFmtId="{fmt}" fontId="{font}" fillId="0" borderId="{border}" '
                     f'xfId="0"{applies}>{alignment}</xf>')
    parts.append("</cellXfs>")
    parts.append(f'<cellStyles count="{len(_NAMED_STYLES)}">')
    parts.extend(f'<cellStyle name="{name}" xfId="{i}" builtinId="{bid}"/>'
                 for i, (name, bid, *_rest) in enumerate(_NAMED_STYLES))
    parts.append("</cellStyles>")
    parts.append('<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" '
                 'defaultPivotStyle="PivotStyleLight16"/></styleSheet>')
    return "".join(parts)


_SCRIPT_FONTS = (
    ("Jpan", "ＭＳ Ｐゴシック"), ("Hang", "맑은 고딕"), ("Hans", "宋体"), ("Hant", "新細明體"),
    ("Arab", "Times New Roman"), ("Hebr", "Times New Roman"), ("Thai", "Tahoma"),
    ("Ethi", "Nyala"), ("Beng", "Vrinda"), ("Gujr", "Shruti"), ("Khmr", "MoolBoran"),
    ("Knda", "Tunga"), ("Guru", "Raavi"), ("Cans", "Euphemia"), ("Cher", "Plantagenet Cherokee"),
    ("Yiii", "Microsoft Yi Baiti"), ("Tibt", "Microsoft Himalaya"), ("Thaa", "MV Boli"),
    ("Deva", "Mangal"), ("Telu", "Gautami"), ("Taml", "Latha"), ("Syrc", "Estrangelo Edessa"),
    ("Orya", "Kalinga"), ("Mlym", "Kartika"), ("Laoo", "DokChampa"), ("Sinh", "Iskoola Pota"),
    ("Mong", "Mongolian Baiti"), ("Viet", "Times New Roman"), ("Uigh", "Microsoft Uighur"),
    ("Geor", "Sylfaen"),
)


def _theme_font(tag: str, latin: str) -> str:
    scripts = "".join(f'<a:font script="{s}" typeface="{f}"/>' for s, f in _SCRIPT_FONTS)
    return (f'<a:{tag}><a:latin typeface="{latin}"/><a:ea typeface=""/><a:cs typeface=""/>'
            f"{scripts}</a:{tag}>")


def _grad(stops: Sequence[tuple[int, str]], angle: int, scaled: int) -> str:
    gs = "".join(f'<a:gs pos="{pos}"><a:schemeClr val="phClr">{mods}</a:schemeClr></a:gs>'
                 for pos, mods in stops)
    return (f'<a:gradFill rotWithShape="1"><a:gsLst>{gs}</a:gsLst>'
            f'<a:lin ang="{angle}" scaled="{scaled}"/></a:gradFill>')


def _effect(blur: int, dist: int, alpha: int, scene: bool) -> str:
    shadow = (f'<a:effectLst><a:outerShdw blurRad="{blur}" dist="{dist}" dir="5400000" '
              f'rotWithShape="0"><a:srgbClr val="000000"><a:alpha val="{alpha}"/></a:srgbClr>'
              "</a:outerShdw></a:effectLst>")
    if scene:
        shadow += ('<a:scene3d><a:camera prst="orthographicFront"><a:rot lat="0" lon="0" '
                   'rev="0"/></a:camera><a:lightRig rig="threePt" dir="t"><a:rot lat="0" lon="0" '
                   'rev="1200000"/></a:lightRig></a:scene3d><a:sp3d><a:bevelT w="63500" '
                   'h="25400"/></a:sp3d>')
    return f"<a:effectStyle>{shadow}</a:effectStyle>"


def _theme_xml() -> str:
    """An Office-style theme part (colour, font and format schemes), of the usual size."""
    colours = "".join(
        f"<a:{tag}>{clr}</a:{tag}>" for tag, clr in (
            ("dk1", '<a:sysClr val="windowText" lastClr="000000"/>'),
            ("lt1", '<a:sysClr val="window" lastClr="FFFFFF"/>'),
            ("dk2", '<a:srgbClr val="1F497D"/>'), ("lt2", '<a:srgbClr val="EEECE1"/>'),
            ("accent1", '<a:srgbClr val="4F81BD"/>'), ("accent2", '<a:srgbClr val="C0504D"/>'),
            ("accent3", '<a:srgbClr val="9BBB59"/>'), ("accent4", '<a:srgbClr val="8064A2"/>'),
            ("accent5", '<a:srgbClr val="4BACC6"/>'), ("accent6", '<a:srgbClr val="F79646"/>'),
            ("hlink", '<a:srgbClr val="0000FF"/>'), ("folHlink", '<a:srgbClr val="800080"/>')))
    tint = '<a:tint val="{0}"/><a:satMod val="{1}"/>'
    shade = '<a:shade val="{0}"/><a:satMod val="{1}"/>'
    fills = ('<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
             + _grad([(0, tint.format(50000, 300000)), (35000, tint.format(37000, 300000)),
                      (100000, tint.format(15000, 350000))], 16200000, 1)
             + _grad([(0, shade.format(51000, 130000)), (80000, shade.format(93000, 130000)),
                      (100000, shade.format(94000, 135000))], 16200000, 0))
    lines = "".join(
        f'<a:ln w="{w}" cap="flat" cmpd="sng" algn="ctr"><a:solidFill><a:schemeClr val="phClr">'
        f"{mods}</a:schemeClr></a:solidFill><a:prstDash val=\"solid\"/></a:ln>"
        for w, mods in ((9525, shade.format(95000, 105000)), (25400, ""), (38100, "")))
    effects = (_effect(40000, 20000, 38000, False) + _effect(40000, 23000, 35000, False)
               + _effect(40000, 23000, 35000, True))
    bg = ('<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
          '<a:gradFill rotWithShape="1"><a:gsLst><a:gs pos="0"><a:schemeClr val="phClr">'
          '<a:tint val="40000"/><a:satMod val="350000"/></a:schemeClr></a:gs><a:gs pos="40000">'
          '<a:schemeClr val="phClr"><a:tint val="45000"/><a:shade val="99000"/>'
          '<a:satMod val="350000"/></a:schemeClr></a:gs><a:gs pos="100000"><a:schemeClr '
          'val="phClr"><a:shade val="20000"/><a:satMod val="255000"/></a:schemeClr></a:gs>'
          '</a:gsLst><a:path path="circle"><a:fillToRect l="50000" t="-80000" r="50000" '
          'b="180000"/></a:path></a:gradFill>'
          '<a:gradFill rotWithShape="1"><a:gsLst><a:gs pos="0"><a:schemeClr val="phClr">'
          '<a:tint val="80000"/><a:satMod val="300000"/></a:schemeClr></a:gs><a:gs pos="100000">'
          '<a:schemeClr val="phClr"><a:shade val="30000"/><a:satMod val="200000"/></a:schemeClr>'
          '</a:gs></a:gsLst><a:path path="circle"><a:fillToRect l="50000" t="50000" r="50000" '
          'b="50000"/></a:path></a:gradFill>')
    return (
        _XML_HEAD
        + '<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'name="Office 主题"><a:themeElements>'
        f'<a:clrScheme name="Office">{colours}</a:clrScheme>'
        '<a:fontScheme name="Office">' + _theme_font("majorFont", "Cambria")
        + _theme_font("minorFont", "Calibri") + "</a:fontScheme>"
        f'<a:fmtScheme name="Office"><a:fillStyleLst>{fills}</a:fillStyleLst>'
        f"<a:lnStyleLst>{lines}</a:lnStyleLst><a:effectStyleLst>{effects}</a:effectStyleLst>"
        f"<a:bgFillStyleLst>{bg}</a:bgFillStyleLst></a:fmtScheme>"
        "</a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>"
    )


def _text_units(text: str) -> float:
    """Display width of ``text`` in column-width units at the form's 10-point font."""
    return sum(0.95 if ord(ch) < 0x2E80 else 1.9 for ch in text)


def _text_lines(text: str, width: float) -> int:
    per_line = max(width - 0.6, 1.0)
    return sum(max(1, math.ceil(_text_units(part) / per_line)) for part in text.split("\n"))


def _row_height(points: float) -> str:
    """Round up to the 0.75-point steps Excel stores, capped at Excel's 409.5."""
    return format_number(min(409.5, math.ceil(points / 0.75 - 1e-9) * 0.75))


def _excel_sheet_xml(sheet: SheetSpec, strings: _SharedStrings, selected: bool) -> str:
    values = {k: v for k, v in sheet.cells.items() if v is not None}
    widths = sheet.col_widths or {}

    def width(c: int) -> float:
        return float(widths.get(c, _DEFAULT_COL_WIDTH))

    # Which cells are written, and with which style.
    styles: dict[tuple[int, int], int] = {}
    row_kind: dict[int, int] = {}  # row → _XF_TITLE / _XF_SUBTITLE / _XF_FORM
    blocks = sheet.blocks
    if blocks is None:
        keys = list(values) + [(m[0], m[1]) for m in sheet.merges] + [
            (m[2], m[3]) for m in sheet.merges]
        if sheet.style and keys:
            blocks = [(min(r for r, _ in keys), min(c for _, c in keys),
                       max(r for r, _ in keys), max(c for _, c in keys))]
        else:
            blocks = []
    for r0, c0, r1, c1 in blocks:
        last = max(c1, sheet.pad_cols)
        for r in range(r0, r1 + 1):
            k = r - r0
            kind = _XF_FORM if k >= sheet.title_rows else _XF_TITLE if k == 0 else _XF_SUBTITLE
            row_kind.setdefault(r, kind)
            for c in range(1, last + 1):
                styles.setdefault((r, c), kind if c0 <= c <= c1 else _XF_PAD)
    for (r, c), value in values.items():
        base = styles.get((r, c), _XF_FORM if sheet.style else _XF_DEFAULT)
        if base in (_XF_FORM, _XF_PAD):
            if isinstance(value, str):
                base = _XF_TEXT if len(value) > _LONG_TEXT else _XF_FORM
            elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                base = _XF_NUMBER
            else:
                base = _XF_FORM
        styles[(r, c)] = base
    # A merged range carries its anchor's format on every cell, as Excel applies it.
    for r0, c0, r1, c1 in sheet.merges:
        anchor = styles.get((r0, c0))
        if anchor is None:
            continue
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) in styles:
                    styles[(r, c)] = anchor

    # Row heights: what the wrapped text needs (merged text spreads over its rows).
    span_of = {(m[0], m[1]): m for m in sheet.merges}
    need: dict[int, float] = {}
    for (r, c), value in values.items():
        if not isinstance(value, str):
            continue
        r0, c0, r1, c1 = span_of.get((r, c), (r, c, r, c))
        lines = _text_lines(value, sum(width(x) for x in range(c0, c1 + 1)))
        per_row = (lines * 13.5 + 4) / (r1 - r0 + 1)
        need[r] = max(need.get(r, 0.0), per_row)

    by_row: dict[int, list[int]] = {}
    for r, c in styles:
        by_row.setdefault(r, []).append(c)
    group_span: dict[int, tuple[int, int]] = {}
    for r, cols in by_row.items():
        g = (r - 1) // 16
        lo, hi = group_span.get(g, (cols[0], cols[0]))
        group_span[g] = (min(lo, min(cols)), max(hi, max(cols)))

    refs = list(styles) + [(m[2], m[3]) for m in sheet.merges] + [(1, 1)] * (not styles)
    min_r, min_c = min(r for r, _ in refs), min(c for _, c in refs)
    max_r, max_c = max(r for r, _ in refs), max(c for _, c in refs)
    parts = [
        _XML_HEAD,
        f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">',
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
        f'<dimension ref="{range_ref(min_r, min_c, max_r, max_c)}"/>',
        '<sheetViews><sheetView%s workbookViewId="0"><selection activeCell="A1" sqref="A1"/>'
        "</sheetView></sheetViews>" % (' tabSelected="1"' if selected else ""),
        '<sheetFormatPr defaultColWidth="9" defaultRowHeight="13.5" outlineLevelCol="0"/>',
    ]
    last_col = max([c for _, c in styles] + list(widths) + [1])
    parts.append("<cols>")
    col = 1
    while col <= last_col:  # runs of equal width share one <col>, as Excel writes them
        end = col
        while end < last_col and width(end + 1) == width(col):
            end += 1
        parts.append(f'<col min="{col}" max="{end}" width="{format_number(width(col))}" '
                     f'style="{_XF_PAD}" customWidth="1"/>')
        col = end + 1
    parts.append("</cols><sheetData>")
    for r in sorted(by_row):
        lo, hi = group_span[(r - 1) // 16]
        kind = row_kind.get(r)
        floor = {_XF_TITLE: 30.0, _XF_SUBTITLE: 20.25, _XF_FORM: 22.5}.get(kind, 14.25)
        ht = _row_height(max(floor, need.get(r, 0.0)))
        parts.append(f'<row r="{r}" spans="{lo}:{hi}" ht="{ht}" customHeight="1">')
        for c in sorted(by_row[r]):
            ref = cell_ref(r, c)
            s = styles[(r, c)]
            style = f' s="{s}"' if s else ""
            parts.append(_cell_xml(ref, style, values.get((r, c)), strings))
        parts.append("</row>")
    parts.append("</sheetData>")
    parts.append(_merges_xml(sheet.merges))
    parts.append(
        '<phoneticPr fontId="22" type="noConversion"/>'
        '<printOptions horizontalCentered="1"/>'
        '<pageMargins left="0.393055555555556" right="0.393055555555556" '
        'top="0.590277777777778" bottom="0.590277777777778" header="0.314583333333333" '
        'footer="0.314583333333333"/>'
        '<pageSetup paperSize="9" scale="80" fitToHeight="0" orientation="landscape"/>'
        "<headerFooter/></worksheet>"
    )
    return "".join(parts)


def _excel_workbook_xml(names: Sequence[str]) -> str:
    sheets = _sheet_list(names)
    return (
        _XML_HEAD
        + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        '<fileVersion appName="xl" lastEdited="3" lowestEdited="5" rupBuild="9302"/>'
        '<workbookPr/><bookViews><workbookView windowWidth="28800" windowHeight="12435" '
        'activeTab="0"/></bookViews>'
        f'<sheets>{sheets}</sheets><calcPr calcId="144525"/></workbook>'
    )


def _excel_app_xml(names: Sequence[str]) -> str:
    titles = "".join(f"<vt:lpstr>{_xml_text(n)}</vt:lpstr>" for n in names)
    return (
        _XML_HEAD
        + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"><Application>evaltools.xlsxio</Application><DocSecurity>0</DocSecurity>'
        "<ScaleCrop>false</ScaleCrop>"
        '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>'
        f"工作表</vt:lpstr></vt:variant><vt:variant><vt:i4>{len(names)}</vt:i4></vt:variant>"
        f'</vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="{len(names)}" '
        f'baseType="lpstr">{titles}</vt:vector></TitlesOfParts><Company></Company>'
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>"
    )


def _excel_like_parts(sheets: Sequence[SheetSpec], created: str,
                      creator: str) -> list[tuple[str, str]]:
    strings = _SharedStrings()
    sheet_parts = [
        (f"xl/worksheets/sheet{i}.xml", _excel_sheet_xml(sheet, strings, selected=(i == 1)))
        for i, sheet in enumerate(sheets, 1)
    ]
    names = [s.name for s in sheets]
    n = len(sheets)
    content_types = _content_types(n).replace(
        '<Override PartName="/xl/styles.xml"',
        '<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.theme+xml"/><Override PartName="/xl/styles.xml"')
    rels = _workbook_rels(n).replace(
        "</Relationships>",
        f'<Relationship Id="rId{n + 3}" Type="{_REL_NS}/theme" Target="theme/theme1.xml"/>'
        "</Relationships>")
    return [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", _ROOT_RELS),
        ("xl/workbook.xml", _excel_workbook_xml(names)),
        ("xl/_rels/workbook.xml.rels", rels),
        *sheet_parts,
        ("xl/theme/theme1.xml", _theme_xml()),
        ("xl/styles.xml", _excel_styles_xml()),
        ("xl/sharedStrings.xml", strings.xml()),
        ("docProps/core.xml", _core_xml(created, creator)),
        ("docProps/app.xml", _excel_app_xml(names)),
    ]
