"""Every exception evaltools raises, and the table of load-problem codes.

Bad *data* never raises: it becomes a ``load_errors`` row (a code from ``PROBLEMS`` beside its
Chinese message) or a finding. The exceptions below are raised for misuse, by ``load(...,
strict=True)``, and between the readers (``ReadError``, ``BoundsError``, ``NumberError`` never
leave the loader). Every error is picklable so it can cross process and Dask boundaries.

``PROBLEMS`` is the one place a load problem's words live, the way frictionless keeps an error
type beside its message template and pandera a reason code beside its check: a code is stable (a
script may filter ``load_errors.code``), the Chinese template may be reworded. ``docs/errors.md``
is generated from it (``evaltools errors --markdown``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One kind of load problem (or rule crash): its stable code and its Chinese message template."""

    code: str
    scope: str  # where it is found: "source", "file", "sheet", "cell", "form", "batch" or "audit"
    template: str  # str.format fields, filled by ``message``
    doc: str  # English: when it happens and what the reviewer can do
    level: str = "error"  # "info": not a problem of the data (a file skipped on purpose, a form left out)


SCOPES = {
    "source": "路径",
    "file": "文件",
    "sheet": "工作表",
    "cell": "单元格",
    "form": "表单",
    "batch": "批次",
    "audit": "审核",
}

PROBLEMS = (
    # -- what a path names
    Problem("path-missing", "source", "文件或文件夹不存在", "A path given to load() does not exist."),
    Problem("glob-no-match", "source", "没有与该通配符匹配的自评表文件（.xlsx/.xlsm/.xls/.pdf/.docx/.doc）",
            "A glob matched no workbook, PDF or Word file."),
    Problem("folder-no-workbook", "source", "文件夹中没有自评表文件（Excel 工作簿、PDF 或 Word 文件）",
            "A folder (searched recursively) holds no workbook, PDF or Word file."),
    Problem("file-unsupported-type", "source",
            "不支持的文件类型“{suffix}”，只读取 .xlsx/.xlsm/.xls、.pdf 与 .docx/.doc",
            "A file named directly has another extension (an image: put it in a PDF to have it read by OCR)."),
    Problem("folder-own-output", "source", "已跳过 evaltools 的结果文件夹（其中 {n} 个工作簿是本工具写出的，不是自评表）",
            "A folder inside the data carries evaltools' output marker: its workbooks are results, not forms.",
            level="info"),
    # -- one file
    Problem("file-unreadable", "file", "文件无法读取（{detail}）",
            "The operating system refused to read the file (permissions, a vanished network share)."),
    Problem("file-empty", "file", "文件为空（0 字节），不是 Excel 工作簿", "The file has no bytes."),
    Problem("file-pdf", "file", "文件是 PDF，不是 Excel 工作簿（扩展名被改成了表格格式）",
            "The bytes are a PDF although the name ends in .xlsx/.xls."),
    Problem("file-html", "file", "文件是网页（HTML/XML）格式，不是 Excel 工作簿；请在 Excel 中另存为 .xlsx 后再导入",
            "An HTML or XML table saved with an Excel extension (some systems export these)."),
    Problem("file-text", "file", "文件是纯文本（如 CSV），不是 Excel 工作簿；请在 Excel 中另存为 .xlsx 后再导入",
            "Plain text (CSV, TSV) with an Excel extension."),
    Problem("file-encrypted", "file", "工作簿设置了打开密码，无法读取；请去除密码后再导入",
            "The workbook is protected by an open password."),
    Problem("file-unknown-format", "file", "文件已损坏或不是 Excel 工作簿（无法识别的文件内容）",
            "Binary content that is neither a zip (xlsx) nor an OLE (xls) container."),
    Problem("file-corrupt", "file", "文件已损坏或不完整，无法打开（{detail}）",
            "The container is damaged (a truncated download, a broken zip); the reader's words follow."),
    Problem("file-own-output", "file", "这是 evaltools 写出的结果文件（问题清单、批注副本或导出表），不是自评表：已跳过",
            "The workbook's document properties say evaltools wrote it; it is skipped so results never come "
            "back in as forms.", level="info"),
    Problem("zip-part-too-large", "file",
            "压缩包中的“{part}”解压后超过 {limit_mb} MB 上限（文件声称 {claimed} 字节），可能是“压缩炸弹”，未读取",
            "One part of the xlsx inflates beyond ``Limits.max_part_bytes``: the file is not read."),
    Problem("workbook-too-large", "file", "工作簿解压后超过 {limit_mb} MB 上限（在“{part}”处），未读取",
            "All parts together inflate beyond ``Limits.max_workbook_bytes``."),
    Problem("xls-stream-too-large", "file", "工作簿数据流超过 {limit_mb} MB 上限，未读取",
            "An .xls workbook stream is larger than ``Limits.max_part_bytes``."),
    Problem("no-form", "file", "文件中没有找到绩效自评表（工作表或页：{sheets}）",
            "No sheet (or PDF page, or Word table) holds a recognisable form (no 项目名称 / 指标 table was found)."),
    # -- a PDF or Word file (read.pdf, read.docx)
    Problem("pdf-corrupt", "file", "PDF 文件已损坏或不完整，无法打开（{detail}）",
            "The PDF could not be parsed (a truncated download, a damaged cross-reference table)."),
    Problem("pdf-encrypted", "file", "PDF 设置了打开密码，无法读取；请去除密码后再导入",
            "The PDF is encrypted with a user password."),
    Problem("pdf-too-many-pages", "file", "PDF 有 {pages} 页，超过读取上限 {limit} 页，未读取",
            "More pages than ``Limits.max_pages``: the file is not read (a report volume, not a form)."),
    Problem("pdf-no-table", "file", "PDF 中没有找到表格（共 {pages} 页，没有表格线，也没有可识别的文字）",
            "No page has ruling lines to build a table from: a PDF of prose, or a table drawn without borders."),
    Problem("pdf-needs-ocr", "sheet",
            "该页是扫描图像，没有文字层；安装 tesseract 及其中文模型后可识别"
            "（apt-get install tesseract-ocr tesseract-ocr-chi-sim）",
            "A page without a text layer (a scan) and no OCR engine installed (or ``EVALTOOLS_OCR=off``): the "
            "page is not read."),
    Problem("ocr-no-table", "sheet", "OCR 未在图像中找到表格线，无法按单元格识别（图像可能不是自评表，或分辨率过低）",
            "A scanned page or a picture in a Word file shows no ruled table: nothing is read from it."),
    Problem("ocr-corrected", "cell", "OCR 读作“{raw}”，与词表中的“{word}”仅差 {n} 个字，已按词表改正",
            "An OCR reading one or two characters away from a label of the vocabulary is taken as that label "
            "(a heading misread drops its whole column); the reading is kept in this message.", level="info"),
    Problem("ocr-failed", "sheet", "OCR 识别失败（{detail}）",
            "The OCR engine raised on this page or picture; the rest of the file is read."),
    Problem("ocr-values", "file",
            "{n} 个值来自 OCR 识别（扫描件），可能有误，请对照原件核对（book.cells 的 ocr 列为 True）",
            "Some values were read by OCR; each is marked ``ocr`` in ``book.cells`` and findings on them say so.",
            level="info"),
    Problem("docx-corrupt", "file", "Word 文件已损坏或不完整，无法打开（{detail}）",
            "The .docx container or its document part is damaged."),
    Problem("docx-encrypted", "file", "Word 文件设置了打开密码，无法读取；请去除密码后再导入",
            "The Word file is protected by an open password."),
    Problem("docx-no-table", "file", "Word 文件中没有表格（自评表应是 Word 表格）",
            "The document holds no table and no picture: a report without its form."),
    Problem("docx-picture-only", "file",
            "Word 文件中的表格是图片（{n} 张），没有可读的文字；安装 tesseract 及其中文模型后可识别"
            "（apt-get install tesseract-ocr tesseract-ocr-chi-sim）",
            "The form was pasted into the document as a picture and no OCR engine is installed."),
    Problem("doc-needs-libreoffice", "file",
            "读取 .doc 文件需要 LibreOffice（未找到 soffice）；请安装 LibreOffice（apt-get install libreoffice-writer），"
            "或在 Word 中另存为 .docx 后再导入",
            "A legacy .doc is converted to .docx by LibreOffice headless, which is not installed."),
    Problem("doc-convert-failed", "file", "LibreOffice 无法转换该 .doc 文件（{detail}）",
            "LibreOffice ran but gave no .docx (a damaged .doc, or a time-out)."),
    # -- one sheet
    Problem("sheet-corrupt", "sheet", "工作表无法读取，文件可能已损坏（{detail}）",
            "The workbook opened but one sheet could not be read."),
    Problem("sheet-too-many-cells", "sheet",
            "工作表有 {n} 个有内容的单元格，超出上限 {limit}（最远到 {far}），整张表未读取",
            "A sheet holds more non-empty cells than ``Limits.max_cells``: the sheet is refused."),
    Problem("sheet-used-range-too-large", "sheet",
            "工作表的已用区域过大：{n} 个单元格远在表格之外（最远到 {far}），超出读取上限（{max_rows} 行 × "
            "{max_columns} 列，远处单元格至多 {max_far} 个），整张表未读取",
            "Content far outside the form, more than ``Limits.max_far_cells`` cells of it: the sheet is refused."),
    Problem("xls-sheet-too-large", "sheet",
            "工作表的已用区域过大（{rows} 行 × {cols} 列，{n} 个单元格，最远到 {far}），超出读取上限（{max_rows} 行 × "
            "{max_columns} 列、{limit} 个单元格），整张表未读取；请删除远处的内容，或另存为 .xlsx 后再导入",
            "An .xls sheet whose used range is beyond the limits (an .xls cannot be read sparsely)."),
    Problem("file-reader-crash", "file", "读取该文件时出错：{detail}",
            "A reader failed on this file in a way it does not know (a bug, or damage no check foresaw): the "
            "file is not read, the batch goes on. Please report it with the file."),
    Problem("sheet-reader-crash", "sheet", "读取该工作表时出错：{detail}",
            "A bug in evaltools' form reader on this sheet; the rest of the batch goes on. Please report it."),
    # -- one cell
    Problem("cell-error-value", "cell",
            "单元格是 Excel 错误值 {value}（公式出错或引用失效），该值未作为数据读取，依赖它的审核规则不检查",
            "A #DIV/0!, #REF!, #N/A … cell: no number is read from it, rules that need it stay silent."),
    Problem("cell-far-outside", "cell",
            "单元格远在表格之外（表格在 {range} 内），其内容“{text}”未读取；若是误填，请删除",
            "A stray entry far below or right of the form (read sparsely, not loaded)."),
    Problem("cell-far-outside-more", "cell", "另有 {n} 个远在表格之外的单元格未读取",
            "More far cells than are listed one by one."),
    Problem("number-unreadable", "cell", "{what}“{text}”不是可识别的数值",
            "A cell that must hold a number (an amount, a weight, a score) holds text that is not one."),
    Problem("number-no-integer-part", "cell", "{what}“{text}”缺少整数部分（数字可能已丢失），未作为数值读取",
            "An amount typed as text starting with a point (\".32\"): digits were lost, it is not read as 0.32."),
    Problem("header-score-unreadable", "cell", "表头自评得分“{text}”不是可识别的数值",
            "The 自评得分 printed in the header is not a number."),
    # -- one form
    Problem("form-not-audited", "form", "该表是“{form_type}”{name}，不是项目支出绩效自评表：已读取并列出，不参加项目审核",
            "A 部门整体 form or a target table: loaded and listed, left out of the project audit.", level="info"),
    Problem("year-missing", "form", "未找到评价年度（如“（2021年度）”）", "No evaluation year in the title or header."),
    Problem("project-name-missing", "form", "未找到“项目名称”栏", "The header has no 项目名称 label."),
    Problem("project-name-empty", "form", "“项目名称”栏为空", "The 项目名称 label is there, its value is empty."),
    Problem("department-missing", "form", "未找到“主管部门”栏", "The header has no 主管部门 label."),
    Problem("department-empty", "form", "“主管部门”栏为空", "The 主管部门 label is there, its value is empty."),
    Problem("second-form-beside", "form",
            "同一区域出现第二个“项目名称”：可能有两张表左右并排，右侧的表未读取（其单元格列为未识别）",
            "Two forms side by side on one sheet: the right one is not read (its cells are listed as unmapped)."),
    Problem("header-label-unknown", "form",
            "表头标签“{label}”不在词表中，未能识别；其右侧的“{value}”列为未识别（可在词表文件中为该栏添加标签）",
            "A header label the vocabulary does not know; add it to a vocabulary file (``load(vocabulary=...)``)."),
    Problem("total-row-missing", "form", "未找到“总分”行", "The form has a 得分 column but no 总分 row."),
    Problem("goals-missing", "form", "未找到“年度总体目标”栏", "No 年度总体目标 block."),
    Problem("funds-table-missing", "form", "未找到“项目资金”表（年初预算数、全年预算数、全年执行数表头）",
            "No funds table (its headings 年初预算数 / 全年预算数 / 全年执行数 were not found)."),
    Problem("funds-column-unknown", "form", "未识别的资金表列“{label}”，该列未读取",
            "A funds-table heading the vocabulary does not know."),
    Problem("funds-row-unknown", "form", "未识别的资金行“{label}”，未计入资金表（数值列为未识别）",
            "A funds line whose label is not a known fund source."),
    Problem("funds-total-row-missing", "form", "项目资金表缺少“年度资金总额”行",
            "The funds table has source lines but no 年度资金总额 line."),
    Problem("funds-total-column-missing", "form", "项目资金表缺少“合计”（资金总额）列",
            "A funds table laid out by columns lacks its 合计 column."),
    Problem("indicators-table-missing", "form", "未找到绩效指标表（一级指标、二级指标、三级指标表头）",
            "No indicator table (its headings 一级指标 / 二级指标 / 三级指标 were not found)."),
    Problem("indicators-empty", "form", "绩效指标表中没有指标行", "The indicator table's heading is there, no rows below it."),
    Problem("indicators-column-unknown", "form", "绩效指标表中有未识别的列“{label}”，该列未读取",
            "An indicator-table heading the vocabulary does not know."),
    Problem("indicators-column-missing", "form", "绩效指标表缺少“{what}”列",
            "A required indicator column (指标值, 实际完成值 …) is absent."),
    Problem("indicator-row-unnamed", "form",
            "该行有分值或得分，但没有指标名称、指标值和实际完成值，未作为指标读取",
            "A row with points but no indicator text: not read as an indicator."),
    # -- the whole batch
    Problem("duplicate-form-id", "batch", "表单编号重复（{ids}），请检查是否读入了同一文件的两份副本",
            "Two forms got the same id (the same file read twice through two routes)."),
    # -- the audit
    Problem("rule-crash", "audit",
            "规则 {rule_id} 运行出错（{error}；{where}），该规则对本表的结果未知，请人工复核",
            "A rule raised an exception on a form; its finding (rule ``AUDIT-CRASH``) stands in for the rule's "
            "result. The rest of the audit goes on."),
)
CODES = {p.code: p for p in PROBLEMS}


def message(code: str, **fields) -> str:
    """The Chinese message of ``code`` with its fields filled in."""
    return CODES[code].template.format(**fields)


def problem(code: str, sheet: str = "", cell: str = "", **fields) -> tuple[str, str, str, str, str]:
    """A ``load_errors`` row without its file: ``(sheet, cell, code, message, level)``."""
    p = CODES[code]
    return sheet, cell, code, p.template.format(**fields), p.level


def reference_markdown() -> str:
    """The load-problem reference (``docs/errors.md``), generated from ``PROBLEMS``."""
    lines = ["# Load problems and their codes", "",
             "Generated from `evaltools.errors.PROBLEMS` by `evaltools errors --markdown`; do not edit by hand.", "",
             "Every row of `load_errors` carries one of these codes beside its Chinese message (the message names "
             "the values; the code never changes, so scripts filter on it). `level` `info` rows are notes, not "
             "problems of the data. A rule that crashes gives an `AUDIT-CRASH` finding whose message is "
             "`rule-crash`'s. `load(..., strict=True)` raises `LoadError` with the first error's code.", ""]
    for scope, title in SCOPES.items():
        rows = [p for p in PROBLEMS if p.scope == scope]
        if not rows:
            continue
        lines += [f"## {title} ({scope})", "", "| code | level | message | when |", "|---|---|---|---|"]
        for p in rows:
            tmpl = p.template.replace("|", "\\|")
            lines.append(f"| `{p.code}` | {p.level} | {tmpl} | {p.doc.replace('|', chr(92) + '|')} |")
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The exceptions


class EvaltoolsError(Exception):
    """Root of every error evaltools raises on purpose."""


class _Coded(Exception):
    """An error whose message comes from ``PROBLEMS``: ``code``, ``message``, ``level``, ``sheet``, ``cell``."""

    def __init__(self, code: str, sheet: str = "", cell: str = "", **fields):
        self.code, self.sheet, self.cell, self.fields = code, sheet, cell, fields
        self.message = message(code, **fields)
        self.level = CODES[code].level
        super().__init__(self.message)

    def __reduce__(self):
        return _rebuild, (type(self), self.code, self.sheet, self.cell, self.fields)

    def __str__(self) -> str:
        return self.message


def _rebuild(cls, code, sheet, cell, fields):
    return cls(code, sheet, cell, **fields)


class LoadError(EvaltoolsError):
    """A problem reading a workbook, raised only with ``strict=True``.

    Carries the same fields as a ``load_errors`` row, its ``code`` included.
    """

    def __init__(self, message: str, source_file: str = "", sheet: str = "", cell: str = "", code: str = ""):
        super().__init__(message, source_file, sheet, cell, code)
        self.message = message
        self.source_file = source_file
        self.sheet = sheet
        self.cell = cell
        self.code = code

    def __str__(self) -> str:
        where = "!".join(p for p in (self.source_file, self.sheet, self.cell) if p)
        text = f"[{self.code}] {self.message}" if self.code else self.message
        return f"{where}: {text}" if where else text


class ReadError(_Coded):
    """A workbook that cannot be read at all (never leaves the loader: it becomes a ``load_errors`` row)."""


class BoundsError(_Coded):
    """A workbook (or one sheet) refused by the limits (caught by the reader, like ``ReadError``)."""


class OwnOutput(Exception):
    """Raised by the reader's planning step for a workbook evaltools wrote (skipped, not an error)."""


class NumberError(ValueError):
    """A cell that should hold a number holds something else."""


class VocabularyError(EvaltoolsError):
    """A vocabulary file that cannot be used: unreadable, unknown section or key, bad pattern."""


class ProfileError(EvaltoolsError):
    """A profile that cannot be used: unknown name or key, bad value."""


class RuleError(EvaltoolsError):
    """Misuse of the registry: a duplicate or unknown rule id, a bad severity or docstring."""


class ExecutorError(EvaltoolsError):
    """An unknown executor name, or a cluster that cannot be reached."""


class ResourceError(EvaltoolsError):
    """A notebook or template that is not part of this installation of evaltools."""

    def __init__(self, message: str, name: str = ""):
        super().__init__(message, name)  # both args kept so the error pickles across processes
        self.message = message
        self.name = name

    def __str__(self) -> str:
        return self.message


class ReportError(EvaltoolsError):
    """Misuse of the report: bad parameters, a missing notebook, a department not in the data."""


class OutputError(EvaltoolsError):
    """An output that cannot be written: a read-only folder, a workbook open in Excel/WPS (its lock
    file ``~$name`` is present), a full disk. The CLI exits 3 on it; nothing half-written is left."""


class ExcelOutputError(OutputError):
    """An Excel output that cannot be written (its message is Chinese, for the reviewer)."""


class MissingDependency(EvaltoolsError, ImportError):
    """A library of an optional extra (``synth``) is not installed (the message says how to install it)."""


class UsageError(EvaltoolsError):
    """A command line that cannot run (its message is Chinese): exit 2, nothing written."""


__all__ = ["EvaltoolsError", "LoadError", "ReadError", "BoundsError", "NumberError", "VocabularyError",
           "ProfileError", "RuleError", "ExecutorError", "ResourceError", "ReportError", "OutputError",
           "ExcelOutputError", "MissingDependency", "UsageError", "Problem", "PROBLEMS", "CODES", "message", "problem"]
