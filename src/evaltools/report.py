"""Per-department reports: papermill executes ``notebooks/department_report.ipynb`` once per 主管部门,
the executed notebook is kept (the audit trail, with its parameters) and exported to a
self-contained HTML page (no code, images embedded, no network fetch), plus ``index.html``.

The notebook stays thin: it calls ``prepare()`` and the ``*_html`` functions below. Every text that
comes from a form is escaped here, once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import EvaltoolsError
from .rules import SEVERITY_LABELS as SEVERITY_ZH

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_NOTEBOOK = ROOT / "notebooks" / "department_report.ipynb"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "evaltools_report"


class ReportError(EvaltoolsError):
    """Misuse of the report: bad parameters, a missing notebook, a department not in the data."""


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
    """A file name for a department: readable Chinese kept, path characters dropped.

    When characters had to be replaced or the name cut, a short hash of the full name is added,
    so 教育局/体育局 and 教育局:体育局 never share a file.
    """
    text = re.sub(r'[\\/:*?"<>|\s]+', "_", name.strip()) or "未填主管部门"
    if text != name or len(text) > 60:
        text = f"{text[:60]}-{hashlib.sha1(name.encode()).hexdigest()[:6]}"
    return text


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


def validate_parameters(data, department, profile) -> None:
    paths = list(data) if isinstance(data, (list, tuple)) else [data]
    missing = [p for p in paths if not p or not Path(str(p)).exists()]
    if not paths or missing:
        raise ReportError(f"参数 data 指向的路径不存在：{missing[0] if missing else data!r}")
    if department is not None and not isinstance(department, str):
        raise ReportError(f"参数 department 应为主管部门名称（字符串），收到 {type(department).__name__}")
    if profile is not None and not isinstance(profile, (str, dict)):
        raise ReportError("参数 profile 应为 'national'、配置文件路径或字典")


def subset(book, form_ids):
    """The part of a Book that belongs to some forms (the DataFrames filtered, nothing re-read)."""
    from .load import Book

    ids = set(form_ids)
    files = set(book.projects.loc[book.projects["form_id"].isin(ids), "source_file"])
    return Book(
        projects=book.projects[book.projects["form_id"].isin(ids)].reset_index(drop=True),
        funds=book.funds[book.funds["form_id"].isin(ids)].reset_index(drop=True),
        indicators=book.indicators[book.indicators["form_id"].isin(ids)].reset_index(drop=True),
        load_errors=book.load_errors[book.load_errors["source_file"].isin(files)].reset_index(drop=True),
        unmapped=book.unmapped[book.unmapped["form_id"].isin(ids)].reset_index(drop=True),
        cells=book.cells[book.cells["form_id"].isin(ids)].reset_index(drop=True),
        sheets=book.sheets[book.sheets["source_file"].isin(files)].reset_index(drop=True),
        cell_counts={k: v for k, v in book.cell_counts.items() if k in ids},
    )


def prepare(data, department: str | None = None, profile="auto", book=None, cache=None,
            vocabulary=None) -> DepartmentContext:
    """Load ``data`` (a folder or a list of files; unless a Book is given), keep one department,
    audit it, summarise it."""
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
        book = subset(book, ids)
    result = audit(book, profile)
    used = sorted({f.profile_name for f in result.forms}) or [result.profile.name]
    ctx = DepartmentContext(data=str(data), department=department, profile_name="、".join(used), book=book,
                            result=result)
    ctx.summary = department_summary(book, result.findings, result.form_scores)
    return ctx


def department_summary(book, findings, form_scores) -> dict:
    """The key figures of a set of forms: the project forms the audit checks (a department-wide form
    or a target table restates money its projects already count); ``shown`` counts every form."""
    shown = int(len(book.projects))
    p = book.projects[book.projects["audited"].astype(bool)] if "audited" in book.projects else book.projects
    s = form_scores
    f = findings
    budget = float(p["budget_full_year"].sum(skipna=True)) if len(p) else 0.0
    executed = float(p["executed"].sum(skipna=True)) if len(p) else 0.0
    grades = s["grade_recomputed"].value_counts().to_dict() if len(s) else {}
    years = sorted({int(y) for y in p["year"].dropna()}) if len(p) else []
    return {
        "projects": int(len(p)),
        "shown": shown,
        "budget": budget,
        "executed": executed,
        "rate": executed / budget * 100 if budget else None,
        "avg_score": float(p["total_score"].mean()) if len(p) and p["total_score"].notna().any() else None,
        "grades": {g: int(grades.get(g, 0)) for g in ("优", "良", "中", "差")},
        "findings": {sev: int((f["severity"] == sev).sum()) for sev in ("error", "warning", "info")},
        "years": years,
    }


# ---------------------------------------------------------------------------------------------
# HTML pieces the notebook displays


def header_html(ctx: DepartmentContext) -> str:
    s = ctx.summary
    year = "、".join(str(y) for y in s["years"]) or "—"
    dept = "全部主管部门" if ctx.department is None else (ctx.department or "（未填主管部门）")
    rate = "—" if s["rate"] is None else f"{s['rate']:.2f}%"
    avg = "—" if s["avg_score"] is None else f"{s['avg_score']:.2f}"
    grades = " · ".join(f"{g} {n}" for g, n in s["grades"].items())
    sev = s["findings"]
    projects = s["projects"] if s.get("shown", s["projects"]) == s["projects"] else \
        f"{s['projects']}（另有不参加项目审核的表 {s['shown'] - s['projects']} 份）"
    cards = [("项目数", projects), ("全年预算数（万元）", f"{s['budget']:,.2f}"),
             ("全年执行数（万元）", f"{s['executed']:,.2f}"), ("总体执行率", rate), ("平均自评得分", avg),
             ("等级（重算）", grades),
             ("发现问题", f"错误 {sev['error']} · 警告 {sev['warning']} · 提示 {sev['info']}")]
    body = "".join(f'<div class="et-card">{esc(k)}<b>{esc(v)}</b></div>' for k, v in cards)
    return (f'<h1>{esc(dept)} {esc(year)} 年度项目支出绩效自评审核报告</h1>'
            f'<p>审核口径：{esc(ctx.profile_name)}。下列数字由 evaltools 根据各自评表重新计算。</p>{body}')


def findings_html(ctx: DepartmentContext) -> str:
    """The findings table grouped by project, each with its file, sheet and cell."""
    f = ctx.result.findings
    if f.empty:
        return "<h2>发现的问题</h2><p>未发现问题。</p>"
    out = ["<h2>发现的问题</h2>"]
    order = {"error": 0, "warning": 1, "info": 2}
    for project, rows in f.groupby("project_name", sort=False):
        rows = rows.assign(_o=rows["severity"].map(order)).sort_values("_o", kind="stable")
        out.append(f"<h3>{esc(project)}</h3><table><thead><tr><th>严重程度</th><th>规则</th><th>说明</th>"
                   "<th>应为</th><th>实际</th><th>位置</th></tr></thead><tbody>")
        for r in rows.itertuples():
            where = f"{Path(r.source_file).name}!{r.sheet}!{r.cell}"
            out.append(f'<tr><td class="et-sev-{esc(r.severity)}">{esc(SEVERITY_ZH.get(r.severity, r.severity))}</td>'
                       f"<td>{esc(r.rule)}</td><td>{esc(r.message)}</td><td>{esc(r.expected)}</td>"
                       f'<td>{esc(r.actual)}</td><td class="et-cell">{esc(where)}</td></tr>')
        out.append("</tbody></table>")
    return "".join(out)


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
    out = ["<h2>各项目情况</h2>"]
    for r in p.itertuples():
        title = r.project_name or f"{r.department}（{r.form_type}）"
        if r.form_id not in s.index:  # a target table or a department-wide form: shown, not audited
            out.append(
                f'<div class="et-project"><h3>{esc(title)}</h3>'
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
        out.append(
            f'<div class="et-project"><h3>{esc(title)}</h3>'
            f"<p>实施单位：{esc(r.implementing_unit)}；全年预算数 {esc(_num(r.budget_full_year))} 万元，全年执行数 "
            f"{esc(_num(r.executed))} 万元；执行率 印 {esc(rate_p)} / 算 {esc(rate_c)}；总分 印 {esc(_num(r.total_score))} / 算 "
            f"{esc(tot_c)}（{esc(sc['grade_recomputed'])}）。发现：错误 {n.get('error', 0)}，警告 {n.get('warning', 0)}，"
            f"提示 {n.get('info', 0)}。</p>"
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


# ---------------------------------------------------------------------------------------------
# Running papermill and exporting HTML


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest_for(data, department: str, profile, engine: str, files: list[str]) -> dict:
    from . import __version__

    return {
        "evaltools_version": __version__,
        "department": department,
        "profile": profile if isinstance(profile, str) else "custom",
        "engine": engine,
        "data": str(data),
        "inputs": {str(f): _sha256(Path(f)) for f in sorted(files) if Path(f).exists()},
        "rendered_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_html(nb_path: Path, html_path: Path, *, title: str, manifest: dict) -> Path:
    """The executed notebook as a self-contained page: no input cells, images inline, no stderr."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(nb_path, as_version=4)
    # cells tagged "report-hide" explain the notebook to its readers, not the report to its readers
    nb.cells = [c for c in nb.cells if "report-hide" not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", [])
                               if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    nb.metadata["title"] = title
    exporter = HTMLExporter(template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATE_DIR)],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            embed_images=True, language_code="zh-CN")
    body, _ = exporter.from_notebook_node(nb)
    block = json.dumps(manifest, ensure_ascii=False, indent=1).replace("</", "<\\/")
    foot = (f'<div class="et-manifest">由 evaltools {esc(manifest["evaltools_version"])} 生成；审核口径 '
            f'{esc(manifest["profile"])}；渲染引擎 {esc(manifest["engine"])}；生成时间 {esc(manifest["rendered_at"])}；'
            f'输入文件 {len(manifest["inputs"])} 个（SHA-256 见页面内嵌清单）。</div>'
            f'<script type="application/json" id="evaltools-manifest">{block}</script>')
    body = body.replace("</main>", foot + "</main>", 1)
    body = re.sub(r'<html lang="[^"]*">', '<html lang="zh-CN">', body, count=1)
    _atomic_write(html_path, body)
    return html_path


ENGINES = ("papermill", "warm")


def render_department(data, department: str, out_dir, *, profile="auto", notebook=None,
                      engine: str = "papermill", files=None, cache=None, vocabulary=None) -> dict:
    """Execute the report notebook for one department and export it. Never raises for data problems."""
    import papermill as pm

    if engine not in ENGINES:
        raise ReportError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    out_dir = Path(out_dir)
    notebook = Path(notebook or DEFAULT_NOTEBOOK)
    if not notebook.exists():
        raise ReportError(f"report notebook not found: {notebook}")
    name = slug(department)
    nb_out = out_dir / "notebooks" / f"{name}.ipynb"
    html_out = out_dir / f"{name}.html"
    nb_out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    status = {"department": department, "html": html_out.name, "notebook": f"notebooks/{nb_out.name}", "error": ""}
    tmp_nb = nb_out.with_name(f".{nb_out.stem}.running.ipynb")
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
        pm.execute_notebook(str(notebook), str(tmp_nb), parameters=params,
            progress_bar=False, kernel_name="python3", cwd=str(ROOT), log_output=False,
            engine_name=_papermill_engine(engine))
    except Exception as exc:  # the failed notebook is still kept: it is the audit trail of the failure
        status["error"] = _error_text(exc)
    finally:
        if tmp_nb.exists():
            os.replace(tmp_nb, nb_out)
    status["seconds_execute"] = time.perf_counter() - t0
    if not status["error"]:
        try:
            from .load import iter_sources

            inputs = list(files) if files else [str(p) for p, _, problem in iter_sources(data) if not problem]
            manifest = manifest_for(data, department, profile, engine, inputs)
            export_html(nb_out, html_out, title=f"{department or '（未填主管部门）'} 绩效自评审核报告", manifest=manifest)
        except Exception as exc:
            status["error"] = f"导出 HTML 失败：{_error_text(exc)}"
    status["seconds"] = time.perf_counter() - t0
    return status


def _papermill_engine(engine: str) -> str:
    from .engines import ENGINES as PM_ENGINES  # registers the warm engine with papermill

    return PM_ENGINES[engine]


def _error_text(exc: BaseException) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    return f"{ename}: {evalue}".strip()[:500]


# ---------------------------------------------------------------------------------------------
# The batch


def render_reports(data, out_dir, *, profile="auto", jobs: int | None = None, notebook=None,
                   engine: str = "papermill", departments=None, progress: bool = True, executor=None,
                   cache=None, vocabulary=None) -> dict:
    """One report per 主管部门 of ``data``, in parallel, then ``index.html``. Returns the batch summary."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from .audit import audit
    from .load import load

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    book = load(data, executor=executor, cache=cache, vocabulary=vocabulary)
    result = audit(book, profile, executor=executor)
    depts = sorted(set(book.projects["department"])) if departments is None else list(departments)
    files = {d: sorted(set(g)) for d, g in book.projects.groupby("department")["source_file"]}
    summaries = {}
    for d in depts:
        ids = set(book.projects.loc[book.projects["department"] == d, "form_id"])
        summaries[d] = department_summary(subset(book, ids), result.findings[result.findings["form_id"].isin(ids)],
                                          result.form_scores[result.form_scores["form_id"].isin(ids)])
    jobs = jobs or os.cpu_count() or 1
    statuses = {}
    t0 = time.perf_counter()
    bar = _progress(len(depts), progress)
    if executor is None and (jobs == 1 or len(depts) <= 1):
        for d in depts:
            statuses[d] = render_department(data, d, out_dir, profile=profile, notebook=notebook, engine=engine,
                                            files=files.get(d), cache=cache, vocabulary=vocabulary)
            bar.update(1)
    else:
        own = executor is None
        ex = executor or ProcessPoolExecutor(max_workers=min(jobs, len(depts)))
        try:
            futs = {ex.submit(render_department, str(data), d, str(out_dir), profile=profile,
                              notebook=str(notebook) if notebook else None, engine=engine, files=files.get(d),
                              cache=str(cache) if cache else None,
                              vocabulary=str(vocabulary) if vocabulary else None): d for d in depts}
            for fut in as_completed(futs):
                d = futs[fut]
                try:
                    statuses[d] = fut.result()
                except Exception as exc:
                    statuses[d] = {"department": d, "html": "", "notebook": "", "error": _error_text(exc),
                                   "seconds": 0.0}
                bar.update(1)
        finally:
            if own:
                ex.shutdown()
    bar.close()
    batch = {"departments": [{**statuses[d], "summary": summaries[d]} for d in depts],
             "seconds": time.perf_counter() - t0, "jobs": jobs, "engine": engine,
             "load_errors": int((book.load_errors["level"] == "error").sum())}
    _atomic_write(out_dir / "index.html", index_html(batch, book))
    _atomic_write(out_dir / "batch.json", json.dumps(batch, ensure_ascii=False, indent=1, default=str))
    batch["book"], batch["result"] = book, result
    return batch


def _progress(total: int, enabled: bool):
    try:
        from tqdm.auto import tqdm

        return tqdm(total=total, desc="部门报告", unit="份", disable=not enabled)
    except ImportError:  # pragma: no cover
        class _Null:
            def update(self, n): ...
            def close(self): ...
        return _Null()


def index_html(batch: dict, book) -> str:
    from . import __version__

    rows = []
    for d in batch["departments"]:
        s = d["summary"]
        name = esc(d["department"] or "（未填主管部门）")
        link = f'<a href="{esc(d["html"])}">{name}</a>' if not d["error"] and d["html"] else name
        rate = "—" if s["rate"] is None else f"{s['rate']:.2f}%"
        avg = "—" if s["avg_score"] is None else f"{s['avg_score']:.2f}"
        status = (f'<span class="et-sev-error">生成失败：{esc(d["error"])}</span>' if d["error"]
                  else f'已生成（<a href="{esc(d["notebook"])}">执行记录</a>）')
        rows.append(f"<tr><td>{link}</td><td>{s['projects']}</td><td>{s['budget']:,.2f}</td><td>{s['executed']:,.2f}</td>"
                    f"<td>{rate}</td><td>{avg}</td><td>{s['findings']['error']}</td><td>{s['findings']['warning']}</td>"
                    f"<td>{s['findings']['info']}</td><td>{status}</td></tr>")
    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    errors = batch.get("load_errors", 0)
    note = f"<p>读取问题 {errors} 条（见 findings.xlsx 与各部门报告）。</p>" if errors else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>项目支出绩效自评审核报告 · 目录</title>
<style>
 body {{ font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; }}
 table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
 th, td {{ border: 1px solid #d0d7de; padding: 6px 8px; text-align: left; }}
 th {{ background: #f3f5f7; }} td:nth-child(n+2):nth-child(-n+9) {{ text-align: right; }}
 .et-sev-error {{ color: #b42318; }}
 @media print {{ a {{ color: inherit; text-decoration: none; }} }}
</style></head><body>
<h1>项目支出绩效自评审核报告</h1>
<p>共 {len(batch["departments"])} 个主管部门、{len(book.projects)} 份自评表。由 evaltools {esc(__version__)} 于 {esc(when)} 生成。</p>
{note}
<table><thead><tr><th>主管部门</th><th>项目数</th><th>全年预算数（万元）</th><th>全年执行数（万元）</th><th>执行率</th>
<th>平均得分</th><th>错误</th><th>警告</th><th>提示</th><th>报告</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
</body></html>
"""


__all__ = ["prepare", "render_reports", "render_department", "header_html", "findings_html", "projects_html",
           "ReportError", "esc", "slug"]
