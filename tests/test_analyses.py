"""The analysis layer: the page, the deck and the HTML report show the same numbers (default and
changed config, both demo cuts, derived PFS); every "show the code" snippet runs and prints the
page's numbers; pages compute no statistic."""

from __future__ import annotations

import ast
import io
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from components.data.config import load_config
from components.data.datasets import load_cut
from components.reports.deck import build_deck, build_html
from components.reports.report import build_report
from tests.conftest import DEMO_DIR, PAGES, ROOT, STUDY_PAGES, demo_cuts, open_expanders

CHANGED = {  # a study config edited where the numbers depend on it
    "assessment_window_days = 7": "assessment_window_days = 21",
    "confirmation_min_days = 28": "confirmation_min_days = 42",
    "p0 = 0.21": "p0 = 0.15",
}


def _config(tmp_path: Path, changed: bool) -> Path:
    src = (ROOT / "data" / "study.toml").read_text()
    if not changed:
        return ROOT / "data" / "study.toml"
    for a, b in CHANGED.items():
        assert a in src, a
        src = src.replace(a, b)
    path = tmp_path / "changed.toml"
    path.write_text(src)
    return path


def _metric(at, prefix: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(prefix))


def _deck_text(cut, cfg, items) -> str:
    """Every text and table cell of the deck built from ``items`` (figures left out: no rendering)."""
    from pptx import Presentation

    data = build_deck(cut, cfg, items=[replace(i, figure=None) for i in items])
    texts = []
    for slide in Presentation(io.BytesIO(data)).slides:
        for sh in slide.shapes:
            if sh.has_text_frame:
                texts.append(sh.text_frame.text)
            if sh.has_table:
                texts += [c.text for r in sh.table.rows for c in r.cells]
    return "\n".join(texts)


CASES = [(c.name, False, True) for c in demo_cuts()] + [(demo_cuts()[-1].name, True, True),
                                                          (demo_cuts()[-1].name, True, False)]


@pytest.mark.parametrize("cut_name,changed,with_adtte", CASES,
                         ids=[f"{c}-{'changed' if ch else 'default'}-{'adtte' if a else 'derived'}" for c, ch, a in CASES])
def test_page_deck_and_report_show_the_same_numbers(app_factory, monkeypatch, tmp_path, cut_name, changed, with_adtte):
    cuts = tmp_path / "cuts"
    shutil.copytree(DEMO_DIR / cut_name, cuts / cut_name)
    if not with_adtte:  # PFS and OS derived with the configured assessment window
        (cuts / cut_name / "adtte.csv").unlink()
    cfg_path = _config(tmp_path, changed)
    monkeypatch.setenv("TRIAL_STUDY_CONFIG", str(cfg_path))
    cfg, cut = load_config(cfg_path), load_cut(cuts / cut_name)
    items = {i.key: i for i in build_report(cut, cfg, presentation=False)}
    html = build_html(cut, cfg, items=list(items.values()))
    deck = _deck_text(cut, cfg, list(items.values()))

    ro = items["response_table"].result
    pe = ro.detail.decision
    at = app_factory(cuts).run()
    at.switch_page("pages/response.py").run()
    assert not at.exception
    orr_text = f"{ro.numbers['ORR (%)']:.1f}%"
    ci_text = f"{ro.numbers['95% CI low (%)']:.1f}–{ro.numbers['95% CI high (%)']:.1f}%"
    assert (_metric(at, "ORR"), _metric(at, "95% CI")) == (orr_text, ci_text)
    page_text = " ".join(m.value for m in at.markdown)
    assert pe.sentence() in page_text
    threshold = f"reject H0 with ≥ {pe.rule.critical} responders of {pe.rule.n} evaluable"
    assert threshold in deck and html.count(threshold) >= 1
    assert ro.detail.orr.rate.text() in deck and ro.detail.orr.rate.text() in html
    if changed:
        assert pe.rule.p0 == 0.15

    at.switch_page("pages/design.py").run()
    assert not at.exception
    assert f"≥ {pe.rule.critical} of {pe.rule.n}" in " ".join(m.value for m in at.markdown)

    at.switch_page("pages/survival.py").run()
    assert not at.exception
    pfs = items["pfs"].result
    assert _metric(at, "Median, months") == pfs.numbers["Median, months (95% CI)"]
    assert _metric(at, "Events") == str(pfs.numbers["Events"])
    assert pfs.detail.origin == ("adtte" if with_adtte else "derived")

    at.switch_page("pages/safety.py").run()
    assert not at.exception
    overview = next(df.value for df in at.dataframe if "Category" in df.value.columns)
    deck_overview = items["safety"].table
    assert list(overview.iloc[:, 1]) == list(deck_overview["n (%)"])
    any_teae = deck_overview.set_index("Category").loc["Any TEAE", "n (%)"]
    assert any_teae in deck and any_teae in html


def _page_snippets(app_factory) -> dict[str, list[str]]:
    """Every 'Show the code' snippet every page shows on the demo (default views)."""
    out: dict[str, list[str]] = {}
    at = app_factory().run()
    for page in STUDY_PAGES:
        at.switch_page(page).run()
        open_expanders(at)
        assert not at.exception, page
        out[page] = [c.value for c in at.code if "result = " in c.value]
    return out


def test_every_snippet_runs_and_prints_the_pages_numbers(app_factory):
    snippets = _page_snippets(app_factory)
    every = [s for page in snippets.values() for s in page]
    assert len(every) >= 15, {p: len(s) for p, s in snippets.items()}
    pages_without = [p for p, s in snippets.items() if not s]
    assert pages_without == [], pages_without
    marker = "#=====#"
    script = "\n".join(f"{s}\nprint({marker!r})" for s in every)
    res = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    outputs = res.stdout.split(marker)[:-1]
    assert len(outputs) == len(every)
    assert all(o.strip() for o in outputs), "a snippet printed nothing"
    printed = dict(zip(every, outputs, strict=True))

    # the numbers printed equal those on the pages
    at = app_factory().run()
    at.switch_page("pages/response.py").run()
    resp = next(o for s, o in printed.items() if "response_overview(" in s)
    assert f"ORR (%): {_metric(at, 'ORR').rstrip('%')}" in resp
    at.switch_page("pages/survival.py").run()
    km = next(o for s, o in printed.items() if "kaplan_meier_endpoint(" in s and "P95STAT" not in s)
    assert f"Median, months (95% CI): {_metric(at, 'Median, months')}" in km
    at.switch_page("pages/safety.py").run()
    overview = next(df.value for df in at.dataframe if "Category" in df.value.columns)
    ae = next(o for s, o in printed.items() if "ae_overview(" in s)
    assert f"Any TEAE: {overview.iloc[0, 1]}" in ae


def test_a_snippet_carries_the_options_in_force(app_factory):
    at = app_factory().run()
    adsl = load_cut(DEMO_DIR).tables["adsl"]
    site = adsl["SITEID"].value_counts().index[0]
    at.multiselect(key="flt_SITEID").set_value([site]).run()
    at.switch_page("pages/response.py").run()
    at.radio(key="resp_pop").set_value("SAFFL").run()
    # a closed "Show the code" costs nothing: the snippet is made and sent only once it is opened
    assert not [c for c in at.code if "response_overview(" in c.value]
    open_expanders(at)
    code = next(c.value for c in at.code if "response_overview(" in c.value)
    assert f"filters=(('SITEID', ('{site}',)),)" in code and "population='SAFFL'" in code
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    shown = _metric(at, "Responders /")
    k, n = (int(x) for x in shown.split("/"))
    assert f"Responders: {k}\n" in res.stdout and f"Patients: {n}\n" in res.stdout


FORBIDDEN = ("scipy", "lifelines", "statsmodels", "numpy")
LABELS_FROM_STATS = {"EVENT_ORDER", "short_id", "ENDPOINTS", "cr_then_pr_text", "design_sentence", "regimen_table",
                     "oc_label", "p_text", "p_value_text", "p_relation"}  # labels, and the one p-value formatter


@pytest.mark.parametrize("page", PAGES)
def test_pages_compute_no_statistic(page):
    """Pages lay out what analyses return: no numeric library, nothing from components.stats but
    labels, no response derivation of their own."""
    tree = ast.parse((ROOT / page).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not any(a.name.split(".")[0] in FORBIDDEN for a in node.names), (page, ast.dump(node))
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.module.split(".")[0] not in FORBIDDEN, (page, node.module)
            if node.module.startswith("components.stats"):
                assert {a.name for a in node.names} <= LABELS_FROM_STATS, (page, node.module)
    source = (ROOT / page).read_text()
    assert not re.search(r"isin\(\[\"CR\", \"PR\"\]\)|EFFFL\"\] == \"Y\"", source), page
