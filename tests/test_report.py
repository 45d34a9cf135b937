"""Reports, for real: papermill executes the notebooks on the sample data, nbconvert exports them,
and a headless Chromium opens the result."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

import evaltools
import formkit as fk
from conftest import ROOT, SEED_DIR, SYNTH_DIR, need_system, need_module
from evaltools.report import ReportError, esc, render_department, render_reports

HOSTILE = '<script>alert("x")</script>扶贫&调研'


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The whole sample batch (seed + synthetic county) with two workers."""
    data = tmp_path_factory.mktemp("data")
    shutil.copytree(SEED_DIR, data / "huguan-2021")
    shutil.copytree(SYNTH_DIR, data / "synthetic")
    form = fk.replace(fk.seed_form(0), {"扶贫调研经费（2020年国库集中支付年终结余资金）": HOSTILE})
    form = fk.replace(form, {"壶关县人民政府办公室-002": "测试局-099"})
    fk.write_xlsx(data / "hostile.xlsx", [("Sheet1", form)])
    out = tmp_path_factory.mktemp("reports")
    result = render_reports(data, out, jobs=2, progress=False)
    return data, out, result


def test_every_department_rendered(batch):
    data, out, result = batch
    depts = {d["department"]: d for d in result["departments"]}
    book = evaltools.load(data)
    assert set(depts) == set(book.projects["department"])
    assert all(not d["error"] for d in depts.values()), [d["error"] for d in depts.values() if d["error"]]
    for d in depts.values():
        assert (out / d["html"]).exists() and (out / d["notebook"]).exists()
    # only the results-folder marker may be hidden: no temporary file is left behind
    assert not [p for p in out.rglob(".*") if p.name not in (".evaltools-output", ".evaltools-annotated.json")], \
        "temporary files left behind"


def test_report_html_is_self_contained_and_complete(batch):
    data, out, result = batch
    book = evaltools.load(data)
    for d in result["departments"]:
        text = (out / d["html"]).read_text(encoding="utf-8")
        assert "jp-InputArea jp-Cell-inputArea" not in text and "from evaltools import" not in text  # no code
        srcs = re.findall(r'<img[^>]+src="([^"]*)"', text)
        assert srcs and all(s.startswith("data:image/") for s in srcs)
        assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', text)  # nothing fetched
        assert '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC"' in text and "@media print" in text
        assert f"<title>{esc(d['department'])} 绩效自评审核报告</title>" in text
        for name in book.projects.loc[book.projects["department"] == d["department"], "project_name"]:
            assert html.escape(name, quote=False) in text, name  # nbconvert leaves quotes in text bare
        manifest = json.loads(re.search(r'id="evaltools-manifest">(.*?)</script>', text, re.S).group(1))
        # the API renders with the warm engine by default, as the command line does
        assert manifest["evaltools_version"] == evaltools.__version__ and manifest["engine"] == "warm"
        assert manifest["profile"] == "auto" and manifest["inputs"]
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in manifest["inputs"].values())


def test_hostile_project_name_is_escaped(batch):
    _, out, result = batch
    d = next(d for d in result["departments"] if d["department"] == "测试局")
    text = (out / d["html"]).read_text(encoding="utf-8")
    assert '<script>alert("x")</script>' not in text
    # nbconvert re-serialises the HTML: quotes in text need no escaping, markup does
    assert re.search(r"&lt;script&gt;alert\((&quot;|\")x(&quot;|\")\)&lt;/script&gt;扶贫&amp;调研", text)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in index


def test_executed_notebook_keeps_parameters(batch):
    _, out, result = batch
    d = result["departments"][0]
    nb = nbformat.read(out / d["notebook"], as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "department = " in injected[0].source
    assert nb.metadata["papermill"]["parameters"]["department"] == d["department"]


def test_index_lists_failed_department(tmp_path):
    nb = nbformat.read(ROOT / "notebooks" / "department_report.ipynb", as_version=4)
    boom = nbformat.v4.new_code_cell('if department.startswith("示例县公安"):\n    raise RuntimeError("故意失败")')
    nb.cells.insert(3, boom)
    custom = tmp_path / "boom.ipynb"
    nbformat.write(nb, custom)
    result = render_reports(SYNTH_DIR, tmp_path / "out", jobs=2, notebook=custom, progress=False,
                            departments=["示例县公安局", "示例县财政局"])
    status = {d["department"]: d for d in result["departments"]}
    assert "故意失败" in status["示例县公安局"]["error"] and not status["示例县财政局"]["error"]
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "生成失败" in index and "故意失败" in index and 'href="示例县财政局.html"' in index
    assert (tmp_path / "out" / status["示例县公安局"]["notebook"]).exists()  # the failed run is kept


def test_bad_parameters_are_reported(tmp_path):
    st = render_department(SEED_DIR, "没有这个部门", tmp_path)
    assert "没有主管部门“没有这个部门”" in st["error"] and "壶关县人民政府办公室" in st["error"]
    with pytest.raises(ReportError):
        evaltools.report.prepare(tmp_path / "missing", "")


def test_explore_notebook_builds_its_widgets(tmp_path):
    import papermill as pm

    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "explore.ipynb"), str(out), parameters={"data": str(SYNTH_DIR)},
                        kernel_name="python3", progress_bar=False, cwd=str(ROOT))
    nb = nbformat.read(out, as_version=4)
    mimes = {k for c in nb.cells if c.cell_type == "code" for o in c.outputs for k in o.get("data", {})}
    assert "application/vnd.jupyter.widget-view+json" in mimes


def test_explorer_follows_the_selection():
    from evaltools.explore import explorer

    app = explorer(SYNTH_DIR)
    depts = list(app.department.options)
    assert len(depts) == 5
    app.department.value = depts[1]
    names = [label for label, _ in app.project.options]
    assert names and esc(names[0]) in app.form_html.value
    with_findings = app.result.findings["form_id"]
    fid = next(v for _, v in app.project.options if v in set(with_findings))
    app.project.value = fid
    assert "outline" in app.form_html.value  # flagged cells are highlighted
    rules = [r for r in app.rule.options if r != "（全部）"]
    app.rule.value = rules[0]
    assert rules[0] in app.findings_html.value
    app.severity.value = ()
    assert "没有符合条件的问题" in app.findings_html.value
    assert len(app.drawn) == 3 and "全年预算数" in app.drawn[0] and "指标权重" in app.drawn[1]


def _browser():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    need_system(path is not None, "Debian's chromium (apt-get install chromium)")
    pw = need_module("playwright.sync_api", "playwright (pip install playwright)")
    return path, pw


def test_headless_chromium_opens_index_and_report(batch, tmp_path):
    path, pw = _browser()
    from PIL import Image

    _, out, result = batch
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"]
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=args)
        for page_name in ("index.html", result["departments"][0]["html"]):
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto((out / page_name).as_uri())
            page.wait_for_load_state("load")
            shot = tmp_path / f"{Path(page_name).stem}.png"
            page.screenshot(path=str(shot))
            assert not errors, errors
            img = Image.open(shot).convert("L")
            lo, hi = img.getextrema()
            assert hi - lo > 100, "blank screenshot"
            dark = sum(n for n, v in (img.getcolors(1 << 16) or []) if v < 128)
            assert dark > 2000, "no text drawn"
            page.close()
        browser.close()


def test_audit_notebook_executes(tmp_path):
    import papermill as pm

    out = tmp_path / "audit.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "audit.ipynb"), str(out),
                        parameters={"data": str(SEED_DIR), "department": "壶关县人民政府办公室"},
                        kernel_name="python3", progress_bar=False, cwd=str(ROOT))
    nb = nbformat.read(out, as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "审核 8 份自评表" in text
    # the tables are shown under the schema's Chinese labels, not the column names
    from evaltools.schema import table

    shown = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    for name, col in (("form_scores", "total_recomputed"), ("indicator_scores", "score_printed"), ("findings", "rule")):
        label = table(name).column(col).label
        assert f"<th>{label}</th>" in shown and f"<th>{col}</th>" not in shown
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) == 4


def test_reports_on_the_real_forms_of_other_provinces(tmp_path):
    """Real papermill runs on forms of other types and conventions: a department-wide form (not
    audited, shown as what it is), a target table, a form without 分值/得分 columns."""
    real = ROOT / "data" / "real"
    data = tmp_path / "data"
    data.mkdir()
    for name in ("22_anhui_jinzhai_2023.xlsx", "25_hunan_yueyang_2022.xlsx", "13_hunan_hengshan_2020.xlsx"):
        shutil.copy(real / name, data / name)
    out = tmp_path / "out"
    result = render_reports(data, out, jobs=1, progress=False)
    depts = {d["department"]: d for d in result["departments"]}
    assert set(depts) == {"金寨县茶谷和美丽乡村建设服务中心", "岳阳县农业农村局", "衡山县商务和粮食局"}
    assert all(not d["error"] for d in depts.values()), [d["error"] for d in depts.values()]
    dept_wide = (out / depts["金寨县茶谷和美丽乡村建设服务中心"]["html"]).read_text(encoding="utf-8")
    assert "部门整体支出绩效自评表" in dept_wide and "不参加项目审核" in dept_wide
    target = (out / depts["岳阳县农业农村局"]["html"]).read_text(encoding="utf-8")
    assert "绩效目标表" in target and "岳阳县2022年高标准农田建设项目" in target
    unscored = (out / depts["衡山县商务和粮食局"]["html"]).read_text(encoding="utf-8")
    assert "县级储备粮" in unscored and "VAL-COPIED" in unscored  # audited: its findings are listed
    assert "WEIGHT-PROFILE" not in unscored and "STR-UNFILLED" not in unscored  # no 分值/得分 to judge
