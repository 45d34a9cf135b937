"""The report's figures drawn once (``plots.render_rgb``) are the figures savefig draws.

``render_rgb`` lays a figure out once, draws it once and crops the canvas to its ink, where
``savefig(bbox_inches="tight")`` draws twice. These tests pin what that may change (nothing of
the content) on the figures of the largest department of ``data/`` at both widths the HTML
report carries, against matplotlib's own renderings of the same laid-out figure."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402
from PIL import Image  # noqa: E402

from evaltools import plots, report  # noqa: E402

DEPT = "壶关县人民政府办公室"  # 36 forms: the tallest figures of make report's data


@pytest.fixture(scope="module")
def ctx():
    return report.prepare("data", DEPT, "auto")


def _figures(ctx):
    return {"execution": (plots.execution, (ctx.book, ctx.result), {"profile": ctx.result.profile}),
            "weights": (plots.weights, (ctx.book,), {"profile": ctx.result.profile}),
            "findings": (plots.findings, (ctx.result,), {}),
            "lost_points": (plots.lost_points, (ctx.result,), {})}


def _ink(a):
    m = (a != 255).any(axis=2)
    r, c = np.flatnonzero(m.any(axis=1)), np.flatnonzero(m.any(axis=0))
    return a[r[0]:r[-1] + 1, c[0]:c[-1] + 1]


def _savefig(fig, dpi, **kw):
    """matplotlib's PNG of the figure as laid out (the layout engine off, as save_png had it)."""
    engine = fig.get_layout_engine()
    fig.set_layout_engine("none")
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white", **kw)
    finally:
        fig.set_layout_engine(engine)
    return np.asarray(Image.open(buf).convert("RGB"))


PAGE, NARROW = (None, 100), (report.NARROW_WIDTH, 150)


# each figure once, each width twice: a tall figure costs seconds to draw three times
@pytest.mark.parametrize("name,width,dpi", [("execution", *NARROW), ("weights", *PAGE), ("findings", *NARROW),
                                            ("lost_points", *PAGE)])
def test_one_draw_gives_savefigs_figure(ctx, name, width, dpi):
    draw, args, kw = _figures(ctx)[name]
    with matplotlib.rc_context({"figure.dpi": dpi}):
        fig = draw(*args, width=width, **kw)
    fast = plots.render_rgb(fig, dpi=dpi)
    assert fast is not None, "the report's figures keep clear of their canvas edge"
    pad = round(0.1 * dpi)
    assert (fast[:pad] == 255).all() and (fast[-pad:] == 255).all() and (fast[:, :pad] == 255).all()
    # every pixel of matplotlib's full-canvas drawing, cropped to its ink: nothing lost, nothing moved
    full = _ink(_savefig(fig, dpi))
    assert _ink(fast).shape == full.shape
    assert (_ink(fast) == full).all()
    # and the tight box savefig would have cut: the same extent, to a few pixels of rounding
    tight = _savefig(fig, dpi, bbox_inches="tight")
    assert abs(fast.shape[0] - tight.shape[0]) <= max(8, tight.shape[0] // 200)
    assert abs(fast.shape[1] - tight.shape[1]) <= 4


def test_ink_at_the_edge_falls_back_to_the_tight_box():
    fig = plots._figure_class()(figsize=(3, 2))
    ax = fig.add_axes([0, 0, 1, 1])  # the axes frame is drawn on the canvas edge
    ax.plot([0, 1], [0, 1])
    assert plots.render_rgb(fig, dpi=100) is None
    buf = io.BytesIO()
    plots.save_png(fig, buf, dpi=100)
    img = np.asarray(Image.open(buf).convert("RGB"))
    assert img.shape[0] > 200 and img.shape[1] > 300  # savefig's tight box: the frame plus its pad


def test_report_png_is_the_drawn_figure(ctx):
    """The data URI the report embeds decodes to the drawn figure, in at most 128 colours."""
    import base64

    fig = plots.findings(ctx.result)
    fast = plots.render_rgb(fig, dpi=100)
    uri = report.png_data_uri(fig, 100)
    img = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert img.mode == "P" and len(img.getcolors()) <= 128
    rgb = np.asarray(img.convert("RGB")).astype(int)
    assert rgb.shape == fast.shape
    assert np.abs(rgb - fast.astype(int)).mean() < 2.0  # quantised, not redrawn


def test_see_through_background_goes_through_savefig():
    fig = plots._figure_class()(figsize=(3, 2))
    fig.add_axes([0.2, 0.2, 0.6, 0.6]).plot([0, 1], [0, 1], color="black")
    assert plots.render_rgb(fig, dpi=100, facecolor=(0, 0, 0, 0)) is None
    buf = io.BytesIO()
    plots.save_png(fig, buf, dpi=100, facecolor=(0, 0, 0, 0))
    assert Image.open(buf).mode == "RGBA"
