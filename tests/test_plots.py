"""evaltools.plots and evaltools.fonts on the real sample data: every figure draws, in Chinese,
without a missing glyph, on a machine with or without a system CJK font."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pandas as pd
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

import evaltools
from evaltools import fonts, plots

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "huguan-2021"
SYNTH = ROOT / "data" / "synthetic"

FONT_PROBLEMS = ("missing from font", "findfont", "not found", "Failed to find font")


@pytest.fixture(scope="module")
def seed():
    book = evaltools.load(SEED)
    return book, evaltools.audit(book)


@pytest.fixture(scope="module")
def synth():
    book = evaltools.load(SYNTH)
    return book, evaltools.audit(book)


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def render(fig, dpi: int = 50) -> tuple[bytes, list[str]]:
    """PNG bytes of ``fig`` (Agg) and every font problem reported while drawing it."""
    handler = _Records()
    logger = logging.getLogger("matplotlib.font_manager")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=dpi)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    problems = [str(w.message) for w in caught if any(p in str(w.message) for p in FONT_PROBLEMS)]
    problems += [m for m in handler.messages]
    return buf.getvalue(), problems


def texts(fig) -> list[str]:
    """Every piece of text of a figure: suptitle, titles, labels, tick labels, legends, annotations."""
    out = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    for leg in fig.legends:
        out += [t.get_text() for t in leg.get_texts()]
    for ax in fig.axes:
        out += [ax.get_title(loc) for loc in ("left", "center", "right")]
        out += [ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
        out += [t.get_text() for t in ax.texts]
        if ax.get_legend() is not None:
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    return [t for t in out if t]


def titles(fig) -> str:
    """Every title of the figure, a title wrapped onto several lines read as one."""
    parts = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    parts += [ax.get_title(loc) for ax in fig.axes for loc in ("left", "center", "right")]
    return " ".join(p.replace("\n", "") for p in parts)


def assert_draws(fig, *must_contain: str) -> None:
    from matplotlib.figure import Figure

    assert isinstance(fig, Figure)
    png, problems = render(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert problems == []
    for word in must_contain:
        assert word in titles(fig), (word, titles(fig))


# ---------------------------------------------------------------------------------------------
# fonts


def test_setup_cjk_fonts_is_idempotent_and_sets_rcparams():
    import matplotlib

    family = fonts.setup_cjk_fonts()
    assert fonts.setup_cjk_fonts() == family
    n = len(matplotlib.font_manager.fontManager.ttflist)
    fonts.setup_cjk_fonts()
    assert len(matplotlib.font_manager.fontManager.ttflist) == n  # no second addfont
    assert matplotlib.rcParams["font.family"][0] == family
    assert matplotlib.rcParams["font.sans-serif"][0] == family
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    src = fonts.font_source()
    assert src["family"] == family and src["source"] in ("system", "bundled")
    if src["source"] == "bundled":
        assert src["license"] == "OFL-1.1" and Path(src["path"]).is_file()
    matplotlib.rcdefaults()  # undone by the next call
    fonts.setup_cjk_fonts()
    assert matplotlib.rcParams["font.family"][0] == family


def test_cjk_font_stack_for_html():
    assert fonts.cjk_font_stack() == '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif'


def test_chinese_text_renders_without_missing_glyphs():
    from matplotlib.figure import Figure

    fonts.setup_cjk_fonts()
    fig = Figure(figsize=(4, 2))
    ax = fig.add_subplot()
    ax.set_title("项目支出绩效自评表：预算执行率、产出指标、效益指标、满意度指标")
    ax.plot([-1, 0, 1], [-2, 0, 2])  # negative tick labels: the minus sign
    ax.set_xlabel("全年预算数（万元）—— 壶关县人民政府办公室 ①②③ ≥ ≤ ％ ×")
    assert render(fig)[1] == []


_CHILD = textwrap.dedent(
    """
    import io, json, logging, sys, warnings
    msgs = []

    class H(logging.Handler):
        def emit(self, record):
            msgs.append(record.getMessage())

    logging.getLogger("matplotlib.font_manager").addHandler(H(logging.WARNING))
    warnings.simplefilter("always")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import matplotlib
        matplotlib.use("Agg")
        from matplotlib import font_manager
        if sys.argv[1] == "preinstall":  # as if the bundled font were a system font
            import noto_cjk_sans_otc
            font_manager.fontManager.addfont(str(noto_cjk_sans_otc.FONT_PATH))
        from evaltools import fonts, plots
        family = fonts.setup_cjk_fonts()
        src = fonts.font_source()
        from matplotlib.figure import Figure
        fig = Figure(figsize=(5, 2))
        ax = fig.add_subplot()
        ax.set_title("预算执行情况：全年预算数与全年执行数")
        ax.barh([0, 1], [3, -1])
        ax.set_yticks([0, 1], ["扶贫调研经费（2020年国库集中支付年终结余资金）", "满意度指标"])
        fig.savefig(io.BytesIO(), format="png", dpi=40)
        import evaltools  # and two report figures in their phone layout, wrapped labels and all
        book = evaltools.load(sys.argv[2])
        res = evaltools.audit(book)
        for fig in (plots.findings(res, width=3.8), plots.execution(book, res, width=3.8)):
            fig.savefig(io.BytesIO(), format="png", dpi=40)
        found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    msgs += [str(w.message) for w in caught]
    print(json.dumps({"family": family, "source": src, "found": found, "messages": msgs}))
    """
)


def _run_child(tmp_path, mode: str, **env) -> dict:
    e = {k: v for k, v in os.environ.items() if k != fonts.IGNORE_SYSTEM_ENV}
    e.update(MPLCONFIGDIR=str(tmp_path / "mpl"), MPLBACKEND="Agg", **env)
    out = subprocess.run([sys.executable, "-c", _CHILD, mode, str(SEED)], check=False, env=e, capture_output=True,
                         text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_bundled_font_works_with_system_fonts_ignored(tmp_path):
    # A fresh matplotlib config (font cache) and system fonts ignored: what a machine without any
    # CJK font gets. CI may have a system CJK font; it must not hide a missing fallback.
    got = _run_child(tmp_path, "plain", **{fonts.IGNORE_SYSTEM_ENV: "1"})
    assert got["source"]["source"] == "bundled", got
    path = Path(got["source"]["path"])
    assert path.is_file() and path.parent.name in ("noto_cjk_sans_otc", "fonts"), got
    assert got["source"]["license"] == "OFL-1.1"
    assert Path(got["found"]) == path  # the family resolves to the bundled file, not a system one
    font_messages = [m for m in got["messages"] if any(p in m for p in FONT_PROBLEMS)]
    assert font_messages == [], got


def test_an_installed_font_is_preferred(tmp_path):
    import matplotlib

    if tuple(int(x) for x in matplotlib.__version__.split(".")[:2]) < (3, 10):
        pytest.skip("matplotlib < 3.10 reads only the first face (JP) of a font collection")
    got = _run_child(tmp_path, "preinstall")
    assert got["source"]["source"] == "system", got
    assert got["family"] == "Noto Sans CJK SC"
    assert [m for m in got["messages"] if any(p in m for p in FONT_PROBLEMS)] == [], got


def test_importing_plots_does_not_import_matplotlib():
    code = ("import sys, evaltools; before = 'matplotlib' in sys.modules; "
            "import evaltools.plots, evaltools.fonts; print(before, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    before, after = out.stdout.split()
    assert after == before


# ---------------------------------------------------------------------------------------------
# every plot, on the seed and synthetic data, all of it and one department / form


def _cases(seed, synth):
    (sb, sr), (yb, yr) = seed, synth
    first = sb.projects["form_id"].iloc[0]
    dept = "示例县财政局"
    yform = yb.projects["form_id"].iloc[3]
    return [
        ("execution", lambda **kw: plots.execution(sb, sr, **kw), "预算执行"),
        ("execution", lambda **kw: plots.execution(yb, yr, **kw), "预算执行"),
        ("execution", lambda **kw: plots.execution(yb, yr, department=dept, **kw), "预算执行"),
        ("execution", lambda **kw: plots.execution(sb.projects, form_id=first, **kw), "预算执行"),
        ("weights", lambda **kw: plots.weights(sb, **kw), "指标权重"),
        ("weights", lambda **kw: plots.weights(yb, **kw), "指标权重"),
        ("weights", lambda **kw: plots.weights(yb, department=dept, **kw), "指标权重"),
        ("weights", lambda **kw: plots.weights(sb, form_id=first, **kw), "指标权重"),
        ("lost_points", lambda **kw: plots.lost_points(sr, **kw), "失分"),
        ("lost_points", lambda **kw: plots.lost_points(yr, **kw), "失分"),
        ("lost_points", lambda **kw: plots.lost_points(yr, department=dept, **kw), "失分"),
        ("lost_points", lambda **kw: plots.lost_points(yr, form_id=yform, **kw), "失分"),
        ("findings", lambda **kw: plots.findings(sr, **kw), "审核发现"),
        ("findings", lambda **kw: plots.findings(yr, **kw), "审核发现"),
        ("findings", lambda **kw: plots.findings(yr, department=dept, **kw), "审核发现"),
        ("findings", lambda **kw: plots.findings(yr.findings, **kw), "审核发现"),
    ]


def test_every_plot_draws_in_chinese(seed, synth):
    for name, make, word in _cases(seed, synth):
        fig = make()
        assert_draws(fig, word)
        assert any("\u4e00" <= c <= "\u9fff" for t in texts(fig) for c in t), name


def test_every_narrow_plot_draws_in_chinese(seed, synth):
    # the phone versions (width=3.8 in) wrap titles and move legends: still no missing glyph
    for name, make, word in _cases(seed, synth):
        fig = make(width=3.8)
        assert fig.get_size_inches()[0] <= 3.8 + 1e-9, name
        assert_draws(fig, word)
        assert any("\u4e00" <= c <= "\u9fff" for t in texts(fig) for c in t), name


def test_execution_uses_recomputed_rate_and_profile_thresholds(seed):
    book, result = seed
    fig = plots.execution(book, result)
    assert "预算执行" in titles(fig)
    ax_rate = fig.axes[1]
    xs = {round(float(line.get_xdata()[0]), 6) for line in ax_rate.get_lines()}
    assert {80.0, 90.0} <= xs
    # 全县政府系统协同办公平台建设 prints 执行率 0% over 其中各行 that add up to 100%
    assert any(t.get_text() == "表内 0.0%" for t in ax_rate.texts)
    widths = [p.get_width() for p in ax_rate.patches]
    assert widths == sorted(widths)  # sorted by rate, lowest first (on top)
    printed = plots.execution(book)  # without the audit: the printed rates
    assert not any("表内" in t.get_text() for t in printed.axes[1].texts)
    assert min(p.get_width() for p in printed.axes[1].patches) == 0.0
    custom = plots.execution(book, result, profile={"execution": {"low_rate_high_score": 70,
                                                                   "reason_threshold": 85}})
    xs = {round(float(line.get_xdata()[0]), 6) for line in custom.axes[1].get_lines()}
    assert {70.0, 85.0} <= xs and 80.0 not in xs
    assert "执行率偏低" in " ".join(texts(fig))


def test_weights_mark_the_profile_split_and_skewed_forms(synth):
    book, result = synth
    fig = plots.weights(book)
    ax = fig.axes[0]
    xs = sorted(round(float(line.get_xdata()[0]), 6) for line in ax.get_lines())
    assert xs == [10.0, 60.0, 90.0, 100.0]
    skewed = set(result.findings.loc[result.findings["rule"] == "WEIGHT-PROFILE", "form_id"])
    from matplotlib.colors import same_color

    red = [t for t in ax.get_yticklabels() if same_color(t.get_color(), plots._RATE_LOW)]
    assert len(red) == len(skewed) > 0
    # skewed forms come first
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert {labels.index(t.get_text()) for t in red} == set(range(len(red)))
    legend = " ".join(t.get_text() for t in fig.legends[0].get_texts())
    for word in ("预算执行", "产出", "效益", "满意度"):
        assert word in legend


def test_lost_points_printed_vs_recomputed(seed, synth):
    _, result = seed
    fig = plots.lost_points(result)
    assert "失分" in titles(fig)
    legend = " ".join(t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts())
    assert "表内" in legend and "复算" in legend
    # 扶贫调研经费 loses 2.5 points of 预算执行率 (75%)
    assert "预算执行率" in " ".join(texts(fig))
    _, yr = synth
    few = plots.lost_points(yr, top=5)
    assert len(few.axes[-1].get_yticklabels()) == 5
    full = yr.form_scores.loc[(yr.form_scores["total_printed"] >= 100) & (yr.form_scores["total_recomputed"] >= 100)]
    if len(full):
        none = plots.lost_points(yr, form_id=full["form_id"].iloc[0])
        assert "未发现失分" in " ".join(texts(none))


def test_findings_colours_are_consistent(synth):
    from matplotlib.colors import same_color

    _, result = synth
    fig = plots.findings(result)
    ax = fig.axes[0]
    leg = ax.get_legend()
    seen = {}
    for text, handle in zip(leg.get_texts(), leg.legend_handles):
        seen[text.get_text()[:2]] = handle.get_facecolor()
    assert set(seen) == {"错误", "警告", "提示"}
    assert same_color(seen["错误"], "#d62728") and same_color(seen["警告"], "#ff7f0e")
    assert same_color(seen["提示"], "#1f77b4")
    counts = result.findings.groupby("rule").size()
    ticks = [t.get_text().split()[0] for t in ax.get_yticklabels()]
    assert sorted(ticks) == sorted(counts.index)
    assert f"共 {len(result.findings)} 条" in titles(fig)


def test_empty_inputs_say_no_data(seed):
    book, result = seed
    for fig in (plots.execution(book, result, department="不存在的部门"),
                plots.execution(book.projects.iloc[0:0]),
                plots.weights(book, department="不存在的部门"),
                plots.lost_points(result, department="不存在的部门"),
                plots.findings(result, department="不存在的部门"),
                plots.findings(result.findings.iloc[0:0])):
        assert_draws(fig)
        assert any("无数据" in t for t in texts(fig))


def test_long_names_are_wrapped_and_many_rows_grow_the_figure(seed, synth):
    book, _ = seed
    projects = book.projects.copy()
    long = "壶关县人民政府办公室关于全县政府系统协同办公平台建设及电子政务外网出口电路速率提升的专项经费项目"
    projects.loc[0, "project_name"] = long
    fig = plots.execution(projects)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    whole = [lab for lab in labels if lab.startswith(long[:6])]
    # 96 display columns: three lines, the name whole (a wrap fits, so nothing is cut)
    assert whole and whole[0].count("\n") == 2 and whole[0].replace("\n", "") == long
    projects.loc[0, "project_name"] = long * 2  # too long for three lines: the third ends in …
    labels = [t.get_text() for t in plots.execution(projects).axes[0].get_yticklabels()]
    cut = [lab for lab in labels if lab.startswith(long[:6])]
    assert cut and cut[0].endswith("…") and cut[0].count("\n") == 2
    assert cut[0].replace("\n", "")[:-1] in long * 2
    assert_draws(fig)
    small = plots.execution(*seed).get_size_inches()[1]
    big = plots.execution(*synth).get_size_inches()[1]
    assert big > small * 2


def test_figure_to_data_uri(seed):
    _, result = seed
    uri = plots.figure_to_data_uri(plots.findings(result))
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"


def test_figures_show_in_a_notebook_without_pyplot(seed):
    fig = plots.findings(seed[1])
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"  # shown as the cell's value, once


def test_accepts_audit_result_and_frames(seed):
    book, result = seed
    assert_draws(plots.execution(result), "预算执行")  # an AuditResult alone: amounts from its forms
    assert_draws(plots.weights(result), "指标权重")
    assert_draws(plots.weights(book.indicators), "指标权重")
    from matplotlib.figure import Figure

    assert isinstance(plots.execution(pd.DataFrame(book.projects)), Figure)
