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

from . import resources
from .errors import EvaltoolsError, ReportError  # noqa: F401 - re-exported
from .schema import SEVERITY_LABELS as SEVERITY_ZH
from .schema import SEVERITY_ORDER, finding_view

# found through importlib.resources: a checkout's notebooks/, or the copy an installed wheel carries
DEFAULT_NOTEBOOK = resources.notebook_dir() / resources.REPORT_NOTEBOOK
TEMPLATE_DIR = resources.template_dir()
TEMPLATE_NAME = resources.TEMPLATE_NAME


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
        book = book.subset(ids)
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
        "findings": {sev: int((f["severity"] == sev).sum()) for sev in SEVERITY_ORDER},
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
    """The findings table grouped by project, each with its file, sheet and cell; the columns are
    ``schema.FINDINGS``' report view."""
    f = ctx.result.findings
    if f.empty:
        return "<h2>发现的问题</h2><p>未发现问题。</p>"
    view = finding_view("report")
    head = "".join(f"<th>{esc(_REPORT_LABELS.get(c.name, c.label))}</th>" for c in view)
    out = ["<h2>发现的问题</h2>"]
    for project, rows in f.groupby("project_name", sort=False):
        rows = rows.assign(_o=rows["severity"].map(SEVERITY_ORDER)).sort_values("_o", kind="stable")
        out.append(f"<h3>{esc(project)}</h3><table><thead><tr>{head}</tr></thead><tbody>")
        for r in rows.to_dict("records"):
            out.append("<tr>" + "".join(_report_cell(c.name, r) for c in view) + "</tr>")
        out.append("</tbody></table>")
    return "".join(out)


_REPORT_LABELS = {"cell": "位置"}  # the report shows file!sheet!cell in one column


def _report_cell(name: str, r: dict) -> str:
    if name == "severity":
        return f'<td class="et-sev-{esc(r["severity"])}">{esc(SEVERITY_ZH.get(r["severity"], r["severity"]))}</td>'
    if name == "cell":
        where = "!".join((Path(r["source_file"]).name, str(r["sheet"]), str(r["cell"])))
        return f'<td class="et-cell">{esc(where)}</td>'
    return f"<td>{esc(r.get(name, ''))}</td>"


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
    _write_text(html_path, body)
    return html_path


ENGINES = ("papermill", "warm")
FAILED_SUFFIX = ".failed.ipynb"
RUNNING_SUFFIX = ".running.ipynb"


@dataclass
class Targets:
    """Where one department's outputs go: the executed notebook, the failed one, its page."""

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


def render_department(data, department: str, out_dir, *, profile="auto", notebook=None,
                      engine: str = "papermill", files=None, cache=None, vocabulary=None, stem=None) -> dict:
    """Execute the report notebook for one department and export it. Never raises for data problems.

    The notebook runs under a hidden ``.NAME.running.ipynb``; a run that fails is kept as
    ``notebooks/NAME.failed.ipynb`` (its audit trail) and the department's earlier page and
    notebook are removed, since they no longer describe the data; an interrupted run
    (``KeyboardInterrupt``) leaves nothing and re-raises. ``stem`` is the file name the batch chose
    (``names.unique_stems``); by default ``slug(department)``.
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
              "output_error": False}
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
    if status["error"]:
        _keep_failed(t, status)
    else:
        os.replace(tmp_nb, nb_out)
        _discard(t.failed)
        try:
            from .load import iter_sources

            inputs = list(files) if files else [str(p) for p, _, problem in iter_sources(data) if not problem]
            manifest = manifest_for(data, department, profile, engine, inputs)
            export_html(nb_out, html_out, title=f"{department or '（未填主管部门）'} 绩效自评审核报告", manifest=manifest)
        except Exception as exc:
            status["error"] = f"导出 HTML 失败：{_error_text(exc)}"
            status["output_error"] = isinstance(exc, OSError)
            _discard(html_out)  # an earlier page beside this run's notebook would contradict it
    status["seconds"] = time.perf_counter() - t0
    return status


def _abandon_client_tasks() -> None:
    """After an interrupt, nbclient's polling tasks are left behind on purpose (the kernel is shut
    down under them); asyncio would log each as "Task exception was never retrieved … DeadKernelError"
    when this process (a pool worker too) exits, burying the one-line interrupt message."""
    import logging

    for name in ("asyncio", "traitlets", "papermill", "nbclient"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _keep_failed(t: Targets, status: dict) -> None:
    """A failed run: its notebook under ``NAME.failed.ipynb``, the department's earlier outputs gone."""
    for stale in (t.notebook, t.html):
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
                   engine: str = "papermill", departments=None, progress: bool = True, executor=None,
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


def write_pages(run) -> list[Path]:
    """The ``pages`` output (``outputs.py``): every department's page and notebook, in parallel."""
    book, result, r = run.book, run.result, run.report
    out_dir, depts = run.out, r["departments"]
    files = {d: sorted(set(g)) for d, g in book.projects.groupby("department")["source_file"]}
    summaries = {}
    for d in depts:
        ids = set(book.projects.loc[book.projects["department"] == d, "form_id"])
        summaries[d] = department_summary(book.subset(ids), result.findings[result.findings["form_id"].isin(ids)],
                                          result.form_scores[result.form_scores["form_id"].isin(ids)])
    jobs, executor, kwargs, stems = r["jobs"], r["executor"], r["kwargs"], r["stems"]
    t0 = time.perf_counter()
    bar = _progress(len(depts), r["progress"])
    try:
        if executor is None and (jobs == 1 or len(depts) <= 1):
            statuses = {}
            for d in depts:
                statuses[d] = render_department(r["data"], d, out_dir, files=files.get(d), stem=stems[d], **kwargs)
                bar.update(1)
        else:
            statuses = _render_parallel(r["data"], depts, out_dir, files, stems, kwargs, jobs, executor, bar)
    except KeyboardInterrupt:
        _sweep_running(out_dir)
        raise
    finally:
        bar.close()
    run.batch.update({"departments": [{**statuses[d], "summary": summaries[d]} for d in depts],
                      "seconds": time.perf_counter() - t0, "jobs": jobs, "engine": r["engine"],
                      "selection": r["selection"],
                      "load_errors": int((book.load_errors["level"] == "error").sum())})
    return [out_dir / x for d in run.batch["departments"] for x in (d.get("html"), d.get("notebook")) if x]


def write_index(run) -> list[Path]:
    """The ``index`` output: index.html and batch.json, after the pages an earlier batch left are removed."""
    batch, out_dir = run.batch, run.out
    batch["removed"] = _remove_stale_pages(out_dir, run.report["previous"], batch["departments"])
    _write_text(out_dir / "index.html", index_html(batch, run.book))
    _write_text(out_dir / BATCH_FILE, json.dumps(batch, ensure_ascii=False, indent=1, default=str))
    return [out_dir / "index.html", out_dir / BATCH_FILE]


def _render_parallel(data, depts, out_dir, files, stems, kwargs, jobs, executor, bar) -> dict:
    """The departments on ``executor`` (default: local processes). On an interrupt the pending ones
    are cancelled and the running ones stopped (they remove their own partial notebooks)."""
    from concurrent.futures import as_completed

    from .executors import process_pool

    own = executor is None
    ex = executor or process_pool(min(jobs, len(depts)), initializer=_worker_init)
    task = _worker_render if own else render_department
    statuses = {}
    futs = {}
    try:
        futs = {ex.submit(task, str(data), d, str(out_dir), files=files.get(d), stem=stems[d], **kwargs): d
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


def _remove_stale_pages(out_dir: Path, previous: dict | None, now: list[dict]) -> list[str]:
    """Pages and notebooks an earlier batch listed in batch.json that this one did not write."""
    keep = {x for d in now for x in (d.get("html"), d.get("notebook")) if x}
    removed = []
    for d in (previous or {}).get("departments", []) if isinstance(previous, dict) else []:
        if not isinstance(d, dict):
            continue
        for rel in (d.get("html"), d.get("notebook")):
            if not isinstance(rel, str) or not rel or rel in keep:
                continue
            p = out_dir / rel
            # only a name this tool writes: a page beside index.html or a notebook in notebooks/
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


def index_html(batch: dict, book) -> str:
    from ._version import __version__

    rows = []
    for d in batch["departments"]:
        s = d["summary"]
        name = esc(d["department"] or "（未填主管部门）")
        link = f'<a href="{esc(d["html"])}">{name}</a>' if not d["error"] and d["html"] else name
        rate = "—" if s["rate"] is None else f"{s['rate']:.2f}%"
        avg = "—" if s["avg_score"] is None else f"{s['avg_score']:.2f}"
        trail = f'（<a href="{esc(d["notebook"])}">执行记录</a>）' if d.get("notebook") else ""
        status = (f'<span class="et-sev-error">生成失败：{esc(d["error"])}</span>{trail}' if d["error"]
                  else f'已生成{trail}')
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
