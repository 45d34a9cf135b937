"""Per-department reports: papermill executes ``notebooks/department_report.ipynb`` once per 主管部门,
the executed notebook is kept (the audit trail, with its parameters) and exported twice: the
department's self-contained page (no code, images embedded, no network fetch) and a readable
rendering of the notebook with its code (``notebooks/NAME.html``, the 执行记录). A batch adds one
printable 项目审核单 page per department (``审核单/NAME.html``) and ``index.html``.

Everything in the output folder links to the rest of it by relative links only (``href``), so the
folder works wherever it is unzipped. The notebook stays thin: it calls ``prepare()``, ``chart()``
and the ``*_html`` functions below. Every text that comes from a form is escaped here, once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import inspect
import json
import math
import os
import re
import string
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import resources
from .errors import EvaltoolsError, ReportError  # noqa: F401 - re-exported
from .schema import SEVERITY_LABELS as SEVERITY_ZH
from .schema import SEVERITY_ORDER, finding_view

# found through importlib.resources: a checkout's notebooks/, or the copy an installed wheel carries
DEFAULT_NOTEBOOK = resources.notebook_dir() / resources.REPORT_NOTEBOOK
TEMPLATE_DIR = resources.template_dir()
TEMPLATE_NAME = resources.TEMPLATE_NAME

SHEETS_DIR = "审核单"  # the printable 项目审核单 pages, one per department (registered in outputs.py)
INDEX_FILE = "index.html"
FINDINGS_FILE = "findings.xlsx"  # excel.FINDINGS_NAME: the pages link to it before it is written
ANNOTATED_README = "annotated/README.txt"
UNIT_SCALE_RULE = "COST-UNIT-SCALE"
NARROW_WIDTH = 4.0  # inches: the phone figure, shown near its natural size on a 360–430 px screen


def esc(value) -> str:
    """Escape form text for HTML (text from the forms is untrusted)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return "—"
        return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 1e15 else str(value)
    return html.escape(str(value), quote=True)


def slug(name: str) -> str:
    """A file name for a department: readable Chinese kept, anything a file system (Windows
    included) refuses replaced, a short hash added whenever the text changed (see ``names.file_stem``),
    so 教育局/体育局 and 教育局:体育局 never share a file and no department is called ``index``."""
    from .names import file_stem

    return file_stem(name)


# Kept in a link: RFC 3986 unreserved and sub-delimiters, "@", "/" and the square brackets, which
# browsers (the WHATWG URL standard) leave in a path as they are. Encoded: ":" (a first segment with
# a colon would read as a scheme), "#", "?", "%", space, quotes, <>, `, {}, |, ^, "\" and controls.
_HREF_SAFE = frozenset(string.ascii_letters + string.digits + "-._~!$&'()*+,;=@/[]")


def href(rel: str) -> str:
    """A relative link (``a/b c#1.xlsx``) as an IRI for ``href``/``src`` (still to be passed through
    ``esc``): URL-significant ASCII, separators, control and invisible characters percent-encoded as
    UTF-8; readable non-ASCII text (Chinese) kept, which browsers resolve as its UTF-8 encoding."""
    out = []
    for ch in str(rel):
        if ch in _HREF_SAFE or (ord(ch) > 127 and unicodedata.category(ch)[0] not in "ZC"):
            out.append(ch)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")))
    return "".join(out)


def link(rel: str, text: str, *, cls: str = "", title: str = "") -> str:
    """``<a>`` to a file of the output folder; ``text`` and ``title`` are escaped here."""
    attrs = f' class="{esc(cls)}"' if cls else ""
    attrs += f' title="{esc(title)}"' if title else ""
    return f'<a href="{esc(href(rel))}"{attrs}>{esc(text)}</a>'


def css_string(text, limit: int = 80) -> str:
    """``text`` as a quoted CSS string (``@page`` margin boxes): every character but letters and
    digits is a hex escape, so no quote, backslash, newline or ``</style>`` in a form's text ends it."""
    text = " ".join(str(text).split())
    text = text if len(text) <= limit else text[:limit - 1] + "…"
    return '"' + "".join(ch if ch.isalnum() and ch.isprintable() else f"\\{ord(ch):x} " for ch in text) + '"'


# ---------------------------------------------------------------------------------------------
# What the notebook computes (one department)


@dataclass
class DepartmentContext:
    data: str
    department: str
    profile_name: str
    book: object
    result: object
    summary: dict = field(default_factory=dict)
    profile_title: str = ""  # the profiles' Chinese names (国家通用口径 …)
    annotated: dict = field(default_factory=dict)  # source file (resolved) → link to its annotated copy


def validate_parameters(data, department, profile) -> None:
    paths = list(data) if isinstance(data, (list, tuple)) else [data]
    missing = [p for p in paths if not p or not Path(str(p)).exists()]
    if not paths or missing:
        raise ReportError(f"参数 data 指向的路径不存在：{missing[0] if missing else data!r}")
    if department is not None and not isinstance(department, str):
        raise ReportError(f"参数 department 应为主管部门名称（字符串），收到 {type(department).__name__}")
    if profile is not None and not isinstance(profile, (str, dict)):
        raise ReportError("参数 profile 应为 'national'、配置文件路径或字典")


def prepare(data, department: str | None = None, profile="auto", book=None, cache=None,
            vocabulary=None, annotated=None) -> DepartmentContext:
    """Load ``data`` (a folder or a list of files; unless a Book is given), keep one department,
    audit it, summarise it. ``annotated`` maps a source file to the link of its annotated copy
    (the batch knows where ``excel.write_annotated_copies`` puts it; the notebook alone does not)."""
    from .audit import audit
    from .load import load

    validate_parameters(data, department, profile)
    if isinstance(profile, str) and profile.lstrip().startswith("{"):
        profile = json.loads(profile)  # a dict profile crosses papermill as JSON text
    book = book if book is not None else load(data, cache=cache or None, vocabulary=vocabulary or None)
    if department is not None:  # None: every department; "" : the forms with no 主管部门
        ids = book.projects.loc[book.projects["department"] == department, "form_id"]
        if ids.empty:
            known = "、".join(sorted(set(book.projects["department"]))) or "（无）"
            raise ReportError(f"数据中没有主管部门“{department}”；现有：{known}")
        book = book.subset(ids)
    result = audit(book, profile)
    used = sorted({f.profile_name for f in result.forms}) or [result.profile.name]
    ctx = DepartmentContext(data=str(data), department=department, profile_name="、".join(used), book=book,
                            result=result, profile_title=profile_titles(result),
                            annotated={_source_key(k): str(v) for k, v in (annotated or {}).items()})
    ctx.summary = department_summary(book, result.findings, result.form_scores)
    return ctx


def profile_titles(result, form_ids=None) -> str:
    """The Chinese names of the profiles the audit used (on ``form_ids``, default every form)."""
    from .profile import load_profile

    forms = [f for f in result.forms if form_ids is None or f.form_id in form_ids]
    names = sorted({f.profile_name for f in forms}) or [result.profile.name]
    titles = []
    for n in names:
        if n == result.profile.name:
            titles.append(result.profile.title)
            continue
        try:
            titles.append(load_profile(n).title)
        except EvaltoolsError:  # a name no longer resolvable here: still say which one it was
            titles.append(n)
    return "、".join(dict.fromkeys(titles))


def _profile_label(profile) -> str:
    """The profile a report was asked for, in words (the manifest keeps the raw value)."""
    from .profile import load_profile

    if profile is None or profile == "auto":
        return "按各表计分口径自动选择"
    if profile == "custom":  # manifest_for's word for a profile given as a dict
        return "自定义口径"
    try:
        return load_profile(profile).title
    except (EvaltoolsError, OSError, ValueError, TypeError):
        return str(profile) if isinstance(profile, str) else "自定义口径"


_AMOUNT_FIELDS = ("budget_full_year", "executed")
FLAG_REASONS = {"unit": "疑似把元填成万元", "error": "全年预算数或全年执行数本身有错误"}


def flagged_amounts(book, findings) -> dict[str, str]:
    """form_id → why the form's 全年预算数 and 全年执行数 are doubtful, for the key figures' caveat.

    ``"unit"``: a ``COST-UNIT-SCALE`` finding (at any severity: the amount is likely in 元, 10,000
    times too large). ``"error"``: an error-level finding on the very cell the form's 全年预算数 or
    全年执行数 was read from (the 年度资金总额 row, e.g. FUND-SUM: the total disagrees with its
    lines). Findings elsewhere on the form (an indicator, the 执行率 cell) leave its amounts alone."""
    out: dict[str, str] = {}
    f = findings
    if f is None or len(f) == 0:
        return out
    for fid in f.loc[f["rule"] == UNIT_SCALE_RULE, "form_id"]:
        out[str(fid)] = "unit"
    c = getattr(book, "cells", None)
    if c is not None and len(c):
        amount = c[c["field"].isin(_AMOUNT_FIELDS) & ((c["table"] == "projects") | (c["key"] == "total"))]
        cells = set(zip(amount["form_id"].astype(str), amount["sheet"].astype(str), amount["cell"].astype(str)))
        err = f[f["severity"] == "error"]
        for fid, sheet, cell in zip(err["form_id"].astype(str), err["sheet"].astype(str), err["cell"].astype(str)):
            if (fid, sheet, cell.split(":")[0]) in cells:
                out.setdefault(fid, "error")
    return out


def department_summary(book, findings, form_scores) -> dict:
    """The key figures of a set of forms: the project forms the audit checks (a department-wide form
    or a target table restates money its projects already count); ``shown`` counts every form.

    ``flagged`` names the forms whose amounts the audit doubts (``flagged_amounts``) and
    ``budget_unflagged`` / ``executed_unflagged`` / ``rate_unflagged`` are the figures without them,
    so one form written in 元 cannot pass unremarked for the department's money."""
    shown = int(len(book.projects))
    p = book.projects[book.projects["audited"].astype(bool)] if "audited" in book.projects else book.projects
    s = form_scores
    f = findings
    budget = float(p["budget_full_year"].sum(skipna=True)) if len(p) else 0.0
    executed = float(p["executed"].sum(skipna=True)) if len(p) else 0.0
    grades = s["grade_recomputed"].value_counts().to_dict() if len(s) else {}
    years = sorted({int(y) for y in p["year"].dropna()}) if len(p) else []
    why = {k: v for k, v in flagged_amounts(book, f).items() if k in set(p["form_id"].astype(str))}
    rest = p[~p["form_id"].astype(str).isin(set(why))]
    budget_rest = float(rest["budget_full_year"].sum(skipna=True)) if len(rest) else 0.0
    executed_rest = float(rest["executed"].sum(skipna=True)) if len(rest) else 0.0
    names = dict(zip(p["form_id"].astype(str), p["project_name"].fillna("").astype(str)))
    return {
        "projects": int(len(p)),
        "shown": shown,
        "budget": budget,
        "executed": executed,
        "rate": executed / budget * 100 if budget else None,
        "avg_score": float(p["total_score"].mean()) if len(p) and p["total_score"].notna().any() else None,
        "grades": {g: int(grades.get(g, 0)) for g in ("优", "良", "中", "差")},
        "findings": {sev: int((f["severity"] == sev).sum()) for sev in SEVERITY_ORDER},
        "years": years,
        "flagged": {"forms": len(why), "unit": sum(v == "unit" for v in why.values()),
                    "error": sum(v == "error" for v in why.values()),
                    "projects": [{"form_id": k, "project_name": names.get(k, ""), "reason": v} for k, v in why.items()]},
        "budget_unflagged": budget_rest,
        "executed_unflagged": executed_rest,
        "rate_unflagged": executed_rest / budget_rest * 100 if budget_rest else None,
    }


# ---------------------------------------------------------------------------------------------
# HTML pieces the notebook displays

FLAG = "※"


def _money(v) -> str:
    return "—" if v is None or v != v else f"{v:,.2f}"


def _rate(v) -> str:
    return "—" if v is None or v != v else f"{v:.2f}%"


def flag_note(s: dict) -> str:
    """The caveat under key figures that include amounts the audit doubts, '' when there are none."""
    fl = s.get("flagged") or {}
    if not fl.get("forms"):
        return ""
    parts = []
    for reason in ("unit", "error"):
        names = [x["project_name"] or x["form_id"] for x in fl["projects"] if x["reason"] == reason]
        if names:
            parts.append(f"{FLAG_REASONS[reason]}的 {len(names)} 张表（{'、'.join(names)}）")
    return (f"{FLAG} 全年预算数 {_money(s['budget'])} 万元含{'，'.join(parts)}；不含这些表时，全年预算数 "
            f"{_money(s['budget_unflagged'])} 万元，全年执行数 {_money(s['executed_unflagged'])} 万元，"
            f"执行率 {_rate(s['rate_unflagged'])}。")


def header_html(ctx: DepartmentContext) -> str:
    s = ctx.summary
    year = "、".join(str(y) for y in s["years"]) or "—"
    dept = "全部主管部门" if ctx.department is None else (ctx.department or "（未填主管部门）")
    avg = "—" if s["avg_score"] is None else f"{s['avg_score']:.2f}"
    grades = " · ".join(f"{g} {n}" for g, n in s["grades"].items())
    sev = s["findings"]
    projects = s["projects"] if s.get("shown", s["projects"]) == s["projects"] else \
        f"{s['projects']}（另有不参加项目审核的表 {s['shown'] - s['projects']} 份）"
    flagged = bool((s.get("flagged") or {}).get("forms"))
    mark = f" {FLAG}" if flagged else ""

    def without(v):
        return f"不含存疑表 {v}" if flagged else ""

    cards = [("项目数", str(projects), ""),
             ("全年预算数（万元）", _money(s["budget"]) + mark, without(_money(s.get("budget_unflagged")))),
             ("全年执行数（万元）", _money(s["executed"]) + mark, without(_money(s.get("executed_unflagged")))),
             ("总体执行率", _rate(s["rate"]) + mark, without(_rate(s.get("rate_unflagged")))),
             ("平均自评得分", avg, ""), ("等级（重算）", grades, ""),
             ("发现问题", f"错误 {sev['error']} · 警告 {sev['warning']} · 提示 {sev['info']}", "")]
    body = "".join(f'<div class="et-card">{esc(k)}<b>{esc(v)}</b>'
                   + (f'<small>{esc(sub)}</small>' if sub else "") + "</div>" for k, v, sub in cards)
    note = flag_note(s)
    note = f'<p class="et-flag-note">{esc(note)}</p>' if note else ""
    title = ctx.profile_title or ctx.profile_name
    return (f'<h1>{esc(dept)} {esc(year)} 年度项目支出绩效自评审核报告</h1>'
            f'<p>审核口径：{esc(title)}。下列数字由 evaltools 根据各自评表重新计算。</p>'
            f'<div class="et-cards">{body}</div>{note}')


def findings_html(ctx: DepartmentContext) -> str:
    """The findings table grouped by project, each with its file, sheet and cell (linked to the
    form's annotated copy when the batch said where it is); the columns are ``schema.FINDINGS``'
    report view. Each cell carries its column's label, for the phone layout (one card per row)."""
    f = ctx.result.findings
    if f.empty:
        return '<h2 id="findings">发现的问题</h2><p>未发现问题。</p>'
    view = finding_view("report")
    labels = [_REPORT_LABELS.get(c.name, c.label) for c in view]
    head = "".join(f"<th>{esc(lab)}</th>" for lab in labels)
    out = ['<h2 id="findings">发现的问题</h2>']
    for project, rows in f.groupby("project_name", sort=False):
        rows = rows.assign(_o=rows["severity"].map(SEVERITY_ORDER)).sort_values("_o", kind="stable")
        fid = str(rows["form_id"].iloc[0])
        files = list(dict.fromkeys(Path(str(s or "")).name for s in rows["source_file"]))
        # printed, a group from one file names it once, in its heading, and its rows give sheet!cell
        one = len(files) == 1
        source = f'<span class="et-print">来源：{esc(files[0])}</span>' if one else ""
        out.append(f'<h3 id="f-{esc(fid)}">{esc(project)} <a class="et-to" href="#p-{esc(fid)}">项目情况</a>{source}</h3>'
                   f'<table class="et-table et-findings{" et-one-file" if one else ""}"><thead><tr>{head}</tr></thead>'
                   f'<tbody>')
        for r in rows.to_dict("records"):
            out.append("<tr>" + "".join(_report_cell(c.name, r, lab, ctx.annotated)
                                        for c, lab in zip(view, labels)) + "</tr>")
        out.append("</tbody></table>")
    return "".join(out)


_REPORT_LABELS = {"cell": "位置"}  # the report shows file!sheet!cell in one column


def _source_key(path) -> str:
    """A source file as the batch and the notebook both name it (they load it by different paths)."""
    try:
        return str(Path(str(path)).resolve())
    except (OSError, RuntimeError, ValueError):
        return str(path)


def where_html(r: dict, annotated: dict, *, base: str = "") -> str:
    """file!sheet!cell of a finding, breakable after each part, linked to the annotated copy of its
    file (``base``: the way from the linking page to the output folder, ``../`` for a sub-folder)."""
    parts = [Path(str(r.get("source_file") or "")).name, str(r.get("sheet") or ""), str(r.get("cell") or "")]
    text = f'<span class="et-file">{esc(parts[0])}<wbr>!</span>' + "<wbr>!".join(esc(p) for p in parts[1:])
    target = annotated.get(_source_key(r.get("source_file"))) if r.get("source_file") else None
    if not target:
        return text
    tip = f"打开批注副本：{parts[1]}!{parts[2]} 已按严重程度着色并附批注"
    link = href(base + target)
    if target.lower().endswith(".pdf"):  # a PDF opens at the finding's page
        from .read_pdf import first_page

        page = first_page(parts[1])
        link += f"#page={page}" if page else ""
    return f'<a href="{esc(link)}" title="{esc(tip)}">{text}</a>'


def _report_cell(name: str, r: dict, label: str = "", annotated: dict | None = None) -> str:
    lab = f' data-label="{esc(label)}"' if label else ""
    if name == "severity":
        return (f'<td class="et-sev-{esc(r["severity"])}"{lab}>'
                f'{esc(SEVERITY_ZH.get(r["severity"], r["severity"]))}</td>')
    if name == "cell":
        return f'<td class="et-cell"{lab}>{where_html(r, annotated or {})}</td>'
    value = r.get(name, "")
    empty = " et-empty" if value is None or value == "" or (isinstance(value, float) and value != value) else ""
    return f'<td class="et-col-{esc(name)}{empty}"{lab}>{esc(value)}</td>'


def _num(v, spec: str = "g", suffix: str = "") -> str:
    """A number as printed in the report, ``—`` when the form has none."""
    if v is None or v != v:
        return "—"
    return f"{v:{spec}}{suffix}"


def projects_html(ctx: DepartmentContext) -> str:
    """One short section per project: amounts, printed vs recomputed scores, its findings count."""
    p = ctx.book.projects
    s = ctx.result.form_scores.set_index("form_id")
    f = ctx.result.findings
    why = {x["form_id"]: x["reason"] for x in (ctx.summary.get("flagged") or {}).get("projects", [])}
    with_findings = set(f["form_id"].astype(str))
    out = ['<h2 id="projects">各项目情况</h2>']
    for r in p.itertuples():
        title = r.project_name or f"{r.department}（{r.form_type}）"
        anchor = f' id="p-{esc(r.form_id)}"'
        if r.form_id not in s.index:  # a target table or a department-wide form: shown, not audited
            out.append(
                f'<div class="et-project"><h3{anchor}>{esc(title)}</h3>'
                f"<p>该表为“{esc(r.form_type)}”，不是项目支出绩效自评表：已读取并列出，不参加项目审核。"
                f"年初预算数 {esc(_num(r.budget_initial))} 万元，全年预算数 {esc(_num(r.budget_full_year))} 万元，"
                f"全年执行数 {esc(_num(r.executed))} 万元。</p>"
                f"<p>年度目标：{esc(r.goal_expected)}</p></div>")
            continue
        sc = s.loc[r.form_id]
        n = f[f["form_id"] == r.form_id]["severity"].value_counts().to_dict()
        rate_p = _num(sc["exec_rate_printed"], "g", "%")
        rate_c = _num(sc["exec_rate_recomputed"], ".2f", "%")
        tot_c = _num(sc["total_recomputed"], ".2f")
        mark = f"{FLAG}（{FLAG_REASONS[why[r.form_id]]}）" if r.form_id in why else ""
        to = f'<a class="et-to" href="#f-{esc(r.form_id)}">本项目的问题</a>' if str(r.form_id) in with_findings else ""
        out.append(
            f'<div class="et-project"><h3{anchor}>{esc(title)} {to}</h3>'
            f"<p>实施单位：{esc(r.implementing_unit)}；全年预算数 {esc(_num(r.budget_full_year))} 万元，全年执行数 "
            f"{esc(_num(r.executed))} 万元{esc(mark)}；执行率 印 {esc(rate_p)} / 算 {esc(rate_c)}；总分 印 "
            f"{esc(_num(r.total_score))} / 算 {esc(tot_c)}（{esc(sc['grade_recomputed'])}）。发现：错误 "
            f"{n.get('error', 0)}，警告 {n.get('warning', 0)}，提示 {n.get('info', 0)}。</p>"
            f"<p>年度目标：{esc(r.goal_expected)}<br>实际完成：{esc(r.goal_actual)}</p></div>")
    return "".join(out)


def show(html_text: str):
    """Display an HTML fragment in the notebook (and so in the exported report)."""
    from IPython.display import HTML, display

    display(HTML(html_text))


def show_figure(fig):
    """Display a matplotlib figure as an embedded PNG and release it."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    display(fig)
    plt.close(fig)


def png_data_uri(fig, dpi: int) -> str:
    """The figure as a ``data:`` PNG of at most 128 colours: a chart has few, and each page carries
    eight figures (normal and narrow), which at full colour would be a quarter of the page's weight."""
    import base64
    import io

    from PIL import Image

    from .plots import render_image

    img = render_image(fig, dpi=dpi)
    img = img.quantize(colors=128, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    img.save(out, format="PNG", compress_level=8)  # 1% larger than optimize=True, a third of the time
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _img(fig, cls: str, alt: str, dpi: int) -> tuple[str, float]:
    import matplotlib.pyplot as plt

    w, h = fig.get_size_inches()
    try:
        uri = png_data_uri(fig, dpi)
    finally:
        plt.close(fig)
    return f'<img class="{cls}" src="{uri}" alt="{esc(alt)}">', h / w


def chart_html(title: str, draw, *args, **kwargs) -> str:
    """A heading and its figure as one block: ``draw(*args, **kwargs)`` (a ``plots`` function) at
    its normal width, and, when ``draw`` takes ``width=``, again ``NARROW_WIDTH`` inches wide for
    phones; CSS shows one of the two. A figure much taller than wide gets a page of its own in print."""
    import matplotlib

    # each figure is made at the dpi of its PNG, so that _finish fits and lays it out at the
    # resolution it is saved at and the save needs no second layout
    with matplotlib.rc_context({"figure.dpi": 100}):
        wide, ratio = _img(draw(*args, **kwargs), "et-fig et-wide", title, 100)
    narrow = ""
    try:
        takes_width = "width" in inspect.signature(draw).parameters
    except (TypeError, ValueError):
        takes_width = False
    if takes_width:
        with matplotlib.rc_context({"figure.dpi": 150}):
            narrow, _ = _img(draw(*args, width=NARROW_WIDTH, **kwargs), "et-fig et-narrow", title, 150)
    cls = "et-chart" + (" et-tall" if ratio > 0.9 else "") + ("" if narrow else " et-one")
    return f'<section class="{cls}"><h2>{esc(title)}</h2>{wide}{narrow}</section>'


def chart(title: str, draw, *args, **kwargs):
    """Display ``chart_html`` in the notebook."""
    show(chart_html(title, draw, *args, **kwargs))


# ---------------------------------------------------------------------------------------------
# Running papermill and exporting HTML


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest_for(data, department: str, profile, engine: str, files: list[str]) -> dict:
    from ._version import __version__

    return {
        "evaltools_version": __version__,
        "department": department,
        "profile": profile if isinstance(profile, str) else "custom",
        "engine": engine,
        "data": str(data),
        "inputs": {str(f): _sha256(Path(f)) for f in sorted(files) if Path(f).exists()},
        "rendered_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def _write_text(path: Path, text: str) -> None:
    from .safeio import atomic_write

    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def nav_html(items, *, cls: str = "et-nav") -> str:
    """A row of links (``(relative path, text, title)``; a path starting with ``#`` stays in the page)."""
    links = []
    for rel, text, title in items:
        if rel.startswith("#"):
            links.append(f'<a href="#{esc(href(rel[1:]))}" title="{esc(title)}">{esc(text)}</a>')
        else:
            links.append(link(rel, text, title=title))
    return f'<nav class="{cls}" aria-label="相关文件">{" ".join(links)}</nav>' if links else ""


def page_css(running_head: str, foot: str = "") -> str:
    """The print margin boxes of one page: its department at the top, page n / N at the bottom."""
    bottom = f"{css_string(foot)} \" · \" " if foot else ""
    return ('<style type="text/css">@page { @top-left { content: ' + css_string(running_head) + "; } "
            "@bottom-center { content: " + bottom + 'counter(page) " / " counter(pages); } }</style>')


_RELATIVE_LINK = re.compile(r'(\s(?:href|src)=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)')


def rebase_links(body: str, prefix: str) -> str:
    """Relative links written for a page in the output folder, for a page in a sub-folder of it."""
    return _RELATIVE_LINK.sub(lambda m: m.group(1) + prefix, body) if prefix else body


def export_html(nb_path: Path, html_path: Path, *, title: str, manifest: dict, code: bool = False,
                nav=(), running_head: str = "", rebase: str = "") -> Path:
    """The executed notebook as a self-contained page, images inline. By default the department's
    report: no input cells, no stderr, no cell tagged ``report-hide``; ``code=True``: the readable
    执行记录, every cell with its code and everything it printed. ``nav``: the links to put first
    (``nav_html`` items; in-page ``#id`` links are kept only where the page has that id);
    ``running_head``: the text of the printed pages' top margin; ``rebase``: the way from the page
    to the output folder (``../``), which the notebook's links are relative to."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(nb_path, as_version=4)
    if not code:
        # cells tagged "report-hide" explain the notebook to its readers, not the report to its readers
        nb.cells = [c for c in nb.cells if "report-hide" not in c.get("metadata", {}).get("tags", [])]
        for cell in nb.cells:
            if cell.get("cell_type") == "code":
                cell["outputs"] = [o for o in cell.get("outputs", [])
                                   if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    nb.metadata["title"] = title
    exporter = HTMLExporter(template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATE_DIR)],
                            exclude_input=not code, exclude_input_prompt=not code, exclude_output_prompt=not code,
                            embed_images=True, language_code="zh")  # ISO 639-1; the page says zh-CN
    body, _ = exporter.from_notebook_node(nb)
    body = rebase_links(body, rebase)
    block = json.dumps(manifest, ensure_ascii=False, indent=1).replace("</", "<\\/")
    what = "执行记录（含代码）" if code else "报告"
    foot = (f'<div class="et-manifest">本{what}由 evaltools {esc(manifest["evaltools_version"])} 生成；审核口径 '
            f'{esc(_profile_label(manifest["profile"]))}；渲染引擎 {esc(manifest["engine"])}；生成时间 '
            f'{esc(manifest["rendered_at"])}；输入文件 {len(manifest["inputs"])} 个（SHA-256 见页面内嵌清单）。</div>'
            f'<script type="application/json" id="evaltools-manifest">{block}</script>')
    items = [it for it in nav if not it[0].startswith("#") or f'id="{it[0][1:]}"' in body]
    body = body.replace("<main>", "<main>" + nav_html(items), 1)
    body = body.replace("</main>", foot + "</main>", 1)
    if running_head:
        body = body.replace("</head>", page_css(running_head, "执行记录" if code else "") + "</head>", 1)
    body = re.sub(r'<html lang="[^"]*">', '<html lang="zh-CN">', body, count=1)
    _write_text(html_path, body)
    return html_path


ENGINES = ("warm", "papermill")  # the first is the default, as on the command line
FAILED_SUFFIX = ".failed.ipynb"
RUNNING_SUFFIX = ".running.ipynb"


@dataclass
class Targets:
    """Where one department's outputs go: the executed notebook, the failed one, their readable
    renderings, its page and its 项目审核单."""

    out_dir: Path
    stem: str

    @property
    def notebook(self) -> Path:
        return self.out_dir / "notebooks" / f"{self.stem}.ipynb"

    @property
    def failed(self) -> Path:
        return self.out_dir / "notebooks" / f"{self.stem}{FAILED_SUFFIX}"

    @property
    def running(self) -> Path:  # hidden: nothing under a final name until execution is over
        return self.out_dir / "notebooks" / f".{self.stem}{RUNNING_SUFFIX}"

    @property
    def html(self) -> Path:
        return self.out_dir / f"{self.stem}.html"

    @property
    def notebook_html(self) -> Path:  # the 执行记录: the executed notebook with its code, readable
        return self.notebook.with_suffix(".html")

    @property
    def failed_html(self) -> Path:
        return self.failed.with_name(f"{self.stem}.failed.html")

    @property
    def sheet(self) -> Path:
        return self.out_dir / SHEETS_DIR / f"{self.stem}.html"


def _rel(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path, base)).as_posix()


def render_department(data, department: str, out_dir, *, profile="auto", notebook=None,
                      engine: str = ENGINES[0], files=None, cache=None, vocabulary=None, stem=None,
                      annotated=None, batch: bool = False) -> dict:
    """Execute the report notebook for one department and export it. Never raises for data problems.

    The notebook runs under a hidden ``.NAME.running.ipynb``; a run that fails is kept as
    ``notebooks/NAME.failed.ipynb`` (its audit trail) and the department's earlier page and
    notebook are removed, since they no longer describe the data; an interrupted run
    (``KeyboardInterrupt``) leaves nothing and re-raises. ``stem`` is the file name the batch chose
    (``names.unique_stems``); by default ``slug(department)``. Each notebook, finished or failed,
    is also rendered with its code as ``notebooks/NAME.html`` (``NAME.failed.html``), the 执行记录.

    ``annotated`` (source file → its annotated copy, relative to the output folder) and ``batch``
    come from a batch: the page then links to the index, findings.xlsx, its 项目审核单 and the copies,
    which the batch writes; alone, a page links only to what this call writes.
    """
    import papermill as pm

    if engine not in ENGINES:
        raise ReportError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    out_dir = Path(out_dir)
    notebook = Path(notebook or DEFAULT_NOTEBOOK)
    if not notebook.exists():
        raise ReportError(f"report notebook not found: {notebook}")
    t = Targets(out_dir, stem or slug(department))
    nb_out, html_out, tmp_nb = t.notebook, t.html, t.running
    nb_out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    status = {"department": department, "html": html_out.name, "notebook": f"notebooks/{nb_out.name}", "error": "",
              "output_error": False, "notebook_html": ""}
    try:
        # a batch passes just the department's own files: no report re-reads the whole province
        source = [str(Path(f).resolve()) for f in files] if files else str(Path(data).resolve())
        if isinstance(profile, str) and profile != "national" and Path(profile).exists():
            profile = str(Path(profile).resolve())  # the notebook runs in another working directory
        params = {"data": source, "department": department,
                  "profile": profile if isinstance(profile, str) else json.dumps(profile, ensure_ascii=False)}
        if cache:
            params["cache"] = str(Path(cache).resolve())
        if vocabulary:
            params["vocabulary"] = str(Path(vocabulary).resolve())
        if annotated:
            # the page is in the output folder, as is annotated/: the links hold from there
            params["annotated"] = {_source_key(k): str(v) for k, v in annotated.items()}
        pm.execute_notebook(str(notebook), str(tmp_nb), parameters=params,
            progress_bar=False, kernel_name="python3", cwd=str(nb_out.parent), log_output=False,
            engine_name=_papermill_engine(engine), **_kernel_options(engine))
    except KeyboardInterrupt:
        _discard(tmp_nb)  # cells that never ran must not pass for a finished report
        _abandon_client_tasks()
        raise
    except Exception as exc:  # the failed notebook is still kept: it is the audit trail of the failure
        if getattr(exc, "ename", "") == "KeyboardInterrupt":  # the kernel itself was interrupted
            _discard(tmp_nb)
            _abandon_client_tasks()
            raise KeyboardInterrupt from exc
        status["error"] = _error_text(exc)
        status["output_error"] = isinstance(exc, OSError)  # writing the notebook failed, not its code
    status["seconds_execute"] = time.perf_counter() - t0
    name = department or "（未填主管部门）"

    def manifest():
        from .load import iter_sources

        inputs = list(files) if files else [str(p) for p, _, problem in iter_sources(data) if not problem]
        return manifest_for(data, department, profile, engine, inputs)

    if status["error"]:
        _keep_failed(t, status)
        if status["notebook"]:
            try:
                _export_record(t.failed, t.failed_html, t, status, name=name, manifest=manifest(), batch=batch,
                               ok=False)
            except Exception:  # noqa: BLE001 - the failure is reported already; its .ipynb is kept
                pass
    else:
        os.replace(tmp_nb, nb_out)
        for stale in (t.failed, t.failed_html):
            _discard(stale)
        try:
            facts = manifest()
        except Exception as exc:  # noqa: BLE001 - an input unreadable now: the page cannot say what it came from
            status["error"] = f"导出 HTML 失败：{_error_text(exc)}"
            status["output_error"] = isinstance(exc, OSError)
            _discard(html_out)
            status["html"] = ""
            status["seconds"] = time.perf_counter() - t0
            return status
        _export_record(nb_out, t.notebook_html, t, status, name=name, manifest=facts, batch=batch, ok=True)
        items = [(INDEX_FILE, "← 全部主管部门", "报告索引：各主管部门的报告、审核单和执行记录"),
                 (f"{SHEETS_DIR}/{t.stem}.html", "项目审核单（打印）", "每个项目一页 A4 的审核单")] if batch else []
        items += [("#findings", "发现的问题", "本页：按项目列出的问题"), ("#projects", "各项目情况", "本页：各项目的金额与得分")]
        if batch:
            items.append((FINDINGS_FILE, "问题清单 findings.xlsx", "全部问题及复核栏（Excel）"))
            if annotated:
                items.append((ANNOTATED_README, "批注副本说明", "有问题的单元格已着色并附批注的自评表副本"))
        if status["notebook_html"]:
            items.append((status["notebook_html"], "执行记录（含代码）", "本报告执行过的笔记本，含代码和参数"))
        try:
            export_html(nb_out, html_out, title=f"{name} 绩效自评审核报告", manifest=facts, nav=items,
                        running_head=f"{name} · 项目支出绩效自评审核报告")
        except Exception as exc:
            status["error"] = f"导出 HTML 失败：{_error_text(exc)}"
            status["output_error"] = isinstance(exc, OSError)
            _discard(html_out)  # an earlier page beside this run's notebook would contradict it
            status["html"] = ""
    status["seconds"] = time.perf_counter() - t0
    return status


def _export_record(nb_path: Path, html_path: Path, t: Targets, status: dict, *, name: str, manifest: dict,
                   batch: bool, ok: bool) -> None:
    """The 执行记录: ``nb_path`` rendered with its code beside it. Secondary to the page: a failure
    here leaves the page without the link (and the .ipynb, which it renders, is still there)."""
    base = html_path.parent
    items = [(_rel(t.html, base), "← 部门报告", "本部门的审核报告")] if ok else []
    if batch:
        items.append((_rel(t.out_dir / INDEX_FILE, base), "全部主管部门", "报告索引"))
    items.append((nb_path.name, "原始笔记本（.ipynb）", "可在 JupyterLab 中打开并重新执行"))
    try:
        export_html(nb_path, html_path, title=f"{name} 执行记录" + ("" if ok else "（执行失败）"), manifest=manifest,
                    code=True, nav=items, running_head=f"{name} · 执行记录",
                    rebase=_rel(t.out_dir, base).rstrip("/") + "/")
    except Exception:  # noqa: BLE001
        _discard(html_path)
        return
    status["notebook_html"] = _rel(html_path, t.out_dir)


def _abandon_client_tasks() -> None:
    """After an interrupt, nbclient's polling tasks are left behind on purpose (the kernel is shut
    down under them); asyncio would log each as "Task exception was never retrieved … DeadKernelError"
    when this process (a pool worker too) exits, burying the one-line interrupt message."""
    import logging

    for name in ("asyncio", "traitlets", "papermill", "nbclient"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _keep_failed(t: Targets, status: dict) -> None:
    """A failed run: its notebook under ``NAME.failed.ipynb``, the department's earlier outputs gone."""
    for stale in (t.notebook, t.html, t.notebook_html):
        _discard(stale)
    status["html"] = ""
    if t.running.exists():
        os.replace(t.running, t.failed)
        status["notebook"] = f"notebooks/{t.failed.name}"
    else:
        status["notebook"] = ""


def _discard(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # a file that cannot be removed is reported by the write that follows, if any


def _papermill_engine(engine: str) -> str:
    from .engines import ENGINES as PM_ENGINES  # registers the warm engine with papermill

    return PM_ENGINES[engine]


def _kernel_options(engine: str) -> dict:
    """papermill's engine starts a kernel per notebook: on private sockets (engines._PrivateSockets).
    The warm engine's kernel already is."""
    from .engines import AsyncPrivateKernelManager

    return {"kernel_manager_class": AsyncPrivateKernelManager} if engine == "papermill" else {}


def _error_text(exc: BaseException) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    return f"{ename}: {evalue}".strip()[:500]


# ---------------------------------------------------------------------------------------------
# The batch


BATCH_FILE = "batch.json"


def render_reports(data, out_dir, *, profile="auto", jobs: int | None = None, notebook=None,
                   engine: str = ENGINES[0], departments=None, progress: bool = True, executor=None,
                   cache=None, vocabulary=None) -> dict:
    """One report per 主管部门 of ``data``, in parallel, then ``index.html``, and every other output
    registered for ``report`` in ``outputs.py`` (the CSV tables, findings.xlsx, the annotated copies,
    manifest.json): the same files as ``evaltools report``. Returns the batch summary, with the
    ``outputs.Run`` (files written, copies that failed, summary lines) under ``"outputs"``.

    With ``departments`` every output — pages, ``index.html``, ``batch.json`` and the ``book`` and
    ``result`` returned for findings.xlsx and the annotated copies — holds those departments only,
    and a folder that holds other departments' outputs is refused (``ReportError``) before anything
    is written: removing them could lose reviewer entries, keeping them would send them along.
    Pages of an earlier batch in ``out_dir`` that this batch does not produce are removed.
    An unwritable ``out_dir`` raises ``OutputError``; an interrupt leaves no half-written output.
    """
    from .audit import audit
    from .load import load
    from .names import unique_stems

    out_dir = Path(out_dir)
    selection = None if departments is None else list(dict.fromkeys(departments))
    previous = _previous_batch(out_dir)
    check_out_dir(out_dir, selection, previous)
    book = load(data, executor=executor, cache=cache, vocabulary=vocabulary)
    known = sorted(set(book.projects["department"]))
    stems = unique_stems(known)  # over every department: a page keeps its name in a selective run
    if selection is not None:
        missing = [d for d in selection if d not in stems]
        if missing:
            raise ReportError(f"数据中没有主管部门“{missing[0]}”；现有：{'、'.join(known) or '（无）'}")
        book = book.subset(book.projects.loc[book.projects["department"].isin(selection), "form_id"])
    depts = known if selection is None else selection
    _ensure_writable(out_dir)
    result = audit(book, profile, executor=executor)
    from .outputs import Run, check_outputs, write_outputs

    run = Run(out_dir, book, result, command="report", only_book=selection is not None,
              report=dict(data=data, departments=depts, selection=selection, previous=previous, stems=stems,
                          jobs=jobs or os.cpu_count() or 1, engine=engine, progress=progress, executor=executor,
                          kwargs=dict(profile=profile, notebook=str(notebook) if notebook else None, engine=engine,
                                      cache=str(cache) if cache else None,
                                      vocabulary=str(vocabulary) if vocabulary else None)))
    check_outputs(run)  # findings.xlsx or a copy open in Excel/WPS: nothing is rendered
    write_outputs(run, checked=True)
    batch = run.batch
    batch["book"], batch["result"], batch["outputs"] = book, result, run
    return batch


def annotated_links(result, book, out_dir=None) -> dict[str, str]:
    """source file (resolved) → its annotated copy, relative to the output folder; a file without
    findings gets no copy and no link. The names are ``excel.annotated_paths``' (those
    ``excel.write_annotated_copies`` writes, known before the copies are written)."""
    from .excel import annotated_paths

    return {_source_key(k): PurePosixPath(v).as_posix() for k, v in
            annotated_paths(result, book, out_dir=out_dir).items()}


def write_pages(run) -> list[Path]:
    """The ``pages`` output (``outputs.py``): every department's page, its executed notebook and
    the notebook's readable rendering (the 执行记录), in parallel."""
    book, result, r = run.book, run.result, run.report
    out_dir, depts = run.out, r["departments"]
    files = {d: sorted(set(g)) for d, g in book.projects.groupby("department")["source_file"]}
    copies = annotated_links(result, book, out_dir)
    summaries, annotated = {}, {}
    for d in depts:
        ids = set(book.projects.loc[book.projects["department"] == d, "form_id"])
        summaries[d] = department_summary(book.subset(ids), result.findings[result.findings["form_id"].isin(ids)],
                                          result.form_scores[result.form_scores["form_id"].isin(ids)])
        summaries[d]["profile_title"] = profile_titles(result, ids)
        mine = {_source_key(f) for f in files.get(d, [])}
        annotated[d] = {k: v for k, v in copies.items() if k in mine}
    jobs, executor, kwargs, stems = r["jobs"], r["executor"], r["kwargs"], r["stems"]
    t0 = time.perf_counter()
    bar = _progress(len(depts), r["progress"])
    try:
        if executor is None and (jobs == 1 or len(depts) <= 1):
            statuses = {}
            for d in depts:
                statuses[d] = render_department(r["data"], d, out_dir, files=files.get(d), stem=stems[d],
                                                annotated=annotated[d], batch=True, **kwargs)
                bar.update(1)
        else:
            statuses = _render_parallel(r["data"], depts, out_dir, files, stems, kwargs, jobs, executor, bar,
                                        annotated)
    except KeyboardInterrupt:
        _sweep_running(out_dir)
        raise
    finally:
        bar.close()
    run.batch.update({"departments": [{**statuses[d], "summary": summaries[d]} for d in depts],
                      "seconds": time.perf_counter() - t0, "jobs": jobs, "engine": r["engine"],
                      "selection": r["selection"],
                      "load_errors": int((book.load_errors["level"] == "error").sum())})
    return [out_dir / x for d in run.batch["departments"] for x in (d.get("html"), d.get("notebook"),
                                                                     d.get("notebook_html")) if x]


def write_sheets(run) -> list[Path]:
    """The ``sheets`` output: each department's 项目审核单 (``审核单/NAME.html``), one A4 sheet per
    project, from the batch's audit (department rules see the same forms as the page's audit)."""
    book, result = run.book, run.result
    copies = annotated_links(result, book, run.out)
    written = []
    for d in run.batch.get("departments", []):
        dept = d["department"]
        stem = run.report["stems"][dept]
        t = Targets(run.out, stem)
        ids = set(book.projects.loc[book.projects["department"] == dept, "form_id"])
        sub = book.subset(ids)
        findings = result.findings[result.findings["form_id"].isin(ids)]
        text = sheets_html(dept, sub, result, findings, copies, page=t.html.name if d.get("html") else "",
                           profile_title=d["summary"].get("profile_title", ""))
        t.sheet.parent.mkdir(parents=True, exist_ok=True)
        _write_text(t.sheet, text)
        d["sheet"] = _rel(t.sheet, run.out)
        written.append(t.sheet)
    return written


def write_index(run) -> list[Path]:
    """The ``index`` output: index.html and batch.json, after the pages an earlier batch left are removed."""
    batch, out_dir = run.batch, run.out
    batch["removed"] = _remove_stale_pages(out_dir, run.report["previous"], batch["departments"])
    readme = bool(len(run.result.findings) and run.result.findings["source_file"].astype(bool).any())
    _write_text(out_dir / INDEX_FILE, index_html(batch, run.book, readme=readme))
    _write_text(out_dir / BATCH_FILE, json.dumps(batch, ensure_ascii=False, indent=1, default=str))
    return [out_dir / INDEX_FILE, out_dir / BATCH_FILE]


def _render_parallel(data, depts, out_dir, files, stems, kwargs, jobs, executor, bar, annotated=None) -> dict:
    """The departments on ``executor`` (default: local processes). On an interrupt the pending ones
    are cancelled and the running ones stopped (they remove their own partial notebooks)."""
    from concurrent.futures import as_completed

    from .executors import process_pool

    own = executor is None
    ex = executor or process_pool(min(jobs, len(depts)), initializer=_worker_init)
    task = _worker_render if own else render_department
    statuses = {}
    futs = {}
    annotated = annotated or {}
    try:
        futs = {ex.submit(task, str(data), d, str(out_dir), files=files.get(d), stem=stems[d],
                          annotated=annotated.get(d), batch=True, **kwargs): d
                for d in depts}
        for fut in as_completed(futs):
            d = futs[fut]
            try:
                statuses[d] = fut.result()
            except KeyboardInterrupt:  # a worker was interrupted (Ctrl-C reaches the whole process group)
                raise
            except Exception as exc:
                statuses[d] = {"department": d, "html": "", "notebook": "", "error": _error_text(exc),
                               "output_error": False, "seconds": 0.0}
            bar.update(1)
    except KeyboardInterrupt:
        for fut in futs:
            fut.cancel()
        if own:
            _stop_workers(ex)
        raise
    finally:
        if own:
            ex.shutdown(wait=True, cancel_futures=True)
    return statuses


_STOPPING = False  # in a worker: an interrupt came; queued departments are not started
_RUNNING = False


def _worker_init() -> None:
    """In each worker: an interrupt stops the running report (its cleanup runs) and every queued one;
    an idle worker just notes it, so it never dies holding the pool's queue lock."""
    import signal

    def on_signal(signum, frame):
        global _STOPPING
        _STOPPING = True
        if _RUNNING:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_signal)


def _worker_render(*args, **kwargs) -> dict:
    global _RUNNING
    if _STOPPING:
        raise KeyboardInterrupt
    _RUNNING = True
    try:
        return render_department(*args, **kwargs)
    finally:
        _RUNNING = False


def _stop_workers(ex, timeout: float = 30.0) -> None:
    """Interrupt the pool's workers (when only this process got the signal) and give them
    ``timeout`` seconds to clean up before they are terminated."""
    import multiprocessing
    import signal

    procs = list(getattr(ex, "_processes", {}).values()) or multiprocessing.active_children()
    for p in procs:
        if p.is_alive() and p.pid:
            try:
                os.kill(p.pid, signal.SIGINT)
            except OSError:
                pass
    ex.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + timeout
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.terminate()


def _sweep_running(out_dir: Path) -> None:
    """Notebooks a stopped worker could not remove itself (terminated mid-run)."""
    for p in (out_dir / "notebooks").glob(f".*{RUNNING_SUFFIX}"):
        _discard(p)


def _previous_batch(out_dir: Path) -> dict | None:
    try:
        data = json.loads((out_dir / BATCH_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def check_out_dir(out_dir: Path, selection, previous: dict | None) -> None:
    """Refuse to write a selective batch into a folder holding other departments' outputs."""
    if selection is None or not out_dir.is_dir():
        return
    before = previous.get("selection", None) if previous else None
    if previous and isinstance(before, list) and set(before) <= set(selection):
        return  # an earlier run of these departments (or fewer): everything in it is overwritten
    from .outputs import output_names

    # what a batch (or ``audit -o``) writes: a folder holding one of them holds some departments' data
    found = [n for n in output_names() if (out_dir / n).exists()] + sorted(p.name for p in out_dir.glob("*.html"))
    if found:
        raise ReportError(
            f"输出文件夹 {out_dir} 中已有其他主管部门（或全部主管部门）的输出（{'、'.join(dict.fromkeys(found))}）。"
            "只生成所选主管部门的报告时，输出文件夹中不能有其他部门的内容；为免删除其中的复核意见，"
            "未删除也未写出任何文件。请换一个新的输出文件夹（-o），或不加 --department 重新生成全部报告。")


def _ensure_writable(out_dir: Path) -> None:
    """Create ``out_dir`` and ``notebooks/`` and prove a file can be written there, before any work."""
    from .errors import OutputError

    for d in (out_dir, out_dir / "notebooks"):
        try:
            d.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=".evaltools-probe.", dir=d)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise OutputError(f"无法写入输出文件夹 {d}：{exc.strerror or exc}") from exc
    from .marks import mark_output_dir

    mark_output_dir(out_dir)  # a results folder inside a data folder is never read back as data


_PAGE_KEYS = ("html", "notebook", "notebook_html", "sheet")  # a department's files in batch.json


def _remove_stale_pages(out_dir: Path, previous: dict | None, now: list[dict]) -> list[str]:
    """Pages, notebooks, their renderings and 审核单 an earlier batch listed in batch.json that this
    one did not write."""
    keep = {x for d in now for x in (d.get(k) for k in _PAGE_KEYS) if x}
    removed = []
    for d in (previous or {}).get("departments", []) if isinstance(previous, dict) else []:
        if not isinstance(d, dict):
            continue
        for rel in (d.get(k) for k in _PAGE_KEYS):
            if not isinstance(rel, str) or not rel or rel in keep:
                continue
            p = out_dir / rel
            # only a name this tool writes: a page beside index.html, a notebook (or its rendering) in
            # notebooks/, a 审核单 in its folder
            if p.suffix not in (".html", ".ipynb") or ".." in Path(rel).parts or Path(rel).is_absolute():
                continue
            if p.is_file():
                _discard(p)
                removed.append(rel)
    return removed


def _progress(total: int, enabled: bool):
    try:
        from tqdm.auto import tqdm

        return tqdm(total=total, desc="部门报告", unit="份", disable=not enabled)
    except ImportError:  # pragma: no cover
        class _Null:
            def update(self, n): ...
            def close(self): ...
        return _Null()


def _styles() -> str:
    """The report's style sheet (``templates/evaltools_report/evaltools.css``), for pages built here."""
    return (TEMPLATE_DIR / TEMPLATE_NAME / "evaltools.css").read_text(encoding="utf-8")


def _standalone(title: str, body: str, *, running_head: str, foot: str = "", cls: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="evaltools"><title>{esc(title)}</title>'
            f'<style type="text/css">{_styles()}</style>{page_css(running_head, foot)}</head>'
            f'<body class="et-page {esc(cls)}"><main>{body}</main></body></html>\n')


def index_html(batch: dict, book, *, readme: bool = False) -> str:
    """index.html: every department with its key figures and links to its page, its 项目审核单 and
    its 执行记录, and to findings.xlsx and the annotated copies' README (``readme``: there are copies)."""
    from ._version import __version__

    rows, notes = [], []
    labels = ["主管部门", "审核口径", "项目数", "全年预算数（万元）", "全年执行数（万元）", "执行率", "平均得分",
              "错误", "警告", "提示", "报告"]
    head = "".join(f"<th>{esc(x)}</th>" for x in labels)
    for d in batch["departments"]:
        s = d["summary"]
        name = d["department"] or "（未填主管部门）"
        page = link(d["html"], name) if not d["error"] and d["html"] else esc(name)
        avg = "—" if s["avg_score"] is None else f"{s['avg_score']:.2f}"
        flagged = bool((s.get("flagged") or {}).get("forms"))
        mark = f' <a class="et-mark" href="#flag-{len(notes) + 1}" title="含金额存疑的表">{FLAG}</a>' if flagged else ""
        if flagged:
            notes.append(f'<li id="flag-{len(notes) + 1}">{esc(name)}：{esc(flag_note(s))}</li>')
        trail = []
        if d.get("sheet"):
            trail.append(link(d["sheet"], "审核单", title="每个项目一页 A4 的项目审核单"))
        if d.get("notebook_html"):
            trail.append(link(d["notebook_html"], "执行记录", title="执行过的笔记本，含代码和参数（网页）"))
        if d.get("notebook"):  # the notebook itself, to open in JupyterLab and run again
            trail.append(link(d["notebook"], ".ipynb", title="执行过的笔记本文件，可在 JupyterLab 中打开"))
        trail = " · ".join(trail)
        status = (f'<span class="et-sev-error">生成失败：{esc(d["error"])}</span> {trail}' if d["error"]
                  else f'已生成 {trail}')
        cells = [(page, "et-name"), (esc(s.get("profile_title", "")), ""), (esc(s["projects"]), "et-n"),
                 (esc(_money(s["budget"])) + mark, "et-n"), (esc(_money(s["executed"])) + mark, "et-n"),
                 (esc(_rate(s["rate"])) + mark, "et-n"), (esc(avg), "et-n"), (esc(s["findings"]["error"]), "et-n"),
                 (esc(s["findings"]["warning"]), "et-n"), (esc(s["findings"]["info"]), "et-n"), (status, "")]
        rows.append("<tr>" + "".join(f'<td class="{c}" data-label="{esc(lab)}">{v}</td>'
                                     for (v, c), lab in zip(cells, labels)) + "</tr>")
    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    errors = batch.get("load_errors", 0)
    note = f"<p>读取问题 {errors} 条（见 findings.xlsx 与各部门报告）。</p>" if errors else ""
    items = [(FINDINGS_FILE, "问题清单 findings.xlsx", "全部问题及复核栏（Excel）")]
    if readme:
        items.append((ANNOTATED_README, "批注副本说明（annotated）", "有问题的单元格已着色并附批注的自评表副本"))
    flags = (f'<ol class="et-flag-note et-flags">{"".join(notes)}</ol>') if notes else ""
    body = (f'<h1>项目支出绩效自评审核报告</h1>'
            f'<p>共 {len(batch["departments"])} 个主管部门、{len(book.projects)} 份自评表。'
            f'由 evaltools {esc(__version__)} 于 {esc(when)} 生成。</p>{nav_html(items)}{note}'
            f'<table class="et-table et-index-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{flags}')
    return _standalone("项目支出绩效自评审核报告 · 目录", body, running_head="项目支出绩效自评审核报告 · 目录",
                       cls="et-index")


# ---------------------------------------------------------------------------------------------
# 项目审核单: one A4 sheet per project

# What one printed sheet holds, in millimetres of A4 (evaltools.css: 9pt text, 8.5pt findings).
# Measured in Chromium (tests/test_report_print.py prints them and checks nothing is cut off): a
# one-line row is 4.1 mm, each further line 3.2 mm; 说明 holds 45 Chinese characters a line.
_SHEET_FINDINGS_MM = 116.0  # the height left for the findings table once the head, figures and signature are in
_ROW_MM, _LINE_MM = 1.2, 3.4  # a row's padding and border; one line of 8.5pt text (rounded up)
_COLS = {"message": 84, "rule": 16, "where": 20}  # display columns (a Chinese character is 2) per line


def _display_cols(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def _row_mm(message: str, rule: str, where: str) -> float:
    lines = max(math.ceil(_display_cols(message) / _COLS["message"]), math.ceil(len(rule) / _COLS["rule"]),
                math.ceil(_display_cols(where) / _COLS["where"]), 1)
    return _ROW_MM + _LINE_MM * lines


def _decimals(v: float) -> int:
    text = f"{v:.10g}"
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def _check(printed, recomputed) -> tuple[str, str]:
    """(text, class) of 核对: the same within the printed precision, or how far apart."""
    def blank(v):
        return v is None or v == "" or (isinstance(v, float) and v != v)

    if blank(printed) or blank(recomputed):
        return ("—", "")
    if isinstance(printed, str) or isinstance(recomputed, str):
        return ("一致", "et-ok") if str(printed) == str(recomputed) else ("不一致", "et-diff")
    p, r = float(printed), float(recomputed)
    if abs(p - r) <= 0.5 * 10 ** -_decimals(p) + 1e-9:
        return ("一致", "et-ok")
    return (f"相差 {r - p:+,.2f}", "et-diff")


def _sheet_html(r: dict, sc, form, findings, annotated: dict, why: str | None, profile_title: str) -> str:
    fid = str(r["form_id"])
    mark = f" {FLAG}" if why else ""
    basis = str(sc.get("exec_rate_basis") or "")
    full_year = getattr(form, "full_year", None)
    executed = getattr(form, "executed", None)
    rows = [("全年预算数（万元）", r.get("budget_full_year"), full_year, esc(_num(r.get("budget_full_year"))) + mark,
             esc(_num(full_year)) + (f"（{esc(basis)}）" if basis else "")),
            ("全年执行数（万元）", r.get("executed"), executed, esc(_num(r.get("executed"))) + mark, esc(_num(executed))),
            ("执行率", sc["exec_rate_printed"], sc["exec_rate_recomputed"], esc(_num(sc["exec_rate_printed"], "g", "%")),
             esc(_num(sc["exec_rate_recomputed"], ".2f", "%"))),
            ("预算执行得分", sc["exec_score_printed"], sc["exec_score_recomputed"], esc(_num(sc["exec_score_printed"])),
             esc(_num(sc["exec_score_recomputed"], ".2f"))),
            ("总分", sc["total_printed"], sc["total_recomputed"], esc(_num(sc["total_printed"])),
             esc(_num(sc["total_recomputed"], ".2f"))),
            ("评价等级", sc["grade_printed"] or "", sc["grade_recomputed"] or "", esc(sc["grade_printed"] or "—"),
             esc(sc["grade_recomputed"] or "—"))]
    kv = []
    for label, p, c, ptext, ctext in rows:
        text, cls = _check(p, c)
        kv.append(f'<tr><th>{esc(label)}</th><td data-label="表内填报">{ptext}</td>'
                  f'<td data-label="复算">{ctext}</td><td class="{cls}" data-label="核对">{esc(text)}</td></tr>')
    note = ""
    if why:
        note = (f'<p class="et-flag-note">{FLAG} {esc(FLAG_REASONS[why])}：本表的全年预算数、全年执行数不计入'
                f'部门报告中“不含存疑表”的合计。</p>')
    f = findings.assign(_o=findings["severity"].map(SEVERITY_ORDER)).sort_values("_o", kind="stable")
    counts = f["severity"].value_counts().to_dict()
    # a long project name or unit takes lines from the findings (h2: 80 display columns a line at
    # 6.5 mm; the meta lines: 120 at 3.6 mm)
    meta = f"主管部门：{r.get('department') or ''}　实施单位：{r.get('implementing_unit') or ''}"
    source_line = f"审核口径：{profile_title}　来源：{Path(str(r.get('source_file') or '')).name}!{r.get('sheet', '')}"
    extra = 6.5 * (math.ceil(_display_cols(r.get("project_name") or "") / 80) - 1) + 3.6 * sum(
        max(math.ceil(_display_cols(t) / 120) - 1, 0) for t in (meta, source_line))
    room = _SHEET_FINDINGS_MM - (8.0 if why else 0.0) - max(extra, 0.0)
    shown, left = [], room
    records = f.to_dict("records")
    for i, x in enumerate(records):
        where = f"{x.get('sheet', '')}!{x.get('cell', '')}"
        need = _row_mm(str(x.get("message") or ""), str(x.get("rule") or ""), where)
        if need > left - (5.0 if i < len(records) - 1 else 0.0):  # room for the "另有" line
            break
        shown.append(x)
        left -= need
    body = []
    for x in shown:
        sev = x["severity"]
        parts = [esc(x.get("sheet") or ""), esc(x.get("cell") or "")]
        target = annotated.get(_source_key(x.get("source_file"))) if x.get("source_file") else None
        where = "<wbr>!".join(parts)
        if target:
            where = f'<a href="{esc(href("../" + target))}" title="打开批注副本">{where}</a>'
        body.append(f'<tr><td class="et-sev-{esc(sev)}" data-label="严重程度">{esc(SEVERITY_ZH.get(sev, sev))}</td>'
                    f'<td class="et-rule" data-label="规则">{esc(x.get("rule"))}</td>'
                    f'<td data-label="说明">{esc(x.get("message"))}</td>'
                    f'<td class="et-cell" data-label="位置">{where}</td></tr>')
    rest = records[len(shown):]
    more = ""
    if rest:
        by = {s: sum(1 for x in rest if x["severity"] == s) for s in SEVERITY_ORDER}
        what = "、".join(f"{SEVERITY_ZH[s]} {n}" for s, n in by.items() if n)
        more = (f'<p class="et-more">另有 {len(rest)} 条问题（{esc(what)}）本页放不下，'
                f'见部门报告“发现的问题”与 findings.xlsx。</p>')
    table = (f'<table class="et-table et-sheet-findings"><thead><tr><th>严重程度</th><th>规则</th><th>说明</th>'
             f'<th>位置</th></tr></thead><tbody>{"".join(body)}</tbody></table>' if body else
             ("" if rest else "<p>未发现问题。</p>"))
    source = Path(str(r.get("source_file") or "")).name
    target = annotated.get(_source_key(r.get("source_file"))) if r.get("source_file") else None
    src = esc(f"{source}!{r.get('sheet', '')}")
    if target:
        src = f'<a href="{esc(href("../" + target))}" title="打开批注副本">{src}</a>'
    year = "" if r.get("year") is None or r.get("year") != r.get("year") else f"{int(r['year'])} 年度"
    sev = f"错误 {counts.get('error', 0)} · 警告 {counts.get('warning', 0)} · 提示 {counts.get('info', 0)}"
    return (f'<section class="et-sheet" id="s-{esc(fid)}"><header class="et-sheet-head">'
            f'<p class="et-kind">项目审核单 {esc(year)}</p><h2>{esc(r.get("project_name") or "（未填项目名称）")}</h2>'
            f'<p class="et-meta">主管部门：{esc(r.get("department") or "（未填）")}　实施单位：'
            f'{esc(r.get("implementing_unit") or "（未填）")}<br>审核口径：{esc(profile_title)}　来源：{src}</p></header>'
            f'<table class="et-kv"><thead><tr><th>核对项</th><th>表内填报</th><th>复算</th><th>核对</th></tr></thead>'
            f'<tbody>{"".join(kv)}</tbody></table>{note}'
            f'<h3>发现的问题（{esc(sev)}）</h3>{table}{more}'
            f'<div class="et-sign"><p>审核意见：</p><div class="et-box"></div>'
            f'<p>审核人：<span class="et-line"></span>复核人：<span class="et-line"></span>'
            f'日期：<span class="et-line"></span></p></div></section>')


def sheets_html(department, book, result, findings, annotated: dict, *, page: str = "",
                profile_title: str = "") -> str:
    """A department's 项目审核单: for each audited project one section that prints on one A4 sheet —
    its amounts, 执行率, 执行得分, 总分 and grade as printed and as recomputed, and its findings with
    their cells (most severe first, as many as the sheet holds; the count of the rest is given)."""
    from .profile import load_profile

    name = department or "（未填主管部门）"
    p = book.projects
    scores = result.form_scores.set_index("form_id")
    forms = {f.form_id: f for f in result.forms}
    why = flagged_amounts(book, findings)
    titles: dict[str, str] = {}

    def title_of(profile_name: str) -> str:
        if profile_name not in titles:
            if profile_name == result.profile.name:
                titles[profile_name] = result.profile.title
            else:
                try:
                    titles[profile_name] = load_profile(profile_name).title
                except EvaltoolsError:
                    titles[profile_name] = profile_name
        return titles[profile_name]

    sections, toc, skipped = [], [], 0
    for r in p.to_dict("records"):
        fid = r["form_id"]
        if fid not in scores.index:
            skipped += 1
            continue
        sc = scores.loc[fid]
        sections.append(_sheet_html(r, sc, forms.get(fid), findings[findings["form_id"] == fid], annotated,
                                    why.get(str(fid)), title_of(str(sc.get("profile") or "")) or profile_title))
        toc.append((f"#s-{fid}", r.get("project_name") or "（未填项目名称）", "跳到该项目的审核单"))
    # this page is one folder down (审核单/): every link climbs out of it first
    items = ([(f"../{page}", "← 部门报告", "本部门的审核报告")] if page else []) + \
        [(f"../{INDEX_FILE}", "全部主管部门", "报告索引"), (f"../{FINDINGS_FILE}", "问题清单 findings.xlsx", "全部问题及复核栏")]
    intro = (f'<h1 class="et-screen">{esc(name)} 项目审核单</h1>'
             f'<p class="et-screen">每个项目一页，按 A4 打印（浏览器“打印”即可）。共 {len(sections)} 个项目'
             + (f"；另有 {skipped} 份表不是项目支出绩效自评表，不出审核单" if skipped else "") + "。</p>")
    if not sections:
        sections.append('<section class="et-sheet"><p>本部门没有参加项目审核的表。</p></section>')
    body = nav_html(items) + intro + nav_html(toc, cls="et-nav et-toc") + "".join(sections)
    return _standalone(f"{name} 项目审核单", body, running_head=f"{name} · 项目审核单", foot="项目审核单",
                       cls="et-sheets")


__all__ = ["prepare", "render_reports", "render_department", "header_html", "findings_html", "projects_html",
           "chart", "chart_html", "department_summary", "flagged_amounts", "href", "index_html", "sheets_html",
           "ReportError", "esc", "slug"]
