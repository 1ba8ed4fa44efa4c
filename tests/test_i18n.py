"""Issue 21: 中文 / English. The catalogs (glossary terms, placeholders), the language switch (sidebar,
?lang=, the config's default), locale formats, CJK glyphs in figure images, and every page and tab run
in Chinese with no English UI word left (abbreviations and data values excepted)."""

from __future__ import annotations

import re

import pytest

from components import i18n
from components.i18n import _, using
from tests.conftest import ROOT

#: The issue's and the glossary's terms, as Chinese oncology slides write them.
GLOSSARY = {
    "Complete response (CR)": "完全缓解 (CR)",
    "Partial response (PR)": "部分缓解 (PR)",
    "Stable disease (SD)": "疾病稳定 (SD)",
    "Progressive disease (PD)": "疾病进展 (PD)",
    "Not evaluable (NE)": "不可评价 (NE)",
}


def test_the_glossary_terms_are_the_clinicians_terms():
    with using("zh"):
        for en, zh in GLOSSARY.items():
            assert _(en) == zh
    assert _("Partial response (PR)") == "Partial response (PR)"  # English outside


def test_every_translation_keeps_the_placeholders_of_its_source():
    from babel.messages.pofile import read_po

    bad = []
    for path in sorted((ROOT / "locale" / "zh_CN" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fh:
            for m in read_po(fh, locale="zh_CN"):
                ids = m.id if isinstance(m.id, tuple) else (m.id,)
                strings = m.string if isinstance(m.string, tuple) else (m.string,)
                if ids[0] and any(strings):
                    want = set(re.findall(r"\{\w*\}", ids[-1]))
                    for text in strings:
                        if set(re.findall(r"\{\w*\}", text)) != want:
                            bad.append((path.name, ids[0], text))
    assert bad == []


def test_language_codes_and_locale_formats():
    from datetime import date

    assert [i18n.normalise(x) for x in ("zh", "zh_CN", "zh-cn", "中文", "EN", "fr", None)] == \
        ["zh", "zh", "zh", "zh", "en", None, None]
    with using("zh"):
        assert i18n.date_text(date(2026, 11, 1)) == "2026年11月1日"
        assert i18n.number(1234.5) == "1,234.5"
    assert i18n.date_text(date(2026, 11, 1)) == "2026-11-01"  # ISO in English, the clinical convention


def test_chinese_text_renders_with_a_cjk_font_in_figure_images():
    """Two different Chinese characters drawn without a CJK font are the same empty box; with the
    font named in the theme (Noto Sans CJK SC, fonts-noto-cjk) their images differ."""
    import plotly.graph_objects as go

    from components.figures.export import chromium_available, image_server, to_image
    from components.figures.plotting import finish_figure

    if not chromium_available():
        pytest.skip("needs Chromium for kaleido")

    def png(text: str) -> bytes:
        fig = go.Figure(go.Scatter(x=[0], y=[0]))
        return to_image(finish_figure(fig, None, text, height=300), "png")

    with image_server():  # one browser for the three images
        a, b, box = png("缓"), png("解"), png("□")
    assert a != b
    assert a != box  # not the white-square look of a missing glyph either


def test_lang_in_the_address_the_switch_and_the_config_default(app_factory, monkeypatch, tmp_path):
    at = app_factory(query={"lang": "zh"})
    at.run()
    assert at.title[0].value == "总览"
    at.switch_page("pages/response.py").run()  # remembered across pages
    assert at.title[0].value == "疗效 (RECIST 1.1)"
    at.session_state["language_switch"] = "en"  # the sidebar switch, as its callback does
    at.session_state["_language"] = "en"
    at.query_params["lang"] = "en"
    at.run()
    assert at.title[0].value == "Response (RECIST 1.1)"
    # a study whose config opens in Chinese
    cfg = (ROOT / "data" / "study.toml").read_text().replace('language = "en"', 'language = "zh"')
    path = tmp_path / "study_zh.toml"
    path.write_text(cfg)
    monkeypatch.setenv("TRIAL_STUDY_CONFIG", str(path))
    fresh = app_factory()
    fresh.run()
    assert fresh.title[0].value == "总览"


def test_the_overviews_data_tables_in_chinese(app_factory):
    """The data cut's table (a Markdown table: the first page loads no data-grid or Arrow script) and the
    data contract under it, in Chinese: headers and the app's own words translated, file names as they are."""
    from tests.conftest import open_expanders

    at = open_expanders(app_factory(query={"lang": "zh"}).run())
    assert not at.exception
    cut = next(m.value for m in at.markdown if m.value.startswith("| 数据表 |"))
    head, rule, *rows = cut.splitlines()
    assert [h.strip() for h in head.strip("|").split("|")] == ["数据表", "内容", "文件", "已加载行数", "状态"]
    assert rule == "|---|---|---|---:|---|"  # the row counts right-aligned
    assert any("adsl\\.csv" in r and "已加载" in r for r in rows)  # a file name escaped as text, not Markdown
    contract = next(df.value for df in at.dataframe if "adsl" in set(df.value.iloc[:, 0]))
    meanings = set(contract.iloc[:, -1])
    assert "签署知情同意时年龄（岁）" in meanings and "Age at informed consent (years)" not in meanings
    assert all(re.search("[\u4e00-\u9fff]", m) for m in meanings), [m for m in meanings if not re.search("[\u4e00-\u9fff]", m)]


def test_every_page_and_tab_in_chinese_leaves_no_english_ui_word():
    """Every page and lazy tab of the demo in Chinese (AppTest): no text on screen holds an English word
    other than a standard abbreviation or a value of the data (tests/lang_check.py says which)."""
    from tests.conftest import PAGES
    from tests.lang_report import report

    left = {page: sorted(texts) for page, texts in report(list(PAGES)).items() if texts}
    assert left == {}


def test_the_deck_in_chinese_from_the_command_line(tmp_path):
    """``--lang zh``: slide titles and tables in Chinese, the CJK font named as every run's East Asian
    typeface, and the slide geometry still clean (no overlap, nothing off the slide)."""
    from pptx import Presentation
    from pptx.oxml.ns import qn

    from components.figures.export import chromium_available
    from components.reports.deck import main
    from tests.conftest import DEMO_DIR
    from tests.test_deck import check_geometry

    if not chromium_available():
        pytest.skip("needs Chromium for the figures")
    out = tmp_path / "deck.pptx"
    assert main(["--data", str(DEMO_DIR), "--out", str(out), "--lang", "zh"]) == 0
    data = out.read_bytes()
    assert check_geometry(data) == []
    prs = Presentation(str(out))
    titles = [s.shapes[0].text_frame.text for s in prs.slides if s.shapes and s.shapes[0].has_text_frame]
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert sum(bool(cjk.search(t)) for t in titles) >= len(titles) - 1, titles
    fonts = {ea.get("typeface") for s in prs.slides for sh in s.shapes if sh.has_text_frame
             for ea in sh.text_frame._txBody.iter(qn("a:ea"))}
    assert fonts == {"Noto Sans CJK SC"}
    # every text and table cell of every slide: no English word but abbreviations and data values
    from components.data.config import load_config
    from components.data.datasets import load_cut
    from tests.lang_check import data_words, english_left

    texts = []
    for slide in prs.slides:
        for sh in slide.shapes:
            if sh.has_text_frame:
                texts += [para.text for para in sh.text_frame.paragraphs]
            if getattr(sh, "has_table", False) and sh.has_table:
                texts += [c.text for r in sh.table.rows for c in r.cells]
    assert english_left(texts, data_words(load_cut(DEMO_DIR), load_config())) == []


def test_meddra_chinese_names_when_the_data_carries_them(tmp_path):
    """AEDECOD_CN / AEBODSYS_CN: the AE tables show the Chinese names in Chinese, with the same counts;
    English stays as the data gives it; the focus toxicity is still found by its English term."""
    import shutil

    import pandas as pd

    from components.analyses.safety import ae_table, focus_toxicity
    from components.data.config import load_config
    from components.data.datasets import load_cut
    from tests.conftest import DEMO_DIR

    folder = tmp_path / "cut"
    shutil.copytree(sorted(p for p in DEMO_DIR.iterdir() if p.is_dir())[-1], folder)
    adae = pd.read_csv(folder / "adae.csv", dtype=str, keep_default_na=False)
    adae["AEDECOD_CN"] = adae["AEDECOD"].map({"Diarrhoea": "腹泻", "Nausea": "恶心"}).fillna("")
    adae["AEBODSYS_CN"] = adae["AEBODSYS"].map({"Gastrointestinal disorders": "胃肠系统疾病"}).fillna("")
    adae.to_csv(folder / "adae.csv", index=False)
    cut, cfg = load_cut(folder), load_config()
    assert not [f for f in cut.issues if "AEDECOD_CN" in f.message and f.severity == "error"]
    en = ae_table(cut, cfg).tables["table"].set_index("Term")
    with using("zh"):
        zh = ae_table(cut, cfg).tables["table"].set_index("Term")
        focus = focus_toxicity(cut, cfg)
    assert zh.loc["腹泻", "Any grade"] == en.loc["Diarrhoea", "Any grade"]
    assert zh.loc["胃肠系统疾病", "Any grade"] == en.loc["Gastrointestinal disorders", "Any grade"]
    assert "Fatigue" in zh.index  # no Chinese name in the data: the English term
    any_grade = [v for k, v in focus.numbers.items() if k.endswith("any grade")][0]
    assert any_grade.startswith(str(en.loc["Diarrhoea", "Any grade"]))


def test_the_randomized_demo_in_chinese_leaves_no_english_ui_word(monkeypatch):
    """The phase III demo's by-arm tables, stratified comparisons and forest plot in Chinese."""
    from tests.conftest import PAGES
    from tests.lang_report import report

    ph3 = ROOT / "data" / "demo-phase3"
    monkeypatch.setenv("TRIAL_STUDY_CONFIG", str(ROOT / "data" / "phase3_demo.toml"))
    monkeypatch.setenv("TRIAL_DATA_DIR", str(ph3))
    left = {page: sorted(texts) for page, texts in report(list(PAGES), data_dir=ph3).items() if texts}
    assert left == {}
