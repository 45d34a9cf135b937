"""The warm-kernel engine: the same reports as plain papermill, from one reused kernel, with no
state carried from one department to the next."""

from __future__ import annotations

import re

import nbformat

from conftest import ROOT, SYNTH_DIR
from evaltools import engines
from evaltools.report import render_department


def _comparable(html: str) -> str:
    html = re.sub(r'<div class="et-manifest">.*?</script>', "", html, flags=re.S)
    return re.sub(r'id="cell-id=[0-9a-f-]+"', "", html)  # papermill gives the injected cell a new id


def test_warm_reports_equal_plain_reports(tmp_path):
    plain = render_department(SYNTH_DIR, "示例县财政局", tmp_path / "plain", engine="papermill")
    warm = render_department(SYNTH_DIR, "示例县财政局", tmp_path / "warm", engine="warm")
    assert not plain["error"] and not warm["error"]
    a = (tmp_path / "plain" / plain["html"]).read_text(encoding="utf-8")
    b = (tmp_path / "warm" / warm["html"]).read_text(encoding="utf-8")
    assert '"engine": "warm"' in b and '"engine": "papermill"' in a  # the report says who rendered it
    assert _comparable(a) == _comparable(b)
    na = nbformat.read(tmp_path / "plain" / plain["notebook"], as_version=4)
    nw = nbformat.read(tmp_path / "warm" / warm["notebook"], as_version=4)
    assert [c.outputs for c in na.cells if c.cell_type == "code"][2:] == \
        [c.outputs for c in nw.cells if c.cell_type == "code"][2:]


def test_no_state_leaks_between_departments(tmp_path):
    nb = nbformat.read(ROOT / "notebooks" / "department_report.ipynb", as_version=4)
    probe = nbformat.v4.new_code_cell(
        "import matplotlib\n"
        "assert 'leak' not in dir(), f'state leaked from {leak}'\n"
        "assert matplotlib.rcParams['lines.linewidth'] == 1.5, 'rcParams leaked'\n"
        "import matplotlib.pyplot as plt\n"
        "assert not plt.get_fignums(), 'figures leaked'\n"
        "leak = department\n"
        "matplotlib.rcParams['lines.linewidth'] = 9\n"
        "plt.figure()\n")
    nb.cells.insert(3, probe)
    custom = tmp_path / "probe.ipynb"
    nbformat.write(nb, custom)
    before = engines.kernel_runs()
    km = engines.warm_kernel()
    for dept in ("示例县财政局", "示例县公安局", "示例县卫生健康局"):
        st = render_department(SYNTH_DIR, dept, tmp_path / "out", notebook=custom, engine="warm")
        assert not st["error"], st["error"]
    assert engines.kernel_runs() == before + 3
    assert engines.warm_kernel() is km and km.is_alive()  # one kernel served all three


def test_warm_workers_forked_after_a_warm_run_in_this_process(tmp_path):
    """A pool worker forked from a process that has rendered with the warm engine (a notebook
    user's kernel, the test process) inherited its kernel and jupyter_core's event-loop runner
    without the runner's thread, and waited for ever on its first report."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        from evaltools.report import render_department, render_reports
        first = render_department({str(SYNTH_DIR)!r}, "示例县财政局", {str(tmp_path / "one")!r}, engine="warm")
        assert not first["error"], first["error"]
        batch = render_reports({str(SYNTH_DIR)!r}, {str(tmp_path / "batch")!r}, jobs=2, progress=False,
                               engine="warm", departments=["示例县财政局", "示例县公安局"])
        print("errors:", [d["error"] for d in batch["departments"] if d["error"]])
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "errors: []" in out.stdout, out.stdout + out.stderr[-3000:]
