"""Cut comparison on two hand-made cuts, the deck and the HTML report from the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import MappingProxyType

import pandas as pd
import pytest

from components.analyses.changes import cut_comparison
from components.data.config import load_config
from components.data.datasets import DataCut
from tests.conftest import ROOT

T = pd.Timestamp


def _cut(cutoff: str, adsl: pd.DataFrame, adrs: pd.DataFrame, adae: pd.DataFrame) -> DataCut:
    adsl = adsl.assign(DCUTDT=T(cutoff), SAFFL="Y", EFFFL="Y")
    return DataCut(tables=MappingProxyType({"adsl": adsl, "adrs": adrs, "adae": adae}), name=cutoff, cutoff=T(cutoff))


def _two_cuts():
    """Old cut 2026-06-01: A (one PR, unconfirmed) and B (on treatment, one grade-2 AE).
    New cut 2026-09-01: A's PR confirmed; A's first visit re-dated (2026-03-01 → 2026-03-03, an
    edit); a visit of B dated before the old cut entered late; B progressed (2026-07-15), stopped
    (2026-07-20) and died (2026-08-20); B's old AE upgraded to grade 3 (an edit); A has a new grade-3
    AE; C enrolled after the old cut."""
    base = {"USUBJID": ["A", "B"], "SITEID": ["01", "01"], "RFICDT": [T("2026-01-05"), T("2026-01-10")],
            "TRTSDT": [T("2026-01-15"), T("2026-01-20")], "LSTALVDT": [T("2026-05-30")] * 2}
    old_adsl = pd.DataFrame({**base, "TRTEDT": [pd.NaT, pd.NaT], "DCSREAS": [None, None], "DTHDT": [pd.NaT, pd.NaT]})
    new_adsl = pd.DataFrame({
        "USUBJID": ["A", "B", "C"], "SITEID": ["01", "01", "02"],
        "RFICDT": [T("2026-01-05"), T("2026-01-10"), T("2026-07-01")],
        "TRTSDT": [T("2026-01-15"), T("2026-01-20"), T("2026-07-08")],
        "LSTALVDT": [T("2026-08-30"), T("2026-08-20"), T("2026-08-30")],
        "TRTEDT": [pd.NaT, T("2026-07-20"), pd.NaT], "DCSREAS": [None, "Progressive disease", None],
        "DTHDT": [pd.NaT, T("2026-08-20"), pd.NaT],
    })

    def ovr(rows):
        return pd.DataFrame([{"USUBJID": u, "PARAMCD": "OVR", "AVISIT": v, "ADT": T(d), "AVALC": r} for u, v, d, r in rows])

    old_adrs = ovr([("A", "Week 6", "2026-03-01", "PR"), ("B", "Week 6", "2026-03-05", "SD")])
    new_adrs = ovr([("A", "Week 6", "2026-03-03", "PR"), ("A", "Week 25", "2026-07-10", "PR"),
                    ("B", "Week 6", "2026-03-05", "SD"), ("B", "Week 12", "2026-04-25", "SD"),
                    ("B", "Week 24", "2026-07-15", "PD")])
    old_ae = pd.DataFrame({"USUBJID": ["B"], "AESEQ": [1], "AEDECOD": ["Diarrhoea"], "AETOXGR": [2], "AESER": ["N"],
                           "ASTDT": [T("2026-02-01")], "AENDT": [T("2026-02-05")]})
    new_ae = pd.DataFrame({"USUBJID": ["B", "A"], "AESEQ": [1, 1], "AEDECOD": ["Diarrhoea", "Neutrophil count decreased"],
                           "AETOXGR": [3, 3], "AESER": ["N", "N"], "ASTDT": [T("2026-02-01"), T("2026-07-01")],
                           "AENDT": [T("2026-02-05"), T("2026-07-08")]})
    return _cut("2026-06-01", old_adsl, old_adrs, old_ae), _cut("2026-09-01", new_adsl, new_adrs, new_ae)


def test_each_kind_of_change_is_found_and_nothing_else():
    cfg = load_config()
    old, new = _two_cuts()
    ch = cut_comparison(new, cfg, previous=old).detail
    assert list(ch.new_patients["USUBJID"]) == ["C"]
    assert ch.new_responses[["USUBJID", "BEFORE", "NOW"]].values.tolist() == [["A", "SD", "PR"]]
    assert ch.new_progressions["USUBJID"].tolist() == ["B"]
    assert ch.new_deaths["USUBJID"].tolist() == ["B"]
    assert ch.stopped_treatment[["USUBJID", "DCSREAS"]].values.tolist() == [["B", "Progressive disease"]]
    assert sorted(zip(ch.new_ae["USUBJID"], ch.new_ae["AETOXGR"], strict=True)) == [("A", 3), ("B", 3)]
    retro = sorted(zip(ch.retro["Table"], ch.retro["Record"], ch.retro["Column"], ch.retro["Before"], ch.retro["Now"],
                       ch.retro["Kind"], strict=True))
    assert retro == [
        ("adae", "B | 1", "AETOXGR", "2", "3", "changed"),
        ("adrs", "A | OVR | Week 6", "ADT", "2026-03-01", "2026-03-03", "changed"),
        ("adrs", "B | OVR | Week 12", "", "", "record added", "entered late"),
    ]
    m = ch.metrics.set_index("Measure")
    assert (m.loc["Enrolled", "Before"], m.loc["Enrolled", "Now"], m.loc["Enrolled", "Change"]) == (2, 3, 1)
    assert (m.loc["Confirmed responders", "Before"], m.loc["Confirmed responders", "Now"]) == (0, 1)


def test_no_change_between_identical_cuts():
    cfg = load_config()
    _, new = _two_cuts()
    ch = cut_comparison(new, cfg, previous=new).detail
    for part in (ch.new_patients, ch.new_responses, ch.new_progressions, ch.new_deaths, ch.stopped_treatment,
                 ch.new_ae, ch.retro):
        assert part.empty
    assert (ch.metrics["Change"].fillna(0) == 0).all()


def test_the_demo_shows_exactly_its_two_corrections(app_factory):
    at = app_factory().run()
    at.switch_page("pages/changes.py").run()
    assert not at.exception
    retro = next(df.value for df in at.dataframe if "Kind" in df.value.columns)
    assert sorted(set(retro["Table"])) == ["adae", "adrs", "adtr"]
    assert set(retro["Kind"]) == {"changed"}


@pytest.fixture(scope="module")
def deck_outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("deck")
    res = subprocess.run([sys.executable, "-m", "components.deck", "--data", str(ROOT / "data" / "demo"),
                          "--out", str(out / "deck.pptx"), "--html", str(out / "report.html")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return out


def test_deck_has_the_expected_slides(deck_outputs: Path):
    from pptx import Presentation

    prs = Presentation(str(deck_outputs / "deck.pptx"))
    titles = []
    for slide in prs.slides:
        texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        titles.append(texts[0] if texts else "")
    assert titles[0].startswith("Neratinib + fulvestrant + eribulin")
    # titles that state the result (issue 36 item 4), after a one-page summary
    expected = ["Summary", "Enrollment: 28 of 35", "CONSORT flow", "ORR ", "Best overall response (RECIST 1.1, confirmed)",
                "Target lesions shrank by 30% or more in ", "Swimmer: ", "Progression-free survival: median ",
                "Overall survival: median ", "Grade ≥3 adverse events in ", "Most frequent adverse events",
                "Since the last cut (2026-08-01)"]
    assert len(titles[1:]) == len(expected)
    for title, start in zip(titles[1:], expected, strict=True):
        assert title.startswith(start), (title, start)
    figure_slides = {1, 2, 5, 6, 7, 8, 10}  # enrollment, flow, waterfall, swimmer, PFS, OS, the butterfly
    from PIL import Image

    for k, slide in enumerate(list(prs.slides)[1:]):
        pictures = [sh for sh in slide.shapes if sh.shape_type == 13]
        assert len(pictures) == (1 if k in figure_slides else 0), titles[k + 1]
        for pic in pictures:  # a real image that a slide can show
            img = Image.open(__import__("io").BytesIO(pic.image.blob))
            assert img.format == "PNG" and img.width >= 1600
    assert any("SYNTHETIC" in sh.text_frame.text for sh in prs.slides[0].shapes if sh.has_text_frame)
    # the deck states the protocol's threshold, as the Response and Design pages do (issue 15)
    primary = list(prs.slides)[next(i for i, t in enumerate(titles) if t.startswith("ORR "))]
    cells = [c.text for sh in primary.shapes if sh.has_table for r in sh.table.rows for c in r.cells]
    assert "reject H0 with ≥ 11 responders of 31 evaluable" in cells
    assert any(c.startswith("≥ 12 of 31 needed") for c in cells)


def test_html_report_contains_every_figure(deck_outputs: Path):
    html = (deck_outputs / "report.html").read_text(encoding="utf-8")
    for key in ("enrollment", "flow", "waterfall", "swimmer", "pfs", "os", "ae_butterfly"):
        assert f'id="fig-{key}"' in html, key
    assert html.count("plotly.js v") <= 2  # plotly.js is inlined once, so the file stands alone
    assert "SYNTHETIC DEMO DATA" in html
