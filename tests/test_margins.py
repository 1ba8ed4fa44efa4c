"""Issue 16: the left margin preset on the server (components/figures/margins.py), so the browser draws
each figure once. Text widths against Helvetica's published metrics (worked by hand), tick labels
against what plotly draws, and the preset against plotly.js itself in Chromium: wide enough that
automargin does not grow it (a grown margin is a second full draw), not so wide that it shows.

The app as served is checked too: tests/test_browser.py fails a page whose figure's margin grew."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import plotly
import plotly.graph_objects as go
import pytest

from components.figures.margins import label_px, preset_left_margin, text_px, tick_labels
from components.figures.plotting import FigureContext, finish_figure

# ---- text widths, worked by hand from Helvetica's AFM (digits 556, % 889, U+2212 584 per 1000 em)


def test_digits_and_percent_at_13_px():
    assert text_px("100%", 13) == pytest.approx((3 * 556 + 889) * 13 / 1000)  # 33.241
    assert text_px("\u2212100%", 13) == pytest.approx((584 + 3 * 556 + 889) * 13 / 1000)  # 40.833


def test_letters_and_chinese():
    # D 722, i 222, a 556, r 333, h 556, o 556, e 556 (Helvetica AFM)
    assert text_px("Diarrhoea", 10) == pytest.approx((722 + 222 + 556 + 333 * 2 + 556 + 556 + 556 + 556) / 100)
    assert text_px("患者数", 12) == pytest.approx(36.0)  # a wide character is one em


def test_markup_draws_nothing_and_lines_break():
    assert label_px("<b>Site</b> 01", 13) == pytest.approx(text_px("Site 01", 13))
    assert label_px("short<br>a longer line", 13) == pytest.approx(text_px("a longer line", 13))
    assert label_px("A &amp; B", 13) == pytest.approx(text_px("A & B", 13))


# ---- tick labels


def test_numeric_axis_with_dtick_suffix_and_plotly_minus():
    fig = go.Figure(go.Bar(y=[-50, 30]), layout={"yaxis": {"range": [-105, 58.9], "dtick": 20, "ticksuffix": "%"}})
    labels = tick_labels(fig, "yaxis")
    assert labels[0] == "\u2212100%" and labels[-1] == "40%" and "0%" in labels


def test_percent_format_and_log_axis():
    fig = go.Figure(go.Scatter(y=[0.2, 0.9]), layout={"yaxis": {"range": [0, 1.02], "dtick": 0.2,
                                                                 "tickformat": ".0%"}})
    assert tick_labels(fig, "yaxis") == ["0%", "20%", "40%", "60%", "80%", "100%"]
    log = go.Figure(go.Scatter(y=[0.05, 3, 40]), layout={"yaxis": {"type": "log", "tickformat": "~g", "dtick": 1}})
    assert tick_labels(log, "yaxis") == ["0.1", "1", "10"]  # plotly labels only the decades inside the range


def test_stacked_bars_reach_the_sum_and_categories_are_read():
    stacked = go.Figure([go.Bar(x=["a", "b"], y=[6, 4]), go.Bar(x=["a", "b"], y=[6, 7])],
                        layout={"barmode": "stack", "yaxis": {"dtick": 2}})
    assert tick_labels(stacked, "yaxis")[-1] in ("12", "14")
    cats = go.Figure(go.Bar(y=["Nausea", "Peripheral sensory neuropathy"], x=[3, 1], orientation="h"),
                     layout={"yaxis": {"categoryarray": ["Rash"]}})
    assert set(tick_labels(cats, "yaxis")) == {"Rash", "Nausea", "Peripheral sensory neuropathy"}


def test_preset_is_cheap_enough_for_5000_patients():
    import time

    ids = [f"{i // 100:02d}-{i:04d}" for i in range(5000)]
    fig = go.Figure([go.Bar(y=ids, x=np.ones(5000), orientation="h") for _ in range(3)])
    t0 = time.perf_counter()
    preset_left_margin(fig)
    assert time.perf_counter() - t0 < 0.5  # ~10 ms here; a generous bound, timings live in bench/


# ---- against plotly.js in Chromium


def _made_figures() -> dict[str, go.Figure]:
    """Figures the project did not draw from its demo: long Chinese categories in the presentation theme,
    bold labels, large and negative numbers, an empty title, a two-line title, ticks turned off."""
    pres = FigureContext(study="S", population="P", endpoint="E", cutoff="2026-01-01", synthetic=True,
                         presentation=True)
    out = {}
    zh = ["中心 01 (北京大学肿瘤医院)", "中心 02 (复旦大学附属肿瘤医院)", "未知"]
    out["zh-categories-presentation"] = finish_figure(
        go.Figure(go.Bar(y=zh, x=[3, 5, 1], orientation="h")), pres, "入组")
    out["bold-labels"] = finish_figure(
        go.Figure(go.Bar(y=["<b>Grade ≥3</b> neutropenia", "Any grade"], x=[2, 5], orientation="h")), None, "t")
    out["large-numbers"] = finish_figure(
        go.Figure(go.Scatter(x=[1, 2, 3], y=[125_000, 480_000, 2_300_000])), None, "t")
    big = go.Figure(go.Scatter(x=[1, 2], y=[-0.0375, 0.0125]))
    big.update_yaxes(title_text="Change<br>per day (log)")
    out["negative-decimals-two-lines"] = finish_figure(big, None, "t")
    empty = go.Figure(go.Bar(x=[1, 2], y=["01-001", "01-002"], orientation="h"))
    empty.update_yaxes(title_text="", tickfont={"size": 11})
    out["empty-title"] = finish_figure(empty, None, "t")
    noticks = go.Figure(go.Scatter(x=[1, 2], y=[0, 1]))
    noticks.update_yaxes(tickvals=[0, 1], ticktext=["Not assessable: at risk", "censored"], ticks="")
    out["ticktext-no-ticks"] = finish_figure(noticks, None, "t")
    return out


def _project_figures() -> dict[str, go.Figure]:
    from tests.test_figure_layout import FIGURES

    return dict(FIGURES)


CASES = {**_project_figures(), **_made_figures()}
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
DRAW = """async ([spec, left]) => { const gd = document.getElementById('g'); Plotly.purge(gd);
  spec.layout.margin = Object.assign({}, spec.layout.margin || {}, {l: left}); spec.layout.width = 1000;
  await Plotly.newPlot(gd, spec.data, spec.layout); return gd._fullLayout._size.l; }"""


@pytest.fixture(scope="module")
def plotly_page(browser):
    page = browser.new_page()
    page.set_content("<html><body><div id='g' style='width:1000px'></div></body></html>")
    page.add_script_tag(path=str(PLOTLY_JS))
    yield page
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", sorted(CASES))
def test_plotly_keeps_the_preset_margin_and_it_is_not_too_wide(plotly_page, name):
    import json

    fig = CASES[name]
    spec = json.loads(fig.to_json())
    preset = fig.layout.margin.l
    drawn = plotly_page.evaluate(DRAW, [spec, preset])
    assert drawn == pytest.approx(preset, abs=0.5), f"automargin grew {preset} → {drawn}: a second draw"
    slack = max(12, 0.06 * preset)
    if preset - slack > 70:  # the estimate is above the default 70: check that plotly needed most of it
        narrower = plotly_page.evaluate(DRAW, [spec, preset - slack])
        assert narrower > preset - slack + 0.5, f"a preset of {preset} px leaves more than {slack:.0f} px empty"
