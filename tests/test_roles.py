"""Issue 35 (1): roles decide what the analyses receive. A blinded role of a randomized study gets no
arm in any table (so no by-arm result can reach a page, a download, the deck or the browser), a site
investigator only their site's patients, and every slide says who may see it."""

from __future__ import annotations

import io

import pytest

from components.analyses.response import ArmsOptions, response_by_arm
from components.analyses.survival import SurvivalOptions, default_view, kaplan_meier_endpoint
from components.data.config import load_config
from components.data.datasets import load_cut
from components.data.roles import Role, apply_role, parse_role
from components.ui.access import AccessPolicy, session_role
from tests.conftest import ROOT

PHASE3 = load_config(ROOT / "data" / "phase3_demo.toml")
ARMS = PHASE3.arms  # ("NER-FUL-ERI", "Eribulin (physician's choice)")


@pytest.fixture(scope="module")
def phase3_cut():
    return load_cut(ROOT / "data" / "demo-phase3")


def test_roles_are_read_strictly_and_fall_back_to_blinded():
    assert parse_role("idmc") == Role("idmc")
    assert parse_role("site: 01, 02") == Role("site", ("01", "02"))
    assert parse_role("site") is None and parse_role("admin") is None and parse_role(3) is None
    assert session_role(AccessPolicy()).kind == "open"
    assert session_role(AccessPolicy(mode="password")).kind == "steering"  # no role said: blinded
    assert session_role(AccessPolicy(mode="password", password_role="idmc")).kind == "idmc"
    oidc = AccessPolicy(mode="oidc", roles=(("stat@cro.com", "idmc"), ("typo@h.cn", "idcm")))
    assert session_role(oidc, "STAT@cro.com").kind == "idmc"  # addresses compare in lower case
    assert session_role(oidc, "stat@cro.com@evil.com").kind == "steering"  # not one address: the default
    assert session_role(oidc, "typo@h.cn").kind == "steering"  # a misspelt role is never unblinded
    assert session_role(oidc, "someone@h.cn").kind == "steering"
    # ICH E9 §4.5: the sponsor's statistician is blind unless the access settings say otherwise
    assert Role("statistician").blinded and not Role("statistician", statistician_unblinded=True).blinded


def test_a_blinded_role_receives_no_arm_anywhere(phase3_cut):
    cut, config = apply_role(phase3_cut, PHASE3, Role("steering"))
    assert config.single_arm and config.reference_arm is None and config.stamp == "BLINDED"
    for name, df in cut.tables.items():
        for col in df.columns:
            values = set(df[col].dropna().astype(str)) if df[col].dtype == object else set()
            assert not values & set(ARMS), (name, col)
            assert not col.startswith(("TRT01", "ARM", "ACTARM")), (name, col)
    # the experimental arm's own drugs would name each patient's arm on the swimmer: only eribulin stays,
    # and no other column names a dropped drug (ADAE's AEACNDRG named neratinib for 137 patients)
    assert set(cut.tables["adex"]["EXTRT"]) == {"Eribulin"} < set(phase3_cut.tables["adex"]["EXTRT"])
    for name, df in cut.tables.items():
        for col in df.columns:
            if df[col].dtype == object:
                assert not df[col].astype(str).str.contains("Neratinib|Fulvestrant", case=False).any(), (name, col)
    population, arm = default_view(config, cut.tables["adsl"])
    km = kaplan_meier_endpoint(cut, config, SurvivalOptions(endpoint="PFS", population=population, group_by=arm))
    assert arm is None and km.detail.comparison is None and len(km.tables["numbers"]) == 1
    assert response_by_arm(cut, config, ArmsOptions(population=population)).figure is None
    assert "arms" not in response_by_arm(cut, config, ArmsOptions(population=population)).tables


def test_the_idmc_sees_arms_and_its_deck_is_stamped_closed_session(phase3_cut):
    from pptx import Presentation

    from components.reports.deck import build_deck
    from components.reports.report import build_report

    cut, config = apply_role(phase3_cut, PHASE3, Role("idmc"))
    assert cut is phase3_cut and config.arms == ARMS and config.stamp == "CLOSED SESSION — IDMC"
    blind_cut, blind_config = apply_role(phase3_cut, PHASE3, Role("steering"))
    items = [i for i in build_report(blind_cut, blind_config, presentation=True) if i.figure is None][:3]
    deck = Presentation(io.BytesIO(build_deck(blind_cut, blind_config, items=items)))
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    subtitles = [t for t in texts if "data cut-off" in t]
    assert subtitles and all("BLINDED" in t for t in subtitles)
    assert not any(a in t for t in texts for a in ARMS)


def test_a_site_investigator_sees_only_their_site(phase3_cut):
    site = str(phase3_cut.tables["adsl"]["SITEID"].iloc[0])
    cut, config = apply_role(phase3_cut, PHASE3, Role("site", (site,)))
    mine = set(phase3_cut.tables["adsl"].loc[phase3_cut.tables["adsl"]["SITEID"].astype(str) == site, "USUBJID"])
    for name, df in cut.tables.items():
        if "USUBJID" in df:  # (a screening log's screen failures have no USUBJID: their SITEID is the site's)
            assert set(df["USUBJID"].dropna()) <= mine, name
        if "SITEID" in df:
            assert set(df["SITEID"].astype(str)) <= {site}, name
    assert set(cut.tables["adsl"]["USUBJID"]) == mine
    assert config.stamp == "BLINDED"  # a site investigator is blinded in a randomized study
    # a single-arm study is open-label: the role restricts sites, the arm stays
    demo = load_cut(ROOT / "data" / "demo")
    cut1, config1 = apply_role(demo, load_config(), Role("site", (str(demo.tables["adsl"]["SITEID"].iloc[0]),)))
    assert config1.stamp == "" and len(cut1.tables["adsl"]) < len(demo.tables["adsl"])


def test_no_page_shows_an_arm_to_a_blinded_session(app_factory, monkeypatch):
    """Every page and tab of the phase III demo as the steering committee sees it: no arm label in any
    element's text or in any figure sent to the browser, and the sidebar says the role."""
    from components.ui import widgets
    from tests.walk import walk

    monkeypatch.setenv("TRIAL_STUDY_CONFIG", str(ROOT / "data" / "phase3_demo.toml"))
    monkeypatch.setattr(widgets, "current_role", lambda: Role("steering"))
    leaks: list[str] = []

    def look(at) -> None:
        texts = [str(getattr(e, "value", "")) for e in at.main] if hasattr(at, "main") else []
        texts += [e.proto.spec for e in at.get("plotly_chart")]
        texts += [str(e.value) for kind in ("markdown", "caption", "info", "warning", "table", "dataframe")
                  for e in at.get(kind)]
        # an arm as data: the reference arm's label anywhere, the experimental arm's as a group (the study's
        # title, "NER-FUL-ERI vs eribulin (phase III)", names the regimen and is not a result)
        marks = (ARMS[1], f"{ARMS[0]} (N", f"{ARMS[0]}: ", f"{ARMS[0]} vs {ARMS[1]}", f"{ARMS[0]} −")
        leaks.extend(f"{m} in {t[:60]}" for t in texts for m in marks if m in t)

    found = walk(app_factory(ROOT / "data" / "demo-phase3"), each=look)
    assert not {k: v for k, v in found.items() if v}
    assert not leaks, leaks[:5]
    at = app_factory(ROOT / "data" / "demo-phase3").run()
    assert any("Signed in as" in c.value and "blinded" in c.value for c in at.sidebar.caption)


def test_a_crossover_record_does_not_make_a_drug_common(phase3_cut):
    """One control patient given neratinib once (a dosing error) left neratinib in the blinded cut for
    150 patients, 149 of them experimental: a common drug is one given to >= 80% of every arm."""
    import pandas as pd

    adex = phase3_cut.tables["adex"]
    control = phase3_cut.tables["adsl"].loc[phase3_cut.tables["adsl"]["TRT01P"] == ARMS[1], "USUBJID"].iloc[0]
    extra = adex[adex["EXTRT"] == "Neratinib"].head(1).assign(USUBJID=control)
    crossed = phase3_cut.with_tables({**phase3_cut.tables, "adex": pd.concat([adex, extra], ignore_index=True)})
    cut, _config = apply_role(crossed, PHASE3, Role("steering"))
    assert set(cut.tables["adex"]["EXTRT"]) == {"Eribulin"}


def test_a_site_investigator_gets_no_finding_about_another_site(phase3_cut):
    from dataclasses import replace

    from components.data.validation import WARNING, Finding

    adsl = phase3_cut.tables["adsl"]
    mine, other = (str(x) for x in adsl["SITEID"].drop_duplicates().iloc[:2])
    theirs = tuple(adsl.loc[adsl["SITEID"].astype(str) == other, "USUBJID"].head(1))
    ours = tuple(adsl.loc[adsl["SITEID"].astype(str) == mine, "USUBJID"].head(1))
    issues = (Finding("adsl", "TRTEDT", WARNING, "x", (3,), theirs), Finding("adsl", "TRTEDT", WARNING, "y", (4,), ours),
              Finding("adae", "AESEV", WARNING, "z", (), (), values=("SEVERE",)))
    cut, _config = apply_role(replace(phase3_cut, issues=issues), PHASE3, Role("site", (mine,)))
    assert [f.problem for f in cut.issues] == ["y"]


def test_show_the_code_reproduces_the_roles_view(phase3_cut):
    """A blinded session's "show the code" applies its role, so the code gives the pooled result the
    page showed, never the by-arm one."""
    import subprocess
    import sys

    from components.analyses.base import code_snippet
    from components.analyses.survival import kaplan_meier_endpoint

    cut, config = apply_role(phase3_cut, PHASE3, Role("steering"))
    result = kaplan_meier_endpoint(cut, config, SurvivalOptions(endpoint="PFS"))
    code = code_snippet(result, cut, config)
    assert "apply_role(cut, config, role)" in code and "parse_role('steering')" in code
    out = subprocess.run([sys.executable, "-c", code + "\nprint('ARMS', config.arms, 'N', len(cut.tables['adsl']))"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "ARMS () N" in out.stdout and not any(a in out.stdout for a in ARMS[1:])
    # the IDMC's code has no role line that would pool it; the open mode's none at all
    idmc_cut, idmc_config = apply_role(phase3_cut, PHASE3, Role("idmc"))
    assert "parse_role('idmc')" in code_snippet(kaplan_meier_endpoint(idmc_cut, idmc_config, SurvivalOptions(endpoint="PFS")),
                                                idmc_cut, idmc_config)
    assert "apply_role" not in code_snippet(kaplan_meier_endpoint(phase3_cut, PHASE3, SurvivalOptions(endpoint="PFS")),
                                            phase3_cut, PHASE3)


def test_the_command_line_deck_of_a_randomized_study_says_who_it_is_for(tmp_path, capsys):
    from pptx import Presentation

    from components.reports.deck import main

    data = ROOT / "data" / "demo-phase3"
    config = ROOT / "data" / "phase3_demo.toml"
    with pytest.raises(SystemExit) as refused:  # no role: no deck (whether it is blinded must be decided)
        main(["--data", str(data), "--config", str(config), "--html", str(tmp_path / "r.html")])
    assert refused.value.code == 2 and "needs --role" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--data", str(data), "--config", str(config), "--html", str(tmp_path / "r.html"), "--role", "chair"])
    assert main(["--data", str(data), "--config", str(config), "--html", str(tmp_path / "r.html"),
                 "--out", str(tmp_path / "d.pptx"), "--role", "steering", "--lang", "en"]) == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "BLINDED" in html and ARMS[1] not in html
    deck = Presentation(str(tmp_path / "d.pptx"))
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    assert any("BLINDED" in t for t in texts) and not any(ARMS[1] in t for t in texts)
