"""Issue 32 (6): one escaping rule for every sink. The same hostile values go into every text column a
page shows (a patient id, site, AE term, drug, lab parameter, discontinuation and screen-failure
reasons); every page and tab is walked, and the HTML report and the deck are built: no data value is
rendered as Markdown, HTML or plotly markup anywhere, and CSV cells never start a formula."""

from __future__ import annotations

import io
import json
import re
import shutil

import pandas as pd
import pytest

from tests.conftest import DEMO_DIR, chart_figures, demo_cuts

EVIL_ID = "P1'><img src=x onerror=alert(1)>![i](http://127.0.0.1:9/id.png)"
EVIL = "<img src=x onerror=alert(2)><a href='http://127.0.0.1:9'>a</a>![b](http://127.0.0.1:9/b.png)%{y}"
FORMULA = "=HYPERLINK(\"http://127.0.0.1:9\",\"x\")"
#: Markup a Markdown sink would interpret: a tag, an image or a link that its backslashes do not escape.
LIVE_MD = re.compile(r"(?<!\\)<(img|a )|(?<!\\)!(?<!\\)\[[bi](?<!\\)\]|(?<!\\)\]\(http")
#: Markup plotly (and an HTML page) would interpret: a tag that is not written as an entity.
LIVE_HTML = re.compile(r"<img|<a href")


@pytest.fixture(scope="module")
def hostile_cut(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile") / demo_cuts()[-1].name
    shutil.copytree(demo_cuts()[-1], folder)
    adsl = pd.read_csv(folder / "adsl.csv", dtype=str, keep_default_na=False)
    victim = adsl.loc[adsl["DCSREAS"] != "", "USUBJID"].iloc[0]
    for f in folder.glob("*.csv"):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        if "USUBJID" in df:
            df.loc[df["USUBJID"] == victim, "USUBJID"] = EVIL_ID
            mine = df["USUBJID"] == EVIL_ID
            for col in ("DCSREAS", "DTHCAUS", "AEDECOD", "AETERM", "EXTRT", "EVNTDESC", "CNSDTDSC", "SFREAS"):
                if col in df and col != "EXTRT":
                    df.loc[mine & (df[col] != ""), col] = EVIL
            if "PARAM" in df and f.stem == "adlb":
                df.loc[mine, "PARAM"] = EVIL
        if "SFREAS" in df:
            df.loc[df["SFREAS"] != "", "SFREAS"] = EVIL
        df.to_csv(f, index=False)
    return folder.parent


def _live(texts) -> list[str]:
    return [t for kind, t in texts if (LIVE_MD if kind == "md" else LIVE_HTML).search(t)]


def _element_texts(at) -> list[tuple[str, str]]:
    """(sink kind, text) of what the run put on screen: Markdown bodies and labels, and figure JSON."""
    out = [("md", m.value) for m in at.markdown] + [("md", c.value) for c in at.caption]
    out += [("md", e.value) for kind in ("warning", "info", "error", "success") for e in getattr(at, kind)]
    out += [("md", link.proto.label) for link in at.get("page_link")]
    out += [("html", json.dumps(fig, ensure_ascii=False)) for fig in chart_figures(at)]
    return out


def test_no_page_renders_a_data_value_as_markup(app_factory, hostile_cut):
    from tests.walk import walk

    seen: list[str] = []
    found = walk(app_factory(hostile_cut), each=lambda at: seen.extend(_element_texts(at)))
    assert not {k: v for k, v in found.items() if v}
    assert any("onerror" in t for _kind, t in seen)  # the values did reach the pages, escaped
    assert _live(seen) == []


def test_the_swimmer_profile_link_and_the_patient_page(app_factory, hostile_cut):
    at = app_factory(hostile_cut).run()
    at.switch_page("pages/swimmer.py").run()
    at.selectbox(key="sw_pick").set_value(EVIL_ID).run()
    labels = [link.proto.label for link in at.get("page_link") if "Profile of" in link.proto.label]
    assert labels and "onerror" in labels[0] and _live(_element_texts(at)) == []
    at.query_params["patient"] = EVIL_ID
    at.switch_page("pages/patient.py").run()
    assert not at.exception and _live(_element_texts(at)) == []


def test_the_html_report_and_the_deck_carry_no_markup_from_data(hostile_cut):
    from components.data.config import load_config
    from components.data.datasets import load_cut
    from components.reports.deck import build_deck, build_html
    from components.reports.report import ReportItem

    cut, config = load_cut(hostile_cut), load_config()
    item = ReportItem(f"patient_{EVIL_ID}_Responses:Site: {EVIL}", f"Responses of {EVIL_ID}",
                      table=pd.DataFrame({"USUBJID": [EVIL_ID], "Reason": [EVIL]}))
    page = build_html(cut, config, items=[item])
    body = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    assert "onerror" in body and not re.search(r"<img|<a href", body)
    assert build_html(cut, config).count("<img") == 0
    from pptx import Presentation

    deck = Presentation(io.BytesIO(build_deck(cut, config, items=[item])))
    xml = "".join(s.part.blob.decode("utf-8", "replace") for s in deck.slides)
    assert "hlinkClick" not in xml


def test_csv_downloads_never_start_a_formula():
    from components.figures.export import safe_csv

    df = pd.DataFrame({"obj": [FORMULA, "-5"], "str": pd.Series(["@SUM(1)", "ok"], dtype="string"),
                       "cat": pd.Series([FORMULA, "+x"], dtype="category"), "n": [1, -2]})
    out = pd.read_csv(io.BytesIO(safe_csv(df)), dtype=str)
    assert list(out["obj"]) == ["'" + FORMULA, "-5"] and list(out["str"]) == ["'@SUM(1)", "ok"]
    assert list(out["cat"]) == ["'" + FORMULA, "'+x"] and list(out["n"]) == ["1", "-2"]


def test_the_data_grids_own_export_is_off():
    import tomllib

    from tests.conftest import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True


def test_patient_links_are_url_encoded():
    from components.figures.safe_text import patient_link

    assert patient_link("A&b=1#x y") == "patient?patient=A%26b%3D1%23x%20y"
    assert DEMO_DIR.exists()
