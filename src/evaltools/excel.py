"""Excel outputs for the reviewer: ``findings.xlsx`` and annotated copies of the source workbooks.

``write_findings_workbook`` writes 问题清单 (one row per finding, with 复核状态/复核意见 columns and
any column the reviewer adds, all surviving re-runs), 项目, 指标, 汇总 and 已整改 (findings of the
previous run that are gone); the file it replaces is kept under ``备份/``. ``check_writable``
stops a run before anything is written when an output is open in Excel/WPS.
``write_annotated_copies`` copies every workbook that has findings under ``annotated/`` with the
flagged cells filled by severity and a comment listing the findings; ``annotated_paths`` says where
each copy goes, and findings.xlsx links to them, so the output folder can be sent on its own.
Every sheet of findings.xlsx prints landscape on A4, one page wide, its header on every page.

Form text is untrusted: every value goes through ``safeio.put_cell``, so a target such as ``=6人``
or a project name ``=HYPERLINK("x")`` can never become a formula, and every workbook written is
marked as an evaltools output. The only links written are the hyperlink records of the
文件/单元格/工作表 columns. The source workbooks are only ever read."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import ExcelOutputError, OutputError
from .load import records as _records
from .names import bounded_file_name, short_hash
from .read import column_letter
from .rules import rule_titles
from .schema import SEVERITY_FILLS, SEVERITY_LABELS, finding_view
from .schema import SEVERITY_ORDER as SEVERITY_RANK
from .safeio import cell_value, guard_text_cells, put_cell, safe_text, save_workbook

REVIEW_STATUSES = ("待核实", "已确认", "已排除")
DEFAULT_STATUS = REVIEW_STATUSES[0]
FIXED_STATUS = "已整改"

FINDINGS_SHEET = "问题清单"
PROJECTS_SHEET = "项目"
INDICATORS_SHEET = "指标"
SUMMARY_SHEET = "汇总"
FIXED_SHEET = "已整改"

ID_HEADER = "问题编号"
FORM_HEADER = "表单编号"
GONE_STATUS = "所在表不在本次数据中"
STATUS_HEADER = "复核状态"
COMMENT_HEADER = "复核意见"

REVIEW_COLUMNS = ((STATUS_HEADER, 11), (COMMENT_HEADER, 40))


def _finding_columns() -> tuple[tuple[str, int], ...]:
    """(header, width) of 问题清单's finding part: ``schema.FINDINGS`` as findings.xlsx shows it."""
    return tuple((c.label, c.width) for c in finding_view("excel"))


def _detail_headers() -> tuple[str, ...]:
    return tuple(h for h, _ in _finding_columns())

ANNOTATED_DIR = "annotated"
_MANIFEST = ".evaltools-annotated.json"
_XLS_NOTE = "注：原文件为 .xls 格式，本副本已由 evaltools 转换为 .xlsx（只保留数值、合并单元格和工作表，原格式未保留）。"
_REBUILT_NOTE = "注：openpyxl 无法按原样打开原文件，本副本只由数值和合并单元格重建（原格式未保留）。"


FINDINGS_NAME = "findings.xlsx"
BACKUP_DIR = "备份"
_FIXED_OWN = ("状态", "原复核状态", "原复核意见")
_CLASH_SUFFIX = "（复核列）"  # a reviewer column named like one of 已整改's own, written there with this suffix
_ADDED_WIDTH = 16


@dataclass
class ReviewEntries:
    """The reviewer's rows of an earlier findings.xlsx, each a dict keyed by its sheet's headers."""

    active: dict[str, dict] = field(default_factory=dict)  # 问题清单 rows by 问题编号
    fixed: dict[str, dict] = field(default_factory=dict)  # 已整改 rows by 问题编号
    added: list[str] = field(default_factory=list)  # headers the reviewer added, 问题清单's first, in column order
    loose: list[dict] = field(default_factory=list)  # 问题清单 rows with content but no 问题编号


@dataclass
class FindingsWorkbook:
    """What ``write_findings_workbook`` wrote, with the counts the CLI summary reports."""

    path: Path
    previous: Path | None = None  # the earlier findings.xlsx whose entries were carried over
    kept: int = 0  # findings of this run that carry a reviewer entry from the previous file
    moved: int = 0  # findings of the previous 问题清单 gone this run, now listed on 已整改
    fixed_total: int = 0  # rows on 已整改
    added_columns: list[str] = field(default_factory=list)
    loose_rows: int = 0  # reviewer rows without 问题编号, kept at the bottom of 问题清单
    backup: Path | None = None

    def summary(self) -> str:
        """One Chinese line for the command-line summary."""
        if self.previous is None:
            return f"复核记录：首次写出（没有上一版 {self.path.name}），复核状态均为“{DEFAULT_STATUS}”"
        parts = [f"复核记录：保留 {self.kept} 条", f"{self.moved} 条问题本次未再出现，已移至“{FIXED_SHEET}”（该表共 {self.fixed_total} 条）"]
        if self.added_columns:
            parts.append("保留自加列 " + "、".join(self.added_columns))
        if self.loose_rows:
            parts.append(f"无问题编号的自加行 {self.loose_rows} 行附在“{FINDINGS_SHEET}”末尾")
        if self.backup is not None:
            parts.append(f"上一版已备份为 {self.backup}")
        return "；".join(parts)


# =============================================================================================
# findings.xlsx


def check_writable(out_dir) -> None:
    """Raise ``OutputError`` before anything is written when an Excel output in ``out_dir`` is open
    in Excel/WPS (its ``~$`` lock file is beside it) or cannot be opened for writing: findings.xlsx
    and every annotated copy (``outputs.py`` runs it with the other outputs' checks)."""
    from .safeio import check_not_locked

    out = Path(out_dir)
    check_not_locked(out / FINDINGS_NAME)
    annotated = out / ANNOTATED_DIR
    if annotated.is_dir():
        for p in sorted(annotated.rglob("*")):
            if p.is_file() and not p.name.startswith(("~$", ".~")):
                check_not_locked(p)


def write_findings_workbook(result, book, path, *, previous=None) -> FindingsWorkbook:
    """Write ``findings.xlsx`` for ``result`` (an ``AuditResult``) of ``book``.

    The reviewer owns part of this file, and a re-run keeps all of it:

    - 复核状态, 复核意见 and every column the reviewer added to 问题清单 (any header evaltools does
      not write; a column without a header is kept as ``未命名列<letter>``) are carried over to the
      findings that still exist, matched by 问题编号 (the finding id), whatever order the rows were
      sorted in and wherever the column was inserted. Added columns are written after evaltools'
      own, with their header; a formula the reviewer typed there is kept as its last value.
    - Findings that vanished move to 已整改 with all of their entries, added columns included.
    - Rows without 问题编号 that hold something (a reviewer's notes) stay at the end of 问题清单.
    - evaltools' own columns (部门 … 单元格) are rewritten from this run.

    Links: 单元格 (and 项目's 工作表) opens the cell in the annotated copy, ``annotated/…`` beside
    ``path`` as ``write_annotated_copies`` writes it (``annotated_paths``), a link that works
    wherever the output folder is sent; 文件 opens the same cell in the source workbook, a link
    out of the folder that works where the data is at hand. A file without findings has no copy:
    both of its links go to the source. Every sheet prints landscape on A4, one page wide, its
    header row on every page, gridlines, the sheet name and page numbers in the footer; rows with
    wrapped text are as high as the text needs.

    ``previous`` is the earlier findings.xlsx to carry entries from; by default ``path`` itself when
    it exists; ``previous=False`` ignores it. A previous file that exists but cannot be read raises
    ``ExcelOutputError``, and a ``path`` open in Excel/WPS raises ``OutputError``: nothing is written.

    Before ``path`` is replaced, the file there is copied to ``备份/<stem>-YYYYMMDD-HHMMSS.xlsx``
    beside it (marked as an evaltools output, so the loader skips backups). The new file is
    written to a temporary name and then moved into place. Returns a ``FindingsWorkbook``.
    """
    import openpyxl

    from .safeio import check_not_locked

    path = Path(path)
    check_not_locked(path)
    if previous is None:
        previous = path if path.exists() else None
    prev = read_review_entries(previous) if previous else ReviewEntries()

    findings = result.findings
    rel_of = _relative_files(book)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    written = FindingsWorkbook(path=path, previous=Path(previous) if previous else None,
                               added_columns=list(prev.added), loose_rows=len(prev.loose))
    links = _Links(path.parent, annotated_paths(result, book, out_dir=path.parent), _anchors(book))
    current = _findings_sheet(wb, findings, rel_of, links, prev, written)
    _projects_sheet(wb, result, book, findings, links)
    _indicators_sheet(wb, result)
    _summary_sheet(wb, result, book, findings)
    _fixed_sheet(wb, current, set(book.projects["form_id"].tolist()), prev, written)
    for ws in wb.worksheets:
        _fit_row_heights(ws)
        _print_setup(ws)
    wb.active = 0

    def backup() -> None:
        written.backup = _backup(path) if path.exists() else None

    save_workbook(wb, path, before_replace=backup)
    return written


def _backup(path: Path) -> Path:
    """Copy ``path`` to ``备份/<stem>-<timestamp><suffix>`` beside it, marked as an evaltools output."""
    import datetime
    import shutil

    from .safeio import is_evaltools_output

    folder = path.parent / BACKUP_DIR
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = folder / f"{path.stem}-{stamp}{path.suffix}"
    n = 1
    while dest.exists():  # two runs within a second
        n += 1
        dest = folder / f"{path.stem}-{stamp}-{n}{path.suffix}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if is_evaltools_output(path):
            shutil.copy2(path, dest)  # byte for byte: the reviewer's formatting is kept as it was
        else:  # written before outputs were marked (or the mark was stripped): mark the copy
            import openpyxl

            wb = openpyxl.load_workbook(path)
            save_workbook(wb, dest)
    except Exception as exc:  # noqa: BLE001 - without a backup the previous file must not be replaced
        raise ExcelOutputError(f"无法备份上一版问题清单 {path} 到 {folder}（{type(exc).__name__}: {exc}）；"
                               f"为免丢失复核意见，未写出新文件") from exc
    return dest


def read_review_entries(path) -> ReviewEntries:
    """The reviewer's rows of an earlier findings.xlsx (a missing file gives empty entries).

    Rows are dicts keyed by the sheet's headers (部门 … 单元格, 复核状态, 复核意见, the reviewer's own
    columns; on 已整改 also 状态, 原复核状态, 原复核意见), values as stored (text, numbers, dates).
    """
    import openpyxl

    path = Path(path)
    if not path.exists():
        return ReviewEntries()
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ExcelOutputError(f"无法读取上一次的问题清单 {path}（{type(exc).__name__}: {exc}）；为免丢失复核意见，"
                               f"未写出新文件，请修复或移走该文件后重试") from exc
    try:
        found = {}
        for ws in wb.worksheets:
            table = _sheet_table(ws)
            if table is not None:
                found.setdefault(ws.title, table)
        fixed = found.pop(FIXED_SHEET, None)
        # the reviewer may have renamed 问题清单: then the first other sheet with a 问题编号 column
        active = found.get(FINDINGS_SHEET, next(iter(found.values()), None))
        if active is None:
            raise ExcelOutputError(f"{path} 不是 evaltools 写出的问题清单（找不到含“{ID_HEADER}”列的“{FINDINGS_SHEET}”工作表）；"
                                   f"为免覆盖，未写出新文件，请改用其他输出路径")
    finally:
        wb.close()
    a_names, a_rows, loose = active
    f_names, f_rows, _ = fixed or ([], {}, [])
    f_rows = {fid: {_unclash(k): v for k, v in row.items()} for fid, row in f_rows.items()}
    ours = _detail_headers() + (STATUS_HEADER, COMMENT_HEADER, ID_HEADER, FORM_HEADER)
    ours_fixed = _detail_headers() + _FIXED_OWN + (ID_HEADER, FORM_HEADER)
    added = [n for n in a_names if n and n not in ours]
    added += [n for n in map(_unclash, f_names) if n and n not in ours_fixed and n not in added]
    return ReviewEntries(active=a_rows, fixed=f_rows, added=added, loose=loose)


def _sheet_table(ws) -> tuple[list[str], dict[str, dict], list[dict]] | None:
    """``(headers, rows by 问题编号, rows with content but no 问题编号)``; None without a 问题编号 column."""
    rows = list(ws.iter_rows(values_only=True))
    if not rows or not rows[0]:
        return None
    names = _header_names(rows[0], rows[1:])
    if ID_HEADER not in names:
        return None
    by_id: dict[str, dict] = {}
    loose: list[dict] = []
    for values in rows[1:]:
        row = {n: v for n, v in zip(names, values) if n and not _blank(v)}
        fid = str(row.get(ID_HEADER, "")).strip()
        if fid:
            by_id.setdefault(fid, row)
        elif row:
            loose.append(row)
    return names, by_id, loose


def _header_names(header, body) -> list[str]:
    """Column names: a header without text that has values is ``未命名列<letter>``; repeats get ``（2）``."""
    width = max([len(header)] + [len(r) for r in body])
    names: list[str] = []
    for i in range(width):
        h = header[i] if i < len(header) else None
        name = "" if _blank(h) else str(h).strip()
        if not name and any(i < len(r) and not _blank(r[i]) for r in body):
            name = f"未命名列{_letter(i + 1)}"
        base, n = name, 1
        while name and name in names:
            n += 1
            name = f"{base}（{n}）"
        names.append(name)
    return names


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _unclash(name: str) -> str:
    if name.endswith(_CLASH_SUFFIX) and name[: -len(_CLASH_SUFFIX)] in _FIXED_OWN:
        return name[: -len(_CLASH_SUFFIX)]
    return name


def _has_entry(row: dict, added: list[str]) -> bool:
    """A reviewer entry: a status other than the default, a comment, or a value in an added column."""
    status = str(row.get(STATUS_HEADER) or row.get("原复核状态") or "").strip()
    comment = row.get(COMMENT_HEADER) or row.get("原复核意见")
    return (status not in ("", DEFAULT_STATUS)) or not _blank(comment) or any(not _blank(row.get(h)) for h in added)


def _shown(name: str, f: dict, rel_of: dict) -> object:
    """A finding's value as 问题清单 shows it: severities in Chinese, files by their path in the data."""
    v = f.get(name, "")
    if name == "severity":
        return SEVERITY_LABELS.get(v, v)
    if name == "source_file":
        return rel_of.get(f["form_id"]) or v
    return v


def _findings_sheet(wb, findings, rel_of, links: _Links, prev: ReviewEntries, written: FindingsWorkbook) -> set[str]:
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(FINDINGS_SHEET)
    view = finding_view("excel")
    columns = _finding_columns() + REVIEW_COLUMNS + ((ID_HEADER, 14), (FORM_HEADER, 14))
    wrapped = {c.label for c in view if c.wrap} | {COMMENT_HEADER}
    columns += tuple((h, _ADDED_WIDTH) for h in prev.added)
    _header(ws, columns)
    col = {h: i + 1 for i, (h, _) in enumerate(columns)}
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    fills = {s: PatternFill("solid", fgColor=c) for s, c in SEVERITY_FILLS.items()}
    current: set[str] = set()
    r = 1
    for f in _records(findings):
        r += 1
        fid = f["finding_id"]
        current.add(fid)
        earlier = prev.active.get(fid) or prev.fixed.get(fid) or {}
        written.kept += _has_entry(earlier, prev.added)
        status = earlier.get(STATUS_HEADER) or earlier.get("原复核状态") or DEFAULT_STATUS
        comment = earlier.get(COMMENT_HEADER) or earlier.get("原复核意见") or ""
        values = {c.label: _shown(c.name, f, rel_of) for c in view}
        values.update({STATUS_HEADER: status, COMMENT_HEADER: comment, ID_HEADER: fid, FORM_HEADER: f["form_id"]})
        values.update({h: earlier.get(h) for h in prev.added})
        for h, v in values.items():
            cell = ws.cell(row=r, column=col[h])
            put_cell(cell, v)
            cell.alignment = wrap if h in wrapped else top
        fill = fills.get(f["severity"])
        if fill is not None:
            ws.cell(row=r, column=col["严重程度"]).fill = fill
        links.place(ws.cell(row=r, column=col["单元格"]), ws.cell(row=r, column=col["文件"]), f["source_file"],
                    f["form_id"], f["sheet"], f["cell"])
    last = r
    for row in prev.loose:  # the reviewer's own rows: kept where they can be found, below the findings
        r += 1
        for h, v in row.items():
            if h in col:
                put_cell(ws.cell(row=r, column=col[h]), v)
                ws.cell(row=r, column=col[h]).alignment = wrap
    for h in (ID_HEADER, FORM_HEADER):
        ws.column_dimensions[_letter(col[h])].hidden = True
    if last > 1:
        dv = DataValidation(type="list", formula1='"' + ",".join(REVIEW_STATUSES) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="复核状态",
                            error="请从列表中选择：" + "、".join(REVIEW_STATUSES),
                            showInputMessage=True, promptTitle="复核状态", prompt="、".join(REVIEW_STATUSES))
        letter = _letter(col[STATUS_HEADER])
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)
    ws.auto_filter.ref = f"A1:{_letter(len(columns))}{max(r, 1)}"
    return current


def _projects_sheet(wb, result, book, findings, links: _Links) -> None:
    from .schema import sheet_view

    ws = wb.create_sheet(PROJECTS_SHEET)
    view = sheet_view("form_scores")
    _header(ws, [(c.label, c.width) for _, c in view])
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for fid, sev in zip(findings["form_id"].tolist(), findings["severity"].tolist()):
        counts[fid][sev] += 1
    proj = {p["form_id"]: p for p in _records(book.projects)}
    link_at = next((i for i, (t, c) in enumerate(view, start=1) if (t, c.name) == ("projects", "sheet")), None)
    file_at = next((i for i, (t, c) in enumerate(view, start=1) if (t, c.name) == ("projects", "source_file")), None)
    for r, s in enumerate(_records(result.form_scores), start=2):
        p = proj.get(s["form_id"], {})
        c = counts.get(s["form_id"], {})
        for ci, (t, col) in enumerate(view, start=1):
            cell = ws.cell(row=r, column=ci)
            put_cell(cell, _project_value(t, col.name, s, p, c))
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
        if p.get("source_file") and link_at:
            links.place(ws.cell(row=r, column=link_at), ws.cell(row=r, column=file_at) if file_at else None,
                        p["source_file"], s["form_id"], p.get("sheet", ""), "")
    ws.column_dimensions[_letter(len(view))].hidden = True
    ws.auto_filter.ref = f"A1:{_letter(len(view))}{max(ws.max_row, 1)}"


def _project_value(table: str, name: str, scores: dict, project: dict, counts: dict) -> object:
    """A 项目 cell: the form's scores, its file (by its path in the data) and sheet, its finding counts."""
    if table == "counts":
        return counts.get(name, 0)
    if table == "projects":
        if name == "source_file":
            return project.get("relative_file") or project.get("source_file", "")
        return project.get(name, "")
    return scores.get(name)


_KINDS = {"number": "数值", "qualitative": "定性", "period": "时间", "frequency": "频次", "empty": "空",
          "unparsed": "无法识别"}
_DIRECTIONS = {"positive": "正向", "negative": "反向", "equal": "等于"}
_AS_PRINTED = ("target_number", "actual_number")  # the form's own numbers: shown with their decimals


def _indicators_sheet(wb, result) -> None:
    from .schema import sheet_view

    ws = wb.create_sheet(INDICATORS_SHEET)
    view = sheet_view("indicator_scores")
    _header(ws, [(c.label, c.width) for _, c in view])
    scores = {s["form_id"]: s for s in _records(result.form_scores)}
    for r, i in enumerate(_records(result.indicator_scores), start=2):
        s = scores.get(i["form_id"], {})
        for ci, (t, col) in enumerate(view, start=1):
            cell = ws.cell(row=r, column=ci)
            put_cell(cell, s.get(col.name, "") if t == "form_scores" else _indicator_value(col.name, i))
            if isinstance(cell.value, float) and col.name not in _AS_PRINTED:
                cell.number_format = "0.00"
    ws.column_dimensions[_letter(len(view))].hidden = True
    ws.auto_filter.ref = f"A1:{_letter(len(view))}{max(ws.max_row, 1)}"


def _indicator_value(name: str, row: dict) -> object:
    """A 指标 cell of an indicator_scores row, its codes in Chinese."""
    v = row.get(name)
    if name in ("target_kind", "actual_kind"):
        return _KINDS.get(v, v)
    if name == "direction":
        return _DIRECTIONS.get(v, v)
    if name == "met":
        met = cell_value(v)
        return "" if met is None else ("是" if met else "否")
    return v


def _summary_sheet(wb, result, book, findings) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(SUMMARY_SHEET)
    bold = Font(bold=True)
    recs = _records(findings)
    sev_total = {s: sum(1 for f in recs if f["severity"] == s) for s in SEVERITY_LABELS}
    n_forms = len(book.projects)
    r = 1
    put_cell(ws.cell(row=r, column=1), f"审核 {n_forms} 份自评表，发现问题 {len(recs)} 条（错误 {sev_total['error']}，"
                                   f"警告 {sev_total['warning']}，提示 {sev_total['info']}）")
    ws.cell(row=r, column=1).font = Font(bold=True, size=12)

    def block(title, headers, rows):
        nonlocal r
        r += 2
        put_cell(ws.cell(row=r, column=1), title)
        ws.cell(row=r, column=1).font = bold
        r += 1
        _header_row(ws, r, headers)
        for values in rows:
            r += 1
            for ci, v in enumerate(values, start=1):
                put_cell(ws.cell(row=r, column=ci), v)

    # by department: forms, findings by severity, forms with an error
    forms_by_dept: dict[str, int] = defaultdict(int)
    for d in book.projects["department"].tolist():
        forms_by_dept[d] += 1
    by_dept: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    err_forms: dict[str, set] = defaultdict(set)
    for f in recs:
        by_dept[f["department"]][f["severity"]] += 1
        if f["severity"] == "error":
            err_forms[f["department"]].add(f["form_id"])
    rows = []
    for d in sorted(set(forms_by_dept) | set(by_dept)):
        c = by_dept.get(d, {})
        rows.append([d or "（未填）", forms_by_dept.get(d, 0), len(err_forms.get(d, ())), c.get("error", 0),
                     c.get("warning", 0), c.get("info", 0), sum(c.values())])
    block("按部门", ["部门", "自评表数", "有错误的表", "错误", "警告", "提示", "合计"], rows)

    # by rule
    titles = rule_titles()
    by_rule: dict[tuple, list] = {}
    for f in recs:
        key = (f["rule"], f["severity"], f["category"])
        by_rule.setdefault(key, []).append(f["form_id"])
    rows = [[rule, SEVERITY_LABELS.get(sev, sev), cat, titles.get(rule, ""), len(ids), len(set(ids))]
            for (rule, sev, cat), ids in sorted(by_rule.items(),
                                                key=lambda kv: (SEVERITY_RANK.get(kv[0][1], 9), -len(kv[1]), kv[0][0]))]
    block("按规则", ["规则", "严重程度", "类别", "规则说明", "条数", "涉及表数"], rows)

    # by severity
    rows = [[SEVERITY_LABELS[s], sev_total[s], len({f["form_id"] for f in recs if f["severity"] == s})]
            for s in SEVERITY_LABELS]
    block("按严重程度", ["严重程度", "条数", "涉及表数"], rows)
    for letter, width in zip("ABCDEFG", (24, 10, 10, 40, 8, 8, 8)):
        ws.column_dimensions[letter].width = width


def _fixed_sheet(wb, current: set[str], forms: set[str], prev: ReviewEntries, written: FindingsWorkbook) -> None:
    """Findings of the previous run that are gone: 已整改 when their form is still in the data.

    Each keeps the reviewer's entries: 原复核状态/原复核意见 and the added columns after ours."""
    from openpyxl.styles import Alignment, PatternFill

    ws = wb.create_sheet(FIXED_SHEET)
    added = [h + _CLASH_SUFFIX if h in _FIXED_OWN else h for h in prev.added]
    columns = _finding_columns() + (("状态", 12), ("原复核状态", 11), ("原复核意见", 40), (ID_HEADER, 14),
                                 (FORM_HEADER, 14)) + tuple((h, _ADDED_WIDTH) for h in added)
    _header(ws, columns)
    detail = _detail_headers()
    done = PatternFill("solid", fgColor="E2EFDA")
    wrap = Alignment(wrap_text=True, vertical="top")
    rows = []

    def status_of(row, default):
        form = str(row.get(FORM_HEADER) or "")
        if form and form not in forms:  # the form was not loaded this time: nothing says it was fixed
            return GONE_STATUS
        return default if default != GONE_STATUS else FIXED_STATUS

    for fid, row in prev.active.items():
        if fid not in current:
            written.moved += 1
            rows.append((fid, row, status_of(row, FIXED_STATUS), row.get(STATUS_HEADER), row.get(COMMENT_HEADER)))
    for fid, row in prev.fixed.items():
        if fid not in current and fid not in prev.active:
            rows.append((fid, row, status_of(row, row.get("状态") or FIXED_STATUS), row.get("原复核状态"),
                         row.get("原复核意见")))
    for r, (fid, row, status, old_status, old_comment) in enumerate(rows, start=2):
        values = [row.get(h) for h in detail] + [status, old_status, old_comment, fid, row.get(FORM_HEADER)]
        values += [row.get(h) for h in prev.added]
        for ci, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=ci)
            put_cell(cell, v)
            cell.alignment = wrap
        ws.cell(row=r, column=len(detail) + 1).fill = done
    written.fixed_total = len(rows)
    own = len(columns) - len(added)
    for i in (own - 1, own):
        ws.column_dimensions[_letter(i)].hidden = True
    ws.auto_filter.ref = f"A1:{_letter(len(columns))}{max(len(rows) + 1, 1)}"


# ---------------------------------------------------------------------------------------------
# Hyperlinks: to the annotated copies (inside the output folder) and to the source cells


class _LinkMaker:
    """Hyperlinks from a workbook in ``out_dir`` to cells of other workbooks.

    Written the way Excel writes a link to a place in another file: an external relationship whose
    target is the file's path relative to the linking workbook (``annotated/表.xlsx`` for a copy in
    the output folder, ``../data/表.xlsx`` for a source; spaces and ``#``/``%`` percent-encoded,
    other characters kept), and the place in the ``location`` attribute (``'Sheet2'!L6``). A source
    on another drive gets an absolute ``file:///`` URI.
    """

    def __init__(self, out_dir: Path):
        self.base = _absolute(Path(out_dir))
        self._targets: dict[str, str] = {}

    def target(self, source_file: str) -> str:
        t = self._targets.get(source_file)
        if t is None:
            src = _absolute(Path(source_file))
            try:
                t = _escape_url(Path(os.path.relpath(src, self.base)).as_posix())
            except ValueError:  # another drive on Windows: no relative path exists
                t = src.as_uri()
            self._targets[source_file] = t
        return t

    def attach(self, cell, source_file: str, sheet: str, ref: str) -> None:
        """Link ``cell`` to ``sheet!ref`` of the source workbook (an outside link: it works where
        the data folder is reachable from the output folder by the same relative path)."""
        if source_file:
            self._link(cell, self.target(source_file), sheet, ref, f"打开原文件 {Path(source_file).name}")

    def attach_copy(self, cell, copy: PurePosixPath, sheet: str, ref: str) -> None:
        """Link ``cell`` to ``sheet!ref`` of the annotated copy at ``copy`` (relative to ``out_dir``):
        the link stays inside the output folder, so it works wherever the folder is sent."""
        self._link(cell, _escape_url(copy.as_posix()), sheet, ref, f"打开批注副本 {copy.as_posix()}")

    @staticmethod
    def _link(cell, target: str, sheet: str, ref: str, what: str) -> None:
        from openpyxl.styles import Alignment
        from openpyxl.worksheet.hyperlink import Hyperlink

        ref = (ref or "A1").split(":")[0]
        location = f"{quote_sheet(sheet)}!{ref}" if sheet else ref
        if target.lower().endswith(".pdf"):  # a PDF opens at the page (viewers take #page=N)
            from .read_pdf import first_page

            page = first_page(sheet)
            target, location = (f"{target}#page={page}" if page else target), None
        cell.hyperlink = Hyperlink(ref=cell.coordinate, target=target, location=location,
                                   tooltip=f"{what} 的 {sheet}!{ref}"[:255])
        wrap = bool(cell.alignment is not None and cell.alignment.wrap_text)
        cell.style = "Hyperlink"
        cell.alignment = Alignment(vertical="top", wrap_text=wrap or None)


class _Links:
    """The links of a findings.xlsx row: its cell in the annotated copy (inside the output folder,
    so it travels with the folder) and the same cell in the source workbook (outside it, kept for
    where the data is at hand). A file without a copy (no finding in it) gets the source link only."""

    def __init__(self, out_dir: Path, copies: dict[str, PurePosixPath], anchors: dict[str, tuple[str, str]]):
        self.maker = _LinkMaker(out_dir)
        self.copies = copies
        self.anchors = anchors

    def place(self, cell, source_cell, source_file: str, form_id: str, sheet: str, ref: str) -> None:
        """Link ``cell`` to the copy (or, without one, to the source) and ``source_cell`` to the
        source; a finding without a cell of its own points where its copy shows it, the form's
        top-left cell."""
        if not source_file:
            return
        if not ref:
            sheet, ref = self.anchors.get(form_id, (sheet, ""))
        copy = self.copies.get(source_file)
        if copy is not None:
            self.maker.attach_copy(cell, copy, sheet, ref)
        else:
            self.maker.attach(cell, source_file, sheet, ref)
        if source_cell is not None:
            self.maker.attach(source_cell, source_file, sheet, ref)


def quote_sheet(name: str) -> str:
    """A sheet name as a reference prefix: always quoted, ``'`` doubled (``'Sheet2'``, ``'O''Neil'``)."""
    return "'" + str(name).replace("'", "''") + "'"


_URL_ESCAPES = {"%": "%25", " ": "%20", "#": "%23", '"': "%22", "<": "%3C", ">": "%3E", "[": "%5B", "]": "%5D",
                "^": "%5E", "`": "%60", "{": "%7B", "}": "%7D", "|": "%7C"}


def _escape_url(path: str) -> str:
    return "".join(_URL_ESCAPES.get(ch, ch) for ch in path)


def _absolute(p: Path) -> Path:
    return Path(os.path.abspath(p))


# =============================================================================================
# Annotated copies


class AnnotatedCopies(list):
    """The copies ``write_annotated_copies`` wrote (a list of paths), and ``failed``: one line per
    source file whose copy could not be written (its relative path and why)."""

    def __init__(self, written=(), failed=()):
        super().__init__(written)
        self.failed: list[str] = list(failed)


@dataclass(frozen=True)
class _Copy:
    """Where the annotated copy of one source file goes (see ``_copy_plan``)."""

    name: str  # the source's path in the data, "/"-joined: how the README and messages name it
    rel: PurePosixPath  # the copy's path under ``annotated/``
    shortened: bool  # a part of the path was too long and was cut
    clash: bool  # the copy would be the source itself (output folder inside the data): not written

    @property
    def path(self) -> PurePosixPath:
        return PurePosixPath(ANNOTATED_DIR) / self.rel


def annotated_paths(result, book, *, out_dir=None, root=None) -> dict[str, PurePosixPath]:
    """source file → its annotated copy's path relative to the output folder
    (``annotated/部门甲/扶贫.xlsx``), for every source file that gets a copy.

    Pass the ``result`` and ``book`` the copies are written for (``write_annotated_copies``' own,
    a ``--department`` selection included) and its ``root``. The paths are those
    ``write_annotated_copies`` writes: names cut by ``names.bounded_file_name``, a ``.xls`` or
    other legacy file as ``.xlsx``, a ``.xls`` beside a ``.xlsx`` of the same name as
    ``<name>.xls.xlsx``. They depend on the data only, not on whether the copies exist yet
    (findings.xlsx, written first, links to them). With ``out_dir``, a copy that would replace its
    source (an output folder inside the data folder) is left out, as it is not written."""
    plan = _copy_plan(result, book, out_dir=out_dir, root=root)
    return {source: c.path for source, c in plan.items() if not c.clash}


def annotated_path(result, book, source_file, *, out_dir=None, root=None) -> PurePosixPath | None:
    """The annotated copy of ``source_file`` (a ``source_file`` of ``book.projects``), relative to
    the output folder, or None when it gets no copy (no finding in it); see ``annotated_paths``,
    which gives every file's at once."""
    return annotated_paths(result, book, out_dir=out_dir, root=root).get(str(source_file))


# a copy of one of these is of the same kind; a .xls becomes .xlsx, a .doc .docx
_KEEPS_SUFFIX = (".xlsx", ".xlsm", ".pdf", ".docx")


def _copy_plan(result, book, *, out_dir=None, root=None) -> dict[str, _Copy]:
    """source file → ``_Copy``, for each source file with a finding, in the order of the findings.

    The one place copy names are made. A name is a function of the data alone: files that keep
    their suffix (``.xlsx``, ``.xlsm``) claim their names before converted ones, so a ``.xls``
    beside a ``.xlsx`` of the same name always gets ``<name>.xls.xlsx``, whatever the order of
    the findings (a department's selection names its copies as the full run does)."""
    rel_of_source: dict[str, str] = {}
    for sf, rf in zip(book.projects["source_file"].tolist(), _column(book.projects, "relative_file")):
        rel_of_source.setdefault(sf, rf or "")
    order = list(dict.fromkeys(s for s in result.findings["source_file"].tolist() if s))
    sources = {_absolute(Path(s)) for s in rel_of_source} | {_absolute(Path(s)) for s in order}
    native = [s for s in order if Path(s).suffix.lower() in _KEEPS_SUFFIX]
    plan: dict[str, _Copy] = {}
    taken: set[str] = set()
    for source_file in native + [s for s in order if s not in set(native)]:
        src = Path(source_file)
        parts = _source_parts(src, rel_of_source.get(source_file, ""), root)
        rel = PurePosixPath(*(bounded_file_name(part) for part in parts))  # the copy and its temp name must fit
        shortened = tuple(rel.parts) != parts
        if src.suffix.lower() not in _KEEPS_SUFFIX:
            rel = rel.with_suffix(".docx" if src.suffix.lower() == ".doc" else ".xlsx")
        if rel.as_posix().lower() in taken:  # a.xls beside a.xlsx (or two names equal but for case)
            rel = rel.with_name(bounded_file_name(src.name + ".xlsx"))
            if rel.as_posix().lower() in taken:
                rel = rel.with_name(bounded_file_name(f"{src.stem}-{short_hash(source_file)}.xlsx"))
        taken.add(rel.as_posix().lower())
        clash = out_dir is not None and _absolute(Path(out_dir) / ANNOTATED_DIR / rel) in sources
        plan[source_file] = _Copy("/".join(parts), rel, shortened, clash)
    return {s: plan[s] for s in order}


def _column(frame, name: str) -> list:
    return frame[name].tolist() if name in frame.columns else [""] * len(frame)


def write_annotated_copies(result, book, out_dir, *, root=None, only_book: bool = False) -> AnnotatedCopies:
    """Copy each source workbook that has findings to ``out_dir/annotated/<relative path>``, annotated.

    The relative path is the one the file had under the loaded folder (``projects.relative_file``),
    or its path relative to ``root`` when given; ``annotated_paths`` gives it without writing.
    Each flagged cell is filled with the colour of its
    most severe finding and carries one comment listing every finding on it (rule id, severity,
    message, expected/actual). ``.xlsx``/``.xlsm`` copies are the original workbook loaded with
    openpyxl and saved under the new path (macros kept for ``.xlsm``); a legacy ``.xls`` is rebuilt
    as ``.xlsx`` (a file openpyxl cannot open, under its own name) from its values and merged
    ranges, which its comments and ``annotated/README.txt`` say. Originals are only read. A sheet
    with print settings of its own keeps them; any other prints landscape on A4, one page wide.
    Copies this function wrote
    on an earlier run for files that no longer have findings are removed. A path part too long for
    the file system (with room for the temporary name beside it) is cut and given a hash
    (``names.bounded_file_name``), which the README lists. Returns the copies written, with
    ``failed`` naming each copy that could not be written and why (the caller decides the exit code).

    ``only_book``: ``book`` is a selection (one department's forms, ``report --department``) and
    each copy holds that selection only: sheets without one of its forms are removed, and on the
    sheets kept every cell that is not a cell of one of its forms (``book.cells``, ``book.unmapped``)
    is emptied, with its comment and link, as are the document properties; the README counts both.
    """
    dest_root = Path(out_dir) / ANNOTATED_DIR
    anchor_of = _anchors(book)
    by_source: dict[str, list[dict]] = defaultdict(list)
    for f in _records(result.findings):
        if f["source_file"]:
            by_source[f["source_file"]].append(f)

    plan = _copy_plan(result, book, out_dir=out_dir, root=root)
    keep_of = _cells_of_forms(book) if only_book else {}
    written: list[Path] = []
    notes: list[str] = []
    failed: list[str] = []
    for source_file, rows in by_source.items():
        copy = plan[source_file]
        if copy.clash:
            failed.append(f"{copy.name}：副本路径与源文件相同（请把输出文件夹放在数据文件夹之外）")
            continue
        dest = dest_root / copy.rel
        try:
            mode, dropped = _annotate_one(Path(source_file), dest, rows, anchor_of,
                                          keep_of.get(source_file, {}) if only_book else None)
        except Exception as exc:  # noqa: BLE001 - one unreadable file must not lose the other copies
            failed.append(f"{copy.name}：{type(exc).__name__}: {exc}")
            continue
        written.append(dest)
        shown = copy.rel.as_posix()
        if dropped:
            notes.append(f"{shown}：只保留所选主管部门的表，删去其他工作表 {dropped[0]} 张、清空其他单元格 {dropped[1]} 个")
        if copy.shortened:
            notes.append(f"{shown}：源文件名过长，副本名已截短（原名 {copy.name}）")
        if mode == "xls":
            notes.append(f"{shown}：原文件为 .xls，已转换为 .xlsx（只保留数值和合并单元格）")
        elif mode == "rebuilt":
            notes.append(f"{shown}：openpyxl 无法打开原文件，副本由数值重建")
        elif mode == "doc":
            notes.append(f"{shown}：原文件为 .doc，已由 LibreOffice 转换为 .docx 后批注")
        if only_book and mode in ("pdf", "docx", "doc"):
            notes.append(f"{shown}：PDF 与 Word 副本保留原文件的全部内容（无法只保留所选主管部门的表）")
    _remove_stale(dest_root, written)
    notes = [f"未写出 {line}" for line in failed] + notes
    if written or notes or dest_root.exists():
        _write_readme(dest_root, written, notes)
    return AnnotatedCopies(written, failed)


def _anchors(book) -> dict[str, tuple[str, str]]:
    """form id → (sheet, top-left cell): where a finding without a cell of its own is shown."""
    p = book.projects
    return {fid: (sheet, anchor or "") for fid, sheet, anchor in
            zip(p["form_id"].tolist(), p["sheet"].tolist(), _column(p, "anchor"))}


def _source_parts(src: Path, relative_file: str, root) -> tuple[str, ...]:
    """The path of ``src`` in the data folder (or under ``root``), as parts that cannot leave it."""
    rel = None
    if root is not None:
        try:
            rel = _absolute(src).relative_to(_absolute(Path(root)))
        except ValueError:
            rel = None
    if rel is None:
        rel = Path(relative_file) if relative_file else Path(src.name)
    parts = [p for p in rel.parts if p not in ("", ".", "..") and not p.endswith(":") and p not in ("/", "\\")]
    if not parts or rel.is_absolute() or ".." in rel.parts:
        parts = [src.name]
    return tuple(parts)


def _cells_of_forms(book) -> dict[str, dict[str, tuple[set[str], list[tuple[int, int, int, int]]]]]:
    """source file → sheet → (cell references, ranges) that belong to one of the book's forms:
    each form's ``form_range`` (labels included) and every cell recorded for it."""
    from openpyxl.utils.cell import range_boundaries

    out: dict = defaultdict(lambda: defaultdict(lambda: (set(), [])))
    for table in (book.cells, book.unmapped):
        for src, sheet, cell in zip(table["source_file"].tolist(), table["sheet"].tolist(), table["cell"].tolist()):
            if cell:
                out[src][sheet][0].add(str(cell).split(":")[0])
    for p in _records(book.projects):
        refs, ranges = out[p["source_file"]][p["sheet"]]  # a form always keeps its sheet
        try:
            ranges.append(range_boundaries(p.get("form_range") or ""))
        except (ValueError, TypeError):
            pass
    return out


def _keep_only(wb, keep: dict) -> tuple[int, int]:
    """Remove the sheets not in ``keep`` (see ``_cells_of_forms``) and empty every other cell of
    the ones kept. Returns (sheets removed, cells emptied)."""
    sheets = list(wb.worksheets) + list(getattr(wb, "chartsheets", []))
    gone = [ws for ws in sheets if ws.title not in keep]
    if len(gone) == len(sheets):
        gone = gone[1:]  # a workbook needs one sheet; that one is emptied below
    for ws in gone:
        wb.remove(ws)
    titles = {ws.title for ws in gone}
    if titles:  # a workbook-level name pointing into a removed sheet would make Excel repair the file
        for name in list(wb.defined_names):
            text = wb.defined_names[name].attr_text or ""
            if any(t in text for t in titles):
                del wb.defined_names[name]
    cleared = 0
    for ws in wb.worksheets:
        refs, ranges = keep.get(ws.title, (set(), []))
        for row in ws.iter_rows():
            for cell in row:
                if type(cell).__name__ == "MergedCell":  # its value is the range's first cell's
                    continue
                if cell.value is None and cell.comment is None:
                    continue
                r, c = cell.row, cell.column
                if cell.coordinate in refs or any(c0 <= c <= c1 and r0 <= r <= r1 for c0, r0, c1, r1 in ranges):
                    continue
                cell.value = None
                cell.comment = None
                cell.hyperlink = None
                cleared += 1
        for hf in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter, ws.firstHeader, ws.firstFooter):
            for part in (hf.left, hf.center, hf.right):
                part.text = None
    props = wb.properties
    for attr in ("title", "subject", "creator", "description", "keywords", "category", "lastModifiedBy",
                 "identifier", "contentStatus", "version"):
        setattr(props, attr, None)
    return len(gone), cleared


def _annotate_one(src: Path, dest: Path, rows: list[dict], anchor_of, keep=None) -> tuple[str, tuple]:
    """Write the annotated copy of ``src`` at ``dest`` (from ``_copy_plan``); returns its kind
    (``xlsx``, ``xls``, ``rebuilt``) and, with ``keep`` (see ``_keep_only``), the sheets removed and
    cells emptied."""
    import openpyxl

    suffix = src.suffix.lower()
    if suffix == ".pdf":
        from .annotate_pdf import annotate_pdf

        annotate_pdf(src, dest, _document_marks(src, rows, anchor_of))
        return "pdf", ()
    if suffix in (".docx", ".doc"):
        from .annotate_docx import annotate_docx

        marks = _document_marks(src, rows, anchor_of)
        if suffix == ".doc":  # the copy is the .docx LibreOffice makes of it (findings.xlsx links to that name)
            import tempfile

            from .read_docx import doc_to_docx

            with tempfile.TemporaryDirectory() as tmp:
                converted = Path(tmp) / (src.stem + ".docx")
                converted.write_bytes(doc_to_docx(src.read_bytes()))
                annotate_docx(converted, dest, marks)
            return "doc", ()
        annotate_docx(src, dest, marks)
        return "docx", ()
    mode = "xlsx"
    wb = None
    if suffix in (".xlsx", ".xlsm"):
        try:
            wb = openpyxl.load_workbook(src, keep_vba=suffix == ".xlsm", keep_links=True, rich_text=True)
        except Exception:  # noqa: BLE001 - whatever openpyxl cannot open is rebuilt from calamine's values
            wb, mode = None, "rebuilt"
    else:
        mode = "xls"
    if wb is None:
        wb = _rebuild_from_values(src)
        if dest.suffix.lower() == ".xlsm":  # findings.xlsx already links to this name
            _macro_enabled(wb)
    own_setup = {ws.title for ws in wb.worksheets if _has_print_setup(ws)}
    dropped = _keep_only(wb, keep) if keep is not None else ()
    for ws in wb.worksheets:
        if ws.title not in own_setup:
            _print_setup(ws, title_rows=None, margins=False, gridlines=False)
    note = {"xls": _XLS_NOTE, "rebuilt": _REBUILT_NOTE}.get(mode, "")
    _annotate(wb, rows, anchor_of, note)
    guard_text_cells(wb)
    save_workbook(wb, dest)
    return mode, dropped if dropped and any(dropped) else ()


def _macro_enabled(wb) -> None:
    """Let ``wb`` (without a VBA project) be saved as ``.xlsm``: Excel refuses a file whose content
    type does not match its extension, and a macro-enabled workbook needs no macros."""
    from openpyxl.xml.constants import XLSM

    class MacroEnabledWorkbook(type(wb)):
        @property
        def mime_type(self):
            return XLSM

    wb.__class__ = MacroEnabledWorkbook


def _by_cell(rows: list[dict], anchor_of) -> dict[tuple[str, str], list[dict]]:
    """Findings grouped by the (sheet, cell) they point at; one without a cell goes to its form's anchor."""
    by_cell: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for f in rows:
        sheet, ref = f["sheet"], (f["cell"] or "").split(":")[0]
        if not ref:
            sheet, ref = anchor_of.get(f["form_id"], (sheet, ""))
        if ref:
            by_cell[(sheet, ref)].append(f)
    return by_cell


def finding_note(fs: list[dict], note: str = "") -> tuple[str, str]:
    """The most severe finding's fill colour and the note listing every finding on one cell."""
    fs = sorted(fs, key=lambda f: SEVERITY_RANK.get(f["severity"], 9))
    lines = [f"evaltools 审核：{len(fs)} 条问题" if len(fs) > 1 else "evaltools 审核："]
    for n, f in enumerate(fs, start=1):
        head = f"{n}. " if len(fs) > 1 else ""
        lines.append(f"{head}【{SEVERITY_LABELS.get(f['severity'], f['severity'])}】{f['rule']}：{f['message']}")
        extra = "；".join(x for x in (f"应为：{f['expected']}" if f["expected"] else "",
                                      f"实际：{f['actual']}" if f["actual"] else "") if x)
        if extra:
            lines.append(f"   {extra}")
    if note:
        lines.append(note)
    return SEVERITY_FILLS.get(fs[0]["severity"], ""), "\n".join(lines)


def _annotate(wb, rows: list[dict], anchor_of, note: str) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    merged_cache: dict[str, list] = {}
    placed: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for (sheet, ref), fs in _by_cell(rows, anchor_of).items():
        if sheet not in wb.sheetnames:
            continue
        ws = wb[sheet]
        try:
            ref = _merge_anchor(ws, ref, merged_cache)
        except ValueError:
            continue
        placed[(sheet, ref)].extend(fs)
    for (sheet, ref), fs in placed.items():
        ws = wb[sheet]
        cell = ws[ref]
        colour, text = finding_note(fs, note)
        if colour:
            cell.fill = PatternFill("solid", fgColor=colour)
        old = cell.comment
        if old is not None and old.text and not old.text.startswith("evaltools 审核"):
            text = old.text.rstrip() + "\n\n" + text
        text = safe_text(text)
        comment = Comment(text, "evaltools")
        comment.width = 360
        comment.height = min(600, 30 + 18 * sum(1 + len(line) // 24 for line in text.splitlines()))
        cell.comment = comment


def _document_marks(src: Path, rows: list[dict], anchor_of) -> list[dict]:
    """Marks for the annotated copy of a PDF or Word form: the file is read again for the place of
    every cell (empty ones too), and a finding inside a merged cell goes to the cell's top-left."""
    from .load import read_source
    from .read import parse_cell_name

    grids = {g.name: g for g in read_source(src, src.read_bytes()).sheets}
    marks: dict[tuple[str, tuple[int, int]], list[dict]] = defaultdict(list)
    for (sheet, ref), fs in _by_cell(rows, anchor_of).items():
        grid = grids.get(sheet)
        if grid is None or not grid.places:
            continue
        try:
            r, c = parse_cell_name(ref)
        except ValueError:
            continue
        for r0, c0, r1, c1 in grid.merges:
            if r0 <= r <= r1 and c0 <= c <= c1:
                r, c = r0, c0
                break
        if (r, c) in grid.places:
            marks[(sheet, (r, c))].extend(fs)
    out = []
    for (sheet, rc), fs in marks.items():
        place = grids[sheet].places[rc]
        fill, note = finding_note(fs)
        out.append({"page": place.page, "bbox": place.bbox, "ref": place.ref, "fill": fill, "note": note})
    return out


def _merge_anchor(ws, ref: str, cache: dict) -> str:
    """The top-left cell of the merged range holding ``ref`` (``ref`` itself when not merged)."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    letters, row = coordinate_from_string(ref)
    col = column_index_from_string(letters)
    ranges = cache.get(ws.title)
    if ranges is None:
        ranges = cache[ws.title] = [(m.min_row, m.min_col, m.max_row, m.max_col, m.coord.split(":")[0])
                                    for m in ws.merged_cells.ranges]
    for r0, c0, r1, c1, first in ranges:
        if r0 <= row <= r1 and c0 <= col <= c1:
            return first
    return f"{letters}{row}"


def _rebuild_from_values(src: Path):
    """An openpyxl workbook with the values, merged ranges and sheet visibility of ``src`` (any format)."""
    import io

    import openpyxl
    import python_calamine as pc
    from openpyxl.styles import Alignment

    book = pc.CalamineWorkbook.from_filelike(io.BytesIO(src.read_bytes()))
    states = {}
    for m in book.sheets_metadata:
        v = str(m.visible)
        states[m.name] = "veryHidden" if v.endswith("VeryHidden") else "hidden" if v.endswith("Hidden") else "visible"
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wrap = Alignment(wrap_text=True, vertical="center")
    with book:
        for name in book.sheet_names:
            sh = book.get_sheet_by_name(name)
            rows = sh.to_python(skip_empty_area=False)
            ws = wb.create_sheet(title=name)
            widths: dict[int, float] = defaultdict(float)
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sh.merged_cell_ranges or [])]
            in_merge = {(r, c) for r0, c0, r1, c1 in merged if (r0, c0) != (r1, c1) for r in range(r0, r1 + 1)
                        for c in range(c0, c1 + 1)}
            for r, row in enumerate(rows):
                for c, v in enumerate(row):
                    if v is None or v == "":
                        continue
                    cell = ws.cell(row=r + 1, column=c + 1)
                    put_cell(cell, v)
                    if isinstance(cell.value, str):
                        cell.alignment = wrap
                    if (r, c) not in in_merge:
                        widths[c] = max(widths[c], _display_width(str(v)))
            for r0, c0, r1, c1 in merged:
                if (r0, c0) != (r1, c1):
                    ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
            for c, w in widths.items():
                ws.column_dimensions[_letter(c + 1)].width = max(8.0, min(40.0, w + 2))
            ws.sheet_state = states.get(name, "visible")
    if wb.worksheets and all(ws.sheet_state != "visible" for ws in wb.worksheets):
        wb.worksheets[0].sheet_state = "visible"
    for i, ws in enumerate(wb.worksheets):
        if ws.sheet_state == "visible":
            wb.active = i
            break
    return wb


def _display_width(text: str) -> float:
    return max((_text_width(line) for line in text.splitlines()), default=0.0)


def _remove_stale(dest_root: Path, written: list[Path]) -> None:
    """Delete copies an earlier run wrote (listed in the manifest) that this run did not write."""
    manifest = dest_root / _MANIFEST
    now = sorted({p.relative_to(dest_root).as_posix() for p in written})
    before: list[str] = []
    if manifest.exists():
        try:
            before = list(json.loads(manifest.read_text(encoding="utf-8")).get("files", []))
        except (OSError, ValueError, AttributeError):
            before = []
    root = _absolute(dest_root)
    for rel in set(before) - set(now):
        p = _absolute(dest_root / rel)
        if root in p.parents and p.is_file():
            try:
                p.unlink()
            except OSError:
                pass
    if now or manifest.exists():
        dest_root.mkdir(parents=True, exist_ok=True)
        manifest.write_text(json.dumps({"files": now}, ensure_ascii=False, indent=1), encoding="utf-8")


def _write_readme(dest_root: Path, written: list[Path], notes: list[str]) -> None:
    lines = [
        "evaltools 批注副本",
        "",
        "本文件夹中的工作簿是源自评表的副本（源文件未被修改），有问题的单元格已按严重程度着色，",
        "并附批注，列出规则编号和问题说明：",
        "  红色 = 错误，橙色 = 警告，蓝色 = 提示（同一单元格有多条问题时取最严重的颜色）。",
        "问题的完整清单与复核栏见上一级文件夹的 findings.xlsx。",
        "",
        f"本次写出 {len(written)} 份副本：",
    ]
    lines += [f"  {p.relative_to(dest_root).as_posix()}" for p in written]
    if notes:
        lines += ["", "说明："] + [f"  {n}" for n in notes]
    dest_root.mkdir(parents=True, exist_ok=True)
    (dest_root / "README.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


# =============================================================================================
# Shared helpers


def _header(ws, columns) -> None:
    _header_row(ws, 1, [h for h, _ in columns])
    for i, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[_letter(i)].width = width
    ws.freeze_panes = "A2"


def _header_row(ws, row: int, headers) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    fill = PatternFill("solid", fgColor="D9D9D9")
    for i, h in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=i)
        put_cell(cell, h)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


# Printing. findings.xlsx is printed for meetings and files; openpyxl leaves a sheet without
# page setup (portrait strips of two columns each) and rows one line high, so each sheet gets both.
_PRINT_MARGINS = dict(left=0.4, right=0.4, top=0.6, bottom=0.7, header=0.3, footer=0.3)  # inches
_FOOTER = ("&A", "第 &P / &N 页")  # left: sheet name; right: page of pages
_LINE_PT = 16.0  # one line of 11-pt text; the CJK fonts (等线, Noto Sans CJK) need more than Calibri's 15
_ROW_PAD_PT = 3.0
_MAX_ROW_PT = 409.0  # Excel's limit
_DEFAULT_WIDTH = 8.43  # Excel's width of a column without one of its own


def _print_setup(ws, *, title_rows: str | None = "1:1", margins: bool = True, gridlines: bool = True) -> None:
    """Landscape A4, one page wide and as many pages down as it takes, page numbers and the sheet
    name in the footer (unless the sheet has a footer), ``title_rows`` repeated on every page."""
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.properties import PageSetupProperties

    ps = ws.page_setup
    ps.orientation = "landscape"
    ps.paperSize = ws.PAPERSIZE_A4
    ps.fitToWidth = 1
    ps.fitToHeight = 0  # 0: as many pages as the rows need
    props = ws.sheet_properties
    if props.pageSetUpPr is None:
        props.pageSetUpPr = PageSetupProperties()
    props.pageSetUpPr.fitToPage = True
    if gridlines:  # findings.xlsx has no borders; a form has its own
        ws.print_options.gridLines = True
    if margins:
        ws.page_margins = PageMargins(**_PRINT_MARGINS)
    if title_rows:
        ws.print_title_rows = title_rows
    footer = ws.oddFooter
    if not any(part.text for part in (footer.left, footer.center, footer.right)):
        footer.left.text, footer.right.text = _FOOTER


def _has_print_setup(ws) -> bool:
    """Whether a sheet of a source workbook has print settings of its own (kept in its copy).

    Margins do not count: Excel writes them into every file."""
    ps = ws.page_setup
    if any(getattr(ps, a, None) is not None for a in ("orientation", "paperSize", "scale", "fitToWidth",
                                                      "fitToHeight", "firstPageNumber", "pageOrder",
                                                      "paperHeight", "paperWidth")):
        return True
    pr = ws.sheet_properties.pageSetUpPr
    if pr is not None and pr.fitToPage:
        return True
    if ws.print_area or ws.print_title_rows or ws.print_title_cols:
        return True
    if ws.row_breaks.brk or ws.col_breaks.brk:
        return True
    po = ws.print_options
    if any((po.gridLines, po.headings, po.horizontalCentered, po.verticalCentered)):
        return True
    return any(part.text for hf in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter, ws.firstHeader,
                                    ws.firstFooter) for part in (hf.left, hf.center, hf.right))


def _fit_row_heights(ws) -> None:
    """Give each row holding a wrapped cell the height its text needs (openpyxl has no auto-fit and
    Excel only fits a row when it is edited): lines estimated from the text's width, a CJK character
    counting two units of the column width, at ``_LINE_PT`` a line."""
    widths: dict[int, float] = {}

    def width(col: int) -> float:
        w = widths.get(col)
        if w is None:
            dim = ws.column_dimensions.get(_letter(col))  # .get: indexing would add a dimension
            w = widths[col] = dim.width if dim is not None and dim.customWidth and dim.width else _DEFAULT_WIDTH
        return w

    for row in ws.iter_rows():
        lines = 0
        for cell in row:
            if cell.value is None or cell.alignment is None or not cell.alignment.wrap_text:
                continue
            lines = max(lines, _line_count(str(cell.value), width(cell.column)))
        if lines:
            ws.row_dimensions[row[0].row].height = min(_MAX_ROW_PT, lines * _LINE_PT + _ROW_PAD_PT)


def _line_count(text: str, width: float) -> int:
    """The lines ``text`` wraps to in a column ``width`` wide, erring on the side of one more: the
    cell's padding and a word carried whole to the next line take about a tenth of the width."""
    import math

    room = max(1.0, width * 0.9 - 0.5)
    return sum(max(1, math.ceil(_text_width(line) / room)) for line in text.split("\n"))


def _text_width(line: str) -> float:
    """Width of one line in units of a digit: wide and ambiguous East Asian characters count two."""
    import unicodedata

    return float(sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in line))


def _letter(i: int) -> str:
    """1-based column number (openpyxl's) → Excel letters."""
    return column_letter(i - 1)


def _relative_files(book) -> dict[str, str]:
    p = book.projects
    if "relative_file" not in p.columns:
        return {}
    return dict(zip(p["form_id"].tolist(), p["relative_file"].tolist()))
