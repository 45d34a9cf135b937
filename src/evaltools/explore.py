"""An ipywidgets explorer for JupyterLab: pick a department and a project, see the form with its
flagged cells, its findings (filtered by severity and rule) and the plots, all following the
selection. ``notebooks/explore.ipynb`` is one call to ``explorer()``.
"""

from __future__ import annotations

from pathlib import Path

from .report import esc
from .schema import SEVERITY_BACKGROUNDS as SEVERITY_FILL
from .schema import SEVERITY_LABELS as SEVERITY_ZH
from .schema import SEVERITY_ORDER, finding_view
ALL = "（全部）"


def form_table_html(book, result, form_id: str) -> str:
    """The form's region as an HTML table, each flagged cell filled by severity with its messages."""
    from .read import cell_name, parse_cell_name, read_workbook

    p = book.projects.set_index("form_id").loc[form_id]
    grid = next(g for g in read_workbook(Path(p["source_file"])).sheets if g.name == p["sheet"])
    start, end = p["form_range"].split(":")
    (r0, c0), (r1, c1) = parse_cell_name(start), parse_cell_name(end)
    f = result.findings[result.findings["form_id"] == form_id]
    order = {"error": 0, "warning": 1, "info": 2}
    flags: dict[str, list] = {}
    for r in f.itertuples():
        flags.setdefault(r.cell, []).append(r)
    covered = set()
    spans = {}
    for a, b, c, d in grid.merges:
        if r0 <= a <= r1:
            spans[(a, b)] = (c - a + 1, d - b + 1)
            covered |= {(x, y) for x in range(a, c + 1) for y in range(b, d + 1)} - {(a, b)}
    from .cellvalues import to_text

    rows = []
    for r in range(r0, r1 + 1):
        tds = []
        for c in range(c0, c1 + 1):
            if (r, c) in covered:
                continue
            name = cell_name(r, c)
            rs, cs = spans.get((r, c), (1, 1))
            attrs = f' rowspan="{rs}"' if rs > 1 else ""
            attrs += f' colspan="{cs}"' if cs > 1 else ""
            hits = sorted(flags.get(name, []), key=lambda x: order.get(x.severity, 9))
            style = "border:1px solid #d0d7de;padding:2px 4px;font-size:12px;vertical-align:top"
            title = ""
            if hits:
                style += f";background:{SEVERITY_FILL.get(hits[0].severity, '#eee')};outline:2px solid #b42318"
                title = f' title="{esc(" / ".join(f"{h.rule}：{h.message}" for h in hits))}"'
            tds.append(f'<td{attrs}{title} style="{style}">{esc(to_text(grid.value(r, c)))}</td>')
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return ('<table style="border-collapse:collapse;font-family:\'Microsoft YaHei\',\'PingFang SC\','
            '\'Noto Sans CJK SC\',sans-serif">' + "".join(rows) + "</table>")


def findings_table_html(findings) -> str:
    """The selected findings; the columns are ``schema.FINDINGS``' explore view."""
    if findings.empty:
        return "<p>没有符合条件的问题。</p>"
    view = finding_view("explore")

    def td(name, r):
        if name == "severity":
            return (f'<td style="background:{SEVERITY_FILL.get(r["severity"], "")}">'
                    f'{esc(SEVERITY_ZH.get(r["severity"], r["severity"]))}</td>')
        return f"<td>{esc(r.get(name, ''))}</td>"

    rows = "".join("<tr>" + "".join(td(c.name, r) for c in view) + "</tr>" for r in findings.to_dict("records"))
    head = "".join(f"<th>{esc(c.label)}</th>" for c in view)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


class Explorer:
    """The widgets and their wiring; display it (it is the last expression of the notebook cell)."""

    def __init__(self, book, result):
        import ipywidgets as w

        self.book, self.result = book, result
        depts = sorted(set(book.projects["department"]))
        self.department = w.Dropdown(options=depts, description="主管部门", layout=w.Layout(width="420px"))
        self.project = w.Dropdown(options=[], description="项目", layout=w.Layout(width="620px"))
        self.severity = w.SelectMultiple(options=[(SEVERITY_ZH[s], s) for s in SEVERITY_ORDER],
                                         value=tuple(SEVERITY_ORDER), description="严重程度", rows=3)
        self.rule = w.Dropdown(options=[ALL], value=ALL, description="规则")
        self.form_html = w.HTML()
        self.findings_html = w.HTML()
        self.plots = w.Output()
        self.ui = w.VBox([
            w.HBox([self.department, self.project]),
            w.HBox([self.severity, self.rule]),
            w.HTML("<h3>自评表（高亮为有问题的单元格，悬停查看说明）</h3>"), self.form_html,
            w.HTML("<h3>问题</h3>"), self.findings_html,
            w.HTML("<h3>图表</h3>"), self.plots,
        ])
        self.department.observe(lambda _: self._on_department(), names="value")
        self.project.observe(lambda _: self._on_project(), names="value")
        self.severity.observe(lambda _: self._on_filter(), names="value")
        self.rule.observe(lambda _: self._on_filter(), names="value")
        self._on_department()

    def _forms(self):
        p = self.book.projects
        return p[p["department"] == self.department.value]

    def _on_department(self) -> None:
        forms = self._forms()
        self.project.options = [(str(r.project_name), r.form_id) for r in forms.itertuples()]
        if len(forms):
            self.project.value = forms["form_id"].iloc[0]
        self._on_project()

    def _on_project(self) -> None:
        fid = self.project.value
        if not fid:
            self.form_html.value = self.findings_html.value = ""
            return
        f = self.result.findings
        rules = sorted(set(f.loc[f["form_id"] == fid, "rule"]))
        self.rule.options = [ALL] + rules
        self.rule.value = ALL
        try:
            self.form_html.value = form_table_html(self.book, self.result, fid)
        except Exception as exc:  # the source file may have moved since it was loaded
            self.form_html.value = f"<p>无法显示原表：{esc(exc)}</p>"
        self._on_filter()
        self._draw()

    def _on_filter(self) -> None:
        f = self.result.findings
        sel = f[(f["form_id"] == self.project.value) & f["severity"].isin(self.severity.value)]
        if self.rule.value != ALL:
            sel = sel[sel["rule"] == self.rule.value]
        self.findings_html.value = findings_table_html(sel)

    def _draw(self) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import display

        from . import plots

        self.plots.clear_output(wait=True)
        figs = (plots.execution(self.book, self.result, department=self.department.value),
                plots.weights(self.book, form_id=self.project.value),
                plots.lost_points(self.result, form_id=self.project.value))
        # what was drawn, for whoever checks the explorer outside a kernel (where Output captures nothing)
        self.drawn = [fig.axes[0].get_title() if fig.axes else "" for fig in figs]
        with self.plots:
            for fig in figs:
                display(fig)
                plt.close(fig)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.ui)


def explorer(data, result=None, *, profile="auto") -> Explorer:
    """Build the explorer for a folder (or a loaded Book and its AuditResult)."""
    from .audit import audit
    from .load import Book, load

    book = data if isinstance(data, Book) else load(data)
    result = result if result is not None else audit(book, profile)
    return Explorer(book, result)
