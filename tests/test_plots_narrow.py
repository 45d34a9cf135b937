"""The report figures at the page width and at a phone's (``width=3.8`` inches), on the real
sample data: drawn, every text lies inside the figure and is at least 8 pt, no two tick labels
touch, charts stack in one column with their legends below, and long project names and rule
titles are wrapped whole instead of being cut with …."""

from __future__ import annotations

import math
import os
import re

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

from evaltools import plots
from evaltools.rules import rule_titles


NARROW = 3.8
WIDTHS = (None, NARROW)
DEPT = "示例县财政局"
# the longest project name of the seed forms (89 display columns)
LONG_NAME = "政府网站普查监测系统、政务公开专区、13710督办系统建设等九项费用（含政府机房设施配套经费）"


from test_plots import seed, synth  # noqa: E402,F401 - the same loaded and audited data, one definition


FIGURES = {
    "execution-seed": lambda s, y, **kw: plots.execution(*s, **kw),
    "execution-synth": lambda s, y, **kw: plots.execution(*y, **kw),
    "execution-department": lambda s, y, **kw: plots.execution(*y, department=DEPT, **kw),
    "weights-seed": lambda s, y, **kw: plots.weights(s[0], **kw),
    "weights-synth": lambda s, y, **kw: plots.weights(y[0], **kw),
    "weights-department": lambda s, y, **kw: plots.weights(y[0], department=DEPT, **kw),
    "lost_points-seed": lambda s, y, **kw: plots.lost_points(s[1], **kw),
    "lost_points-synth": lambda s, y, **kw: plots.lost_points(y[1], **kw),
    "lost_points-form": lambda s, y, **kw: plots.lost_points(y[1], form_id=y[0].projects["form_id"].iloc[3], **kw),
    "findings-seed": lambda s, y, **kw: plots.findings(s[1], **kw),
    "findings-synth": lambda s, y, **kw: plots.findings(y[1], **kw),
    "findings-department": lambda s, y, **kw: plots.findings(y[1], department=DEPT, **kw),
    "empty": lambda s, y, **kw: plots.findings(y[1], department="不存在的部门", **kw),
}


def test_every_public_figure_takes_a_width():
    import inspect

    public = [n for n in plots.__all__ if callable(getattr(plots, n)) and n != "figure_to_data_uri"]
    assert set(public) == {"execution", "weights", "lost_points", "findings"}
    for name in public:
        param = inspect.signature(getattr(plots, name)).parameters.get("width")
        assert param is not None and param.default is None and param.kind is param.KEYWORD_ONLY, name


# ---------------------------------------------------------------------------------------------
# what a drawn figure shows


def drawn(fig):
    """Draw ``fig`` on its canvas; return its renderer and the texts matplotlib drew:
    ``(tick labels, other texts)``, each only if visible and not empty (tick labels only of
    ticks inside the view, on axes that are on)."""
    from matplotlib.text import Text

    fig.canvas.draw()
    ticks, skip = [], set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            shown = ax.axison and axis.get_visible()
            lo, hi = sorted(axis.get_view_interval())
            tol = (hi - lo) * 1e-6
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                for lab in (tick.label1, tick.label2):
                    skip.add(id(lab))
                    if (shown and tick.get_visible() and lab.get_visible() and lab.get_text()
                            and lo - tol <= tick.get_loc() <= hi + tol):
                        ticks.append(lab)
    others = [t for t in fig.findobj(Text) if id(t) not in skip and t.get_visible() and t.get_text().strip()]
    return fig.canvas.get_renderer(), ticks, others


def _overlap(a, b, gap: float = 0.0) -> bool:
    """Whether two boxes overlap, or come closer than ``gap`` pixels."""
    return a.x0 < b.x1 + gap and b.x0 < a.x1 + gap and a.y0 < b.y1 + gap and b.y0 < a.y1 + gap


def display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def squeezed(text: str) -> str:
    """A label as read: its wrapped lines joined (the breaks take only whitespace)."""
    return re.sub(r"\s+", "", text.replace("\\$", "$"))


def assert_fits(fig, name: str = "") -> None:
    """Drawn, ``fig`` reads: every text inside the figure and at least 8 pt, no two tick labels
    touching, and the values and notes after the bars inside their chart, not across its frame."""
    from matplotlib.text import Text

    renderer, ticks, others = drawn(fig)
    box = fig.bbox
    texts = ticks + others
    assert len(texts) >= 2
    for t in texts:
        e = t.get_window_extent(renderer)
        assert (e.x0 >= box.x0 - 0.5 and e.y0 >= box.y0 - 0.5 and e.x1 <= box.x1 + 0.5 and e.y1 <= box.y1 + 0.5), \
            (name, t.get_text(), e.bounds, box.bounds)
        assert t.get_fontsize() >= 8, (name, t.get_text(), t.get_fontsize())
    boxes = [(t, t.get_window_extent(renderer)) for t in ticks]
    for i, (a, ea) in enumerate(boxes):
        for b, eb in boxes[i + 1:]:
            assert not _overlap(ea, eb, gap=2), (name, a.get_text(), b.get_text())  # not even touching
    for ax in fig.axes:
        frame = ax.get_window_extent(renderer)
        for t in ax.texts:
            if type(t) is Text and t.get_transform() is ax.transData and t.get_visible() and t.get_text():
                e = t.get_window_extent(renderer)
                assert frame.x0 - 0.5 <= e.x0 and e.x1 <= frame.x1 + 0.5, (name, t.get_text(), e.bounds, frame.bounds)


@pytest.mark.parametrize("width", WIDTHS, ids=["page", "phone"])
@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_fits_and_reads(seed, synth, name, width):
    fig = FIGURES[name](seed, synth, **({} if width is None else {"width": width}))
    w, _ = fig.get_size_inches()
    if width is None:
        assert w == pytest.approx(10.0)
    else:
        assert w <= NARROW + 1e-9
    assert_fits(fig, name)


# ---------------------------------------------------------------------------------------------
# long names whole


def _ytick_texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.get_yticklabels() if t.get_text()]


@pytest.mark.parametrize("width", WIDTHS, ids=["page", "phone"])
def test_rule_titles_are_wrapped_whole(seed, synth, width):
    titles = {k: v.rstrip("。") for k, v in rule_titles().items()}
    kw = {} if width is None else {"width": width}
    seen = set()
    for _, result in (seed, synth):
        fig = plots.findings(result, **kw)
        labels = _ytick_texts(fig)
        assert len(labels) == result.findings["rule"].nunique()
        for label in labels:
            rid = label.split()[0]
            assert "…" not in label.replace("……", ""), label  # STR-PLACEHOLDER's title has its own ……
            assert squeezed(label) == squeezed(rid + titles[rid]), label
            assert label.count("\n") <= 2, label
            seen.add(rid)
    assert max(display_width(titles[r]) for r in seen) > 60  # titles the old 30-column cut shortened


@pytest.mark.parametrize("width", WIDTHS, ids=["page", "phone"])
def test_long_project_name_is_wrapped_whole(seed, width):
    book, result = seed
    kw = {} if width is None else {"width": width}
    assert LONG_NAME in set(book.projects["project_name"])
    for fig, last_line_is_split in ((plots.execution(book, result, **kw), False),
                                    (plots.lost_points(result, **kw), False),
                                    (plots.weights(book, **kw), width is not None)):
        labels = [lab for lab in _ytick_texts(fig) if lab.startswith(LONG_NAME[:6])]
        assert labels, _ytick_texts(fig)
        for label in labels:
            lines = label.split("\n")
            if last_line_is_split:  # on a phone the weights label ends with the form's split
                assert re.fullmatch(r"[\d./]+", lines[-1]), label
                lines = lines[:-1]
            name_lines = lines[:3]
            assert "…" not in label
            assert squeezed("".join(name_lines)) == squeezed(LONG_NAME), label


def test_wrapping_by_display_width_on_real_names(seed, synth):
    texts = set()
    for book, _ in (seed, synth):
        texts |= set(book.projects["project_name"].dropna()) | set(book.indicators["name"].dropna())
    texts |= {f"{k}  {v}" for k, v in rule_titles().items()}
    assert len(texts) > 100

    cut = 0
    for width in (20, 26, 32, 44):
        for text in texts:
            out = plots._wrap(text, width).replace("\\$", "$")
            lines = out.split("\n")
            assert 1 <= len(lines) <= 3, (text, out)
            assert all(display_width(line) <= width for line in lines), (text, out, width)
            if out.endswith("…") and not text.endswith("…"):
                cut += 1
                # cut only where three lines of full width could not hold it
                assert display_width(text) > 3 * width - 12, (text, out)
                assert squeezed(out[:-1]) in squeezed(text)
            else:
                assert squeezed(out) == squeezed(text), (text, out)
    assert cut > 0  # the narrowest widths do cut the longest names
    # a Chinese character counts two columns, a Latin letter one
    assert plots._wrap("执行率" * 4, 12) == "执行率执行率\n执行率执行率"
    assert plots._wrap("COST-EXCEEDS-EXECUTED", 14) == "COST-EXCEEDS-\nEXECUTED"  # a rule id breaks at a hyphen


# ---------------------------------------------------------------------------------------------
# the phone layout


def _below(upper, lower, renderer) -> bool:
    return upper.get_window_extent(renderer).y0 >= lower.get_window_extent(renderer).y1 - 0.5


def _legends(fig) -> list:
    from matplotlib.legend import Legend

    return [leg for leg in fig.findobj(Legend) if leg.get_visible()]


def test_execution_stacks_on_a_phone(seed):
    book, result = seed
    wide = plots.execution(book, result)
    fig = plots.execution(book, result, width=NARROW)
    renderer, _, _ = drawn(fig)
    ax_amt, ax_rate = fig.axes
    # side by side on the page, one above the other on a phone, each with every project's label
    r = wide.canvas.get_renderer()
    wide.canvas.draw()
    assert wide.axes[1].get_window_extent(r).x0 > wide.axes[0].get_window_extent(r).x1
    assert _below(ax_amt, ax_rate, renderer)
    n = len(book.projects)
    for ax in (ax_amt, ax_rate):
        assert len([t for t in ax.get_yticklabels() if t.get_text()]) == n
    # the thresholds stay on the rate chart; each legend sits under its own chart
    xs = {round(float(line.get_xdata()[0]), 6) for line in ax_rate.get_lines()}
    assert {80.0, 90.0} <= xs
    legends = _legends(fig)
    assert len(legends) == 2
    amt_leg = next(leg for leg in legends if "全年预算数" in [t.get_text() for t in leg.get_texts()])
    rate_leg = next(leg for leg in legends if leg is not amt_leg)
    assert _below(ax_amt, amt_leg, renderer) and _below(amt_leg, ax_rate, renderer)
    assert _below(ax_rate, rate_leg, renderer)
    assert fig.get_size_inches()[1] > wide.get_size_inches()[1]  # stacked: taller


@pytest.mark.parametrize("make", [
    lambda s, y, **kw: plots.findings(y[1], **kw),
    lambda s, y, **kw: plots.weights(y[0], **kw),
    lambda s, y, **kw: plots.lost_points(y[1], **kw),
], ids=["findings", "weights", "lost_points"])
def test_legend_below_the_chart_on_a_phone(seed, synth, make):
    fig = make(seed, synth, width=NARROW)
    renderer, _, _ = drawn(fig)
    legends = _legends(fig)
    assert len(legends) == 1
    leg = legends[0].get_window_extent(renderer)
    top = fig.axes[0].get_window_extent(renderer)
    assert leg.y1 <= top.y0 + 0.5  # under the (first) chart, not inside it or beside it
    assert leg.x0 >= -0.5 and leg.x1 <= fig.bbox.x1 + 0.5


def test_more_rows_grow_the_phone_figure(seed, synth):
    small = plots.findings(seed[1], width=NARROW).get_size_inches()[1]
    big = plots.execution(*synth, width=NARROW).get_size_inches()[1]
    seed_exec = plots.execution(*seed, width=NARROW).get_size_inches()[1]
    assert big > seed_exec * 2 and small > 4


def _rows_chart(ax, labels):
    n = len(labels)
    ax.barh(range(n), [1] * n)
    ax.set_yticks(range(n), labels, fontsize=8)
    plots._rows_ylim(ax, n)
    return (ax, n)


def test_rows_too_tight_for_their_labels_grow(seed, synth):
    # a figure started far too short: the fitting grows it (and, stacked, the panel that lacks
    # the room) until no two row labels touch
    names = list(seed[0].projects["project_name"])
    wrapped = plots._row_labels(names, cols=20)
    assert max(lab.count("\n") for lab in wrapped) == 2
    fig = plots._new_figure(0, width=NARROW, height=2.0)
    rows = [_rows_chart(fig.add_subplot(), wrapped)]
    plots._finish(fig, rows=rows)
    assert fig.get_size_inches()[1] > 3.0
    assert_fits(fig, "single")

    many = plots._row_labels(synth[0].projects["project_name"], synth[0].projects["department"], cols=20)
    fig = plots._new_figure(0, width=NARROW, height=4.0)
    top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1])
    rows = [_rows_chart(top.add_subplot(), wrapped), _rows_chart(bottom.add_subplot(), many)]
    plots._finish(fig, rows=rows)
    assert_fits(fig, "stacked")
    (ax_top, n_top), (ax_bottom, n_bottom) = rows
    # the panel with more rows got the more room, not just half of the growth
    assert ax_bottom.bbox.height / n_bottom == pytest.approx(ax_top.bbox.height / n_top, rel=0.6)
    assert ax_bottom.bbox.height > 3 * ax_top.bbox.height


def test_page_width_is_the_default(seed):
    _, result = seed
    page = plots.findings(result)
    same = plots.findings(result, width=10)
    assert tuple(page.get_size_inches()) == tuple(same.get_size_inches())
    assert page.get_size_inches()[0] == pytest.approx(10.0)
    assert [t.get_text() for t in page.axes[0].get_yticklabels()] == \
        [t.get_text() for t in same.axes[0].get_yticklabels()]
    assert page.axes[0].get_legend() is not None  # on the page the legend stays in the chart
    for bad in (0, -3, math.nan, math.inf):
        with pytest.raises(ValueError):
            plots.findings(result, width=bad)
    with pytest.raises(TypeError):
        plots.findings(result, width="narrow")


@pytest.mark.parametrize("width", [3.5, 5.0])
def test_other_narrow_widths_fit(seed, synth, width):
    book, result = seed
    for fig in (plots.execution(book, result, width=width), plots.execution(*synth, width=width),
                plots.weights(book, width=width), plots.lost_points(result, width=width),
                plots.findings(result, width=width)):
        assert fig.get_size_inches()[0] == pytest.approx(width)
        assert_fits(fig, f"{width}")
