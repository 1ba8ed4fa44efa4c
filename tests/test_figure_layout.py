"""Issue 20: figure layouts checked by machine on the numbers plotly is given — no legend that can
grow over the title or tag, tick labels and axis titles that fit (automatic margins), footnotes short
enough for a 1024-px screen, reference labels inside the plot. Screenshots at 1400 and 1024 px are in
tests/test_browser.py."""

from __future__ import annotations

import re

import pytest

from components.analyses import enrollment, response, safety
from components.data.config import load_config
from components.data.datasets import load_cut
from components.data.study_match import match_study
from components.reports.report import build_report
from tests.conftest import DEMO_DIR, ROOT


def _figures(folder):
    cut = load_cut(folder)
    cfg = match_study(cut, load_config()).config
    figs = {i.key: i.figure for i in build_report(cut, cfg) if i.figure is not None}
    figs["spider"] = response.spider(cut, cfg).figure
    figs["sites"] = enrollment.sites(cut, cfg).figure
    figs["focus"] = safety.focus_toxicity(cut, cfg).figure
    return {k: v for k, v in figs.items() if v is not None}


FIGURES = {**{f"demo-{k}": v for k, v in _figures(DEMO_DIR).items()},
           **{f"cdisc-{k}": v for k, v in _figures(ROOT / "data" / "demo-cdisc").items()}}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_legend_never_sits_above_the_plot(name):
    lg = FIGURES[name].layout.legend
    above = lg.orientation == "h" and (lg.y or 0) >= 1 and lg.yanchor == "bottom"
    assert not above, "a horizontal legend above the plot wraps upwards over the title and the SYNTHETIC tag"


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_y_axes_make_room_for_their_labels(name):
    layout = FIGURES[name].layout
    for axis in [k for k in layout if k.startswith("yaxis")]:
        ax = layout[axis]
        longest = max((len(str(t)) for t in (ax.ticktext or ())), default=0)
        assert ax.automargin or (layout.margin.l or 80) >= 7 * longest, axis


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_footnote_lines_fit_a_1024_px_screen(name):
    for ann in FIGURES[name].layout.annotations:
        if (ann.yshift or 0) < 0 and ann.yref == "paper":  # the footnote, under the plot
            for line in (ann.text or "").split("<br>"):
                assert len(re.sub(r"<[^>]+>", "", line)) <= 90, line


@pytest.mark.parametrize("name", [n for n in sorted(FIGURES) if n.endswith(("waterfall", "spider"))])
def test_recist_threshold_labels_are_inside_the_plot(name):
    labels = [a for a in FIGURES[name].layout.annotations if a.text in ("+20%", "−30%")]
    axes = {a.yref for a in labels}  # one pair per panel (a randomized waterfall has one panel per arm)
    assert len(labels) == 2 * len(axes) and axes
    for a in labels:
        inside = (a.x == 1 and a.xanchor == "right") or (a.x == 0 and a.xanchor == "left")
        assert inside, (a.text, a.x, a.xanchor)
