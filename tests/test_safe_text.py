"""Issue 18 (13, 14, 18): data values never become Markdown, links, images or plotly markup; CSV
exports never carry spreadsheet formulas; the browser never sees error details."""

from __future__ import annotations

import tomllib

import pandas as pd
import plotly.graph_objects as go

from components.figures.export import safe_csv
from components.figures.plotting import FigureContext, finish_figure
from components.figures.safe_text import md
from tests.conftest import ROOT

HOSTILE = ["![x](http://tracker.example/beacon.png)", "[link](javascript:alert(1))", "<a href='x'>y</a>",
           "**bold** _it_ `code`", ":red[alarm] $x^2$"]


def test_markdown_escapes_every_construct():
    """Every character that can open Markdown, Streamlit's directives or HTML is backslash-escaped,
    so no image, link, emphasis, code, colour or LaTeX can form from a data value."""
    import re

    for value in HOSTILE:
        escaped = md(value)
        assert not re.search(r"(?<!\\)[\[\]()!*_`<>$:]", escaped), escaped
        assert re.sub(r"\\(.)", r"\1", escaped) == value  # nothing else changed
    assert md("a.b-c") == "a\\.b\\-c"


def test_a_markdown_table_shows_hostile_cells_as_text():
    """widgets.markdown_table (the Overview's static tables): a cell cannot end its column, start a
    link or an image, and a missing value is a dash."""
    from components.ui.widgets import markdown_table

    df = pd.DataFrame({"file": ["a|b.csv", "[x](javascript:alert(1))", "![p](http://t.example/b.png)", None],
                       "rows": [1, 2, 3, 4]})
    head, rule, *rows = markdown_table(df).splitlines()
    assert head == "| file | rows |" and rule == "|---|---:|"
    assert rows[0] == "| a\\|b\\.csv | 1 |"
    assert "](" not in rows[1].replace("\\]\\(", "") and rows[1].startswith("| \\[x\\]\\(javascript")
    assert rows[2].startswith("| \\!\\[p\\]")
    assert rows[3] == "| — | 4 |"


def test_figure_text_from_data_cannot_form_tags():
    fig = go.Figure(go.Bar(x=["<a href='javascript:x'>p</a>", "ok"], y=[1, 2], text=["<img src=x>", "fine"],
                           customdata=[["<b>x</b>"], ["y"]]))
    finish_figure(fig, FigureContext(study="S", cutoff="2026-11-01", note="Filters: Site: <img src=x>"), "Title")
    spec = fig.to_plotly_json()
    bar = spec["data"][0]
    assert all("<" not in str(v) for v in bar["x"]) and all("<" not in str(v) for v in bar["text"])
    assert "<b>" not in str(bar["customdata"])
    footnotes = " ".join(a.get("text", "") for a in spec["layout"].get("annotations", []))
    assert "<img" not in footnotes


def test_csv_exports_neutralise_formulas_and_keep_numbers():
    df = pd.DataFrame({"term": ["=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\tx", "ok"],
                       "text_number": ["-5", "+1.5", "3", "-0.25", "1e3", "x"], "value": [-1.0, 2, 3, 4, 5, 6]})
    out = pd.read_csv(__import__("io").BytesIO(safe_csv(df)), dtype=str, keep_default_na=False)
    assert all(v.startswith("'") for v in out["term"][:5]) and out["term"][5] == "ok"
    assert list(out["text_number"]) == ["-5", "+1.5", "3", "-0.25", "1e3", "x"]
    assert list(out["value"]) == ["-1.0", "2.0", "3.0", "4.0", "5.0", "6.0"]


def test_error_details_never_reach_the_browser():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
